"""Gate activations: heatmaps, the LSTM cell as valves at one step, gate saturation."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .marks import mark_steps
from .states import state_heatmap
from .style import GATE_COLORS, GATE_LABELS, WHITE, base_layout

SIGMOID = ("input_gate", "forget_gate", "output_gate", "reset_gate", "update_gate")
GATE_MEANING = {
    "input_gate": "how much of the candidate is written into the cell (0 = nothing, 1 = all)",
    "forget_gate": "how much of the old cell survives (1 = keep, 0 = erase)",
    "cell_candidate": "the new content proposed for the cell, from −1 to 1",
    "output_gate": "how much of the squashed cell is shown as h_t",
    "reset_gate": "how much of h_(t−1) enters the candidate (0 = ignore the past)",
    "update_gate": "how much of h_(t−1) is kept unchanged (1 = keep, 0 = replace by the candidate)",
    "candidate": "the proposed new state, from −1 to 1",
    "cell": "the LSTM's memory line c_t (not bounded to [−1, 1])",
}


class _Parts:
    """Shapes and annotations collected, then handed to plotly in one figure: adding them one at a time
    validates and copies the whole list each time (the cell diagrams took ~60 ms, now ~15)."""

    def __init__(self):
        self.shapes, self.annotations = [], []

    def add_shape(self, **kw):
        self.shapes.append(kw)

    def add_annotation(self, **kw):
        self.annotations.append(kw)

    def figure(self) -> go.Figure:
        return go.Figure(layout=dict(shapes=self.shapes, annotations=self.annotations))


def _scale(color: str) -> list:
    return [[0, "#ffffff"], [1, color]]


def gate_heatmap(
    values: np.ndarray,
    name: str,
    labels: list[str],
    highlight: int | None = None,
    max_ticks: int = 10,
    marks=(),
    marks_name: str = "",
) -> go.Figure:
    """values [T, H] of one gate; sigmoid gates on a white-to-gate-colour scale from 0 to 1. The
    title names the gate and, in smaller type beneath, what its value means."""
    title = f"{GATE_LABELS[name]}<br><sup>{GATE_MEANING[name]}</sup>"
    if name in SIGMOID:
        return state_heatmap(
            values,
            labels,
            title,
            what=name.split("_")[0] + " gate",
            zmin=0,
            zmax=1,
            colorscale=_scale(GATE_COLORS[name]),
            highlight=highlight,
            max_ticks=max_ticks,
            marks=marks,
            marks_name=marks_name,
        )
    what = "c_t" if name == "cell" else ("g_t" if name == "cell_candidate" else "n_t")
    return state_heatmap(
        values, labels, title, what=what, highlight=highlight, max_ticks=max_ticks, marks=marks, marks_name=marks_name
    )


def unit_lines(
    series: dict, labels: list[str], unit: int, highlight: int | None = None, marks=(), marks_name: str = ""
) -> go.Figure:
    """One unit's gates (and state) over time as lines, in the gate colours. series: {name: [T]}."""
    fig = go.Figure()
    T = len(labels)
    for name, v in series.items():
        dash = "dot" if name in ("cell", "hidden") else None
        fig.add_trace(
            go.Scatter(
                x=np.arange(T),
                y=np.asarray(v, np.float32),
                mode="lines+markers",
                name=GATE_LABELS[name],
                line=dict(color=GATE_COLORS[name], width=3, dash=dash),
                marker=dict(size=5),
                customdata=np.array(labels, dtype=object),
                hovertemplate=GATE_LABELS[name] + "<br>step t=%{x} (input %{customdata})<br>value %{y:.3f}<extra></extra>",
            )
        )
    base_layout(
        fig,
        f"Unit {unit} step by step: every gate as a line",
        "time step t (and the input at that step)",
        "value (gates 0 to 1; states signed)",
        height=400,
    )
    from .states import time_ticks

    fig.update_xaxes(**time_ticks(labels, 20))
    if highlight is not None:
        fig.add_vline(x=highlight, line=dict(color="black", width=1, dash="dash"))
    mark_steps(fig, marks, marks_name)
    return fig


