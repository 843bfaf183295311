"""Figures for the Music page: a piano roll with the hidden state under it (one shared time axis), and
the held-out next-note accuracy next to its baselines. numpy in, plotly Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import DIVERGING, FONT, LINE, WHITE

SEED_COLOR = "#7f7f7f"
NEW_COLOR = "#1f77b4"
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _name(midi: int) -> str:
    return f"{NAMES[midi % 12]}{midi // 12 - 1}"


def piano_roll(
    pitches: np.ndarray,
    onsets: np.ndarray,
    n_seed: int,
    names: list[str],
    hidden: np.ndarray,
    rest: int = 0,
    what: str = "h_t",
    order: np.ndarray | None = None,
) -> go.Figure:
    """Top: one bar per note (pitch up, time across, in beats = quarter notes); the seed phrase grey,
    the model's continuation blue. Bottom: the hidden state after each note [n_notes, H] as a heatmap
    whose columns span the same beats as the notes above them.

    pitches [n] MIDI numbers (``rest`` for a rest, not drawn); onsets [n + 1] beats (last = the end).
    order: the units to draw, top row first (default: all, unit 0 on top)."""
    pitches = np.asarray(pitches)
    onsets = np.asarray(onsets, dtype=np.float64)
    n = len(pitches)
    dur = np.diff(onsets)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        row_heights=[0.55, 0.45],
        subplot_titles=("", f"The hidden state {what} after each note (one row per unit)"),
    )
    for lo, hi, color, label in (
        (0, n_seed, SEED_COLOR, "seed phrase (from the real tune)"),
        (n_seed, n, NEW_COLOR, "written by the model"),
    ):
        idx = [i for i in range(lo, hi) if pitches[i] != rest]
        fig.add_trace(
            go.Bar(
                x=dur[idx].astype(np.float32),
                base=onsets[idx].astype(np.float32),
                y=pitches[idx].astype(np.float32),
                orientation="h",
                width=0.8,
                marker=dict(color=color, line=dict(width=0.5, color="white")),
                name=label,
                customdata=np.array([[names[i], i + 1] for i in idx], dtype=object).reshape(-1, 2),
                hovertemplate="note %{customdata[1]}: %{customdata[0]}<br>beat %{base:.2f}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    if 0 < n_seed < n:
        fig.add_vline(x=float(onsets[n_seed]), line=dict(color=LINE["bound"], dash="dash", width=2))
        fig.add_annotation(
            x=float(onsets[n_seed]),
            y=1,
            yref="y domain",
            text="the model takes over",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(color=LINE["bound"], size=13),
            bgcolor="rgba(255,255,255,0.7)",
        )
    played = pitches[pitches != rest]
    lo, hi = (int(played.min()), int(played.max())) if len(played) else (60, 72)
    ticks = [p for p in range(lo - 1, hi + 2) if p % 12 in (0, 4, 7)]  # C, E, G of each octave
    fig.update_yaxes(
        title_text="pitch", tickvals=ticks, ticktext=[_name(p) for p in ticks], range=[lo - 1.5, hi + 1.5], row=1, col=1
    )
    order = np.arange(np.shape(hidden)[1]) if order is None else np.asarray(order)
    h = np.asarray(hidden, dtype=np.float32).T[order]  # [H, n], rows in the given order
    lim = float(max(np.abs(h).max(), 1e-6)) if h.size else 1.0
    rows = np.arange(len(order))
    fig.add_trace(
        go.Heatmap(
            z=h,
            x=onsets.astype(np.float32),
            y=rows,
            customdata=np.repeat(order[:, None], h.shape[1], 1),
            colorscale=DIVERGING,
            zmin=-lim,
            zmax=lim,
            colorbar=dict(title=what, len=0.42, y=0.2, thickness=14),
            hovertemplate="unit %{customdata}<br>beat %{x:.2f}<br>" + what + " = %{z:.2f}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    step = max(1, len(order) // 8)
    fig.update_yaxes(
        title_text="hidden unit",
        tickvals=rows[::step],
        ticktext=[str(u) for u in order[::step]],
        autorange="reversed",
        row=2,
        col=1,
    )
    fig.update_xaxes(title_text="time (beats: one beat is a quarter note)", row=2, col=1)
    fig.update_layout(
        title=dict(text="The tune: one bar per note (pitch up, time across)", x=0.01, xanchor="left", font=dict(size=18)),
        height=660,
        font=FONT,
        template=WHITE,
        barmode="overlay",
        margin=dict(l=70, r=30, t=90, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=14),
    )
    return fig


def accuracy_bars(scores: dict) -> go.Figure:
    """Held-out next-note accuracy of the model against the bigram and commonest-note baselines."""
    labels = ["the RNN", "bigram baseline", "always the commonest note"]
    vals = [scores["accuracy"], scores["bigram_accuracy"], scores["common_accuracy"]]
    colors = [NEW_COLOR, LINE["baseline"], "#c7c7c7"]
    fig = go.Figure(
        go.Bar(
            x=np.array(vals, dtype=np.float32) * 100,
            y=labels,
            orientation="h",
            marker_color=colors,
            text=[f"{100 * v:.1f}%" for v in vals],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f}% of held-out notes guessed exactly<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(text="Next note guessed exactly<br>(pitch and length, held-out tunes)", x=0.01, font=dict(size=16)),
        xaxis=dict(title="% of notes", range=[0, max(100 * max(vals) * 1.45, 10)]),
        yaxis=dict(autorange="reversed"),
        height=290,
        font=FONT,
        template=WHITE,
        margin=dict(l=70, r=20, t=70, b=50),
        showlegend=False,
    )
    return fig
