"""``page()``: the shared set-up every page calls first, and ``Ctx``, what a page then draws from."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import streamlit as st
import torch

from ..inspect import Inspection, inspect_model
from ..runs import compare_archs
from ..session import TrainingSession, describe_lengths, text_key
from ..settings import ARCH_NAMES, Settings
from . import lesson, link, projector, run, sidebar

_COMPARE: OrderedDict = OrderedDict()  # (settings, text, steps) -> curves, shared by every session
_COMPARE_LOCK = threading.Lock()


@dataclass
class Ctx:
    """What a page needs: the session (its settings, its run) and the settings waiting for a choice."""

    session: TrainingSession
    pending: list[str] = field(default_factory=list)

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

    def status_line(self) -> str:
        s, tr = self.settings, self.trainer
        what = "untrained (random initial weights)" if tr.step == 0 else f"trained for {tr.step:,} steps"
        lengths = describe_lengths(tr.history)
        layers = f", {s.layers} layers" if s.layers > 1 else ""
        own = " on your own text" if self.session.text else ""
        return (
            f"Showing the session's {ARCH_NAMES[s.arch]} on “{tr.task.title}”{own} (H={s.hidden}{layers}, seed "
            f"{s.seed}, examples of length T={s.seq_len}): {what}{lengths}."
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

    def compare(self, steps: int) -> dict:
        """||dL/dh_t|| for RNN, LSTM and GRU built like the session's model. Deterministic, so it is
        memoised for the whole process: a class asking for the same comparison computes it once."""
        key = (self.settings.key(), text_key(self.session.text), steps)
        with _COMPARE_LOCK:
            if key in _COMPARE:
                _COMPARE.move_to_end(key)
                return _COMPARE[key]
        with st.spinner("Building and tracing three models…"):
            curves = compare_archs(self.settings, steps, text=self.session.text)
        with _COMPARE_LOCK:
            _COMPARE[key] = curves
            while len(_COMPARE) > 128:
                _COMPARE.popitem(last=False)
        return curves


def page(title: str, icon: str = "🔁", explorer: bool = True) -> Ctx:
    """Call first on every page: page config, the session's run (from the link on a first visit),
    the sidebar, the run brought in line with it, and the notices every page shows. explorer=False
    for a page with models of its own: the explorer's settings are folded away in the sidebar."""
    projector.read_link()
    st.set_page_config(
        page_title=f"{title} · rnnviz", page_icon=icon, layout="wide", initial_sidebar_state=projector.sidebar_state()
    )
    projector.install()
    projector.style()
    torch.set_num_threads(1)
    notes = run.open_session()
    sidebar.keep_on_page_switch(title, ("rv_cap_w", projector.KEY))
    sidebar.nav()
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
    elif notes or range_notes:  # about settings this page does not use: one short notice, not a column of them
        st.warning(
            "This link's settings for the explorer pages were adjusted (this page does not use them):\n"
            + "\n".join(f"- {n}" for n in [*notes, *range_notes]),
            icon=":material/link:",
        )
    pending = run.reconcile(wanted)
    s = run.session()
    s.seen = time.monotonic()  # someone is looking: the worker keeps training it
    if s.diverged:
        run.diverged_notice(s)
    link.write(s.settings, s.trainer.step)
    link.share_box(s.settings, s.trainer.step)
    projector.phone_box(link.share_url(s.settings, s.trainer.step))
    lesson.back_link(title)
    return Ctx(s, pending)


_STATIC: dict = {}


def static_figure(builder):
    """A figure that depends on nothing (the loop, the four wirings), built once per process:
    plotly takes a third of a second to validate one shape at a time. Callers must not change it."""
    if builder not in _STATIC:
        _STATIC[builder] = builder()
    return _STATIC[builder]
