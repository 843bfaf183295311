r"""CausalTransformer: a small Transformer encoder (pre-norm) whose attention may only look back.

Symbols:
    x_t      input at step t (after the embedding, if any)          [B, I]
    D        model width d_model = hidden_size H
    n_h      heads: 4 if D is divisible by 4, else 2 if even, else 1; head width D / n_h
    p_t      sinusoidal position code (no parameters, any length):
             p_{t,2i} = sin(t / 10000^{2i/D}),  p_{t,2i+1} = cos(t / 10000^{2i/D})

.. math::
    z^0_t = W_{in} x_t + b_{in} + p_t
    per layer l (torch.nn.TransformerEncoderLayer, norm_first, ReLU, no dropout):
      a_t     = z_t + \mathrm{MHA}(\mathrm{LN}(z)_t, keys/values \mathrm{LN}(z)_{1..t})
      z'_t    = a_t + W_2 \mathrm{ReLU}(W_1 \mathrm{LN}(a_t) + b_1) + b_2
    with one head's attention  \alpha_{ts} = \mathrm{softmax}_{s \le t}(q_t \cdot k_s / \sqrt{D/n_h})
    y_t = W_{out} \mathrm{LN}(z^L_t) + b_{out}

The causal mask sets the scores of s > t to -inf, so y_t never sees a later input. Every step is
computed at once (parallel over t), but each step attends to all earlier ones: the cost of a
sequence grows as T^2, and generating one more step means attending over the whole past.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import CoreConfig, _Seeded, causal_mask, make_encoder


def heads_for(d_model: int) -> int:
    return 4 if d_model % 4 == 0 else 2 if d_model % 2 == 0 else 1


def sinusoidal_positions(T: int, d_model: int) -> torch.Tensor:
    """[T, d_model] sinusoidal position codes (Vaswani et al. 2017), computed for any length."""
    pos = torch.arange(T, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(T, d_model)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
    return pe


class CausalTransformer(nn.Module):
    """encoder -> input projection (I -> D) + sinusoidal positions -> num_layers pre-norm encoder layers
    with a causal mask -> LayerNorm -> readout (D -> O).

    Sizes: d_model = H, heads = 4 (H divisible by 4), feed-forward width H // 4 (so the model stays
    near the LSTM's size: 5,097 parameters at H=32, one layer, adding task; LSTM 4,641).
    Positions are sinusoidal (no parameters, no length limit; T up to 200 and beyond).
    ``forward(x)``: token ids [B, T] or features [B, T, I] -> [B, T, O].
    """

    def __init__(self, cfg: CoreConfig, seed: int | None = None):
        super().__init__()
        self.cfg = cfg.validate()
        D = cfg.hidden_size
        self.heads = heads_for(D)
        self.ff = max(1, D // 4)
        with _Seeded(seed):
            self.encoder = make_encoder(cfg)
            self.in_proj = nn.Linear(cfg.input_size, D)
            layer = nn.TransformerEncoderLayer(
                D, self.heads, dim_feedforward=self.ff, dropout=0.0, batch_first=True, norm_first=True
            )
            self.layers = nn.TransformerEncoder(layer, cfg.num_layers, norm=nn.LayerNorm(D), enable_nested_tensor=False)
            self.readout = nn.Linear(D, cfg.output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.in_proj(self.encoder(x))  # [B, T, D]
        T = z.shape[1]
        z = z + sinusoidal_positions(T, z.shape[2]).to(z)
        z = self.layers(z, mask=causal_mask(T, z.device), is_causal=True)
        return self.readout(z)  # [B, T, O]
