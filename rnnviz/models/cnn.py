r"""CausalCNN: a dilated causal 1-D convolutional network (TCN style, Bai et al. 2018, simplified).

Symbols:
    x_t       input at step t (after the embedding, if any)                    [B, I]
    C         channels of every level
    L         number of levels; level l (1..L) has dilation d_l = 2^(l-1)
    u^l_t     the level-l features at step t (u^0 is the input projection)      [B, C]
    W^l_j     the level-l kernel tap j (j = 0, 1, 2: kernel size 3)              [C, C]

.. math::
    u^0_t = W_{in} x_t + b_{in}
    u^l_t = u^{l-1}_t + \mathrm{ReLU}\big(\sum_{j=0}^{2} W^l_j u^{l-1}_{t - j d_l} + b^l\big)
            (u^{l-1}_s = 0 for s < 1: zero padding on the left only)
    y_t   = W_{out} u^L_t + b_{out}

Every output y_t depends only on x_{t-R+1}, ..., x_t with the receptive field
R = 1 + 2 (d_1 + ... + d_L) = 2^(L+1) - 1 steps: nothing after t (causal) and nothing further
back than R - 1 steps (a hard memory limit, unlike an RNN's). All steps are computed at once.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import CoreConfig, _Seeded, make_encoder

KERNEL = 3


def default_levels(num_layers: int) -> int:
    """6 + num_layers levels: 7 at one layer (receptive field 255 >= the app's longest sequence, 200)."""
    return 6 + num_layers


def cnn_parameter_count(input_size: int, channels: int, levels: int, output_size: int, vocab_size: int = 0) -> int:
    """Parameters of a CausalCNN (closed form, without building one)."""
    emb = vocab_size * input_size
    return emb + (input_size + 1) * channels + levels * (KERNEL * channels * channels + channels) + (channels + 1) * output_size


def lstm_parameter_count(input_size: int, hidden_size: int, num_layers: int, output_size: int, vocab_size: int = 0) -> int:
    """Parameters of the LSTM SequenceModel with these sizes (closed form)."""
    H = hidden_size
    n = vocab_size * input_size + (H + 1) * output_size
    for k in range(num_layers):
        n += 4 * H * ((input_size if k == 0 else H) + H + 2)
    return n


def match_channels(cfg: CoreConfig, levels: int) -> int:
    """The channel count whose CausalCNN has the parameter count closest to the LSTM's with the same
    hidden size, layers and task sizes (15 channels at H=32, one layer, 7 levels, the adding task)."""
    target = lstm_parameter_count(cfg.input_size, cfg.hidden_size, cfg.num_layers, cfg.output_size, cfg.vocab_size)
    return min(
        range(1, 513),
        key=lambda c: abs(cnn_parameter_count(cfg.input_size, c, levels, cfg.output_size, cfg.vocab_size) - target),
    )


class CausalCNN(nn.Module):
    """encoder -> input projection (I -> C) -> L residual dilated causal conv levels -> readout (C -> O).

    Sizes: L = cfg.levels or 6 + num_layers (7 by default: dilations 1, 2, ..., 64, receptive field
    255 steps); C is chosen so the parameter count is closest to the LSTM's of the same hidden size
    (see :func:`match_channels`): at H=32 on the adding task, C=15 and 4,891 parameters (LSTM 4,641).
    ``forward(x)``: token ids [B, T] or features [B, T, I] -> [B, T, O].
    """

    def __init__(self, cfg: CoreConfig, seed: int | None = None):
        super().__init__()
        self.cfg = cfg.validate()
        self.levels = cfg.levels or default_levels(cfg.num_layers)
        self.channels = match_channels(cfg, self.levels)
        self.dilations = tuple(2**k for k in range(self.levels))
        C = self.channels
        with _Seeded(seed):
            self.encoder = make_encoder(cfg)
            self.in_proj = nn.Linear(cfg.input_size, C)
            self.convs = nn.ModuleList(nn.Conv1d(C, C, KERNEL, dilation=d) for d in self.dilations)
            self.readout = nn.Linear(C, cfg.output_size)

    @property
    def receptive_field(self) -> int:
        """How many steps y_t can see, the current one included: 1 + (kernel - 1) * sum of dilations."""
        return 1 + (KERNEL - 1) * sum(self.dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = self.in_proj(self.encoder(x)).transpose(1, 2)  # [B, C, T]
        for conv, d in zip(self.convs, self.dilations):
            u = u + torch.relu(conv(F.pad(u, ((KERNEL - 1) * d, 0))))  # left padding only: causal
        return self.readout(u.transpose(1, 2))  # [B, T, O]
