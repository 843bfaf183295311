"""The check an uploaded text passes before the character model may train on it."""

from rnnviz.ui.upload import MIN_CHARS, read_text_upload


def test_text_upload_checks():
    text, why = read_text_upload(("the cat sat on the mat. " * 10).encode())
    assert text and not why
    assert read_text_upload(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")[1].startswith("That file is not UTF-8 text")
    assert f"at least {MIN_CHARS}" in read_text_upload(b"too short")[1]
    assert "limit" in read_text_upload(b"a" * 1_000_001)[1]
    assert "distinct" in read_text_upload("".join(chr(0x4E00 + i) for i in range(300)).encode())[1]
    assert read_text_upload(b"")[0] is None
