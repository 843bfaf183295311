"""The Text page: opens on the shipped model, trains a new one live through the worker, pauses."""

import time

from appkit import go, new_app, text


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
