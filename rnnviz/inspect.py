"""What the pages show, computed here so pages hold no math: a traced example batch of the
current model and the views cut from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import SequenceModel
from .tasks import Batch, Task, visible_char
from .trace import Trace, gate_saturation, grad_norm_per_step, pca_projection, units_on


@dataclass
class Inspection:
    """A traced batch: the Trace, the batch it ran on, and readable labels for each example."""

    trace: Trace
    batch: Batch
    task: Task
    seq_len: int

    @property
    def finite(self) -> bool:
        """Whether every recorded number (hidden and cell states, gates, outputs, loss and gradients) is
        finite. False after an explosion: then no measure drawn from this inspection means anything."""
        tr = self.trace
        arrays = [tr.hidden, tr.output, tr.cell, tr.hidden_grad, tr.input_grad, *tr.gates.values()]
        if tr.loss is not None and not np.isfinite(tr.loss):
            return False
        return all(bool(np.all(np.isfinite(a))) for a in arrays if a is not None)

    def labels(self, example: int) -> list[str]:
        return self.task.step_labels(self.batch, example)

    def states(self, which: str = "hidden", layer: int = -1, example: int = 0) -> np.ndarray:
        """[T, H] of h_t ("hidden"), c_t ("cell") or a gate, for one layer and example."""
        arr = {"hidden": self.trace.hidden, "cell": self.trace.cell}.get(which)
        if arr is None:
            arr = self.trace.gates[which]
        return arr[layer, example]

    def units_on(
        self, start: int, end: int, threshold: float, which: str = "hidden", layer: int = -1, example: int = 0
    ) -> list[tuple]:
        return units_on(self.states(which, layer, example), start, end, threshold)

    def lstm_cell_values(self, t: int, unit: int, layer: int = -1, example: int = 0) -> dict:
        """One LSTM unit at step t as plain floats: f, i, g, o, c_prev (0 before the first step), c, h
        (the keyword arguments of plots.gates.lstm_cell_diagram)."""

        def at(which, step):
            return float(self.states(which, layer, example)[step, unit])

        return dict(
            f=at("forget_gate", t),
            i=at("input_gate", t),
            g=at("cell_candidate", t),
            o=at("output_gate", t),
            c_prev=at("cell", t - 1) if t > 0 else 0.0,
            c=at("cell", t),
            h=at("hidden", t),
        )

    def pca(self, layer: int = -1, example: int = 0):
        return pca_projection(self.states("hidden", layer, example))

    def saturation(self, layer: int = 0) -> dict:
        return gate_saturation(self.trace.gates, layer)

    def grad_norms(self, layer: int = -1, example: int | None = None) -> np.ndarray:
        return grad_norm_per_step(self.trace.hidden_grad, layer, example)

    def input_influence(self, example: int | None = None) -> np.ndarray:
        """||dL/dx_t|| for each step [T]: how much a small change to the input at step t would move
        the loss (one example, or the mean over the batch). Absolute, never rescaled."""
        g = np.linalg.norm(self.trace.input_grad.astype(np.float64), axis=-1)  # [B, T]
        return g[example] if example is not None else g.mean(0)

    def target_text(self, example: int) -> str:
        """What the task wants from this example, in words."""
        b, t = self.batch, self.task
        m = b.mask[example].numpy() > 0
        y = b.y[example].numpy()
        names = [t.output_labels[int(v)] for v in y[m]] if t.loss == "ce" else [f"{float(v[0]):.2f}" for v in y[m]]
        return _join(names)

    def prediction_text(self, example: int) -> str:
        b, t = self.batch, self.task
        m = b.mask[example].numpy() > 0
        out = self.trace.output[example][m]
        names = [t.output_labels[int(v)] for v in out.argmax(-1)] if t.loss == "ce" else [f"{float(v[0]):.2f}" for v in out]
        return _join(names)


def _join(names: list[str], most: int = 40) -> str:
    """Outputs as a line of text: characters run together (spaces shown as ␣), words spaced."""
    cut = names[:most]
    text = "".join(visible_char(n) for n in cut) if all(len(n) == 1 for n in cut) else " ".join(cut)
    return text + (" …" if len(names) > most else "")


def inspect_model(model: SequenceModel, task: Task, seq_len: int, seed: int, n: int = 8) -> Inspection:
    """Trace the model on a fixed, seeded batch of n examples of the task (targets included, so
    the trace holds dL/dh_t too). The same seed always shows the same examples."""
    b = task.example_batch(n, seq_len, seed)
    return Inspection(model.trace(b.x, b.y, b.mask), b, task, seq_len)


def orders_of_magnitude(norms: np.ndarray) -> float:
    """log10(||dL/dh_(T-1)|| / ||dL/dh_0||): how many powers of ten the gradient loses on its way back
    from the last step to the first (negative when it grows; inf when it reaches exactly zero at the
    first step). NaN when it cannot be measured: a norm is NaN or infinite (the numbers overflowed),
    or every norm is zero."""
    n = np.asarray(norms, dtype=np.float64)
    if n.size == 0 or not np.all(np.isfinite(n)) or not np.any(n != 0):
        return float("nan")
    first, last = float(n[0]), float(n[-1])
    if first <= 0:
        return float("inf")
    return float(np.log10(last / first)) if last > 0 else float("-inf")


def describe_change(norms: np.ndarray) -> str:
    """One plain sentence on how the gradient changes from the last step back to the first; never a
    claim made from numbers that overflowed."""
    n = np.asarray(norms, dtype=np.float64)
    if n.size == 0:
        return "cannot be measured: there are no steps"
    if not np.all(np.isfinite(n)):
        return "cannot be measured: the numbers overflowed (the run diverged)"
    if not np.any(n != 0):
        return "cannot be measured: the gradient is zero at every step"
    k = orders_of_magnitude(n)
    if k == float("inf"):
        return "shrinks to exactly zero before it reaches the first step (it has vanished)"
    if k == float("-inf"):
        return "cannot be measured: the gradient at the last step is exactly zero"
    if k > 3:
        return f"shrinks about 10^{k:.1f}-fold (it has vanished)"
    if k > 1:
        return f"shrinks about {10**k:,.0f}-fold"
    if k >= -1:
        return f"stays within a factor of {10 ** abs(k):.1f}"
    return f"grows about 10^{-k:.1f}-fold (it explodes going back)"
