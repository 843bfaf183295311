"""An application page's jobs in Streamlit: ask the process-wide board for one, follow it, redraw.

Pages never train: :func:`ask` hands the work to the shared worker through the single-flight board
(:data:`rnnviz.runtime.jobs.JOBS`: a class pressing the same button shares one job), remembers it in the
browser session under a slot name, and :func:`live`, called in the page's live fragment, draws the
progress, Pause / Go on and the page's charts, then keeps that fragment's run open while the job
trains (:func:`follow`): it waits on the job (no polling), redraws the progress now and then, and
draws the whole page again the moment the job is done. Why not a fragment that reruns every second,
as the Train page does: each rerun costs the server a script run and the browser a redraw, 20
students' pages a second of both every second; a run that waits costs neither side anything, sends
a progress bar every few seconds, and a click or a slider interrupts it at once (Streamlit stops a
run at its next session-state read).

The heartbeat: every job (and session, and race) a browser asked for records the
browser's session id, and the worker asks :func:`connected` whether any of them still has a page
open; a closed tab's training stops within :data:`rnnviz.runtime.jobs.IDLE_SECONDS`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Hashable

import streamlit as st

from ..errors import ConfigError
from ..runtime.jobs import JOBS, Job, JobStatus, JobView
from ..runtime.session import WORKER

_SLOTS = "rv_jobs"  # session_state: slot name -> job key


def session_id() -> str:
    """This browser session's id ("" outside a running app, e.g. in AppTest)."""
    ctx = _run_ctx()
    return ctx.session_id if ctx is not None else ""


def connected(owners: set) -> bool:
    """Whether any of these browser sessions still has a page open (its websocket is connected)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    rt = Runtime.instance()
    return any(rt.is_active_session(o) for o in list(owners))


def install_heartbeat() -> None:
    """Let the worker ask whether a job's browsers are still there (once per process), and, on a running
    server, start the worker's trainer processes as soon as a page is open: a fresh server's first press
    (Forecast's default, measured: 4.5 s of "getting the data ready") no longer waits for them to import torch."""
    if WORKER.connected is None:
        WORKER.connected = connected
        if _in_server():
            WORKER.warm()


def _in_server() -> bool:
    """True in a page run on a running Streamlit server for a connected browser (False in AppTest, whose
    mock runtime answers everything truthily, hence `is True`)."""
    ctx = _run_ctx()
    if ctx is None:
        return False
    try:
        from streamlit.runtime import Runtime

        return Runtime.exists() and Runtime.instance().is_active_session(ctx.session_id) is True
    except Exception:
        return False


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


def key_or_none(make_key: Callable[[object], Hashable], cfg) -> Hashable | None:
    """The job name ``make_key(cfg)`` gives these choices, or None for choices no job can have (the page then
    shows no job as theirs)."""
    if cfg is None:
        return None
    try:
        return make_key(cfg)
    except (ConfigError, TypeError, ValueError):
        return None


def ask_checked(slot: str, cfg, make_key: Callable[[object], Hashable], make_job: Callable[[object], Job]) -> Job | None:
    """:func:`ask` for the job of these choices; on choices that cannot be trained the page says why in one
    line (an error box) and nothing changes (None)."""
    try:
        key = make_key(cfg)
    except ConfigError as e:
        st.error(f"{e}. Nothing was changed.")
        return None
    return ask(slot, key, lambda: make_job(cfg))


def asked(
    slot: str, pressed: bool, linked: bool, want: Hashable | None, start: Callable[[], Job | None]
) -> tuple[Job | None, bool]:
    """A page's job after its button: started (``start()``) when pressed, or when the page's link says the
    job for these choices was made (``linked``) and this session does not show it yet; otherwise the one it
    shows. Returns the job and whether it is the one these choices ask for (``want``: the link's run flag)."""
    job = current(slot)
    if pressed or (linked and want is not None and (job is None or job.key != want)):
        job = start() or job
    return job, job is not None and job.key == want


def stage_losses(place, v: JobView, n: int, chance: float, floor: float | None, key: str, columns: int = 3) -> None:
    """Each stage's training loss so far, side by side in ``place`` (a live part's ``st.empty()``): cross-entropy
    against the line for guessing (``chance``) and the task's solved line (``floor``; None: the task has none);
    ``n`` numbers the redraw for element keys."""
    if not v.losses:
        return
    from ..plots.training import loss_figure

    with place.container():
        cs = st.columns(min(columns, len(v.losses)))
        for i, (label, loss) in enumerate(v.losses.items()):
            if loss:
                fig = loss_figure(range(1, len(loss) + 1), loss, chance, floor, "cross-entropy")
                fig.layout.title.text = f"{label}: training loss"
                cs[i % len(cs)].plotly_chart(fig, key=f"{key}_{label}_{n}")


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
    """How often a following page redraws a job's progress bar: twice as often as its charts, from every
    second alone to every 5 s for a class (a bar costs the browser little, but 20 of them every second
    filled its core)."""
    return min(5.0, max(1.0, redraw_seconds(job) / 2))


@contextlib.contextmanager
def result(page: str, job: Job | None = None):
    """The container a page draws its finished result in (key ``rv_result_<page>``: tests and
    ``bench/load.py`` find the result by it), with a hidden mark of the server's clock (epoch seconds): when
    this run drew it (``data-t``) and when ``job`` finished (``data-done``): the benchmark tells the
    server's work from the time a page took to ask for the result and to draw it."""
    done = ""
    if job is not None and job.finished is not None:
        done = f' data-done="{time.time() - (time.monotonic() - job.finished):.3f}"'
    with st.container(key=f"rv_result_{page}"):
        st.html(f'<span class="{DRAWN}" data-t="{time.time():.3f}"{done}></span>')
        yield


DRAWN = "rv-drawn"
FOLLOW_AFTER = 1.0  # seconds after a page run before its live fragment reruns and starts following the job
FOLLOWING = "rv-following"  # CSS class of an empty mark in the page while a run follows a job (Streamlit says "running")


def live_every(drawn: JobStatus | None) -> float | None:
    """The ``run_every`` of a page's live fragment: its first rerun follows a running job."""
    return FOLLOW_AFTER if drawn is JobStatus.RUNNING else None


def _run_ctx():
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx()
    except Exception:
        return None


def _in_live_rerun() -> bool:
    """True in a fragment's rerun on a running Streamlit server for a connected browser (not the page's own
    run, not AppTest: AppTest stands a mock in for the runtime, whose answers are all truthy, hence `is True`)."""
    ctx = _run_ctx()
    return ctx is not None and bool(ctx.fragment_ids_this_run) and _in_server()


def _asked_to_stop(ctx) -> bool:
    """Whether the user asked for another run meanwhile. A click inside the fragment (Pause) queues a
    fragment rerun that Streamlit does not let interrupt a fragment's own run: the wait ends itself. The
    fragment's own timer (run_every) asks too, every second: those requests (``is_auto_rerun``) wait."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

        req = ctx.script_requests
        if req is None or req._state is ScriptRequestType.CONTINUE:
            return False
        data = req._rerun_data
        return req._state is ScriptRequestType.STOP or not data.is_auto_rerun or _clicked(data)
    except Exception:  # Streamlit's internals changed: only the session-state read interrupts the wait
        return False


def _clicked(data) -> bool:
    """Whether a pending rerun carries a button click. Streamlit merges requests that arrive while a run is
    going, and the merged one takes the newest one's ``is_auto_rerun``: a click followed within a second by
    the fragment's own timer looked like the timer alone, and Pause went unanswered until the job ended (the
    flaky Music browser test). The click's trigger survives the merge (Streamlit keeps active triggers)."""
    states = getattr(data, "widget_states", None)
    for w in getattr(states, "widgets", ()):
        if w.WhichOneof("value") == "trigger_value" and w.trigger_value:
            return True
    return False


