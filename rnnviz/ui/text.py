"""The Text page's own character model in Streamlit: which corpus, the shipped model or one trained
here by the process-wide worker, and read-only copies of it for drawing while it trains; the page's
link (a model trained here comes back from the process-wide cache, or is trained again from the seed
as a job of the worker); the sentiment reader, trained once per process as a job.

Everything that computes lives in :mod:`rnnviz.language`; this module keeps the page's state in
``st.session_state`` and hands a started run to :data:`rnnviz.runtime.session.WORKER`."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

import streamlit as st

from ..data.corpus import CORPORA, Corpus, load_corpus
from ..errors import ConfigError
from ..language.charlm import (
    DEFAULT_STEPS,
    DEFAULTS,
    MAX_LINK_STEPS,
    build_text_run,
    load_shipped,
    scores,
    text_model_job,
    text_model_key,
    text_settings,
)
from ..language.context import DEFAULT_SENTENCE
from ..language.sentiment import DEFAULT_SENTENCE as SENTIMENT_DEFAULT
from ..language.sentiment import cached_reader, reader_job, reader_key
from ..runtime.jobs import Job
from ..runtime.session import RUNS, WORKER, Status, TrainingSession
from ..runtime.training import Status as TrainerStatus
from ..settings import Settings
from . import jobs

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
    jobs.forget(MODEL_SLOT)  # a model the link asked for, still training, no longer replaces this one
    st.session_state.pop(RESTORE, None)
    st.session_state[KEY] = new


def resume() -> None:
    s = state()
    if not s.shipped:
        s.session.start()
        WORKER.submit(s.session)


def pause() -> None:
    s = state()
    s.session.pause()
    RUNS.put(s.session)  # a link to it brings this very model back at once (while the process keeps it)


# ----- the page's link ------------------------------------------------------------------------
MODEL_SLOT = "text_model"  # the job that trains a linked model again (ui.jobs slot)
READER_SLOT = "sentiment_reader"
RESTORE = "tx_restoring"  # session_state: (corpus name, settings, steps) of the model that job makes
WIDGET_DEFAULTS = {
    "tx_corpus": "pydoc",
    "tx_arch": DEFAULTS["arch"],
    "tx_hidden": DEFAULTS["hidden"],
    "tx_prompt": "The ",
    "tx_temp": 0.7,
    "tx_topk": None,
    "tx_n": 200,
    "tx_seed": 0,
    "tx_sentence": DEFAULT_SENTENCE,
    "tx_unit": 0,
    "tx_sent": SENTIMENT_DEFAULT,
}


def defaults() -> None:
    """The widgets' starting values, set once (a link may have set some already: those stay)."""
    for k, v in WIDGET_DEFAULTS.items():
        st.session_state.setdefault(k, v)
    t = st.session_state["tx_temp"]  # a link's temperature, on the slider's steps of 0.1
    st.session_state["tx_temp"] = round(max(0.0, min(float(t), 2.0)), 1)


def from_link() -> str:
    """On the first visit with a link: bring back the model it names (a model trained here, from the
    process-wide cache or trained again from seed 0 by the worker; a link never trains in the page) and
    the sentiment reader. Returns a line to show ("" if there is nothing to say)."""
    ss = st.session_state
    linked = ss.pop("rv_linked_text", None)
    if not linked:
        return ""
    if linked.get("tx_reader"):
        ask_reader()
    if ss["tx_corpus"] == "upload":
        return (
            "This link was made with a text of your own. A file does not travel in a link: upload it again below "
            "to train a model on it"
            + (" (the model trained on it cannot be rebuilt from the link)." if linked.get("tx_run") else ".")
        )
    if not linked.get("tx_run"):
        return ""
    steps = int(linked.get("tx_steps", 0))
    return bring_back(load_corpus(ss["tx_corpus"]), ss["tx_arch"], int(ss["tx_hidden"]), steps)


def _settings(corpus: Corpus, arch: str, hidden: int) -> Settings:
    """The session settings of a model trained here (as _fresh_state makes them)."""
    s = text_settings(arch=arch, hidden=hidden)
    return s.replace(seq_len=min(s.seq_len, len(corpus.train) - 1))


