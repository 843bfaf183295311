"""The Translate page: both models translate a typed sentence, bad input is named and loses nothing,
the attention matrix and the accuracy figure are drawn; the Train button hands both models to the
shared worker (the page only reads), and every choice is in the link: a link opened in a fresh session
shows the same page, and junk in it gets one note."""

from appkit import go, new_app, text, wait_jobs

from rnnviz.runtime.jobs import JOBS

PAGE = "pages/9_Translate.py"
TINY = {"tr_steps": 100, "tr_hidden": 8}  # the smallest models the page offers


def metrics(at):
    return {m.label: m.value for m in at.metric}


def figure_titles(at):
    import json

    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def link(at):
    return {k: at.query_params[k] for k in at.query_params if k.startswith("tr_")}


def test_translate_page_types_a_sentence_and_recovers_from_bad_input():
    at = go(new_app(hidden=4, seq_len=12), PAGE)
    assert metrics(at) == {"With attention": "342", "Without attention": metrics(at)["Without attention"], "By the rules": "342"}
    titles = figure_titles(at)
    assert any("attention model looked" in t for t in titles) and any("by input length" in t for t in titles)
    assert "Nothing has been trained in this browser session yet" in text(at)  # a new session says so
    at.text_input(key="tr_text").set_value("two thousand and five").run()
    assert metrics(at)["With attention"] == "2005" and metrics(at)["By the rules"] == "2005"
    assert link(at) == {"tr_text": "two thousand and five"}  # the typed sentence is in the address bar
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


def test_translate_page_trains_both_models_on_the_worker_and_its_link_brings_them_back():
    at = go(new_app(**TINY, tr_seed=11), PAGE)
    made = JOBS.made
    at.button(key="tr_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert JOBS.made == made + 1  # handed to the worker: the press does not train
    assert link(at)["tr_run"] == "true"
    wait_jobs(at)
    assert at.radio(key="tr_which").value == "mine"  # the models trained here, once they are
    assert "trained here (100 steps each, 8 units, seed 11)" in at.radio(key="tr_which").options[1]
    assert any("Training loss" in t for t in figure_titles(at))
    assert "after 100 training steps each" in text(at) and "Trained here: 100 steps each, 8 units" in text(at)
    at.text_input(key="tr_text").set_value("two thousand and five").run()
    shown = metrics(at)
    q = link(at)
    assert q == {
        "tr_text": "two thousand and five",
        "tr_which": "mine",
        "tr_steps": "100",
        "tr_units": "8",
        "tr_seed": "11",
        "tr_run": "true",
    }

    again = go(new_app(query=q), PAGE)  # the share link in a fresh browser session
    ss = again.session_state
    assert (ss["tr_text"], ss["tr_which"], ss["tr_steps"], ss["tr_hidden"], ss["tr_seed"]) == (
        "two thousand and five",
        "mine",
        100,
        8,
        11,
    )
    wait_jobs(again)
    assert JOBS.made == made + 1  # the same models, from the same job (single flight), not trained twice
    assert again.radio(key="tr_which").value == "mine" and metrics(again) == shown
    assert link(again) == q and not again.warning

    at.radio(key="tr_which").set_value("shipped").run()
    assert "after 100 training steps each" not in text(at) and not at.exception
    assert "tr_which" not in link(at)
    at.select_slider(key="tr_steps").set_value(200).run()  # another choice: the trained models stay, and say so
    assert "changed since these models were trained" in text(at) and "tr_run" not in link(at)


def test_junk_in_a_translate_link_gets_one_note_and_legal_values():
    junk = {"tr_steps": "250", "tr_units": "7", "tr_seed": "-3", "tr_which": "theirs", "tr_run": "maybe", "tr_text": "x" * 400}
    made = JOBS.made
    at = go(new_app(query=junk), PAGE)
    assert len(at.warning) == 1  # one note, a line for each junk value
    note = at.warning[0].value
    assert all(k in note for k in junk) and "adjusted" in note
    ss = at.session_state
    assert (ss["tr_steps"], ss["tr_hidden"], ss["tr_seed"], ss["tr_which"]) == (200, 8, 0, "shipped")
    assert ss["tr_text"] == "x" * 300 and "unknown" in at.error[0].value  # cut to the box's length, then named
    assert JOBS.made == made and "Nothing has been trained" in text(at)  # no trained models were asked for


def test_translate_page_shows_digits_by_default_with_a_choice_of_target():
    at = go(new_app(), PAGE)
    assert at.radio(key="tr_target").value == "digits" and "tr_target" not in link(at)
    assert metrics(at)["By the rules"] == "342" and "num2words" not in text(at)


def test_choosing_german_asks_for_training_then_shows_german_words(monkeypatch):
    from rnnviz.language import translate as tr

    monkeypatch.setattr(tr, "has_shipped", lambda target: target == "digits")  # as if no German models were shipped
    monkeypatch.setattr(tr, "DE_BATCH", 16)  # the page's German batches (tiny here: the test must be quick)
    monkeypatch.setattr(tr, "PAGE_TEST_SIZE", 100)
    at = go(new_app(**TINY, tr_seed=5), PAGE)
    at.radio(key="tr_target").set_value("de").run()
    assert not at.exception, [e.value for e in at.exception]
    assert link(at)["tr_target"] == "de" and "num2words" in text(at) and "LGPL" in text(at)
    assert "no German models yet" in text(at) and not metrics(at)
    at.button(key="tr_train").click().run()
    wait_jobs(at)
    m = metrics(at)
    assert m["By the rules"] == "dreihundertzweiundvierzig"  # three hundred and forty two, in German
    assert m["With attention"] and not m["With attention"].isdigit()
    assert "seven-and-ninety" in text(at) and "The crossing" in text(at)
    titles = figure_titles(at)
    assert any("attention model looked" in t for t in titles) and any("by input length" in t for t in titles)
    assert link(at)["tr_run"] == "true" and link(at)["tr_target"] == "de"
    at.radio(key="tr_target").set_value("digits").run()  # back to the digits: the shipped models, as before
    assert metrics(at)["By the rules"] == "342" and metrics(at)["With attention"] == "342"


def test_the_shipped_german_models_translate_ninety_seven_and_show_the_crossing():
    from rnnviz.language import translate as tr

    if not tr.has_shipped("de"):
        return
    at = go(new_app(query={"tr_target": "de", "tr_text": "ninety seven"}), PAGE)
    assert not at.exception and not at.warning
    m = metrics(at)
    assert m["By the rules"] == m["With attention"] == "siebenundneunzig"
    assert "*sieben* → *seven* ✓" in text(at) and "*neunzig* → *ninety* ✓" in text(at)
