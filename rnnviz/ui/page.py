"""``page()``: the shared set-up every page calls first, and ``Ctx``, what a page then draws from."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import streamlit as st
import torch

from ..inspect import Inspection, inspect_model
from ..plots.svg import figure_svg, svg_img
from ..runtime.runs import compare_archs, compare_key
from ..runtime.session import TrainingSession, View, describe_lengths, text_key
from ..settings import ARCH_NAMES, Settings
from . import classroom, jobs, lesson, link, projector, run, sidebar

_COMPARE: OrderedDict = OrderedDict()  # (settings, text, steps) -> curves, shared by every session
_COMPARE_LOCK = threading.Lock()


@dataclass
class Ctx:
    """What a page needs: the session (its settings, its run), ``view``, the one reading of its status,
    step and message this page run draws from (the notices at the top were drawn from it: see
    :meth:`TrainingSession.view`), and the settings waiting for a choice."""

    session: TrainingSession
    view: View
    pending: list[str] = field(default_factory=list)
    app: str | None = None  # an application page's name in the link tables (rnnviz.settings.PAGE_FIELDS)
    slots: tuple = ()  # where the share box and the QR code go once the page knows its choices (share())

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def trainer(self):
        return self.session.trainer

    @property
    def task(self):
        return self.session.trainer.task

    @property
    def arch(self) -> str:
        return self.session.settings.arch

    def refresh(self) -> None:
        """Read the session again after the page changed it itself (a new step budget). If its status
        moved on since the notices at the top were drawn, the page starts over, so that it never shows
        two readings at once."""
        view = self.session.view()
        if view.status is not self.view.status:
            st.rerun()
        self.view = view

    def status_line(self) -> str:
        s, tr, step = self.settings, self.trainer, self.view.step
        what = "untrained (random initial weights)" if step == 0 else f"trained for {step:,} steps"
        lengths = describe_lengths(tr.history)
        layers = f", {s.layers} layers" if s.layers > 1 else ""
        own = " on your own text" if self.session.text else ""
        fresh = (
            " This is a new browser session (the link named no trained model): a model trained in another tab or "
            "window is not here; its **Share this setup** link brings it back, trained."
            if step == 0 and self.session.past == () and st.session_state.get(run.FRESH)
            else ""
        )
        return (
            f"Showing the session's {ARCH_NAMES[s.arch]} on “{tr.task.title}”{own} (H={s.hidden}{layers}, seed "
            f"{s.seed}, examples of length T={s.seq_len}): {what}{lengths}.{fresh}"
        )

    def inspection(self, n: int = 8) -> Inspection:
        """The current model traced on a fixed example batch, memoised per model version."""
        s = self.session
        key = (id(s.trainer), s.version, s.settings.seq_len, n)
        memo = st.session_state.get("rv_inspect")
        if memo is None or memo[0] != key:
            with s.lock:
                memo = (key, inspect_model(s.trainer.model, s.trainer.task, s.settings.seq_len, s.settings.seed, n))
            st.session_state["rv_inspect"] = memo
        return memo[1]

    def figure(self, name: str, inputs: tuple, build):
        """A figure built from the current inspection and ``inputs`` (hashable: example, layer, unit...),
        kept for this session until the model changes: a rerun that only moves another control (the
        time step) draws it again without rebuilding it. Callers must not change the figure."""
        s = self.session
        version = (id(s.trainer), s.version, s.settings.key(), text_key(s.text))
        memo = st.session_state.get("rv_figs")
        if memo is None or memo[0] != version:
            memo = (version, {})
            st.session_state["rv_figs"] = memo
        figs = memo[1]
        key = (name, inputs)
        if key not in figs:
            while len(figs) >= 64:  # a student clicking through every example and unit
                figs.pop(next(iter(figs)))
            figs[key] = build()
        return figs[key]

    def compare(self) -> dict:
        """||dL/dh_t|| for an untrained RNN, LSTM and GRU built like the session's model (trained ones are a job of
        the shared worker: rnnviz.runtime.runs.compare_job). Deterministic, so it is memoised for the whole process:
        a class asking for the same comparison computes it once."""
        key = compare_key(self.settings, 0, self.session.text)
        with _COMPARE_LOCK:
            if key in _COMPARE:
                _COMPARE.move_to_end(key)
                return _COMPARE[key]
        with st.spinner("Building and tracing three models…"):
            curves = compare_archs(self.settings, 0, text=self.session.text)
        with _COMPARE_LOCK:
            _COMPARE[key] = curves
            while len(_COMPARE) > 128:
                _COMPARE.popitem(last=False)
        return curves


def page(title: str, icon: str = "🔁", explorer: bool = True, app: str | None = None) -> Ctx:
    """Call first on every page: page config, the session's run (from the link on a first visit),
    the sidebar, the run brought in line with it, and the notices every page shows. explorer=False
    for a page with models of its own: the explorer's settings are folded away in the sidebar.
    app: the page's name in the link tables (rnnviz.settings.PAGE_FIELDS): its choices are read from
    the link on the first visit and written to it; the page calls :func:`share` once its widgets are
    drawn."""
    projector.read_link()
    st.set_page_config(
        page_title=f"{title} · rnnviz", page_icon=icon, layout="wide", initial_sidebar_state=projector.sidebar_state()
    )
    projector.install()
    projector.style()
    torch.set_num_threads(1)
    jobs.install_heartbeat()
    app_notes = link.read_app(app) if app else []
    class_notes = classroom.read_link()  # class=CODE (and the teacher's key) from the link, checked once
    notes = run.open_session()
    sidebar.keep_on_page_switch(title, ("rv_cap_w", projector.KEY))
    sidebar.nav()
    classroom.sidebar_note()
    projector.toggle()
    wanted, range_notes = sidebar.current()
    sidebar.controls(wanted, used=explorer)
    if explorer:
        for n in notes:
            if n.startswith("This link names"):
                st.info(n, icon=":material/history:")
            else:
                st.warning(n, icon=":material/link:")
        for n in range_notes:
            st.info(n, icon=":material/straighten:")
    elif notes:  # about a link's settings this page does not use: one short notice, not a column of them
        st.warning(
            "This link's settings for the explorer pages were adjusted (this page does not use them):\n"
            + "\n".join(f"- {n}" for n in notes),
            icon=":material/link:",
        )
    # range_notes on a page of its own are about the folded-away sidebar (a length the chosen task cannot take,
    # say), not about a link: the explorer pages say them where those settings are used
    if app_notes:
        st.warning(
            "This link's choices for this page were adjusted:\n" + "\n".join(f"- {n}" for n in app_notes), icon=":material/link:"
        )
    for n in class_notes:
        st.warning(n, icon=":material/groups:")
    pending = run.reconcile(wanted)
    s = run.session()
    jobs.own(s)  # someone is looking: the worker keeps training it (and the heartbeat knows whose it is)
    view = s.view()  # one reading for the whole page: the worker may finish a chunk at any moment
    if view.diverged:
        run.diverged_notice(view)
    link.write(s.settings, view.step, app)
    if app:
        ctx = Ctx(s, view, pending, app, (st.sidebar.empty(), st.empty()))
    else:
        link.share_box(s.settings, view.step)
        projector.phone_box(link.share_url(s.settings, view.step))
        ctx = Ctx(s, view, pending)
    lesson.back_link(title)
    return ctx


def share(ctx: Ctx) -> None:
    """On an application page, once its widgets are drawn: the address bar, the share box and the QR
    code name the page's choices as they are now."""
    s, step = ctx.session.settings, ctx.view.step
    link.write(s, step, ctx.app)
    if ctx.slots:
        link.share_box(s, step, ctx.app, where=ctx.slots[0])
        with ctx.slots[1].container():
            projector.phone_box(link.share_url(s, step, app=ctx.app))


