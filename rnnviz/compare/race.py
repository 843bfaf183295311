"""A race: several architectures on the same task, length, seed and batches, trained in turns.

Every racer is a :class:`~rnnviz.runtime.training.Trainer` built by :func:`rnnviz.runtime.runs.build_compare_run`
from the same :class:`~rnnviz.settings.Settings`: the same task, sequence length, hidden size, seed,
optimiser and clipping. Each trainer draws its training batches from its own generator seeded
``[seed, 1]``, so with the same seed every racer sees exactly the same batches in the same order, and
each is scored on the same fixed held-out batch (generator ``[seed, 3]``). A racer stops when the
held-out score counts as solved (the task's threshold, as on the Train page) or at the step budget.

A :class:`Race` has the interface the process-wide worker of :mod:`rnnviz.runtime.session` drives
(``running``, ``seen``, ``tick(seconds)``, ``tick_in(proc, seconds)``, ``pause()``, ``status``):
handed to ``WORKER.submit`` it takes one turn in the worker's round robin like any single training
session, and inside its turn the racers take turns, so a race of six models costs the server one
session's share, not six. Like a Train-page session's, the turn trains in the worker thread's
trainer process (:meth:`Race.tick_in`, :mod:`rnnviz.runtime.trainproc`), out of reach of the pages.
:meth:`Race.finish` runs it to the end without a clock (the sweep and the tests): training is
deterministic, so the numbers are the same however the turns fell.

Sizes of the models and what each can see are in :data:`MEMORY` and :func:`sequential_depth`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models import COMPARE_ARCHS, parameter_count
from ..runtime.runs import build_compare_run
from ..runtime.training import Status as TrainerStatus
from ..runtime.training import Trainer
from ..settings import Settings

LABELS = {
    "rnn": "vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "cnn": "causal CNN",
    "transformer": "Transformer",
    "gru_attention": "GRU + attention",
}
MAX_BUDGET = 20_000  # steps one racer may be given
EVAL_EVERY = 25  # held-out score every so many steps (the curves' resolution, and when "solved" is seen)
HELDOUT_SIZE = 256  # examples in the fixed held-out batch

# How far back each model can reach, in words (what its receptive field is).
MEMORY = {
    "rnn": "unbounded in principle: h_t carries everything, but the gradient through it fades",
    "lstm": "unbounded: the cell state c_t carries information, guarded by gates",
    "gru": "unbounded: h_t is carried forward, guarded by the update gate",
    "cnn": "a fixed window: 1 + 2 (1 + 2 + ... + 2^(L-1)) steps for L levels (255 at the default 7 levels)",
    "transformer": "the whole sequence so far: every step attends to every earlier step",
    "gru_attention": "unbounded: the GRU's state plus attention over all its earlier states",
}


def receptive_field(trainer: Trainer) -> int | None:
    """How many steps back (the current one included) the model's output at t can see: the CNN's
    window; None for a model that can see the whole past (recurrent, Transformer, attention)."""
    return getattr(trainer.model, "receptive_field", None)


def sequential_depth(arch: str, seq_len: int, layers: int = 1, trainer: Trainer | None = None) -> int:
    """How many steps of computation must happen one after another to produce the last output (the
    part a parallel machine cannot spread over cores): T per layer for a recurrent core (and the
    GRU with attention), the CNN's levels, the Transformer's blocks."""
    if arch == "cnn":
        return int(getattr(trainer.model, "levels", 6 + layers)) if trainer is not None else 6 + layers
    if arch == "transformer":
        return layers
    return seq_len * layers


class RaceStatus(StrEnum):
    """A str, so it compares equal to the worker's own session statuses ("running", "paused")."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


