"""The Text and Compare pages' link tables: typed text travels in a link (bounded), and the tables offer
exactly what the pages' widgets offer."""

from rnnviz.settings import PAGE_FIELDS, page_query, page_values


def by_name(page):
    return {f.name: f for f in PAGE_FIELDS[page]}


def test_typed_text_goes_into_a_link_bounded_and_printable():
    values, notes = page_values("text", {"tx_prompt": "A class ", "tx_sentence": "the bank and the bank"})
    assert values == {"tx_prompt": "A class ", "tx_sentence": "the bank and the bank"} and not notes
    values, notes = page_values("text", {"tx_prompt": "x" * 500, "tx_word": "a\nb"})
    assert values == {"tx_prompt": "x" * 200, "tx_word": "ab"}
    assert len(notes) == 2 and "at most 200 printable characters" in notes[0] and "using “xxxx" in notes[0]
    assert page_query("text", {"tx_prompt": "The ", "tx_temp": 1.3, "tx_topk": 5, "tx_sent": "it was fun"}) == {
        "tx_temp": "1.3",
        "tx_topk": "5",
        "tx_sent": "it was fun",
    }
    values, _ = page_values("text", {"tx_topk": "all", "tx_corpus": "upload"})
    assert values == {"tx_topk": None, "tx_corpus": "upload"}  # an upload is a choice; the page says the file stays behind


def test_the_text_table_matches_the_pages_widgets():
    from rnnviz.data.corpus import CORPORA
    from rnnviz.language.charlm import DEFAULTS, MAX_LINK_STEPS
    from rnnviz.language.context import DEFAULT_SENTENCE
    from rnnviz.language.sentiment import DEFAULT_SENTENCE as SENTIMENT_DEFAULT
    from rnnviz.ui.text import WIDGET_DEFAULTS

    f = by_name("text")
    assert f["tx_corpus"].options == (*CORPORA, "upload")
    assert f["tx_sentence"].default == DEFAULT_SENTENCE and f["tx_sent"].default == SENTIMENT_DEFAULT
    assert f["tx_hidden"].default == DEFAULTS["hidden"] and f["tx_steps"].hi == MAX_LINK_STEPS
    for field in f.values():
        if field.widget_key in WIDGET_DEFAULTS:
            assert WIDGET_DEFAULTS[field.widget_key] == field.default, field.name


def test_the_compare_table_matches_the_page_and_the_sweep():
    from rnnviz.compare.sweep import SWEEP_FILE, load
    from rnnviz.models import COMPARE_ARCHS

    f = by_name("compare")
    assert [n for n in f if n in {f"cmp_{a}" for a in COMPARE_ARCHS}] == [f"cmp_{a}" for a in COMPARE_ARCHS]
    sw = load(SWEEP_FILE)
    assert f["cmp_cell_arch"].options == tuple(sw["archs"]) and f["cmp_cell_arch"].default == sw["archs"][0]
    assert f["cmp_cell_len"].options == tuple(sw["lengths"]) and f["cmp_cell_seed"].options == tuple(sw["seeds"])
    values, notes = page_values("compare", {"cmp_cnn": "false", "cmp_len": "30", "cmp_x": "seconds"})
    assert values == {"cmp_cnn": False, "cmp_len": 30, "cmp_x": "seconds"} and not notes
