"""Forecast in a real browser: the page's choices live in its link, a shared link opened in a fresh
browser shows the same scores, and training goes on while the student looks at another page."""

import re
import time

SMALL = "series=nile&network=gru&window=8&horizon=15&fc_steps=100&fc_seeds=2&fc_units=8&fc_seed=5"


def verdict(app, timeout=120) -> str:
    """The verdict under the finished forecast's score table (its numbers come from the table)."""
    box = app.page.locator(".st-key-rv_result_forecast")
    box.wait_for(state="visible", timeout=timeout * 1000)
    line = box.locator("[data-testid='stMarkdownContainer']", has_text="Best on the held-out stretch").first
    return line.inner_text(timeout=timeout * 1000)


def shared_link(app) -> str:
    box = app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first
    return box.inner_text().strip()


def test_a_forecast_link_opened_in_a_fresh_browser_shows_the_same_scores(app, rv_browser):
    app.open("Forecast", SMALL)
    assert not app.exceptions()
    app.page.get_by_role("button", name="Train and forecast").click()
    mine = verdict(app)
    assert re.search(r"off by [\d.]+", mine)
    app.settle()
    url = shared_link(app)
    for part in SMALL.split("&") + ["fc_run=true"]:
        assert part in url, (part, url)
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = other.new_page()
        page.goto(url)  # a new browser session: nothing pressed, the link asks for the forecast
        box = page.locator(".st-key-rv_result_forecast [data-testid='stMarkdownContainer']", has_text="Best on the held-out")
        assert box.first.inner_text(timeout=120_000) == mine
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        other.close()


def progress(app) -> float:
    bar = app.page.locator("[data-testid='stProgress']").first
    text = bar.inner_text(timeout=30_000)
    return float(re.search(r"(\d+)%", text).group(1)) / 100


def test_leaving_forecast_mid_training_and_coming_back_shows_it_further_along(app):
    app.open("Forecast", "series=sunspots&network=lstm&fc_steps=1000&fc_seeds=5&fc_units=64&fc_seed=11")
    app.page.get_by_role("button", name="Train and forecast").click()
    first = progress(app)
    assert first < 0.6, first
    app.page.locator("[data-testid='stSidebar'] a", has_text="Hidden states").click()
    app.settle()
    assert app.page.locator("h1", has_text="Hidden").count() >= 1
    time.sleep(4)
    app.page.locator("[data-testid='stSidebar'] a", has_text="Forecast").click()
    app.settle()
    later = 1.0 if app.page.locator(".st-key-rv_result_forecast").count() else progress(app)
    assert later > first, (first, later)
    assert not app.exceptions()
