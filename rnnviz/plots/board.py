"""The class board's figures: every student's held-out curve on one chart, coloured by architecture, and each
run's steps to solve, one dot per run, so the spread over seeds shows. Plain lists in; plotly out (built from
plain dicts without plotly's checks: a board of 60 students x 3 runs redraws every few seconds on the server;
tests/unit/test_board_ui.py builds them again with the checks on)."""

from __future__ import annotations

import html
import math

import numpy as np

from .compare import COLORS
from .style import LINE, layout_dict, quick_figure, reference_parts

NAMES = {
    "rnn": "vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "cnn": "causal CNN",
    "transformer": "Transformer",
    "gru_attention": "GRU + attention",
}
ORDER = ("rnn", "lstm", "gru", "cnn", "transformer", "gru_attention")
POINTS_PER_CURVE = 60  # drawn per run: the board's curves are read as a crowd, not one by one


def arch_order(arch: str) -> tuple:
    return (ORDER.index(arch) if arch in ORDER else len(ORDER), arch)


def plain(text) -> str:
    """Text a student typed, safe in plotly's hover and legend (which render a few HTML tags)."""
    return html.escape(str(text), quote=True)


def _thin(n: int, most: int) -> list[int]:
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


def curves_figure(curves: list[dict], baseline: float, solved: float, loss_name: str, title: str) -> object:
    """One line per run, all runs of an architecture in one colour (one trace per architecture, runs apart by
    gaps, so 180 runs draw as fast as 3). curves: dicts with arch, nickname, seed, step, loss (None where
    the run had no finite score), solved_step. Hover: nickname, seed, step, loss, solved or not."""
    data: list[dict] = []
    values: list[float] = []
    by_arch: dict[str, list[dict]] = {}
    for c in curves:
        by_arch.setdefault(c["arch"], []).append(c)
    for arch in sorted(by_arch, key=arch_order):
        xs: list = []
        ys: list = []
        info: list = []
        runs = by_arch[arch]
        for c in runs:
            idx = _thin(len(c["step"]), POINTS_PER_CURVE)
            who = f"{plain(c['nickname'])}, seed {c['seed']}"
            done = f"solved at step {c['solved_step']:,}" if c.get("solved_step") is not None else "not solved"
            for i in idx:
                y = c["loss"][i]
                ok = y is not None and math.isfinite(y) and y > 0
                xs.append(c["step"][i])
                ys.append(y if ok else None)
                info.append([who, done])
                if ok:
                    values.append(y)
            xs.append(None)
            ys.append(None)
            info.append(["", ""])
        data.append(
            dict(
                type="scatter",
                mode="lines",
                x=xs,
                y=ys,
                customdata=info,
                connectgaps=False,
                name=f"{NAMES.get(arch, plain(arch))} ({len(runs)} run{'s' if len(runs) != 1 else ''})",
                line=dict(color=COLORS.get(arch, "#333333"), width=2),
                opacity=0.75,
                hovertemplate="%{customdata[0]}<br>step %{x:,}: held-out loss %{y:.4g}<br>%{customdata[1]}<extra>"
                + NAMES.get(arch, plain(arch))
                + "</extra>",
            )
        )
    layout = layout_dict(title, "training step", f"held-out loss ({loss_name}, log scale)", height=440)
    shapes, notes = [], []
    for y, text, color, dash, above in (
        (baseline, "chance", LINE["baseline"], "dash", True),
        (solved, "solved", LINE["solved"], "dot", False),
    ):
        s, n = reference_parts(y, f"{text}: {y:.3g}", color, dash, above, log=True)
        shapes.append(s)
        notes.append(n)
    v = np.asarray(values + [baseline, solved], np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    layout["yaxis"].update(
        type="log", exponentformat="power", range=[float(np.log10(v.min())) - 0.3, float(np.log10(v.max())) + 0.3]
    )
    layout.update(shapes=shapes, annotations=notes, hovermode="closest")
    if not curves:
        layout["xaxis"]["range"] = [0, 100]
    return quick_figure(data, layout)


def solve_figure(runs: list[dict], title: str) -> object:
    """Steps to solve, one dot per run, one column per architecture and length: the spread is what the seed
    (and the student's other choices) did. Runs not solved (yet) sit in a row of hollow dots at the top.
    runs: dicts with arch, seq_len, nickname, seed, step, solved_step."""
    cols = sorted({(r["arch"], r["seq_len"]) for r in runs}, key=lambda k: (k[1], arch_order(k[0])))
    lengths = {T for _, T in cols}
    label = {k: NAMES.get(k[0], plain(k[0])) + (f" T={k[1]}" if len(lengths) > 1 else "") for k in cols}
    solved_steps = [r["solved_step"] for r in runs if r["solved_step"] is not None]
    top = max([*solved_steps, *(r["step"] for r in runs), 100]) * 1.12
    data = []
    rng = np.random.default_rng(0)  # a fixed small sideways jitter so dots on the same step do not hide each other
    for k in cols:
        mine = [r for r in runs if (r["arch"], r["seq_len"]) == k]
        done = [r for r in mine if r["solved_step"] is not None]
        not_yet = [r for r in mine if r["solved_step"] is None]
        color = COLORS.get(k[0], "#333333")
        for group, ys, symbol, what in (
            (done, [r["solved_step"] for r in done], "circle", "solved at step %{y:,}"),
            (not_yet, [top for _ in not_yet], "circle-open", "not solved (trained %{customdata[1]})"),
        ):
            if not group:
                continue
            j = rng.uniform(-0.18, 0.18, len(group))
            data.append(
                dict(
                    type="scatter",
                    mode="markers",
                    x=[cols.index(k) + float(d) for d in j],  # each dot a little sideways (plotly has no jitter here)
                    y=ys,
                    customdata=[[f"{plain(r['nickname'])}, seed {r['seed']}", f"{r['step']:,} steps"] for r in group],
                    marker=dict(color=color, size=12, symbol=symbol, line=dict(color=color, width=2)),
                    showlegend=False,
                    hovertemplate="%{customdata[0]}<br>" + what + "<extra>" + label[k] + "</extra>",
                )
            )
    layout = layout_dict(title, "", "steps to solve", height=380)
    layout["xaxis"].update(
        tickmode="array", tickvals=list(range(len(cols))), ticktext=[label[k] for k in cols], range=[-0.6, len(cols) - 0.4]
    )
    layout["yaxis"].update(range=[0, top * 1.08], rangemode="tozero")
    if runs and any(r["solved_step"] is None for r in runs):
        layout["annotations"] = [
            dict(
                x=0,
                xref="paper",
                xanchor="left",
                y=top,
                yref="y",
                yanchor="bottom",
                text="hollow dots up here: not solved (yet)",
                showarrow=False,
                font=dict(size=13, color=LINE["baseline"]),
            )
        ]
    return quick_figure(data, layout)
