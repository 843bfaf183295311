"""The Digits page: the pictures and their source drawn before any training, the four shapes trained as one job
of the shared worker and scored on the held-out pictures, every choice in the link, junk with one note."""

import json

from appkit import go, new_app, text, wait_jobs

PAGE = "pages/14_Digits.py"


def charts(at) -> list[str]:
    return [json.loads(c.proto.spec).get("layout", {}).get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_the_page_shows_the_pictures_the_shapes_and_the_source_before_training():
    at = go(new_app(), PAGE)
    assert at.title[0].value == "Digits: pictures in, words out"
    words = text(at)
    assert "no recurrence needed" in words and "Alpaydin" in words and "CC BY 4.0" in words and "BSD-3-Clause" in words
    assert any("8 × 8 pixels" in t for t in charts(at))
    assert all(at.checkbox(key=f"dg_{s}").value for s in ("one_to_one", "many_to_one", "one_to_many", "many_to_many"))
    assert "No results yet" in words and not at.get("progress")


def test_training_scores_every_shape_and_the_link_brings_the_same_models_back():
    at = go(new_app(query={"dg_units": "16", "dg_seed": "3"}), PAGE)
    assert at.selectbox(key="dg_hidden").value == 16
    at.select_slider(key="dg_steps").set_value(100).run()
    at.button(key="dg_train").click().run()
    assert not at.exception and at.get("progress")  # it trains in the worker; the page follows
    assert at.query_params["dg_run"] == "true"
    wait_jobs(at)
    table = at.dataframe[0].value
    assert list(table["shape"]) == ["one-to-one", "many-to-one", "one-to-many", "many-to-many"]
    assert (table["accuracy"] > 20).sum() >= 3  # 100 steps already beat guessing (10%) by far, but for the speller maybe
    titles = " ".join(charts(at))
    assert "How well each shape does" in titles and "How early does it know" in titles and "Writing “" in titles
    assert "Test picture 0" in titles
    words = text(at)
    assert "one-to-many** writes" in words and "many-to-many** says" in words
    at.number_input(key="dg_image").set_value(17).run()
    assert not at.exception and "Test picture 17" in " ".join(charts(at)) and at.query_params["dg_image"] == "17"
    acc = float(table["accuracy"].iloc[0])
    other = go(new_app(query=dict(at.query_params)), PAGE)  # a new browser from the link: the same models, from the board
    wait_jobs(other)
    assert float(other.dataframe[0].value["accuracy"].iloc[0]) == acc


def test_junk_in_the_link_gets_one_note_and_sane_choices():
    at = go(new_app(query={"dg_steps": "77777", "dg_arch": "tcn", "dg_image": "-4", "dg_one_to_many": "maybe"}), PAGE)
    assert len(at.warning) == 1
    note = at.warning[0].value
    assert "dg_steps" in note and "dg_arch" in note and "dg_image" in note and "dg_one_to_many" in note
    assert at.select_slider(key="dg_steps").value == 1500 and at.selectbox(key="dg_arch").value == "gru"
