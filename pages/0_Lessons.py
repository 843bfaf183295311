"""Lessons: the topic one idea at a time, each with a live figure, a set-up button and a question."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.ui import lesson as ui_lesson

ui_lesson.follow_setup()
ctx = ui.page("Lessons", "🎓")
st.title("Lessons")
lesson = ui_lesson.picker()
st.markdown(f"## {lesson.number}. {lesson.title}")
st.markdown(f"**{lesson.idea}**")
st.markdown(lesson.text)
ui_lesson.show_figure(lesson)
ui_lesson.setups(lesson)
ui_lesson.tries(lesson)
ui_lesson.question(lesson)
st.divider()
if lesson.number < len(ui_lesson.lessons()):
    st.button(
        f"Next lesson: {ui_lesson.lessons()[lesson.number].title}",
        key="rv_lesson_next_bottom",
        icon=":material/arrow_forward:",
        on_click=ui_lesson.move,
        args=(1,),
    )
else:
    st.markdown("That was the last lesson. The pages in the sidebar are yours to explore.")
