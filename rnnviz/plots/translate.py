"""Translation figures: the attention matrix (input words against output tokens: digits, or the letters
of a German word) and exact-match accuracy against input length, with and without attention. Numbers
in, plotly figures out."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from .style import FONT, WHITE, attention_heat, base_layout

KIND_COLORS = {"attention": "#2ca02c", "no_attention": "#7f7f7f"}
KIND_LABELS = {"attention": "with attention", "no_attention": "without attention (final state only)"}


def attention_heatmap(words: list[str], tokens: list[str], alpha: np.ndarray, title: str | None = None) -> go.Figure:
    """alpha [len(tokens), len(words)]: row i is how the model spread its attention over the input
    words while writing output token i (each row sums to 1). Words along the bottom in reading order,
    output tokens down the side in writing order, the weight written in each cell."""
    z = np.asarray(alpha, np.float32)
    n_out, n_in = z.shape
    text = [[f"{v:.2f}" if v >= 0.005 else "" for v in row] for row in z]
    # numeric axes with the words as tick labels: a word that appears twice keeps two columns
    hover = [[[tokens[i], f"{j + 1}: {words[j]}", f"{i + 1}"] for j in range(n_in)] for i in range(n_out)]
    fig = go.Figure(
        attention_heat(
            z,
            text,
            hover,
            "output token %{customdata[2]}: %{customdata[0]}<br>input word %{customdata[1]}"
            "<br>attention weight %{z:.3f}<extra></extra>",
            textsize=13,
        )
    )
    base_layout(
        fig,
        title or "Where the model looks: attention over the input for each output token",
        "input words (in reading order)",
        "output tokens (in writing order)",
        height=max(300, 110 + 46 * n_out),
    )
    fig.update_layout(margin=dict(l=90, r=30, t=60, b=90 if n_in <= 6 else 130), legend=None)
    fig.update_yaxes(
        autorange="reversed",
        tickmode="array",
        tickvals=list(range(n_out)),
        ticktext=[html.escape(t) for t in tokens],
        tickfont=dict(size=15),
    )
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(n_in)), ticktext=words, tickangle=0 if n_in <= 6 else -40, tickfont=dict(size=14)
    )
    return fig


def letters_heatmap(
    words: list[str],
    letters: list[str],
    alpha: np.ndarray,
    pieces: list[tuple[str, int, int]] = (),
    looked_at: list[int | None] | None = None,
    title: str | None = None,
) -> go.Figure:
    """The attention matrix of a long output (a German number word): alpha [len(letters), len(words)] as
    ``attention_heatmap`` takes it, drawn turned: the output letters across in writing order, the input
    words down in reading order, so a 40-letter word fits the page's width. pieces: (part, first letter,
    end) of the word (*sieben*, *und*, *neunzig*), named above the letters and parted by thin lines;
    looked_at[k]: the input word part k looked at most (named under the part's name)."""
    z = np.asarray(alpha, np.float32).T  # [words, letters]
    n_in, n_out = z.shape
    show_values = n_out <= 20
    text = [[f"{v:.1f}" if v >= 0.05 else "" for v in row] for row in z] if show_values else None
    hover = [[[letters[i], f"{j + 1}: {words[j]}", f"{i + 1}"] for i in range(n_out)] for j in range(n_in)]
    short = n_in <= 3  # a short map (few input words): three ticks on its colour bar, five crowded its 120 pixels
    fig = go.Figure(
        attention_heat(
            z,
            text,
            hover,
            "output letter %{customdata[2]}: %{customdata[0]}<br>input word %{customdata[1]}"
            "<br>attention weight %{z:.3f}<extra></extra>",
            textsize=11,
            tickvals=(0, 0.5, 1) if short else (0, 0.25, 0.5, 0.75, 1),
        )
    )
    base_layout(
        fig,
        title or "Where the model looks: attention over the input words for each output letter",
        "output letters (in writing order)",
        "input words",
        height=max(300, 200 + 42 * n_in),
    )
    fig.update_layout(margin=dict(l=110, r=30, t=120, b=60), legend=None)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=list(range(n_in)), ticktext=words, tickfont=dict(size=14))
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(n_out)),
        ticktext=[html.escape(t) for t in letters],
        tickangle=0,
        tickfont=dict(size=13 if n_out <= 30 else 11),
    )
    for k, (piece, a, b) in enumerate(pieces):
        if a > 0:
            fig.add_vline(x=a - 0.5, line=dict(color="#333", width=2))
        seen = looked_at[k] if looked_at is not None and k < len(looked_at) else None
        label = f"<b>{html.escape(piece)}</b>" + (f"<br>← {html.escape(words[seen])}" if seen is not None else "")
        fig.add_annotation(
            x=(a + b - 1) / 2,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=label,
            showarrow=False,
            font=dict(size=12 if b - a >= 4 else 10),
        )
    return fig


