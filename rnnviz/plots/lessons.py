"""Figures only the lessons draw: what each cell costs, and how the cost grows with the length."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import ARCH_COLORS, FONT, WHITE, base_layout

OTHER_COLORS = {"cnn": "#2ca02c", "transformer": "#9467bd", "gru_attention": "#e377c2"}
NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU", "cnn": "causal CNN", "transformer": "Transformer"}


def _color(arch: str) -> str:
    return ARCH_COLORS.get(arch) or OTHER_COLORS.get(arch, "#333333")


def cost_bars(archs: list[str], recurrent_params: list[int], ms_per_step: list[float], title: str) -> go.Figure:
    """Two bar charts side by side: recurrent weights per cell, and measured milliseconds per step."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("recurrent weights", "ms per training step (measured)"))
    names = [NAMES.get(a, a) for a in archs]
    colors = [_color(a) for a in archs]
    fig.add_trace(
        go.Bar(
            x=names,
            y=recurrent_params,
            marker_color=colors,
            text=[f"{p:,}" for p in recurrent_params],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,} recurrent weights<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=ms_per_step,
            marker_color=colors,
            text=[f"{m:.1f}" for m in ms_per_step],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.2f} ms per step<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    base_layout(fig, title, "", "", height=380)
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(range=[0, 1.2 * max(recurrent_params)], row=1, col=1)
    fig.update_yaxes(range=[0, 1.2 * max(ms_per_step)], row=1, col=2)
    fig.update_annotations(font=dict(size=FONT["size"]))
    fig.update_layout(margin=dict(b=50))
    return fig


def length_lines(lengths, values: dict, title: str, y: str, log: bool = False, hover_unit: str = "") -> go.Figure:
    """One line per architecture: values {arch: [value at each length]} against the length."""
    fig = go.Figure()
    for arch, v in values.items():
        fig.add_trace(
            go.Scatter(
                x=np.asarray(lengths),
                y=np.asarray(v, np.float64),
                mode="lines+markers",
                name=NAMES.get(arch, arch),
                line=dict(color=_color(arch), width=3),
                marker=dict(size=8),
                hovertemplate=NAMES.get(arch, arch) + "<br>length %{x:,}<br>%{y:,.3g} " + hover_unit + "<extra></extra>",
            )
        )
    base_layout(fig, title, "sequence length (steps)", y, height=380)
    fig.update_layout(template=WHITE, legend=dict(y=-0.25))
    if log:
        fig.update_xaxes(type="log")
        fig.update_yaxes(type="log")
    return fig
