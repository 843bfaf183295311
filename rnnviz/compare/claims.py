"""The article's comparison table (RNN vs CNN vs Transformer) with a measured number in every cell.

The article rates three families on three features. Each is turned into something we can measure:

    sequence handling   how many seeds the sweep saw solve the task at every length, and the longest
                        length solved in all of them (where the basic RNN and the LSTM really differ)
    parallel processing the time of one training step at each length (the Speed page's file, one
                        thread), what a second thread buys, and the sequential depth (how many steps
                        must run one after another; a parallel machine cannot shorten those)
    long-term memory    the longest sequence length the sweep saw solved in every seed

Each row also says whether the measurement agrees with the rating, by a rule written in ``_verdicts``.

:func:`claim_rows` reads them from a sweep result (:mod:`rnnviz.compare.sweep`) and, for the step
time, the Speed page's file and :func:`measure_step_times` where given. The article's ratings are written in our words.
"""

from __future__ import annotations

import statistics

import pandas as pd

from ..settings import Settings
from .race import LABELS, check_budget, sequential_depth
from .speed import step_fn
from .timing import time_calls

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
    """Seconds of one training step of ``arch`` at these settings' length, measured now the app's one way
    (rnnviz.compare.speed.step_time: the Speed page's batch and size, warm-up, repeats, median), so the
    number can be set beside the Speed page's file. For several models, :func:`measure_step_times` times
    them interleaved."""
    check_budget(steps)
    return measure_step_times([arch], settings.seq_len, steps)[arch]


def measure_step_times(archs, T: int, repeats: int = 5, batch: int = 32, hidden: int = 32) -> dict[str, float]:
    """Seconds per training step of each model at length T, timed interleaved (rnnviz.compare.timing) at the
    Speed page's batch and hidden size."""
    check_budget(repeats)
    tm = time_calls({a: step_fn(a, T, batch, hidden) for a in archs}, repeats)
    return {a: t.median_ms / 1000 for a, t in tm.items()}


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


def _solved_counts(result: dict, arch: str) -> list[tuple[int, int, int]]:
    """(T, seeds solved, seeds run) at every length of the sweep."""
    out = []
    for T in result["lengths"]:
        cs = _cells(result, arch, T)
        out.append((T, sum(c["solved"] for c in cs), len(cs)))
    return out


def _ms_at(parallel: dict | None, arch: str, T: int) -> float | None:
    if not parallel or arch not in parallel["models"] or T not in parallel["lengths"]:
        return None
    return parallel["models"][arch]["step_ms"][parallel["lengths"].index(T)]


def _gain(threads: dict | None, arch: str) -> float | None:
    if not threads or arch not in threads["models"]:
        return None
    ms = threads["models"][arch]["step_ms"]
    return ms[0] / ms[-1]


def _verdicts(result: dict, threads: dict | None) -> dict[tuple[str, str], str]:
    """(feature, arch) -> does the measurement agree with the article's rating, in a few words."""
    T_long = max(result["lengths"])
    every = {a: longest_solved(result, a, True) or 0 for a in FAMILIES if a in result["archs"]}
    out = {}
    for a, e in every.items():
        all_lengths = e == T_long
        if a == "cnn":
            out[("Sequence handling", a)] = (
                f"no: it solved every length up to T={T_long}" if all_lengths else f"yes: solved only up to T={e} in every seed"
            )
        else:
            out[("Sequence handling", a)] = (
                f"yes, up to T={T_long}" if all_lengths else f"not past T={e} on this task" if e else "no: solved no length"
            )
    if "rnn" in every:
        out[("Long-term memory", "rnn")] = f"yes: nothing past T={every['rnn']}" if every["rnn"] < T_long else "no"
    if "lstm" in every and "rnn" in every:
        better = every["lstm"] > every["rnn"]
        out[("Long-term memory", "lstm")] = (
            f"yes: T={every['lstm']} against the basic RNN's T={every['rnn']}" if better else "no: not longer than the basic RNN"
        )
    if "cnn" in every:
        rf = next((c["receptive_field"] for c in result["cells"] if c["arch"] == "cnn" and c.get("receptive_field")), None)
        window = f", within its window of {rf} steps" if rf else ""
        out[("Long-term memory", "cnn")] = f"partly: T={every['cnn']} in every seed{window}"
    if "transformer" in every:
        out[("Long-term memory", "transformer")] = (
            "yes" if every["transformer"] == T_long else f"no: not past T={every['transformer']}"
        )
    gains = {a: _gain(threads, a) for a in every}
    if all(g is not None for g in gains.values()):
        serial = max(gains[a] for a in ("rnn", "lstm") if a in gains)
        par = max(gains[a] for a in ("cnn", "transformer") if a in gains)
        for a, g in gains.items():
            if a in ("rnn", "lstm"):
                ok = g < par
                out[("Parallel processing", a)] = (
                    f"yes: a second thread gave {g:.2f}x, the parallel models up to {par:.2f}x"
                    if ok
                    else f"not here: a second thread gave {g:.2f}x, as much as the parallel models ({par:.2f}x)"
                )
            else:
                ok = g > serial
                out[("Parallel processing", a)] = (
                    f"yes: a second thread gave {g:.2f}x, the recurrent models at most {serial:.2f}x"
                    if ok
                    else f"not here: a second thread gave {g:.2f}x, no more than the recurrent models ({serial:.2f}x)"
                )
    else:
        for a in every:
            out[("Parallel processing", a)] = "cannot show on one thread: see the Speed page"
    return out


