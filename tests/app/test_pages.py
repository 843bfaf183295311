"""Every page opens with a tiny model and no exception, and one interaction per page works."""

import pytest
from appkit import go, new_app, session, text

from rnnviz.runtime.session import Status
from rnnviz.settings import PRESETS
from rnnviz.ui import PAGES

TINY = {"hidden": 4, "seq_len": 12}


def open_page(path, **state):
    """Start from the entry script, as the server does, and switch to the page."""
    return go(new_app(**{**TINY, **state}), path)


CORE = ("1_Train.py", "2_Hidden_states.py", "3_Gates.py", "4_Unrolled.py", "5_Gradients.py")


@pytest.mark.parametrize("path", ["app.py", *[f"pages/{n}" for n in CORE]])
@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_every_page_opens(path, arch):
    at = open_page(path, arch=arch)
    assert "untrained" in text(at)
    if path != "app.py" and not (arch == "rnn" and "Gates" in path):
        assert at.get("plotly_chart")


def test_home_links_every_page():
    at = open_page("app.py")
    links = [e.proto.page for e in at.get("page_link")]
    assert {"Train", "Hidden_states", "Gates", "Unrolled", "Gradients"} <= set(links), links
    # its two diagrams are static pictures: no plotly chart, so the browser need not load plotly.js for Home
    assert not at.get("plotly_chart")
    pictures = [e.proto.body for e in at.get("html") if "data:image/svg+xml" in e.proto.body]
    assert len(pictures) == 2 and 'alt="The loop"' in pictures[0] and 'alt="Four ways to wire an RNN' in pictures[1]


def test_train_step_button_trains_and_reset_forgets():
    at = open_page("pages/1_Train.py", task="copy")
    at.button(key="rv_step").click().run()
    assert not at.exception
    steps = session(at).trainer.step
    assert steps > 0 and f"trained for {steps:,} steps" in text(at)
    at.button(key="rv_reset").click().run()
    assert session(at).trainer.step == 0 and session(at).status is Status.IDLE


EXPLODE = {**PRESETS["explode"][1], "hidden": 32}  # the page's preset, at a size where it explodes fast


def step_until_diverged(at, tries=10):
    for _ in range(tries):
        at.button(key="rv_step").click().run()
        if session(at).diverged:
            break
    return session(at)


def test_train_divergence_is_explained_and_clipping_rescues():
    at = open_page("pages/1_Train.py", **EXPLODE)
    s = step_until_diverged(at, 6)
    assert s.diverged
    notices = [e for e in at.error if "diverged" in str(e.value)]
    assert len(notices) == 1 and "clipping" in str(notices[0].value)  # one notice, not two
    assert at.get("plotly_chart") and len(s.trainer.history)  # the charts and the history stay
    at = open_page("pages/1_Train.py", **{**EXPLODE, "clip": True, "clip_value": 1.0})
    while session(at).trainer.step < 150:
        at.button(key="rv_step").click().run()
    s = session(at)
    assert not s.diverged and sum(s.trainer.history.clipped) > 0


def test_hidden_states_time_slider():
    at = open_page("pages/2_Hidden_states.py", task="first_symbol")
    at.slider(key="hs_t").set_value(3).run()
    assert not at.exception
    assert "#### The input coloured by one unit" in text(at)


def test_gates_page_rnn_explains_and_lstm_draws():
    at = open_page("pages/3_Gates.py", arch="rnn")
    assert "no gates" in text(at)
    at = open_page("pages/3_Gates.py", arch="lstm")
    at.slider(key="g_t").set_value(2).run()
    assert not at.exception and len(at.get("plotly_chart")) == 8  # diagram, unit lines, 5 heatmaps, saturation


def test_unrolled_backward_and_tiny_training():
    at = open_page("pages/4_Unrolled.py")
    at.radio(key="u_mode").set_value("backward").run()
    assert not at.exception and "Backward pass" in text(at)
    at.button(key="u_tiny_train").click().run()
    assert "trained for 200 steps" in text(at)


def test_gradients_preset_makes_it_vanish():
    at = open_page("pages/5_Gradients.py")
    at.button(key="gp_vanish").click().run()
    assert not at.exception
    assert at.session_state["arch"] == "rnn" and at.session_state["scale"] == 0.5
    assert "it has vanished" in text(at)
    at.button(key="gp_explode").click().run()
    assert not at.exception and at.session_state["optimizer"] == "sgd" and at.session_state["clip"] is False


def test_changing_a_setting_after_divergence_starts_afresh():
    at = open_page("pages/1_Train.py", **EXPLODE)
    assert step_until_diverged(at).status == "diverged"
    at.session_state["clip"] = True
    at.run()
    s = session(at)
    assert s.status is Status.IDLE and s.trainer.step == 0 and s.trainer.cfg.clip and not at.error


APPLICATION_PAGES = [p[0] for p in PAGES if p[0] not in ("app.py", *[f"pages/{n}" for n in CORE])]
JUNK_LINK = {"seq_len": "abc", "arch": "zzz", "hidden": "-3", "fc_window": "banana", "tr_text": "<b>x</b>"}


@pytest.mark.parametrize("path", APPLICATION_PAGES)
@pytest.mark.parametrize("query", [None, JUNK_LINK], ids=["fresh", "junk_link"])
def test_application_pages_open(path, query):
    """Every page in the navigation beyond the five inspection pages opens from a fresh session and from
    a junk link without an exception and starts with its title; a junk link gets its notes, not a crash."""
    at = go(new_app(query), path)
    assert at.title and at.title[0].value, path
    if query:
        assert any("arch" in str(w.value) for w in at.warning), [w.value for w in at.warning]
        if path not in ("pages/0_Lessons.py", "pages/6_Compare.py"):  # pages that do not use the settings
            assert len(at.warning) == 1, [w.value for w in at.warning]  # one notice, not a column of them


def test_application_pages_keep_their_choices_across_page_switches():
    """A student who types a sentence, picks racers or sets a temperature, visits another page and
    comes back finds them as they left them (Streamlit forgets a widget not drawn on a page switch)."""
    at = open_page("pages/8_Text.py")
    at.text_input(key="tx_sentence").set_value("the bank and the bank").run()
    go(at, "pages/6_Compare.py")
    at.multiselect(key="rv_cmp_models").set_value(["rnn", "lstm"]).run()
    go(at, "pages/11_Music.py")
    at.slider(key="mu_temp").set_value(0.0).run()
    go(at, "pages/8_Text.py")
    assert at.text_input(key="tx_sentence").value == "the bank and the bank"
    assert "appears 2 times" in text(at)  # the context view drew the typed sentence
    go(at, "pages/6_Compare.py")
    assert at.multiselect(key="rv_cmp_models").value == ["rnn", "lstm"]
    go(at, "pages/11_Music.py")
    assert at.slider(key="mu_temp").value == 0.0
