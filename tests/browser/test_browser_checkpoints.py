"""Save the model, throw it away, load it back: the same model; a random file changes nothing."""

import os
import re


def trained_steps(app) -> int:
    found = re.findall(r"trained for ([\d,]+) steps", app.page.inner_text("body"))
    assert found, "the page does not say how far the model has trained"
    return int(found[-1].replace(",", ""))


def test_download_reset_upload_load(app, tmp_path):
    app.open("Train", "hidden=8&seq_len=10")
    app.page.get_by_role("button", name="Step", exact=True).click()
    app.settle()
    n = trained_steps(app)
    assert n > 0
    box = app.page.locator("[data-testid='stExpander']", has_text="Save or load this model")
    box.get_by_text("Save or load this model").click()
    with app.page.expect_download() as info:
        box.get_by_role("button", name="Download this model").click()
    download = info.value
    assert download.suggested_filename == f"rnnviz-lstm-adding-step{n}.pt"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.stat().st_size > 1000

    app.page.get_by_role("button", name="Reset", exact=True).click()
    app.settle()
    assert "untrained" in app.page.inner_text("body")

    uploader = box.locator("[data-testid='stFileUploaderDropzoneInput']")
    uploader.set_input_files(str(path))
    app.settle()
    assert f"trained for {n:,} steps" in box.inner_text()  # what the file holds, before loading
    app.page.get_by_role("button", name="Load this model", exact=True).click()
    app.settle()
    assert trained_steps(app) == n and f"step={n}" in app.page.url
    assert not app.exceptions()
    app.shot("checkpoint_loaded")

    junk = tmp_path / "junk.pt"
    junk.write_bytes(os.urandom(3000))
    uploader.set_input_files(str(junk))
    app.settle()
    alerts = [e.inner_text() for e in box.locator("[data-testid='stAlert']").all()]
    assert len(alerts) == 1 and "not a PyTorch file" in alerts[0] and "Nothing was changed" in alerts[0], alerts
    assert not box.get_by_role("button", name="Load this model", exact=True).count()
    assert trained_steps(app) == n
    assert not app.exceptions()
    app.shot("checkpoint_refused")
