"""Forecast figures: the history, the held-out stretch (what really happened) and every model's forecast
over it, with a band from several seeds. Numpy in, plotly Figure out (no torch)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import ARCH_COLORS, ARCH_LABELS, base_layout

BASELINE_STYLE = {  # name -> (label, colour, dash)
    "naive": ("naive: last value", "#7f7f7f", "dash"),
    "seasonal_naive": ("seasonal naive", "#8c564b", "dot"),
    "ets": ("exponential smoothing", "#2ca02c", "dashdot"),
}
HISTORY = "#444444"
ACTUAL = "#000000"
FILLED = "#d62728"


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _x(axis) -> np.ndarray:
    a = np.asarray(axis)
    return a.astype("datetime64[D]").astype(str) if np.issubdtype(a.dtype, np.datetime64) else a


def forecast_figure(
    axis,
    values,
    n_train: int,
    forecasts: dict,
    band: dict | None = None,
    *,
    title: str,
    unit: str,
    kind: str = "iterated",
    show_last: int | None = None,
    filled=None,
    x_title: str | None = None,
    view: tuple[int, int] | None = None,
    height: int = 560,
) -> go.Figure:
    """The series with the held-out stretch shaded and forecasts drawn over it.

    axis: dates (datetime64) or step numbers [N]. values: [N]. n_train: where the held-out stretch
    starts. forecasts: {name: [H] array}, names "naive", "seasonal_naive", "ets", "rnn", "lstm", "gru".
    band: {arch: (low [H], high [H])} over seeds. kind: "iterated" or "one_step" (only the words change).
    show_last: draw only this many values of history before the held-out stretch (None: all).
    filled: bool [N], True where a value was filled in rather than measured (marked).
    x_title: the x axis' title (default "date" or "step"). view: (first, last) index shown at first
    (the rest is a zoom-out away: double-click the chart).
    """
    x = _x(axis)
    y = np.asarray(values, np.float32)
    start = 0 if show_last is None else max(0, n_train - int(show_last))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x[start : n_train + 1],
            y=y[start : n_train + 1],
            mode="lines",
            name="history (learned from)",
            line=dict(color=HISTORY, width=1.6),
            hovertemplate="%{x}<br>%{y:.4g} " + unit + "<extra>history</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x[n_train:],
            y=y[n_train:],
            mode="lines+markers" if len(y) - n_train <= 60 else "lines",
            name="what really happened",
            line=dict(color=ACTUAL, width=3),
            marker=dict(size=5),
            hovertemplate="%{x}<br>actual %{y:.4g} " + unit + "<extra></extra>",
        )
    )
    if filled is not None and np.any(np.asarray(filled)[start:]):
        f = np.flatnonzero(np.asarray(filled))
        f = f[f >= start]
        fig.add_trace(
            go.Scatter(
                x=x[f],
                y=y[f],
                mode="markers",
                name="filled in (no measurement that week)",
                marker=dict(color=FILLED, size=5, symbol="x"),
                hovertemplate="%{x}<br>filled in: %{y:.4g}<extra></extra>",
            )
        )
    xf = x[n_train:]
    for name, (label, color, dash) in BASELINE_STYLE.items():
        if name in forecasts:
            fig.add_trace(
                go.Scatter(
                    x=xf,
                    y=np.asarray(forecasts[name], np.float32),
                    mode="lines",
                    name=label,
                    line=dict(color=color, width=2, dash=dash),
                    hovertemplate="%{x}<br>" + label + ": %{y:.4g}<extra></extra>",
                )
            )
    for arch in ("rnn", "lstm", "gru"):
        if arch not in forecasts:
            continue
        color, label = ARCH_COLORS[arch], ARCH_LABELS[arch]
        if band and arch in band:
            lo, hi = (np.asarray(v, np.float32) for v in band[arch])
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([xf, xf[::-1]]),
                    y=np.concatenate([hi, lo[::-1]]),
                    fill="toself",
                    mode="lines",
                    fillcolor=_rgba(color, 0.2),
                    line=dict(width=0),
                    name=f"{label}: seeds' range",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=xf,
                y=np.asarray(forecasts[arch], np.float32),
                mode="lines",
                name=f"{label}" + (" (mean of seeds)" if band and arch in band else ""),
                line=dict(color=color, width=3.5),
                hovertemplate="%{x}<br>" + label + ": %{y:.4g}<extra></extra>",
            )
        )
    fig.add_vrect(x0=x[n_train], x1=x[-1], fillcolor="rgba(255,200,0,0.10)", line_width=0, layer="below")
    fig.add_vline(x=x[n_train], line=dict(color="#999999", dash="dot", width=1.5))
    lo, hi = view if view is not None else (start, len(x) - 1)
    lo, hi = max(0, lo), min(len(x) - 1, hi)
    fig.add_annotation(
        x=x[hi],
        xanchor="right",
        y=1,
        yref="paper",
        yanchor="bottom",
        text="held out: never shown to the models",
        showarrow=False,
        font=dict(size=13, color="#555555"),
    )
    what = "each forecast one step ahead" if kind == "one_step" else f"forecast {len(xf)} steps ahead, all at once"
    dated = np.issubdtype(np.asarray(axis).dtype, np.datetime64)
    head = f"{title}<br><span style='font-size:14px'>{what}</span>" if forecasts else title
    base_layout(fig, head, x_title or ("date" if dated else "step"), unit, height)
    fig.update_xaxes(range=[x[lo], x[hi]])
    fig.update_layout(
        margin=dict(l=70, r=30, t=90, b=150),
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0, xanchor="left", font=dict(size=13)),
    )
    return fig
