"""The Recognise page: real recordings drawn, the shipped baselines in the table, the networks trained as a
job of the shared worker and scored on the test split, every choice in the link, junk with one note."""

from appkit import go, new_app, text, wait_jobs

PAGE = "pages/12_Recognise.py"


def charts(at) -> list[str]:
    import json

    return [json.loads(c.proto.spec).get("layout", {}).get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_the_page_draws_the_recordings_and_the_shipped_baselines_before_any_training():
    at = go(new_app(), PAGE)
    words = text(at)
    assert "standing, walking, running or playing badminton" in words and "40" in words
    assert any("smartwatch" in t for t in charts(at))
    table = at.dataframe[0].value
    assert set(table["model"]) == {"1-NN DTW", "MiniRocket"}  # the shipped baselines, before any network
    assert (table["accuracy"] >= 90).all()  # 1-NN DTW 90%, MiniRocket 100% on the 40 test recordings
    assert "How early does it know" in " ".join(charts(at))
    at.selectbox(key="rc_data").set_value("japanese_vowels").run()
    assert not at.exception
    assert "which of the nine is speaking" in text(at) and at.query_params["rc_data"] == "japanese_vowels"
    assert any("12 numbers per frame" in t for t in charts(at))


def test_training_scores_each_network_and_the_link_brings_the_same_networks_back():
    at = go(new_app(query={"rc_data": "italy_power", "rc_lstm": "false", "rc_rnn": "false", "rc_units": "8"}), PAGE)
    assert at.checkbox(key="rc_net_gru").value and not at.checkbox(key="rc_net_lstm").value
    at.select_slider(key="rc_steps").set_value(100).run()
    at.button(key="rc_train").click().run()
    assert not at.exception and at.get("progress")  # it trains in the worker; the page follows
    assert at.query_params["rc_run"] == "true"
    wait_jobs(at)
    table = at.dataframe[0].value
    assert "GRU" in set(table["model"]) and len(table) == 3
    gru = float(table[table["model"] == "GRU"]["accuracy"].iloc[0])
    words = text(at)
    assert "Best network: **GRU**" in words and ("won" in words or "tie" in words)
    assert "answer settles" in " ".join(charts(at)) or any("would answer" in t for t in charts(at))
    assert any("Where the GRU goes wrong" in t for t in charts(at)) and any("hidden state" in t for t in charts(at))
    link = dict(at.query_params)
    other = go(new_app(query=link), PAGE)  # a new browser session from the link: the same networks, from the board
    wait_jobs(other)
    t2 = other.dataframe[0].value
    assert float(t2[t2["model"] == "GRU"]["accuracy"].iloc[0]) == gru


def test_junk_in_the_link_gets_one_note_and_sane_choices():
    at = go(new_app(query={"rc_data": "mnist", "rc_steps": "77777", "rc_example": "-4", "rc_model": "tcn"}), PAGE)
    notes = " ".join(w.value for w in at.warning)
    assert "rc_data" in notes and "rc_steps" in notes
    assert at.selectbox(key="rc_data").value == "basic_motions" and at.select_slider(key="rc_steps").value == 1500
