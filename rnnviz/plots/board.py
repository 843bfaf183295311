"""The class board's figures: every student's held-out curve on one chart, coloured by architecture, and each
run's steps to solve, one dot per run, so the spread over seeds shows. Plain lists in; plotly out (built from
plain dicts without plotly's checks: a board of 60 students x 3 runs redraws every few seconds on the server;
tests/unit/test_board_figures.py builds them again with the checks on)."""

from __future__ import annotations

import html

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
POINTS_PER_CURVE = 30  # drawn per run: the board's curves are read as a crowd, not one by one


def arch_order(arch: str) -> tuple:
    return (ORDER.index(arch) if arch in ORDER else len(ORDER), arch)


def plain(text) -> str:
    """Text a student typed, safe in plotly's hover and legend: they render a few HTML tags, and a hover
    template reads %{...} as a value to fill in (a nickname "%{y}" must show as typed)."""
    return html.escape(str(text), quote=True).replace("%", "&#37;")


def _thin(n: int, most: int) -> list[int]:
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


def curves_figure(curves: list[dict], baseline: float, solved: float, loss_name: str, title: str) -> object:
    """One line per run, all runs of an architecture in one colour: one trace per architecture, its runs apart by
        gaps (180 runs draw as fast as 3: a trace per run took the browser 0.5 s per redraw, measured), float32
        arrays sent as binary. curves: dicts with arch, nickname, seed, step, loss (None where the run had no finite
        score). Hover: the student's nickname and seed, the step and the held-out loss (whether and when each run
    solved it is in :func:`solve_figure`)."""
    data: list[dict] = []
    lows, highs = [baseline, solved], [baseline, solved]
    by_arch: dict[str, list[dict]] = {}
    for c in curves:
        by_arch.setdefault(c["arch"], []).append(c)
    for arch in sorted(by_arch, key=arch_order):
        runs = by_arch[arch]
        label = NAMES.get(arch, plain(arch))
        xs, ys, who, sizes = [], [], [], []
        for c in runs:
            idx = _thin(len(c["step"]), POINTS_PER_CURVE)
            x = np.asarray([c["step"][i] for i in idx] + [np.nan], np.float32)  # NaN after each run: a gap
            y = np.asarray([np.nan if c["loss"][i] is None else c["loss"][i] for i in idx] + [np.nan], np.float32)
            y[~np.isfinite(y) | (y <= 0)] = np.nan  # a missing score is a gap, not a point at zero on a log axis
            if np.isfinite(y).any():
                lows.append(float(np.nanmin(y)))
                highs.append(float(np.nanmax(y)))
            xs.append(x)
            ys.append(y)
            size = np.zeros(len(x), np.float32)  # a dot at each run's last score: where its line ends
            finite = np.flatnonzero(np.isfinite(y))
            if finite.size:
                size[finite[-1]] = 7
            sizes.append(size)
            who.extend([f"{plain(c['nickname'])}, seed {c['seed']}"] * len(x))
        data.append(
            dict(
                type="scatter",
                mode="lines+markers",  # markers make the points clickable (a click selects one: the run's link)
                marker=dict(size=np.concatenate(sizes), color=COLORS.get(arch, "#333333")),
                x=np.concatenate(xs),
                y=np.concatenate(ys),
                text=who,
                connectgaps=False,
                name=f"{label} ({len(runs)} run{'s' if len(runs) != 1 else ''})",
                line=dict(color=COLORS.get(arch, "#333333"), width=2),
                opacity=0.75,
                hovertemplate="%{text}<br>step %{x:,}: held-out loss %{y:.4g}<br><i>click: this run's link</i><extra>"
                + label
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
    lo, hi = min(v for v in lows if v > 0), max(highs)
    layout["yaxis"].update(type="log", exponentformat="power", range=[float(np.log10(lo)) - 0.3, float(np.log10(hi)) + 0.3])
    layout.update(shapes=shapes, annotations=notes, hovermode="closest")
    if not curves:
        layout["xaxis"]["range"] = [0, 100]
    return quick_figure(data, layout)


def curve_owner(curves: list[dict], curve_number: int, point_index: int) -> int | None:
    """Which run (its index in ``curves``) a point of :func:`curves_figure` belongs to: a click on a line names
    the trace (one per architecture, in :func:`arch_order`) and the point within it (each run's thinned points and
    the gap after them). None when the point is not on any run (a stale click after the board changed)."""
    by_arch: dict[str, list[int]] = {}
    for i, c in enumerate(curves):
        by_arch.setdefault(c["arch"], []).append(i)
    archs = sorted(by_arch, key=arch_order)
    if not 0 <= curve_number < len(archs) or point_index < 0:
        return None
    left = point_index
    for i in by_arch[archs[curve_number]]:
        n = len(_thin(len(curves[i]["step"]), POINTS_PER_CURVE)) + 1
        if left < n - 1:
            return i
        if left == n - 1:  # the gap between two runs
            return None
        left -= n
    return None


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
            (
                not_yet,
                list(top * (1 + rng.uniform(-0.025, 0.025, len(not_yet)))),
                "circle-open",
                "not solved (trained %{customdata[1]})",
            ),
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
    layout["yaxis"].update(range=[0, top * 1.14], rangemode="tozero")
    if runs and any(r["solved_step"] is None for r in runs):
        layout["annotations"] = [
            dict(
                x=0,
                xref="paper",
                xanchor="left",
                y=top * 1.035,
                yref="y",
                yanchor="bottom",
                text="hollow dots up here: not solved (yet)",
                showarrow=False,
                font=dict(size=13, color=LINE["baseline"]),
            )
        ]
    return quick_figure(data, layout)
