"""Training in a process of its own, so that drawing pages never starves it (and the reverse).

Streamlit runs every browser session's page script on a thread of the one server process, and all
threads of a process share Python's global interpreter lock (GIL). A training step is a few
hundred small torch operations, and each one gives the lock up and has to wait for it again:
while 20 students' pages are being drawn (plotly and pandas, pure Python, holding the lock), a
training thread got one operation through every few milliseconds. Measured with py-spy on one
core, 20 sessions on the Train page: the whole class together did 1 step/s where one session alone
does about 250 (``bench/load.py``, see the README).

So the worker's threads (:class:`rnnviz.runtime.session.Worker`) do not train themselves: each hands its
turn to a trainer process (:class:`TrainerProcess`, ``python -m rnnviz.runtime.trainproc``), a plain child
of the server that the operating system schedules beside it, at a lower priority (nice 10): when
pages need the core they get it first, and training takes all that is left (on a busy core about
a tenth, on an idle one all of it). The child keeps a copy of every run it has trained
recently (and drops its copy of a run the server has let go); for a turn the server sends the
run's key and fingerprint (the whole run, pickled, only when the child's copy is missing or stale:
a new model, a Step press trained here, a changed setting), the child trains for the turn's
seconds and sends back what changed (:meth:`rnnviz.runtime.training.Trainer.delta`: weights, optimiser
state, data stream, the new history), which the server applies to its own copy under the session's
lock. The server's copy is always the one pages read; the child's is a cache. Training is
deterministic, so the history is the same step for step as training in the server (a test checks).

If the child cannot start or dies, the turn trains in the server as before and the failure is
logged; ``RNNVIZ_TRAIN_IN_PROCESS=1`` keeps all training in the server (tests of the worker's
turn order use it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from pathlib import Path

from .training import Trainer

# Runs the child keeps (least recently trained dropped first; a dropped run is sent again, whole). The
# worker visits runs in a cycle (every running session in turn, and a Compare-lab race's racers one a
# turn), and an LRU smaller than the cycle misses on every turn: 20 students racing 6 models each are
# 120 runs, plus their Train-page sessions. The child forgets the runs the server has let go (see
# TrainerProcess.train), so KEEP bounds live runs only: room for a class of 30 with a race and a
# Train session each. A run here is a few hundred kB to a few MB (weights, Adam state, history).
KEEP = 256
NICE = 10  # the child's niceness: on a busy core it gets about a tenth of it, on an idle one all of it
_HEADER = struct.Struct("<Q")


class NotReady(Exception):
    """The child is still starting (importing torch takes seconds): train this turn elsewhere."""


class Stale(Exception):
    """The run changed while its turn was being prepared: nothing was trained (the next turn sends it)."""


def in_process() -> bool:
    """True when RNNVIZ_TRAIN_IN_PROCESS asks to train in the server's own threads."""
    return os.environ.get("RNNVIZ_TRAIN_IN_PROCESS", "") not in ("", "0")


def _send(f, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_HEADER.pack(len(data)))
    f.write(data)
    f.flush()


def _recv(f):
    head = f.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (n,) = _HEADER.unpack(head)
    data = f.read(n)
    if len(data) < n:
        raise EOFError("the other side closed the pipe mid-message")
    return pickle.loads(data)


