"""TrainingSession: the Train page's state machine, without Streamlit.

A session holds the Settings its run was built from, the run (a :class:`~rnnviz.runtime.training.Trainer`),
a status and a step budget (the cap). Pages send it events and draw what it holds; nothing else
changes it. Training happens only in :meth:`TrainingSession.tick` and :meth:`step`, so a page
rerun, a test or a process-wide worker can drive it alike.

Transitions (status, event) -> status; "trains" means one chunk of steps, never past the cap:

=========  ==========  ==========  ======================  ======  ==========================
status     start       pause       step                    reset   tick
=========  ==========  ==========  ======================  ======  ==========================
idle       running     idle        trains -> paused [1]    idle    idle
running    running     paused      running (ignored)       idle    trains -> running [1]
paused     running     paused      trains -> paused [1]    idle    paused
at_cap     running [2] at_cap      trains -> paused [1,2]  idle    at_cap
diverged   diverged    diverged    diverged                idle    diverged
=========  ==========  ==========  ======================  ======  ==========================

[1] or at_cap when the chunk reached the cap, or diverged when the loss or gradient blew up.
[2] a new round: the cap moves to the current step plus the cap size.

A change of settings goes through :meth:`apply`: a change a running trainer can take (learning
rate, batch, clipping, sequence length) is applied at once and the status stays; a change that
needs new weights rebuilds at once when nothing would be lost (untrained or diverged run) and
otherwise waits for the user to choose (:meth:`rebuild` or keep).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ..settings import FIELDS, Change, Settings, live_changes, what_changes
from .jobs import IDLE_SECONDS
from .runs import build_run, retrain, text_key
from .training import History, Trainer
from .training import Status as TrainerStatus
from .trainproc import TrainerProcess, for_this_thread, in_process, release_this_thread

PAST_RUNS = 3  # earlier runs of a session kept as faint curves on the Train page
CAP_SIZES = (500, 1000, 2000, 3000, 5000, 10000, 20000)
DEFAULT_CAP = 3000
MAX_STEPS = 100_000  # a link may ask to rebuild at most this many steps
CHUNK_SECONDS = float(os.environ.get("RNNVIZ_CHUNK_SECONDS", 0.25))  # training per tick or Step press
MAX_PARALLEL_TRAINING = 2  # chunks training at the same moment in one process (one per core)
_TRAIN_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_TRAINING)


class Status(StrEnum):
    IDLE = "idle"  # nothing running; no steps since the last reset or rebuild
    RUNNING = "running"  # ticks train
    PAUSED = "paused"  # the user paused (or pressed Step)
    AT_CAP = "at_cap"  # paused by itself at the step budget
    DIVERGED = "diverged"  # the loss or gradient became NaN/inf; only reset (or new settings) helps


class Event(StrEnum):
    START = "start"
    PAUSE = "pause"
    STEP = "step"
    RESET = "reset"
    TICK = "tick"


@dataclass(frozen=True)
class PastRun:
    """An earlier run of the session, kept to draw under the live one: the settings it started with,
    the settings it ended with (a live change such as the learning rate may have happened), and a
    frozen copy of its history."""

    started: Settings
    ended: Settings
    history: History

    def label(self, now: Settings) -> str:
        """What differed from the run ``now`` in a few words (see :func:`compare_label`)."""
        return compare_label(self.started, now) + ("; changed while training" if self.ended != self.started else "")

    def curve(self, which: str = "loss") -> tuple[list[int], list[float]]:
        """(steps, values) of "loss" or "metric" to draw: the held-out scores when the run was scored at
        least three times (smooth), else the per-batch values (a short run)."""
        h = self.history
        if len(h.heldout_step) >= 3:
            return list(h.heldout_step), list(h.heldout_loss if which == "loss" else h.heldout_metric)
        return list(h.step), list(h.loss if which == "loss" else h.metric)


def compare_label(old: Settings, new: Settings, most: int = 2) -> str:
    """What an earlier run had that this one has not, in a few words: "vanilla RNN (now LSTM)",
    "gradient clipping on (now off)", "seed 0, hidden units H 32 (now 3, 64)"; "same settings" when
    nothing differs; at most ``most`` differences are named."""
    was, now = [], []
    for f in FIELDS:
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        if f.kind == "choice" and f.name in ("arch", "task", "optimizer"):
            was.append(f.show(a))
        else:
            name = f.noun or f.label.split(" (")[0]
            was.append(f"{name if name[:3].isupper() else name[0].lower() + name[1:]} {f.show(a)}")
        now.append(f.show(b))
    if not was:
        return "same settings"
    more = f" and {len(was) - most} more" if len(was) > most else ""
    return f"{', '.join(was[:most])} (now {', '.join(now[:most])}){more}"


@dataclass(frozen=True)
class View:
    """One reading of a session, taken at one moment under its lock (:meth:`TrainingSession.view`):
    what a page's status line, step counter and notices say. The worker changes the session between
    chunks; a page that draws from one View never shows a status from one moment beside a step or a
    notice from another. ``history`` is a copy (whose lists no longer grow) when asked for."""

    status: Status
    step: int  # the steps trained: the number the step counter shows, and the step a diverged run stopped at
    round_start: int
    cap_size: int
    message: str
    version: int
    solved_at: int | None = None
    steps_per_second: float | None = None  # None before any training time was measured
    history: History | None = None

    @property
    def running(self) -> bool:
        return self.status is Status.RUNNING

    @property
    def diverged(self) -> bool:
        return self.status is Status.DIVERGED

    @property
    def cap(self) -> int:
        return self.round_start + self.cap_size

    @property
    def progress(self) -> float:
        """Fraction of this round's budget used, 0 to 1 (as :attr:`TrainingSession.progress`)."""
        return min(1.0, max(0.0, (self.step - self.round_start) / self.cap_size))


