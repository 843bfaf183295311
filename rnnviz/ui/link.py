"""The address bar: read once when a session opens a link, written from the session's run after.

A link holds the settings (defaults left out) and ``step``, the number of steps the run has
trained: opening it rebuilds the same model (see rnnviz.runtime.session.restore)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from ..settings import PAGE_FIELDS, Settings, from_query, page_query, page_values
from . import classroom, projector

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


def write(settings: Settings, step: int, app: str | None = None) -> None:
    """Make the address bar name this run, and on an application page its choices too (only touching it
    when it differs)."""
    want = settings.query()
    if step:
        want["step"] = str(step)
    want.update(projector.link_extras())
    want.update(classroom.address_extras())  # a student's place in their class: this address bar only
    if app:
        want.update(page_query(app, app_values(app)))
    have = {k: st.query_params.get(k) for k in st.query_params}
    if "lesson" in have:  # the Lessons page's own parameter stays while it is shown
        want["lesson"] = have["lesson"]
    if have != want:
        st.query_params.from_dict(want)


def share_url(settings: Settings, step: int = 0, page_url: str | None = None, app: str | None = None) -> str:
    """The link to these settings (and step count, and projector mode when it is on) on a page: this
    page unless page_url (a full address) is given; with ``app``, that application page's choices too."""
    base = (page_url or st.context.url or "").split("?")[0]
    q = dict(settings.query())
    if step:
        q["step"] = str(step)
    q.update(projector.link_extras())
    if app:
        q.update(page_query(app, app_values(app)))
    return base + ("?" + urlencode(q) if q else "")


def share_box(settings: Settings, step: int, app: str | None = None, where=None) -> None:
    """The sidebar's copyable link to this setup (on an application page: to the page's choices and
    results). ``where``: a placeholder to draw it in (default: the sidebar)."""
    url = share_url(settings, step, app=app)
    box = (where or st.sidebar).container()
    box.markdown("**Share this setup**" if not app else "**Share this page**")
    box.code(url, language=None, wrap_lines=True)
    if app:
        box.caption(
            "Opened anywhere, this link shows this page with the same choices; a result shown here is made again "
            "from the same seeds (at once if the server still has it)."
        )
    else:
        box.caption(
            "Opened anywhere, this link rebuilds the same model from the same seed: same initial weights, same data, "
            + (f"trained for the same {step:,} steps." if step else "same curves.")
        )


# ----- an application page's own choices ------------------------------------------------------
def app_values(app: str) -> dict:
    """The page's choices now: each field's widget value (or, for a field without a widget, the value
    the page keeps under the field's name) from the session."""
    ss = st.session_state
    out = {}
    for f in PAGE_FIELDS.get(app, ()):
        k = f.widget_key or f.name
        if k in ss:
            out[f.name] = ss[k]
    return out


def read_app(app: str) -> list[str]:
    """On the first run of an application page in this browser session: put the link's choices into the
    page's widgets (and fields without a widget under their own names). Returns notes for junk values."""
    ss = st.session_state
    done = ss.setdefault("rv_linked_apps", set())
    if app in done:
        return []
    done.add(app)
    raw = {k: st.query_params.get_all(k) for k in st.query_params}
    values, notes = page_values(app, raw)
    by_name = {f.name: f for f in PAGE_FIELDS.get(app, ())}
    for name, v in values.items():
        ss[by_name[name].widget_key or name] = v
    if values:
        ss[f"rv_linked_{app}"] = values  # what the link asked for (a page may check it against its limits)
    return notes
