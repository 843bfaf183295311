"""Figures for the Sounds page: the spectrogram the model hears, its hidden state under it and its
class probabilities frame by frame, all on one time axis. numpy in, plotly Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import DIVERGING, FONT, LINE, WHITE

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def listening(
    spec: np.ndarray,
    hidden: np.ndarray,
    probs: np.ndarray,
    band_hz: np.ndarray,
    frame_ms: float,
    classes: tuple[str, ...],
    label: int,
    onset_ms: float,
    settle: int,
    what: str = "h_t",
) -> go.Figure:
    """spec [frames, bands] (log loudness), hidden [frames, H], probs [frames, classes]; the frame at
    which the answer settles and the moment the vowel starts are marked on every row."""
    T = spec.shape[0]
    t = (np.arange(T) * frame_ms).astype(np.float32)
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.34, 0.3, 0.36],
        subplot_titles=(
            "The spectrogram: loudness of each frequency, frame by frame",
            f"Its hidden state {what} after each frame",
            "What it would answer if the clip stopped here (probability of each vowel)",
        ),
    )
    fig.add_trace(
        go.Heatmap(
            z=spec.T.astype(np.float32),
            x=t,
            y=np.asarray(band_hz, dtype=np.float32),
            colorscale="Viridis",
            colorbar=dict(title="loud", len=0.3, y=0.85, thickness=14),
            hovertemplate="%{x:.0f} ms, %{y:.0f} Hz<br>loudness %{z:.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    h = np.asarray(hidden, dtype=np.float32).T
    lim = float(max(np.abs(h).max(), 1e-6))
    fig.add_trace(
        go.Heatmap(
            z=h,
            x=t,
            y=np.arange(h.shape[0]),
            colorscale=DIVERGING,
            zmin=-lim,
            zmax=lim,
            colorbar=dict(title=what, len=0.26, y=0.5, thickness=14),
            hovertemplate="unit %{y}, %{x:.0f} ms<br>" + what + " = %{z:.2f}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    for k, name in enumerate(classes):
        fig.add_trace(
            go.Scatter(
                x=t,
                y=probs[:, k].astype(np.float32),
                mode="lines",
                name=name + (" (the right answer)" if k == label else ""),
                line=dict(color=CLASS_COLORS[k % len(CLASS_COLORS)], width=4 if k == label else 2),
                hovertemplate=name + ": %{y:.2f} at %{x:.0f} ms<extra></extra>",
            ),
            row=3,
            col=1,
        )
    for x, text, color in ((onset_ms, "vowel starts", LINE["baseline"]), (settle * frame_ms, "answer settles", LINE["bound"])):
        for r in (1, 2, 3):
            fig.add_vline(x=float(x), line=dict(color=color, dash="dash", width=2), row=r, col=1)
        fig.add_annotation(
            x=float(x),
            y=0.98,
            xref="x",
            yref="y domain",
            text=text,
            showarrow=False,
            xanchor="left" if "settles" in text else "right",
            yanchor="top",
            font=dict(color=color, size=13),
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_yaxes(title_text="frequency (Hz)", row=1, col=1)
    fig.update_yaxes(title_text="hidden unit", row=2, col=1)
    fig.update_yaxes(title_text="probability", range=[0, 1.05], row=3, col=1)
    fig.update_xaxes(title_text=f"time (ms): one frame every {frame_ms:g} ms", row=3, col=1)
    fig.update_layout(
        title=dict(text="What it hears, what it keeps, what it would answer", x=0.01, xanchor="left", font=dict(size=18)),
        height=860,
        font=FONT,
        template=WHITE,
        margin=dict(l=80, r=30, t=90, b=60),
        legend=dict(orientation="h", yanchor="top", y=-0.09, xanchor="left", x=0),
        hoverlabel=dict(font_size=14),
    )
    return fig
