"""The sidebar: the page list and one widget per setting, built from the table in rnnviz.settings.

Widgets show settings; they are never given a value computed from a run. Their values live in
``st.session_state`` under the settings' own names (``arch``, ``seq_len``...), kept across pages.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from ..settings import FIELDS, SECTIONS, Field, Settings, parse

PAGES = [
    ("app.py", "Home", "what this is and where to start", ":material/home:"),
    (
        "pages/0_Lessons.py",
        "Lessons",
        "the topic one idea at a time, each with a live figure and a question",
        ":material/school:",
    ),
    (
        "pages/16_Class.py",
        "Class",
        "a whole class runs one experiment: every student's run on one board, live, for the projector",
        ":material/groups:",
    ),
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
    (
        "pages/6_Compare.py",
        "Compare",
        "RNN, LSTM, GRU, CNN, Transformer and GRU+attention race on one task; the article's table measured",
        ":material/sports_score:",
    ),
    (
        "pages/7_Speed.py",
        "Speed and memory",
        "training time against length, what a second thread buys, streaming cost, why PyTorch's GRU is slow on a CPU",
        ":material/speed:",
    ),
    (
        "pages/8_Text.py",
        "Text",
        "a character model that writes, the same word in two contexts, and a sentence read word by word",
        ":material/edit_note:",
    ),
    (
        "pages/9_Translate.py",
        "Translate",
        "number words to digits with a GRU encoder-decoder: where attention looks, and why it helps long inputs",
        ":material/translate:",
    ),
    (
        "pages/10_Forecast.py",
        "Forecast",
        "forecast real series (sunspots, CO2) and check the network against simple rules",
        ":material/show_chart:",
    ),
    (
        "pages/11_Music.py",
        "Music",
        "an RNN writes folk tunes you can hear; its hidden state under the notes",
        ":material/music_note:",
    ),
    (
        "pages/12_Recognise.py",
        "Recognise",
        "real speech, smartwatch motion and video: networks against the field's best classifiers, step by step",
        ":material/fingerprint:",
    ),
    ("pages/13_Sounds.py", "Sounds", "hear a vowel and watch the network decide, frame by frame", ":material/hearing:"),
    (
        "pages/14_Digits.py",
        "Digits",
        "handwritten digits in four shapes: one answer, row by row, and the digit's name written letter by letter",
        ":material/draw:",
    ),
    (
        "pages/15_Chat.py",
        "Chat",
        "a chatbot trained on real question-and-answer pairs: what it learned, what it only memorised, where it looks",
        ":material/chat:",
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


def keep_on_page_switch(page: str, keys: tuple[str, ...] = ()) -> None:
    """Streamlit forgets a widget's value when another page draws a widget with the same key (the
    widget's identity includes its page). On the first run of a page, re-assign the settings'
    values (and these keys') as our own, so every page's widgets show them. Only then: re-assigning
    on every run would fight a slider that is being dragged."""
    ss = st.session_state
    if ss.get("rv_page") == page:
        return
    ss["rv_page"] = page
    for name in [f.name for f in FIELDS] + list(keys):
        if name in ss:
            ss[name] = ss[name]
    if SHADOW in ss:
        fill(ss[SHADOW])


def current() -> tuple[Settings, list[str]]:
    """The settings the widgets hold now, brought into range (a task change can leave the length
    outside the new task's range: it is moved in, with a note)."""
    ss = st.session_state
    s, notes = parse({f.name: ss[f.name] for f in FIELDS if f.name in ss})
    if ss.get("seq_len") != s.seq_len:
        ss["seq_len"] = s.seq_len
    ss[SHADOW] = s
    return s, notes


def _widget(f: Field, where, settings: Settings):
    kw = dict(key=f.name, help=f.help or None)
    # The length slider keeps one range for every task: a slider whose range changes becomes a new
    # widget that can come back with a stale value. A length the task cannot take is moved into its
    # range by Settings, with a note.
    if f.widget == "selectbox":
        return where.selectbox(f.label, f.options, format_func=f.show, **kw)
    if f.widget == "toggle":
        return where.toggle(f.label, **kw)
    if f.widget == "select_slider":
        return where.select_slider(f.label, f.widget_options(getattr(settings, f.name)), format_func=f.show, **kw)
    if f.widget == "number":
        return where.number_input(f.label, int(f.lo), int(f.hi), step=1, **kw)
    return where.slider(f.label, int(f.lo), int(f.hi), **kw)


def controls(settings: Settings, used: bool = True) -> None:
    """Draw every setting's widget, grouped in the sections the settings table names. On a page that
    does not use them (used=False: the applications have models of their own) they stay drawn, so
    the explorer's model and link are kept, but folded away under a heading that says so."""
    if not used:
        with st.sidebar.expander("The explorer's model (not used on this page)", expanded=False):
            st.caption(
                "These settings belong to the explorer pages (Train to Gradients) and the lessons. "
                "This page trains and keeps models of its own."
            )
            _controls(settings, st, nested=True)
        return
    _controls(settings, st.sidebar, nested=False)


def _controls(settings: Settings, sb, nested: bool) -> None:
    sb.markdown(f"**{SECTIONS['setup']}**" if nested else f"### {SECTIONS['setup']}")
    for section in ("setup", "training", "recurrent"):
        if section == "setup":
            where = contextlib.nullcontext()
        elif nested:  # Streamlit does not nest expanders: a heading instead
            sb.markdown(f"**{SECTIONS[section]}**")
            where = contextlib.nullcontext()
        else:
            where = sb.expander(SECTIONS[section], expanded=section == "training")
        with where:
            for f in FIELDS:
                if f.section == section:
                    _widget(f, sb if section == "setup" or nested else st, settings)
