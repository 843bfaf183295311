"""Compare-lab models: further sequence models behind SequenceModel's fast-path interface.

Each takes token ids [B, T] or features [B, T, I] and returns the readout at every step
[B, T, O]; each is causal (y_t depends on x_1..x_t only) and built seeded, like SequenceModel.

    CausalCNN          dilated causal 1-D CNN (TCN style), :mod:`rnnviz.models.cnn`
    CausalTransformer  small pre-norm Transformer encoder with a causal mask, :mod:`.transformer`
    GRUAttention       GRU + causal dot-product attention over its own past states, :mod:`.attention`

:func:`build_model` builds any of ``COMPARE_ARCHS`` (the three recurrent SequenceModels too) at
sizes where every model has about as many parameters as the LSTM (within 15% at the default
hidden size 32, one layer, on the adding task).
"""

from __future__ import annotations

from torch import nn

from ..errors import ConfigError
from ..tasks import Task, get_task
from .attention import GRUAttention
from .cnn import CausalCNN
from .config import NEW_ARCHS, CoreConfig, core_config_for_task
from .recurrent import ARCHS, SequenceModel, config_for_task
from .transformer import CausalTransformer

COMPARE_ARCHS = (*ARCHS, *NEW_ARCHS)  # ("rnn", "lstm", "gru", "cnn", "transformer", "gru_attention")
_CLASSES = {"cnn": CausalCNN, "transformer": CausalTransformer, "gru_attention": GRUAttention}

__all__ = [
    "COMPARE_ARCHS",
    "NEW_ARCHS",
    "CausalCNN",
    "CausalTransformer",
    "CoreConfig",
    "GRUAttention",
    "build_model",
    "core_config_for_task",
    "parameter_count",
]


def build_model(arch: str, task: Task | str, hidden_size: int = 32, num_layers: int = 1, seed: int = 0, **kw) -> nn.Module:
    """A seeded model of architecture ``arch`` (one of COMPARE_ARCHS) sized for ``task``.

    "rnn", "lstm", "gru" give the usual :class:`~rnnviz.models.recurrent.SequenceModel` (``kw``: further
    ModelConfig fields: init, recurrent_scale, ...); the others give the classes above (``kw``:
    further CoreConfig fields: levels)."""
    t = get_task(task) if isinstance(task, str) else task
    if arch in ARCHS:
        return SequenceModel(config_for_task(t, arch=arch, hidden_size=hidden_size, num_layers=num_layers, **kw), seed=seed)
    if arch not in _CLASSES:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of {', '.join(COMPARE_ARCHS)}")
    cfg = core_config_for_task(t, arch, hidden_size=hidden_size, num_layers=num_layers, **kw)
    return _CLASSES[arch](cfg, seed=seed)


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters (elements) of a model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
