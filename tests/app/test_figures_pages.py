"""Issue 14 on the pages: earlier runs on the Train charts, the take-home script, marks, the words that
carry the lesson, and a CSV button beside the main figures."""

import json

from appkit import go, new_app, session, text

from rnnviz.runtime.session import Status

TINY = {"hidden": 4, "seq_len": 12}


def charts(at) -> str:
    return " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart"))


def test_train_page_keeps_earlier_runs_and_offers_the_script():
    at = go(new_app(**TINY), "pages/1_Train.py")
    code = [c.value for c in at.code if "import torch" in c.value]
    assert code and "torch.optim.Adam" in code[0] and "import rnnviz" not in code[0]
    assert "Download the script (train_rnn.py)" in [b.proto.label for b in at.get("download_button")]
    at.button(key="rv_step").click().run()
    at.button(key="rv_reset").click().run()
    assert not at.exception and len(session(at).past) == 1
    assert "earlier run: same settings" in charts(at) and "Earlier runs on the charts" in text(at)
    at.button(key="tr_clear_past").click().run()
    assert session(at).past == () and "earlier run" not in charts(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Data (CSV)") >= 2  # beside the loss chart and the metric or gradient chart
    png = json.loads(at.get("plotly_chart")[0].proto.config)["toImageButtonOptions"]  # the toolbar's camera button
    assert png == {"format": "png", "filename": "rnnviz-training-loss", "scale": 2}


def test_hidden_states_marks_the_two_numbers_and_picks_a_unit():
    at = go(new_app(**TINY), "pages/2_Hidden_states.py")
    assert "★" in charts(at) and "the two marked numbers" in charts(at)
    assert "Data (CSV)" in [b.proto.label for b in at.get("download_button")]
    at = go(new_app(**TINY, task="first_symbol"), "pages/2_Hidden_states.py")
    assert "Showing unit" in text(at) and "varies the most" in text(at)


def test_gradients_and_unrolled_pages_say_the_lesson_in_words():
    at = go(new_app(**TINY, arch="rnn"), "pages/5_Gradients.py")
    words = text(at)
    assert "Clipping cures explosion, not vanishing" in words and "a singular value of a matrix" in words
    at = go(new_app(**TINY), "pages/4_Unrolled.py")
    at.radio(key="u_mode").set_value("backward").run()
    assert "the sum of these gradients over all steps" in text(at)
    assert "★" in charts(at)


def test_gates_page_draws_the_gru_cell_with_its_numbers():
    at = go(new_app(**TINY, arch="gru"), "pages/3_Gates.py")
    assert "Inside the GRU cell" in charts(at) and "(1 − z)·n + z·h_(t−1)" in charts(at)


def test_a_run_that_spends_its_budget_at_chance_says_not_solved():
    at = go(new_app(arch="rnn", hidden=4, seq_len=50, rv_cap_w=500), "pages/1_Train.py")
    s = session(at)
    s.trainer.run(n_steps=500)  # as the worker would, in one go
    s.status = Status.PAUSED
    s.set_cap_size(500)
    assert s.status is Status.AT_CAP
    at.run()
    words = text(at)
    assert "**Not solved**" in words and "still at the chance line" in words, words[:600]
