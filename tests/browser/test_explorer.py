"""The explorer in a real browser: slider -> heatmap axis, live training, gates, shared links."""

import time

from conftest import App


def test_slider_training_gates_and_shared_link(app, rv_browser, server):
    app.open("Hidden_states")
    assert not app.exceptions()
    assert app.figure("every unit at every step")["traces"][0]["cols"] == 50
    # move the sequence-length slider 10 steps left with the keyboard, as a student could
    thumb = app.slider("Sequence length T")
    thumb.focus()
    t0 = time.time()
    for _ in range(10):
        thumb.press("ArrowLeft")
    app.settle()
    print(f"\nslider change to redrawn page (browser side, includes settle polling): {time.time() - t0:.2f} s")
    assert thumb.input_value() == "40"
    assert app.figure("every unit at every step")["traces"][0]["cols"] == 40
    assert "seq_len=40" in app.page.url
    app.shot("hidden_states")

    # train the LSTM on the adding problem until the loss is below the chance baseline
    app.page.get_by_role("link", name="Train").first.click()
    app.settle()
    app.page.get_by_role("button", name="Start", exact=True).click()
    app.wait_for_status("training", 30)
    deadline = time.time() + 120
    below = False
    while time.time() < deadline and not below:
        time.sleep(1.0)
        ys = [v for v in (app.figure("Loss: training batches")["traces"][0]["y"] or []) if v is not None]
        below = len(ys) > 20 and sum(ys[-10:]) / 10 < 1 / 6 * 0.5
    assert below, "the LSTM's loss never fell below the chance baseline"
    app.page.get_by_role("button", name="Pause", exact=True).click()
    app.wait_for_status("paused", 30)
    app.settle()
    assert not app.exceptions()
    held = app.figure("Loss: training batches")["traces"][1]
    assert held["name"].startswith("held-out") and len(held["y"]) >= 2
    app.shot("train")
    steps_done = app.page.get_by_test_id("stMetric").first.inner_text()
    held_now = app.page.locator("[data-testid='stMarkdownContainer']", has_text="Held-out now").inner_text()
    assert "step=" in app.page.url
    # a reload keeps the trained run: same step count, same held-out loss
    app.page.reload()
    app.settle()
    assert app.page.get_by_test_id("stMetric").first.inner_text() == steps_done
    assert app.page.locator("[data-testid='stMarkdownContainer']", has_text="Held-out now").inner_text() == held_now
    assert not app.exceptions()

    app.page.get_by_role("link", name="Gates").first.click()
    app.settle()
    titles = [f["title"] for f in app.figures()]
    for gate in ("forget gate", "input gate", "output gate", "cell candidate", "cell state"):
        assert any(gate in t for t in titles), (gate, titles)
    assert any("Inside the LSTM cell" in t for t in titles)
    assert not app.exceptions()
    app.shot("gates")

    # the copied link reproduces the setup in a fresh browser context
    url = app.page.url
    assert "seq_len=40" in url
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = App(other.new_page(), server)
    fresh.page.goto(url.replace("/Gates", "/Hidden_states"))
    fresh.settle()
    assert fresh.slider("Sequence length T").input_value() == "40"
    assert fresh.figure("every unit at every step")["traces"][0]["cols"] == 40
    body = fresh.page.inner_text("body")  # a new session: same setup, the same trained model (its own copy)
    assert "untrained" not in body and "trained for" in body
    other.close()
    # the share box in the sidebar holds a link that does the same
    share = app.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").inner_text().strip()
    assert share.startswith(server) and "seq_len=40" in share
    other = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = App(other.new_page(), server)
    fresh.page.goto(share)
    fresh.settle()
    assert fresh.slider("Sequence length T").input_value() == "40" and not fresh.exceptions()
    other.close()


def test_every_page_renders_and_junk_links_get_a_note(app):
    for path in ("", "Train", "Hidden_states", "Gates", "Unrolled", "Gradients"):
        app.open(path, "arch=gru&seq_len=30")
        assert not app.exceptions(), path
        if path:
            assert app.figures(), path
        else:  # Home draws its two diagrams as static pictures (no plotly.js on the first page a class opens)
            assert app.page.locator("img[data-rv-figure]").count() >= 2
        app.shot(path or "home")
    # settings from a link stay when the student moves on through the sidebar
    app.page.get_by_role("link", name="Train").first.click()
    app.settle()
    assert "arch=gru" in app.page.url and "seq_len=30" in app.page.url
    assert "session's GRU" in app.page.inner_text("body")
    # short names typed by hand work as well as the labels the app writes
    app.open("Hidden_states", "arch=gru&task=copy&seq_len=25")
    status = app.page.inner_text("body")
    assert "session's GRU on “Copy after a delay”" in status and "T=25" in status
    assert app.figure("every unit at every step")["traces"][0]["cols"] == 25
    app.open("Hidden_states", "seq_len=abc&arch=transformer&hidden=100000&bogus=1")
    body = app.page.inner_text("body")
    assert not app.exceptions()
    assert "seq_len='abc'" in body and "arch='transformer'" in body and "unknown link parameter" in body
    assert app.figure("every unit at every step")["traces"][0]["cols"] == 50  # defaults used
    app.shot("junk_link")
