"""What the pages show, computed here so pages hold no math: a traced example batch of the
current model and the views cut from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .models.recurrent import SequenceModel
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

    def gru_cell_values(self, t: int, unit: int, layer: int = -1, example: int = 0) -> dict:
        """One GRU unit at step t as plain floats: r, z, n, h_prev (0 before the first step), h (the
        keyword arguments of plots.gates.gru_cell_diagram); h = (1 - z) * n + z * h_prev."""

        def at(which, step):
            return float(self.states(which, layer, example)[step, unit])

        return dict(
            r=at("reset_gate", t),
            z=at("update_gate", t),
            n=at("candidate", t),
            h_prev=at("hidden", t - 1) if t > 0 else 0.0,
            h=at("hidden", t),
        )

    def key_steps(self, example: int = 0) -> list[int]:
        """The steps the answer depends on, to mark on every figure: the adding problem's two marked
        numbers, the first symbol, temporal order's X/Y, the copy task's letters ([] for other tasks)."""
        x = self.batch.x[example].numpy()
        name = self.task.name
        if name == "adding":
            return [int(t) for t in np.flatnonzero(x[:, 1] > 0.5)]
        if name == "first_symbol":
            return [0]
        if name == "temporal_order":
            return [int(t) for t in np.flatnonzero(x >= 4)]
        if name == "copy":
            return list(range(min(4, len(x))))
        return []

    @property
    def key_steps_name(self) -> str:
        """What the marked steps are, in words (for a legend or a caption)."""
        return {
            "adding": "the two marked numbers (★)",
            "first_symbol": "the first symbol, the one to remember",
            "temporal_order": "the two X/Y symbols whose order is asked",
            "copy": "the four letters to copy",
        }.get(self.task.name, "")

    def informative_unit(self, which: str = "hidden", layer: int = -1) -> tuple[int, str]:
        """The unit shown first instead of unit 0: the one whose value varies most over the examples
        and steps shown (a unit that never moves carries nothing). Returns (unit, why in words)."""
        arr = {"hidden": self.trace.hidden, "cell": self.trace.cell}.get(which)
        arr = self.trace.gates[which] if arr is None else arr
        a = np.asarray(arr[layer], np.float64)  # [B, T, H]
        var = np.nan_to_num(a.reshape(-1, a.shape[-1]).var(0), nan=-1.0)
        u = int(np.argmax(var))
        median = float(np.median(var))
        return u, (
            f"unit {u} is shown first because its value varies the most over these examples and steps "
            f"(variance {var[u]:.3g}, against a median of {median:.3g} over all units): a unit that never moves "
            "carries no information"
        )

    def frame(self, example: int = 0, quantities=None) -> pd.DataFrame:
        """Trace.to_frame for one example (only ``quantities`` if given), with the input at each step
        in an ``input`` column: the data behind a heatmap, for a CSV file."""
        df = self.trace.to_frame(example)
        if quantities is not None:
            df = df[df["quantity"].isin(list(quantities))].reset_index(drop=True)
        labels = np.array(self.labels(example), dtype=object)
        df.insert(1, "input", labels[df["step"].to_numpy()])
        return df

    def gradient_frame(self, example: int | None = None) -> pd.DataFrame:
        """Per step: the input, ||dL/dh_t|| (last layer) and ||dL/dx_t|| (one example, or the mean over
        the batch with example 1's inputs), and whether the step is one the answer depends on."""
        ex = 0 if example is None else example
        T = self.seq_len
        keys = set(self.key_steps(ex))
        return pd.DataFrame(
            {
                "step": np.arange(T),
                "input": self.labels(ex),
                "grad_norm_hidden": self.grad_norms(example=example),
                "grad_norm_input": self.input_influence(example),
                "key_step": [t in keys for t in range(T)],
            }
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


def history_frame(history) -> pd.DataFrame:
    """A run's History as one table for a CSV file: one row per training step (History.frame()) and
    the held-out scores in heldout_loss and heldout_metric on the steps they were taken (step 0, the
    untrained model, gets a row of its own)."""
    ho = history.heldout_frame().rename(columns={"loss": "heldout_loss", "metric": "heldout_metric"})
    return history.frame().merge(ho, on="step", how="outer").sort_values("step", ignore_index=True)


def curves_frame(curves: dict) -> pd.DataFrame:
    """{arch: ||dL/dh_t|| [T]} (runs.compare_archs) as a table: step, grad_norm_rnn, grad_norm_lstm, ..."""
    T = len(next(iter(curves.values()))) if curves else 0
    return pd.DataFrame({"step": np.arange(T), **{f"grad_norm_{a}": np.asarray(v) for a, v in curves.items()}})


def at_chance(task: Task, metric: float, share: float = 0.1) -> bool:
    """Whether a held-out metric has covered less than ``share`` of the way from the task's chance
    level to its solved threshold: the model does no better than an input-blind guess."""
    if not np.isfinite(metric):
        return False
    gap = task.solved_metric - task.baseline_metric
    if task.higher_is_better:
        return (metric - task.baseline_metric) < share * gap
    # an error: compare on a log scale, as the charts draw it
    lo, base = np.log10(max(task.solved_metric, 1e-12)), np.log10(max(task.baseline_metric, 1e-12))
    return (base - np.log10(max(metric, 1e-12))) < share * (base - lo)


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
