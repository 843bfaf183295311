"""Save the session's model to a file and load one back: a file is checked in full before anything
changes, and a bad one changes nothing and says why in one line."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..errors import CheckpointError
from ..runtime.checkpoints import MAX_BYTES, checkpoint_bytes, describe, file_name, load_checkpoint_bytes
from ..runtime.session import TrainingSession, text_key
from ..runtime.training import Trainer
from ..settings import Settings
from . import run, sidebar

UNCHANGED = " Nothing was changed: the model and its history are as they were."
_BYTES = "rv_ckpt_bytes"  # (identity of the run, its checkpoint bytes), so a rerun does not save again
_CHECKED = "rv_ckpt_checked"  # (uploaded file's id, Loaded or the error message)


@dataclass(frozen=True)
class Loaded:
    """A checkpoint that passed every check, not yet in the session."""

    name: str
    settings: Settings
    text: str | None
    trainer: Trainer


def check_upload(name: str, data: bytes) -> Loaded | str:
    """The uploaded file as a Loaded run, or the one-line message saying why it cannot be used
    (the message ends with the sentence that nothing was changed)."""
    try:
        settings, text, trainer = load_checkpoint_bytes(data)
    except CheckpointError as e:
        return str(e) + UNCHANGED
    return Loaded(name, settings, text, trainer)


def session_bytes(s: TrainingSession) -> bytes:
    """The session's checkpoint, saved again only when the run changed."""
    ident = (id(s.trainer), s.version, s.trainer.step, s.settings.key(), text_key(s.text))
    memo = st.session_state.get(_BYTES)
    if memo is None or memo[0] != ident:
        with s.lock:
            memo = (ident, checkpoint_bytes(s.trainer, s.settings, s.text))
        st.session_state[_BYTES] = memo
    return memo[1]


def _load(loaded: Loaded) -> None:
    """The Load button's callback: runs before the page, so the sidebar then shows the new settings."""
    run.session().load(loaded.settings, loaded.trainer.clone(), loaded.text, source=loaded.name)
    sidebar.put(loaded.settings)


def _checked(up) -> Loaded | str:
    memo = st.session_state.get(_CHECKED)
    if memo is None or memo[0] != up.file_id:
        memo = (up.file_id, check_upload(up.name, up.getvalue()))
        st.session_state[_CHECKED] = memo
    return memo[1]


def checkpoint_box() -> None:
    """The Train page's "Save or load this model" box."""
    s = run.session()
    with st.expander("Save or load this model", expanded=False):
        st.markdown(
            "Download the model as it is now: its weights, the settings it was built with and its training "
            "history, in the same format as `python -m rnnviz train --save` (so `python -m rnnviz trace --load` "
            "reads it). Load such a file back here, in any browser, to go on where it stopped."
        )
        st.download_button(
            "Download this model",
            data=b"" if s.running else session_bytes(s),
            file_name=file_name(s.settings, s.trainer.step),
            mime="application/octet-stream",
            icon=":material/download:",
            key="rv_ckpt_download",
            on_click="ignore",
            disabled=s.running,
            help="Pause training first."
            if s.running
            else "A .pt file for rnnviz or PyTorch (torch.load with weights_only=True).",
        )
        up = st.file_uploader("Checkpoint file (.pt)", type=["pt"], key="rv_ckpt_upload", max_upload_size=MAX_BYTES // 1_000_000)
        if up is not None:
            got = _checked(up)
            if isinstance(got, str):
                st.error(got, icon=":material/block:")
            else:
                st.success(f"{up.name}: {describe(got.settings, got.trainer)}.", icon=":material/check_circle:")
                st.button(
                    "Load this model",
                    key="rv_ckpt_load",
                    type="primary",
                    icon=":material/upload:",
                    on_click=_load,
                    args=(got,),
                    help="Replace the session's model (and its history) with this one; the sidebar shows its settings.",
                )
        if s.loaded_from:
            st.caption(
                f"The pages show the model loaded from {s.loaded_from}. A link names settings and a step count, "
                "not weights: opened elsewhere it trains again from the seed, which gives this same model only if "
                "the file was trained in one go with these settings."
            )
