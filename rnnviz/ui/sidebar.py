"""The sidebar: the page list and one widget per setting, built from the table in rnnviz.settings.

Widgets show settings; they are never given a value computed from a run. Their values live in
``st.session_state`` under the settings' own names (``arch``, ``seq_len``...), kept across pages.
"""

from __future__ import annotations

import streamlit as st

from ..settings import FIELDS, SECTIONS, Field, Settings, parse, seq_len_range

PAGES = [
    ("app.py", "Home", "what this is and where to start", ":material/home:"),
    (
        "pages/1_Train.py",
        "Train",
        "press Start and watch the loss, the metric and the gradient norm live",
        ":material/model_training:",
    ),
    (
        "pages/2_Hidden_states.py",
        "Hidden states",
        "what each hidden unit does at each step, and the path of h_t",
        ":material/grid_on:",
    ),
    ("pages/3_Gates.py", "Gates", "LSTM and GRU gates opening and closing, and the LSTM cell as valves", ":material/tune:"),
    ("pages/4_Unrolled.py", "Unrolled", "the network unrolled over time with its real numbers (BPTT)", ":material/linear_scale:"),
    (
        "pages/5_Gradients.py",
        "Gradients",
        "vanishing and exploding gradients, and how to cause and cure them",
        ":material/trending_down:",
    ),
]


def nav() -> None:
    """Our own page list (Streamlit's would call the home page "app", after the file name)."""
    for path, label, _, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()


SHADOW = "rv_wanted"  # the sidebar's settings under a key of our own: Streamlit may drop widget keys on a page switch


def put(settings: Settings) -> None:
    """Make the widgets show these settings (call before the widgets are drawn, e.g. in a callback)."""
    st.session_state.update(settings.as_dict())
    st.session_state[SHADOW] = settings


def fill(settings: Settings) -> None:
    """Give every widget that has no value the value of these settings."""
    for k, v in settings.as_dict().items():
        if k not in st.session_state:
            st.session_state[k] = v


def current() -> tuple[Settings, list[str]]:
    """The settings the widgets hold now, brought into range (a task change can leave the length
    outside the new task's range: it is moved in, with a note). Widgets whose value Streamlit
    dropped (it forgets widgets on a page switch) get it back from the last settings seen."""
    ss = st.session_state
    for f in FIELDS:  # re-assigning a widget's value makes it ours, so a page switch keeps it
        if f.name in ss:
            ss[f.name] = ss[f.name]
    if SHADOW in ss:
        fill(ss[SHADOW])
    s, notes = parse({f.name: ss[f.name] for f in FIELDS if f.name in ss})
    if ss.get("seq_len") != s.seq_len:
        ss["seq_len"] = s.seq_len
    ss[SHADOW] = s
    return s, notes


def _widget(f: Field, where, settings: Settings):
    kw = dict(key=f.name, help=f.help or None)
    if f.name == "seq_len":
        lo, hi = seq_len_range(settings.task)
        return where.slider(f.label, lo, hi, **kw)
    if f.widget == "selectbox":
        return where.selectbox(f.label, f.options, format_func=f.show, **kw)
    if f.widget == "toggle":
        return where.toggle(f.label, **kw)
    if f.widget == "select_slider":
        return where.select_slider(f.label, f.widget_options(getattr(settings, f.name)), format_func=f.show, **kw)
    if f.widget == "number":
        return where.number_input(f.label, int(f.lo), int(f.hi), step=1, **kw)
    return where.slider(f.label, int(f.lo), int(f.hi), **kw)


def controls(settings: Settings) -> None:
    """Draw every setting's widget, grouped in the sections the settings table names."""
    sb = st.sidebar
    sb.markdown(f"### {SECTIONS['setup']}")
    for f in FIELDS:
        if f.section == "setup":
            _widget(f, sb, settings)
    for section in ("training", "recurrent"):
        with sb.expander(SECTIONS[section], expanded=section == "training"):
            for f in FIELDS:
                if f.section == section:
                    _widget(f, st, settings)
