"""Speed and memory figures: step time against T, sequential depth, streaming cost, the GRU kernel.

Every builder takes the plain dicts of ``rnnviz/compare/results/speed.json`` (lists of numbers) and
returns a plotly Figure. No torch here.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import ARCH_COLORS, base_layout

COLORS = {**ARCH_COLORS, "cnn": "#2ca02c", "transformer": "#9467bd", "gru_attention": "#8c564b"}
DASH = {"rnn": "solid", "lstm": "solid", "gru": "solid", "cnn": "dash", "transformer": "dot", "gru_attention": "dashdot"}
SYMBOL = {"rnn": "circle", "lstm": "square", "gru": "diamond", "cnn": "triangle-up", "transformer": "star", "gru_attention": "x"}


def _line(fig, arch: str, label: str, x, y, hover: str, customdata=None) -> None:
    fig.add_trace(
        go.Scatter(
            x=np.asarray(x, np.float64),
            y=np.asarray(y, np.float64),
            mode="lines+markers",
            name=label,
            line=dict(color=COLORS.get(arch, "#333333"), width=3, dash=DASH.get(arch, "solid")),
            marker=dict(size=9, symbol=SYMBOL.get(arch, "circle")),
            customdata=customdata,
            hovertemplate=hover,
        )
    )


def _log_axes(fig: go.Figure, x_values) -> None:
    """Log axes: x labelled at the measured values (those too close to the previous label left out), y at
    powers of ten only."""
    ticks = []
    for v in sorted(int(v) for v in x_values):
        if not ticks or v >= 1.6 * ticks[-1]:
            ticks.append(v)
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{v:,}" for v in ticks], tickangle=0)
    fig.update_yaxes(type="log", dtick=1)


def step_time_figure(parallel: dict) -> go.Figure:
    """Training step time (ms) against sequence length T, one line per model, log-log. A line of slope 1
    means the time doubles when T doubles; a flat line means the extra steps were done in parallel."""
    T = parallel["lengths"]
    fig = go.Figure()
    for arch, m in parallel["models"].items():
        depth = np.asarray(m["depth"])
        _line(
            fig,
            arch,
            m["label"],
            T,
            m["step_ms"],
            m["label"] + "<br>T=%{x}: %{y:.3g} ms per training step<br>sequential depth %{customdata}<extra></extra>",
            customdata=depth,
        )
    base_layout(
        fig,
        f"One training step (forward + backward + update), batch {parallel['batch']}, on {parallel['device'].upper()}",
        "sequence length T (log scale)",
        "milliseconds per step (log scale)",
        height=460,
    )
    _log_axes(fig, T)
    return fig


def depth_figure(parallel: dict) -> go.Figure:
    """Sequential depth (computations that must run one after another) against T, log-log."""
    T = parallel["lengths"]
    fig = go.Figure()
    for arch, m in parallel["models"].items():
        _line(
            fig,
            arch,
            m["label"],
            T,
            m["depth"],
            m["label"] + "<br>T=%{x}: %{y} steps one after another<br>" + m["depth_rule"] + "<extra></extra>",
        )
    base_layout(
        fig,
        "Sequential depth: computations that must wait in line",
        "sequence length T (log scale)",
        "dependent steps (log scale)",
        height=400,
    )
    _log_axes(fig, T)
    return fig


def stream_time_figure(stream: dict) -> go.Figure:
    """Time to process one new step at position t, per model (log x; y in ms)."""
    t = stream["positions"]
    fig = go.Figure()
    for arch, m in stream["models"].items():
        _line(fig, arch, m["label"], t, m["step_ms"], m["label"] + "<br>step t=%{x}: %{y:.3g} ms<extra></extra>")
    base_layout(
        fig,
        "Streaming: time to take in one new step, at position t (one sequence)",
        "position t in the stream (log scale)",
        "milliseconds for that one step (log scale)",
        height=420,
    )
    _log_axes(fig, t)
    return fig


def stream_memory_figure(stream: dict) -> go.Figure:
    """Bytes of state a model keeps between steps, at position t (log-log)."""
    t = stream["positions"]
    fig = go.Figure()
    for arch, m in stream["models"].items():
        kb = np.asarray(m["state_bytes"], np.float64) / 1024
        _line(
            fig,
            arch,
            m["label"],
            t,
            kb,
            m["label"] + "<br>after step t=%{x}: %{y:.3g} KiB kept<br>" + m["state_rule"] + "<extra></extra>",
        )
    base_layout(
        fig,
        "Streaming: memory kept between steps (one sequence, float32)",
        "position t in the stream (log scale)",
        "state kept, KiB (log scale)",
        height=420,
    )
    _log_axes(fig, t)
    return fig


KERNEL_LABELS = {
    "lstm_torch": "LSTM, torch nn.LSTM (fused C++ kernel)",
    "gru_torch": "GRU, torch nn.GRU (no fused CPU kernel)",
    "gru_rnnviz": "GRU, rnnviz (loops in C, backward by hand)",
    "lstm_loop": "LSTM, Python loop over the cells",
    "gru_loop": "GRU, Python loop over the cells",
}


def kernel_figure(kernel: dict) -> go.Figure:
    """Forward + backward time of each implementation as horizontal bars, with a line where the GRU would
    be if time followed arithmetic: 3/4 of the fused LSTM's time (FLOPs ratio GRU/LSTM)."""
    ms = kernel["fwd_bwd_ms"]
    keys = [k for k in KERNEL_LABELS if k in ms][::-1]
    colors = [COLORS["lstm"] if k.startswith("lstm") else COLORS["gru"] for k in keys]
    fig = go.Figure(
        go.Bar(
            x=[ms[k] for k in keys],
            y=[KERNEL_LABELS[k] for k in keys],
            orientation="h",
            marker_color=colors,
            text=[f"{ms[k]:.1f} ms" for k in keys],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.2f} ms forward + backward<extra></extra>",
        )
    )
    flops = kernel["flops_per_step"]
    ratio = flops["gru"] / flops["lstm"]
    expected = ms["lstm_torch"] * ratio
    fig.add_vline(x=expected, line=dict(color="#d62728", dash="dash", width=2))
    fig.add_annotation(
        x=expected,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        xanchor="left",
        text=f"a GRU as fused as the LSTM: {ratio:.2f} x {ms['lstm_torch']:.1f} = {expected:.1f} ms",
        showarrow=False,
        font=dict(color="#d62728", size=13),
    )
    base_layout(
        fig,
        f"Forward + backward, T={kernel['T']}, H={kernel['hidden']}, batch {kernel['batch']}, one CPU thread",
        "milliseconds (shorter is faster)",
        "",
        height=400,
    )
    fig.update_layout(margin=dict(l=20, r=60, t=90, b=60), showlegend=False)
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(range=[0, max(ms.values()) * 1.2])
    return fig


