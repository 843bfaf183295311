"""The Compare page's glue: a race (or one re-run sweep cell) kept in the browser session and trained
by the process-wide worker, in turns with every other session on the server."""

from __future__ import annotations

import threading
import time

import streamlit as st

from ..compare.claims import measure_step_time
from ..compare.race import Race
from ..compare.sweep import EVAL_EVERY, HELDOUT_SIZE, cell_settings
from ..errors import ConfigError
from ..session import WORKER
from ..settings import Settings

RACE_KEY = "rv_race"
CELL_KEY = "rv_cell_race"
_STEP_TIMES: dict = {}  # (arch, settings key) -> seconds per step, measured once per process
_STEP_LOCK = threading.Lock()
STATUS_WORDS = {"unsolved": "not solved in the budget", "training": "training…", "solved": "solved", "diverged": "diverged"}


def race(key: str = RACE_KEY) -> Race | None:
    r = st.session_state.get(key)
    if r is not None:
        r.seen = time.monotonic()  # someone is looking: the worker keeps training it
    return r


def start(settings: Settings, archs, budget: int, key: str = RACE_KEY) -> str | None:
    """Build a new race and hand it to the worker. Returns a one-line reason if it cannot start
    (the race that was there stays as it was)."""
    try:
        r = Race.new(settings, archs, budget=budget, eval_every=EVAL_EVERY, heldout_size=HELDOUT_SIZE)
    except ConfigError as e:
        return str(e)
    old = st.session_state.get(key)
    if old is not None:
        old.pause()
    st.session_state[key] = r
    r.start()
    WORKER.submit(r)
    return None


def resume(key: str = RACE_KEY) -> None:
    r = st.session_state.get(key)
    if r is not None and not r.done:
        r.start()
        WORKER.submit(r)


def pause(key: str = RACE_KEY) -> None:
    r = st.session_state.get(key)
    if r is not None:
        r.pause()


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
    """Seconds per training step of each model on these settings, measured once per process."""
    out = {}
    for a in archs:
        k = (a, settings.key())
        with _STEP_LOCK:
            if k not in _STEP_TIMES:
                _STEP_TIMES[k] = measure_step_time(a, settings)
            out[a] = _STEP_TIMES[k]
    return out


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
