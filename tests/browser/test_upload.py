"""Bring your own text: a bad file is refused with a message and nothing lost; a good one is used."""


def test_upload_own_text(app, tmp_path):
    app.open("Train", "task=charlm&seq_len=20&hidden=8")
    app.page.get_by_role("button", name="Step", exact=True).click()
    app.settle()
    before = app.page.inner_text("body")
    assert "trained for" in before
    app.page.get_by_text("Train on your own text").click()
    bad = tmp_path / "picture.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00binary")
    app.page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.txt']").set_input_files(str(bad))
    app.settle()
    body = app.page.inner_text("body")
    assert "not UTF-8 text" in body and "Nothing was changed" in body and "trained for" in body
    good = tmp_path / "rhyme.txt"
    good.write_text("row row row your boat, gently down the stream. merrily merrily merrily, life is but a dream.\n" * 3)
    app.page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.txt']").set_input_files(str(good))
    app.settle()
    assert "rhyme.txt" in app.page.inner_text("body")
    app.page.get_by_role("button", name="Start a new model on this text").click()
    app.settle()
    body = app.page.inner_text("body")
    assert "untrained" in body and "Training on your text" in body
    assert not app.exceptions()
    app.shot("own_text")
