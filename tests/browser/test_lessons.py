"""The lessons in a real browser, in order, as a class would take them: each opens from its link with
its figure, its check-yourself question answers, and its set-up button lands on the right page with
the lesson's settings in the address bar and a drawn figure."""

from urllib.parse import parse_qs, urlparse

from rnnviz.lessons import load
from rnnviz.ui.lesson import page_name


def test_walk_every_lesson_in_order(app):
    lessons = load()
    assert len(lessons) >= 11
    for lesson in lessons:
        app.open("Lessons", f"lesson={lesson.number}")
        assert not app.exceptions(), (lesson.number, app.exceptions())
        body = app.page.inner_text("body")
        assert f"{lesson.number}. {lesson.title}" in body, lesson.number
        q = lesson.question
        radio = app.page.locator("[data-testid='stRadio']").filter(has_text=q.ask[:40]).first
        radio.get_by_text(q.choices[q.answer], exact=True).click()
        app.settle()
        assert "Right." in app.page.inner_text("body"), (lesson.number, q.ask)
        setups = lesson.available_setups
        assert setups, f"lesson {lesson.number} has no set-up button"
        s = setups[0]
        app.page.get_by_role("button", name=s.label).first.click()
        app.settle()
        assert not app.exceptions(), (lesson.number, s.label, app.exceptions())
        url = urlparse(app.page.url)
        want = page_name(s.page)
        assert url.path.rstrip("/").endswith("/" + want) or (not want and url.path in ("", "/")), (lesson.number, app.page.url)
        got = {k: v[0] for k, v in parse_qs(url.query).items()}
        if want in ("Train", "Hidden_states", "Gates", "Unrolled", "Gradients"):  # the explorer carries them
            assert {k: got.get(k) for k in s.query()} == s.query(), (lesson.number, app.page.url)
            assert got.get("step") in (None, "0")
        assert app.figures(), (lesson.number, app.page.url)
        assert f"Back to lesson {lesson.number}" in app.page.inner_text("body")
    app.shot("lessons_last_setup")
