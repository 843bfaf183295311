"""The Compare page headless: it draws the shipped sweep and the measured table, races two tiny models
through the worker on a symbol task, refuses an empty race, and leaves the session's own model alone."""

import time

from appkit import go, new_app, session, text, wait_jobs


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


RACE_LINK = {
    "hidden": "8",
    "cmp_lstm": "false",
    "cmp_gru": "false",
    "cmp_cnn": "false",
    "cmp_gru_attention": "false",
    "cmp_task": "temporal_order",
    "cmp_len": "10",
    "cmp_budget": "100",
    "cmp_x": "seconds",
    "cmp_run": "true",
    "cmp_cell_arch": "gru",
    "cmp_cell_len": "20",
    "cmp_cell_seed": "2",
}


def test_a_compare_link_sets_the_choices_and_two_browsers_share_one_race():
    from rnnviz.runtime.jobs import JOBS

    made = JOBS.made
    at = go(new_app(query=RACE_LINK), "pages/6_Compare.py")
    ss = at.session_state
    assert ss["rv_cmp_models"] == ["rnn", "transformer"] and ss["rv_cmp_task"] == "temporal_order"
    assert (ss["rv_cmp_len"], ss["rv_cmp_budget"], ss["rv_cmp_x"]) == (10, 100, "seconds")
    assert (ss["rv_cmp_cell_arch"], ss["rv_cmp_cell_len"], ss["rv_cmp_cell_seed"]) == ("gru", 20, 2)
    wait_jobs(at)  # the link named a race that was run: the page asked the worker for it without a press
    race = ss["rv_race"]
    assert race.done and race.settings.hidden == 8 and [r.arch for r in race.racers] == ["rnn", "transformer"]
    assert {k: at.query_params[k] for k in RACE_LINK} == RACE_LINK
    table = next(t.value for t in at.table if "steps done" in t.value.columns)
    again = go(new_app(query=RACE_LINK), "pages/6_Compare.py")  # a second browser: the same race, not a second one
    assert again.session_state["rv_race"] is race and JOBS.made <= made + 1
    assert next(t.value for t in again.table if "steps done" in t.value.columns).equals(table)


def test_junk_in_a_compare_link_gets_one_note():
    at = go(new_app(query={"cmp_task": "chess", "cmp_len": "7", "cmp_rnn": "maybe", "cmp_budget": "300"}), "pages/6_Compare.py")
    assert len(at.warning) == 1, [w.value for w in at.warning]
    note = at.warning[0].value
    assert "cmp_task='chess'" in note and "cmp_len='7'" in note and "cmp_rnn='maybe'" in note and "cmp_budget=300" in note
    ss = at.session_state
    assert ss["rv_cmp_task"] == "adding" and ss["rv_cmp_len"] == 10 and ss["rv_cmp_budget"] == 250
    assert "rnn" in ss["rv_cmp_models"] and "rv_race" not in ss  # no race was asked for
