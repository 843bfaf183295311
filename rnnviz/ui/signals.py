"""Session glue for the Music and Sounds pages: which model the session shows (the shipped one, or one
it trained itself), and training a new one live with a progress bar. The work is in rnnviz.signals."""

from __future__ import annotations

import streamlit as st

from ..data.tunes import load_tunes
from ..errors import ConfigError
from ..signals import music, sounds

MUSIC_KEY, SOUNDS_KEY = "mu_model", "so_model"


@st.cache_resource(show_spinner=False)
def _tunes():
    return load_tunes()


def tunes():
    """The shipped tunes (read-only, shared by every session)."""
    return _tunes()


def _own(key: str, loader, what: str):
    """The session's model: its own if it trained one, else its own copy of the shipped one."""
    ss = st.session_state
    if key not in ss:
        try:
            ss[key] = ("shipped", loader())
        except (OSError, ConfigError, RuntimeError, KeyError) as e:
            st.error(f"The shipped {what} model could not be read ({e}); train one below.")
            ss[key] = ("none", None)
    return ss[key]


def melody_model():
    """('shipped' | 'own' | 'none', LoadedMelody or None)."""
    return _own(MUSIC_KEY, lambda: music.load(tunes=tunes()), "melody")


def sounds_model():
    return _own(SOUNDS_KEY, sounds.load, "sounds")


def _bar(text: str):
    bar = st.progress(0.0, text=text)

    def progress(done, total, loss):
        bar.progress(min(1.0, done / max(1, total)), text=f"{text} step {done:,} of {total:,}, loss {loss:.2f}")

    return bar, progress


def train_melody(arch: str, steps: int, seed: int) -> None:
    """Train a new melody model for the session, score it on the held-out tunes, and keep it.
    On bad settings the session keeps the model it had and the page says why."""
    try:
        cfg = music.MelodyConfig(arch=arch, seed=int(seed)).validate()
        tr = music.MelodyTrainer(cfg, tunes())
    except ConfigError as e:
        st.error(str(e))
        return
    bar, progress = _bar("Training on the training tunes:")
    tr.run(int(steps), progress)
    bar.progress(1.0, text="Scoring on the held-out tunes…")
    scores = music.evaluate(tr.model, tunes())
    bar.empty()
    st.session_state[MUSIC_KEY] = ("own", music.LoadedMelody(tr.model, cfg, tr.step, scores))


def train_sounds(arch: str, steps: int, seed: int) -> None:
    try:
        cfg = sounds.SoundsConfig(arch=arch, seed=int(seed)).validate()
        tr = sounds.SoundsTrainer(cfg)
    except ConfigError as e:
        st.error(str(e))
        return
    bar, progress = _bar("Training on fresh clips:")
    tr.run(int(steps), progress, every=10)
    bar.progress(1.0, text="Scoring on 300 held-out clips…")
    scores = sounds.evaluate(tr.model, 300)
    bar.empty()
    st.session_state[SOUNDS_KEY] = ("own", sounds.LoadedSounds(tr.model, cfg, tr.step, scores))


def use_shipped(key: str) -> None:
    st.session_state.pop(key, None)
