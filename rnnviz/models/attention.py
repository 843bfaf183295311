r"""GRUAttention: a GRU whose readout also attends over its own past hidden states.

Symbols:
    h_t      the (last layer's) GRU hidden state at step t (see :func:`rnnviz.cells.gru_cell`) [B, H]
    d        attention width, H // 2 (at least 1)
    W_q, W_k query and key projections, no bias                                            [d, H]

.. math::
    h_t          = \mathrm{GRU}(x_t, h_{t-1})
    q_t = W_q h_t,   k_s = W_k h_s
    \alpha_{ts}  = \frac{\exp(q_t \cdot k_s / \sqrt{d})}{\sum_{s' \le t} \exp(q_t \cdot k_{s'} / \sqrt{d})}
                   for s \le t, and 0 for s > t  (scaled dot-product, causal)
    c_t          = \sum_{s \le t} \alpha_{ts} h_s          (the values are the hidden states themselves)
    y_t          = W_{out} [h_t ; c_t] + b_{out}

The recurrence carries a summary forward step by step; the attention gives the readout a direct
path to any earlier state, so a gradient reaches h_s from y_t in one hop instead of t - s.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..fastgru import gru_forward
from .config import CoreConfig, _Seeded, causal_mask, make_encoder


class GRUAttention(nn.Module):
    """encoder -> ``self.core`` (nn.GRU's parameters, H units, num_layers) -> causal dot-product attention over
    h_1..h_t -> readout on [h_t ; c_t] (2H -> O).

    Sizes: H = hidden_size, attention width d = H // 2 without biases: 4,545 parameters at H=32,
    one layer, adding task (LSTM 4,641). ``forward(x)``: token ids [B, T] or features [B, T, I]
    -> [B, T, O]; ``attention_weights(x)``: alpha [B, T, T].
    """

    def __init__(self, cfg: CoreConfig, seed: int | None = None):
        super().__init__()
        self.cfg = cfg.validate()
        H = cfg.hidden_size
        self.attn_size = max(1, H // 2)
        with _Seeded(seed):
            self.encoder = make_encoder(cfg)
            self.core = nn.GRU(cfg.input_size, H, num_layers=cfg.num_layers, batch_first=True)
            self.query = nn.Linear(H, self.attn_size, bias=False)
            self.key = nn.Linear(H, self.attn_size, bias=False)
            self.readout = nn.Linear(2 * H, cfg.output_size)

    def _attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = gru_forward(self.core, self.encoder(x))  # [B, T, H] (the hand-written GRU on a CPU)
        scores = self.query(h) @ self.key(h).transpose(1, 2) / math.sqrt(self.attn_size)  # [B, T, T]
        scores = scores.masked_fill(causal_mask(h.shape[1], h.device), float("-inf"))
        return h, torch.softmax(scores, dim=-1)

    def attention_weights(self, x: torch.Tensor) -> torch.Tensor:
        """alpha [B, T, T]: row t holds the weights step t gives to steps 1..t (zero above the
        diagonal; each row sums to 1)."""
        return self._attend(x)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, alpha = self._attend(x)
        context = alpha @ h  # [B, T, H]
        return self.readout(torch.cat([h, context], dim=-1))  # [B, T, O]