def follow(slot: str, drawn: JobStatus | None, redraw: Callable[[JobView, bool], None], tick: float = 0.25) -> None:
    """In a live fragment's rerun: wait for news of the job in ``slot`` (woken the moment it finishes),
    calling ``redraw(view, figures)`` now and then (``figures``: charts may be redrawn too, less often than
    the bar), and draw the whole page again (``st.rerun``) once its status is not ``drawn``. A click or a
    changed widget ends the wait at once: Streamlit stops a run at its next session-state read, and the
    wait reads it every ``tick`` seconds. In the page's own run (and in AppTest) it returns at once, so
    the run ends and Streamlit clears what the previous run drew and this one did not."""
    if not _in_live_rerun():
        return
    ctx, sid = _run_ctx(), session_id()
    st.html(f'<span class="{FOLLOWING}"></span>')  # tells a test or a benchmark: this run waits, the page is drawn
    bar_at = fig_at = time.monotonic()  # the fragment has just drawn everything once
    while True:
        st.session_state.get("rv_follow")  # Streamlit's yield point: a pending rerun or stop is raised here
        if not connected({sid}) or _asked_to_stop(ctx):
            return
        job = current(slot)
        status = job.status if job is not None else None
        if status is not drawn:
            st.rerun()  # finished, paused, failed or resumed since the page was drawn: draw it all again
        if status is not JobStatus.RUNNING:
            return
        now = time.monotonic()
        if now - bar_at >= progress_seconds(job):
            figures = now - fig_at >= redraw_seconds(job)
            bar_at, fig_at = now, (now if figures else fig_at)
            redraw(job.view(), figures)
        job.wait_news(job.news, tick)


def live(
    slot: str,
    drawn: JobStatus | None,
    what: Callable[[JobView], str],
    prefix: str | None = None,
    charts: Callable[[object, JobView, int], None] | None = None,
    note: str = "",
) -> JobView | None:
    """A page's live part for this session's job in ``slot``, drawn inside the page's live fragment
    (``@st.fragment(run_every=live_every(drawn))``, ``drawn``: the status the page drew the job with).
    In the fragment's rerun, a job whose status moved on draws the whole page again. While the job is not
    done: the progress bar (``what(view)`` says what trains), Pause / Go on (keys ``<prefix>_pause`` and
    ``<prefix>_resume``; none without a prefix) with ``note`` beside them, and ``charts(place, view, n)``,
    which draws into the ``st.empty()`` place (``n``: a new number for each redraw, for element keys); then
    it follows the job (:func:`follow`). Returns the view it drew (None: no job)."""
    j = current(slot)
    if j is None:
        return None
    v = j.view()
    if v.status is not drawn and _in_live_rerun():
        st.rerun()
    if v.done:
        return v
    bar = st.empty()
    progress_line(v, what(v), bar)
    if v.status is JobStatus.FAILED:
        return v
    if prefix:
        b1, b2 = st.columns([1, 4])
        if drawn is JobStatus.RUNNING:
            b1.button("Pause", icon=":material/pause:", key=f"{prefix}_pause", on_click=pause, args=(j,))
        elif drawn is JobStatus.PAUSED:
            b1.button("Go on", icon=":material/play_arrow:", key=f"{prefix}_resume", on_click=resume, args=(j,))
        if note:
            b2.caption(note)
    place, n = st.empty(), [0]
    if charts:
        charts(place, v, 0)

    def redraw(view: JobView, figures: bool) -> None:
        progress_line(view, what(view), bar)
        if figures and charts:
            n[0] += 1
            charts(place, view, n[0])

    follow(slot, drawn, redraw)
    return v
