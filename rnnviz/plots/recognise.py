"""Figures for the Recognise page: recordings drawn as a person would read them, what a network would
answer after every step, accuracy against the part of the sequence seen, the confusion matrix and the
hidden state. numpy in, plotly Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import DIVERGING, FONT, LINE, WHITE

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
MODEL_COLORS = {
    "rnn": "#7f7f7f",
    "lstm": "#1f77b4",
    "gru": "#ff7f0e",
    "cnn": "#2ca02c",
    "transformer": "#9467bd",
    "dtw": "#8c564b",
    "minirocket": "#d62728",
}
AXIS_COLORS = ("#d62728", "#2ca02c", "#1f77b4")  # x, y, z


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=WHITE,
        title=dict(text=title, x=0.01, xanchor="left"),
        height=height,
        margin=dict(l=60, r=20, t=80, b=50),
        font=FONT,
        legend=dict(orientation="h", y=-0.18, x=0),
    )
    return fig


def examples(
    kind: str,
    raw: np.ndarray,
    lengths: np.ndarray,
    labels: list[str],
    channels: tuple[str, ...],
    step_name: str,
) -> go.Figure:
    """A few recordings, one panel each (labelled with its class), drawn the way its kind is read:
    sensors as the accelerometer's and the gyroscope's x/y/z curves; speech as a heatmap of the cepstral
    coefficients frame by frame; the hand and the power demand as curves. raw [k, T, C] as recorded."""
    k = len(raw)
    if kind == "speech":
        fig = make_subplots(rows=1, cols=k, subplot_titles=labels, horizontal_spacing=0.03, shared_yaxes=True)
        lim = float(np.abs(raw).max()) or 1.0
        for i in range(k):
            n = int(lengths[i])
            fig.add_trace(
                go.Heatmap(
                    z=raw[i, :n].T,
                    x=np.arange(1, n + 1),
                    y=np.arange(1, raw.shape[2] + 1),
                    coloraxis="coloraxis",
                    hovertemplate="frame %{x}, coefficient %{y}: %{z:.2f}<extra></extra>",
                ),
                1,
                i + 1,
            )
            fig.update_xaxes(title_text=step_name if i == 0 else None, row=1, col=i + 1)
        fig.update_yaxes(title_text="cepstral coefficient", row=1, col=1)
        fig.update_layout(coloraxis=dict(colorscale=DIVERGING, cmin=-lim, cmax=lim, colorbar=dict(title="value", len=0.8)))
        return _layout(fig, "Utterances as the model reads them: 12 numbers per frame describing the sound", 360)
    if kind == "sensors":
        fig = make_subplots(
            rows=2,
            cols=k,
            subplot_titles=[*labels, *[""] * k],
            shared_xaxes=True,
            shared_yaxes="rows",
            vertical_spacing=0.08,
            horizontal_spacing=0.03,
        )
        for i in range(k):
            n = int(lengths[i])
            t = np.arange(1, n + 1) / 10
            for r, (lo, what) in enumerate(((0, "accelerometer"), (3, "gyroscope"))):
                for a in range(3):
                    fig.add_trace(
                        go.Scatter(
                            x=t,
                            y=raw[i, :n, lo + a],
                            mode="lines",
                            line=dict(color=AXIS_COLORS[a], width=1.6),
                            name=f"{'xyz'[a]} axis",
                            legendgroup="xyz"[a],
                            showlegend=i == 0 and r == 0,
                            hovertemplate=f"{what} {'xyz'[a]}: %{{y:.2f}} at %{{x:.1f}} s<extra></extra>",
                        ),
                        r + 1,
                        i + 1,
                    )
            fig.update_xaxes(title_text="seconds", row=2, col=i + 1)
        fig.update_yaxes(title_text="accelerometer", row=1, col=1)
        fig.update_yaxes(title_text="gyroscope", row=2, col=1)
        return _layout(fig, "Ten seconds on a smartwatch: accelerometer (top) and gyroscope (bottom), x, y and z", 480)
    fig = go.Figure()
    names = sorted(set(labels), key=labels.index)
    for i in range(k):
        n = int(lengths[i])
        c = CLASS_COLORS[names.index(labels[i]) % len(CLASS_COLORS)]
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, n + 1),
                y=raw[i, :n, 0],
                mode="lines",
                line=dict(color=c, width=2),
                name=labels[i],
                legendgroup=labels[i],
                showlegend=labels[i] not in labels[:i],
                hovertemplate=f"{labels[i]}: %{{y:.2f}} at {step_name} %{{x}}<extra></extra>",
            )
        )
    if kind == "video":
        title = "The hand's horizontal position, frame by frame (scaled per recording)"
        fig.update_yaxes(title_text="hand x (scaled)")
    else:
        title = "Electricity demand through one day (scaled per day)"
        fig.update_yaxes(title_text=channels[0])
    fig.update_xaxes(title_text=step_name)
    return _layout(fig, title, 380)


def step_answers(
    probs: np.ndarray,
    length: int,
    classes: tuple[str, ...],
    label: int,
    settle: int,
    model_name: str,
    step_name: str,
) -> go.Figure:
    """probs [T, classes]: the probability of each class after every step up to ``length``; the true class's
    line thick, and the step from which the answer no longer changes marked."""
    t = np.arange(1, length + 1)
    fig = go.Figure()
    for c, name in enumerate(classes):
        true = c == label
        fig.add_trace(
            go.Scatter(
                x=t,
                y=probs[:length, c],
                mode="lines",
                name=name + (" (the right answer)" if true else ""),
                line=dict(color=CLASS_COLORS[c % len(CLASS_COLORS)], width=5 if true else 1.8),
                hovertemplate=f"{name}: %{{y:.2f}} after {step_name} %{{x}}<extra></extra>",
            )
        )
    fig.add_vline(x=settle, line=dict(color="#333", dash="dash", width=1.5))
    fig.add_annotation(
        x=settle, y=1.06, yref="y", text=f"answer settles (step {settle})", showarrow=False, xanchor="left", font=dict(size=14)
    )
    fig.update_xaxes(title_text=f"{step_name} (steps read so far)", range=[0.5, length + 0.5])
    fig.update_yaxes(title_text="probability", range=[0, 1.12])
    return _layout(fig, f"What the {model_name} would answer if the recording stopped here", 400)


def accuracy_by_fraction(rows: dict[str, tuple[str, dict]], chance: float) -> go.Figure:
    """rows: {key: (label, {fraction: accuracy})}: accuracy on the test split when each model sees only the
    first part of every sequence, from 10% to all of it; the chance line."""
    fig = go.Figure()
    for key, (label, acc) in rows.items():
        fr = sorted(acc)
        dash = "dot" if key in ("dtw", "minirocket") else "solid"
        fig.add_trace(
            go.Scatter(
                x=[100 * f for f in fr],
                y=[100 * acc[f] for f in fr],
                mode="lines+markers",
                name=label,
                line=dict(color=MODEL_COLORS.get(key, "#333"), width=2.5, dash=dash),
                hovertemplate=f"{label}: %{{y:.0f}}% right having seen %{{x:.0f}}%<extra></extra>",
            )
        )
    fig.add_hline(y=100 * chance, line=dict(color=LINE["baseline"], dash="dash"))
    fig.add_annotation(x=100, y=100 * chance, text="chance", showarrow=False, xanchor="right", yanchor="bottom")
    fig.update_xaxes(title_text="part of each sequence seen (%)", range=[5, 102])
    fig.update_yaxes(title_text="test accuracy (%)", range=[0, 103])
    return _layout(fig, "How early does it know? Accuracy having seen only the start of each sequence", 420)


def confusion(matrix: np.ndarray, classes: tuple[str, ...], model_name: str) -> go.Figure:
    """[k, k] counts, rows the truth and columns the answer, with the count in each cell."""
    m = np.asarray(matrix)
    share = m / np.maximum(1, m.sum(1, keepdims=True))
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=list(classes),
            y=list(classes),
            text=m,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar=dict(title="share of row"),
            hovertemplate="true %{y}, answered %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="answered", tickangle=-30)
    fig.update_yaxes(title_text="true class", autorange="reversed")
    return _layout(fig, f"Where the {model_name} goes wrong (test split)", 360 + 22 * len(classes))


def hidden(h: np.ndarray, length: int, model_name: str, step_name: str) -> go.Figure:
    """h [T, H]: each unit's value after every step (a heatmap, units as rows)."""
    lim = float(np.abs(h[:length]).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=h[:length].T,
            x=np.arange(1, length + 1),
            y=np.arange(1, h.shape[1] + 1),
            colorscale=DIVERGING,
            zmin=-lim,
            zmax=lim,
            colorbar=dict(title="h"),
            hovertemplate=f"unit %{{y}} after {step_name} %{{x}}: %{{z:.2f}}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=step_name)
    fig.update_yaxes(title_text="hidden unit")
    return _layout(fig, f"The {model_name}'s hidden state after every step", 380)
