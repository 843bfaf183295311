"""Solved against sequence length (and against data size): every model, several lengths and seeds.

One *cell* is one architecture trained on one task at one sequence length from one seed, with a
fixed step budget, exactly as a racer of :mod:`rnnviz.compare.race` (the same trainer, the same
held-out batch, stopped when solved). A sweep is a grid of cells and a summary per (model, length):
how many seeds solved it and in how many steps (the median over the seeds that did).

With ``train_sizes`` the training data is a fixed pool of that many distinct sequences (drawn once
from the seed's generator ``[seed, 7]``; every batch samples from the pool), while the held-out batch
stays fresh examples never trained on: the held-out score against the data size shows how much data
each model needs before it generalises rather than memorises. Such a cell always trains its whole
budget (it does not stop when solved), so a model that memorises its pool and gets worse on new
examples late in training shows it in its final score.

    python -m rnnviz compare --task adding --archs rnn,lstm,gru,cnn,transformer,gru_attention \
        --lengths 10,20,50,100,200 --seeds 3 --json

Deterministic: the same arguments give the same numbers (one torch thread), apart from the seconds.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import ConfigError
from ..models import COMPARE_ARCHS
from ..settings import Settings, parse
from ..tasks import Batch, Task
from .race import EVAL_EVERY, HELDOUT_SIZE, LABELS, MEMORY, Race, Racer, check_archs, check_budget, sequential_depth

DEFAULT_BUDGET = 1000  # steps per cell (see README: the full adding sweep fits in about 25 CPU-minutes)
MAX_SEEDS = 10
MAX_TRAIN_SIZE = 100_000
RESULTS = Path(__file__).parent / "results"
SWEEP_FILE = RESULTS / "sweep_adding.json"
SIZES_FILE = RESULTS / "sweep_adding_sizes.json"


class PooledTask:
    """A task whose training batches come from a fixed pool of ``size`` distinct sequences (drawn
    once from ``rng``); everything else (metric, labels, limits) is the wrapped task's."""

    def __init__(self, task: Task, size: int, seq_len: int, rng: np.random.Generator):
        self._task = task
        self.size = size
        self.pool = task.batch(size, seq_len, rng)

    def __getattr__(self, name):
        return getattr(self._task, name)

    def batch(self, batch_size: int, seq_len: int, rng: np.random.Generator) -> Batch:
        if seq_len != self.pool.x.shape[1]:
            raise ConfigError("a pooled task trains at the one sequence length its pool was drawn at")
        idx = torch.from_numpy(rng.integers(0, self.size, batch_size))
        p = self.pool
        return Batch(p.x[idx], p.y[idx], p.mask[idx], {})


@dataclass(frozen=True)
class Cell:
    arch: str
    seq_len: int
    seed: int
    train_size: int | None = None


def cell_settings(task: str, seq_len: int, seed: int, hidden: int = 32) -> Settings:
    """The settings of one cell: the app's defaults with this task, length, seed and hidden size."""
    return parse({"task": task, "seq_len": seq_len, "seed": seed, "hidden": hidden}, strict=True)[0]


