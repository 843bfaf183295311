"""Explicit step equations for the three recurrent cells, in PyTorch's weight layout.

Each function advances one time step for a whole batch. The input projection
``xw = x_t @ W_ih.T + b_ih`` is computed for all steps at once by the caller (it does not
depend on the past), so a cell only adds the recurrent part. The weights are the very
tensors held by ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` (``weight_hh_l{k}``, ``bias_hh_l{k}``),
so the explicit path and the fused path compute the same function of the same parameters.

Symbols used below:
    x_t      input at step t                          [B, I]
    h_{t-1}  hidden state carried in from step t-1    [B, H]
    c_{t-1}  LSTM cell state carried in               [B, H]
    W_i*     input-to-hidden weights (one block per gate)       [H, I]
    W_h*     hidden-to-hidden (recurrent) weights per gate      [H, H]
    b_i*, b_h*  the two bias vectors PyTorch keeps per gate     [H]
    sigma    logistic sigmoid, * elementwise product
"""

from __future__ import annotations

import torch

LSTM_GATES = ("input_gate", "forget_gate", "cell_candidate", "output_gate")
GRU_GATES = ("reset_gate", "update_gate", "candidate")
GATE_NAMES = {"rnn": (), "lstm": LSTM_GATES, "gru": GRU_GATES}
# Gates squashed by a sigmoid (values in (0, 1)); the candidates use tanh (values in (-1, 1)).
SIGMOID_GATES = ("input_gate", "forget_gate", "output_gate", "reset_gate", "update_gate")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def rnn_cell(
    xw: torch.Tensor, h: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor, nonlinearity: str = "tanh"
) -> tuple[torch.Tensor, dict]:
    r"""Elman (vanilla) RNN step.

    .. math::
        h_t = \phi(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    where phi is tanh or relu. ``xw`` is the precomputed ``W_ih x_t + b_ih`` [B, H];
    ``h`` is h_{t-1} [B, H]; ``w_hh`` [H, H]; ``b_hh`` [H]. Returns h_t [B, H] and an empty
    gate dict (a vanilla RNN has no gates).
    """
    pre = xw + h @ w_hh.T + b_hh  # [B, H]
    h_new = torch.tanh(pre) if nonlinearity == "tanh" else torch.relu(pre)
    return h_new, {}


def lstm_cell(
    xw: torch.Tensor, h: torch.Tensor, c: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, dict]:
    r"""Long short-term memory step (Hochreiter & Schmidhuber 1997, with a forget gate).

    .. math::
        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})      (input gate)
        f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf})      (forget gate)
        g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg})       (cell candidate)
        o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho})      (output gate)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * \tanh(c_t)

    The forget gate decides how much of the old cell state c_{t-1} survives, the input gate how
    much of the candidate g_t is written, the output gate how much of the squashed cell is shown
    as h_t. Weight blocks are stacked in PyTorch's order (i, f, g, o): ``xw`` [B, 4H],
    ``w_hh`` [4H, H], ``b_hh`` [4H]; ``h``, ``c`` [B, H]. Returns h_t, c_t [B, H] and the gates
    [B, H] each, keyed by name.
    """
    pre = xw + h @ w_hh.T + b_hh  # [B, 4H]
    i, f, g, o = pre.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new, {"input_gate": i, "forget_gate": f, "cell_candidate": g, "output_gate": o}


def gru_cell(xw: torch.Tensor, h: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor) -> tuple[torch.Tensor, dict]:
    r"""Gated recurrent unit step (Cho et al. 2014), in PyTorch's convention.

    .. math::
        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})              (reset gate)
        z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})              (update gate)
        n_t = \tanh(W_{in} x_t + b_{in} + r_t * (W_{hn} h_{t-1} + b_{hn}))       (candidate)
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    The reset gate decides how much of the past enters the candidate; the update gate mixes
    old state and candidate (z near 1 keeps the old state, so memory is carried unchanged).
    Blocks are stacked (r, z, n): ``xw`` [B, 3H], ``w_hh`` [3H, H], ``b_hh`` [3H]; ``h`` [B, H].
    Returns h_t [B, H] and the gates [B, H] each, keyed by name.
    """
    hh = h @ w_hh.T + b_hh  # [B, 3H]
    xr, xz, xn = xw.chunk(3, dim=1)
    hr, hz, hn = hh.chunk(3, dim=1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    h_new = (1 - z) * n + z * h
    return h_new, {"reset_gate": r, "update_gate": z, "candidate": n}
