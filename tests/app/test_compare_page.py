"""The Compare page headless: it draws the shipped sweep and the measured table, races two tiny models
through the worker on a symbol task, refuses an empty race, and leaves the session's own model alone."""

import time

from appkit import go, new_app, session, text


def test_compare_page_races_and_shows_the_sweep():
    at = go(new_app(query={"hidden": "8"}), "pages/6_Compare.py")
    body = text(at)
    assert "No race yet" in body and "python -m rnnviz compare" in " ".join(c.value for c in at.code)
    claims = next(t.value for t in at.table if "we measured" in t.value.columns)
    assert len(claims) == 12 and claims["we measured"].str.len().min() > 5
    assert not any("measured now" in v for v in claims["the run behind it"])
    at.button(key="rv_cmp_time").click().run()  # time a few steps of each model at T=200 (hidden 8 here)
    claims = next(t.value for t in at.table if "we measured" in t.value.columns)
    timed = claims[claims["feature"] == "Parallel processing"]
    assert timed["the run behind it"].str.contains("measured now").all() and timed["we measured"].str.contains("ms per").all()
    before = session(at).trainer.step

    at.multiselect(key="rv_cmp_models").set_value([]).run()
    at.button(key="rv_cmp_start").click().run()
    assert any("Cannot start" in e.value for e in at.error)
    assert "rv_race" not in at.session_state

    at.multiselect(key="rv_cmp_models").set_value(["rnn", "transformer"]).run()
    at.selectbox(key="rv_cmp_task").set_value("temporal_order").run()
    at.select_slider(key="rv_cmp_len").set_value(10).run()
    at.select_slider(key="rv_cmp_budget").set_value(100).run()
    at.button(key="rv_cmp_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    race = at.session_state["rv_race"]
    assert race.settings.task == "temporal_order" and race.settings.seq_len == 10 and race.settings.hidden == 8
    end = time.time() + 60
    while not race.done and time.time() < end:
        time.sleep(0.2)
    assert race.done
    at.run()
    assert not at.exception
    table = next(t.value for t in at.table if "steps done" in t.value.columns)
    assert list(table.index) == ["vanilla RNN", "Transformer"]
    assert (table["steps done"] != "–").all() and (table["parameters"] != "–").all()
    assert session(at).trainer.step == before  # the Train page's model was not touched