def lstm_cell_diagram(
    f: float, i: float, g: float, o: float, c_prev: float, c: float, h: float, t: int, unit: int, label: str
) -> go.Figure:
    """The LSTM cell for one unit at one step, with gates drawn as valves on the cell-state line:
    the valve's opening (bar height) is the gate's value."""
    fig = _Parts()
    y_line = 3.0
    fig.add_shape(type="line", x0=0, x1=10, y0=y_line, y1=y_line, line=dict(color=GATE_COLORS["cell"], width=6))
    fig.add_annotation(x=0, y=y_line + 0.45, text=f"c_(t−1) = {c_prev:+.3f}", showarrow=False, xanchor="left", font=dict(size=15))
    fig.add_annotation(x=10, y=y_line + 0.45, text=f"c_t = {c:+.3f}", showarrow=False, xanchor="right", font=dict(size=15))

    def valve(x, name, value, y0=0.6):
        col = GATE_COLORS[name]
        fig.add_shape(type="rect", x0=x - 0.45, x1=x + 0.45, y0=y0, y1=y0 + 1.4, line=dict(color=col, width=2))
        fig.add_shape(
            type="rect", x0=x - 0.45, x1=x + 0.45, y0=y0, y1=y0 + 1.4 * value, fillcolor=col, opacity=0.8, line=dict(width=0)
        )
        fig.add_annotation(
            x=x, y=y0 - 0.3, text=f"<b>{GATE_LABELS[name]}</b><br>{value:.3f}", showarrow=False, font=dict(size=13, color=col)
        )
        fig.add_annotation(
            x=x,
            y=y_line - 0.12,
            ax=x,
            ay=y0 + 1.45,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowwidth=2,
            arrowcolor=col,
            text="",
        )

    def op(x, symbol):
        fig.add_shape(
            type="circle",
            x0=x - 0.3,
            x1=x + 0.3,
            y0=y_line - 0.3,
            y1=y_line + 0.3,
            fillcolor="white",
            line=dict(color="black", width=2),
        )
        fig.add_annotation(x=x, y=y_line, text=f"<b>{symbol}</b>", showarrow=False, font=dict(size=18))

    op(2.5, "×")
    valve(2.5, "forget_gate", f)
    op(5.5, "+")
    valve(4.8, "input_gate", i, y0=0.2)
    fig.add_shape(
        type="rect",
        x0=5.75,
        x1=6.65,
        y0=0.2,
        y1=1.6,
        line=dict(color=GATE_COLORS["cell_candidate"], width=2),
        fillcolor=GATE_COLORS["cell_candidate"],
        opacity=0.15 + 0.6 * abs(g),
    )
    fig.add_annotation(
        x=6.2,
        y=-0.1,
        text=f"<b>candidate g</b><br>{g:+.3f}",
        showarrow=False,
        font=dict(size=13, color=GATE_COLORS["cell_candidate"]),
    )
    fig.add_annotation(
        x=5.5,
        y=y_line - 0.32,
        ax=5.5,
        ay=1.7,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=2,
        arrowwidth=2,
        text="",
    )
    fig.add_annotation(x=5.65, y=2.1, text=f"i·g = {i * g:+.3f}", showarrow=False, xanchor="left", font=dict(size=13))
    fig.add_annotation(x=2.5, y=3.75, text=f"f·c = {f * c_prev:+.3f}", showarrow=False, font=dict(size=13))
    valve(8.6, "output_gate", o)
    fig.add_annotation(
        x=10.2,
        xanchor="right",
        y=4.6,
        text=f"h_t = o · tanh(c_t) = {o:.3f} · {np.tanh(c):+.3f} = <b>{h:+.3f}</b>",
        showarrow=False,
        font=dict(size=15, color=GATE_COLORS["hidden"]),
    )
    return _cell_layout(
        fig.figure(),
        f"Inside the LSTM cell: unit {unit} at step t={t} (input {label}); each valve is filled as far as its gate is open",
        ymin=-0.6,
    )


def _cell_layout(fig: go.Figure, title: str, ymin: float) -> go.Figure:
    """The cell diagrams' frame: no axes, a fixed drawing area, the title."""
    fig.update_layout(
        height=430,
        template=WHITE,
        margin=dict(l=10, r=10, t=60, b=10),
        showlegend=False,
        title=dict(text=title, font=dict(size=17)),
        xaxis=dict(visible=False, range=[-0.3, 10.3]),
        yaxis=dict(visible=False, range=[ymin, 5.0]),
    )
    return fig


