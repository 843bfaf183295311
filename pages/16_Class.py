"""Class: a whole class runs one experiment; the board shows every student's run (rnnviz/ui/classroom.py)."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.ui import classroom

ctx = ui.page("Class", "👥", explorer=False, app="class")
st.title("Class")
classroom.page_body(ctx.session)
