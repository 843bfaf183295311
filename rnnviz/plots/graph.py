"""The unrolled computation graph and the numbers of one step."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .marks import MARK
from .style import WEIGHT_COLORS, WHITE


def unrolled_figure(
    steps: list,
    values: dict,
    labels: list[str],
    mode: str = "forward",
    highlight: int | None = None,
    T: int | None = None,
    marks=(),
    marks_name: str = "",
) -> go.Figure:
    """Columns are time steps (None = the collapsed middle); rows x_t, h_t, y_t. Arrows use the
    same colour for the same shared weight at every step. mode "forward" colours h_t by ||h_t||,
    "backward" by ||dL/dh_t|| on a log scale. marks: steps the answer depends on (their input nodes
    are drawn gold, with a ★; pass them in ``steps`` too so they are drawn)."""
    T = T or len(labels)
    fig = go.Figure()
    cols = {s: i for i, s in enumerate(steps)}
    X = {s: 1.6 * i for s, i in cols.items() if s is not None}
    ys = {"x": 0.0, "h": 1.5, "y": 3.0}
    scored = values["scored"]
    if mode == "forward":
        hv, hname, cs = values["h"], "||h_t||", "Viridis"
        hz = hv
    else:
        hv, hname, cs = values["grad"], "||dL/dh_t||", "Plasma"
        hz = np.log10(np.maximum(hv, 1e-30))

    def arrow(x0, y0, x1, y1, color, dash=False):
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowwidth=2.5,
            arrowcolor=color,
            standoff=16,
            startstandoff=16,
            text="",
        )

    shown = [s for s in steps if s is not None]
    for s in shown:
        x = X[s]
        arrow(x, ys["x"], x, ys["h"], WEIGHT_COLORS["W_x"])
        if scored[s]:
            arrow(x, ys["h"], x, ys["y"], WEIGHT_COLORS["W_y"])
        nxt = steps[cols[s] + 1] if cols[s] + 1 < len(steps) else "end"
        if nxt is None:
            gap = steps[cols[s] + 2] - s - 1
            # the dots on the chain, the count below it among the step numbers (not on the nodes)
            fig.add_annotation(x=x + 1.6, y=ys["h"], text="<b>…</b>", showarrow=False, font=dict(size=18))
            fig.add_annotation(
                x=x + 1.6, y=-0.75, text=f"{gap} more<br>step{'s' * (gap > 1)}", showarrow=False, font=dict(size=13, color="#555")
            )
            arrow(x, ys["h"], x + 1.6 - 0.5, ys["h"], WEIGHT_COLORS["W_h"])
            arrow(x + 1.6 + 0.5, ys["h"], x + 3.2, ys["h"], WEIGHT_COLORS["W_h"])
        elif nxt != "end":
            arrow(x, ys["h"], X[nxt], ys["h"], WEIGHT_COLORS["W_h"])
    xs = [X[s] for s in shown]
    # input nodes (the marked ones gold)
    marked = {int(m) for m in marks}
    fill = ["#ffe8a3" if s in marked else "#e8f5e9" for s in shown]
    edge = [MARK if s in marked else WEIGHT_COLORS["W_x"] for s in shown]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[ys["x"]] * len(xs),
            mode="markers+text",
            name="x_t (input)",
            marker=dict(size=34, color=fill, line=dict(color=edge, width=[5 if s in marked else 3 for s in shown])),
            text=[labels[s][:6] for s in shown],
            textfont=dict(size=12),
            customdata=np.stack([shown, values["x"][shown]], -1),
            hovertemplate="x_%{customdata[0]:.0f} = %{text}<br>||x_t|| = %{customdata[1]:.3f}<extra></extra>",
        )
    )
    hcol = hz[shown]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[ys["h"]] * len(xs),
            mode="markers",
            name="h_t (hidden state)",
            marker=dict(
                size=42,
                color=hcol,
                colorscale=cs,
                line=dict(color="black", width=2),
                showscale=True,
                cmin=float(hcol.min()),
                cmax=float(max(hcol.max(), hcol.min() + 1e-6)),
                colorbar=dict(title=dict(text=hname if mode == "forward" else "log10 ||dL/dh_t||", side="right")),
            ),
            customdata=np.stack([shown, hv[shown]], -1),
            hovertemplate="h_%{customdata[0]:.0f}<br>" + hname + " = %{customdata[1]:.3g}<extra></extra>",
        )
    )
    ysc = [s for s in shown if scored[s]]
    fig.add_trace(
        go.Scatter(
            x=[X[s] for s in ysc],
            y=[ys["y"]] * len(ysc),
            mode="markers",
            name="y_t (scored output)",
            marker=dict(size=32, color="#e3f2fd", line=dict(color=WEIGHT_COLORS["W_y"], width=3)),
            customdata=np.stack([ysc, values["y"][ysc]], -1) if ysc else None,
            hovertemplate="y_%{customdata[0]:.0f}<br>||y_t|| = %{customdata[1]:.3f}<extra></extra>",
        )
    )
    for s in shown:
        star = "★ " if s in marked else ""
        fig.add_annotation(
            x=X[s], y=-0.75, text=f"{star}t={s}", showarrow=False, font=dict(size=13, color=MARK if star else "black")
        )
    if marked & set(shown) and marks_name:
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", marker=dict(size=14, color="#ffe8a3", line=dict(color=MARK, width=3)),
                name=f"★ {marks_name}",
            )
        )  # fmt: skip
    if highlight is not None and highlight in X:
        fig.add_shape(
            type="rect",
            x0=X[highlight] - 0.6,
            x1=X[highlight] + 0.6,
            y0=-1.0,
            y1=3.5,
            line=dict(color="#d62728", width=3, dash="dot"),
        )
    for name, color in WEIGHT_COLORS.items():  # legend entries for the shared weights
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="lines", line=dict(color=color, width=3), name=f"{name} (the same matrix at every step)"
            )
        )
    title = (
        "Unrolled through time: forward pass, h_t coloured by its size"
        if mode == "forward"
        else "Unrolled through time: backward pass (BPTT), h_t coloured by the gradient reaching it"
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=18)),
        height=440,
        template=WHITE,
        margin=dict(l=10, r=10, t=70, b=10),
        font=dict(size=14),
        legend=dict(orientation="h", y=-0.05),
        hoverlabel=dict(font_size=14),
        xaxis=dict(visible=False, range=[-0.8, 1.6 * (len(steps) - 1) + 0.8]),
        yaxis=dict(visible=False, range=[-1.1, 3.6]),
    )
    return fig


def _vec(v) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(f"{float(a):+.2f}" for a in v) + r"\end{bmatrix}"


def _mat(m) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(f"{float(a):+.2f}" for a in row) for row in m) + r"\end{bmatrix}"


def step_latex(n) -> list[str]:
    """Two LaTeX lines for h_t = phi(W_x x_t + W_h h_(t-1) + b) with the numbers of a StepNumbers:
    the sum inside the nonlinearity, then the squashing."""
    f = r"\tanh" if n.nonlinearity == "tanh" else r"\mathrm{relu}"
    first = (
        rf"a_{{{n.t}}} = \underbrace{{{_mat(n.W_x)}}}_{{W_x}} \underbrace{{{_vec(n.x)}}}_{{x_{{{n.t}}}}}"
        rf" + \underbrace{{{_mat(n.W_h)}}}_{{W_h}} \underbrace{{{_vec(n.h_prev)}}}_{{h_{{{n.t - 1}}}}}"
        rf" + \underbrace{{{_vec(n.b)}}}_{{b}} = {_vec(n.pre)}"
    )
    second = rf"h_{{{n.t}}} = {f}(a_{{{n.t}}}) = {f}{_vec(n.pre)} = {_vec(n.h)}"
    return [first, second]


SHAPES = (
    ("one-to-one", [True], [True], "no recurrence needed:\none input, one answer"),
    ("one-to-many", [True, False, False, False], [True, True, True, True], "waveform: one class in,\na whole wave out"),
    ("many-to-one", [True, True, True, True], [False, False, False, True], "adding, sentiment:\nread it all, answer once"),
    ("many-to-many", [True, True, True, True], [True, True, True, True], "char model, Reber, sines:\nan answer at every step"),
)


def shapes_figure() -> go.Figure:
    """The four ways to wire inputs and outputs to an unrolled RNN, each with a task that uses it."""
    fig = go.Figure()
    for k, (name, xs, ys, example) in enumerate(SHAPES):
        x0 = k * 5.2
        n = len(xs)
        for i in range(n):
            cx = x0 + 1.1 * i + (1.65 if n == 1 else 0)
            fig.add_shape(
                type="rect", x0=cx - 0.35, x1=cx + 0.35, y0=1.15, y1=1.85, fillcolor="#17becf", line=dict(color="black")
            )
            if xs[i]:
                fig.add_shape(type="rect", x0=cx - 0.3, x1=cx + 0.3, y0=0, y1=0.5, fillcolor="#2ca02c", line=dict(width=0))
                fig.add_annotation(
                    x=cx,
                    y=1.12,
                    ax=cx,
                    ay=0.52,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowcolor=WEIGHT_COLORS["W_x"],
                    arrowwidth=2,
                )
            if ys[i]:
                fig.add_shape(type="rect", x0=cx - 0.3, x1=cx + 0.3, y0=2.5, y1=3.0, fillcolor="#1f77b4", line=dict(width=0))
                fig.add_annotation(
                    x=cx,
                    y=2.48,
                    ax=cx,
                    ay=1.88,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowcolor=WEIGHT_COLORS["W_y"],
                    arrowwidth=2,
                )
            if i + 1 < n:
                fig.add_annotation(
                    x=cx + 0.72,
                    y=1.5,
                    ax=cx + 0.38,
                    ay=1.5,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowcolor=WEIGHT_COLORS["W_h"],
                    arrowwidth=2,
                )
        fig.add_annotation(x=x0 + 1.65, y=3.45, text=f"<b>{name}</b>", showarrow=False, font=dict(size=15))
        fig.add_annotation(
            x=x0 + 1.65, y=-0.55, text=example.replace("\n", "<br>"), showarrow=False, font=dict(size=12, color="#555")
        )
    for label, color in (("input x_t", "#2ca02c"), ("hidden state h_t", "#17becf"), ("output y_t", "#1f77b4")):
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="markers", name=label, marker=dict(symbol="square", size=14, color=color))
        )
    fig.update_layout(
        height=330,
        template=WHITE,
        margin=dict(l=10, r=10, t=50, b=10),
        title=dict(text="Four ways to wire an RNN (red arrows: the state carried to the next step)", font=dict(size=17)),
        legend=dict(orientation="h", y=-0.05),
        xaxis=dict(visible=False, range=[-0.6, 20.2]),
        yaxis=dict(visible=False, range=[-1.1, 3.7]),
    )
    return fig
