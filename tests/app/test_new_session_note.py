"""A page opened by its plain address (a new browser session, no trained model in the link) says so in
one line, and how to get a trained model back; a link that names a trained model does not."""

from appkit import go, new_app, text


def test_a_new_session_says_where_a_trained_model_went():
    at = go(new_app(query={"hidden": "4", "seq_len": "6", "batch": "8"}), "pages/2_Hidden_states.py")
    assert "This is a new browser session" in text(at) and "Share this setup" in text(at)


def test_a_link_with_a_trained_model_does_not_say_it():
    at = go(new_app(query={"hidden": "4", "seq_len": "6", "batch": "8", "step": "20"}), "pages/2_Hidden_states.py")
    assert "trained for 20 steps" in text(at) and "This is a new browser session" not in text(at)
