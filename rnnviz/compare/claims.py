"""The article's comparison table (RNN vs CNN vs Transformer) with a measured number in every cell.

The article rates three families on three features. Each is turned into something we can measure:

    sequence handling   the held-out score on the longest lag the sweep tried (adding at its longest T)
    parallel processing the time of one training step at T=200, and the sequential depth (how many
                        steps must run one after another; a parallel machine cannot shorten those)
    long-term memory    the longest sequence length the sweep saw solved in every seed

:func:`claim_rows` reads them from a sweep result (:mod:`rnnviz.compare.sweep`) and, for the step
time, from :func:`measure_step_time` where given. The article's ratings are written in our words.
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from ..settings import Settings
from .race import LABELS, Racer, check_budget, sequential_depth
from .race import Race as _Race

# Models shown as the article's three families (the LSTM stands for the gated RNNs it mentions).
FAMILIES = ("rnn", "lstm", "cnn", "transformer")
FAMILY = {"rnn": "RNN (basic)", "lstm": "RNN (LSTM, gated)", "cnn": "CNN", "transformer": "Transformer"}

# The article's ratings, restated: feature -> family -> what it claims.
ARTICLE = {
    "Sequence handling": {
        "rnn": "excellent: made for sequences, reads one step at a time",
        "lstm": "excellent: made for sequences, reads one step at a time",
        "cnn": "limited: sees only a fixed window of recent steps",
        "transformer": "excellent: every step can look at every earlier step",
    },
    "Parallel processing": {
        "rnn": "poor: each step has to wait for the one before",
        "lstm": "poor: each step has to wait for the one before",
        "cnn": "good: all steps are computed at once, layer by layer",
        "transformer": "excellent: all steps at once, in one attention layer per block",
    },
    "Long-term memory": {
        "rnn": "weak in the basic RNN",
        "lstm": "better than the basic RNN (gates protect the memory)",
        "cnn": "moderate: as far back as its window reaches",
        "transformer": "strong: any earlier step is one attention hop away",
    },
}


def measure_step_time(arch: str, settings: Settings, steps: int = 5) -> float:
    """Median seconds of one training step (forward, backward, update) of ``arch`` on these settings,
    after one warm-up step. Simple wall-clock timing: on a busy server it includes the waiting."""
    check_budget(steps)
    racer: Racer = _Race.new(settings, [arch], budget=steps + 1, eval_every=100_000).racers[0]
    tr = racer.trainer
    tr.run(n_steps=1)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        tr.train_step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _cells(result: dict, arch: str, T: int) -> list[dict]:
    return [c for c in result["cells"] if c["arch"] == arch and c["seq_len"] == T and c.get("train_size") is None]


def longest_solved(result: dict, arch: str, every_seed: bool = True) -> int | None:
    """The longest length at which the sweep saw ``arch`` solve the task (in every seed, or in at
    least one); None if at no length."""
    best = None
    for T in result["lengths"]:
        cs = _cells(result, arch, T)
        ok = [c["solved"] for c in cs]
        if cs and (all(ok) if every_seed else any(ok)):
            best = T
    return best


def claim_rows(result: dict, step_times: dict[str, float] | None = None, T_parallel: int = 200) -> pd.DataFrame:
    """One row per (feature, family): what the article says, what we measured, and the run behind
    the number. step_times: {arch: seconds per step at T_parallel} measured now; where missing,
    the sweep's own speed at that length (median over seeds) is used."""
    T_long = max(result["lengths"])
    seeds = len(result["seeds"])
    metric = "MSE" if result["task"] == "adding" else "metric"
    rows = []
    for arch in FAMILIES:
        if arch not in result["archs"]:
            continue
        cs = _cells(result, arch, T_long)
        finals = [c["final_metric"] for c in cs if c["final_metric"] is not None]
        solved = sum(c["solved"] for c in cs)
        seq = (
            f"held-out {metric} {statistics.median(finals):.3g} at T={T_long}; solved in {solved} of {len(cs)} seeds"
            if finals
            else "–"
        )
        rows.append(("Sequence handling", arch, seq, f"the sweep: {len(cs)} seeds at T={T_long}"))

        depth = sequential_depth(arch, T_parallel)
        if step_times and arch in step_times:
            t, src = step_times[arch], f"measured now on this server: a few training steps at T={T_parallel}"
        else:
            ps = [c["steps_per_second"] for c in _cells(result, arch, T_parallel) if c["steps_per_second"]]
            t = 1 / statistics.median(ps) if ps else None
            src = f"the sweep: its speed at T={T_parallel}, {len(ps)} seeds"
        par = (
            f"{t * 1000:.0f} ms per training step; " if t else ""
        ) + f"{depth} step{'s' if depth > 1 else ''} one after another"
        rows.append(("Parallel processing", arch, par, src))

        every, some = longest_solved(result, arch, True), longest_solved(result, arch, False)
        if every is None and some is None:
            mem = f"solved no length (not even T={min(result['lengths'])}) in {result['budget']:,} steps"
        else:
            mem = f"longest length solved in all {seeds} seeds: T={every if every else '–'}"
            if some and some != every:
                mem += f" (in some seed: T={some})"
        rows.append(("Long-term memory", arch, mem, f"the sweep: lengths {', '.join(map(str, result['lengths']))}"))
    df = pd.DataFrame(rows, columns=["feature", "arch", "we measured", "the run behind it"])
    df.insert(1, "model", [FAMILY[a] for a in df["arch"]])
    df.insert(2, "the article says", [ARTICLE[f][a] for f, a in zip(df["feature"], df["arch"])])
    order = {f: i for i, f in enumerate(ARTICLE)}
    return df.sort_values("feature", key=lambda s: s.map(order), kind="stable").drop(columns="arch").reset_index(drop=True)


__all__ = ["ARTICLE", "FAMILIES", "LABELS", "claim_rows", "longest_solved", "measure_step_time"]
