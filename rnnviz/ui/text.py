"""The Text page's own character model in Streamlit: which corpus, the shipped model or one trained
here by the process-wide worker, and read-only copies of it for drawing while it trains.

Everything that computes lives in :mod:`rnnviz.language`; this module keeps the page's state in
``st.session_state`` and hands a started run to :data:`rnnviz.session.WORKER`."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

import streamlit as st

from ..data.corpus import Corpus, load_corpus
from ..errors import ConfigError
from ..language.charlm import DEFAULT_STEPS, build_text_run, load_shipped, scores, text_settings
from ..language.sentiment import shared_reader
from ..session import WORKER, TrainingSession
from ..settings import Settings

KEY = "tx_state"
_SHIPPED: dict = {}
_SHIPPED_LOCK = threading.Lock()


@dataclass
class TextState:
    """The page's model: a TrainingSession (so the worker can train it), the corpus it learns, where
    its weights come from, and memos of what was measured per model version."""

    corpus: Corpus
    session: TrainingSession
    shipped: bool = False
    shipped_steps: int = 0
    shipped_bpc: dict | None = None
    memo: dict = field(default_factory=dict)

    @property
    def trainer(self):
        return self.session.trainer

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.session.trainer.task.tokens

    @property
    def version(self) -> tuple:
        return (id(self.session.trainer), self.session.version)

    @property
    def steps(self) -> int:
        return self.shipped_steps if self.shipped else self.session.trainer.step

    @property
    def weights(self) -> int:
        """How many numbers the model learns."""
        return sum(p.numel() for p in self.session.trainer.model.parameters())

    def origin(self) -> str:
        s = self.session.settings
        size = f"{s.arch.upper()}, {s.hidden} units"
        if self.shipped:
            return (
                f"the model shipped with rnnviz ({size}), trained for {self.shipped_steps:,} steps "
                "with the command line's settings"
            )
        if self.trainer.step == 0:
            return f"a new model ({size}), not trained yet (random weights)"
        return f"a model ({size}) trained here for {self.trainer.step:,} steps"

    def model(self):
        """A read-only copy of the model as it is now, made once per model version (the worker may be
        changing the original while the page draws)."""
        key = ("model", self.version)
        if key not in self.memo:
            with self.session.lock:
                m = copy.deepcopy(self.session.trainer.model)
            self.memo = {k: v for k, v in self.memo.items() if k[0] != "model"}
            self.memo[key] = m
        return self.memo[key]

    def bpc(self) -> dict:
        """Bits per character (held-out, training text, unigram), measured once per model version."""
        if self.shipped and self.shipped_bpc:
            return self.shipped_bpc
        key = ("bpc", self.version)
        if key not in self.memo:
            self.memo[key] = scores(self.model(), self.tokens, self.corpus, train_chars=20_000)
        return self.memo[key]


def _shipped_state() -> TextState | None:
    """The shipped model as a page state (its weights loaded once per process and copied per session)."""
    with _SHIPPED_LOCK:
        if "model" not in _SHIPPED:
            try:
                _SHIPPED["model"] = load_shipped()
            except ConfigError as e:
                _SHIPPED["model"] = str(e)
        tm = _SHIPPED["model"]
    if isinstance(tm, str):
        return None
    run = tm.run.clone()
    s = text_settings(arch=tm.model.cfg.arch, hidden=tm.model.cfg.hidden_size, seq_len=run.cfg.seq_len)
    return TextState(tm.corpus, TrainingSession(s, run, text=tm.corpus.train), True, tm.steps, tm.bpc)


def _fresh_state(corpus: Corpus, settings: Settings) -> TextState:
    run = build_text_run(corpus, settings)
    return TextState(
        corpus, TrainingSession(settings.replace(seq_len=run.cfg.seq_len), run, text=corpus.train, cap_size=DEFAULT_STEPS)
    )


def state() -> TextState:
    """The session's text model: on a first visit the shipped one (a fresh model if it is missing)."""
    ss = st.session_state
    if KEY not in ss:
        ss[KEY] = _shipped_state() or _fresh_state(load_corpus("pydoc"), text_settings())
    return ss[KEY]


def use_shipped() -> str:
    """Go back to the shipped model; returns why not ("" when done)."""
    s = _shipped_state()
    if s is None:
        return "The shipped model is not available here."
    _replace(s)
    return ""


def new_model(corpus: Corpus, arch: str, hidden: int) -> None:
    """A fresh, untrained model on this corpus, handed to the worker to train at once."""
    settings = text_settings(arch=arch, hidden=hidden)
    s = _fresh_state(corpus, settings)
    _replace(s)
    s.session.start()
    WORKER.submit(s.session)


def _replace(new: TextState) -> None:
    old = st.session_state.get(KEY)
    if old is not None and old.session.running:
        old.session.pause()
    st.session_state[KEY] = new


def resume() -> None:
    s = state()
    if not s.shipped:
        s.session.start()
        WORKER.submit(s.session)


def pause() -> None:
    state().session.pause()


def sentiment_reader():
    """The sentiment model (trained once per process, deterministic), with a spinner the first time."""
    with st.spinner("Training the sentiment reader (an LSTM, 400 steps, a few seconds)…"):
        return shared_reader()
