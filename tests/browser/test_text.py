"""The Text page in a browser: a typed prompt writes text, the temperature changes it, and the two
"learning"s of the default sentence have different hidden states and different predictions."""

import re


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
    app.settle()
    assert "Its answer: negative" in app.page.inner_text("body")
    assert not app.exceptions()
    app.shot("text_page")
