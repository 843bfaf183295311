"""The Chat page's figures: where the network looked while writing each word of a reply, and the scores of the
network against retrieval on held-out and training questions. Data in (numpy, plain values), figures out."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from .style import attention_heat, base_layout

NETWORK_COLOR = "#ff7f0e"  # the GRU (as ARCH_COLORS["gru"])
RETRIEVAL_COLOR = "#7f7f7f"  # the baseline, grey as every baseline of the app


def attention(message: list[str], rows: list[str], alpha: np.ndarray, title: str | None = None) -> go.Figure:
    """alpha [len(rows), len(message)]: row i is how the network spread its attention over the message's words while
    writing reply word ``rows[i]`` (each row sums to 1). Message words across in reading order, reply words down in
    writing order (the end mark last, if written), the weight written in each cell that holds at least 0.01."""
    z = np.asarray(alpha, np.float32)
    n_out, n_in = z.shape
    small = n_in * n_out <= 240
    text = [[f"{v:.2f}" if v >= 0.01 else "" for v in row] for row in z]
    hover = [[[rows[i], message[j], str(i + 1), str(j + 1)] for j in range(n_in)] for i in range(n_out)]
    fig = go.Figure(
        attention_heat(
            z,
            text if small else None,
            hover,
            "reply word %{customdata[2]}: %{customdata[0]}<br>message word %{customdata[3]}: %{customdata[1]}"
            "<br>attention weight %{z:.3f}<extra></extra>",
            textsize=12,
        )
    )
    base_layout(
        fig,
        title or "Where the network looked while writing each reply word",
        "message words (in reading order)",
        "reply words (in writing order)",
        height=max(300, 130 + 30 * n_out),
    )
    longest = max((len(w) for w in message), default=1)
    turned = n_in > 6 or longest > 10
    left = 30 + 9 * max((len(w) for w in rows), default=4)
    fig.update_layout(margin=dict(l=max(70, left), r=30, t=60, b=80 + (6 * longest if turned else 0)), legend=None)
    fig.update_yaxes(
        autorange="reversed",
        tickmode="array",
        tickvals=list(range(n_out)),
        ticktext=[html.escape(t) for t in rows],
        tickfont=dict(size=14),
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(n_in)),
        ticktext=[html.escape(w) for w in message],
        tickangle=-40 if turned else 0,
        tickfont=dict(size=14),
    )
    return fig


def topics(names: list[str], train: list[int], heldout: list[int], title: str | None = None) -> go.Figure:
    """Questions per topic, in training and held out, as stacked horizontal bars (the largest topic on top)."""
    order = np.argsort(-(np.asarray(train) + np.asarray(heldout)), kind="stable")
    y = [names[i] for i in order]
    fig = go.Figure()
    for label, counts, color in (("training", train, NETWORK_COLOR), ("held out", heldout, RETRIEVAL_COLOR)):
        fig.add_bar(
            y=y,
            x=[counts[i] for i in order],
            name=f"{label} questions",
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}: %{x} " + label + " questions<extra></extra>",
        )
    base_layout(fig, title or "Questions per topic: in training and held out", "questions", "", height=130 + 22 * len(names))
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.12, x=0), margin=dict(l=110))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=13))
    return fig


def scores(table: list[dict], title: str | None = None) -> go.Figure:
    """Word overlap (token F1) of the network and of retrieval, on held-out and on training questions, as grouped
    bars; each bar also names its exact answer rate. table: rows with questions, method, exact, f1, n (as
    :meth:`rnnviz.language.chat.ChatResult.table` gives them)."""
    sides = list(dict.fromkeys(r["questions"] for r in table))
    fig = go.Figure()
    for method, color in (("network", NETWORK_COLOR), ("retrieval", RETRIEVAL_COLOR)):
        rows = [next(r for r in table if r["questions"] == s and r["method"] == method) for s in sides]
        name = "network (GRU encoder-decoder)" if method == "network" else "retrieval (nearest training question)"
        fig.add_bar(
            x=[f"{s}<br>({r['n']:,})" for s, r in zip(sides, rows)],
            y=[r["f1"] for r in rows],
            name=name,
            marker_color=color,
            text=[f"overlap {r['f1']:.2f}<br>exact {100 * r['exact']:.1f}%" for r in rows],
            textposition="outside",
            hovertemplate="%{x}<br>" + method + ": word overlap %{y:.3f}<extra></extra>",
        )
    base_layout(
        fig, title or "Replies against the true answers: word overlap (token F1)", "", "word overlap (0 to 1)", height=400
    )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.2, x=0))
    fig.update_yaxes(range=[0, 1.35], tickvals=[0, 0.25, 0.5, 0.75, 1])
    return fig


__all__ = ["attention", "scores", "topics"]
