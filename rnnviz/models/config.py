"""CoreConfig: the architecture of a Compare-lab model (a causal CNN, a Transformer, a GRU with attention).

Like :class:`rnnviz.models.recurrent.ModelConfig` (the same sizes, the same limits, the same meaning of
input_size and vocab_size) but for the architectures that are not a plain recurrent core.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..errors import ConfigError
from ..tasks import Task
from .recurrent import INIT_LOCK, LIMITS

NEW_ARCHS = ("cnn", "transformer", "gru_attention")


@dataclass
class CoreConfig:
    """arch: "cnn", "transformer" or "gru_attention". input_size: features per step entering the
    model (for a vocabulary, the embedding width). hidden_size: the model's width H (the CNN picks
    its channel count from it, see :class:`~rnnviz.models.cnn.CausalCNN`). num_layers: 1 to 3.
    output_size: readout width. vocab_size: > 0 puts an ``nn.Embedding`` in front (inputs are
    token ids [B, T]); 0 means float features [B, T, input_size]. levels: the CNN's number of
    dilated levels (None: 6 + num_layers); ignored by the other models."""

    arch: str = "cnn"
    input_size: int = 1
    hidden_size: int = 32
    num_layers: int = 1
    output_size: int = 1
    vocab_size: int = 0
    levels: int | None = None

    def validate(self) -> CoreConfig:
        if self.arch not in NEW_ARCHS:
            raise ConfigError(f"unknown architecture {self.arch!r}; choose one of {', '.join(NEW_ARCHS)}")
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer from {lo} to {hi}, got {v!r}")
        if self.levels is not None and (not isinstance(self.levels, int) or not 1 <= self.levels <= 12):
            raise ConfigError(f"levels must be an integer from 1 to 12, got {self.levels!r}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def core_config_for_task(task: Task, arch: str, **kw) -> CoreConfig:
    """A CoreConfig sized for this task (as :func:`rnnviz.models.recurrent.config_for_task`)."""
    return CoreConfig(
        arch=arch,
        input_size=kw.pop("input_size", task.input_size),
        output_size=task.output_size,
        vocab_size=len(task.tokens) if task.tokens else 0,
        **kw,
    ).validate()


def make_encoder(cfg: CoreConfig) -> nn.Module:
    """nn.Embedding(vocab_size, input_size) for token inputs, else the identity (as SequenceModel)."""
    return nn.Embedding(cfg.vocab_size, cfg.input_size) if cfg.vocab_size else nn.Identity()


class _Seeded:
    """Context manager: hold the model-init lock and seed torch's global RNG (as SequenceModel)."""

    def __init__(self, seed: int | None):
        self.seed = seed

    def __enter__(self):
        INIT_LOCK.acquire()
        if self.seed is not None:
            torch.manual_seed(self.seed)

    def __exit__(self, *exc):
        INIT_LOCK.release()
        return False


def causal_mask(T: int, device=None) -> torch.Tensor:
    """[T, T] bool, True above the diagonal: step t may not look at steps s > t."""
    return torch.triu(torch.ones(T, T, dtype=torch.bool, device=device), diagonal=1)
