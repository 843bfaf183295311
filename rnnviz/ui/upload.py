"""Train the character model on your own text: an upload that is checked before anything changes."""

from __future__ import annotations

import streamlit as st

from ..errors import ConfigError
from ..settings import MAX_SEQ
from ..tasks import get_task
from . import run

MAX_UPLOAD = 1_000_000  # bytes; the uploader itself refuses more than 1 MB before the app sees it
MIN_CHARS = MAX_SEQ + 1  # every sequence length the slider offers must fit in the text


def read_text_upload(data: bytes) -> tuple[str | None, str]:
    """Check an uploaded file for the character model: (text, "") if usable, else (None, why)."""
    if len(data) > MAX_UPLOAD:
        return None, f"That file is {len(data):,} bytes; the limit is {MAX_UPLOAD:,}."
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "That file is not UTF-8 text (is it a PDF, a Word file or an image?)."
    if len(text) < MIN_CHARS:
        return None, f"That text has {len(text):,} characters; the character model needs at least {MIN_CHARS}."
    try:
        get_task("charlm", text=text)
    except ConfigError as e:
        return None, str(e)[0].upper() + str(e)[1:] + "."
    return text, ""


def _use(text: str | None) -> None:
    s = run.session()
    s.rebuild(text=text)


def own_text() -> None:
    """Upload a text for the character model; a bad file changes nothing and says why."""
    s = run.session()
    with st.expander("Train on your own text", expanded=False):
        st.markdown(
            f"Upload a plain-text file (UTF-8, {MIN_CHARS} characters to 200,000, at most 200 distinct characters). "
            "It stays in this browser session only: a shared link uses the built-in text."
        )
        up = st.file_uploader("Text file", type=["txt", "md", "csv"], key="rv_upload", max_upload_size=1)
        if up is not None:
            text, why = read_text_upload(up.getvalue())
            if text is None:
                st.error(f"{why} Nothing was changed: the model and its history are as they were.")
            elif text != s.text:
                st.success(f"{up.name}: {len(text):,} characters, {len(set(text))} distinct.")
                st.button("Start a new model on this text", key="rv_use_text", type="primary", on_click=_use, args=(text,))
        if s.text:
            st.caption(f"Training on your text ({len(s.text):,} characters).")
            st.button("Back to the built-in text", key="rv_builtin", on_click=_use, args=(None,))