def run_cell(
    task: str,
    cell: Cell,
    budget: int = DEFAULT_BUDGET,
    hidden: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Train one cell (see the module docstring) and return its racer's result plus the cell's keys.
    A length cell stops when solved; a data-size cell (train_size set) trains the whole budget."""
    s = cell_settings(task, cell.seq_len, cell.seed, hidden)
    pooled = cell.train_size is not None  # a data-size cell trains its whole budget: overfitting shows late
    race = Race.new(s, [cell.arch], budget, not pooled, eval_every=EVAL_EVERY, heldout_size=HELDOUT_SIZE)
    racer: Racer = race.racers[0]
    if pooled:
        tr = racer.trainer
        tr.heldout_batch()  # fixed now from the real task: fresh examples, never in the pool
        tr.task = PooledTask(tr.task, cell.train_size, cell.seq_len, np.random.default_rng([cell.seed, 7]))
    race.finish(progress)
    out = racer.result()
    out.update(seq_len=cell.seq_len, seed=cell.seed, train_size=cell.train_size, budget=budget)
    out["sequential_depth"] = sequential_depth(cell.arch, cell.seq_len, s.layers, racer.trainer)
    return out


def parse_list(text: str, what: str, lo: int, hi: int) -> list[int]:
    """'10,20,50' -> [10, 20, 50]; ConfigError on anything else (one line)."""
    try:
        vals = [int(v) for v in str(text).split(",") if v.strip() != ""]
    except ValueError:
        raise ConfigError(f"{what} must be whole numbers separated by commas, got {text!r}") from None
    if not vals:
        raise ConfigError(f"give at least one value for {what}")
    bad = [v for v in vals if not lo <= v <= hi]
    if bad:
        raise ConfigError(f"{what} must be from {lo} to {hi}, got {bad[0]}")
    if len(set(vals)) != len(vals):
        raise ConfigError(f"{what} has a value twice")
    return vals


def plan(task: str, archs, lengths, seeds: int, train_sizes=None, budget: int = DEFAULT_BUDGET) -> list[Cell]:
    """Check the arguments and list the cells, shortest sequences first (cheap cells early)."""
    archs = check_archs(archs)
    check_budget(budget)
    for T in lengths:
        cell_settings(task, T, 0)  # checks the task's name and that it takes this length
    if not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"--seeds must be from 1 to {MAX_SEEDS}, got {seeds!r}")
    sizes = list(train_sizes) if train_sizes else [None]
    return [Cell(a, T, seed, n) for T in lengths for n in sizes for a in archs for seed in range(seeds)]


def summarise(cells: list[dict]) -> list[dict]:
    """One row per (arch, seq_len, train_size): seeds, solved seeds, solve rate, median steps and
    seconds to solve (over the seeds that solved), median final metric, median steps/s."""
    groups: dict[tuple, list[dict]] = {}
    for c in cells:
        groups.setdefault((c["arch"], c["seq_len"], c.get("train_size")), []).append(c)
    rows = []
    for (arch, T, n), cs in groups.items():
        solved = [c for c in cs if c["solved"]]
        finite = [c["final_metric"] for c in cs if c["final_metric"] is not None and math.isfinite(c["final_metric"])]
        rows.append(
            {
                "arch": arch,
                "label": LABELS[arch],
                "seq_len": T,
                "train_size": n,
                "seeds": len(cs),
                "solved_seeds": len(solved),
                "solve_rate": len(solved) / len(cs),
                "median_steps_to_solve": statistics.median(c["solved_at"] for c in solved) if solved else None,
                "median_seconds_to_solve": round(statistics.median(c["solved_seconds"] for c in solved), 3) if solved else None,
                "median_final_metric": statistics.median(finite) if finite else None,
                "median_steps_per_second": round(statistics.median(c["steps_per_second"] for c in cs), 2),
                "params": cs[0]["params"],
                "receptive_field": cs[0]["receptive_field"],
            }
        )
    return rows


def sweep(
    task: str,
    archs,
    lengths,
    seeds: int,
    budget: int = DEFAULT_BUDGET,
    train_sizes=None,
    hidden: int = 32,
    progress: Callable[[int, int, dict], None] | None = None,
    command: str = "",
    partial: Callable[[dict], None] | None = None,
) -> dict:
    """Run every cell of :func:`plan` and return the whole result (JSON-ready; NaN as None).
    ``progress(i, n, cell_result)`` after each cell; ``partial(result_so_far)`` likewise."""
    cells = plan(task, archs, lengths, seeds, train_sizes, budget)
    t = cell_settings(task, lengths[0], 0)
    out = {
        "command": command,
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "task": task,
        "archs": list(dict.fromkeys(c.arch for c in cells)),
        "lengths": list(lengths),
        "seeds": list(range(seeds)),
        "train_sizes": list(train_sizes) if train_sizes else None,
        "budget": budget,
        "eval_every": EVAL_EVERY,
        "heldout_size": HELDOUT_SIZE,
        "settings": {k: v for k, v in t.as_dict().items() if k not in ("arch", "seq_len", "seed")},
        "memory": {a: MEMORY[a] for a in COMPARE_ARCHS},
        "torch": torch.__version__,
        "complete": False,
        "cells": [],
        "summary": [],
    }
    for i, cell in enumerate(cells):
        res = clean(run_cell(task, cell, budget, hidden))
        out["cells"].append(res)
        out["summary"] = summarise(out["cells"])
        out["complete"] = i + 1 == len(cells)
        if progress:
            progress(i + 1, len(cells), res)
        if partial:
            partial(out)
    return out


def clean(obj):
    """NaN and inf become None (strict JSON)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    return obj


def load(path: Path | str = SWEEP_FILE) -> dict | None:
    """A shipped results file, or None if it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def find_cell(result: dict, arch: str, seq_len: int, seed: int, train_size: int | None = None) -> dict | None:
    for c in result.get("cells", []):
        if (c["arch"], c["seq_len"], c["seed"], c.get("train_size")) == (arch, seq_len, seed, train_size):
            return c
    return None
