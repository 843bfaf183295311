"""What the class board says about its runs, computed once for the page and the command line."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass

from .store import Run

# the columns of the table, the CSV export and the JSON rows, in order
COLUMNS = (
    "nickname",
    "arch",
    "task",
    "seq_len",
    "hidden",
    "seed",
    "step",
    "solved_step",
    "diverged",
    "final_loss",
    "final_metric",
    "metric_name",
    "kind",
    "link",
)


def row(run: Run) -> dict:
    """One run as a plain dict with :data:`COLUMNS` (JSON-ready: NaN never appears, a missing number is None)."""
    return {c: getattr(run, c) for c in COLUMNS}


def rows(runs: list[Run]) -> list[dict]:
    return [row(r) for r in runs]


def csv_text(runs: list[Run]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows(runs):
        # a spreadsheet would run a cell that starts with = + - @ as a formula: a nickname is text
        r["nickname"] = "'" + r["nickname"] if r["nickname"][:1] in ("=", "+", "-", "@") else r["nickname"]
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return out.getvalue()


@dataclass(frozen=True)
class Group:
    """Every run of one architecture on one task at one length."""

    task: str
    arch: str
    seq_len: int
    runs: int
    solved: int
    diverged: int
    seeds: int  # distinct seeds among the runs
    steps_to_solve: tuple  # of the solved runs, sorted

    @property
    def fraction(self) -> float:
        return self.solved / self.runs if self.runs else 0.0

    @property
    def median(self) -> float | None:
        return statistics.median(self.steps_to_solve) if self.steps_to_solve else None

    def spread(self) -> str:
        """The steps to solve in words: "median 450 (300 to 900)"."""
        s = self.steps_to_solve
        if not s:
            return "none solved yet"
        if len(s) == 1:
            return f"{s[0]:,} (one run)"
        return f"median {self.median:,.0f} ({s[0]:,} to {s[-1]:,})"


def groups(runs: list[Run]) -> list[Group]:
    """One Group per (task, architecture, length), sorted by task, length and architecture."""
    by: dict[tuple, list[Run]] = {}
    for r in runs:
        by.setdefault((r.task, r.arch, r.seq_len), []).append(r)
    out = []
    for (task, arch, T), rs in by.items():
        solved = sorted(r.solved_step for r in rs if r.solved_step is not None)
        out.append(
            Group(
                task,
                arch,
                T,
                len(rs),
                len(solved),
                sum(r.diverged for r in rs),
                len({r.seed for r in rs}),
                tuple(solved),
            )
        )
    return sorted(out, key=lambda g: (g.task, g.seq_len, g.arch))


def group_rows(gs: list[Group]) -> list[dict]:
    return [
        {
            "task": g.task,
            "arch": g.arch,
            "seq_len": g.seq_len,
            "runs": g.runs,
            "seeds": g.seeds,
            "solved": g.solved,
            "solved_fraction": round(g.fraction, 4),
            "median_steps_to_solve": g.median,
            "min_steps_to_solve": g.steps_to_solve[0] if g.steps_to_solve else None,
            "max_steps_to_solve": g.steps_to_solve[-1] if g.steps_to_solve else None,
            "diverged": g.diverged,
        }
        for g in gs
    ]
