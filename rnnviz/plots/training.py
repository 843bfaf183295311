"""Training curves: loss against chance and solved lines, metric, gradient norm with clip events."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import LINE, layout_dict, quick_figure, reference_parts

MAX_POINTS = 800  # more than a chart's width in pixels; fewer points, faster redraws in every browser
PAST_COLORS = ("#b07aa1", "#17becf", "#bcbd22")  # earlier runs: apart from the chance line (grey) and the live run


def _past(past, name: str) -> list[dict]:
    """Earlier runs of the session beside the live one (added after its traces, which keep the first
    places in fig.data): dash-dotted lines in their own colours, one per run, drawn over the noisy
    per-batch curve so that a run stuck at the chance line still shows, labelled with
    what differed. past: [(label, steps, values)], newest first (held-out scores, or per-batch values
    thinned when a run was too short to be scored more than once)."""
    out = []
    for k, (label, steps, values) in enumerate(past):
        s, v = _thin(steps, values)
        out.append(
            dict(
                type="scatter",
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
    return out


def _thin(steps, *series):
    """Keep at most MAX_POINTS evenly spaced points so a long run redraws quickly."""
    n = len(steps)
    idx = np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(int)) if n else np.array([], int)
    return (np.asarray(steps)[idx],) + tuple(np.asarray(s, dtype=np.float32)[idx] for s in series)


def _heldout(steps, values, name: str, color: str) -> dict:
    """The held-out score: bold markers joined by a line, on top of the noisy per-batch curve."""
    return dict(
        type="scatter",
        x=np.asarray(steps),
        y=np.asarray(values, np.float32),
        mode="lines+markers",
        name=f"held-out {name} (fixed unseen batch)",
        line=dict(color=color, width=3),
        marker=dict(size=6, color=color),
        hovertemplate="step %{x}<br>held-out " + name + " %{y:.4g}<extra></extra>",
    )


def _batch_curve(s, v, name: str, color: str, hover: str, width: float = 1.5, opacity: float = 0.45) -> dict:
    """The per-batch curve (thinned): faint, under the held-out score."""
    return dict(
        type="scatter",
        x=s,
        y=v,
        mode="lines",
        name=name,
        line=dict(color=color, width=width),
        opacity=opacity,
        hovertemplate="step %{x}<br>" + hover + " %{y:.4g}<extra></extra>",
    )


def _figure(data, refs, title: str, x: str, y: str, yaxis: dict, steps) -> go.Figure:
    """The training charts' common frame: reference lines [(shape, note)], base layout, y axis, and an
    x axis from 0 to 100 before the first step."""
    layout = layout_dict(title, x, y)
    layout["shapes"] = [r[0] for r in refs]
    layout["annotations"] = [r[1] for r in refs]
    layout["yaxis"].update(yaxis)
    if len(steps) == 0:
        layout["xaxis"]["range"] = [0, 100]
    return quick_figure(data, layout)


def loss_figure(
    steps,
    loss,
    baseline: float,
    solved: float | None,
    loss_name: str,
    log: bool = True,
    heldout_steps=(),
    heldout_loss=(),
    past=(),
) -> go.Figure:
    """Training loss per batch (thin, faint) and the held-out loss (bold) against chance and solved lines
    (solved None: a task with no such line); past: earlier runs [(label, steps, loss)] drawn faint and dashed underneath."""
    s, l = _thin(steps, loss)
    data = [_batch_curve(s, l, "training loss (each batch)", LINE["loss"], "loss")]
    if len(heldout_steps):
        data.append(_heldout(heldout_steps, heldout_loss, "loss", LINE["heldout"]))
    data += _past(past, "loss")
    refs = [reference_parts(baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", True, log)]
    if solved is not None:
        refs.append(reference_parts(solved, f"solved: {solved:.3g}", LINE["solved"], "dot", False, log))
    yaxis = {}
    if log:
        live = np.concatenate([l, np.asarray(heldout_loss, np.float32)])
        values = np.concatenate([live, *(_near(np.asarray(p[2], np.float32), live) for p in past)])
        lines = [baseline] if solved is None else [baseline, solved]
        yaxis = dict(type="log", range=_log_range(lines, values), exponentformat="power")
    all_steps = s if not past else np.concatenate([s, *(np.asarray(p[1]) for p in past)])
    title, ytitle = "Loss: training batches and held-out", f"loss ({loss_name}, log scale)"
    return _figure(data, refs, title, "training step", ytitle, yaxis, all_steps)


def _near(values: np.ndarray, live: np.ndarray) -> np.ndarray:
    """An earlier run's values that may widen the log axis: within a factor of 100 of the live run's own. An
    exploded run (loss 1e34) is drawn leaving the top of the chart instead of squashing the live run into a line."""
    v = live[np.isfinite(live) & (live > 0)]
    if not v.size:
        return values
    return values[(values >= v.min() / 100) & (values <= v.max() * 100)]


def _log_range(lines, values):
    """A log-axis range that always shows the reference lines and the finite, positive data."""
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    lo = min(min(lines), v.min() if v.size else np.inf)
    hi = max(max(lines), v.max() if v.size else -np.inf)
    return [float(np.log10(lo) - 0.3), float(np.log10(hi) + 0.3)]


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
    data = [_batch_curve(s, m, f"{name} (each training batch)", LINE["metric"], name)]
    if len(heldout_steps):
        data.append(_heldout(heldout_steps, heldout_metric, name, LINE["heldout"]))
        m = np.concatenate([m, np.asarray(heldout_metric, np.float32)])
    data += _past(past, name)
    m = np.concatenate([m, *(np.asarray(p[2], np.float32) for p in past)])
    log = not higher_is_better  # an error is drawn on a log scale, like the loss
    refs = [
        reference_parts(baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", not higher_is_better, log),
        reference_parts(solved, f"solved: {solved:.3g}", LINE["solved"], "dot", higher_is_better, log),
    ]
    if log:
        yaxis = dict(type="log", range=_log_range([baseline, solved], m), exponentformat="power")
    else:
        v = np.asarray(m, np.float64)
        v = v[np.isfinite(v)]
        lo, hi = min(baseline, solved, v.min() if v.size else np.inf), max(baseline, solved, v.max() if v.size else -np.inf)
        pad = 0.08 * (hi - lo) + 1e-3
        yaxis = dict(range=[float(lo - pad), float(hi + pad)])
    all_steps = s if not past else np.concatenate([s, *(np.asarray(p[1]) for p in past)])
    ytitle = name + ("" if higher_is_better else " (log scale)")
    return _figure(data, refs, f"Task metric: {name}", "training step", ytitle, yaxis, all_steps)


def grad_norm_figure(steps, grad_norm, clipped, clip_value: float | None) -> go.Figure:
    s, g = _thin(steps, grad_norm)
    data = [_batch_curve(s, g, "gradient norm (before clipping)", LINE["grad"], "||grad||", width=2, opacity=1.0)]
    clipped = np.asarray(clipped, bool)
    if clipped.any():
        cs = np.asarray(steps)[clipped]
        cg = np.asarray(grad_norm, np.float32)[clipped]
        if len(cs) > MAX_POINTS:
            keep = np.linspace(0, len(cs) - 1, MAX_POINTS).astype(int)
            cs, cg = cs[keep], cg[keep]
        data.append(
            dict(
                type="scatter",
                x=cs,
                y=cg,
                mode="markers",
                name="clipped at this step",
                marker=dict(color=LINE["clip"], size=6 if len(cs) < 100 else 3, symbol="x"),
                hovertemplate="step %{x}: clipped<br>norm was %{y:.4g}<extra></extra>",
            )
        )
    refs = []
    if clip_value is not None:
        refs.append(reference_parts(clip_value, f"clip threshold: {clip_value:g}", LINE["clip"], "dot", True, True))
    yaxis = dict(type="log", range=_log_range([clip_value or 1.0], g), exponentformat="power")
    return _figure(data, refs, "Total gradient norm ||dL/dθ||", "training step", "norm (log scale)", yaxis, s)
