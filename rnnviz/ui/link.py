"""The address bar: read once when a session opens a link, written from the session's run after.

A link holds the settings (defaults left out) and ``step``, the number of steps the run has
trained: opening it rebuilds the same model (see rnnviz.session.restore)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from ..settings import Settings, from_query
from . import projector

MAX_LINK_STEPS = 100_000


@dataclass
class Link:
    settings: Settings
    step: int = 0
    notes: list[str] = field(default_factory=list)


def read() -> Link:
    """The settings and step count of the link this session was opened with, with a note for each
    parameter that was junk (never raises)."""
    raw = {k: st.query_params.get_all(k) for k in st.query_params}
    settings, notes = from_query(raw)
    step = 0
    if "step" in raw:
        value = raw["step"][-1] if raw["step"] else ""
        try:
            step = int(value)
            if not 0 <= step <= MAX_LINK_STEPS:
                raise ValueError
        except ValueError:
            step = 0
            notes.append(
                f"Link parameter step={value[:30]!r} is not a whole number from 0 to {MAX_LINK_STEPS:,}; "
                "starting from an untrained model."
            )
    return Link(settings, step, notes)


def write(settings: Settings, step: int) -> None:
    """Make the address bar name this run (only touching it when it differs)."""
    want = settings.query()
    if step:
        want["step"] = str(step)
    want.update(projector.link_extras())
    have = {k: st.query_params.get(k) for k in st.query_params}
    if "lesson" in have:  # the Lessons page's own parameter stays while it is shown
        want["lesson"] = have["lesson"]
    if have != want:
        st.query_params.from_dict(want)


def share_url(settings: Settings, step: int = 0, page_url: str | None = None) -> str:
    """The link to these settings (and step count, and projector mode when it is on) on a page: this
    page unless page_url (a full address) is given."""
    base = (page_url or st.context.url or "").split("?")[0]
    q = dict(settings.query())
    if step:
        q["step"] = str(step)
    q.update(projector.link_extras())
    return base + ("?" + urlencode(q) if q else "")


def share_box(settings: Settings, step: int) -> None:
    """The sidebar's copyable link to this setup."""
    url = share_url(settings, step)
    st.sidebar.markdown("**Share this setup**")
    st.sidebar.code(url, language=None, wrap_lines=True)
    st.sidebar.caption(
        "Opened anywhere, this link rebuilds the same model from the same seed: same initial weights, same data, "
        + (f"trained for the same {step:,} steps." if step else "same curves.")
    )
