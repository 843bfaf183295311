"""The Text page in a browser: a typed prompt writes text, the temperature changes it, and the two
"learning"s of the default sentence have different hidden states and different predictions."""

import re
import time

from conftest import App


def wait_for_text(app, words: str, timeout: float = 120) -> str:
    end = time.time() + timeout
    while time.time() < end:
        body = app.page.inner_text("body")
        if words in body:
            app.settle()
            return body
        time.sleep(0.5)
    raise AssertionError(f"never showed {words!r}")


def share_link(app, server) -> str:
    """The link in the sidebar's "Share this page" box."""
    box = app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']", has_text=server).first
    return box.inner_text().strip()


def written(app) -> str:
    return app.page.locator(".rv-written").first.inner_text()


def test_text_page_writes_and_shows_context(app):
    app.open("Text")
    assert not app.exceptions()
    body = app.page.inner_text("body")
    assert "shipped with rnnviz" in body and "Bits per character" in " ".join(f["title"] for f in app.figures())
    prompt = app.page.get_by_label("Start it with")
    prompt.fill("A class ")
    prompt.press("Enter")
    app.settle()
    first = written(app)
    assert first.startswith("A class ") and len(first) > len("A class ") + 150
    assert "Wrote 200 characters at temperature 0.7" in app.page.inner_text("body")
    app.slider("Temperature").focus()
    for _ in range(6):
        app.page.keyboard.press("ArrowRight")
    app.settle()
    assert "Wrote 200 characters at temperature 1.3" in app.page.inner_text("body")
    second = written(app)
    assert second.startswith("A class ") and second != first

    # same word, different context: both occurrences, two different states, two different predictions
    body = app.page.inner_text("body")
    assert "“learning” #1" in body and "“learning” #2" in body
    z = app.page.evaluate("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => (g.layout.title.text || '').includes('end of each occurrence'));
        return Array.from(gd._fullData[0].z, row => Array.from(row)); }""")
    assert len(z) == 3 and max(abs(a - b) for a, b in zip(z[0], z[1])) > 0.05  # two states and their difference
    dist = re.search(r"their distance\s+([0-9.]+)", body)
    assert dist and float(dist.group(1)) > 0.1
    guesses = re.findall(r"Next letter: (.+)", body)
    assert len(guesses) == 2 and guesses[0] != guesses[1]

    # the sentiment reader: "not" before "good" makes the answer negative
    app.page.get_by_role("button", name="Train the sentiment reader").click()
    wait_for_text(app, "Its answer: negative")  # the worker trains it (once per server); the page redraws when done
    assert not app.exceptions()
    app.shot("text_page")


def test_the_text_pages_share_link_brings_its_choices_and_its_trained_model_back(app, rv_browser, server):
    app.open("Text", "tx_corpus=story&tx_hidden=32&tx_arch=gru&tx_letters=50")
    prompt = app.page.get_by_label("Start it with")
    prompt.fill("the robot ")
    prompt.press("Enter")
    app.settle()
    app.slider("Temperature").focus()
    for _ in range(3):
        app.page.keyboard.press("ArrowRight")
    app.settle()
    app.page.get_by_text("Train a model here").click()
    app.page.get_by_role("button", name="Train a new model on this text").click()
    time.sleep(3)  # a few steps of training on the server
    app.page.get_by_role("button", name="Pause").click()
    body = wait_for_text(app, "trained here for")
    steps = re.search(r"trained here for ([0-9,]+) steps", body).group(1)
    first = written(app)
    share = share_link(app, server)
    for part in (
        "tx_corpus=story",
        "tx_arch=gru",
        "tx_hidden=32",
        "tx_run=true",
        f"tx_steps={steps.replace(',', '')}",
        "tx_temp=1",
    ):
        assert part in share, (part, share)

    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})  # another student's browser
    fresh = App(other.new_page(), server)
    fresh.page.goto(share)
    fresh.settle()
    body = fresh.page.inner_text("body")
    assert f"trained here for {steps} steps" in body and "robot's notebook" in body and not fresh.exceptions()
    assert fresh.page.get_by_label("Start it with").input_value() == "the robot "
    assert "temperature 1" in body and "Wrote 50 characters" in body
    assert written(fresh) == first  # the same model and choices write the same letters
    other.close()
