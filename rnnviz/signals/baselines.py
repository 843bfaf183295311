"""The field's baselines for recognising recorded sequences, measured on the same splits as the networks.

Two methods from sktime, each fitted on a set's training split and scored on its test split:

    dtw         1-nearest neighbour with dynamic time warping (sktime's KNeighborsTimeSeriesClassifier,
                distance "dtw", no warping window): keep every training recording; label a new one
                like the stored recording it is closest to once both are stretched in time to match
                as well as they can.
    minirocket  MiniRocket + ridge classifier (the pipeline sktime's RocketClassifier builds for
                "minirocket", random_state 0): about 10,000 fixed convolution filters turn each
                recording into numbers, and a linear classifier (ridge, its penalty chosen by
                cross-validation) learns from those.

How a sequence is given to them. Both want every sequence the same length as called (and sktime's
fast DTW and MiniRocket refuse JapaneseVowels' 7 to 29 frames). Each sequence is therefore given as
the set's normalised values (``Split.x``, the numbers the networks read) up to the last step seen,
then that last value held until the set's longest length. That one rule covers the short speech
recordings and the truncated ones: at a fraction f of a test sequence the methods see its first
ceil(f * length) steps (:func:`rnnviz.data.archives.truncate`, the same steps the networks read),
and after them a flat line, which carries no new information.

Two curves against the fraction seen. "by_fraction": each method is fitted once on whole training
recordings, as the networks are, and then shown the start of each test recording. A method that
compares whole shapes suffers from this (DTW must match a flat tail against the rest of a whole
recording), so "by_fraction_refit" also fits it again for each fraction on the same first part of
every training recording: what a method built to answer early would do. Both end at the accuracy on
whole sequences.

Timing: numba compiles each method's inner loops the first time they run in a process (or loads them
from its disk cache, which is much faster, on later runs). That cost is measured apart: each method
first fits and predicts on a handful of sequences ("compile_s"), then the real fit ("fit_s") and the
prediction of the test split ("predict_ms", per sequence) are timed. Everything runs on one thread.

Live re-runs: numba compiling holds the Python interpreter, so the page never runs this in its own
process. :class:`BaselineRun` starts ``python -m rnnviz recognise --data NAME --baselines
--progress-lines`` as a child process and follows its progress lines.
"""

from __future__ import annotations

import collections
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..data.archives import FRACTIONS, NAMES, check_name, load_archive, truncate
from ..errors import ConfigError

METHODS = ("dtw", "minirocket")
METHOD_NAMES = {
    "dtw": "1-nearest neighbour, dynamic time warping",
    "minirocket": "MiniRocket + ridge classifier",
}
METHOD_SHORT = {"dtw": "1-NN DTW", "minirocket": "MiniRocket"}
METHOD_ABOUT = {
    "dtw": (
        "Keeps every training recording. A new recording gets the label of the stored one it is closest to, "
        "after both are stretched in time so that their shapes line up as well as they can (dynamic time warping). "
        "Nothing is learned: fitting is storing, and the work is done when predicting."
    ),
    "minirocket": (
        "Slides about 10,000 fixed, small convolution filters over each recording and keeps, for each filter, "
        "the share of steps where its output is above a threshold. A linear classifier (ridge regression) then "
        "learns which of those numbers point to which class."
    ),
}
INPUT_RULE = (
    "Both methods want sequences of one length, so each sequence is given as its normalised values up to the last "
    "step seen, and then that last value held until the set's longest length. At a fraction of a test sequence they "
    "see its first steps only (the same steps the networks read), followed by a flat line."
)
CURVES = {
    "by_fraction": (
        "fitted once on whole training recordings, then shown the first part of each test recording "
        "(like the networks, which learn from whole recordings)"
    ),
    "by_fraction_refit": (
        "fitted again for each fraction on the same first part of every training recording "
        "(a method that knows it will only see the start)"
    ),
}
SHIPPED_FILE = Path(__file__).resolve().parent / "results" / "recognise_baselines.json"
RIDGE_ALPHAS = np.logspace(-3, 3, 10)  # what sktime's RocketClassifier uses

Progress = Callable[[float, str], None]


