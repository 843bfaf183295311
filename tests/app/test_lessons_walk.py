"""Walk the lessons as a student would: every lesson opens from its link with its figure, its
question answers with an explanation, and every set-up button whose page exists lands on that page
with the lesson's settings and a drawn figure. Projector mode is kept in the link."""

import pytest
from appkit import go, new_app, session, text

from rnnviz.lessons import load

LESSONS = load()
SETUPS = [(lesson, i, s) for lesson in LESSONS for i, s in enumerate(lesson.available_setups)]
TITLES = {  # what each page's title says
    "pages/1_Train.py": "Train",
    "pages/2_Hidden_states.py": "Hidden states",
    "pages/3_Gates.py": "Gates",
    "pages/4_Unrolled.py": "The loop, unrolled through time",
    "pages/5_Gradients.py": "Gradients through time",
    "pages/6_Compare.py": "Compare: six models race on one task",
    "pages/7_Speed.py": "Speed and memory",
    "pages/8_Text.py": "Text: a network that reads and writes one character at a time",
    "pages/10_Forecast.py": "Forecast a real time series",
    "pages/11_Music.py": "Music: an RNN that writes folk tunes",
    "pages/12_Recognise.py": "Recognise: speech, motion and video, recorded",
    "pages/14_Digits.py": "Digits: pictures in, words out",
    "pages/15_Chat.py": "Chat: a network that answers in words",
}
EXPLORER = {"pages/1_Train.py", "pages/2_Hidden_states.py", "pages/3_Gates.py", "pages/4_Unrolled.py", "pages/5_Gradients.py"}


def open_lesson(n, **query):
    return go(new_app({"lesson": str(n), **query}), "pages/0_Lessons.py")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: str(x.number))
def test_lesson_opens_from_its_link_and_its_question_answers(lesson):
    at = open_lesson(lesson.number)
    assert any(lesson.title in str(m.value) for m in at.markdown)
    assert at.get("plotly_chart") or any("<span" in str(m.value) for m in at.markdown)  # the live figure
    q = lesson.question
    wrong = next(i for i in range(len(q.choices)) if i != q.answer)
    at.radio(key=f"rv_q_{lesson.number}").set_value(wrong).run()
    err = str(at.error[0].value) if at.error else ""
    assert "Not quite" in err and f"“{q.choices[q.answer].rstrip('.')}”." in err and ".”." not in err
    at.radio(key=f"rv_q_{lesson.number}").set_value(q.answer).run()
    assert at.success and q.why in str(at.success[0].value)


@pytest.mark.parametrize("lesson, i, setup", SETUPS, ids=[f"{x.number}-{i}" for x, i, _ in SETUPS])
def test_setup_button_lands_on_its_page_with_its_settings(lesson, i, setup):
    if setup.page not in TITLES:
        pytest.skip(f"{setup.page} has no title known to this test")
    at = open_lesson(lesson.number, present="1")
    at.button(key=f"rv_setup_{lesson.number}_{i}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[setup.page]
    assert session(at).settings == setup.settings and session(at).trainer.step == 0
    assert at.get("plotly_chart") or (setup.settings.arch == "rnn" and "Gates" in setup.page)
    assert at.query_params["present"] == "1"  # projector mode goes along
    if setup.page in EXPLORER:  # the applications keep models of their own
        assert "untrained" in text(at)
    back = [e for e in at.get("page_link") if "Back to lesson" in e.proto.label]
    assert back and f"lesson {lesson.number}:" in back[0].proto.label


def test_junk_lesson_number_is_explained_and_next_moves_on():
    at = open_lesson("abc")
    assert any("not a lesson number" in str(w.value) for w in at.warning)
    assert any(LESSONS[0].title in str(m.value) for m in at.markdown)
    at.button(key="rv_lesson_next").click().run()
    assert any(LESSONS[1].title in str(m.value) for m in at.markdown) and at.query_params["lesson"] == "2"


def test_projector_mode_from_the_link_shows_a_qr_code_and_stays_in_the_link():
    at = go(new_app({"present": "1", "arch": "gru"}), "pages/3_Gates.py")
    assert at.session_state["present"] is True
    assert at.query_params["present"] == "1" and at.query_params["arch"] == "gru"
    assert any("QR code" in e.label for e in at.expander)
    at2 = go(new_app({"arch": "gru"}), "pages/3_Gates.py")
    assert at2.session_state["present"] is False and "present" not in at2.query_params
    assert not any("QR code" in e.label for e in at2.expander)
