"""Translate: a student types a number in words, sees both translations and the attention matrix;
a misspelt word is named and the last translation stays."""


def metric(app, label):
    box = app.page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


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
