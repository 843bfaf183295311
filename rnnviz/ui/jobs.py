"""An application page's jobs in Streamlit: ask the process-wide board for one, follow it, redraw.

Pages never train: :func:`ask` hands the work to the shared worker through the single-flight board
(:data:`rnnviz.jobs.JOBS`: a class pressing the same button shares one job), remembers it in the
browser session under a slot name, and :func:`follow`, called in the page's live fragment, keeps that
fragment's run open while the job trains: it waits on the job (no polling), redraws the progress now
and then, and draws the whole page again the moment the job is done. Why not a fragment that reruns
every second, as the Train page does: each rerun costs the server a script run and the browser a
redraw, 20 students' pages a second of both every second; a run that waits costs neither side
anything, sends a progress bar every few seconds, and a click or a slider interrupts it at once
(Streamlit stops a run at its next session-state read).

The heartbeat: every job (and session, and race) a browser asked for records the
browser's session id, and the worker asks :func:`connected` whether any of them still has a page
open; a closed tab's training stops within :data:`rnnviz.jobs.IDLE_SECONDS`."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

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


def progress_line(v: JobView, what: str, place=None) -> None:
    """A progress bar with what the job is doing (an error box if it failed), drawn at ``place`` (an
    ``st.empty()`` that :func:`follow` redraws: one element replaced, the cheapest redraw a browser gets)."""
    place = place if place is not None else st
    if v.status is JobStatus.FAILED:
        place.error(f"{what} failed: {v.error}. Press the button again to retry.", icon=":material/error:")
        return
    words = {JobStatus.RUNNING: "training", JobStatus.PAUSED: "paused", JobStatus.DONE: "done"}[v.status]
    place.progress(v.progress, text=f"{what}: {words}, {v.progress:.0%} · {v.doing} · {v.seconds:.0f} s")


def progress_seconds(job: Job | None = None) -> float:
    """How often a following page redraws a job's progress bar: every second alone, every few seconds
    when a class watches (a bar costs the browser little, but 20 of them every second filled its core)."""
    watching = len(job.__dict__.get("owners", ())) if job is not None else 1
    return min(5.0, max(1.0, 0.15 * (WORKER.running() + watching)))


FOLLOW_AFTER = 1.0  # seconds after a page run before its live fragment reruns and starts following the job
FOLLOWING = "rv-following"  # CSS class of an empty mark in the page while a run follows a job (Streamlit says "running")


@dataclass
class Live:
    """A job a page follows: the page's ``slot`` for it, the status the page drew it with (None: no job),
    and ``redraw(view, figures)``, which draws its live parts again into placeholders the fragment made
    (``figures`` is True when charts may be redrawn too: less often than the bar). redraw must give any
    keyed element a new key each time (one run cannot hold one key twice)."""

    slot: str
    drawn: JobStatus | None
    redraw: Callable[[JobView, bool], None] | None = None


def _run_ctx():
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx()
    except Exception:
        return None


def _live_server() -> bool:
    """True inside a run of a running Streamlit server for a connected browser (not AppTest, not bare mode)."""
    try:
        from streamlit.runtime import Runtime

        # `is True`: AppTest stands a mock in for the runtime, whose answers are all truthy
        return bool(session_id()) and Runtime.exists() and Runtime.instance().is_active_session(session_id()) is True
    except Exception:
        return False


def _asked_to_stop(ctx) -> bool:
    """Whether the user asked for another run meanwhile. A click inside the fragment (Pause) queues a
    fragment rerun that Streamlit does not let interrupt a fragment's own run: the wait ends itself. The
    fragment's own timer (run_every) asks too, every second: those requests (``is_auto_rerun``) wait."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

        req = ctx.script_requests
        if req is None or req._state is ScriptRequestType.CONTINUE:
            return False
        return req._state is ScriptRequestType.STOP or not req._rerun_data.is_auto_rerun
    except Exception:  # Streamlit's internals changed: only the session-state read interrupts the wait
        return False


def follow(*lives: Live, tick: float = 0.25) -> None:
    """Call last in a page's live fragment (``@st.fragment(run_every=FOLLOW_AFTER)`` while the job runs).

    In the page's own run it returns at once, so the run ends (and Streamlit clears what the previous run
    drew and this one did not). In the fragment's rerun, a second later, it stays: it waits for news of the
    job (woken the moment it finishes), redraws the progress now and then through ``redraw``, and draws the
    whole page again (``st.rerun``) once a job's status is not the one the page drew (done, paused, failed,
    going on again). A click or a changed widget interrupts the wait at once: Streamlit stops a run at its
    next session-state read, and the wait reads it every ``tick`` seconds. Outside a live server (AppTest)
    it returns at once."""
    ctx = _run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run or not _live_server():
        return
    st.html(f'<span class="{FOLLOWING}"></span>')  # tells a test or a benchmark: this run waits, the page is drawn
    sid = session_id()
    start = time.monotonic()  # the fragment has just drawn everything once
    bar_at = {live.slot: start for live in lives}
    fig_at = dict(bar_at)
    while True:
        st.session_state.get("rv_follow")  # Streamlit's yield point: a pending rerun or stop is raised here
        if not connected({sid}) or _asked_to_stop(ctx):
            return
        running = None
        now = time.monotonic()
        for live in lives:
            job = current(live.slot)
            status = job.status if job is not None else None
            if status is not live.drawn and live.drawn is not None:
                st.rerun()  # finished, paused, failed or resumed since the page was drawn: draw it all again
            if job is None or status is not JobStatus.RUNNING:
                continue
            running = running or job
            if live.redraw is not None and now - bar_at[live.slot] >= progress_seconds(job):
                figures = now - fig_at[live.slot] >= redraw_seconds(job)
                bar_at[live.slot] = now
                if figures:
                    fig_at[live.slot] = now
                live.redraw(job.view(), figures)
        if running is None:
            return
        running.wait_news(running.news, tick)
