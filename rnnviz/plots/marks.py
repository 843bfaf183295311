"""Marks that point at the lesson: the steps the answer depends on (the adding problem's two marked
numbers, the first symbol, ...) drawn the same way on every figure with a time axis, and the PNG
settings of the chart toolbar."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MARK = "#e6a700"  # gold: a step the answer depends on


def mark_steps(fig: go.Figure, steps, name: str = "", row_span: tuple[float, float] | None = None) -> go.Figure:
    """Outline each step in ``steps`` (x = step) with a gold dashed box and a ★ above the plot, and
    add one legend entry saying what the marks are (``name``). row_span: (y0, y1) in data units to
    limit the box (default: the whole plot height)."""
    steps = [int(s) for s in steps]
    if not steps:
        return fig
    for s in steps:
        kw = dict(y0=row_span[0], y1=row_span[1], yref="y") if row_span else dict(y0=0, y1=1, yref="paper")
        fig.add_shape(
            type="rect", x0=s - 0.5, x1=s + 0.5, xref="x", line=dict(color=MARK, width=2, dash="dash"), layer="above", **kw
        )
        fig.add_annotation(
            x=s, y=1.0, xref="x", yref="paper", yanchor="bottom", text="★", showarrow=False, font=dict(color=MARK, size=14)
        )
    if name:
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="lines", line=dict(color=MARK, width=3, dash="dash"), name=f"★ {name}", showlegend=True
            )
        )
        # the legend at the very bottom of the figure, below the axis title (not on it, in a short figure)
        fig.update_layout(legend=dict(yref="container", y=0.0, yanchor="bottom"))
    return fig


def png_config(name: str) -> dict:
    """plotly's config for st.plotly_chart: the toolbar's camera button saves a PNG named after the
    figure, at twice the screen resolution (sharp on a slide)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or "figure"
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"rnnviz-{safe}", "scale": 2},
    }


def label_positions(coords: np.ndarray) -> list[str]:
    """Plotly textposition per point: labels of points near the right edge go to their left, near the
    left edge to their right, so no label is cut off by the plot's border."""
    x = np.asarray(coords, np.float64)[:, 0]
    span = np.ptp(x) or 1.0
    u = (x - x.min()) / span
    return ["top left" if v > 0.75 else "top right" if v < 0.25 else "top center" for v in u]


def label_boxes(coords: np.ndarray, width: float = 0.55, height: float = 0.12) -> np.ndarray:
    """Where each point's text label would sit, as boxes [T, 4] (x0, x1, y0, y1) in the unit square
    of the path's range: ``width`` and ``height`` of a label in those units (a short line of text in a
    narrow plot: about half as wide as the plot, an eighth as tall), placed as label_positions says."""
    c = np.asarray(coords, np.float64)
    span = np.ptp(c, axis=0)
    span[span == 0] = 1.0
    u = (c - c.min(0)) / span
    pos = label_positions(c)
    x0 = np.array([x if p == "top right" else x - width if p == "top left" else x - width / 2 for x, p in zip(u[:, 0], pos)])
    return np.stack([x0, x0 + width, u[:, 1], u[:, 1] + height], -1)


def spread_labels(coords: np.ndarray, want: list[int], width: float = 0.55, height: float = 0.12) -> list[int]:
    """Which of the points ``want`` (in order of priority) get a text label so that no two labels'
    boxes (label_boxes) overlap. coords [T, 2]. Returns the labelled steps in the order given."""
    box = label_boxes(coords, width, height)
    kept: list[int] = []
    for t in want:
        if t in kept:
            continue
        if all(
            box[t, 1] <= box[k, 0] or box[k, 1] <= box[t, 0] or box[t, 3] <= box[k, 2] or box[k, 3] <= box[t, 2] for k in kept
        ):
            kept.append(t)
    return kept
