"""Hidden states over time: heatmap, one step's bar chart, the 2-D path, text coloured by a unit."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from .marks import MARK, label_positions, mark_steps, spread_labels
from .style import DIVERGING, WHITE, base_layout


def time_ticks(labels: list[str], max_ticks: int = 20) -> dict:
    """Axis ticks: the step number over the input at that step, for at most max_ticks evenly
    spaced steps (every step when it fits); the hover text always has every step's input."""
    T = len(labels)
    every = max(1, int(np.ceil(T / max_ticks)))
    vals = list(range(0, T, every))
    return dict(tickmode="array", tickvals=vals, ticktext=[f"{t}<br>{labels[t][:6]}" for t in vals], tickangle=0)


def state_heatmap(
    states: np.ndarray,
    labels: list[str],
    title: str,
    what: str = "h_t",
    zmax: float | None = None,
    colorscale: str = DIVERGING,
    zmin: float | None = None,
    highlight: int | None = None,
    max_ticks: int = 20,
    units=None,
    span=None,
    marks=(),
    marks_name: str = "",
) -> go.Figure:
    """states [T, H] drawn units (rows) x time steps (columns); labels: the input at each step.
    units: the unit number of each row (default 0..H-1); span: (start, end) steps to outline;
    marks: the steps the answer depends on, outlined in gold (marks_name says what they are)."""
    T, H = states.shape
    z = np.asarray(states, np.float32).T  # [H, T]
    rows = np.arange(H) if units is None else np.asarray(units)
    if zmax is None:
        zmax = float(max(1e-6, np.abs(z).max()))
    if zmin is None:
        zmin = -zmax
    tok = np.array([labels] * H, dtype=object)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=np.arange(T),
            y=[f"{u}" for u in rows] if units is not None else rows,
            zmin=zmin,
            zmax=zmax,
            colorscale=colorscale,
            customdata=tok,
            colorbar=dict(title=dict(text=what, side="right")),
            hovertemplate="step t=%{x} (input %{customdata})<br>unit %{y}<br>" + what + " = %{z:.3f}<extra></extra>",
        )
    )
    base_layout(fig, title, "time step t (and the input at that step)", "hidden unit", height=max(300, min(560, 120 + 12 * H)))
    fig.update_xaxes(**time_ticks(labels, max_ticks))
    fig.update_yaxes(autorange="reversed")
    if highlight is not None:
        fig.add_vrect(x0=highlight - 0.5, x1=highlight + 0.5, line=dict(color="black", width=2))
    if span is not None:
        fig.add_vrect(x0=span[0] - 0.5, x1=span[1] + 0.5, line=dict(color="#2ca02c", width=3, dash="dot"))
    if units is not None:
        fig.update_yaxes(type="category")
    mark_steps(fig, marks, marks_name)
    return fig


def step_bar(values: np.ndarray, t: int, label: str, what: str = "h_t") -> go.Figure:
    """One step's state vector as bars, one per unit, blue below zero and red above."""
    v = np.asarray(values, np.float32)
    colors = np.where(v >= 0, "#d62728", "#1f77b4")
    fig = go.Figure(
        go.Bar(x=np.arange(len(v)), y=v, marker_color=colors, hovertemplate="unit %{x}<br>" + what + " = %{y:.3f}<extra></extra>")
    )
    base_layout(fig, f"{what} at step t={t} (input {label})", "hidden unit", f"{what} (no unit)", height=300)
    lim = max(1.0, float(np.abs(v).max()) * 1.05)
    fig.update_yaxes(range=[-lim, lim])
    return fig


