"""The Lessons page's parts: the picker, a lesson's text, live figure, set-up buttons, prompts and
question. The lessons themselves are data (rnnviz/lessons/lessons.toml)."""

from __future__ import annotations

import os
import threading

import streamlit as st

from ..lessons import Lesson, Setup, lesson_number, load
from ..lessons.figures import Shown, draw
from . import link, projector, run, sidebar

PICK = "rv_lesson"  # session key of the lesson shown
SHADOW = "rv_lesson_n"  # the same under a key of our own (a widget's key is dropped on a page switch)
GOTO = "rv_lesson_goto"  # set by a set-up button: the page to switch to on the next run
FROM = "rv_lesson_from"  # the lesson whose set-up button opened the current run
_FIGURES: dict = {}  # lesson number -> Shown, for the whole process (the builders are seeded)
_LOCK = threading.Lock()


def lessons() -> tuple[Lesson, ...]:
    return load()


def page_name(path: str) -> str:
    """The address Streamlit gives a page file: pages/3_Gates.py -> Gates."""
    name = os.path.splitext(os.path.basename(path))[0]
    return "" if path == "app.py" else name.split("_", 1)[1] if name.split("_", 1)[0].isdigit() else name


def follow_setup() -> None:
    """Call first on the Lessons page: after a set-up button, go to its page with its settings."""
    goto = st.session_state.pop(GOTO, None)
    if goto:
        path, query = goto
        st.switch_page(path, query_params=query)


def _setup(setup: Setup) -> None:
    """The set-up button's callback: a fresh model with the lesson's settings, then its page."""
    run.remember()  # a trained run stays restorable from its link
    sidebar.put(setup.settings)
    run.session().rebuild(setup.settings)
    st.session_state[GOTO] = (setup.page, {**setup.query(), **projector.link_extras()})
    st.session_state[FROM] = st.session_state.get(SHADOW, 1)


def current() -> Lesson:
    """The lesson to show: the picker's, or on a first visit the link's ``lesson=N``."""
    ls = lessons()
    ss = st.session_state
    if PICK not in ss and SHADOW in ss:  # back from another page: Streamlit forgot the picker's value
        ss[PICK] = ss[SHADOW]
    if PICK not in ss:
        n, note = lesson_number(st.query_params.get("lesson"), len(ls))
        ss[PICK] = n
        if note:
            st.warning(note, icon=":material/link:")
    return ls[ss[PICK] - 1]


def move(by: int) -> None:
    st.session_state[PICK] = min(max(1, st.session_state[PICK] + by), len(lessons()))


def picker() -> Lesson:
    ls = lessons()
    lesson = current()
    c1, c2, c3 = st.columns([5, 1, 1], vertical_alignment="bottom")
    c1.selectbox(
        "Lesson",
        [x.number for x in ls],
        key=PICK,
        format_func=lambda n: f"{n}. {ls[n - 1].title}",
        help="The lessons follow one another; each has a button that sets the app up for it.",
    )
    c2.button(
        "Previous", key="rv_lesson_prev", icon=":material/arrow_back:", disabled=lesson.number == 1, on_click=move, args=(-1,)
    )
    c3.button(
        "Next", key="rv_lesson_next", icon=":material/arrow_forward:", disabled=lesson.number == len(ls), on_click=move, args=(1,)
    )
    lesson = ls[st.session_state[PICK] - 1]
    st.session_state[SHADOW] = lesson.number
    st.query_params["lesson"] = str(lesson.number)
    return lesson


def figure(lesson: Lesson) -> Shown:
    with _LOCK:
        if lesson.number not in _FIGURES:
            with st.spinner("Building the lesson's model…"):
                _FIGURES[lesson.number] = draw(lesson)
        return _FIGURES[lesson.number]


def show_figure(lesson: Lesson) -> None:
    shown = figure(lesson)
    caption = shown.caption
    if shown.side_figure is not None:  # a small diagram, with the caption beside it; equations below at full width
        a, b = st.columns([2, 3], vertical_alignment="center")
        a.plotly_chart(shown.side_figure, key="lesson_side")
        b.caption(caption)
        caption = ""
    for line in shown.latex:
        st.latex(line)
    if shown.figure is not None:
        st.plotly_chart(shown.figure, key="lesson_fig")
    if shown.html:
        st.markdown(shown.html, unsafe_allow_html=True)
    if shown.table:
        st.dataframe(shown.table, hide_index=True)
    if caption:
        st.caption(caption)


def setups(lesson: Lesson) -> None:
    avail = lesson.available_setups
    if not avail:
        return
    st.markdown("#### Set it up")
    for i, s in enumerate(avail):
        st.button(
            s.label,
            key=f"rv_setup_{lesson.number}_{i}",
            type="primary" if i == 0 else "secondary",
            icon=":material/rocket_launch:",
            on_click=_setup,
            args=(s,),
            help=f"Starts a fresh, untrained model with these settings ({s.settings.describe()}) and opens "
            f"{page_name(s.page) or 'Home'}. A model you trained before stays available from its share link.",
        )
    main = avail[0]
    origin = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    url = link.share_url(main.settings, page_url=f"{origin}/{page_name(main.page)}")
    st.caption("The same setup as a link, to share or to bookmark:")
    st.code(url, language=None, wrap_lines=True)
    if projector.on():
        projector.qr_box(url)


def tries(lesson: Lesson) -> None:
    if not lesson.tries:
        return
    st.markdown("#### Try this")
    st.markdown("\n".join(f"{i}. {t.do}  \n   *Look for:* {t.look}" for i, t in enumerate(lesson.tries, 1)))


def question(lesson: Lesson) -> None:
    q = lesson.question
    st.markdown("#### Check yourself")
    choice = st.radio(q.ask, range(len(q.choices)), index=None, format_func=lambda i: q.choices[i], key=f"rv_q_{lesson.number}")
    if choice is None:
        return
    if q.check(choice):
        st.success(f"**Right.** {q.why}", icon=":material/check_circle:")
    else:
        right = q.choices[q.answer].rstrip(".")  # the sentence's own full stop comes after the quote
        st.error(f"**Not quite:** the answer is “{right}”. {q.why}", icon=":material/help:")


def back_link(title: str) -> None:
    """On a page a lesson's set-up button opened: a link back to that lesson (the sidebar may be folded)."""
    n = st.session_state.get(FROM)
    if n and title != "Lessons":
        ls = lessons()
        st.page_link(
            "pages/0_Lessons.py",
            label=f"Back to lesson {n}: {ls[n - 1].title}",
            icon=":material/arrow_back:",
            query_params={"lesson": str(n), **projector.link_extras()},
        )