_STATIC: dict = {}
_SHARED: OrderedDict = OrderedDict()  # (what, job key, ...) -> figure, shared by every session
_SHARED_LOCK = threading.Lock()


def shared_figure(key, build):
    """A figure of a shared job or result, built once for the whole process: twenty students looking at one
    result do not build its figure twenty times (the 64 asked for last are kept). Callers must not change it."""
    with _SHARED_LOCK:
        fig = _SHARED.get(key)
        if fig is not None:
            _SHARED.move_to_end(key)
            return fig
    fig = build()
    with _SHARED_LOCK:
        _SHARED[key] = fig
        while len(_SHARED) > 64:
            _SHARED.popitem(last=False)
    return fig


def static_figure(builder):
    """A figure that depends on nothing (the loop, the four wirings), built once per process:
    plotly takes a third of a second to validate one shape at a time. Callers must not change it."""
    if builder not in _STATIC:
        _STATIC[builder] = builder()
    return _STATIC[builder]


def static_picture(builder, width: int = 600) -> None:
    """Draw a figure that depends on nothing and has nothing to hover or move (the loop, the four wirings)
    as a static SVG (rnnviz.plots.svg), built once per process: the browser shows it at once, without
    loading plotly.js (4.7 MB) for it."""
    key = ("svg", builder, width)
    if key not in _STATIC:
        fig = static_figure(builder)
        alt = re.sub(r"<[^>]+>", " ", fig.layout.title.text or "diagram").strip()
        _STATIC[key] = svg_img(figure_svg(fig, width), alt, width)
    st.html(_STATIC[key])
