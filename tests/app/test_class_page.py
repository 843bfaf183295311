"""The Class page (AppTest, a SQLite board in a temporary file): a teacher starts a class, students join from
its link, their runs are posted in the background and drawn on the board; junk codes, keys and nicknames."""

import json
import time

import pytest
from appkit import go, new_app, text

from rnnviz.board import store as bs

PAGE = "pages/16_Class.py"


@pytest.fixture(autouse=True)
def board(tmp_path, monkeypatch):
    monkeypatch.setenv(bs.ENV, f"sqlite:///{tmp_path / 'board.sqlite'}")
    yield bs.store()


def start(at):
    at.button(key="rv_class_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["rv_class"], at.session_state["rv_class_key"]


def test_a_teacher_starts_a_class_and_gets_the_links_and_a_qr_code(board):
    at = go(new_app(), PAGE)
    assert "A whole class runs one experiment" in text(at)
    c, key = start(at)
    assert board.is_teacher(c, key)
    assert at.query_params["class"] == c and at.query_params["key"] == key  # the teacher's own address
    codes = [str(x.value) for x in at.code]
    assert any(x.endswith(f"/Class?class={c}") for x in codes)  # the students' link: no key
    assert any(x.endswith(f"/Class?class={c}&key={key}") for x in codes)
    assert at.get("image")  # the QR code
    assert "No runs yet" in text(at)
    go(at, "pages/1_Train.py")  # every link keeps class=CODE, and only the Class page keeps the key
    assert at.query_params["class"] == c and "key" not in at.query_params


def test_a_student_joins_from_the_link_with_a_plain_nickname_and_leaves(board):
    c, _ = board.start_class()
    at = go(new_app(query={"class": c.lower()}), PAGE)
    assert f"Join class {c}" in text(at)
    at.text_input(key="rv_class_nick_in").set_value("**Ada** <b>x</b> [y](http://e.vil)").run()
    at.button(key="rv_class_join").click().run()
    me = at.session_state["rv_class_student"]
    assert me.nickname == "**Ada** <b>x</b> [y](htt" and board.class_info(c).students == 1
    shown = [m.value for m in at.markdown if "You are" in m.value][0]
    assert r"\*\*Ada\*\* \<b\>x\</b\> \[y\]\(htt" in shown  # markdown shows it as typed
    assert "not a class code" not in text(at)
    at.button(key="rv_class_leave").click().run()
    assert at.session_state["rv_class"] is None and board.class_info(c).students == 0
    assert "class" not in at.query_params


def test_a_reload_keeps_a_student_in_the_class_as_the_same_student(board):
    """The student's own address bar holds their place (me=); the share box and QR code never do."""
    c, _ = board.start_class()
    at = go(new_app(query={"class": c}), PAGE)
    at.text_input(key="rv_class_nick_in").set_value("Ada").run()
    at.button(key="rv_class_join").click().run()
    me = at.session_state["rv_class_student"]
    assert at.query_params["me"] == me.id and at.query_params["class"] == c
    assert "after a reload you are still Ada" in text(at)
    go(at, "pages/1_Train.py")
    assert at.query_params["me"] == me.id
    assert not any("me=" in str(x.value) for x in at.code)  # the share box: the run's link, not the student's place
    again = go(new_app(query={"class": c, "me": me.id}), PAGE)  # the reload: a new browser session
    assert again.session_state["rv_class_student"] == me and board.class_info(c).students == 1
    assert "You are **Ada** in class" in text(again)
    junk = go(new_app(query={"class": c, "me": "0" * 32}), PAGE)  # not a student of this class: one note
    assert "rv_class_student" not in junk.session_state
    assert [w.value for w in junk.warning if "student place is not in class" in w.value]
    assert f"Join class {c}" in text(junk)


@pytest.mark.parametrize(
    "query, note",
    [
        ({"class": "12<b>"}, "is not a class code (six letters); ignored"),
        ({"class": "ZZZZZZ"}, "There is no class ZZZZZZ"),
    ],
)
def test_a_junk_or_unknown_class_code_gets_one_note_and_the_page_works(query, note):
    at = go(new_app(query=query), PAGE)
    notes = [w.value for w in at.warning]
    assert len([n for n in notes if note in n]) == 1, notes
    assert "class" not in at.query_params and "A whole class runs one experiment" in text(at)


def test_a_wrong_teacher_key_is_dropped_with_a_note(board):
    c, _ = board.start_class()
    at = go(new_app(query={"class": c, "key": "guessed"}), PAGE)
    assert any("teacher key does not open its class" in w.value for w in at.warning)
    assert "rv_class_close" not in [b.key for b in at.button]  # no teacher's controls
    assert f"Join class {c}" in text(at) and "key" not in at.query_params


def test_a_students_run_is_posted_in_the_background_and_drawn_on_the_board(board):
    from rnnviz.ui import classroom

    c, key = board.start_class()
    at = go(new_app(query={"class": c, "arch": "gru", "hidden": "8", "seq_len": "10", "seed": "3"}), PAGE)
    at.text_input(key="rv_class_nick_in").set_value("Ada").run()
    at.button(key="rv_class_join").click().run()
    go(at, "pages/1_Train.py")
    at.button(key="rv_step").click().run()  # one chunk, trained here
    session = at.session_state["rv_session"]
    assert session.trainer.step > 0
    poster = classroom.POSTER
    assert poster.tick() == 1 and poster.tick() == 0  # nothing new: nothing posted
    (r,) = board.runs(c)
    assert (r.nickname, r.arch, r.seed, r.seq_len, r.hidden, r.step) == ("Ada", "gru", 3, 10, 8, session.trainer.step)
    assert r.link.startswith("Train?") and f"step={r.step}" in r.link and "seed=3" in r.link
    assert list(r.curve_step) == list(session.trainer.history.heldout_step)
    teacher = go(new_app(query={"class": c, "key": key}), PAGE)
    words = text(teacher)
    assert "No runs yet" not in words
    titles = [json.loads(ch.proto.spec)["layout"]["title"]["text"] for ch in teacher.get("plotly_chart")]
    assert any("Held-out loss of every run" in t for t in titles) and any("Steps to solve" in t for t in titles)
    table = teacher.dataframe[1].value
    assert list(table["student"]) == ["Ada"] and table["open"][0].endswith(f"&class={c}")
    board.close_class(c, key)  # a closed class takes no more posts: posting stops quietly
    at.button(key="rv_step").click().run()
    assert poster.tick(now=time.monotonic() + 10) == 0  # its next post is due, and refused
    go(at, PAGE)
    assert "Your runs are no longer posted" in text(at) and "closed by its teacher" in text(at)


def test_each_model_of_a_students_race_is_posted_with_a_link_to_the_race(board):
    from rnnviz.ui import classroom

    c, _ = board.start_class()
    at = go(new_app(query={"class": c, "hidden": "8", "seed": "5"}), PAGE)
    at.button(key="rv_class_join").click().run()  # no nickname: "Student 1"
    go(at, "pages/6_Compare.py")
    at.multiselect(key="rv_cmp_models").set_value(["lstm", "cnn"]).run()
    at.select_slider(key="rv_cmp_len").set_value(10).run()
    at.select_slider(key="rv_cmp_budget").set_value(100).run()
    at.button(key="rv_cmp_start").click().run()
    assert not at.exception
    from rnnviz.ui import compare as ui_cmp

    race = at.session_state[ui_cmp.RACE_KEY]
    end = time.monotonic() + 120
    while not all(r.trainer.step > 0 for r in race.racers) and time.monotonic() < end:
        race.touch()
        time.sleep(0.2)
    classroom.POSTER.tick(now=time.monotonic() + 100)
    runs = {r.arch: r for r in board.runs(c)}
    assert set(runs) == {"lstm", "cnn"} and {r.nickname for r in runs.values()} == {"Student 1"}
    assert all(r.kind == "race" and r.seed == 5 and r.seq_len == 10 and r.hidden == 8 for r in runs.values())
    link = runs["cnn"].link
    assert link.startswith("Compare?") and "cmp_run=true" in link and "cmp_len=10" in link and "cmp_budget=100" in link
    assert "cmp_rnn=false" in link and "cmp_lstm=false" not in link


def test_a_failed_post_is_tried_again_later_and_never_stops_the_posting(board, monkeypatch):
    import sqlalchemy.exc

    from rnnviz.runtime.session import TrainingSession
    from rnnviz.settings import Settings
    from rnnviz.ui.classroom import Poster

    c, _ = board.start_class()
    me = board.join(c, "Ada")
    s = TrainingSession.new(Settings(arch="gru", hidden=8, seq_len=10))
    s.trainer.run(n_steps=60)
    p = Poster(post_seconds=0, thread=False)
    p.watch(s, c, me.id)
    p.trained(s, s.trainer, me.id)
    real, calls = bs.Store.post, []

    def away_once(self, *args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("the database is away"))
        return real(self, *args, **kw)

    monkeypatch.setattr(bs.Store, "post", away_once)
    t0 = time.monotonic()
    assert p.tick(now=t0) == 0 and board.runs(c) == []
    assert p.tick(now=t0 + 0.5) == 0 and len(calls) == 1  # it waits a little before trying again
    assert p.tick(now=t0 + 5) == 1 and [r.step for r in board.runs(c)] == [60]
    assert p.status(s, me.id) == ""  # nothing to tell the student
    s.trainer.run(n_steps=10)
    assert p.tick(now=t0 + 10) == 1 and [r.step for r in board.runs(c)] == [70]  # the same run, updated
