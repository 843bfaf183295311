"""Trace: what a recurrent model did on one batch, step by step, as numpy arrays.

Shapes use L layers, B examples, T time steps, H hidden units, I core inputs, O outputs.
The derived measures below read a Trace (or weights) and return small arrays for plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

LOW, HIGH = 0.1, 0.9  # saturation thresholds for sigmoid gates (Karpathy, Johnson & Fei-Fei 2015)


@dataclass
class Trace:
    """Recorded internals of one explicit forward (and, with targets, backward) pass.

    core_input  [B, T, I]     what the recurrent core received (after any embedding)
    hidden      [L, B, T, H]  h_t of every layer
    cell        [L, B, T, H]  c_t of every LSTM layer (None for RNN and GRU)
    gates       {name: [L, B, T, H]}  LSTM: input_gate, forget_gate, cell_candidate,
                output_gate; GRU: reset_gate, update_gate, candidate; RNN: empty
    output      [B, T, O]     readout at every step (logits or regression values)
    loss        float         the task loss on this batch (None without targets)
    hidden_grad [L, B, T, H]  dL/dh_t through every path (None without targets)
    input_grad  [B, T, I]     dL/dx_t for what the core received: how much each input step can
                still move the loss (None without targets)
    """

    arch: str
    core_input: np.ndarray
    hidden: np.ndarray
    cell: np.ndarray | None
    gates: dict = field(default_factory=dict)
    output: np.ndarray | None = None
    loss: float | None = None
    hidden_grad: np.ndarray | None = None
    input_grad: np.ndarray | None = None

    @property
    def seq_len(self) -> int:
        return self.hidden.shape[2]

    def to_frame(self, example: int | None = 0) -> pd.DataFrame:
        """Every per-unit quantity as one long table, for a notebook (pandas, seaborn, a CSV file).

        Columns: ``step`` (time step t, from 0), ``unit`` (hidden unit, from 0), ``layer`` (from 0),
        ``quantity`` ("hidden" h_t, "cell" c_t of an LSTM, each gate under its name, e.g. "forget_gate",
        and "hidden_grad" dL/dh_t when the trace has targets) and ``value``; with ``example=None`` also
        ``example`` (every example of the batch), else only that example's rows. One row per
        (example, quantity, layer, step, unit)."""
        named = {"hidden": self.hidden}
        if self.cell is not None:
            named["cell"] = self.cell
        named.update(self.gates)
        if self.hidden_grad is not None:
            named["hidden_grad"] = self.hidden_grad
        parts = []
        for name, arr in named.items():
            a = np.asarray(arr)  # [L, B, T, H]
            if example is not None:
                a = a[:, example : example + 1]
            L, B, T, H = a.shape
            lay, ex, st, un = (g.ravel() for g in np.meshgrid(range(L), range(B), range(T), range(H), indexing="ij"))
            cols = {"step": st, "unit": un, "layer": lay, "quantity": name, "value": a.ravel().astype(np.float64)}
            if example is None:
                cols = {"example": ex, **cols}
            parts.append(pd.DataFrame(cols))
        return pd.concat(parts, ignore_index=True)

    def arrays(self) -> dict:
        """Every field as a flat name -> array dict (gates under their own names), for np.savez."""
        out = {"core_input": self.core_input, "hidden": self.hidden, "output": self.output}
        if self.cell is not None:
            out["cell"] = self.cell
        out.update(self.gates)
        if self.loss is not None:
            out["loss"] = np.float32(self.loss)
        if self.hidden_grad is not None:
            out["hidden_grad"] = self.hidden_grad
        if self.input_grad is not None:
            out["input_grad"] = self.input_grad
        return out


def grad_norm_per_step(hidden_grad: np.ndarray, layer: int = -1, example: int | None = None) -> np.ndarray:
    """||dL/dh_t|| for each step t [T]: the norm over units, for one example or averaged over
    the batch. ``hidden_grad`` is Trace.hidden_grad [L, B, T, H]."""
    g = hidden_grad[layer].astype(np.float64)  # [B, T, H]
    with np.errstate(over="ignore", invalid="ignore"):
        norms = np.linalg.norm(g, axis=-1)  # [B, T]
    return norms[example] if example is not None else norms.mean(0)


def decay_ratio(norms: np.ndarray) -> float:
    """How many times smaller the gradient is at the first step than at the last: norms[-1] /
    norms[0] (inf when the first is exactly zero). Above 1 means the gradient vanishes going back."""
    first, last = float(norms[0]), float(norms[-1])
    return np.inf if first == 0 else last / first


def gate_saturation(gates: dict, layer: int = 0, low: float = LOW, high: float = HIGH) -> dict:
    """Per sigmoid gate, the share of (example, step) pairs in which each unit is left-saturated
    (< low) and right-saturated (> high). Returns {gate: (left [H], right [H])}."""
    out = {}
    for name, v in gates.items():
        if name in ("cell_candidate", "candidate"):
            continue
        a = v[layer]  # [B, T, H]
        out[name] = ((a < low).mean((0, 1)), (a > high).mean((0, 1)))
    return out


def units_on(states: np.ndarray, start: int, end: int, threshold: float, most: int = 10) -> list[tuple]:
    """LSTMVis-style search: units whose value is above `threshold` at every step from start to
    end (inclusive), most specific first (least often above it elsewhere).

    states [T, H]. Returns [(unit, share of the other steps where it is also on)], at most `most`.
    """
    T = states.shape[0]
    on = states > threshold  # [T, H]
    inside = on[start : end + 1].all(0)
    outside_mask = np.ones(T, bool)
    outside_mask[start : end + 1] = False
    outside = on[outside_mask].mean(0) if outside_mask.any() else np.zeros(states.shape[1])
    units = np.flatnonzero(inside)
    order = units[np.argsort(outside[units], kind="stable")]
    return [(int(u), float(outside[u])) for u in order[:most]]


def spectral_stats(w_hh: np.ndarray, blocks: int) -> dict:
    """Largest singular value and spectral radius of a recurrent matrix, per gate block.

    w_hh [G*H, H] as stored by torch. Returns {"max_singular": [G], "spectral_radius": [G]}.
    For a tanh RNN, a largest singular value below 1 guarantees the gradient through time
    shrinks geometrically (Pascanu, Mikolov & Bengio 2013); above 1 it may explode.
    """
    H = w_hh.shape[1]
    w = w_hh.reshape(blocks, H, H).astype(np.float64)
    sv = np.linalg.svd(w, compute_uv=False)[:, 0]
    rho = np.abs(np.linalg.eigvals(w)).max(-1)
    return {"max_singular": sv, "spectral_radius": rho}


def pca_projection(states: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Project states [T, H] onto their first k principal components.

    Returns (coords [T, k], explained variance ratio [k]). Components with no variance (fewer
    steps or units than k) are returned as zeros so the plot still has k axes.
    """
    x = states.astype(np.float64) - states.mean(0, keepdims=True)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    coords = np.zeros((states.shape[0], k))
    n = min(k, vt.shape[0])
    coords[:, :n] = x @ vt[:n].T
    var = s**2
    ratio = np.zeros(k)
    if var.sum() > 0:
        ratio[:n] = var[:n] / var.sum()
    return coords, ratio
