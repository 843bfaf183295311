r"""Streaming: each model fed one new time step at a time, carrying only what it must keep.

A model that runs on a live stream (a sensor, a keyboard, audio) sees x_t, must answer y_t at
once, and keeps some *state* between steps. What that state is, and what one step costs, differs:

    RNN / LSTM / GRU   h_t (and the LSTM's c_t) per layer: a fixed size, and a fixed cost per step.
    causal CNN         per level, the last 2 d_l values of the level below (its receptive field as a
                       ring of buffers): a fixed size, a fixed cost.
    Transformer        a *KV cache*: every earlier step's key and value in every layer. Step t
                       attends over t entries: memory and time grow with t.
    GRU + attention    h_t plus every earlier step's key and hidden state: grows with t, like the
                       Transformer's cache (one attention, not one per layer).

``start(model, batch)`` gives the empty state, ``step(model, x_t, state)`` returns (y_t, state)
and :func:`state_bytes` measures the state. Each model's ``step`` computes exactly what its full
forward computes at that position (tests check 1e-5 at every t), with the same parameters.
x_t: token ids [B] or features [B, I]; y_t: [B, O].
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..cells import gru_cell, lstm_cell, rnn_cell
from .attention import GRUAttention
from .cnn import KERNEL, CausalCNN
from .recurrent import SequenceModel
from .transformer import CausalTransformer

STATE_RULE = {
    "rnn": "h_t per layer: fixed",
    "lstm": "h_t and c_t per layer: fixed",
    "gru": "h_t per layer: fixed",
    "cnn": "the last 2·d values per level (receptive field): fixed",
    "transformer": "keys and values of every earlier step, per layer (KV cache): grows with t",
    "gru_attention": "h_t plus every earlier key and hidden state: grows with t",
}


def arch_of(model) -> str:
    if isinstance(model, SequenceModel):
        return model.cfg.arch
    return model.cfg.arch


def start(model, batch: int = 1) -> dict:
    """The state before the first step (all zeros, or empty caches), for ``batch`` streams."""
    ref = next(model.parameters())
    if isinstance(model, SequenceModel):
        cfg = model.cfg
        z = ref.new_zeros(batch, cfg.hidden_size)
        return {
            "t": 0,
            "h": [z.clone() for _ in range(cfg.num_layers)],
            "c": [z.clone() for _ in range(cfg.num_layers)] if cfg.arch == "lstm" else [],
        }
    if isinstance(model, CausalCNN):
        return {"t": 0, "buffers": [ref.new_zeros(batch, model.channels, (KERNEL - 1) * d) for d in model.dilations]}
    if isinstance(model, CausalTransformer):
        D = model.cfg.hidden_size
        empty = ref.new_zeros(batch, 0, D)
        return {"t": 0, "keys": [empty] * model.cfg.num_layers, "values": [empty] * model.cfg.num_layers}
    if isinstance(model, GRUAttention):
        H = model.cfg.hidden_size
        return {
            "t": 0,
            "h": [ref.new_zeros(batch, H) for _ in range(model.cfg.num_layers)],
            "keys": ref.new_zeros(batch, 0, model.attn_size),
            "values": ref.new_zeros(batch, 0, H),
        }
    raise TypeError(f"no streaming step for {type(model).__name__}")


def state_bytes(state: dict) -> int:
    """Bytes of every tensor the state holds (what a device must keep between steps)."""
    n = 0
    for v in state.values():
        for t in v if isinstance(v, list) else [v]:
            if isinstance(t, torch.Tensor):
                n += t.numel() * t.element_size()
    return n


@torch.no_grad()
def step(model, x_t: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
    """Feed one step x_t (token ids [B] or features [B, I]); returns y_t [B, O] and the new state."""
    if isinstance(model, SequenceModel):
        return _step_recurrent(model, x_t, state)
    if isinstance(model, CausalCNN):
        return _step_cnn(model, x_t, state)
    if isinstance(model, CausalTransformer):
        return _step_transformer(model, x_t, state)
    if isinstance(model, GRUAttention):
        return _step_gru_attention(model, x_t, state)
    raise TypeError(f"no streaming step for {type(model).__name__}")


def _step_recurrent(model: SequenceModel, x_t, state):
    inp = model.encoder(x_t)  # [B, I]
    hs, cs = list(state["h"]), list(state["c"])
    for k in range(model.cfg.num_layers):
        w_ih, w_hh, b_ih, b_hh = model.layer_params(k)
        xw = torch.addmm(b_ih, inp, w_ih.t())  # [B, G*H]
        if model.cfg.arch == "lstm":
            hs[k], cs[k], _ = lstm_cell(xw, hs[k], cs[k], w_hh, b_hh)
        elif model.cfg.arch == "gru":
            hs[k], _ = gru_cell(xw, hs[k], w_hh, b_hh)
        else:
            hs[k], _ = rnn_cell(xw, hs[k], w_hh, b_hh, model.cfg.nonlinearity)
        inp = hs[k]
    return model.readout(inp), {"t": state["t"] + 1, "h": hs, "c": cs}


def _step_cnn(model: CausalCNN, x_t, state):
    u = model.in_proj(model.encoder(x_t)).unsqueeze(2)  # [B, C, 1]
    buffers = []
    for conv, buf in zip(model.convs, state["buffers"]):
        window = torch.cat([buf, u], dim=2)  # [B, C, 2d + 1]: u at t - 2d, ..., t
        u = u + torch.relu(conv(window))  # the dilated kernel reads t - 2d, t - d, t: one output
        buffers.append(window[:, :, 1:])
    return model.readout(u.squeeze(2)), {"t": state["t"] + 1, "buffers": buffers}


def position_code(t: int, d_model: int, like: torch.Tensor) -> torch.Tensor:
    """Row t of :func:`~rnnviz.models.transformer.sinusoidal_positions` [d_model], computed alone."""
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(d_model)
    pe[0::2] = torch.sin(t * freq)
    pe[1::2] = torch.cos(t * freq)[: d_model // 2]
    return pe.to(like)


def _step_transformer(model: CausalTransformer, x_t, state):
    t = state["t"]
    z = model.in_proj(model.encoder(x_t))  # [B, D]
    D = z.shape[1]
    z = z + position_code(t, D, z)
    heads, hd = model.heads, D // model.heads
    B = z.shape[0]
    keys, values = [], []
    for layer, K, V in zip(model.layers.layers, state["keys"], state["values"]):
        attn = layer.self_attn
        q, k, v = F.linear(layer.norm1(z), attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=1)  # [B, D] each
        K, V = torch.cat([K, k.unsqueeze(1)], dim=1), torch.cat([V, v.unsqueeze(1)], dim=1)  # [B, t+1, D]: the cache
        qh = q.view(B, heads, 1, hd)
        Kh, Vh = K.view(B, -1, heads, hd).transpose(1, 2), V.view(B, -1, heads, hd).transpose(1, 2)  # [B, h, t+1, hd]
        alpha = torch.softmax(qh @ Kh.transpose(2, 3) / math.sqrt(hd), dim=-1)  # [B, h, 1, t+1]: all past steps
        a = attn.out_proj((alpha @ Vh).reshape(B, D))  # [B, D]
        z = z + a
        z = z + layer.linear2(layer.activation(layer.linear1(layer.norm2(z))))
        keys.append(K)
        values.append(V)
    y = model.readout(model.layers.norm(z))
    return y, {"t": t + 1, "keys": keys, "values": values}


def _step_gru_attention(model: GRUAttention, x_t, state):
    inp = model.encoder(x_t)  # [B, I]
    hs = list(state["h"])
    core = model.core
    for k in range(core.num_layers):
        w_ih, w_hh = getattr(core, f"weight_ih_l{k}"), getattr(core, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(core, f"bias_ih_l{k}"), getattr(core, f"bias_hh_l{k}")
        hs[k], _ = gru_cell(torch.addmm(b_ih, inp, w_ih.t()), hs[k], w_hh, b_hh)
        inp = hs[k]
    h = inp  # [B, H]
    K = torch.cat([state["keys"], model.key(h).unsqueeze(1)], dim=1)  # [B, t+1, d]
    V = torch.cat([state["values"], h.unsqueeze(1)], dim=1)  # [B, t+1, H]: the values are the states
    alpha = torch.softmax((K @ model.query(h).unsqueeze(2)).squeeze(2) / math.sqrt(model.attn_size), dim=1)  # [B, t+1]
    context = (alpha.unsqueeze(1) @ V).squeeze(1)  # [B, H]
    y = model.readout(torch.cat([h, context], dim=1))
    return y, {"t": state["t"] + 1, "h": hs, "keys": K, "values": V}
