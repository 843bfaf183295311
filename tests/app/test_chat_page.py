"""The Chat page: the data's source and counts before training, a tiny network trained as a job of the shared
worker and scored against retrieval, a reply with its attention figure, odd messages with one note and nothing
lost, every choice in the link, junk with one note."""

import json

from appkit import go, new_app, text, wait_jobs

from rnnviz.settings import PAGE_FIELDS

PAGE = "pages/15_Chat.py"


def scores(at):
    """The scores table (the page's dataframe with a method column)."""
    return next(d.value for d in at.dataframe if "method" in d.value.columns)


def charts(at) -> list[str]:
    return [json.loads(c.proto.spec).get("layout", {}).get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_the_link_table_matches_the_pages_widgets():
    from rnnviz.language.chat import MAX_MESSAGE_CHARS
    from rnnviz.ui import chat as uc

    f = {x.name: x for x in PAGE_FIELDS["chat"]}
    assert f["ch_steps"].options == uc.STEPS and f["ch_steps"].default == uc.START["ch_steps"]
    assert f["ch_units"].options == uc.UNITS and f["ch_units"].default == uc.START["ch_hidden"]
    assert f["ch_msg"].default == uc.START["ch_msg"] and f["ch_msg"].hi == MAX_MESSAGE_CHARS


def test_the_page_shows_the_data_and_its_terms_before_training():
    at = go(new_app(), PAGE)
    assert at.title[0].value == "Chat: a network that answers in words"
    words = text(at)
    assert "chatterbot-corpus" in words and "BSD 3-Clause" in words and "held out" in words
    assert "No network yet" in words and "Train the network first" in words and not at.get("progress")


def test_a_tiny_network_trains_replies_with_attention_and_the_link_brings_it_back():
    at = go(new_app(query={"ch_units": "16", "ch_seed": "2"}), PAGE)
    assert at.selectbox(key="ch_hidden").value == 16
    at.select_slider(key="ch_steps").set_value(100).run()
    at.button(key="ch_train").click().run()
    assert not at.exception and at.query_params["ch_run"] == "true"
    wait_jobs(at)
    table = scores(at)
    assert list(table["method"]) == ["network", "retrieval", "network", "retrieval"]
    assert float(table["f1"].iloc[3]) == 1.0  # retrieval on training questions finds the question itself
    assert "held-out questions" in text(at) and "Replies against the true answers" in " ".join(charts(at))
    at.button(key="ch_ex2").click().run()  # an example message
    assert not at.exception and at.text_input(key="ch_msg").value == "tell me a joke"
    assert any("Where the network looked" in t for t in charts(at))
    bubbles = [m for m in at.get("chat_message")]
    assert len(bubbles) == 2  # the message and the reply
    assert at.query_params["ch_msg"] == "tell me a joke"
    at.text_input(key="ch_msg").set_value("?!?").run()  # no words: one note, the last reply stays
    assert len(at.error) == 1 and "No words" in at.error[0].value
    assert "tell me a joke" in text(at) and any("Where the network looked" in t for t in charts(at))
    at.text_input(key="ch_msg").set_value("qwzx hello").run()  # one unknown word: a note, and a reply
    assert not at.error and len(at.warning) == 1 and "qwzx" in at.warning[0].value
    spec = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Where the network" in json.dumps(json.loads(c.proto.spec))
    )
    assert spec["layout"]["xaxis"]["ticktext"] == ["qwzx (unknown)", "hello"]  # message words across
    f1 = float(table["f1"].iloc[0])
    other = go(new_app(query=dict(at.query_params)), PAGE)  # a new browser from the link: the same network, from the board
    wait_jobs(other)
    assert other.select_slider(key="ch_steps").value == 100 and other.selectbox(key="ch_hidden").value == 16
    assert other.number_input(key="ch_seed").value == 2 and other.text_input(key="ch_msg").value == "qwzx hello"
    assert float(scores(other)["f1"].iloc[0]) == f1


def test_junk_in_the_link_gets_one_note_and_sane_choices():
    at = go(new_app(query={"ch_steps": "77777", "ch_units": "banana", "ch_seed": "-4", "ch_run": "maybe"}), PAGE)
    assert len(at.warning) == 1
    note = at.warning[0].value
    assert "ch_steps" in note and "ch_units" in note and "ch_seed" in note and "ch_run" in note
    assert at.select_slider(key="ch_steps").value == 3000 and at.number_input(key="ch_seed").value == 0