def claim_rows(
    result: dict,
    step_times: dict[str, float] | None = None,
    T_parallel: int = 200,
    parallel: dict | None = None,
    threads: dict | None = None,
) -> pd.DataFrame:
    """One row per (feature, family): what the article says, what we measured, the run behind the number,
    and whether the two agree. The lengths come from the sweep (``result``): for each model, the seeds
    solved at every length and the longest length solved in all of them. ``parallel``: the Speed page's
    step times (its file's ``parallel.cpu``), quoted at each of the sweep's lengths; ``threads``: its one-
    against-two-threads measurement; ``step_times``: {arch: seconds per step at T_parallel} measured now,
    shown beside the file's number as a ratio."""
    seeds = len(result["seeds"])
    verdict = _verdicts(result, threads)
    rows = []
    for arch in FAMILIES:
        if arch not in result["archs"]:
            continue
        counts = _solved_counts(result, arch)
        every = longest_solved(result, arch, True)
        per = ", ".join(f"T={T} {k}/{n}" for T, k, n in counts if n)
        head = f"solved in all {seeds} seeds up to T={every}" if every else "solved no length in all seeds"
        rows.append(("Sequence handling", arch, f"{head}; seeds solved: {per}", f"the sweep: {seeds} seeds per length"))

        depth = sequential_depth(arch, T_parallel)
        parts = []
        times = [(T, _ms_at(parallel, arch, T)) for T in result["lengths"]]
        times = [(T, t) for T, t in times if t is not None]
        if times:
            parts.append("ms per training step: " + ", ".join(f"T={T} {t:.3g}" for T, t in times))
        src = "the Speed page's file (one thread, batch 32)" if times else ""
        if step_times and arch in step_times:
            now = step_times[arch] * 1000
            then = _ms_at(parallel, arch, T_parallel)
            ratio = f", {now / then:.2f}x the file" if then else ""
            parts.append(f"now at T={T_parallel}: {now:.3g} ms{ratio}")
            src = (src + "; " if src else "") + "measured now on this server, the same way"
        if not times and not (step_times and arch in step_times):
            ps = [c["steps_per_second"] for c in _cells(result, arch, T_parallel) if c["steps_per_second"]]
            if ps:
                parts.append(f"{1000 / statistics.median(ps):.0f} ms per training step at T={T_parallel}")
                src = f"the sweep: its speed at T={T_parallel}, {len(ps)} seeds"
        g = _gain(threads, arch)
        if g is not None:
            parts.append(f"a second thread: {g:.2f}x as fast")
        parts.append(f"{depth} step{'s' if depth > 1 else ''} one after another at T={T_parallel}")
        rows.append(("Parallel processing", arch, "; ".join(parts), src or "counted from the model"))

        some = longest_solved(result, arch, False)
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
    df["does it agree?"] = [verdict.get((f, a), "–") for f, a in zip(df["feature"], df["arch"])]
    order = {f: i for i, f in enumerate(ARTICLE)}
    return df.sort_values("feature", key=lambda s: s.map(order), kind="stable").drop(columns="arch").reset_index(drop=True)


__all__ = ["ARTICLE", "FAMILIES", "LABELS", "claim_rows", "longest_solved", "measure_step_time", "measure_step_times"]
