"""The unrolled graph and the numbers of one vanilla-RNN step, computed for the Unrolled page.

Long sequences are collapsed: the first few and last few steps are drawn, with one gap between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .inspect import Inspection
from .models.recurrent import SequenceModel


def visible_steps(T: int, head: int = 4, tail: int = 3, keep=None) -> list[int | None]:
    """Steps to draw, with None for each run of left-out steps: T=20 -> [0, 1, 2, 3, None, 17, 18, 19].
    ``keep`` is a step (or several: the highlighted one, the adding problem's marked ones) that must be
    drawn too: T=20, keep=9 -> [0, 1, 2, 3, None, 9, None, 17, 18, 19]."""
    if T <= head + tail + 1:
        return list(range(T))
    shown = set(range(head)) | set(range(T - tail, T))
    for k in [keep] if isinstance(keep, (int, np.integer)) else keep or ():
        if 0 <= k < T:
            shown.add(int(k))
    out: list[int | None] = []
    for s in sorted(shown):
        if out and s - out[-1] > 1:
            out.append(None)
        out.append(s)
    return out


def node_values(insp: Inspection, example: int = 0, layer: int = -1) -> dict:
    """Per step: ||x_t||, ||h_t||, ||y_t|| (forward) and ||dL/dh_t|| (backward), plus which steps
    are scored (where the task reads an output y_t)."""
    tr = insp.trace
    return {
        "x": np.linalg.norm(tr.core_input[example], axis=-1),
        "h": np.linalg.norm(tr.hidden[layer, example], axis=-1),
        "y": np.linalg.norm(tr.output[example], axis=-1),
        "grad": np.linalg.norm(tr.hidden_grad[layer, example].astype(np.float64), axis=-1),
        "scored": insp.batch.mask[example].numpy() > 0,
    }


def node_frame(values: dict, labels: list[str]) -> pd.DataFrame:
    """node_values as a table for a CSV file: one row per step with its input, ||x_t||, ||h_t||,
    ||y_t||, ||dL/dh_t|| and whether the output is scored there."""
    return pd.DataFrame(
        {
            "step": np.arange(len(labels)),
            "input": labels,
            "x_norm": values["x"],
            "h_norm": values["h"],
            "y_norm": values["y"],
            "grad_norm_hidden": values["grad"],
            "scored": values["scored"],
        }
    )


@dataclass
class StepNumbers:
    """h_t = tanh(W_x x_t + W_h h_(t-1) + b) with every number filled in (b = b_ih + b_hh)."""

    t: int
    W_x: np.ndarray  # [H, I]
    x: np.ndarray  # [I]
    W_h: np.ndarray  # [H, H]
    h_prev: np.ndarray  # [H]
    b: np.ndarray  # [H]
    pre: np.ndarray  # [H] the sum inside the nonlinearity
    h: np.ndarray  # [H]
    nonlinearity: str


def step_numbers(model: SequenceModel, x: torch.Tensor, t: int) -> StepNumbers:
    """The numbers of step t for the first example of x ([B, T] tokens or [B, T, I] features).
    ``model`` is a vanilla RNN (e.g. ``rnnviz.runtime.runs.tiny_run(...).model``; a run with a ``.model``
    is accepted too)."""
    m = getattr(model, "model", model)
    tr = m.trace(x[:1])
    w_ih, w_hh, b_ih, b_hh = (p.detach().numpy() for p in m.layer_params(0))
    xt = tr.core_input[0, t]
    h_prev = tr.hidden[0, 0, t - 1] if t > 0 else np.zeros(w_hh.shape[0], np.float32)
    b = b_ih + b_hh
    pre = w_ih @ xt + w_hh @ h_prev + b
    return StepNumbers(t, w_ih, xt, w_hh, h_prev, b, pre, tr.hidden[0, 0, t], m.cfg.nonlinearity)