def gru_cell_diagram(r: float, z: float, n: float, h_prev: float, h: float, t: int, unit: int, label: str) -> go.Figure:
    """The GRU cell for one unit at one step, drawn like the LSTM's: the state line h runs from
    h_(t−1) (left) to h_t (right); the update gate z is a valve on the old state, 1 − z a valve on
    the candidate n, and the reset gate r a valve on how much of the past the candidate may see.
    Every valve is filled as far as its gate is open; every number is the real one."""
    fig = _Parts()
    y_line = 3.0
    col_h = GATE_COLORS["hidden"]
    fig.add_shape(type="line", x0=0, x1=10, y0=y_line, y1=y_line, line=dict(color=col_h, width=6))
    fig.add_annotation(x=0, y=y_line + 0.45, text=f"h_(t−1) = {h_prev:+.3f}", showarrow=False, xanchor="left", font=dict(size=15))
    fig.add_annotation(x=10, y=y_line + 0.45, text=f"h_t = {h:+.3f}", showarrow=False, xanchor="right", font=dict(size=15))

    def arrow(x0, y0, x1, y1, color="black"):
        fig.add_annotation(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=2, arrowwidth=2,
            arrowcolor=color, text="",
        )  # fmt: skip

    def valve(x, y0, color, title, value):
        fig.add_shape(type="rect", x0=x - 0.45, x1=x + 0.45, y0=y0, y1=y0 + 1.4, line=dict(color=color, width=2))
        fig.add_shape(
            type="rect", x0=x - 0.45, x1=x + 0.45, y0=y0, y1=y0 + 1.4 * value, fillcolor=color, opacity=0.8, line=dict(width=0)
        )
        fig.add_annotation(
            x=x, y=y0 - 0.3, text=f"<b>{title}</b><br>{value:.3f}", showarrow=False, font=dict(size=13, color=color)
        )

    def op(x, symbol):
        fig.add_shape(
            type="circle", x0=x - 0.3, x1=x + 0.3, y0=y_line - 0.3, y1=y_line + 0.3,
            fillcolor="white", line=dict(color="black", width=2),
        )  # fmt: skip
        fig.add_annotation(x=x, y=y_line, text=f"<b>{symbol}</b>", showarrow=False, font=dict(size=18))

    op(3.0, "×")
    valve(3.0, 0.6, GATE_COLORS["update_gate"], "update gate z", z)
    arrow(3.0, 2.05, 3.0, y_line - 0.32, GATE_COLORS["update_gate"])
    fig.add_annotation(x=3.0, y=3.75, text=f"z·h_(t−1) = {z * h_prev:+.3f}", showarrow=False, font=dict(size=13))
    valve(0.9, 0.6, GATE_COLORS["reset_gate"], "reset gate r", r)
    cand = GATE_COLORS["candidate"]
    fig.add_shape(
        type="rect", x0=5.0, x1=5.9, y0=0.6, y1=2.0, line=dict(color=cand, width=2), fillcolor=cand, opacity=0.15 + 0.6 * abs(n)
    )
    fig.add_annotation(
        x=5.45, y=0.52, yanchor="top", text=f"<b>candidate n</b><br>{n:+.3f}", showarrow=False, font=dict(size=13, color=cand)
    )
    arrow(1.4, 1.3, 4.95, 1.3, GATE_COLORS["reset_gate"])
    valve(7.3, 0.6, GATE_COLORS["update_gate"], "1 − z", 1 - z)
    arrow(5.95, 1.3, 6.8, 1.3, cand)
    op(7.3, "+")
    arrow(7.3, 2.05, 7.3, y_line - 0.32, GATE_COLORS["update_gate"])
    fig.add_annotation(x=7.3, y=3.75, text=f"(1−z)·n = {(1 - z) * n:+.3f}", showarrow=False, font=dict(size=13))
    fig.add_annotation(
        x=5.0,
        y=4.6,
        text=f"h_t = (1 − z)·n + z·h_(t−1) = {1 - z:.3f}·{n:+.3f} + {z:.3f}·{h_prev:+.3f} = <b>{h:+.3f}</b>",
        showarrow=False,
        font=dict(size=15, color=col_h),
    )
    return _cell_layout(
        fig.figure(),
        f"Inside the GRU cell: unit {unit} at step t={t} (input {label})"
        "<br><sup>each valve is filled as far as its gate is open</sup>",
        ymin=-0.3,
    )


def saturation_figure(sat: dict) -> go.Figure:
    """Per unit and gate: share of steps left-saturated (< 0.1) against right-saturated (> 0.9)."""
    fig = go.Figure()
    fig.add_shape(type="line", x0=0, y0=1, x1=1, y1=0, line=dict(color="#999", dash="dot"))
    for name, (left, right) in sat.items():
        fig.add_trace(
            go.Scatter(
                x=left,
                y=right,
                mode="markers",
                name=GATE_LABELS[name],
                marker=dict(color=GATE_COLORS[name], size=10, opacity=0.75, line=dict(color="white", width=1)),
                customdata=np.arange(len(left)),
                hovertemplate=GATE_LABELS[name] + ", unit %{customdata}<br>below 0.1: %{x:.0%} of steps"
                "<br>above 0.9: %{y:.0%} of steps<extra></extra>",
            )
        )
    base_layout(
        fig,
        "Gate saturation: how often each unit's gate is shut or wide open",
        "fraction of steps the gate is below 0.1 (shut)",
        "fraction of steps above 0.9 (open)",
        height=460,
    )
    fig.update_xaxes(range=[-0.03, 1.03], tickformat=".0%")
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    return fig
