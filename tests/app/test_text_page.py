"""The Text page: opens on the shipped model, trains a new one live through the worker, pauses."""

import time

from appkit import go, new_app, text, wait_jobs


def test_text_page_trains_a_new_model_live_and_pauses():
    at = go(new_app(hidden=4, seq_len=12), "pages/8_Text.py")
    assert "shipped with rnnviz" in text(at) and "The word **“learning”** appears 2 times" in text(at)
    at.radio(key="tx_corpus").set_value("story")
    at.select_slider(key="tx_hidden").set_value(32)
    at.button(key="tx_train").click().run()
    state = at.session_state["tx_state"]
    assert state.corpus.name == "story" and not state.shipped and state.session.running
    end = time.monotonic() + 60  # the process-wide worker trains it meanwhile, in turns with other tests' sessions
    while state.trainer.step == 0 and time.monotonic() < end:
        time.sleep(0.1)
    at.button(key="tx_pause").click().run()
    assert not at.exception and not state.session.running and state.trainer.step > 0
    assert f"trained here for {state.trainer.step:,} steps" in text(at)
    assert "**Bits per character**" in text(at)  # measured on the held-out text once it paused
    assert "“I”" in text(at)  # the story has no capital letters: the page says it read "I" as "i"


def wait_until(at, done, tries: int = 20):
    """wait_jobs until ``done()``: in a test nothing redraws between runs, so a job nobody looked at for a while
    pauses (as for a closed tab) until the next run looks at it again."""
    for _ in range(tries):
        wait_jobs(at)
        if done():
            return at
    raise AssertionError("the page never showed what its link asked for")


LINK = dict(
    tx_corpus="story",
    tx_arch="gru",
    tx_hidden="32",
    tx_run="true",
    tx_steps="30",
    tx_prompt="the robot ",
    tx_temp="1.3",
    tx_topk="5",
    tx_letters="50",
    tx_seed="7",
    tx_sentence="the sky and the sky",
    tx_unit="3",
    tx_word="sky",
    tx_reader="true",
    tx_sent="it was not bad",
)


def test_a_text_link_sets_every_choice_and_brings_the_trained_model_and_the_reader_back():
    at = go(new_app(query=LINK), "pages/8_Text.py")
    ss = at.session_state
    assert (ss["tx_corpus"], ss["tx_arch"], ss["tx_hidden"], ss["tx_prompt"]) == ("story", "gru", 32, "the robot ")
    assert (ss["tx_temp"], ss["tx_topk"], ss["tx_n"], ss["tx_seed"]) == (1.3, 5, 50, 7)
    assert (ss["tx_sentence"], ss["tx_unit"], ss["tx_word"], ss["tx_sent"]) == ("the sky and the sky", 3, "sky", "it was not bad")
    assert "training it again from seed 0" in text(at)  # not in this process yet: the worker trains it, the page waits
    wait_until(at, lambda: "Its answer:" in text(at) and ss["tx_state"].trainer.step == 30)
    state = ss["tx_state"]
    assert state.corpus.name == "story" and state.session.settings.arch == "gru" and state.trainer.step == 30
    assert "trained here for 30 steps" in text(at) and "Its answer:" in text(at)
    assert "The word **“sky”** appears 2 times" in text(at)
    assert {k: at.query_params[k] for k in LINK} == LINK  # the link the page writes names the same
    written = ss["tx_written"][1]

    again = go(new_app(query=LINK), "pages/8_Text.py")  # another browser: the same model, at once, from the server
    assert "restored it" in text(again) and again.session_state["tx_state"].trainer.step == 30
    assert again.session_state["tx_written"][1] == written  # the same weights write the same letters


def test_junk_in_a_text_link_gets_one_note_and_an_upload_is_named():
    at = go(
        new_app(query={"tx_temp": "hot", "tx_hidden": "100", "tx_prompt": "x" * 250, "tx_corpus": "upload"}), "pages/8_Text.py"
    )
    assert len(at.warning) == 1, [w.value for w in at.warning]
    note = at.warning[0].value
    assert "tx_temp='hot'" in note and "tx_hidden=100" in note and "tx_prompt=" in note
    ss = at.session_state
    assert ss["tx_temp"] == 0.7 and ss["tx_hidden"] == 128 and ss["tx_prompt"] == "x" * 200
    assert ss["tx_corpus"] == "upload" and "A file does not travel in a link" in text(at)
    assert ss["tx_state"].shipped and "tx_run" not in at.query_params  # nothing was trained
