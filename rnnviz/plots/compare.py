"""Compare-lab figures: a race's overlaid held-out curves, and the sweep's solve rate and
steps-to-solve against sequence length (or held-out score against data size). Plain lists, numpy
and pandas in; plotly out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import ARCH_COLORS, LINE, base_layout, reference_line

COLORS = {**ARCH_COLORS, "cnn": "#2ca02c", "transformer": "#9467bd", "gru_attention": "#d62728"}
DASHES = {"rnn": "dot", "lstm": "solid", "gru": "solid", "cnn": "dash", "transformer": "dashdot", "gru_attention": "longdash"}
SYMBOLS = {"rnn": "circle", "lstm": "square", "gru": "diamond", "cnn": "triangle-up", "transformer": "star", "gru_attention": "x"}


def _log_range(values, lines) -> list[float]:
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    lo = min([*lines, v.min()] if v.size else lines)
    hi = max([*lines, v.max()] if v.size else lines)
    return [float(np.log10(lo)) - 0.3, float(np.log10(hi)) + 0.3]


def race_figure(curves: list[dict], baseline: float, solved: float, loss_name: str, x: str = "step") -> go.Figure:
    """One held-out loss curve per model, overlaid, log scale, with the chance and solved lines.

    curves: one dict per model with arch, label, step, loss and (for x="seconds") seconds, the
    training seconds at each point. x: "step" or "seconds"."""
    fig = go.Figure()
    everything = []
    for c in curves:
        xs = np.asarray(c["seconds"] if x == "seconds" else c["step"], np.float64)
        ys = np.asarray(c["loss"], np.float32)
        everything.append(ys)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=c["label"],
                line=dict(color=COLORS.get(c["arch"]), width=3, dash=DASHES.get(c["arch"], "solid")),
                marker=dict(size=6, symbol=SYMBOLS.get(c["arch"], "circle")),
                hovertemplate=c["label"]
                + ("<br>%{x:.1f} s" if x == "seconds" else "<br>step %{x}")
                + "<br>held-out loss %{y:.4g}<extra></extra>",
            )
        )
    reference_line(fig, baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", True, True)
    reference_line(fig, solved, f"solved: {solved:.3g}", LINE["solved"], "dot", False, True)
    xlabel = "training seconds (each model's own)" if x == "seconds" else "training step (the same batches for every model)"
    base_layout(fig, "Held-out loss of every model in the race", xlabel, f"held-out loss ({loss_name}, log scale)", height=420)
    allv = np.concatenate(everything) if everything else np.zeros(0, np.float32)
    fig.update_yaxes(type="log", range=_log_range(allv, [baseline, solved]), exponentformat="power")
    if not curves or all(len(c["step"]) == 0 for c in curves):
        fig.update_xaxes(range=[0, 100])
    return fig


def _per_model(fig: go.Figure, df: pd.DataFrame, x: str, y: str, hover: str, size_col: str | None = None) -> None:
    for arch, g in df.groupby("arch", sort=False):
        g = g.sort_values(x)
        fig.add_trace(
            go.Scatter(
                x=g[x].to_numpy(),
                y=g[y].to_numpy(np.float64),
                mode="lines+markers",
                name=str(g["label"].iloc[0]),
                line=dict(color=COLORS.get(arch), width=3, dash=DASHES.get(arch, "solid")),
                marker=dict(size=11, symbol=SYMBOLS.get(arch, "circle"), color=COLORS.get(arch)),
                customdata=g[[c for c in ("solved_seeds", "seeds") if c in g]].to_numpy(),
                hovertemplate=str(g["label"].iloc[0]) + hover + "<extra></extra>",
            )
        )


def solve_rate_figure(summary: pd.DataFrame) -> go.Figure:
    """A grid, one row per model and one column per sequence length, each square coloured by the share
    of seeds that solved the task there and labelled "solved/seeds" (e.g. 3/3).
    summary: one row per (arch, seq_len) with label, solve_rate, solved_seeds, seeds."""
    archs = list(dict.fromkeys(summary["arch"])) if len(summary) else []
    labels = [str(summary[summary["arch"] == a]["label"].iloc[0]) for a in archs]
    lengths = sorted(summary["seq_len"].unique()) if len(summary) else []
    rate = np.full((len(archs), len(lengths)), np.nan, np.float32)
    text = np.full((len(archs), len(lengths)), "", object)
    for _, r in summary.iterrows():
        i, j = archs.index(r["arch"]), lengths.index(r["seq_len"])
        rate[i, j] = r["solve_rate"]
        text[i, j] = f"{int(r['solved_seeds'])}/{int(r['seeds'])}"
    fig = go.Figure(
        go.Heatmap(
            z=rate,
            x=[f"T={T}" for T in lengths],
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=16),
            zmin=0,
            zmax=1,
            colorscale=[[0, "#f4cccc"], [0.5, "#fff2cc"], [1, "#b6d7a8"]],
            xgap=3,
            ygap=3,
            showscale=False,
            hovertemplate="%{y} at %{x}: solved in %{text} seeds<extra></extra>",
        )
    )
    base_layout(fig, "Which models solve the task, by sequence length", "sequence length", "", height=380)
    fig.update_layout(margin=dict(l=130, r=20, t=60, b=60))
    fig.update_yaxes(autorange="reversed")
    return fig


def steps_to_solve_figure(summary: pd.DataFrame, budget: int) -> go.Figure:
    """Median steps to solve (over the seeds that solved) against the sequence length, one line per
    model, with the step budget as a ceiling: a model missing at a length did not solve it."""
    fig = go.Figure()
    df = summary.dropna(subset=["median_steps_to_solve"])
    _per_model(
        fig, df, "seq_len", "median_steps_to_solve", "<br>T=%{x}<br>median %{y:,.0f} steps (over %{customdata[0]} solved seeds)"
    )
    reference_line(fig, budget, f"step budget: {budget:,}", LINE["bound"], "dash", False, True)
    base_layout(
        fig,
        "How long solving took, by sequence length",
        "sequence length T (log scale)",
        "steps to solve (median, log scale)",
        height=420,
    )
    lengths = sorted(summary["seq_len"].unique()) if len(summary) else [10, 200]
    fig.update_xaxes(type="log", tickvals=lengths, ticktext=[str(t) for t in lengths])
    vals = df["median_steps_to_solve"].to_numpy(np.float64) if len(df) else np.array([budget / 10])
    ticks = [v for v in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000) if v <= 4 * budget]
    fig.update_yaxes(type="log", range=_log_range(vals, [budget]), tickvals=ticks, ticktext=[f"{v:,}" for v in ticks])
    return fig


def data_size_figure(summary: pd.DataFrame, metric_name: str, solved: float, baseline: float) -> go.Figure:
    """Median held-out metric against the number of distinct training sequences, one line per model."""
    fig = go.Figure()
    _per_model(
        fig,
        summary,
        "train_size",
        "median_final_metric",
        "<br>%{x:,} training sequences<br>held-out " + metric_name + " %{y:.4g}",
    )
    reference_line(fig, baseline, f"chance: {baseline:.3g}", LINE["baseline"], "dash", True, True)
    reference_line(fig, solved, f"solved: {solved:.3g}", LINE["solved"], "dot", False, True)
    base_layout(
        fig,
        "Held-out score against the amount of training data",
        "distinct training sequences (log scale)",
        f"held-out {metric_name} (median, log scale)",
        height=420,
    )
    sizes = sorted(summary["train_size"].unique()) if len(summary) else [100, 10000]
    fig.update_xaxes(type="log", tickvals=sizes, ticktext=[f"{int(s):,}" for s in sizes])
    vals = summary["median_final_metric"].to_numpy(np.float64) if len(summary) else np.array([baseline])
    fig.update_yaxes(type="log", range=_log_range(vals, [baseline, solved]), exponentformat="power")
    return fig
