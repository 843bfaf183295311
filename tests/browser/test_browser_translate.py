"""Translate: a student types a number in words, sees both translations and the attention matrix;
a misspelt word is named and the last translation stays. Both models train on the server (the page
follows the job, with Pause and Go on), and the page's share link brings the same models back."""

import re
import time


def metric(app, label, page=None):
    box = (page or app.page).locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text(timeout=90_000).strip()  # a busy server redraws slowly


def test_translate_a_typed_sentence(app):
    app.open("Translate")
    box = app.page.get_by_role("textbox", name="A number in words (0 to 999,999)")
    box.fill("nine hundred and eighty seven thousand six hundred and fifty four")
    box.press("Enter")
    app.settle()
    assert metric(app, "With attention") == "987654" and metric(app, "By the rules") == "987654"
    assert metric(app, "Without attention").rstrip("…").isdigit()
    heat = app.figure("attention model looked")
    assert heat["traces"][0]["type"] == "heatmap"
    assert (heat["traces"][0]["rows"], heat["traces"][0]["cols"]) == (7, 11)  # 6 digits and the end, 11 words
    acc = app.figure("by input length")
    assert {t["name"] for t in acc["traces"]} >= {"with attention", "without attention (final state only)"}
    app.shot("translate")
    box.fill("twenty fuor")
    box.press("Enter")
    app.settle()
    body = app.page.inner_text("body")
    assert "unknown: “fuor” (did you mean “four”?)" in body
    assert metric(app, "With attention") == "987654"  # the last good sentence stays translated
    assert not app.exceptions()


TINY = "tr_steps=100&tr_units=8&tr_seed=21&tr_text=two+thousand+and+five"


def trained(page, timeout=240) -> str:
    """The trained models' caption, once the page shows them (the worker trains; the page redraws)."""
    box = page.locator(".st-key-rv_result_translate [data-testid='stCaptionContainer']", has_text="Trained here")
    return box.first.inner_text(timeout=timeout * 1000)


def test_training_on_the_server_and_the_share_link_brings_the_models_back(app, rv_browser):
    app.open("Translate", TINY)
    assert app.page.get_by_role("textbox", name="A number in words (0 to 999,999)").input_value() == "two thousand and five"
    app.page.get_by_role("button", name="Train both models").click()
    mine = trained(app.page)
    assert "100 steps each, 8 units, from seed 21" in mine
    app.settle()
    assert "trained here" in app.page.locator(".st-key-tr_which").inner_text()
    app.shot("translate_trained")
    said = metric(app, "With attention"), metric(app, "Without attention")
    url = app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.inner_text().strip()
    for part in TINY.split("&") + ["tr_run=true", "tr_which=mine"]:
        assert part in url, (part, url)
    assert "tr_run=true" in app.page.url  # the address bar too: a reload keeps it
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = other.new_page()
        page.goto(url)  # a new browser session: nothing pressed, the link asks for the same models
        assert trained(page) == mine
        assert (metric(app, "With attention", page), metric(app, "Without attention", page)) == said
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        other.close()
    assert not app.exceptions()


def progress(app) -> tuple[float, str]:
    bar = app.page.locator("[data-testid='stProgress']").first
    text = bar.inner_text(timeout=60_000)
    return float(re.search(r"(\d+)%", text).group(1)) / 100, text


def test_pause_go_on_and_leaving_translate_mid_training_shows_it_further_along(app):
    app.open("Translate", "tr_steps=1500&tr_units=64&tr_seed=23")
    app.page.get_by_role("button", name="Train both models").click()
    app.page.get_by_role("button", name="Pause").click()
    app.settle()
    paused, text = progress(app)
    assert "paused" in text and paused < 0.5, text
    time.sleep(2)
    assert progress(app)[0] == paused  # a paused job takes no turns
    app.page.get_by_role("button", name="Go on").click()
    app.settle()
    app.page.locator("[data-testid='stSidebar'] a", has_text="Hidden states").click()
    app.settle()
    time.sleep(4)
    app.page.locator("[data-testid='stSidebar'] a", has_text="Translate").click()
    app.settle()
    later, text = progress(app)
    assert later > paused and "training" in text, (paused, text)
    assert app.page.locator("[data-testid='stPlotlyChart']").count() >= 3  # the loss curve drawn as it trains
    app.shot("translate_training")
    app.page.get_by_role("button", name="Pause").click()  # leave the server's core to the other tests
    app.settle()
    assert not app.exceptions()
