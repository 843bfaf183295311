"""Figures of the Text page: next-character guesses, two hidden states side by side, their distance
against random pairs, bits per character, and the sentiment read word by word. Numpy in, plotly out."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import DIVERGING, LINE, base_layout, reference_line

SHOWN = {" ": "␣", "\n": "⏎", "\t": "⇥"}
RIGHT = "#2ca02c"  # the character that really came next
OTHER = ("#6baed6", "#9ecae1", "#c6dbef", "#deebf7", "#eff3ff")  # the other guesses, best first
OCCURRENCE = ("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b")


def shown(c: str) -> str:
    """A character as it can be seen: space as ␣, line break as ⏎."""
    return SHOWN.get(c, c)


def next_char_figure(text: str, top_chars: list[list[str]], top_probs: np.ndarray, max_positions: int = 60) -> go.Figure:
    """One column per position of the text: the model's five best guesses for the next character,
    stacked, each segment labelled with its character; green where the guess is the character that
    really came next. The x axis shows the character just read."""
    T = min(len(text), max_positions)
    probs = np.asarray(top_probs, np.float32)[:T]
    k = probs.shape[1] if probs.ndim == 2 else 0
    xs = np.arange(T)
    fig = go.Figure()
    for r in range(k):
        chars = [top_chars[t][r] for t in range(T)]
        right = [t + 1 < len(text) and chars[t] == text[t + 1] for t in range(T)]
        fig.add_trace(
            go.Bar(
                x=xs,
                y=probs[:, r],
                text=[shown(c) for c in chars],
                textposition="inside",
                insidetextanchor="middle",
                textfont=dict(size=14),
                marker=dict(color=[RIGHT if ok else OTHER[r] for ok in right], line=dict(color="white", width=1)),
                name=f"guess {r + 1}",
                showlegend=False,
                customdata=[
                    [shown(c), shown(text[t]), shown(text[t + 1]) if t + 1 < len(text) else "(end)"] for t, c in enumerate(chars)
                ],
                hovertemplate="position %{x}, after “%{customdata[1]}”: next = “%{customdata[0]}” with p = %{y:.3f}"
                "<br>really next: “%{customdata[2]}”<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.08)
    base_layout(
        fig, "The five likeliest next characters after each position", "position: the character just read", "probability", 380
    )
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(
        tickangle=0,
        tickfont=dict(family="monospace", size=14),
        tickvals=xs,
        ticktext=[shown(text[t]) for t in range(T)],
        showgrid=False,
    )
    fig.update_layout(margin=dict(b=70))
    return fig


def states_side_by_side(states: np.ndarray, labels: list[str], units: np.ndarray, what: str = "h_t") -> go.Figure:
    """The hidden states at the occurrences as rows of a heatmap (units along x), a last row with the
    difference between the first two, and boxes around the units that differ most."""
    S = np.asarray(states, np.float32)
    H = S.shape[1]
    names = list(labels)
    rows = S
    if len(S) > 1:  # the difference, magnified so a small one can be seen on the same colour scale
        d = S[1] - S[0]
        k = next((f for f in (1, 2, 5, 10, 20, 50) if np.abs(d).max() * f >= 0.5), 50)
        rows = np.vstack([S, np.clip(d * k, -1, 1)[None]])
        names.append("difference (#2 − #1)" + (f" ×{k}" if k > 1 else ""))
    fig = go.Figure(
        go.Heatmap(
            z=rows,
            x=np.arange(H),
            y=np.arange(len(rows)),
            zmin=-1,
            zmax=1,
            colorscale=DIVERGING,
            colorbar=dict(title=what, len=0.9),
            customdata=np.array([[n] * H for n in names]),
            hovertemplate="%{customdata}<br>unit %{x}: %{z:.3f}<extra></extra>",
        )
    )
    for u in np.asarray(units, int):
        fig.add_shape(type="rect", x0=u - 0.5, x1=u + 0.5, y0=-0.5, y1=len(rows) - 0.5, line=dict(color="black", width=2))
    base_layout(fig, f"{what} at the end of each occurrence (boxes: the units that differ most)", "hidden unit", "", 300)
    fig.update_yaxes(autorange="reversed", tickvals=list(range(len(rows))), ticktext=names, showgrid=False)
    fig.update_xaxes(showgrid=False)
    fig.update_layout(margin=dict(l=150, b=60))
    return fig


def unit_pairs_figure(states: np.ndarray, labels: list[str], units: np.ndarray, what: str = "h_t") -> go.Figure:
    """The units that differ most: their values at each occurrence as grouped bars."""
    S = np.asarray(states, np.float32)
    u = np.asarray(units, int)
    fig = go.Figure()
    for i, lab in enumerate(labels):
        fig.add_trace(
            go.Bar(
                x=[str(j) for j in u],
                y=S[i, u],
                name=lab,
                marker_color=OCCURRENCE[i % len(OCCURRENCE)],
                hovertemplate=lab + "<br>%{x}: " + what + " = %{y:.3f}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    base_layout(fig, "Units that differ most", "hidden unit", what, 340)
    fig.update_xaxes(type="category", tickangle=0)
    return fig


def distance_figure(distance: float, random_distances: np.ndarray, word: str) -> go.Figure:
    """How far apart the two states are, against the distances between random pairs of positions."""
    r = np.asarray(random_distances, np.float32)
    fig = go.Figure(
        go.Histogram(
            x=r,
            nbinsx=30,
            marker_color="#c7c7c7",
            name="random pairs of positions in the sentence",
            hovertemplate="distance %{x}<br>%{y} pairs<extra></extra>",
        )
    )
    fig.add_vline(x=float(distance), line=dict(color=OCCURRENCE[1], width=3))
    fig.add_annotation(
        x=float(distance),
        y=1,
        yref="paper",
        text=f"the two “{html.escape(word)}”s: {distance:.2f}",
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font=dict(color=OCCURRENCE[1], size=14),
        bgcolor="rgba(255,255,255,0.8)",
    )
    base_layout(fig, "Distance between states", "distance ‖h_a − h_b‖ (Euclidean)", "pairs of positions", 320)
    fig.update_layout(showlegend=True, margin=dict(b=100))
    return fig


def prediction_figure(predictions: list[list[tuple[str, float]]], labels: list[str]) -> go.Figure:
    """What the model expects next at each occurrence: one panel of top-5 bars per occurrence."""
    n = len(predictions)
    fig = make_subplots(rows=1, cols=n, subplot_titles=labels, horizontal_spacing=0.12)
    for i, preds in enumerate(predictions):
        chars = [f"“{shown(c)}”" for c, _ in preds][::-1]
        ps = [p for _, p in preds][::-1]
        fig.add_trace(
            go.Bar(
                x=ps,
                y=chars,
                orientation="h",
                marker_color=OCCURRENCE[i % len(OCCURRENCE)],
                text=[f"{p:.2f}" for p in ps],
                textposition="outside",
                showlegend=False,
                hovertemplate="next = %{y}: p = %{x:.3f}<extra></extra>",
            ),
            row=1,
            col=i + 1,
        )
        fig.update_xaxes(range=[0, 1.15], title_text="probability", row=1, col=i + 1)
        fig.update_yaxes(tickfont=dict(family="monospace", size=15), row=1, col=i + 1)
    base_layout(fig, "", "", "", 300)
    fig.update_layout(margin=dict(t=40, b=50))
    fig.update_annotations(font_size=14)
    return fig


def bpc_figure(bpc: dict[str, float]) -> go.Figure:
    """Bits per character: the unigram baseline, the model on held-out text and on its training text."""
    names = [
        ("unigram", "letter counts", LINE["baseline"]),
        ("heldout", "held-out text", LINE["heldout"]),
        ("train", "training text", LINE["loss"]),
    ]
    names = [n for n in names if n[0] in bpc]
    fig = go.Figure(
        go.Bar(
            x=[float(bpc[k]) for k, _, _ in names],
            y=[lab for _, lab, _ in names],
            orientation="h",
            marker_color=[c for _, _, c in names],
            text=[f"{float(bpc[k]):.2f}" for k, _, _ in names],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.3f} bits per character<extra></extra>",
        )
    )
    top = max([float(bpc[k]) for k, _, _ in names] + [1.0])
    base_layout(fig, "Bits per character (lower is better)", "bits per character", "", 260)
    fig.update_xaxes(range=[0, top * 1.3])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin=dict(l=120, r=20, b=60))
    return fig


def sentiment_figure(words: list[str], positive: np.ndarray, known: list[bool]) -> go.Figure:
    """The probability of "positive" after each word: above the 0.5 line the model would say positive
    if the sentence ended there. Words the model does not know are greyed and skipped."""
    p = np.asarray(positive, np.float64)
    xs = [f"{i + 1}. {w}" for i, w in enumerate(words)]
    colors = ["#bbbbbb" if not k else (RIGHT if v >= 0.5 else "#d62728") for v, k in zip(p, known)]
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=np.where(np.isnan(p), 0, p),
            marker_color=colors,
            text=["unknown" if not k else f"{v:.2f}" for v, k in zip(p, known)],
            textposition="outside",
            hovertemplate="after “%{x}”: P(positive) = %{y:.3f}<extra></extra>",
            showlegend=False,
        )
    )
    reference_line(fig, 0.5, "undecided", LINE["baseline"], dash="dot")
    base_layout(fig, "What it would answer if the sentence ended here", "words read so far", "P(positive)", 340)
    fig.update_yaxes(range=[0, 1.15])
    fig.update_xaxes(type="category")
    fig.update_layout(margin=dict(b=80))
    return fig


def stream_html(prompt: str, written: str) -> str:
    """The prompt and the text written after it, the prompt in bold, as an HTML block."""
    return (
        '<div class="rv-written" style="font-family: monospace; font-size: 17px; white-space: pre-wrap; line-height: 1.5; '
        'border: 1px solid #ddd; border-radius: 6px; padding: 10px; min-height: 4em">'
        f"<b>{html.escape(prompt)}</b>{html.escape(written)}</div>"
    )


def context_html(context: str, word_len: int) -> str:
    """The text read before a word and the word itself (highlighted), as an HTML line."""
    before, word = context[: len(context) - word_len], context[len(context) - word_len :]
    return (
        '<div style="font-family: monospace; font-size: 18px">…'
        f'{html.escape(before)}<b style="background: #ffe08a">{html.escape(word)}</b></div>'
    )
