"""Music and Sounds in a real browser: a generated tune's audio element has a real WAV behind it, and
the Sounds page draws its spectrogram, hidden state and probabilities."""


def test_music_plays_and_sounds_draws(app):
    app.open("Music")
    assert not app.exceptions()
    app.page.wait_for_selector("audio", state="attached", timeout=30000)
    src = app.page.eval_on_selector("audio", "a => a.currentSrc || a.src")
    assert src, "the audio element has no source"
    body = app.page.request.get(src).body()
    assert body[:4] == b"RIFF" and len(body) > 16000, len(body)  # more than a second of sound
    duration = app.page.eval_on_selector(
        "audio",
        "a => new Promise(r => a.readyState >= 1 ? r(a.duration) : a.addEventListener('loadedmetadata', () => r(a.duration)))",
    )
    assert duration > 1.0
    roll = app.figure("The tune")
    assert any(t["type"] == "bar" for t in roll["traces"]) and any(t["type"] == "heatmap" for t in roll["traces"])
    app.shot("music")

    app.open("Sounds")
    assert not app.exceptions()
    fig = app.figure("What it hears")
    kinds = [t["type"] for t in fig["traces"]]
    assert kinds.count("heatmap") == 2 and kinds.count("scatter") == 5
    assert app.page.eval_on_selector("audio", "a => a.currentSrc || a.src")
    app.shot("sounds")
