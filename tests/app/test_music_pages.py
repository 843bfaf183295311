"""The Music and Sounds pages open with their shipped models, play audio, redraw on a change, and train."""

from appkit import go, new_app, text


def audio_bytes(at):
    (a,) = at.get("audio")
    return a.proto.url


def test_music_page_plays_a_tune_and_shows_the_score():
    at = go(new_app(hidden=4, seq_len=12), "pages/11_Music.py")
    assert at.get("audio") and len(at.get("plotly_chart")) == 2
    words = text(at)
    assert "bigram" in words and "never saw" in words and "ships with rnnviz" in words
    before = audio_bytes(at)
    at.slider(key="mu_temp").set_value(1.5).run()
    assert not at.exception and audio_bytes(at) != before  # another tune
    at.slider(key="mu_steps").set_value(50).run()
    at.button(key="mu_train").click().run()
    assert not at.exception
    assert "your own model" in text(at) and "trained for 50 steps" in text(at)
    assert at.get("audio")


def test_sounds_page_listens_and_trains():
    at = go(new_app(hidden=4, seq_len=12), "pages/12_Sounds.py")
    assert at.get("audio") and at.get("plotly_chart")
    assert "held-out clips" in text(at) and "stopped changing" in text(at)
    at.slider(key="so_noise").set_value(2.5).run()
    at.selectbox(key="so_label").set_value(2).run()
    assert not at.exception and "oo (boot)" in text(at)
    at.slider(key="so_steps").set_value(20).run()
    at.button(key="so_train").click().run()
    assert not at.exception and "your own model" in text(at) and "trained for 20 steps" in text(at)
