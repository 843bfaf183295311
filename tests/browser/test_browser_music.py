"""Music and Sounds in a real browser: a generated tune's audio element has a real WAV behind it, and
the Sounds page draws its spectrogram, hidden state and probabilities; each page's share link brings its
choices back in a fresh browser; training goes on while the student looks at another page."""

import time
from urllib.parse import parse_qs, urlsplit

from conftest import App


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


def share_link(app) -> str:
    return app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").inner_text().strip()


def progress(app) -> float:
    """The value of the page's progress bar (0-1), or -1 while it is not drawn."""
    bar = app.page.locator("[data-testid='stProgress'] [role='progressbar']")
    if not bar.count():
        return -1.0
    v = float(bar.first.get_attribute("aria-valuenow") or 0)
    top = float(bar.first.get_attribute("aria-valuemax") or 100)  # Streamlit's bar runs 0-100: 1 means 1%, not done
    return v / top


def test_each_pages_share_link_brings_its_choices_back(app, rv_browser, server):
    checks = {
        "Music": ("mu_temp=1.35&mu_tempo=90&mu_length=24&mu_tune=3", {"Temperature": "1.35", "Tempo": "90"}),
        "Sounds": ("so_noise=1.7&so_vowel=ee&so_clip=12", {"Noise": "1.7"}),
    }
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        for page, (query, sliders) in checks.items():
            app.open(page, query)
            assert not app.exceptions()
            share = share_link(app)
            assert share.startswith(server + "/" + page)
            for part in query.split("&"):
                if not part.startswith("so_vowel"):
                    assert part in share, (part, share)
            assert "so_vowel=1" in share or page != "Sounds"  # "ee" read as the vowel's number
            bar = parse_qs(app.page.evaluate("() => location.search").lstrip("?"))
            assert bar == parse_qs(urlsplit(share).query)  # the address bar says the same
            fresh = App(other.new_page(), server)
            fresh.page.goto(share)
            fresh.settle()
            assert not fresh.exceptions()
            for label, value in sliders.items():
                assert fresh.slider(label).input_value() == value, (page, label)
            assert share_link(fresh) == share
            fresh.page.close()
    finally:
        other.close()


def _done(app) -> bool:
    return app.page.get_by_text("Showing your own model").count() > 0


def test_music_training_goes_on_while_the_student_is_elsewhere(app):
    """Pause holds the job; Go on resumes it; leaving the page does not stop it. Paused first, at once: the
    trainer process is quick enough that 1,500 steps can finish while a slower test walks to another page."""
    app.open("Music", "mu_steps=1500&mu_seed=23")
    app.page.get_by_text("The model: use the one that ships").click()
    app.page.locator(".st-key-mu_train button").click()
    end = time.time() + 90
    while progress(app) <= 0 and time.time() < end:  # the press only asks: the worker trains, the page follows
        time.sleep(0.2)
    assert progress(app) > 0 and "mu_run=true" in app.page.evaluate("() => location.search")
    app.page.locator(".st-key-mu_pause button").click()  # Pause: it stops, and says so
    app.page.wait_for_selector(".st-key-mu_resume button", timeout=30000)
    assert "paused" in app.page.locator("[data-testid='stProgress']").inner_text()
    held = progress(app)
    time.sleep(3)
    assert progress(app) == held  # paused means paused
    assert app.figure("Training loss so far")
    app.page.locator(".st-key-mu_resume button").click()  # Go on
    end = time.time() + 30
    while progress(app) <= held and not _done(app) and time.time() < end:
        time.sleep(0.2)
    assert progress(app) > held or _done(app)
    before = progress(app)
    app.page.locator("[data-testid='stSidebar']").get_by_role("link", name="Sounds").click()
    app.settle()
    assert app.figure("What it hears")
    time.sleep(4)
    app.page.locator("[data-testid='stSidebar']").get_by_role("link", name="Music").click()
    app.settle()
    end = time.time() + 30
    while progress(app) <= before and not _done(app) and time.time() < end:
        time.sleep(0.5)
    assert progress(app) > before or _done(app), (before, progress(app))  # further along than when the student left
    app.shot("music-training")


def _titled(app, part: str) -> bool:
    return any(part.lower() in f["title"].lower() for f in app.figures())


def _verdict(app) -> str:
    """The Recognise page's sentence under its table: the best network's and the best baseline's accuracy."""
    found = app.page.get_by_text("Best network:")
    return found.first.inner_text() if found.count() else ""


def test_recognise_trains_and_its_link_shows_the_same_networks_elsewhere(app, rv_browser, server):
    app.open("Recognise", "rc_data=italy_power&rc_rnn=false&rc_lstm=false&rc_units=8&rc_steps=100&rc_look=2")
    assert not app.exceptions()
    assert app.figure("Electricity demand through one day")
    app.page.locator(".st-key-rc_train button").click()
    end = time.time() + 120
    while not _titled(app, "Where the GRU goes wrong") and time.time() < end:
        time.sleep(1)
    app.settle()
    assert not app.exceptions()
    assert app.figure("How early does it know") and app.figure("hidden state")
    said = _verdict(app)
    assert "Best network: GRU" in said and "% right" in said, said
    app.shot("recognise-trained")
    share = share_link(app)
    for part in ("rc_data=italy_power", "rc_run=true", "rc_units=8", "rc_steps=100", "rc_look=2", "rc_lstm=false"):
        assert part in share, (part, share)
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        fresh = App(other.new_page(), server)
        fresh.page.goto(share)
        fresh.settle()
        end = time.time() + 60
        while not _titled(fresh, "Where the GRU goes wrong") and time.time() < end:
            time.sleep(1)
        assert not fresh.exceptions()
        assert _verdict(fresh) == said  # the same network, the same numbers
    finally:
        other.close()