class TrainerProcess:
    """One child process that trains runs for the server, one turn at a time (not thread-safe: one
    worker thread owns one). A child that has gone away between turns is started again."""

    HERE = object()  # what turn() returns when this turn should train in the server (callers may not import us)

    command = (sys.executable, "-m", "rnnviz.runtime.trainproc")

    def __init__(self):
        self._proc: subprocess.Popen | None = None
        self._ready = False
        self._keys: weakref.WeakKeyDictionary[Trainer, str] = weakref.WeakKeyDictionary()
        self._gone: list[str] = []  # keys of runs the server has let go: the next job tells the child to drop them
        self.turns = 0  # turns trained in the child
        self.sent = 0  # runs sent whole (new or stale in the child)
        self.kept = 0  # runs the child held after its last turn

    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
            root = str(Path(__file__).resolve().parents[2])  # the folder that holds the rnnviz package
            env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
            self._proc = subprocess.Popen(list(self.command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            self._ready = False
        if not self._ready:  # the child says "ready" once it has imported torch; until then turns train elsewhere
            if not select.select([self._proc.stdout], [], [], 0)[0]:
                raise NotReady
            try:
                hello = _recv(self._proc.stdout)
            except (OSError, EOFError, pickle.PickleError):
                self.close()
                raise
            if hello != {"ready": True}:
                self.close()
                raise EOFError(f"the trainer process said {hello!r} instead of ready")
            self._ready = True
        return self._proc

    def start(self, wait: float = 0.0) -> bool:
        """Start the child if it is not running; wait up to ``wait`` seconds for it to be ready.
        Returns whether it is ready."""
        end = time.monotonic() + wait
        while True:
            try:
                self._start()
                return True
            except NotReady:
                if time.monotonic() >= end:
                    return False
                select.select([self._proc.stdout], [], [], max(0.0, end - time.monotonic()))

    def train(self, trainer: Trainer, n_steps: int, seconds: float, lock=None) -> dict:
        """Train a copy of ``trainer`` in the child for up to n_steps or `seconds`; returns the delta
        to apply to ``trainer`` (:meth:`Trainer.apply_delta`). Does not touch ``trainer``, so the
        caller can release the session's lock while the child trains. Raises OSError or EOFError
        when the child is gone, NotReady while it starts (the caller trains in the server instead).
        ``lock`` (the session's): held while the run is read for the job, and while it is pickled if the
        child needs it whole (Stale if it changed in between: nothing was trained)."""
        key = self._keys.get(trainer)
        if key is None:
            key = self._keys[trainer] = uuid.uuid4().hex
            weakref.finalize(trainer, self._gone.append, key).atexit = False  # holds the list, not self
        lock = lock or contextlib.nullcontext()
        with lock:
            job = {"key": key, "fingerprint": trainer.fingerprint(), "n_steps": n_steps, "seconds": seconds}
        proc = self._start()
        job["gone"] = gone = []
        while self._gone:  # pop() is atomic: a run collected meanwhile (on any thread) goes with the next job
            gone.append(self._gone.pop())
        try:
            _send(proc.stdin, job)
            reply = _recv(proc.stdout)
            if reply.get("need") == "run":
                with lock:  # a consistent copy: a page may change the run meanwhile (a live setting, Step)
                    if trainer.fingerprint() != job["fingerprint"]:
                        raise Stale
                    run = pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL)
                self.sent += 1
                _send(proc.stdin, {**job, "run": run})
                reply = _recv(proc.stdout)
        except (OSError, EOFError, pickle.PickleError):
            self.close()
            raise
        if "error" in reply:
            raise RuntimeError(reply["error"])
        self.turns += 1
        self.kept = reply.get("kept", 0)
        return reply["delta"]

    def turn(self, trainer: Trainer, n_steps: int, seconds: float | None, lock) -> dict | object | None:
        """:meth:`train` for a worker's turn, with what can go wrong sorted out once for every kind of job:
        the delta; None when the run changed while the turn was prepared (nothing trained: skip the turn,
        the next one sends the new run); :attr:`HERE` when the turn should train in the server instead
        (the child is still starting, or it failed: the log says so)."""
        try:
            return self.train(trainer, n_steps, seconds, lock=lock)
        except NotReady:
            return self.HERE
        except Stale:
            return None
        except Exception:
            logging.getLogger("rnnviz").exception("the trainer process failed; this turn trains in the server")
            return self.HERE

    def close(self) -> None:
        p, self._proc = self._proc, None
        if p is not None:
            for f in (p.stdin, p.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


_LOCAL = threading.local()


def for_this_thread() -> TrainerProcess:
    """The calling thread's trainer process (started on its first turn)."""
    tp = getattr(_LOCAL, "proc", None)
    if tp is None:
        tp = _LOCAL.proc = TrainerProcess()
    return tp


def release_this_thread() -> None:
    """End the calling thread's trainer process, if it has one (its runs' memory goes back; the next
    turn starts a new one)."""
    tp = getattr(_LOCAL, "proc", None)
    if tp is not None:
        tp.close()


# The modules whose runs the child unpickles (a page's job): imported before the child says ready, so the
# first turn of a Forecast or a Translate job does not wait for them.
PRELOAD = (
    "rnnviz.signals.forecast",
    "rnnviz.signals.music",
    "rnnviz.signals.recognise",
    "rnnviz.signals.sounds",
    "rnnviz.signals.digits",
    "rnnviz.language.translate",
    "rnnviz.language.chat",
    "rnnviz.language.charlm",
    "rnnviz.language.sentiment",
    "rnnviz.compare.race",
)


def warm_up() -> None:
    """What a fresh process pays on its first training step, paid before it says ready (the server trains
    meanwhile): the optimiser's first step imports torch._dynamo (2-3 s here, measured), and unpickling a
    page's run imports its module."""
    import importlib

    import torch

    w = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([w], lr=0.1)
    (w.sum() ** 2).backward()
    opt.step()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # a module that cannot load here is unpickled (and fails) on its own turn
            logging.getLogger("rnnviz").exception("the trainer process could not preload %s", name)


def serve(inp, out) -> None:
    """The child's loop: a job in, a delta out, until the server closes the pipe."""
    import torch

    torch.set_num_threads(1)
    try:  # pages first: a student moving a slider waits for nobody; training takes the rest of the core
        os.nice(int(os.environ.get("RNNVIZ_TRAINER_NICE", NICE)))
    except (OSError, ValueError):
        pass
    warm_up()
    runs: OrderedDict[str, Trainer] = OrderedDict()
    _send(out, {"ready": True})
    while True:
        try:
            job = _recv(inp)
        except EOFError:
            return
        key = job["key"]
        for k in job.get("gone", ()):  # runs the server no longer has
            runs.pop(k, None)
        try:
            if "run" in job:
                runs[key] = pickle.loads(job["run"])
            tr = runs.get(key)
            if tr is None or tr.fingerprint() != job["fingerprint"]:
                runs.pop(key, None)
                _send(out, {"need": "run"})
                continue
            runs.move_to_end(key)
            while len(runs) > KEEP:
                runs.popitem(last=False)
            mark = tr.mark()
            tr.run(n_steps=job["n_steps"], seconds=job["seconds"])
            reply = {"delta": tr.delta(mark), "kept": len(runs)}
        except Exception as e:  # the server logs it and trains this turn itself
            runs.pop(key, None)
            reply = {"error": f"{type(e).__name__}: {e}"}
        _send(out, reply)


if __name__ == "__main__":
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the pipe
    serve(sys.stdin.buffer, out)