def hold_last(x: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """[n, T, C] values and the steps seen of each [n] -> [n, C, T] float64 (sktime's layout), each sequence's
    steps after the ones seen holding its last seen value."""
    x = np.asarray(x, dtype=np.float64)
    seen = np.asarray(seen, dtype=np.int64)
    n, T, _ = x.shape
    steps = np.minimum(np.arange(T)[None, :], seen[:, None] - 1)  # [n, T]: which step each position shows
    out = np.take_along_axis(x, steps[:, :, None], axis=1)
    return np.ascontiguousarray(out.transpose(0, 2, 1))


def versions() -> dict:
    """The versions that decide these numbers."""
    import numba
    import sklearn
    import sktime

    return {
        "sktime": sktime.__version__,
        "numba": numba.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def machine() -> dict:
    """Where the numbers were measured: platform, processor, cpu count, python, and how busy it was."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        load = round(os.getloadavg()[0], 2)
    except OSError:
        load = None
    return {
        "platform": platform.platform(),
        "processor": cpu or "unknown",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1min": load,
    }


def _check(methods, fractions, limit) -> tuple[tuple[str, ...], tuple[float, ...], int | None]:
    methods = tuple(methods)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise ConfigError(
            f"unknown baseline method {', '.join(map(str, bad)) or '(none given)'}; choose from {', '.join(METHODS)}"
        )
    try:
        fractions = tuple(float(f) for f in fractions)
    except (TypeError, ValueError):
        raise ConfigError("fractions must be numbers above 0 and at most 1") from None
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise ConfigError("fractions must be numbers above 0 and at most 1")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ConfigError(f"limit must be a whole number of test sequences, at least 1, got {limit!r}")
        limit = int(limit)
    return methods, fractions, limit


def _picked(n: int, limit: int | None) -> np.ndarray:
    """The test sequences used: all, or ``limit`` of them spread evenly over the split (archives are often
    sorted by class, so the first few would be one class)."""
    if limit is None or limit >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def _warm_picks(y: np.ndarray, k: int) -> np.ndarray:
    """One training sequence of each class (the fewest a classifier can be fitted on), for the warm-up."""
    return np.array([int(np.flatnonzero(y == c)[0]) for c in range(k) if (y == c).any()], dtype=np.int64)


class _Dtw:
    """1-NN DTW as sktime calls it; ``size`` is what it keeps."""

    def __init__(self):
        from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

        self.clf = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw")

    def fit(self, X, y):
        self.clf.fit(X, y)
        self.n, self.c, self.t = X.shape
        return self

    def predict(self, X) -> np.ndarray:
        return np.asarray(self.clf.predict(X), dtype=np.int64)

    def size(self) -> dict:
        return {
            "size": int(self.n),
            "size_words": f"{self.n:,} stored training sequences ({self.n * self.c * self.t:,} numbers)",
            "numbers": int(self.n * self.c * self.t),
            "settings": "sktime KNeighborsTimeSeriesClassifier(n_neighbors=1, distance='dtw'), no warping window",
        }


class _MiniRocket:
    """MiniRocket -> StandardScaler(with_mean=False) -> RidgeClassifierCV: sktime's RocketClassifier for
    "minirocket" (univariate MiniRocket for one channel, MiniRocketMultivariate for several, as its "auto"
    does), built here so that the number of features and the learned weights can be read."""

    def __init__(self, channels: int):
        from sklearn.linear_model import RidgeClassifierCV
        from sklearn.preprocessing import StandardScaler
        from sktime.transformations.rocket import MiniRocket, MiniRocketMultivariate

        kind = MiniRocket if channels == 1 else MiniRocketMultivariate
        self.kind = kind.__name__
        self.rocket = kind(random_state=0, n_jobs=1)
        self.scale = StandardScaler(with_mean=False)
        self.ridge = RidgeClassifierCV(alphas=RIDGE_ALPHAS)

    def _features(self, X) -> np.ndarray:
        return np.asarray(self.rocket.transform(X), dtype=np.float64)

    def fit(self, X, y):
        self.rocket.fit(X)
        F = self.scale.fit_transform(self._features(X))
        self.ridge.fit(F, y)
        self.features = F.shape[1]
        return self

    def predict(self, X) -> np.ndarray:
        return np.asarray(self.ridge.predict(self.scale.transform(self._features(X))), dtype=np.int64)

    def size(self) -> dict:
        weights = int(self.ridge.coef_.size + np.size(self.ridge.intercept_))
        return {
            "size": int(self.features),
            "size_words": f"{self.features:,} features per sequence, {weights:,} learned weights",
            "numbers": weights,
            "alpha": float(self.ridge.alpha_),
            "settings": (
                f"sktime {self.kind}(random_state=0), StandardScaler(with_mean=False), "
                "RidgeClassifierCV(alphas=logspace(-3, 3, 10)), as sktime's RocketClassifier builds it"
            ),
        }


class _CompileClock:
    """Counts numba's compilations and the seconds they take, from numba's own "numba:compile" events (a
    function compiled inside another's compilation counts once). Loading from numba's disk cache is no
    compilation. Use as ``with _CompileClock() as clock:``; read ``clock.count`` and ``clock.seconds``."""

    def __init__(self):
        self.count, self.seconds, self._depth, self._t0 = 0, 0.0, 0, 0.0
        self._ctx = None

    def __enter__(self):
        from numba.core import event

        clock = self

        class _Listener(event.Listener):
            def on_start(self, ev):
                if clock._depth == 0:
                    clock._t0 = time.perf_counter()
                clock._depth += 1
                clock.count += 1

            def on_end(self, ev):
                clock._depth = max(0, clock._depth - 1)
                if clock._depth == 0:
                    clock.seconds += time.perf_counter() - clock._t0

        self._ctx = event.install_listener("numba:compile", _Listener())
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def _make(method: str, channels: int):
    return _Dtw() if method == "dtw" else _MiniRocket(channels)


def _one_thread():
    """Limit numba and the BLAS/OpenMP pools to one thread (a context manager)."""
    import numba
    from threadpoolctl import threadpool_limits

    numba.set_num_threads(1)
    return threadpool_limits(limits=1)


def run_baselines(
    name: str,
    methods: Sequence[str] = METHODS,
    fractions: Sequence[float] = FRACTIONS,
    progress: Progress | None = None,
    limit: int | None = None,
) -> dict:
    """Fit each method on the training split of ``name``, score it on the test split (all of it, or ``limit``
    sequences spread over it): accuracy on whole sequences, accuracy against the fraction of each sequence
    seen (fitted on whole recordings, and refitted on recordings cut the same way: see ``CURVES``), the
    confusion matrix (rows: true class, columns: predicted), timings and size. A JSON-able dict.

    ``progress(fraction_done, words)`` is called at every stage and inside each prediction pass.
    Raises ConfigError for an unknown set, method, fraction or limit. Runs on one thread."""
    name = check_name(name)
    methods, fractions, limit = _check(methods, fractions, limit)
    say = progress or (lambda p, w: None)
    t_start = time.perf_counter()
    say(0.0, f"{name}: loading the set and sktime")
    arch = load_archive(name)
    import numba  # noqa: F401  (importing is loading, not compiling)
    import sktime.classification.distance_based  # noqa: F401
    import sktime.transformations.rocket  # noqa: F401

    load_s = time.perf_counter() - t_start

    tr, te = arch.train, arch.test
    K, C, T = len(arch.classes), len(arch.channels), arch.max_len
    pick = _picked(len(te), limit)
    x_te, len_te, y_te = np.asarray(te.x)[pick], np.asarray(te.lengths)[pick], np.asarray(te.y)[pick]
    X_tr = hold_last(tr.x, tr.lengths)
    y_tr = np.asarray(tr.y)
    X_te = hold_last(x_te, len_te)
    n = len(pick)
    chunk = max(1, math.ceil(n / 5))
    stages = 3 + 2 * len(fractions)  # warm-up, fit, whole sequences, then each fraction twice (as fitted, refitted)

    out_methods: dict[str, dict] = {}
    with _one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sktime's notes about its own future; the numbers are unaffected
        for mi, method in enumerate(methods):
            label = f"{name}, {METHOD_SHORT[method]}"

            def at(stage: float, words: str, mi=mi, label=label) -> None:
                say(min(1.0, (mi + stage / stages) / len(methods)), f"{label}: {words}")

            def predict(model, X, stage: int, words: str) -> tuple[np.ndarray, float]:
                preds, spent = [], 0.0
                for s in range(0, len(X), chunk):
                    at(stage + s / len(X), f"{words} ({s} of {len(X)} test sequences)")
                    t = time.perf_counter()
                    preds.append(model.predict(X[s : s + chunk]))
                    spent += time.perf_counter() - t
                return np.concatenate(preds), spent

            m_start = time.perf_counter()
            at(0, "first run on a few sequences (numba compiles here; the first time on a machine can take a minute)")
            warm = _warm_picks(y_tr, K)
            t = time.perf_counter()
            with _CompileClock() as warm_clock:
                _make(method, C).fit(X_tr[warm], y_tr[warm]).predict(X_te[:2])
            compile_s = time.perf_counter() - t
            with _CompileClock() as later_clock:  # should stay at 0: fit and predict hold no compiling
                at(1, f"fitting on {len(y_tr)} training sequences")
                t = time.perf_counter()
                model = _make(method, C).fit(X_tr, y_tr)
                fit_s = time.perf_counter() - t

                pred, predict_s = predict(model, X_te, 2, "predicting whole sequences")
                confusion = np.zeros((K, K), dtype=np.int64)
                np.add.at(confusion, (y_te, pred), 1)

                by_fraction, by_fraction_refit = [], []
                for fi, f in enumerate(fractions):
                    X_f = hold_last(x_te, truncate(x_te, len_te, f))
                    p_f, _ = predict(model, X_f, 3 + 2 * fi, f"predicting from the first {f:.0%} of each")
                    by_fraction.append(float((p_f == y_te).mean()))
                    if f < 1:  # at 1 the training recordings are whole: the model fitted above
                        at(4 + 2 * fi, f"fitting again on the first {f:.0%} of each training sequence")
                        cut = _make(method, C).fit(hold_last(tr.x, truncate(tr.x, tr.lengths, f)), y_tr)
                        p_f, _ = predict(cut, X_f, 4 + 2 * fi, f"predicting from the first {f:.0%}, refitted")
                    by_fraction_refit.append(float((p_f == y_te).mean()))

            out_methods[method] = {
                "name": METHOD_NAMES[method],
                "short": METHOD_SHORT[method],
                "accuracy": float((pred == y_te).mean()),
                "by_fraction": by_fraction,
                "by_fraction_refit": by_fraction_refit,
                "confusion": confusion.tolist(),
                "compile_s": round(compile_s, 3),
                "numba_compile_s": round(warm_clock.seconds, 3),  # of compile_s, numba compiling (not cache loads)
                "numba_compiled": warm_clock.count,  # functions numba compiled in the warm-up
                "numba_compiled_later": later_clock.count,  # after the warm-up (0: fit and predict hold no compiling)
                "fit_s": round(fit_s, 3),
                "predict_ms": round(1000 * predict_s / n, 3),
                "seconds": round(time.perf_counter() - m_start, 3),
                **model.size(),
            }
            at(stages, "done")

    say(1.0, f"{name}: done")
    return {
        "name": name,
        "problem": arch.about.problem,
        "classes": list(arch.classes),
        "chance": float(np.bincount(y_te, minlength=K).max() / n),
        "train": len(tr),
        "test": n,
        "test_total": len(te),
        "limit": limit,
        "equal_length": arch.equal_length,
        "length_min": int(min(tr.lengths.min(), te.lengths.min())),
        "max_len": T,
        "fractions": [float(f) for f in fractions],
        "input": INPUT_RULE,
        "threads": 1,
        "curves": CURVES,
        "load_s": round(load_s, 3),
        "seconds": round(time.perf_counter() - t_start, 3),
        "methods": out_methods,
        "versions": versions(),
    }


def document(sets: dict[str, dict], command: str) -> dict:
    """The layout of the shipped file and of a live run's result: the command, date (UTC), machine,
    versions, and one run_baselines dict per set under "sets"."""
    return {
        "command": command,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "threads": 1,
        "input": INPUT_RULE,
        "sets": sets,
    }


def shipped() -> dict | None:
    """The results shipped with the app (``SHIPPED_FILE``), or None where the file is missing or unreadable."""
    try:
        with open(SHIPPED_FILE, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("sets"), dict) else None


# ---- live re-runs in a child process -------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineView:
    """What the page draws of a run: status "running", "done" or "failed"; progress 0-1 and its words; the
    result (the :func:`document` layout, one set) once done; a one-line error once failed; seconds so far."""

    name: str
    status: str
    progress: float
    words: str
    result: dict | None
    error: str
    seconds: float


_RUNS: dict[str, BaselineRun] = {}
_RUNS_LOCK = threading.Lock()
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the rnnviz package


class BaselineRun:
    """One live re-run of the baselines on one set, in a child process, followed by a daemon thread.

    ``BaselineRun.start(name)`` starts one, or returns the one already running for that set (one at a time
    per set, across the whole server process); ``BaselineRun.current(name)`` returns the latest (running or
    finished) or None; ``run.view()`` is a frozen snapshot; ``run.stop()`` ends the child."""

    def __init__(self, name: str, args: Sequence[str] = ()):
        self.name = name
        self.command = [sys.executable, "-m", "rnnviz", "recognise", "--data", name, "--baselines", "--progress-lines", *args]
        self._lock = threading.Lock()
        self._status, self._progress, self._words = "running", 0.0, "starting"
        self._result: dict | None = None
        self._error = ""
        self._t0 = time.monotonic()
        self._t1: float | None = None
        self._stopped = False
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = _ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=env,
                cwd=_ROOT,
            )
        except OSError as e:
            self._proc = None
            self._finish("failed", error=f"could not start the baseline run: {e}")
            return
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True, name=f"baselines-{name}-stderr")
        self._stderr_thread.start()
        threading.Thread(target=self._follow, daemon=True, name=f"baselines-{name}").start()

    @classmethod
    def start(cls, name: str, args: Sequence[str] = ()) -> BaselineRun:
        """Start a run on ``name`` (extra CLI ``args`` such as ``("--limit", "10")``), or return the one running."""
        name = check_name(name)
        with _RUNS_LOCK:
            run = _RUNS.get(name)
            if run is not None and run.view().status == "running":
                return run
            run = _RUNS[name] = cls(name, tuple(str(a) for a in args))
            return run

    @classmethod
    def current(cls, name: str) -> BaselineRun | None:
        with _RUNS_LOCK:
            return _RUNS.get(name)

    def view(self) -> BaselineView:
        with self._lock:
            end = self._t1 if self._t1 is not None else time.monotonic()
            return BaselineView(
                self.name, self._status, self._progress, self._words, self._result, self._error, round(end - self._t0, 1)
            )

    def stop(self) -> None:
        """End the child process (if it still runs); the run then reads as failed, "stopped"."""
        with self._lock:
            self._stopped = True
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()

    def _finish(self, status: str, error: str = "") -> None:
        with self._lock:
            if self._status != "running":
                return
            self._status, self._error, self._t1 = status, error, time.monotonic()
            if status == "done":
                self._progress, self._words = 1.0, "done"

    def _drain_stderr(self) -> None:
        for line in self._proc.stderr:
            if line.strip():
                self._stderr.append(line.strip())

    def _error_line(self, rc: int) -> str:
        lines = list(self._stderr)
        said = [x for x in lines if x.startswith("rnnviz: error:")]
        if said:
            return said[-1][len("rnnviz: error:") :].strip()
        if lines:
            return f"the baseline run stopped (exit status {rc}): {lines[-1][:300]}"
        return f"the baseline run stopped (exit status {rc}) without saying why"

    def _follow(self) -> None:
        try:
            for line in self._proc.stdout:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                with self._lock:
                    if "result" in msg:
                        self._result = msg["result"]
                    elif "progress" in msg:
                        self._progress = max(self._progress, min(1.0, float(msg["progress"])))
                        self._words = str(msg.get("words", ""))
            rc = self._proc.wait()
        except Exception as e:  # never into the page: the run fails with one line
            self._finish("failed", error=f"lost the baseline run: {type(e).__name__}: {e}".splitlines()[0])
            return
        if self._stopped:
            self._finish("failed", error="stopped")
        elif rc == 0 and isinstance(self._result, dict):
            self._finish("done")
        else:
            self._stderr_thread.join(timeout=2)  # its last line is the reason
            self._finish("failed", error=self._error_line(rc))


__all__ = [
    "FRACTIONS",
    "CURVES",
    "INPUT_RULE",
    "METHODS",
    "METHOD_ABOUT",
    "METHOD_NAMES",
    "METHOD_SHORT",
    "NAMES",
    "SHIPPED_FILE",
    "BaselineRun",
    "BaselineView",
    "document",
    "hold_last",
    "machine",
    "run_baselines",
    "shipped",
    "versions",
]
