"""Session glue for the Music and Sounds pages: the shipped models (read once per process), the page's
own training as a job of the shared worker (single flight: a class pressing with the same choices shares
one job and its result), its progress and loss drawn while it trains, and which model the page shows.
The work is in rnnviz.signals; the pages never train."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import streamlit as st

from ..data.tunes import Tunes, load_tunes
from ..errors import ConfigError
from ..plots.training import loss_figure
from ..runtime.jobs import Job
from ..signals import music, sounds
from . import jobs

MUSIC, SOUNDS = "music", "sounds"  # the pages' job slots (and their names in the link tables)
PREFIX = {MUSIC: "mu", SOUNDS: "so"}


@st.cache_resource(show_spinner=False)
def _tunes() -> Tunes:
    return load_tunes()


def tunes() -> Tunes:
    """The shipped tunes (read-only, shared by every session)."""
    return _tunes()


# ----- the widgets' starting values (the link may have set some already) -------------------------
def defaults(page: str) -> None:
    """Each choice's starting value, unless the link (or an earlier visit) set it: ``setdefault`` rather
    than the widgets' value= arguments, so a value from the link is not fought over."""
    if page == MUSIC:
        start = dict(mu_arch="lstm", mu_steps=300, mu_seed=0, mu_tune=0, mu_nseed=8, mu_len=48, mu_temp=0.8)
        start.update(mu_gseed=0, mu_bpm=150)
    else:
        start = dict(so_arch="gru", so_steps=200, so_seed=0, so_label=0, so_noise=0.3, so_clip=0)
    for k, v in start.items():
        st.session_state.setdefault(k, v)


# ----- the shipped models ------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _shipped(page: str):
    return music.load(tunes=tunes()) if page == MUSIC else sounds.load()


def shipped(page: str):
    """The model that ships with rnnviz (read once per process, shared read-only), or None with a message
    when its file cannot be read."""
    try:
        return _shipped(page)
    except (OSError, ConfigError, RuntimeError, KeyError) as e:
        what = "melody" if page == MUSIC else "sounds"
        st.error(f"The shipped {what} model could not be read ({e}); train one below.")
        return None


# ----- the page's own training: a job of the shared worker ------------------------------------------
def _job(page: str, arch: str, steps: int, seed: int):
    """(key, make) of the job these choices ask for. Raises ConfigError."""
    if page == MUSIC:
        cfg = music.MelodyConfig(arch=arch, seed=int(seed))
        return music.melody_key(cfg, int(steps)), lambda: music.melody_job(cfg, int(steps))
    cfg = sounds.SoundsConfig(arch=arch, seed=int(seed))
    return sounds.sounds_key(cfg, int(steps)), lambda: sounds.sounds_job(cfg, int(steps))


def key_for(page: str, arch: str, steps: int, seed: int) -> Hashable | None:
    """The name of the job the choices ask for (None for choices no job can have)."""
    try:
        return _job(page, arch, steps, seed)[0]
    except (ConfigError, TypeError, ValueError):
        return None


def start(page: str, arch: str, steps: int, seed: int) -> Job | None:
    """Ask the worker for the model these choices train (the one already on the board if a classmate asked
    first; a finished one at once). On choices that cannot be trained the page says why and keeps its model."""
    try:
        key, make = _job(page, arch, steps, seed)
    except (ConfigError, TypeError, ValueError) as e:
        st.error(f"{e}. Nothing was changed.")
        return None
    return jobs.ask(page, key, make)


def current(page: str) -> Job | None:
    """The job this browser session asked for on the page (a job paused because nobody looked goes on)."""
    return jobs.current(page)


def use_shipped(page: str) -> None:
    """Show the shipped model again. The trained (or training) model stays on the board, where a link or a
    press brings it back; one still training stops taking turns unless another browser watches it."""
    jobs.let_go(jobs.current(page))
    jobs.forget(page)


@dataclass(frozen=True)
class Shown:
    """The model a page shows: kind "own" (its finished job's), "shipped", or "none" (no model could be read)."""

    kind: str
    model: object  # music.LoadedMelody | sounds.LoadedSounds | None
    job: Job | None


def shown(page: str) -> Shown:
    job = current(page)
    if job is not None and job.done:
        return Shown("own", job.result, job)
    m = shipped(page)
    return Shown("shipped" if m is not None else "none", m, job)


def loss_lines(page: str) -> tuple[float, float, str]:
    """(guess, reference, what the reference is) for the loss chart: guessing without listening / reading,
    and a loss worth reaching (the bigram rule's for music, about nine clips in ten right for sounds)."""
    if page == MUSIC:
        guess, bigram = _melody_refs()
        return guess, bigram, "the bigram rule's loss on the same notes"
    return math.log(len(sounds.CLASSES)), sounds.VowelTask.solved_loss, "about where nine clips in ten are named right"


@st.cache_resource(show_spinner=False)
def _melody_refs() -> tuple[float, float]:
    return music.reference_losses(tunes())


def follow(page: str, job: Job | None) -> None:
    """While this session's job trains: its progress, Pause / Go on, and the training loss so far, in a
    live fragment that follows the job (:func:`rnnviz.ui.jobs.live`); once it is done, the page is drawn
    again with the new model."""
    drawn = job.status if job is not None else None
    p = PREFIX[page]

    def loss_chart(place, v, n: int) -> None:
        loss = next(iter(v.losses.values()), [])
        if not loss:
            return
        guess, ref, ref_words = loss_lines(page)
        fig = loss_figure(range(1, len(loss) + 1), loss, guess, ref, "cross-entropy")
        fig.layout.title.text = "Training loss so far (each batch)"
        with place.container():
            st.plotly_chart(fig, key=f"{p}_loss_{n}")
            st.caption(
                f"The line marked “chance”: the loss of a guess that ignores the input. The line marked “solved”: {ref_words}."
            )

    @st.fragment(run_every=jobs.live_every(drawn))
    def area() -> None:
        jobs.live(
            page,
            drawn,
            lambda v: f"Training your {next(iter(v.steps))}",
            p,
            loss_chart,
            note="Training runs on the server in turns with everyone else's: look at other pages meanwhile and come "
            "back. Until it is done, the model that ships is shown below.",
        )

    area()