@dataclass
class Racer:
    """One model in the race and what it has done so far. solved_seconds: training seconds up to the
    evaluation that first counted as solved. finished: solved, at the budget, or diverged."""

    arch: str
    trainer: Trainer
    budget: int
    stop_when_solved: bool = True
    solved_seconds: float | None = None
    finished: bool = False
    eval_seconds: list[float] = field(default_factory=list)  # training seconds at each held-out score

    @property
    def label(self) -> str:
        return LABELS[self.arch]

    @property
    def params(self) -> int:
        return parameter_count(self.trainer.model)

    def chunk_steps(self) -> int:
        """The most steps the next chunk may take: up to the next held-out evaluation (so a solved
        racer stops at the evaluation that saw it), never past the budget; 0 when finished."""
        tr = self.trainer
        left = self.budget - tr.step
        if self.finished or left <= 0:
            return 0
        return min(left, tr.cfg.eval_every - tr.step % tr.cfg.eval_every)

    def advance(self, seconds: float | None) -> int:
        """Train until the next held-out evaluation (or the budget), or until ``seconds`` have passed
        (None: no clock). Returns the steps taken; marks the racer finished when it is."""
        if self.finished:
            return 0
        n_steps = self.chunk_steps()
        n = self.trainer.run(n_steps=n_steps, seconds=seconds) if n_steps > 0 else 0
        self.after_chunk()
        return n

    def after_chunk(self) -> None:
        """Bookkeeping after a chunk, trained here or in a trainer process: the training seconds of
        new evaluations, when it was solved, whether it is finished."""
        tr = self.trainer
        h = tr.history
        while len(self.eval_seconds) < len(h.heldout_step):  # evaluations happen at the end of a chunk
            self.eval_seconds.append(0.0 if h.heldout_step[len(self.eval_seconds)] == 0 else tr.seconds)
        if tr.solved_at is not None and self.solved_seconds is None:
            self.solved_seconds = tr.seconds  # the chunk ended at the evaluation that saw it solved
        if tr.status is TrainerStatus.DIVERGED or tr.step >= self.budget or (self.stop_when_solved and tr.solved_at is not None):
            self.finished = True

    def result(self) -> dict:
        """The racer's numbers: a plain dict (JSON-ready apart from NaN)."""
        tr = self.trainer
        h = tr.history
        ev = tr.summary()
        return {
            "arch": self.arch,
            "label": self.label,
            "params": self.params,
            "receptive_field": receptive_field(tr),
            "steps": tr.step,
            "seconds": round(tr.seconds, 3),
            "steps_per_second": round(tr.steps_per_second, 2),
            "solved": tr.solved_at is not None,
            "solved_at": tr.solved_at,
            "solved_seconds": None if self.solved_seconds is None else round(self.solved_seconds, 3),
            "final_loss": ev["loss"],
            "final_metric": ev["metric"],
            "status": (
                "diverged"
                if tr.status is TrainerStatus.DIVERGED
                else "solved"
                if tr.solved_at is not None
                else "unsolved"
                if self.finished
                else "training"
            ),
            "curve": {
                "step": list(h.heldout_step),
                "loss": [float(v) for v in h.heldout_loss],
                "metric": [float(v) for v in h.heldout_metric],
                "seconds": [round(v, 3) for v in self.eval_seconds[: len(h.heldout_step)]],
            },
        }


def results_table(results: list[dict], task) -> pd.DataFrame:
    """The race's table, one row per model, in words a student reads: parameters, steps and seconds
    to solve, the held-out metric now, steps per second."""
    rows = []
    for r in results:
        rows.append(
            {
                "model": r["label"],
                "parameters": r["params"],
                "steps to solve": r["solved_at"],
                "seconds to solve": r["solved_seconds"],
                f"held-out {task.metric_name}": r["final_metric"],
                "steps / s": r["steps_per_second"] or None,
                "steps done": r["steps"],
                "status": r["status"],
            }
        )
    return pd.DataFrame(rows)


def check_archs(archs) -> tuple[str, ...]:
    archs = tuple(archs)
    if not archs:
        raise ConfigError("choose at least one architecture")
    bad = [a for a in archs if a not in COMPARE_ARCHS]
    if bad:
        raise ConfigError(f"unknown architecture {bad[0]!r}; choose from {', '.join(COMPARE_ARCHS)}")
    if len(set(archs)) != len(archs):
        raise ConfigError("each architecture may race only once")
    return archs


def check_budget(budget) -> int:
    if not isinstance(budget, (int, np.integer)) or isinstance(budget, bool) or not 1 <= budget <= MAX_BUDGET:
        raise ConfigError(f"the step budget must be a whole number from 1 to {MAX_BUDGET:,}, got {budget!r}")
    return int(budget)


def race_key(settings: Settings, archs, budget: int) -> tuple:
    """The name of a race: training is deterministic (every racer draws the same batches from the seed),
    so equal settings, models and budget give the same steps, curves and solves (only the seconds differ)."""
    return ("race", settings.key(), tuple(archs), int(budget))


