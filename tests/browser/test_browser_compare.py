"""The Compare page in a real browser: six models race live on the adding problem and on a symbol
task, their held-out curves overlaid in one figure, and the table fills in."""

import time

import pytest
from conftest import App


@pytest.mark.parametrize("task", ["Adding problem", "Temporal order"])
def test_six_models_race_live(app, task):
    app.open("Compare", "hidden=8")
    assert not app.exceptions()
    body = app.page.inner_text("body")
    assert "No race yet" in body and "The article's table, measured" in body
    app.figure("Which models solve the task")  # the shipped sweep is drawn
    if task != "Adding problem":  # a symbol task: choose it in the race's own task box
        app.page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Task").first.click()
        app.page.get_by_role("option", name=task).click()
        app.settle()
    # short sequences and a small budget keep the race to a few seconds
    for label, key in (("Race sequence length T", "ArrowLeft"), ("Step budget for each model", "ArrowLeft")):
        thumb = app.slider(label)
        thumb.focus()
        for _ in range(6):
            thumb.press(key)
        app.settle()
    app.page.get_by_role("button", name="Start the race").click()
    table = app.page.locator("[data-testid='stTable']").first
    end, rows = time.time() + 90, []
    while time.time() < end:
        fig = app.figure("Held-out loss of every model")
        if "Race finished" in app.page.inner_text("body"):
            break
        time.sleep(0.5)
    app.settle()
    assert not app.exceptions()
    fig = app.figure("Held-out loss of every model")
    names = [t["name"] for t in fig["traces"]]
    assert names == ["vanilla RNN", "LSTM", "GRU", "causal CNN", "Transformer", "GRU + attention"], names
    assert all(len([v for v in t["y"] if v is not None]) >= 2 for t in fig["traces"])  # each drew a curve
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == 6 and all("–" not in r.split("\t")[1] for r in rows), rows  # parameters filled
    if task == "Adding problem":  # the vanilla RNN cannot solve it: every row shows its budget or a solve
        assert all("100" in r for r in rows), rows
    box = app.page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Task").first
    shown = box.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert task in shown, shown  # the race ran on the task chosen in its own box
    app.shot(f"compare_race_{task.split()[0].lower()}")


def test_the_compare_pages_share_link_brings_its_choices_and_the_race_back(app, rv_browser, server):
    app.open(
        "Compare",
        "hidden=8&cmp_task=temporal_order&cmp_len=10&cmp_budget=100&cmp_lstm=false&cmp_cnn=false&cmp_gru_attention=false",
    )
    app.page.get_by_role("button", name="Start the race").click()
    end = time.time() + 90
    while "Race finished" not in app.page.inner_text("body") and time.time() < end:
        time.sleep(0.5)
    app.settle()
    app.page.get_by_text("training seconds").click()  # the x-axis: a choice the link keeps too
    app.settle()
    rows = app.page.locator("[data-testid='stTable']").first.locator("tbody tr").all_inner_texts()
    share = app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']", has_text=server).first.inner_text().strip()
    for part in ("hidden=8", "cmp_task=temporal_order", "cmp_len=10", "cmp_budget=100", "cmp_x=seconds", "cmp_run=true"):
        assert part in share, (part, share)

    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})  # another student's browser
    fresh = App(other.new_page(), server)
    fresh.page.goto(share)
    fresh.settle()
    body = fresh.page.inner_text("body")
    assert "Race finished" in body and not fresh.exceptions()  # the same race, at once
    task = fresh.page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Task").first
    shown = task.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "Temporal order" in shown, shown
    assert fresh.page.get_by_role("radio", name="training seconds").is_checked()
    names = [t["name"] for t in fresh.figure("Held-out loss of every model")["traces"]]
    assert names == ["vanilla RNN", "GRU", "Transformer"], names
    assert fresh.page.locator("[data-testid='stTable']").first.locator("tbody tr").all_inner_texts() == rows
    other.close()
