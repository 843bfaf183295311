"""The Translate page: both models translate a typed sentence, bad input is named and loses nothing,
the attention matrix and the accuracy figure are drawn, and training here replaces nothing shipped."""

from appkit import go, new_app, text

PAGE = "pages/9_Translate.py"


def metrics(at):
    return {m.label: m.value for m in at.metric}


def figure_titles(at):
    import json

    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_translate_page_types_a_sentence_and_recovers_from_bad_input():
    at = go(new_app(hidden=4, seq_len=12), PAGE)
    assert metrics(at) == {"With attention": "342", "Without attention": metrics(at)["Without attention"], "By the rules": "342"}
    titles = figure_titles(at)
    assert any("attention model looked" in t for t in titles) and any("by input length" in t for t in titles)
    at.text_input(key="tr_text").set_value("two thousand and five").run()
    assert metrics(at)["With attention"] == "2005" and metrics(at)["By the rules"] == "2005"
    at.text_input(key="tr_text").set_value("fourty two").run()
    assert not at.exception
    assert [str(e.value) for e in at.error] and "did you mean “forty”" in str(at.error[0].value)
    assert metrics(at)["With attention"] == "2005"  # the last good sentence is still translated
    assert at.text_input(key="tr_text").value == "fourty two"  # and what was typed stays in the box
    at.text_input(key="tr_text").set_value("").run()
    assert "Type a number" in str(at.error[0].value)
    at.button(key="tr_ex2").click().run()  # an example: a long held-out number
    assert at.text_input(key="tr_text").value == "nine hundred and fifteen thousand two hundred and thirty eight"
    assert metrics(at)["By the rules"] == "915238" and "Neither model saw this number" in text(at)
    at.text_input(key="tr_text").set_value("five five").run()  # known words, not by the rules
    assert not at.error and metrics(at)["By the rules"] == "—" and "no right answer" in text(at)


def test_translate_page_trains_both_models_here():
    at = go(new_app(hidden=4, seq_len=12), PAGE)
    at.select_slider(key="tr_steps").set_value(100).run()
    at.button(key="tr_train").click().run()
    assert not at.exception
    assert at.radio(key="tr_which").value == "mine"
    assert "trained here (100 steps each)" in at.radio(key="tr_which").options[1]
    assert any("Training loss" in t for t in figure_titles(at))
    assert "after 100 training steps each" in text(at)
    at.radio(key="tr_which").set_value("shipped").run()
    assert "after 100 training steps each" not in text(at) and not at.exception
