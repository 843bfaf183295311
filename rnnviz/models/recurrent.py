"""SequenceModel: encoder -> recurrent core -> readout, with a fused path and an explicit one.

Training uses ``model(x)``, which runs PyTorch's fused ``nn.RNN`` / ``nn.LSTM`` and, for the GRU on a
CPU, the hand-written :class:`~rnnviz.fastgru.GRULayer` over the ``nn.GRU``'s own parameters (PyTorch
has no fused CPU GRU kernel; forward + backward of this one measured 1.3-1.9x faster here, with the same
gradients).
``model.trace(x, y)`` runs the step equations of :mod:`rnnviz.cells` over the *same*
parameters and returns every intermediate as numpy arrays in a :class:`~rnnviz.trace.Trace`.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..cells import GATE_BLOCKS, GATE_NAMES, gru_cell, lstm_cell, rnn_cell
from ..errors import ConfigError
from ..fastgru import gru_forward
from ..tasks import Task
from ..trace import Trace

ARCHS = ("rnn", "lstm", "gru")
INITS = ("default", "orthogonal", "identity")
NONLINEARITIES = ("tanh", "relu")
LIMITS = {"hidden_size": (1, 512), "num_layers": (1, 3), "input_size": (1, 512), "output_size": (1, 512), "vocab_size": (0, 4096)}
INIT_LOCK = threading.Lock()  # model init uses torch's global RNG; sessions share a process


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model's architecture.

    arch: "rnn", "lstm" or "gru".  input_size: features per step entering the core (for a
    vocabulary, the embedding width).  hidden_size: units per layer.  num_layers: 1 to 3.
    output_size: readout width (classes or regression targets).  vocab_size: > 0 puts an
    ``nn.Embedding`` in front, and inputs are token ids [B, T]; 0 means inputs are float
    features [B, T, input_size].  nonlinearity: the vanilla RNN's tanh or relu.  init: how
    W_hh starts ("default" is PyTorch's uniform, "orthogonal", "identity").  recurrent_scale:
    if set, every W_hh block is rescaled so its largest singular value equals it.
    forget_bias: initial LSTM forget-gate bias (1.0 helps memory early in training).
    """

    arch: str = "lstm"
    input_size: int = 1
    hidden_size: int = 32
    num_layers: int = 1
    output_size: int = 1
    vocab_size: int = 0
    nonlinearity: str = "tanh"
    init: str = "default"
    recurrent_scale: float | None = None
    forget_bias: float = 1.0

    def validate(self) -> ModelConfig:
        if self.arch not in ARCHS:
            raise ConfigError(f"unknown architecture {self.arch!r}; choose one of {', '.join(ARCHS)}")
        if self.init not in INITS:
            raise ConfigError(f"unknown init {self.init!r}; choose one of {', '.join(INITS)}")
        if self.nonlinearity not in NONLINEARITIES:
            raise ConfigError(f"unknown nonlinearity {self.nonlinearity!r}; choose tanh or relu")
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer from {lo} to {hi}, got {v!r}")
        if self.recurrent_scale is not None and not (0.0 <= float(self.recurrent_scale) <= 10.0):
            raise ConfigError(f"recurrent_scale must be from 0 to 10, got {self.recurrent_scale!r}")
        if not -10.0 <= float(self.forget_bias) <= 10.0:
            raise ConfigError(f"forget_bias must be from -10 to 10, got {self.forget_bias!r}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def config_for_task(task: Task, **kw) -> ModelConfig:
    """A ModelConfig sized for this task: output_size and vocab_size (the task's tokens, 0 for float
    inputs) come from the task, input_size too unless given; keywords set the rest (arch, hidden_size...)."""
    return ModelConfig(
        input_size=kw.pop("input_size", task.input_size),
        output_size=task.output_size,
        vocab_size=len(task.tokens) if task.tokens else 0,
        **kw,
    )


def sequence_loss(output: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Mean loss over the steps that count.

    output [B, T, O]. y: class ids [B, T] (long; cross-entropy) or targets [B, T, O] (float;
    mean squared error); a target without a time axis ([B] or [B, O]) scores the last step.
    mask [B, T] (1 where the step counts) defaults to every step.
    """
    if y.dim() == output.dim() - 2 or (y.is_floating_point() and y.dim() == output.dim() - 1):
        output = output[:, -1:]
        y = y.unsqueeze(1)
        mask = None
    if y.is_floating_point():
        per_step = ((output - y.view_as(output)) ** 2).mean(-1)  # [B, T]
    else:
        per_step = F.cross_entropy(output.transpose(1, 2), y, reduction="none")  # [B, T]
    if mask is None:
        return per_step.mean()
    return (per_step * mask).sum() / mask.sum().clamp_min(1)


class SequenceModel(nn.Module):
    """encoder (embedding or identity) -> ``self.core`` (an nn.RNN/LSTM/GRU) -> linear readout."""

    def __init__(self, cfg: ModelConfig, seed: int | None = None):
        super().__init__()
        self.cfg = cfg.validate()
        with INIT_LOCK:
            if seed is not None:
                torch.manual_seed(seed)
            self.encoder = nn.Embedding(cfg.vocab_size, cfg.input_size) if cfg.vocab_size else nn.Identity()
            kw = dict(input_size=cfg.input_size, hidden_size=cfg.hidden_size, num_layers=cfg.num_layers, batch_first=True)
            if cfg.arch == "rnn":
                self.core = nn.RNN(nonlinearity=cfg.nonlinearity, **kw)
            else:
                self.core = (nn.LSTM if cfg.arch == "lstm" else nn.GRU)(**kw)
            self.readout = nn.Linear(cfg.hidden_size, cfg.output_size)
            self._init_recurrent()

    # ----- initialisation -------------------------------------------------------------------
    @torch.no_grad()
    def _init_recurrent(self) -> None:
        cfg, H, G = self.cfg, self.cfg.hidden_size, GATE_BLOCKS[self.cfg.arch]
        for k in range(cfg.num_layers):
            w = getattr(self.core, f"weight_hh_l{k}")  # [G*H, H]
            for blk in w.view(G, H, H):
                if cfg.init == "orthogonal":
                    nn.init.orthogonal_(blk)
                elif cfg.init == "identity":
                    blk.copy_(torch.eye(H))
                if cfg.recurrent_scale is not None:
                    top = torch.linalg.matrix_norm(blk, ord=2)
                    blk.mul_(cfg.recurrent_scale / top.clamp_min(1e-12))
            if cfg.arch == "lstm":
                getattr(self.core, f"bias_ih_l{k}")[H : 2 * H].fill_(cfg.forget_bias)
                getattr(self.core, f"bias_hh_l{k}")[H : 2 * H].zero_()

    # ----- fast path ------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: token ids [B, T] or features [B, T, I]; returns the readout at every step [B, T, O]."""
        inp = self.encoder(x)  # [B, T, I]
        out = gru_forward(self.core, inp) if self.cfg.arch == "gru" else self.core(inp)[0]  # [B, T, H]
        return self.readout(out)

    # ----- inspection -----------------------------------------------------------------------
    def recurrent_weights(self) -> list[np.ndarray]:
        """W_hh of each layer as numpy [G*H, H] (G gate blocks stacked: 1 RNN, 4 LSTM, 3 GRU)."""
        return [getattr(self.core, f"weight_hh_l{k}").detach().numpy().copy() for k in range(self.cfg.num_layers)]

    def layer_params(self, k: int) -> tuple[torch.Tensor, ...]:
        c = self.core
        return (
            getattr(c, f"weight_ih_l{k}"),
            getattr(c, f"weight_hh_l{k}"),
            getattr(c, f"bias_ih_l{k}"),
            getattr(c, f"bias_hh_l{k}"),
        )

    def trace(self, x: torch.Tensor, y: torch.Tensor | None = None, mask: torch.Tensor | None = None) -> Trace:
        """Run the explicit step equations and record every intermediate (see :class:`Trace`).

        x: as for ``forward``. y (optional): targets as for :func:`sequence_loss`; with it the
        trace also holds ``loss`` and ``hidden_grad`` = dL/dh_t for every layer and step, the
        total derivative through every path (readout, later steps, the layer above).
        """
        cfg = self.cfg
        want_grad = y is not None
        with torch.set_grad_enabled(want_grad):
            inp = self.encoder(x)  # [B, T, I]
            if want_grad and not inp.requires_grad:  # float inputs: ask for dL/dx_t as well
                inp = inp.detach().requires_grad_()
            B, T = inp.shape[:2]
            layer_in = inp
            hs_all, cs_all, gates_all = [], [], {g: [] for g in GATE_NAMES[cfg.arch]}
            for k in range(cfg.num_layers):
                w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
                xw = (layer_in @ w_ih.T + b_ih).transpose(0, 1)  # [T, B, G*H]
                h = inp.new_zeros(B, cfg.hidden_size)
                c = inp.new_zeros(B, cfg.hidden_size)
                hs, cs, gs = [], [], {g: [] for g in gates_all}
                for xw_t in xw.unbind(0):
                    if cfg.arch == "lstm":
                        h, c, gd = lstm_cell(xw_t, h, c, w_hh, b_hh)
                        cs.append(c)
                    elif cfg.arch == "gru":
                        h, gd = gru_cell(xw_t, h, w_hh, b_hh)
                    else:
                        h, gd = rnn_cell(xw_t, h, w_hh, b_hh, cfg.nonlinearity)
                    hs.append(h)
                    for g, v in gd.items():
                        gs[g].append(v)
                hs_all.append(hs)
                cs_all.append(cs)
                for g in gates_all:
                    gates_all[g].append(torch.stack(gs[g], 1))  # [B, T, H]
                layer_in = torch.stack(hs, 1)  # [B, T, H]
            output = self.readout(layer_in)  # [B, T, O]
            loss = hidden_grad = input_grad = None
            if want_grad:
                loss_t = sequence_loss(output, y, mask)
                flat = [h for hs in hs_all for h in hs]
                grads = torch.autograd.grad(loss_t, flat + [inp], allow_unused=True)
                grads = [torch.zeros_like(h) if g is None else g for h, g in zip(flat + [inp], grads)]
                input_grad = grads.pop().detach().numpy().copy()  # [B, T, I]
                hidden_grad = torch.stack(grads).view(cfg.num_layers, T, B, -1).transpose(1, 2)
                hidden_grad = hidden_grad.detach().numpy().copy()  # [L, B, T, H]
                loss = float(loss_t.detach())

        def np_(t):
            return t.detach().numpy().copy()

        return Trace(
            arch=cfg.arch,
            core_input=np_(inp),
            hidden=np.stack([np_(torch.stack(hs, 1)) for hs in hs_all]),
            cell=np.stack([np_(torch.stack(cs, 1)) for cs in cs_all]) if cfg.arch == "lstm" else None,
            gates={g: np.stack([np_(v) for v in vs]) for g, vs in gates_all.items()},
            output=np_(output),
            loss=loss,
            hidden_grad=hidden_grad,
            input_grad=input_grad,
        )
