"""The lessons table: every lesson complete, its settings legal, its pages real or planned, its
question answerable; bad tables are refused with the lesson named."""

import os

import pytest

from rnnviz.errors import ConfigError
from rnnviz.lessons import PLANNED_PAGES, ROOT, lesson_number, load
from rnnviz.lessons.figures import FIGURES
from rnnviz.settings import parse
from rnnviz.ui.sidebar import PAGES

LESSONS = load()
IDEAS = ["sequence", "loop", "unroll", "shape", "through time", "vanishing", "lstm", "gru", "transformer", "used for", "today"]


def test_one_lesson_per_idea_in_order():
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(IDEAS) + 1))
    for lesson, idea in zip(LESSONS, IDEAS):
        assert idea in lesson.title.lower(), (lesson.title, idea)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: str(x.number))
def test_lesson_is_complete_and_legal(lesson):
    assert len(lesson.text) > 200 and lesson.idea and lesson.tries
    assert lesson.figure in FIGURES
    pages = {p for p, *_ in PAGES}
    for s in lesson.setups:
        assert parse(s.query(), strict=True)[0] == s.settings  # the link reproduces the settings exactly
        assert s.page in pages or s.page in PLANNED_PAGES, s.page
        assert s.available == os.path.exists(os.path.join(ROOT, s.page))
    assert lesson.available_setups, "every lesson has a button that works today"
    q = lesson.question
    assert len(q.choices) >= 3 and len(set(q.choices)) == len(q.choices)
    assert [q.check(i) for i in range(len(q.choices))].count(True) == 1
    assert len(q.why) > 40


def test_four_shapes_lesson_has_a_live_task_per_shape():
    shapes = load()[3]
    from rnnviz.tasks import TASKS

    assert {TASKS[s.settings.task].shape for s in shapes.setups} == {"many-to-one", "many-to-many", "one-to-many"}


BAD = """
[[lesson]]
title = "t"
idea = "i"
text = "x"
figure = "shapes"
[[lesson.setups]]
label = "go"
page = "pages/1_Train.py"
settings = SETTINGS
[lesson.question]
ask = "?"
choices = ["a", "b"]
answer = ANSWER
why = "because"
"""


@pytest.mark.parametrize(
    "settings, answer, message",
    [
        ('{ arch = "lstm" }', 5, "one right answer"),
        ('{ arch = "cnn" }', 0, "arch='cnn'"),
        ("{ seq_len = 999 }", 0, "out of range"),
        ('{ colour = "red" }', 0, "unknown setting"),
    ],
)
def test_a_bad_table_is_refused(tmp_path, settings, answer, message):
    p = tmp_path / "bad.toml"
    p.write_text(BAD.replace("SETTINGS", settings).replace("ANSWER", str(answer)))
    with pytest.raises(ConfigError, match=message):
        load(str(p))


def test_lesson_number_from_a_link():
    assert lesson_number("3", 11) == (3, "")
    assert lesson_number(None, 11) == (1, "")
    for junk in ("0", "12", "abc", "2.5"):
        n, note = lesson_number(junk, 11)
        assert n == 1 and "not a lesson number from 1 to 11" in note