@dataclass
class Race:
    """Several racers built from the same settings; trained in turns by :meth:`tick` (one racer per
    tick, round robin) or all the way by :meth:`finish`."""

    settings: Settings
    racers: list[Racer]
    status: RaceStatus | str = RaceStatus.IDLE
    version: int = 0  # bumps after every chunk (for redraws)
    seen: float = field(default_factory=time.monotonic, repr=False, compare=False)  # last page run
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _turn: int = 0

    @classmethod
    def new(
        cls,
        settings: Settings,
        archs=COMPARE_ARCHS,
        budget: int = 1000,
        stop_when_solved: bool = True,
        eval_every: int = EVAL_EVERY,
        heldout_size: int = HELDOUT_SIZE,
    ) -> Race:
        """Build one racer per architecture (ConfigError on an unknown one or a bad budget)."""
        archs, budget = check_archs(archs), check_budget(budget)
        kw = dict(snapshot_every=100_000, eval_every=eval_every, heldout_size=heldout_size)
        racers = [Racer(a, build_compare_run(a, settings, **kw), budget, stop_when_solved) for a in archs]
        return cls(settings, racers)

    # ----- what pages read -----------------------------------------------------------------
    @property
    def task(self):
        return self.racers[0].trainer.task

    @property
    def running(self) -> bool:
        return self.status == RaceStatus.RUNNING

    @property
    def done(self) -> bool:
        return all(r.finished for r in self.racers)

    @property
    def progress(self) -> float:
        """Share of the race done, 0 to 1: a finished racer counts whole, the others by their steps."""
        parts = [1.0 if r.finished else r.trainer.step / r.budget for r in self.racers]
        return float(sum(parts) / len(parts))

    def results(self) -> list[dict]:
        """Every racer's :meth:`Racer.result`, read under the lock (a consistent picture)."""
        with self.lock:
            return [r.result() for r in self.racers]

    # ----- events (the worker's interface) ------------------------------------------------
    def start(self) -> None:
        with self.lock:
            if not self.done:
                self.status = RaceStatus.RUNNING

    def pause(self) -> None:
        with self.lock:
            if self.status == RaceStatus.RUNNING:
                self.status = RaceStatus.PAUSED

    def touch(self, owner: str | None = None) -> None:
        """Someone is looking (as :meth:`rnnviz.runtime.jobs.Job.touch`: a race can be kept on the job board)."""
        self.seen = time.monotonic()
        if owner:
            self.__dict__.setdefault("owners", set()).add(owner)

    @property
    def key(self) -> tuple:
        """What names this race's numbers: its settings, models (in order) and budget (see :func:`race_key`)."""
        return race_key(self.settings, [r.arch for r in self.racers], self.racers[0].budget)

    def _next_racer(self) -> Racer | None:
        """The racer whose turn it is (round robin over the unfinished ones); None when the race is not
        running, and DONE when all have finished. Call under the lock; the turn moves on when the racer
        has trained."""
        if self.status != RaceStatus.RUNNING:
            return None
        left = [r for r in self.racers if not r.finished]
        if not left:
            self.status = RaceStatus.DONE
            return None
        return left[self._turn % len(left)]

    def _after_turn(self) -> None:
        self._turn += 1
        self.version += 1
        if self.done:
            self.status = RaceStatus.DONE

    def tick(self, seconds: float | None = 0.1) -> int:
        """One turn: the next unfinished racer trains for about ``seconds`` (None: up to its next
        held-out evaluation). Returns the steps taken."""
        with self.lock:
            racer = self._next_racer()
            if racer is None:
                return 0
            n = racer.advance(seconds)
            self._after_turn()
            return n

    def tick_in(self, proc, seconds: float | None = 0.1) -> int:
        """:meth:`tick`, with the racer's chunk trained by a trainer process (``proc``, a
        :class:`rnnviz.runtime.trainproc.TrainerProcess`; the worker gives each of its threads one), so the
        pages' interpreter lock never slows the race. The same steps as :meth:`tick` (up to the next
        held-out evaluation, never past the budget; training is deterministic, so the numbers are
        the same). The lock is held only to read the racer and to apply the result; a result for a
        race paused meanwhile, or a racer trained here meanwhile, is dropped. If the child is still
        starting or fails, this turn trains here (:meth:`tick`). Returns the steps taken.

        Seconds: the racer's training seconds (its steps per second, seconds to solve, the curves'
        time axis) are the child's own clock around its training, sent back with the delta, as
        :meth:`tick` counts the server thread's: not the pipe, the pickling or the wait for a turn,
        which depend on how busy the server is, not on the model."""
        with self.lock:
            racer = self._next_racer()
            if racer is None:
                return 0
            tr, n_steps = racer.trainer, racer.chunk_steps()
            if n_steps <= 0 or tr.status is TrainerStatus.DIVERGED:
                return self.tick(seconds)  # nothing to train, only bookkeeping: here
            before = (tr.step, tr.mark())
        delta = proc.turn(tr, n_steps, seconds, lock=self.lock)
        if delta is None:  # the racer changed while the turn was prepared: the next turn sends it again
            return 0
        if delta is proc.HERE:  # the child is starting or failed: this turn trains here
            return self.tick(seconds)
        with self.lock:
            if racer.trainer is not tr or (tr.step, tr.mark()) != before or self.status != RaceStatus.RUNNING:
                return 0  # paused (Pause stops at once: the chunk in flight is not shown) or trained here
            tr.apply_delta(delta)
            racer.after_chunk()
            self._after_turn()
            return tr.step - before[0]

    def finish(self, progress=None) -> Race:
        """Run every racer to its end, one after another, without a clock; ``progress(done, total)``
        after each chunk, in steps (a solved racer counts its whole budget)."""
        self.start()
        total = sum(r.budget for r in self.racers)
        for r in self.racers:
            while not r.finished:
                with self.lock:
                    r.advance(None)
                    self.version += 1
                if progress:
                    progress(sum(x.budget if x.finished else x.trainer.step for x in self.racers), total)
        self.status = RaceStatus.DONE
        return self
