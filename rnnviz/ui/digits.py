"""The Digits page's Streamlit glue: the digits split (read once per process), the four shapes' training as
one job of the shared worker (single flight: a class pressing with the same choices shares one job). The work
is in rnnviz.signals.digits."""

from __future__ import annotations

import streamlit as st

from ..runtime.jobs import Job
from ..signals.digits import SHAPES, DigitsConfig, DigitsData, digits_job, digits_key, load_digits_split
from . import jobs

SLOT = "digits"  # the page's job slot
STEPS = (100, 200, 400, 800, 1500)
UNITS = (16, 32, 64, 128)
START = dict(dg_arch="gru", dg_steps=800, dg_hidden=64, dg_seed=0, dg_look=0, dg_image=0, **{f"dg_{s}": True for s in SHAPES})


@st.cache_resource(show_spinner="Reading the digits…")
def _data() -> DigitsData:
    return load_digits_split()


def data() -> DigitsData:
    """The split, read once per process (read-only, shared by every session)."""
    return _data()


def defaults() -> None:
    """Each choice's starting value, unless the link (or an earlier visit) set it."""
    for k, v in START.items():
        st.session_state.setdefault(k, v)


def chosen_shapes() -> tuple[str, ...]:
    return tuple(s for s in SHAPES if st.session_state.get(f"dg_{s}"))


def config(shapes: tuple[str, ...], arch: str, steps: int, hidden: int, seed: int) -> DigitsConfig:
    return DigitsConfig(shapes=tuple(shapes), arch=str(arch), steps=int(steps), hidden=int(hidden), seed=int(seed))


def key_for(cfg: DigitsConfig | None):
    """The job these choices ask for (None for choices no job can have)."""
    return jobs.key_or_none(digits_key, cfg)


def start(cfg: DigitsConfig) -> Job | None:
    """Ask the worker for these models (the job already on the board if a classmate asked first; a finished
    one at once). On choices that cannot be trained the page says why and keeps what it shows."""
    return jobs.ask_checked(SLOT, cfg, digits_key, digits_job)


def current() -> Job | None:
    return jobs.current(SLOT)