@dataclass
class TrainingSession:
    settings: Settings
    trainer: Trainer
    text: str | None = None  # the user's own text for the character model (never in a link)
    status: Status = Status.IDLE
    cap_size: int = DEFAULT_CAP
    round_start: int = 0
    version: int = 0  # bumps whenever the model's weights may have changed (for caches of views)
    seen: float = field(default_factory=time.monotonic, repr=False, compare=False)  # last page run
    loaded_from: str = ""  # the file the run was loaded from ("" for a run trained from the seed here)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    started: Settings | None = None  # the settings the run was built with (None: the same as settings)
    past: tuple[PastRun, ...] = ()  # earlier trained runs of this session, newest first, at most PAST_RUNS

    # ----- building ------------------------------------------------------------------------
    @classmethod
    def new(cls, settings: Settings, text: str | None = None, cap_size: int = DEFAULT_CAP) -> TrainingSession:
        return cls(settings, build_run(settings, text=text), text=text, cap_size=cap_size)

    def rebuild(self, settings: Settings | None = None, text: str | None | bool = False) -> None:
        """A fresh untrained model from these settings (default: the session's own); text=False keeps
        the session's text."""
        with self.lock:
            self._archive()
            if text is not False:
                self.text = text
            self.settings = settings or self.settings
            self.started = self.settings
            self.trainer = build_run(self.settings, text=self.text)
            self.status, self.round_start = Status.IDLE, 0
            self.loaded_from = ""
            self.version += 1

    def load(self, settings: Settings, trainer: Trainer, text: str | None = None, source: str = "a file") -> None:
        """Replace the run with one already built and checked (e.g. by
        :func:`rnnviz.runtime.checkpoints.load_checkpoint_bytes`): its settings, text and trainer, paused
        where it stopped (diverged if it had). Only call it once the new run is known to be good."""
        with self.lock:
            self._archive()
            self.settings, self.trainer, self.text = settings, trainer, text
            self.started = settings
            self.loaded_from = source
            self.version += 1
            self.round_start = ((trainer.step - 1) // self.cap_size) * self.cap_size if trainer.step else 0
            if trainer.status is TrainerStatus.DIVERGED:
                self.status = Status.DIVERGED
            elif trainer.step == 0:
                self.status = Status.IDLE
            else:
                self.status = Status.AT_CAP if trainer.step >= self.cap else Status.PAUSED

    def _archive(self) -> None:
        """Keep the run about to be replaced (if it trained at all) among the past runs."""
        if self.trainer.step > 0:
            run = PastRun(self.started or self.settings, self.settings, self.trainer.history.copy())
            self.past = (run, *self.past)[:PAST_RUNS]

    def past_curves(self, which: str = "loss") -> list[tuple[str, list[int], list[float]]]:
        """The earlier runs on the live run's task as (label against the live run, steps, values) for the Train page's
        charts: a run on another task has another loss and metric (an accuracy axis must not carry a sines run's
        loss), so it is not drawn with this one."""
        return [(p.label(self.settings), *p.curve(which)) for p in self.past if p.ended.task == self.settings.task]

    def clear_past(self) -> None:
        """Forget the earlier runs (the Train page's "Clear earlier runs")."""
        with self.lock:
            self.past = ()

    # ----- what pages read -----------------------------------------------------------------
    @property
    def step_count(self) -> int:
        return self.trainer.step

    @property
    def cap(self) -> int:
        """The step at which training pauses by itself."""
        return self.round_start + self.cap_size

    @property
    def progress(self) -> float:
        """Fraction of this round's budget used, 0 to 1 (never more)."""
        done = self.trainer.step - self.round_start
        return min(1.0, max(0.0, done / self.cap_size))

    @property
    def running(self) -> bool:
        return self.status is Status.RUNNING

    @property
    def diverged(self) -> bool:
        return self.status is Status.DIVERGED

    @property
    def message(self) -> str:
        return self.trainer.message

    def view(self, history: bool = False) -> View:
        """Status, step, message... read together under the lock (with a copy of the history if asked),
        so a page draws them as they were at one moment (see :class:`View`)."""
        with self.lock:
            tr = self.trainer
            return View(
                status=self.status,
                step=tr.step,
                round_start=self.round_start,
                cap_size=self.cap_size,
                message=tr.message,
                version=self.version,
                solved_at=tr.solved_at,
                steps_per_second=tr.steps_per_second if tr.seconds > 0 else None,
                history=tr.history.copy() if history else None,
            )

    # ----- events --------------------------------------------------------------------------
    def handle(self, event: Event | str, seconds: float | None = None) -> Status:
        """Apply one event (see the table in the module docstring) and return the new status."""
        event = Event(event)
        seconds = CHUNK_SECONDS if seconds is None else seconds
        with self.lock:
            s = self.status
            if event is Event.RESET:
                self.rebuild()
            elif s is Status.DIVERGED:
                pass
            elif event is Event.START:
                if s is Status.AT_CAP:
                    self.round_start = self.trainer.step
                self.status = Status.RUNNING
            elif event is Event.PAUSE:
                if s is Status.RUNNING:
                    self.status = Status.PAUSED
            elif event is Event.STEP:
                if s is not Status.RUNNING:
                    if s is Status.AT_CAP:
                        self.round_start = self.trainer.step
                    self.status = Status.PAUSED
                    self._train(seconds)
            elif event is Event.TICK:
                if s is Status.RUNNING:
                    self._train(seconds)
            return self.status

    def start(self) -> Status:
        return self.handle(Event.START)

    def pause(self) -> Status:
        return self.handle(Event.PAUSE)

    def step(self, seconds: float | None = None) -> Status:
        return self.handle(Event.STEP, seconds)

    def reset(self) -> Status:
        return self.handle(Event.RESET)

    def tick(self, seconds: float | None = None) -> Status:
        return self.handle(Event.TICK, seconds)

    def set_cap_size(self, n: int) -> None:
        """A new step budget for this round (the progress bar's length)."""
        if n not in CAP_SIZES:
            raise ValueError(f"cap size must be one of {CAP_SIZES}")
        with self.lock:
            self.cap_size = n
            if self.trainer.step >= self.cap and self.status in (Status.RUNNING, Status.PAUSED):
                self.status = Status.AT_CAP
            elif self.status is Status.AT_CAP and self.trainer.step < self.cap:
                self.status = Status.PAUSED

    def _train(self, seconds: float) -> int:
        left = self.cap - self.trainer.step
        done = 0
        if left > 0:
            if not _TRAIN_SLOTS.acquire(timeout=1.0):
                return 0  # the machine is busy: this tick trains nothing, the next one tries again
            try:
                done = self.trainer.run(n_steps=left, seconds=seconds)
            finally:
                _TRAIN_SLOTS.release()
            self.version += 1
        self._after_chunk()
        return done

    def _after_chunk(self) -> None:
        if self.trainer.status is TrainerStatus.DIVERGED:
            self.status = Status.DIVERGED
        elif self.trainer.step >= self.cap:
            self.status = Status.AT_CAP
        elif self.status is Status.IDLE:
            self.status = Status.PAUSED

    def tick_in(self, proc: TrainerProcess, seconds: float | None = None) -> Status:
        """TICK, with the chunk trained by a trainer process (:mod:`rnnviz.runtime.trainproc`). The lock is
        held only to read the run and to apply the result, so pages draw while the child trains; a
        result for a run that was replaced, trained here or paused meanwhile (Reset, new weights, Step,
        Pause) is dropped (Pause stops at once: the chunk in flight is not shown). If the
        child fails, this turn trains in the server (:meth:`tick`)."""
        seconds = CHUNK_SECONDS if seconds is None else seconds
        with self.lock:
            tr = self.trainer
            left = self.cap - tr.step
            if self.status is not Status.RUNNING or left <= 0 or tr.status is TrainerStatus.DIVERGED:
                return self.tick(seconds)
            before = (tr.step, tr.mark())
        delta = proc.turn(tr, left, seconds, lock=self.lock)
        if delta is proc.HERE:  # the child is starting or failed: this turn trains here
            return self.tick(seconds)
        if delta is None:  # the run changed while the turn was prepared: the next turn takes the new one
            return self.status
        with self.lock:
            # a setting changed meanwhile (a new length, rate...) applies from the next chunk, as when training here
            if self.trainer is tr and (tr.step, tr.mark()) == before and self.status is Status.RUNNING:
                tr.apply_delta(delta)
                self.version += 1
                self._after_chunk()
            return self.status

    # ----- settings ------------------------------------------------------------------------
    def decide(self, new: Settings) -> Change:
        """What new settings would do to this run (without doing it)."""
        return what_changes(self.settings, new)

    def needs_choice(self, new: Settings) -> bool:
        """True when new settings need new weights and the current run has something to lose."""
        return self.decide(new) is Change.REBUILD and self.trainer.step > 0 and not self.diverged

    def apply(self, new: Settings) -> Change:
        """Take new settings: live changes at once; a rebuild at once if nothing is lost. Returns
        the decision; REBUILD with the run left as it was means the user must choose (see
        needs_choice), and training pauses until they do."""
        with self.lock:
            change = self.decide(new)
            if change is Change.UPDATE_LIVE:
                if self.diverged:
                    self.rebuild(new)
                else:
                    self.trainer.update(**live_changes(self.settings, new))
                    self.settings = new
                    self.version += 1
            elif change is Change.REBUILD and not self.needs_choice(new):
                self.rebuild(new)
            elif change is Change.REBUILD and self.running:
                self.status = Status.PAUSED  # the trained run waits for the user's choice
            return change


# ----- a process-wide cache of runs, so a reload or a link rebuilds a trained model at once -----
class RunCache:
    """Clones of trained runs keyed by (settings, text, step), least recently used dropped first.

    Training is deterministic, so a run is fully named by the settings it was trained with, the
    text and its step count: two sessions (or one reloaded) asking for the same triple get the same
    model. Bounded by an estimate of the bytes held."""

    def __init__(self, max_bytes: int = 256 * 2**20):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[Trainer, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size(tr: Trainer) -> int:
        params = sum(p.numel() for p in tr.model.parameters())
        return params * 4 * 4 + len(tr.history) * 120 + 4096  # weights, grads, Adam's two moments; history

    def put(self, session: TrainingSession) -> None:
        if not isinstance(session, TrainingSession):
            return  # another job the worker trains (a Compare-lab race): nothing a link restores
        with session.lock:
            # a loaded model is not what its settings and step rebuild from the seed: keep it out of
            # the cache every session shares, so a link can never bring back someone's uploaded weights
            if session.diverged or session.trainer.step == 0 or session.loaded_from:
                return
            key = (session.settings.key(), text_key(session.text), session.trainer.step)
            clone = session.trainer.clone()
        size = self._size(clone)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return
            self._items[key] = (clone, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, s) = self._items.popitem(last=False)
                self._bytes -= s

    def nearest(self, settings: Settings, text: str | None, step: int) -> Trainer | None:
        """A clone of the cached run with these settings and text at the largest step <= step."""
        k, t = settings.key(), text_key(text)
        with self._lock:
            best = None
            for key in self._items:
                if key[0] == k and key[1] == t and key[2] <= step and (best is None or key[2] > best[2]):
                    best = key
            if best is None:
                return None
            self._items.move_to_end(best)
            return self._items[best][0].clone()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


RUNS = RunCache()


def restore(
    settings: Settings,
    step: int,
    text: str | None = None,
    cache: RunCache = RUNS,
    progress: Callable[[int, int], None] | None = None,
    cap_size: int = DEFAULT_CAP,
) -> tuple[TrainingSession, str]:
    """The session a link with ``step`` stands for: the same trained model, from the cache or by
    training again from the seed (deterministic). Returns it with one sentence on how it was made."""
    step = max(0, min(int(step), MAX_STEPS))
    t0 = time.perf_counter()
    trainer = cache.nearest(settings, text, step)
    if trainer is not None and trainer.step == step:
        how = f"restored the model trained for {step:,} steps"
    elif trainer is not None:
        base = trainer.step
        while trainer.step < step and trainer.status is not TrainerStatus.DIVERGED:
            trainer.run(n_steps=min(step - trainer.step, 200))
            if progress:
                progress(trainer.step, step)
        how = f"rebuilt the model trained for {step:,} steps (from a saved copy at step {base:,})"
    else:
        trainer = retrain(settings, step, text=text, progress=progress)
        how = (
            f"rebuilt the model trained for {step:,} steps by training again from seed {settings.seed} "
            f"({time.perf_counter() - t0:.1f} s)"
        )
    s = TrainingSession(settings, trainer, text=text, cap_size=cap_size)
    if trainer.status is TrainerStatus.DIVERGED:
        s.status = Status.DIVERGED
    elif trainer.step > 0:
        s.round_start = ((trainer.step - 1) // cap_size) * cap_size
        s.status = Status.AT_CAP if trainer.step >= s.cap else Status.PAUSED
    cache.put(s)
    return s, how


def describe_lengths(history) -> str:
    """How the run's sequence length changed during training, in words ("" if it never did):
    ", at T=20 up to step 500, then at T=50 (curriculum learning)"."""
    parts, start = [], 0
    lengths = list(history.seq_len)
    for i in range(1, len(lengths) + 1):
        if i == len(lengths) or lengths[i] != lengths[start]:
            parts.append((lengths[start], i))
            start = i
    if len(parts) < 2:
        return ""
    words = [f"at T={T} up to step {end:,}" for T, end in parts[:-1]] + [f"then at T={parts[-1][0]}"]
    return ", " + ", ".join(words) + " (curriculum learning: longer sequences once shorter ones are learnt)"


# ----- a process-wide worker: training apart from drawing -------------------------------------
class Worker:
    """Trains every running session of the process in fair turns, on background threads.

    Pages only send events and read: a started session is handed to the worker, which gives each
    running session one chunk of CHUNK_SECONDS in turn (round robin), so N sessions on one core
    each get about 1/N of it whatever their pages are doing, and a page redraws at a modest rate
    from what the trainer recorded. A session leaves the turn order when it pauses, reaches its
    cap, diverges, or nobody has looked at it for ``idle_after`` seconds and none of its browsers
    has a page open (the heartbeat: :attr:`connected`, see :meth:`idle`; a closed tab stops within
    about 15 s); the worker holds only weak references, so a session that Streamlit forgets is freed.
    The applications' jobs (:class:`rnnviz.runtime.jobs.Job`) take turns the same way. Each job stays on the
    thread that first took it, so its run lives in one trainer process.
    Any object with ``running``, ``seen``, ``tick(seconds)``, ``pause()`` and ``status`` can take
    turns the same way (a Compare-lab race, :class:`rnnviz.compare.race.Race`: one turn for all its models).
    A job that also has ``tick_in(proc, seconds)`` (a training session, a race) has its turn trained by
    the thread's trainer process (:mod:`rnnviz.runtime.trainproc`), out of reach of the page scripts'
    interpreter lock; ``elsewhere=False`` (or the environment variable RNNVIZ_TRAIN_IN_PROCESS=1)
    trains in the thread itself. A thread with nothing to train for ``release_after`` seconds ends
    its trainer process.
    """

    def __init__(
        self,
        threads: int | None = None,
        chunk: float | None = None,
        idle_after: float = 120.0,
        elsewhere: bool | None = None,
    ):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.threads = threads or max(1, min(MAX_PARALLEL_TRAINING, cores))
        self.chunk = chunk
        self.idle_after = idle_after
        self.elsewhere = not in_process() if elsewhere is None else elsewhere  # sessions train in a trainer process
        # seconds without work before a thread's trainer process ends (a fresh one takes seconds to warm up)
        self.release_after = 300.0
        self._queue: list[weakref.ref] = []
        self._busy: set[int] = set()
        self._cond = threading.Condition()
        self._started: list[threading.Thread] = []
        self._stopping = False
        atexit.register(self.stop)  # no thread may be inside torch while the interpreter shuts down
        self.on_stop: Callable[[TrainingSession], None] | None = None  # e.g. keep a copy in the cache
        # the heartbeat: connected(owners) says whether any of a job's browser sessions still has a page
        # open (the Streamlit layer installs it); a job nobody has looked at for idle_after seconds and
        # whose browsers are all gone pauses. Without it, only the last look counts.
        self.connected: Callable[[set], bool] | None = None

    def warm(self) -> None:
        """Start the worker threads (and so their trainer processes, which import torch and the pages'
        modules) before anything is asked for: a server's first press then trains in a ready child instead
        of waiting seconds for it to start. A thread with nothing to do lets its child go after ``release_after``."""
        with self._cond:
            if self._stopping:
                return
            self._start_threads()

    def _start_threads(self) -> None:
        while len(self._started) < self.threads:
            t = threading.Thread(
                target=self._loop, args=(len(self._started),), name=f"rnnviz-trainer-{len(self._started)}", daemon=True
            )
            self._started.append(t)
            t.start()

    def submit(self, session: TrainingSession) -> None:
        """Train this session (or job, or race) while it is running. A job stays on the thread that first
        took it, so its run lives in one trainer process (another would need the whole run sent)."""
        with self._cond:
            if id(session) in self._busy or any(r() is session for r in self._queue):
                return
            self._queue.append(weakref.ref(session))
            self._cond.notify_all()
            self._start_threads()

    def stop(self, timeout: float = 5.0) -> None:
        """Let the threads finish their chunk and end (at exit; a stopped worker trains no more)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._started:
            t.join(timeout)

    def running(self) -> int:
        """How many sessions are waiting for or taking a turn."""
        with self._cond:
            return sum(1 for r in self._queue if r() is not None) + len(self._busy)

    def _next(self, me: int = 0) -> TrainingSession | None:
        """The next running job for thread ``me``: its own jobs and new ones, in turn order."""
        with self._cond:
            last_work = time.monotonic()
            while not self._stopping:
                keep = []
                found = None
                for r in self._queue:
                    s = r()
                    if s is None or not s.running:
                        continue  # stopped jobs leave the turn order (a page's submit brings them back)
                    home = s.__dict__.get("_worker_home")
                    if found is None and (home is None or home == me or home >= self.threads):
                        found = s
                    else:
                        keep.append(r)
                self._queue[:] = keep
                if found is not None:
                    found.__dict__["_worker_home"] = me
                    self._busy.add(id(found))
                    return found
                self._cond.wait(min(self.release_after, 1.0))
                if time.monotonic() - last_work > self.release_after:
                    release_this_thread()  # nothing to train for a while: the trainer process's memory goes back
                    last_work = time.monotonic()
            return None

    def idle(self, s) -> bool:
        """Nobody is looking at ``s``: no page has touched it for idle_after seconds, and none of the
        browser sessions that asked for it (``owners``) has a page open any more."""
        now = time.monotonic()
        if now - s.seen <= self.idle_after:
            return False
        owners = s.__dict__.get("owners")
        if owners and self.connected is not None:
            try:
                alive = self.connected(owners)
            except Exception:
                alive = False
            if alive:
                s.seen = now
                return False
        return True

    def _loop(self, me: int = 0) -> None:
        import torch

        torch.set_num_threads(1)
        if self.elsewhere:
            try:
                for_this_thread().start()  # the child imports torch meanwhile; the first turns train here
            except OSError:
                logging.getLogger("rnnviz").exception("no trainer process; training stays in the server")
        while True:
            s = self._next(me)
            if s is None:
                return
            try:
                if self.idle(s):
                    s.pause()  # nobody is looking: an idle session costs nothing
                elif self.elsewhere and hasattr(s, "tick_in"):
                    s.tick_in(for_this_thread(), self.chunk)
                else:
                    s.tick(self.chunk)
            except Exception:  # a failing session must not stop the others' training
                logging.getLogger("rnnviz").exception("training a session failed; it is paused")
                s.pause()
            with self._cond:
                self._busy.discard(id(s))
                if s.running:
                    self._queue.append(weakref.ref(s))
                    self._cond.notify_all()
            if not s.running and self.on_stop:
                self.on_stop(s)
            del s  # hold no reference while waiting: a forgotten session must be freed


WORKER = Worker(chunk=float(os.environ.get("RNNVIZ_WORKER_CHUNK", 0.1)), idle_after=IDLE_SECONDS)
WORKER.on_stop = RUNS.put  # a run that stops is kept, so a reload of its link restores it at once
