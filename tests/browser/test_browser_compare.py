"""The Compare page in a real browser: six models race live on the adding problem and on a symbol
task, their held-out curves overlaid in one figure, and the table fills in."""

import time

import pytest


@pytest.mark.parametrize("task", ["Adding problem", "Temporal order"])
def test_six_models_race_live(app, task):
    app.open("Compare", "hidden=8")
    assert not app.exceptions()
    body = app.page.inner_text("body")
    assert "No race yet" in body and "The article's table, measured" in body
    app.figure("Which models solve the task")  # the shipped sweep is drawn
    if task != "Adding problem":  # a symbol task: choose it in the race's own task box
        app.page.locator("[data-testid='stSelectbox']").filter(has_text="Task").first.click()
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
    assert task in app.page.inner_text("body")
    app.shot(f"compare_race_{task.split()[0].lower()}")
