"""Figures for the Digits page: handwritten digits drawn as grey pixels, held-out accuracy per input/output
shape, accuracy against the rows read (how early it knows), and the speller's letter probabilities step
by step. numpy in, plotly Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import FONT, LINE, WHITE

SHAPE_COLORS = {
    "one-to-one": "#7f7f7f",
    "many-to-one": "#1f77b4",
    "one-to-many": "#2ca02c",
    "many-to-many": "#ff7f0e",
}
INK = [[0.0, "#ffffff"], [1.0, "#111111"]]  # 0 = paper (white), 16 = ink (black), as the digit was written


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=WHITE,
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=18)),
        height=height,
        margin=dict(l=60, r=20, t=80, b=60),
        font=FONT,
        hoverlabel=dict(font=dict(size=14)),
        legend=dict(orientation="h", y=-0.2, x=0),
    )
    return fig


def _pixels(img: np.ndarray) -> go.Heatmap:
    return go.Heatmap(
        z=np.asarray(img, np.float32),
        x=np.arange(1, img.shape[1] + 1),
        y=np.arange(1, img.shape[0] + 1),
        colorscale=INK,
        zmin=0,
        zmax=16,
        showscale=False,
        xgap=1,
        ygap=1,
        hovertemplate="row %{y}, column %{x}: %{z:.0f} of 16<extra></extra>",
    )


def examples(images: np.ndarray, labels: list[str]) -> go.Figure:
    """A row of images [k, 8, 8] (pixels 0..16: white paper to black ink), each titled with its label."""
    k = len(images)
    fig = make_subplots(rows=1, cols=k, subplot_titles=labels, horizontal_spacing=0.012)
    for i in range(k):
        fig.add_trace(_pixels(images[i]), 1, i + 1)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{i + 1 if i else ''}", row=1, col=i + 1)
    for a in fig.layout.annotations:  # the digit over each image, large enough to read from the back
        a.font = dict(size=22)
    fig.update_xaxes(showgrid=False, zeroline=False, showticklabels=False)
    fig.update_yaxes(showgrid=False, zeroline=False, showticklabels=False)
    fig = _layout(fig, "Handwritten digits, 8 × 8 pixels each", 220)
    fig.update_layout(margin=dict(l=10, r=10, t=85, b=10))
    return fig


def image(img: np.ndarray, title: str, rows_read: int | None = None) -> go.Figure:
    """One image [8, 8] with its rows numbered (the order a row reader sees them); rows after ``rows_read``
    greyed out if given."""
    fig = go.Figure(_pixels(img))
    if rows_read is not None and rows_read < img.shape[0]:
        fig.add_shape(
            type="rect",
            x0=0.5,
            x1=img.shape[1] + 0.5,
            y0=rows_read + 0.5,
            y1=img.shape[0] + 0.5,
            fillcolor="rgba(200,200,200,0.85)",
            line=dict(width=0),
        )
    n_rows, n_cols = img.shape
    fig.update_yaxes(title_text="row", range=[n_rows + 0.5, 0.5], dtick=1, showgrid=False, zeroline=False, constrain="domain")
    fig.update_xaxes(
        title_text="column",
        range=[0.5, n_cols + 0.5],
        dtick=1,
        showgrid=False,
        zeroline=False,
        scaleanchor="y",
        constrain="domain",
    )
    fig = _layout(fig, title, 400)
    fig.update_layout(margin=dict(l=70, r=20, t=70, b=60))
    return fig


def _guessing(fig: go.Figure, chance: float) -> None:
    """The accuracy of guessing (chance, 0-1) as a dashed line, labelled at its right end."""
    fig.add_hline(y=100 * chance, line=dict(color=LINE["baseline"], dash="dash"))
    fig.add_annotation(
        x=1,
        xref="paper",
        y=100 * chance,
        text="guessing",
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
        font=dict(size=13),
        bgcolor="rgba(255,255,255,0.85)",
    )


def accuracy_by_shape(acc: dict[str, float], goals: dict[str, float], chance: float, notes: dict[str, str]) -> go.Figure:
    """acc: {shape label: held-out accuracy}; goals: {shape label: the accuracy it should reach}; notes:
    {shape label: what the bar measures}, shown on hover."""
    labels = list(acc)
    vals = [100 * acc[k] for k in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=vals,
            marker_color=[SHAPE_COLORS.get(k, "#333") for k in labels],
            text=[f"{v:.1f}%" for v in vals],
            textposition="outside",
            textfont=dict(size=16),
            customdata=[notes.get(k, "") for k in labels],
            hovertemplate="%{x}: %{y:.1f}% right on the held-out images<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    for i, k in enumerate(labels):
        if k in goals:
            g = 100 * goals[k]
            fig.add_shape(type="line", x0=i - 0.45, x1=i + 0.45, y0=g, y1=g, line=dict(color=LINE["bound"], width=3, dash="dot"))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=LINE["bound"], width=3, dash="dot"), name="goal"))
    _guessing(fig, chance)
    fig.update_xaxes(title_text="input/output shape")
    fig.update_yaxes(title_text="held-out accuracy (%)", range=[0, 109])
    return _layout(fig, "How well each shape does on 450 pictures it never trained on", 400)


def accuracy_by_row(rows: dict[str, list[float]], chance: float) -> go.Figure:
    """rows: {label: accuracy after 1..8 rows}: how early each row reader knows the digit."""
    fig = go.Figure()
    colors = ("#ff7f0e", "#1f77b4", "#2ca02c", "#7f7f7f")
    for i, (label, acc) in enumerate(rows.items()):
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, len(acc) + 1),
                y=100 * np.asarray(acc, np.float32),
                mode="lines+markers",
                name=label,
                line=dict(color=colors[i % len(colors)], width=3, dash="solid" if i == 0 else "dot"),
                marker=dict(size=9),
                hovertemplate=f"{label}: %{{y:.0f}}% right after %{{x}} rows<extra></extra>",
            )
        )
    _guessing(fig, chance)
    fig.update_xaxes(title_text="rows of the image read (of 8)", dtick=1, range=[0.7, 8.3])
    fig.update_yaxes(title_text="held-out accuracy (%)", range=[0, 103])
    return _layout(fig, "How early does it know? Accuracy after reading only the top rows", 420)


def letter_probs(probs: np.ndarray, tokens: tuple[str, ...], written: str, end: str, true_name: str) -> go.Figure:
    """The speller's probabilities [steps, V] for each token (rows) at each writing step (columns), up to and
    including the step that wrote the end mark; the token it wrote at each step is outlined."""
    steps = min(len(probs), len(written) + 1)
    p = np.asarray(probs[:steps], np.float32)  # [steps, V]
    chosen = p.argmax(-1)
    names = ["end mark" if t == end else t for t in tokens]
    cols = [f"{k + 1}: {'end' if tokens[c] == end else tokens[c]}" for k, c in enumerate(chosen)]
    text = np.where(p >= 0.01, np.char.mod("%.0f%%", 100 * p), "")
    fig = go.Figure(
        go.Heatmap(
            z=(100 * p).T,
            x=cols,
            y=names,
            text=text.T,
            texttemplate="%{text}",
            textfont=dict(size=13),
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar=dict(title="%"),
            xgap=1,
            ygap=1,
            hovertemplate="step %{x}: %{y} %{z:.1f}%<extra></extra>",
        )
    )
    for k, c in enumerate(chosen):  # outline the written letter's cell (category axes count cells 0, 1, ...)
        fig.add_shape(
            type="rect",
            x0=k - 0.5,
            x1=k + 0.5,
            y0=int(c) - 0.5,
            y1=int(c) + 0.5,
            xref="x",
            yref="y",
            line=dict(color="#d62728", width=3),
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(symbol="square-open", size=14, color="#d62728", line=dict(width=3)),
            name="the letter written (the likeliest)",
        )
    )
    fig.update_xaxes(title_text="writing step: the letter written", side="bottom", type="category")
    fig.update_yaxes(title_text="letter", autorange="reversed", type="category", categoryorder="array", categoryarray=names)
    right = "right" if written == true_name else f"wrong: it is {true_name}"
    return _layout(fig, f"Writing “{written}” ({right}): how sure it was of each letter", 560)
