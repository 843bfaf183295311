"""The gradient lab in a real browser: make the gradient vanish, then raise the scale so it does not."""

import math
import re


def _orders(app):
    ys = [v for v in app.figure("dL/dh_t|| for the session's")["traces"][0]["y"] if v is not None]
    return math.log10(ys[-1] / ys[0])


def test_vanish_then_raise_the_scale(app):
    app.open("Gradients")
    app.page.get_by_role("button", name="Make it vanish").click()
    app.settle()
    assert not app.exceptions()
    assert "seq_len=40" in app.page.url and "scale=0.5" in app.page.url
    vanished = _orders(app)
    print(f"\nvanilla tanh RNN, sigma_max(W_hh)=0.5, T=40: the gradient falls by 10^{vanished:.1f} back to t=0")
    assert vanished > 6  # orders of magnitude
    assert "From the last step back to t=0 the gradient shrinks about" in app.page.inner_text("body")
    app.shot("gradients_vanish")
    app.page.get_by_text("Recurrent weights (gradient lab)").click()
    thumb = app.slider("Recurrent scale")
    thumb.focus()
    for _ in range(6):  # 0.5 -> 0.75 -> 0.9 -> 1.0 -> 1.1 -> 1.5 -> 2.0
        thumb.press("ArrowRight")
    app.settle()
    assert re.search(r"scale=2(&|$)", app.page.url), app.page.url
    raised = _orders(app)
    print(f"with sigma_max(W_hh)=2.0 it changes by 10^{raised:.1f}")
    assert raised < 1
    assert "From the last step back to t=0 the gradient grows" in app.page.inner_text("body")
    app.shot("gradients_scale2")
    # the Unrolled page shows the same model's backward pass
    app.open("Unrolled", "arch=rnn&init=orthogonal&scale=0.5&seq_len=40")
    app.page.get_by_text("gradient (backward)").click()
    app.settle()
    assert not app.exceptions()
    assert "backward pass" in app.figure("Unrolled through time")["title"]
    app.shot("unrolled_backward")


def test_explode_then_rescue_with_clipping(app):
    import time

    app.open("Gradients")
    app.page.get_by_role("button", name="Make it explode").click()
    app.settle()
    assert "clip=false" in app.page.url and "optimizer=sgd" in app.page.url
    app.page.get_by_role("link", name="Train").first.click()
    app.settle()
    app.page.get_by_role("button", name="Start", exact=True).click()
    app.wait_for_status("diverged", 90)
    # the status line, the counter and the notice come from one reading of the session: once the
    # status says diverged, the notice is there, and it names the step the counter shows
    body = app.page.inner_text("body")
    assert "This run diverged" in body and "clipping" in body, body[-800:]
    said = re.search(r"This run diverged at step ([\d,]+)\.", body)
    counter = app.page.locator("[data-testid='stMetric']", has_text="steps done").first.inner_text()
    assert said and counter.split()[-1] == said.group(1), (said, counter)
    assert app.figure("Loss: training batches")["traces"][0]["y"]  # the history stays drawn
    app.shot("train_exploded")
    app.page.get_by_role("link", name="Gradients").first.click()
    app.settle()
    app.page.get_by_role("button", name="Rescue with clipping").click()
    app.settle()
    app.page.get_by_role("link", name="Train").first.click()
    app.settle()
    body = app.page.inner_text("body")
    assert "untrained" in body, body[-800:]  # the dead run was replaced
    app.page.get_by_role("button", name="Start", exact=True).click()

    def clip_events():
        traces = app.figure("Total gradient norm")["traces"]
        return sum(len(t["y"] or []) for t in traces if t["name"] == "clipped at this step")

    app.wait_for_status("training", 30)
    deadline = time.time() + 90  # the same run that diverged, now clipped: it reaches the solved line
    while time.time() < deadline and "Solved at step" not in app.page.inner_text("body"):
        time.sleep(0.5)
    body = app.page.inner_text("body")
    if app.status().startswith("training"):
        app.page.get_by_role("button", name="Pause", exact=True).click()
        app.wait_for_status("paused", 30)
    assert "Solved at step" in body, body[-800:]
    assert "diverged" not in app.page.inner_text("body")
    assert clip_events() >= 1  # the few spiking steps were capped
    app.shot("train_rescued")
