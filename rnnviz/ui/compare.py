"""The Compare page's glue: a race (or one re-run sweep cell) trained by the process-wide worker, in
turns with every other session on the server, and kept on the process-wide job board
(:data:`rnnviz.runtime.jobs.JOBS`) under the race's name (:func:`rnnviz.compare.race.race_key`): a class
starting the same race (same settings, models and budget), or opening a link to it, shares one race
and its result, computed once. The browser session remembers which race it shows."""

from __future__ import annotations

import threading

import streamlit as st

from ..compare import speed
from ..compare.claims import measure_step_times
from ..compare.race import Race, RaceStatus, check_archs, check_budget, race_key
from ..compare.sweep import EVAL_EVERY, HELDOUT_SIZE, cell_settings
from ..compare.timing import Load
from ..compare.timing import server_load as _load
from ..errors import ConfigError
from ..models import COMPARE_ARCHS
from ..runtime.jobs import JOBS
from ..runtime.session import WORKER
from ..settings import Settings
from . import jobs

RACE_KEY = "rv_race"
CELL_KEY = "rv_cell_race"
_STEP_TIMES: dict = {}  # (arch, settings key) -> seconds per step, measured once per process
_STEP_LOCK = threading.Lock()
STATUS_WORDS = {"unsolved": "not solved in the budget", "training": "training…", "solved": "solved", "diverged": "diverged"}


def race(key: str = RACE_KEY) -> Race | None:
    """The race this browser session shows. Someone is looking: the worker keeps training it, and a race
    paused because nobody was looking goes on (one the user paused waits for Go on)."""
    r = st.session_state.get(key)
    if r is not None:
        jobs.own(r)
        if r.status == RaceStatus.PAUSED and not r.done and not r.__dict__.get("held"):
            r.start()
            WORKER.submit(r)
    return r


def ordered(archs) -> list[str]:
    """The chosen models in the page's order (the order of choosing does not make another race)."""
    return [a for a in COMPARE_ARCHS if a in set(archs)]


def matches(r: Race | None, settings: Settings, archs, budget: int) -> bool:
    """Whether the race shown is the one these choices would run."""
    return r is not None and r.key == race_key(settings, ordered(archs), budget)


def start(settings: Settings, archs, budget: int, key: str = RACE_KEY) -> str | None:
    """The race these choices name, handed to the worker: the one already on the board if any (running:
    this session follows it; finished: its result at once), else a new one. Returns a one-line reason if it
    cannot start (the race that was there stays as it was)."""
    try:
        archs, budget = tuple(ordered(check_archs(archs))), check_budget(budget)
    except ConfigError as e:
        return str(e)

    def make() -> Race:
        return Race.new(settings, archs, budget=budget, eval_every=EVAL_EVERY, heldout_size=HELDOUT_SIZE)

    try:
        r = JOBS.get_or_start(race_key(settings, archs, budget), make, WORKER.submit)
    except ConfigError as e:
        return str(e)
    old = st.session_state.get(key)
    if old is not None and old is not r:
        _leave(old)
    r.__dict__["held"] = False  # asked for again (the board started it): a race someone paused goes on
    jobs.own(r)
    st.session_state[key] = r
    return None


def _leave(r: Race) -> None:
    """This session no longer shows ``r``: it stops when nobody else does (a shared race goes on for them)."""
    owners = r.__dict__.get("owners") or set()
    owners.discard(jobs.session_id())
    if not owners:
        r.pause()


def resume(key: str = RACE_KEY) -> None:
    r = st.session_state.get(key)
    if r is not None and not r.done:
        jobs.resume(r)


def pause(key: str = RACE_KEY) -> None:
    """The user's Pause: the race waits for Go on (for everyone who shares it)."""
    r = st.session_state.get(key)
    if r is not None:
        jobs.pause(r)


def start_cell(task: str, arch: str, seq_len: int, seed: int, budget: int) -> str | None:
    """Re-run one sweep cell (the same settings and budget as the shipped file) as a one-model race."""
    try:
        s = cell_settings(task, seq_len, seed)
    except ConfigError as e:
        return str(e)
    return start(s, [arch], budget, key=CELL_KEY)


def redraw_seconds() -> float:
    """How often a live view redraws: once a second, less often when the server trains many sessions."""
    return max(1.0, 0.25 * WORKER.running())


def step_times(settings: Settings, archs) -> dict[str, float]:
    """Seconds per training step of each model at these settings' length, measured now, interleaved (the
    Speed page's way, rnnviz.compare.timing); each press measures again. Also returns nothing of the load:
    ask :func:`server_load` before and after."""
    got = measure_step_times(list(archs), settings.seq_len)
    with _STEP_LOCK:
        for a, t in got.items():
            _STEP_TIMES[(a, settings.key())] = t
    return got


@st.cache_data(show_spinner=False)
def speed_results() -> dict | None:
    """The Speed page's shipped timings (None if the file cannot be read)."""
    try:
        return speed.load()
    except speed.ResultsError:
        return None


def server_load() -> Load:
    """The machine's load now, with the training jobs this server is running for other pages."""
    return _load(WORKER.running())


def known_step_times(settings: Settings, archs) -> dict[str, float]:
    """The step times already measured in this process (nothing is measured)."""
    with _STEP_LOCK:
        return {a: _STEP_TIMES[(a, settings.key())] for a in archs if (a, settings.key()) in _STEP_TIMES}


def readable(table) -> object:
    """The race's table with its numbers written for reading (a dash where there is none yet)."""

    def fmt(v, spec):
        return "–" if v is None or v != v else format(v, spec)

    out = table.copy()
    for col in out.columns:
        if col == "status":
            out[col] = [STATUS_WORDS.get(v, v) for v in out[col]]
            continue
        if col == "model":
            continue
        spec = {"seconds to solve": ".1f", "steps / s": ".0f"}.get(col, ",.0f")
        if col.startswith("held-out"):
            spec = ".4f"
        out[col] = [fmt(v, spec) for v in out[col]]
    return out