def accuracy_by_length(result: dict, title: str | None = None, min_count: int = 10) -> go.Figure:
    """result: ``{"accuracy": {kind: {LENGTH: float}}, "count": {LENGTH: int}, "train_median_words": m}``
    (what ``python -m rnnviz translate --json`` prints): exact-match accuracy on held-out inputs against
    input length in words, one line per model, the training median marked. Lengths with fewer than
    min_count held-out numbers are left out (one number right or wrong is not a percentage)."""
    fig = go.Figure()
    counts = result.get("count", {})
    for kind, acc in result["accuracy"].items():
        lengths = sorted((k for k in acc if counts.get(k, min_count) >= min_count), key=int)
        xs = np.array([int(k) for k in lengths], np.float32)
        ys = np.array([100 * acc[k] for k in lengths], np.float32)
        n = [counts.get(k, "?") for k in lengths]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=KIND_LABELS.get(kind, kind),
                line=dict(color=KIND_COLORS.get(kind), width=3, dash="solid" if kind == "attention" else "dash"),
                marker=dict(size=9),
                customdata=n,
                hovertemplate="%{x} words: %{y:.1f}% exactly right (of %{customdata} held-out numbers)<extra>"
                + KIND_LABELS.get(kind, kind)
                + "</extra>",
            )
        )
    base_layout(
        fig,
        title or "Held-out numbers translated exactly right, by input length",
        "input length (words)",
        "exactly right (%)",
        height=400,
    )
    median = result.get("train_median_words")
    if median is not None:
        fig.add_vline(x=median, line=dict(color="#555", dash="dot", width=2))
        fig.add_annotation(
            x=median,
            y=1.02,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=f" half of the training inputs are ≤ {median:g} words",
            showarrow=False,
            font=dict(size=13, color="#555"),
        )
    fig.update_yaxes(range=[-3, 103])
    fig.update_xaxes(dtick=1)
    fig.update_layout(font=FONT, template=WHITE)
    return fig


def loss_curves(losses: dict[str, list[float]], smooth: int = 25) -> go.Figure:
    """Training loss per step for each model (a moving average over smooth steps), log scale."""
    fig = go.Figure()
    for kind, ls in losses.items():
        y = np.asarray(ls, np.float32)
        if len(y) >= smooth:
            y = np.convolve(y, np.ones(smooth, np.float32) / smooth, mode="valid")
        fig.add_trace(
            go.Scatter(
                x=np.arange(len(y), dtype=np.float32) + min(smooth, len(ls)),
                y=y,
                mode="lines",
                name=KIND_LABELS.get(kind, kind),
                line=dict(color=KIND_COLORS.get(kind), width=2, dash="solid" if kind == "attention" else "dash"),
            )
        )
    base_layout(fig, "Training loss (cross-entropy per output token)", "training step", "loss (log scale)", height=340)
    ticks = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]
    fig.update_yaxes(type="log", tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return fig