def pca_path(
    coords: np.ndarray, ratio: np.ndarray, labels: list[str], highlight: int | None = None, marks=(), marks_name: str = ""
) -> go.Figure:
    """The hidden state's path through time in its first two principal components. Text labels go
    to the start, the end, the chosen step, the marked steps, then evenly spaced steps, each only
    where it does not overlap a label already placed (see marks.spread_labels)."""
    T = len(coords)
    every = max(1, int(np.ceil(T / 8)))
    want = [0, T - 1] + ([highlight] if highlight is not None else []) + list(marks) + list(range(0, T, every))
    shown = set(spread_labels(coords, [int(t) for t in want if 0 <= t < T]))
    text = [f"t={t}: {labels[t][:6]}" if t in shown else "" for t in range(T)]
    fig = go.Figure(
        go.Scatter(
            x=coords[:, 0],
            y=coords[:, 1],
            mode="lines+markers+text",
            name="h_t, one dot per step",
            text=text,
            textposition=label_positions(coords),
            textfont=dict(size=12),
            marker=dict(
                color=np.arange(T),
                colorscale="Viridis",
                size=9,
                showscale=True,
                colorbar=dict(title=dict(text="step t", side="right")),
            ),
            line=dict(color="rgba(120,120,120,0.5)"),
            customdata=np.array(labels, dtype=object),
            hovertemplate="step t=%{marker.color} (input %{customdata})<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        )
    )
    mk = [int(t) for t in marks if 0 <= t < T]
    if mk:
        fig.add_trace(
            go.Scatter(
                x=coords[mk, 0],
                y=coords[mk, 1],
                mode="markers",
                name=f"★ {marks_name}" if marks_name else "★ marked steps",
                marker=dict(symbol="star", size=18, color=MARK, line=dict(color="black", width=1)),
                hovertemplate="marked step t=%{text}<extra></extra>",
                text=[str(t) for t in mk],
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[coords[0, 0]],
            y=[coords[0, 1]],
            mode="markers",
            name="start (t=0)",
            marker=dict(symbol="diamond", size=14, color="black"),
        )
    )
    if highlight is not None:
        fig.add_trace(
            go.Scatter(
                x=[coords[highlight, 0]],
                y=[coords[highlight, 1]],
                mode="markers",
                name=f"chosen step t={highlight}",
                marker=dict(symbol="circle-open", size=22, color="#d62728", line=dict(width=3)),
            )
        )
    base_layout(
        fig,
        "Path of h_t through time, projected to 2-D (PCA)",
        f"PC1 ({100 * ratio[0]:.0f}% of variance)",
        f"PC2 ({100 * ratio[1]:.0f}% of variance)",
        height=460,
    )
    return fig


def activation_text_html(labels: list[str], values: np.ndarray, what: str) -> str:
    """The input text with each symbol's background coloured by one unit's value (char-rnn style):
    red for positive, blue for negative, white near zero. Returns an HTML snippet."""
    v = np.clip(np.asarray(values, np.float64), -1, 1)
    spans = []
    for t, (tok, a) in enumerate(zip(labels, v)):
        rgb = (214, 39, 40) if a >= 0 else (31, 119, 180)
        spans.append(
            f'<span title="step {t}: {what} = {a:+.3f}" style="background: rgba({rgb[0]},{rgb[1]},{rgb[2]},'
            f"{abs(a):.2f}); padding: 2px 3px; margin: 1px; border-radius: 3px; font-family: monospace; "
            f'font-size: 18px; display: inline-block; min-width: 0.8em; text-align: center">'
            f"{html.escape(tok) if tok.strip() else '&nbsp;'}</span>"
        )
    legend = (
        '<div style="font-size: 14px; margin-top: 6px">colour = '
        + html.escape(what)
        + ': <span style="background: rgba(31,119,180,0.9); color: white; padding: 1px 6px">−1</span> '
        '<span style="padding: 1px 6px; border: 1px solid #ccc">0</span> '
        '<span style="background: rgba(214,39,40,0.9); color: white; padding: 1px 6px">+1</span>'
        " (hover a symbol for its value)</div>"
    )
    return '<div style="line-height: 2.0">' + "".join(spans) + "</div>" + legend


def loop_figure() -> go.Figure:
    """The rolled-up RNN: x_t enters, h_t feeds back into itself, y_t leaves."""
    fig = go.Figure()
    boxes = ((0.0, "#2ca02c", "x_t", "input"), (1.6, "#17becf", "h_t", "hidden<br>state"), (3.2, "#1f77b4", "y_t", "output"))
    for y, c, text, role in boxes:
        fig.add_shape(
            type="rect", x0=-0.45, x1=0.45, y0=y - 0.35, y1=y + 0.35, fillcolor=c, opacity=0.9, line=dict(color="black")
        )
        fig.add_annotation(x=0, y=y, text=f"<b>{text}</b>", showarrow=False, font=dict(color="white", size=17))
        fig.add_annotation(x=-0.55, y=y, text=role, showarrow=False, xanchor="right", font=dict(size=13, color="#555"))
    for y0, y1, w, col in ((0.35, 1.25, "W_x", "#2ca02c"), (1.95, 2.85, "W_y", "#1f77b4")):
        fig.add_annotation(
            x=0,
            y=y1,
            ax=0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowwidth=2.5,
            arrowcolor=col,
            text="",
        )
        fig.add_annotation(x=0.08, y=(y0 + y1) / 2, text=w, showarrow=False, xanchor="left", font=dict(size=14, color=col))
    # the loop: out of the right side of h_t and back into it lower down
    fig.add_shape(type="path", path="M 0.45,1.75 C 1.5,2.1 1.5,0.9 0.5,1.35", line=dict(color="#d62728", width=3))
    fig.add_annotation(
        x=0.48,
        y=1.37,
        ax=0.9,
        ay=1.15,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=3,
        arrowwidth=3,
        arrowcolor="#d62728",
        text="",
    )
    fig.add_annotation(x=1.3, y=1.6, text="W_h", showarrow=False, xanchor="left", font=dict(size=14, color="#d62728"))
    fig.update_layout(
        height=380,
        template=WHITE,
        margin=dict(l=5, r=5, t=40, b=5),
        title=dict(text="The loop", font=dict(size=18)),
        xaxis=dict(visible=False, range=[-1.4, 2.3]),
        yaxis=dict(visible=False, range=[-0.5, 3.65]),
        showlegend=False,
    )
    return fig
