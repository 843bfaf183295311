"""The session's run in Streamlit: created from the link, reconciled with the sidebar, its notices.

Everything that decides lives in rnnviz.runtime.session and rnnviz.settings; this module only keeps the
session in ``st.session_state`` and says what happened in words."""

from __future__ import annotations

import streamlit as st

from ..runtime.session import RUNS, TrainingSession, View, restore
from ..settings import ARCH_NAMES, Settings
from . import link, sidebar

KEY = "rv_session"
FRESH = "rv_fresh"  # the session began with an untrained model (its link had no step)


def session() -> TrainingSession:
    return st.session_state[KEY]


def open_session() -> list[str]:
    """On a session's first page: read the link, set the widgets from it and build (or rebuild) the
    run it names. Returns the notes to show (junk link parameters, how a trained run was rebuilt)."""
    ss = st.session_state
    if KEY in ss:
        return []
    ln = link.read()
    sidebar.fill(ln.settings)  # a test (or a caller) may have set some widgets already
    settings, range_notes = sidebar.current()
    notes = list(ln.notes) + range_notes
    if ln.step:
        bar = st.progress(0.0, text=f"Rebuilding the model of this link: training {ln.step:,} steps from the seed…")

        def progress(done: int, total: int) -> None:
            bar.progress(min(1.0, done / max(1, total)), text=f"Rebuilding the model of this link: step {done:,} of {total:,}…")

        s, how = restore(settings, ln.step, progress=progress)
        bar.empty()
        notes.append(f"This link names a model trained for {ln.step:,} steps: {how}.")
        if s.trainer.step != ln.step:  # it diverged on the way
            notes.append(f"On the way it diverged at step {s.trainer.step:,}.")
    else:
        s = TrainingSession.new(settings)
        ss[FRESH] = True  # opened without a trained model in its link: the pages say how to get one back
    ss[KEY] = s
    return notes


def _start_new(settings: Settings) -> None:
    session().rebuild(settings)


def reconcile(wanted: Settings) -> list[str]:
    """Bring the run in line with the sidebar: live changes apply at once, new weights at once when
    nothing would be lost; otherwise a notice asks, with both choices side by side. Returns the
    differences still waiting for that choice (empty when the run matches the sidebar)."""
    s = session()
    if wanted == s.settings:
        return []
    s.apply(wanted)
    if not s.needs_choice(wanted):
        return []
    pending = s.settings.differences(wanted)
    with st.container(border=True, key="rv_choice"):
        st.markdown(
            f"#### {s.settings.change_sentence(wanted)}\n"
            f"That needs a new model, and the {ARCH_NAMES[s.settings.arch]} shown on every page has trained for "
            f"**{s.trainer.step:,} steps**. Training is paused until you choose; the pages keep showing the "
            "trained model meanwhile."
        )
        c1, c2 = st.columns(2)
        c1.button(
            "Start a new model with the new settings",
            key="rv_apply",
            type="primary",
            icon=":material/add:",
            on_click=_start_new,
            args=(wanted,),
            use_container_width=True,
        )
        c2.button(
            "Keep the trained model (undo the change)",
            key="rv_keep",
            icon=":material/undo:",
            on_click=sidebar.put,
            args=(s.settings,),
            use_container_width=True,
        )
    return pending


def diverged_notice(view: View) -> None:
    """The one notice every page shows for a run that blew up, from the page's one reading of the
    session (the step is the one the step counter shows: the steps trained before it blew up)."""
    st.error(
        f"**This run diverged at step {view.step:,}.** {view.message} Numbers computed from it are "
        "meaningless (infinite or NaN), so the pages make no claims from them. Press **Reset** on the Train page "
        "to run it again, or turn **clipping** on in the sidebar (that starts a fresh model).",
        icon=":material/error:",
    )


def remember() -> None:
    """Keep a copy of the run in the process-wide cache, so a reload of its link restores it at once."""
    RUNS.put(session())


# ----- how often a live chart redraws ---------------------------------------------------------
DRAW_SHARE = 0.25  # at most about this share of the server's core goes to redrawing live charts
_DRAW = {"seconds": 0.1}  # a recent redraw's wall time (moving average over every session's redraws)


def drawn(seconds: float) -> None:
    """Tell the pacing how long a live redraw just took (wall time: under load it includes waiting for
    the server, which slows every session's redraws down, as it should)."""
    _DRAW["seconds"] += 0.2 * (seconds - _DRAW["seconds"])


def redraw_seconds(running: int) -> float:
    """Seconds between live redraws with ``running`` sessions training on the server: once a second
    alone, and spaced out as the class grows so that redrawing takes at most DRAW_SHARE of the core,
    and at least half a second per running session (from 1 s up to 10 s): 20 students' charts
    redrawn every 4 s kept a browser core busy in the load benchmark, where all browsers share one."""
    return min(10.0, max(1.0, running * _DRAW["seconds"] / DRAW_SHARE, 0.5 * running))
