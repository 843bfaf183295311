"""Jobs: the work an application page asks for, trained by the shared worker in fair turns.

A page never trains. Pressing "Train and forecast" (or "Train both models", or "Train a new model
now") builds a :class:`Job`: a few :class:`Stage` s, each one :class:`~rnnviz.runtime.training.Trainer` to
train for a number of steps, plus what to make of them (a forecast, scores, a result). The job goes
to the process-wide worker (:class:`rnnviz.runtime.session.Worker`), which gives it turns in the trainer
process beside the Train page's sessions and the Compare lab's races; the page's fragment only reads
:meth:`Job.view` and redraws. Leaving the page does not stop a job; nobody looking at it does.

Jobs are named by their settings (``key``): training is deterministic, so two requests with the same
key want the same numbers. :class:`JobBoard` keeps one job per key for the whole process (single
flight): the second to twentieth student pressing the same button get the first one's job, see its
progress, and its result when it is done, computed once.

The same job runs headless (:meth:`Job.run_here`, the command line), so the page and the CLI give
the same numbers by construction.

    >>> from rnnviz.runtime.training import make_run
    >>> job = Job(("demo",), "demo", [Stage("LSTM", lambda ctx: make_run("adding", "lstm", 8, seq_len=10), 20)],
    ...           combine=lambda ctx, stages: stages[0].trainer.step)
    >>> job.run_here().result
    20
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

from .training import Status as TrainerStatus
from .training import Trainer

IDLE_SECONDS = 15.0  # a job (or session) nobody has looked at for this long stops taking turns


class JobStatus(StrEnum):
    RUNNING = "running"  # taking turns (or waiting for one)
    PAUSED = "paused"  # nobody was looking, or the user paused it: a page visit or Go on resumes it
    DONE = "done"  # every stage trained and the result made
    FAILED = "failed"  # something raised: ``error`` says what, in one line


@dataclass
class Stage:
    """One model of a job: ``build(ctx)`` makes its Trainer (on the stage's first turn, in the worker),
    which trains ``steps`` steps; ``after`` (the job's) then turns it into a piece of the result."""

    label: str
    build: Callable[[object], Trainer]
    steps: int
    trainer: Trainer | None = None
    piece: object = None
    done: bool = False

    @property
    def step(self) -> int:
        return 0 if self.trainer is None else self.trainer.step

    @property
    def diverged(self) -> bool:
        return self.trainer is not None and self.trainer.status is TrainerStatus.DIVERGED


@dataclass(frozen=True)
class JobView:
    """What a page draws, read in one go under the job's lock (so its parts never disagree).

    status, progress (0-1, by steps), doing (what it is doing now, in words), pieces (label -> piece
    of every finished stage, in stage order), losses (label -> training loss per step so far, every
    started stage), result (None until done), error ("" unless failed), seconds (since it started),
    ctx (what the job's prepare() made: shared data a page may draw before the result is there)."""

    key: Hashable
    title: str
    status: JobStatus
    progress: float
    doing: str
    pieces: dict
    losses: dict
    steps: dict
    result: object
    error: str
    seconds: float
    ctx: object = None  # what prepare() made (None before the first turn): a page may draw from it meanwhile

    @property
    def done(self) -> bool:
        return self.status is JobStatus.DONE

    @property
    def running(self) -> bool:
        return self.status is JobStatus.RUNNING


class Job:
    """Stages trained in turns, then ``combine(ctx, stages)`` makes the result.

    prepare(): run once on the first turn (e.g. the baselines and the data), its value is ``ctx``,
    handed to every build, after and combine. after(ctx, stage): a finished stage's piece (e.g. its
    forecast), shown as a partial result before the whole job is done. Each turn trains the first
    unfinished stage for about the turn's seconds; the worker's turns go round every running job and
    session, so a class's jobs share the core fairly."""

    def __init__(
        self,
        key: Hashable,
        title: str,
        stages: list[Stage],
        combine: Callable[[object, list[Stage]], object],
        prepare: Callable[[], object] | None = None,
        after: Callable[[object, Stage], object] | None = None,
    ):
        self.key, self.title, self.stages = key, title, stages
        self._combine, self._prepare, self._after = combine, prepare, after
        self.ctx: object = None
        self._prepared = prepare is None
        self.status = JobStatus.PAUSED
        self.result: object = None
        self.error = ""
        self.lock = threading.RLock()
        self.seen = time.monotonic()
        self.owners: set[str] = set()  # browser sessions that asked for it (the worker's heartbeat looks at them)
        self.version = 0  # bumps after every turn (for redraws)
        self.turns = 0
        self.started = time.monotonic()
        self.finished: float | None = None
        self.news = 0  # bumps when the status changes or a stage finishes (what a following page waits for)
        self._news = threading.Condition(threading.Lock())

    # ----- what pages read --------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.status is JobStatus.RUNNING

    @property
    def done(self) -> bool:
        return self.status is JobStatus.DONE

    @property
    def total_steps(self) -> int:
        return sum(s.steps for s in self.stages)

    @property
    def progress(self) -> float:
        if self.done:
            return 1.0
        total = self.total_steps
        if total <= 0:
            return 0.0
        return min(1.0, sum(s.steps if s.done else min(s.step, s.steps) for s in self.stages) / total)

    def _doing(self) -> str:
        if self.status is JobStatus.DONE:
            return "done"
        if self.status is JobStatus.FAILED:
            return f"failed: {self.error}"
        if not self._prepared:
            return "getting the data ready"
        for s in self.stages:
            if not s.done:
                return f"{s.label}: step {s.step:,} of {s.steps:,}"
        return "scoring"

    def view(self) -> JobView:
        with self.lock:
            return JobView(
                key=self.key,
                title=self.title,
                status=self.status,
                progress=self.progress,
                doing=self._doing(),
                pieces={s.label: s.piece for s in self.stages if s.done},
                losses={s.label: list(s.trainer.history.loss) for s in self.stages if s.trainer is not None},
                steps={s.label: (s.step, s.steps) for s in self.stages},
                result=self.result,
                error=self.error,
                seconds=(self.finished or time.monotonic()) - self.started,
                ctx=self.ctx,
            )

    # ----- news for the pages that follow it --------------------------------------------------
    def _tell(self) -> None:
        """Wake the pages waiting for news of this job (:meth:`wait_news`)."""
        with self._news:
            self.news += 1
            self._news.notify_all()

    def wait_news(self, seen: int, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for news after ``seen`` (a status change, a finished stage); returns
        the news count now. A page following the job wakes the moment it is done instead of polling for it."""
        with self._news:
            if self.news == seen:
                self._news.wait(timeout)
            return self.news

    # ----- events -----------------------------------------------------------------------------
    def start(self) -> None:
        """Take turns again (a paused job); a finished or failed one stays as it is."""
        with self.lock:
            if self.status is JobStatus.PAUSED:
                self.status = JobStatus.RUNNING
                self.seen = time.monotonic()
                self._tell()

    def pause(self) -> None:
        with self.lock:
            if self.status is JobStatus.RUNNING:
                self.status = JobStatus.PAUSED
                self._tell()

    def touch(self, owner: str | None = None) -> None:
        """Someone is looking (a page run, a redraw): the worker keeps giving it turns."""
        self.seen = time.monotonic()
        if owner:
            self.owners.add(owner)

    # ----- turns ------------------------------------------------------------------------------
    def _ready(self) -> None:
        """Run prepare() once, outside the lock (it may take a second: pages keep reading meanwhile).
        Only the thread taking the job's turn calls it (the worker gives a job to one thread at a time)."""
        if not self._prepared:
            ctx = self._prepare()
            with self.lock:
                self.ctx, self._prepared = ctx, True
            self._tell()

    def _current(self) -> Stage | None:
        """The first unfinished stage, built if it is new; None when every stage is done. Under the lock."""
        for s in self.stages:
            if s.done:
                continue
            if s.trainer is None:
                s.trainer = s.build(self.ctx)
            if s.step >= s.steps or s.diverged:
                self._finish_stage(s)
                continue
            return s
        return None

    def _finish_stage(self, s: Stage) -> None:
        s.piece = self._after(self.ctx, s) if self._after else None
        s.done = True
        self._tell()

    def _wrap_up(self) -> None:
        self.result = self._combine(self.ctx, self.stages)
        self.status = JobStatus.DONE
        self.finished = time.monotonic()
        self._tell()

    def _fail(self, e: BaseException) -> None:
        logging.getLogger("rnnviz").error("job %s failed:\n%s", self.title, "".join(traceback.format_exception(e)))
        self.error = f"{type(e).__name__}: {e}"
        self.status = JobStatus.FAILED
        self.finished = time.monotonic()
        self._tell()

    def _begin(self) -> bool:
        """Whether this turn goes on: the job is running and its prepare() has run (a failing one fails the job)."""
        if self.status is not JobStatus.RUNNING:
            return False
        try:
            self._ready()
        except Exception as e:
            with self.lock:
                self._fail(e)
            return False
        return True

    def tick(self, seconds: float | None = 0.1) -> int:
        """One turn trained here: the current stage for about ``seconds`` (None: to its end); a stage that
        reaches its steps is finished, and after the last one the result is made. Returns steps taken."""
        if not self._begin():
            return 0
        with self.lock:
            if self.status is not JobStatus.RUNNING:
                return 0
            try:
                s = self._current()
                n = 0
                if s is not None:
                    n = s.trainer.run(n_steps=s.steps - s.step, seconds=seconds)
                    if s.step >= s.steps or s.diverged:
                        self._finish_stage(s)
                if all(x.done for x in self.stages):
                    self._wrap_up()
            except Exception as e:  # a job that cannot go on says why; the worker and the page carry on
                self._fail(e)
                return 0
            self.turns += 1
            self.version += 1
            return n

    def tick_in(self, proc, seconds: float | None = 0.1) -> int:
        """:meth:`tick` with the training done by a trainer process (:mod:`rnnviz.runtime.trainproc`), out of
        reach of the pages' interpreter lock; the lock is held only to read the stage and to apply the
        result. Building a stage, finishing one and combining happen here, in the worker's thread."""
        if not self._begin():
            return 0
        with self.lock:
            if self.status is not JobStatus.RUNNING:
                return 0
            try:
                s = self._current()
            except Exception as e:
                self._fail(e)
                return 0
            if s is None:
                return self.tick(seconds)  # only the result to make
            tr = s.trainer
            before = (tr.step, tr.mark())
        delta = proc.turn(tr, s.steps - before[0], seconds, lock=self.lock)
        if delta is proc.HERE:
            return self.tick(seconds)
        if delta is None:
            return 0
        with self.lock:
            if s.trainer is not tr or (tr.step, tr.mark()) != before or self.status is not JobStatus.RUNNING:
                return 0  # paused meanwhile (the chunk in flight is dropped) or trained here
            tr.apply_delta(delta)
            try:
                if s.step >= s.steps or s.diverged:
                    self._finish_stage(s)
                if all(x.done for x in self.stages):
                    self._wrap_up()
            except Exception as e:
                self._fail(e)
            self.turns += 1
            self.version += 1
            return tr.step - before[0]

    def run_here(self, progress: Callable[[float, str], None] | None = None, seconds: float = 0.5) -> Job:
        """Train every stage to its end in this thread (the command line, tests), reporting
        ``progress(fraction, doing)`` after each chunk. Raises what a stage raised."""
        self.start()
        while self.status is JobStatus.RUNNING:
            self.tick(seconds)
            if progress:
                progress(self.progress, self._doing())
        if self.status is JobStatus.FAILED:
            raise RuntimeError(self.error)
        return self


def stage_progress(job: Job, progress: Callable | None):
    """For a one-stage job run by the command line: run_here's progress(fraction, doing) as the CLI's
    progress(step, steps, loss)."""
    if progress is None:
        return None
    st = job.stages[0]

    def show(_fraction, _doing):
        if st.trainer is not None and st.trainer.history.loss:
            progress(st.trainer.step, st.steps, st.trainer.history.loss[-1])

    return show


class JobBoard:
    """One job per key for the whole process (single flight), finished ones kept for reuse.

    :meth:`get_or_start` returns the job with that key if there is one (running, paused or done: a
    paused one takes turns again), else makes one with ``make()`` and hands it to ``submit``. A failed
    job is replaced by a new attempt. At most ``keep`` jobs are held; the least recently asked-for
    finished or paused ones go first (running ones are never dropped)."""

    def __init__(self, keep: int = 64):
        self.keep = keep
        self._jobs: OrderedDict[Hashable, Job] = OrderedDict()
        self._lock = threading.Lock()
        self.made = 0  # jobs made (a test counts single flights with it)

    def get(self, key: Hashable) -> Job | None:
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
            return job

    def get_or_start(self, key: Hashable, make: Callable[[], Job], submit: Callable[[Job], None] | None = None) -> Job:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.status is JobStatus.FAILED:
                job = make()
                self.made += 1
                self._jobs[key] = job
                self._trim()
            self._jobs.move_to_end(key)
        job.touch()
        if not job.done:
            job.start()
            if submit is not None:
                submit(job)
        return job

    def _trim(self) -> None:
        idle = [k for k, j in self._jobs.items() if not j.running]
        while len(self._jobs) > self.keep and idle:
            self._jobs.pop(idle.pop(0), None)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()

    def __len__(self) -> int:
        return len(self._jobs)


JOBS = JobBoard()