def threads_figure(gain: dict) -> go.Figure:
    """The same training step on 1 and on 2 threads, per model: grouped horizontal bars (ms), each model's
    second bar labelled with how many times as fast it ran."""
    n0, n1 = gain["threads"][0], gain["threads"][-1]
    models = list(gain["models"].items())[::-1]
    fig = go.Figure()
    for i, (n, opacity) in enumerate(((n0, 0.45), (n1, 1.0))):
        idx = 0 if i == 0 else len(gain["threads"]) - 1
        ms = [m["step_ms"][idx] for _, m in models]
        text = [f"{v:.3g} ms" for v in ms]
        if i:
            text = [f"{v:.3g} ms ({m['step_ms'][0] / v:.2f}x as fast)" for v, (_, m) in zip(ms, models)]
        fig.add_trace(
            go.Bar(
                x=ms,
                y=[m["label"] for _, m in models],
                orientation="h",
                name=f"{n} thread{'s' if n > 1 else ''}",
                marker=dict(color=[COLORS.get(a, "#333333") for a, _ in models], opacity=opacity),
                text=text,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}, " + f"{n} thread{'s' if n > 1 else ''}" + ": %{x:.3g} ms per step<extra></extra>",
            )
        )
    base_layout(
        fig,
        f"One training step at T={gain['T']} (batch {gain['batch']}): {n0} thread (pale) against {n1} (dark)",
        "milliseconds per training step (shorter is faster)",
        "",
        height=380,
    )
    top = max(max(m["step_ms"]) for _, m in models)
    fig.update_layout(barmode="group", margin=dict(l=20, r=40, t=80, b=60), legend=dict(traceorder="reversed"))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(range=[0, top * 1.45])
    return fig
