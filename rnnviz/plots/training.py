"""Training curves: loss against chance and solved lines, metric, gradient norm with clip events."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import LINE, base_layout, reference_line

MAX_POINTS = 1500
PAST_COLORS = ("#b07aa1", "#17becf", "#bcbd22")  # earlier runs: apart from the chance line (grey) and the live run


def _past(fig, past, name: str) -> None:
    """Earlier runs of the session beside the live one (added after its traces, which keep the first
    places in fig.data): dash-dotted lines in their own colours, one per run, drawn over the noisy
    per-batch curve so that a run stuck at the chance line still shows, labelled with
    what differed. past: [(label, steps, values)], newest first (held-out scores, or per-batch values
    thinned when a run was too short to be scored more than once)."""
    for k, (label, steps, values) in enumerate(past):
        s, v = _thin(steps, values)
        fig.add_trace(
            go.Scatter(
                x=s,
                y=v,
                mode="lines",
                name=f"earlier run: {label}",
                line=dict(color=PAST_COLORS[k % len(PAST_COLORS)], width=3, dash="dashdot"),
                opacity=0.8,
                hovertemplate="earlier run ("
                + label.replace("%", "%%")
                + ")<br>step %{x}<br>"
                + name
                + " %{y:.4g}<extra></extra>",
            )
        )


def _thin(steps, *series):
    """Keep at most MAX_POINTS evenly spaced points so a long run redraws quickly."""
    n = len(steps)
    idx = np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(int)) if n else np.array([], int)
    return (np.asarray(steps)[idx],) + tuple(np.asarray(s, dtype=np.float32)[idx] for s in series)


def _heldout(fig, steps, values, name: str, color: str) -> None:
    """The held-out score: bold markers joined by a line, on top of the noisy per-batch curve."""
    fig.add_trace(
        go.Scatter(
            x=np.asarray(steps),
            y=np.asarray(values, np.float32),
            mode="lines+markers",
            name=f"held-out {name} (fixed unseen batch)",
            line=dict(color=color, width=3),
            marker=dict(size=6, color=color),
            hovertemplate="step %{x}<br>held-out " + name + " %{y:.4g}<extra></extra>",
        )
    )


def loss_figure(
    steps,
    loss,
    baseline: float,
    solved: float,
    loss_name: str,
    log: bool = True,
    heldout_steps=(),
    heldout_loss=(),
    past=(),
) -> go.Figure:
    """Training loss per batch (thin, faint) and the held-out loss (bold) against chance and solved lines;
    past: earlier runs [(label, steps, loss)] drawn faint and dashed underneath."""
    s, l = _thin(steps, loss)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=s,
            y=l,
            mode="lines",
            name="training loss (each batch)",
            line=dict(color=LINE["loss"], width=1.5),
            opacity=0.45,
            hovertemplate="step %{x}<br>loss %{y:.4g}<extra></extra>",
        )
    )
    if len(heldout_steps):
        _heldout(fig, heldout_steps, heldout_loss, "loss", LINE["heldout"])
    _past(fig, past, "loss")
    reference_line(fig, baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", True, log)
    reference_line(fig, solved, f"solved: {solved:.3g}", LINE["solved"], "dot", False, log)
    base_layout(fig, "Loss: training batches and held-out", "training step", f"loss ({loss_name}, log scale)")
    if log:
        fig.update_yaxes(
            type="log",
            range=_log_range(
                [baseline, solved],
                np.concatenate([l, np.asarray(heldout_loss, np.float32), *(np.asarray(p[2], np.float32) for p in past)]),
            ),
            exponentformat="power",
        )
    _empty_x(fig, s if not past else np.concatenate([s, *(np.asarray(p[1]) for p in past)]))
    return fig


def _log_range(lines, values):
    """A log-axis range that always shows the reference lines and the finite, positive data."""
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    lo = min(min(lines), v.min() if v.size else np.inf)
    hi = max(max(lines), v.max() if v.size else -np.inf)
    return [np.log10(lo) - 0.3, np.log10(hi) + 0.3]


def _empty_x(fig, steps):
    if len(steps) == 0:
        fig.update_xaxes(range=[0, 100])


def metric_figure(
    steps,
    metric,
    name: str,
    baseline: float,
    solved: float,
    higher_is_better: bool = True,
    heldout_steps=(),
    heldout_metric=(),
    past=(),
) -> go.Figure:
    """The task's own score per training batch (faint) and on the held-out batch (bold); past: earlier
    runs [(label, steps, metric)] drawn faint and dashed underneath."""
    s, m = _thin(steps, metric)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=s,
            y=m,
            mode="lines",
            name=f"{name} (each training batch)",
            line=dict(color=LINE["metric"], width=1.5),
            opacity=0.45,
            hovertemplate="step %{x}<br>" + name + " %{y:.4g}<extra></extra>",
        )
    )
    if len(heldout_steps):
        _heldout(fig, heldout_steps, heldout_metric, name, LINE["heldout"])
        m = np.concatenate([m, np.asarray(heldout_metric, np.float32)])
    _past(fig, past, name)
    m = np.concatenate([m, *(np.asarray(p[2], np.float32) for p in past)])
    log = not higher_is_better  # an error is drawn on a log scale, like the loss
    reference_line(fig, baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", not higher_is_better, log)
    reference_line(fig, solved, f"solved: {solved:.3g}", LINE["solved"], "dot", higher_is_better, log)
    base_layout(fig, f"Task metric: {name}", "training step", name + ("" if higher_is_better else " (log scale)"))
    _empty_x(fig, s if not past else np.concatenate([s, *(np.asarray(p[1]) for p in past)]))
    if log:
        fig.update_yaxes(type="log", range=_log_range([baseline, solved], m), exponentformat="power")
        return fig
    v = np.asarray(m, np.float64)
    v = v[np.isfinite(v)]
    lo, hi = min(baseline, solved, v.min() if v.size else np.inf), max(baseline, solved, v.max() if v.size else -np.inf)
    pad = 0.08 * (hi - lo) + 1e-3
    fig.update_yaxes(range=[lo - pad, hi + pad])
    return fig


def grad_norm_figure(steps, grad_norm, clipped, clip_value: float | None) -> go.Figure:
    s, g = _thin(steps, grad_norm)
    fig = go.Figure(
        go.Scatter(
            x=s,
            y=g,
            mode="lines",
            name="gradient norm (before clipping)",
            line=dict(color=LINE["grad"], width=2),
            hovertemplate="step %{x}<br>||grad|| %{y:.4g}<extra></extra>",
        )
    )
    clipped = np.asarray(clipped, bool)
    if clipped.any():
        cs = np.asarray(steps)[clipped]
        cg = np.asarray(grad_norm, np.float32)[clipped]
        if len(cs) > MAX_POINTS:
            keep = np.linspace(0, len(cs) - 1, MAX_POINTS).astype(int)
            cs, cg = cs[keep], cg[keep]
        fig.add_trace(
            go.Scatter(
                x=cs,
                y=cg,
                mode="markers",
                name="clipped at this step",
                marker=dict(color=LINE["clip"], size=6 if len(cs) < 100 else 3, symbol="x"),
                hovertemplate="step %{x}: clipped<br>norm was %{y:.4g}<extra></extra>",
            )
        )
    if clip_value is not None:
        reference_line(fig, clip_value, f"clip threshold: {clip_value:g}", LINE["clip"], "dot", True, True)
    base_layout(fig, "Total gradient norm ||dL/dθ||", "training step", "norm (log scale)")
    fig.update_yaxes(type="log", range=_log_range([clip_value or 1.0], g), exponentformat="power")
    _empty_x(fig, s)
    return fig