def _session_at(corpus: Corpus, settings: Settings, trainer) -> TextState:
    """A page state around a trainer trained to some step: paused there (at its budget if it reached it),
    as the explorer's restore leaves a linked run."""
    s = TrainingSession(settings, trainer, text=corpus.train, cap_size=DEFAULT_STEPS)
    if trainer.status is TrainerStatus.DIVERGED:
        s.status = Status.DIVERGED
    elif trainer.step > 0:
        s.round_start = ((trainer.step - 1) // DEFAULT_STEPS) * DEFAULT_STEPS
        s.status = Status.AT_CAP if trainer.step >= s.cap else Status.PAUSED
    return TextState(corpus, s)


def bring_back(corpus: Corpus, arch: str, hidden: int, steps: int) -> str:
    """The model trained here on ``corpus`` for ``steps`` steps: at once from the process-wide cache,
    else as a job of the worker (single flight: a class opening the same link shares one), adopted by
    :func:`adopt` when it is done. Returns a line saying which."""
    steps = max(0, min(int(steps), MAX_LINK_STEPS))
    settings = _settings(corpus, arch, hidden)
    if steps == 0:
        _replace(_fresh_state(corpus, settings))
        return ""
    start = RUNS.nearest(settings, corpus.train, steps)
    if start is not None and start.step == steps:
        new = _session_at(corpus, settings, start)
        _replace(new)
        return f"This link names a model trained here for {steps:,} steps: restored it (the server still had it)."
    key = text_model_key(corpus, settings, steps)
    jobs.ask(MODEL_SLOT, key, lambda: text_model_job(corpus, settings, steps, start=start))
    st.session_state[RESTORE] = (corpus.name, settings, steps)
    how = f"from a saved copy at step {start.step:,}" if start is not None else "from seed 0"
    return (
        f"This link names a model trained here for {steps:,} steps: the server is training it again {how} "
        "(the same weights; progress below). Meanwhile the page shows the model it had."
    )


def restoring() -> tuple[Job | None, tuple | None]:
    """The job training a linked model again, and what it makes ((corpus name, settings, steps)), if any."""
    want = st.session_state.get(RESTORE)
    return (jobs.current(MODEL_SLOT) if want else None), want


def adopt() -> bool:
    """If the linked model's job is done: it becomes the page's model (a copy, paused at its step; kept
    in the process-wide cache too). Returns whether the page's model changed."""
    job, want = restoring()
    if want is None:
        return False
    if job is None:  # the board dropped it (or it failed): nothing to adopt
        st.session_state.pop(RESTORE, None)
        return False
    if not job.done:
        return False
    name, settings, _steps = want
    corpus = load_corpus(name)
    new = _session_at(corpus, settings, job.view().result.clone())
    _replace(new)
    RUNS.put(new.session)
    return True


def run_in_link(corpus_name: str, arch: str, hidden: int) -> tuple[bool, int]:
    """(tx_run, tx_steps) for the link: whether the page shows a model trained here that the corpus,
    cell and size chosen above would rebuild (a built-in corpus), and its steps; a linked model still
    being trained again counts with the steps it is being trained to."""
    job, want = restoring()
    if want is not None and job is not None:
        name, settings, steps = want
        return (name, settings.arch, settings.hidden) == (corpus_name, arch, hidden), steps
    s = state()
    if s.shipped or s.corpus.name not in CORPORA or s.corpus.name != corpus_name:
        return False, 0
    st_ = s.session.settings
    if (st_.arch, st_.hidden) != (arch, hidden):
        return False, 0
    return True, s.session.view().step


# ----- the sentiment reader ---------------------------------------------------------------------
def reader():
    """The trained sentiment reader if this process has it (from the cache, or the job just finished)."""
    r = cached_reader()
    if r is not None:
        return r
    job = jobs.current(READER_SLOT)
    if job is not None and job.done:
        return job.view().result
    return None


def ask_reader() -> Job:
    """Train the sentiment reader as a job of the worker (once per process: every session shares it)."""
    return jobs.ask(READER_SLOT, reader_key(), reader_job)


def reader_job_now() -> Job | None:
    return jobs.current(READER_SLOT)
