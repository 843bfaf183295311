"""Gradients through time: ||dL/dh_t|| against t, its history over training, and ||W_hh||."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .marks import MARK, mark_steps
from .style import ARCH_COLORS, ARCH_LABELS, LINE, base_layout, reference_line


def grad_through_time(curves: dict, title: str, marks=(), marks_name: str = "") -> go.Figure:
    """curves: {label: (norms [T], colour)}. Log scale, absolute values: nothing is rescaled, so
    a gradient a million times smaller looks a million times smaller."""
    fig = go.Figure()
    for label, (norms, color) in curves.items():
        n = np.asarray(norms, np.float64)
        fig.add_trace(
            go.Scatter(
                x=np.arange(len(n)),
                y=np.maximum(n, 1e-30),
                mode="lines+markers",
                name=label,
                line=dict(color=color, width=3),
                marker=dict(size=5),
                hovertemplate=label + "<br>step t=%{x}<br>||dL/dh_t|| = %{y:.3g}<extra></extra>",
            )
        )
    base_layout(
        fig,
        title,
        "time step t (the loss is read at the end: the gradient travels right to left)",
        "||dL/dh_t|| (log scale)",
        height=420,
    )
    fig.update_yaxes(type="log", exponentformat="power")
    mark_steps(fig, marks, marks_name)
    return fig


def input_influence_figure(values, labels: list[str], title: str, marks=(), marks_name: str = "") -> go.Figure:
    """||dL/dx_t|| per step as bars on a log scale, the input written under each bar; the marked
    steps' bars in gold."""
    v = np.maximum(np.asarray(values, np.float64), 1e-30)
    T = len(v)
    colors = np.array([LINE["grad"]] * T, dtype=object)
    colors[[int(m) for m in marks if 0 <= m < T]] = MARK
    fig = go.Figure(
        go.Bar(
            x=np.arange(T),
            y=v,
            marker_color=colors,
            customdata=np.array(labels, dtype=object),
            hovertemplate="step t=%{x} (input %{customdata})<br>||dL/dx_t|| = %{y:.3g}<extra></extra>",
        )
    )
    base_layout(fig, title, "time step t (and the input at that step)", "||dL/dx_t|| (log scale)", height=380)
    from .states import time_ticks

    fig.update_xaxes(**time_ticks(labels, 25))
    fig.update_yaxes(type="log", exponentformat="power")
    mark_steps(fig, marks, marks_name)
    return fig


def arch_curves(norms_by_arch: dict) -> dict:
    return {ARCH_LABELS[a]: (n, ARCH_COLORS[a]) for a, n in norms_by_arch.items()}


def snapshot_heatmap(steps, norms, marks=(), marks_name: str = "") -> go.Figure:
    """norms [n_snapshots, T]: ||dL/dh_t|| at each time step (x) after each number of training steps (y)."""
    z = np.round(np.log10(np.maximum(np.asarray(norms, np.float64), 1e-30)), 3)
    finite = z[np.isfinite(z)]
    lo, hi = (float(np.floor(finite.min())), float(np.ceil(finite.max()))) if finite.size else (-1.0, 0.0)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=np.arange(z.shape[1]),
            y=np.asarray(steps),
            colorscale="Plasma",
            zmin=lo,
            zmax=max(hi, lo + 1),
            colorbar=dict(title=dict(text="log10 ||dL/dh_t||", side="right")),
            hovertemplate="after %{y} training steps<br>time step t=%{x}<br>log10 ||dL/dh_t|| = %{z:.2f}<extra></extra>",
        )
    )
    base_layout(fig, "How far back the gradient reaches, as training goes on", "time step t", "training step", height=420)
    mark_steps(fig, marks, marks_name)
    return fig


def singular_value_figure(steps, sv, bound: float = 1.0) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=np.asarray(steps),
            y=np.asarray(sv, np.float32),
            mode="lines",
            name="largest singular value",
            line=dict(color=LINE["sv"], width=3),
            hovertemplate="step %{x}<br>σ_max(W_hh) = %{y:.3f}<extra></extra>",
        )
    )
    reference_line(
        fig, bound, f"1/γ = {bound:g}: below, vanishing is certain; above, exploding is possible", LINE["bound"], "dash"
    )
    base_layout(fig, "Largest singular value of W_hh during training", "training step", "σ_max(W_hh)", height=360)
    lo = min(min(sv, default=bound), bound)
    hi = max(max(sv, default=bound), bound)
    fig.update_yaxes(range=[0, hi * 1.15 + 0.05 * (hi - lo)])
    return fig
