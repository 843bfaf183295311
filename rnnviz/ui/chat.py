"""The Chat page's Streamlit glue: the corpus split (read once per process), the network's training as one job of
the shared worker (single flight: a class pressing with the same choices shares one job), and a reply drawn word by
word. The work is in rnnviz.language.chat."""

from __future__ import annotations

import time

import streamlit as st

from ..data.chat import ChatCorpus, chat_corpus
from ..language.chat import ChatConfig, chat_job, chat_key
from ..runtime.jobs import Job
from . import jobs

SLOT = "chat"  # the page's job slot
STEPS = (100, 200, 400, 800, 1500, 3000)
UNITS = (16, 32, 64, 128)
_D = ChatConfig()
START = dict(ch_steps=_D.steps, ch_hidden=_D.hidden, ch_seed=_D.seed, ch_msg="hello")
WORD_SECONDS = 0.08  # a reply's words appear this far apart (only the first time a reply is drawn)


@st.cache_resource(show_spinner="Reading the corpus…")
def _corpus() -> ChatCorpus:
    return chat_corpus()


def corpus() -> ChatCorpus:
    """The split, read once per process (shared by every session)."""
    return _corpus()


def defaults() -> None:
    """Each choice's starting value, unless the link (or an earlier visit) set it."""
    for k, v in START.items():
        st.session_state.setdefault(k, v)


def config(steps: int, hidden: int, seed: int) -> ChatConfig:
    """What the Train button trains: the student's steps, hidden units and seed, the command line's other defaults."""
    return ChatConfig(steps=int(steps), hidden=int(hidden), seed=int(seed))


def key_for(cfg: ChatConfig | None):
    """The job these choices ask for (None for choices no job can have)."""
    return jobs.key_or_none(chat_key, cfg)


def start(cfg: ChatConfig) -> Job | None:
    """Ask the worker for this network (the job already on the board if a classmate asked first; a finished one
    at once). On choices that cannot be trained the page says why and keeps what it shows."""
    return jobs.ask_checked(SLOT, cfg, chat_key, chat_job)


def current() -> Job | None:
    return jobs.current(SLOT)


def write_reply(words: list[str], animate: bool) -> None:
    """The reply in an assistant bubble: word by word the first time it is drawn, at once after that (a rerun for
    another widget does not play it again)."""
    with st.chat_message("assistant", avatar=":material/smart_toy:"):
        if not words:
            st.markdown("*(an empty reply: the first word it wrote was the end mark)*")
        elif animate:

            def stream():
                for i, w in enumerate(words):
                    yield ("" if i == 0 else " ") + w
                    time.sleep(WORD_SECONDS)

            st.write_stream(stream)
        else:
            st.markdown(" ".join(words))
