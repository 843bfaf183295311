"""An application page's jobs in Streamlit: ask the process-wide board for one, follow it, redraw.

Pages never train: :func:`ask` hands the work to the shared worker through the single-flight board
(:data:`rnnviz.jobs.JOBS`: a class pressing the same button shares one job), remembers it in the
browser session under a slot name, and :func:`follow` draws its progress in a fragment that redraws
while it runs. The heartbeat: every job (and session, and race) a browser asked for records the
browser's session id, and the worker asks :func:`connected` whether any of them still has a page
open; a closed tab's training stops within :data:`rnnviz.jobs.IDLE_SECONDS`."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

import streamlit as st

from ..jobs import JOBS, Job, JobStatus, JobView
from ..session import WORKER

_SLOTS = "rv_jobs"  # session_state: slot name -> job key


def session_id() -> str:
    """This browser session's id ("" outside a running app, e.g. in AppTest)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx is not None else ""
    except Exception:
        return ""


def connected(owners: set) -> bool:
    """Whether any of these browser sessions still has a page open (its websocket is connected)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    rt = Runtime.instance()
    return any(rt.is_active_session(o) for o in list(owners))


def install_heartbeat() -> None:
    """Let the worker ask whether a job's browsers are still there (once per process)."""
    if WORKER.connected is None:
        WORKER.connected = connected


def own(obj) -> None:
    """Record that this browser session looks at ``obj`` (a job, a training session, a race)."""
    sid = session_id()
    obj.seen = time.monotonic()
    if sid:
        obj.__dict__.setdefault("owners", set()).add(sid)


def ask(slot: str, key: Hashable, make: Callable[[], Job]) -> Job:
    """The job named ``key``: the one already on the board (running, paused: it goes on, or done) or a
    new one made by ``make()`` and handed to the worker. Remembered in this browser session as ``slot``."""
    slots = st.session_state.setdefault(_SLOTS, {})
    old = slots.get(slot)
    if old is not None and old != key:
        let_go(JOBS.get(old))
    job = JOBS.get_or_start(key, make, WORKER.submit)
    own(job)
    slots[slot] = key
    return job


def let_go(job: Job | None) -> None:
    """This browser no longer shows ``job`` (it asked for another in the same place): it stops counting
    as a watcher, and a job nobody else watches stops taking turns (anyone asking for it again resumes it)."""
    if job is None:
        return
    owners = job.__dict__.get("owners", set())
    owners.discard(session_id())
    if not owners and not job.done:
        job.pause()


def current(slot: str) -> Job | None:
    """The job this browser session asked for under ``slot``, if the board still has it. A job paused
    because nobody was looking goes on now that someone is."""
    key = st.session_state.get(_SLOTS, {}).get(slot)
    if key is None:
        return None
    job = JOBS.get(key)
    if job is None:
        return None
    own(job)
    if job.status is JobStatus.PAUSED and not job.__dict__.get("held"):
        job.start()
        WORKER.submit(job)
    return job


def forget(slot: str) -> None:
    st.session_state.get(_SLOTS, {}).pop(slot, None)


def pause(job: Job) -> None:
    """The user's Pause: the job stops taking turns until Go on (a page visit does not resume it)."""
    job.__dict__["held"] = True
    job.pause()


def resume(job: Job) -> None:
    job.__dict__["held"] = False
    job.start()
    WORKER.submit(job)


def redraw_seconds(job: Job | None = None) -> float:
    """How often a page's charts following a running job redraw: every second alone, less often as the
    class grows (the sessions training, and the other browsers watching the same job)."""
    from . import run

    watching = len(job.__dict__.get("owners", ())) - 1 if job is not None else 0
    return run.redraw_seconds(WORKER.running() + max(0, watching))


def progress_line(v: JobView, what: str) -> None:
    """A progress bar with what the job is doing, and a Pause / Go on button."""
    if v.status is JobStatus.FAILED:
        st.error(f"{what} failed: {v.error}. Press the button again to retry.", icon=":material/error:")
        return
    words = {JobStatus.RUNNING: "training", JobStatus.PAUSED: "paused", JobStatus.DONE: "done"}[v.status]
    st.progress(v.progress, text=f"{what}: {words}, {v.progress:.0%} · {v.doing} · {v.seconds:.0f} s")
