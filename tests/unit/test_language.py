"""The Text page's package: corpora, sampling, reading a text, the context view, the sentiment reader,
the shipped model and the `text` command line."""

import json

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.data.corpus import ALPHABET, load_corpus, user_corpus
from rnnviz.errors import ConfigError
from rnnviz.language.charlm import (
    build_text_run,
    fit_text,
    generate,
    load_shipped,
    next_distribution,
    read_text,
    text_settings,
    unigram_bpc,
)
from rnnviz.language.context import DEFAULT_SENTENCE, context_view, repeated_words
from rnnviz.language.sentiment import TEST_SENTENCES, read_words, score_test_set, train_reader
from rnnviz.plots import language as lp


@pytest.fixture(scope="module")
def story_run():
    """A small LSTM trained a little on the story: enough to have opinions, quick to build."""
    run = build_text_run(load_corpus("story"), text_settings(hidden=16, seq_len=40, lr=1e-2))
    run.run(n_steps=60)
    return run


def test_corpora_load_split_and_state_their_source():
    py = load_corpus("pydoc")
    assert 150_000 <= len(py.train) <= 200_000 and len(py.heldout) > 5_000
    assert set(py.train) <= set(ALPHABET) and set(py.heldout) <= set(py.train)
    assert py.heldout[:300] not in py.train  # whole topics are held out
    assert "PSF" in py.source and "pydoc_data" in py.source
    story = load_corpus("story")
    assert story.train and story.heldout and "public domain" in story.source
    with pytest.raises(ConfigError, match="choose one of pydoc, story"):
        load_corpus("shakespeare")
    own = user_corpus("word " * 100)
    assert own.train + own.heldout == "word " * 100 and len(own.heldout) < len(own.train)


def test_sampling_is_reproducible_with_a_seed(story_run):
    m, tok = story_run.model, story_run.task.tokens
    a = generate(m, tok, "the sky", 80, temperature=1.0, seed=3)
    assert a == generate(m, tok, "the sky", 80, temperature=1.0, seed=3)
    assert len(a) == 80 and set(a) <= set(tok)
    others = {generate(m, tok, "the sky", 80, temperature=1.0, seed=s) for s in (4, 5, 6)}
    assert others - {a}, "another seed should write another text"


def test_temperature_zero_takes_the_most_likely_character(story_run):
    m, tok = story_run.model, story_run.task.tokens
    prompt = "the birds "
    out = generate(m, tok, prompt, 30, temperature=0.0, seed=1)
    assert out == generate(m, tok, prompt, 30, temperature=0.0, seed=99)  # no randomness left
    r = read_text(m, tok, prompt + out)
    for t in range(len(prompt) - 1, len(prompt) + len(out) - 1):
        assert r.top_chars[t][0] == (prompt + out)[t + 1]
    p = next_distribution(np.array([0.1, 2.0, -1.0]), 0.0, None)
    assert p.tolist() == [0.0, 1.0, 0.0]


def test_top_k_is_respected(story_run):
    logits = np.array([3.0, 1.0, 2.0, 0.5, -1.0])
    p = next_distribution(logits, 1.5, 2)
    assert np.count_nonzero(p) == 2 and p[0] > p[2] > 0 and abs(p.sum() - 1) < 1e-12
    m, tok = story_run.model, story_run.task.tokens
    out = generate(m, tok, "on sunny days ", 60, temperature=2.0, top_k=2, seed=0)
    r = read_text(m, tok, "on sunny days " + out)
    start = len("on sunny days ") - 1
    assert all((("on sunny days " + out)[t + 1] in r.top_chars[t][:2]) for t in range(start, start + len(out)))
    assert generate(m, tok, "the ", 40, temperature=1.3, top_k=1, seed=5) == generate(m, tok, "the ", 40, temperature=0.0)
    with pytest.raises(ConfigError):
        generate(m, tok, "the ", 10, temperature=-1)
    with pytest.raises(ConfigError):
        generate(m, tok, "the ", 10, top_k=0)


def test_reading_gives_top5_per_position_and_bits_against_unigram(story_run):
    m, tok = story_run.model, story_run.task.tokens
    r = read_text(m, tok, "the sky is blue")
    assert len(r.top_chars) == 15 and all(len(row) == 5 for row in r.top_chars)
    assert np.all(np.diff(r.top_probs, axis=1) <= 0) and r.hidden.shape == (15, 16) and len(r.bits) == 14
    assert unigram_bpc("ab" * 50, "ab" * 10) == pytest.approx(1.0, abs=0.05)


def test_context_view_finds_both_learnings_with_different_states(story_run):
    tm = load_shipped()  # the page's own model: a little-trained one forgets "I am" vs "machine" at once
    assert repeated_words(DEFAULT_SENTENCE) == {"learning": [(5, 13), (22, 30)]}
    v = context_view(tm.model, tm.tokens, DEFAULT_SENTENCE)
    assert v.word == "learning" and v.spans == [(5, 13), (22, 30)] and v.positions == [12, 29] and not v.note
    assert v.distance > 0.1 and not np.allclose(v.states[0], v.states[1], atol=0.01)
    assert len(v.predictions) == 2 and all(len(p) == 5 for p in v.predictions)
    assert v.predictions[0] != v.predictions[1]
    assert len(v.random_distances) == 300 and 0 <= v.percentile <= 100 and "“learning”" in v.verdict()
    m, tok = story_run.model, story_run.task.tokens
    assert "“I”" in context_view(m, tok, DEFAULT_SENTENCE).note  # the story has no capitals: "I" is read as "i"
    other = context_view(m, tok, "the sky and the birds and the sky", word="sky")
    assert other.contexts()[1].endswith("sky") and len(other.spans) == 2
    with pytest.raises(ConfigError, match="No word appears twice"):
        context_view(m, tok, "every word here differs")


def test_fit_text_says_what_it_changed():
    assert fit_text("Hi!", ("h", "i")) == (
        "hi",
        "The model never saw every character you typed: it changed the case of “H” and left out “!” (not in the training text).",
    )
    assert fit_text("hi", ("h", "i")) == ("hi", "")


def test_sentiment_reader_flips_with_not():
    run = train_reader(steps=300, hidden=16)
    m, tok = run.model, run.task.tokens
    good, not_good = read_words(m, tok, "the film was good"), read_words(m, tok, "the film was not good")
    assert good.label == "positive" and not_good.label == "negative"
    assert not_good.positive[3] > not_good.positive[4]  # the answer drops at "good", after "not"
    assert read_words(m, tok, "the movie was not bad").label == "positive"
    rows = score_test_set(m, tok)
    assert len(rows) == len(TEST_SENTENCES) and sum(r["right"] for r in rows) >= 0.9 * len(rows)
    odd = read_words(m, tok, "the film was not bad at all")
    assert odd.known == [True] * 5 + [False, False] and np.isnan(odd.positive[-1]) and odd.label == "positive"
    with pytest.raises(ConfigError):
        read_words(m, tok, "zebra quantum")


def test_shipped_model_beats_the_unigram_baseline():
    tm = load_shipped()
    assert tm.corpus.name == "pydoc" and tm.steps > 0
    assert tm.bpc["heldout"] < tm.bpc["unigram"] - 1.0 and tm.bpc["train"] <= tm.bpc["heldout"]
    assert generate(tm.model, tm.tokens, "The ", 40, temperature=0.0).strip()


def test_text_command_line(capsys):
    assert main(["text", "--corpus", "nope", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown corpus 'nope'; choose one of pydoc, story" in err
    assert main(["text", "--steps", "-5"]) == 2
    assert main(["text", "--corpus", "story", "--steps", "20", "--json"]) == 0
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert set(report["bpc"]) == {"heldout", "train", "unigram"} and all(isinstance(v, float) for v in report["bpc"].values())
    assert len(report["samples"]) == 3 and all(len(s) > 200 for s in report["samples"])
    assert "step 20/20" in out.err


def test_plot_builders_label_their_figures(story_run):
    m, tok = story_run.model, story_run.task.tokens
    r = read_text(m, tok, "the sky")
    v = context_view(m, tok, "the sky and the sky")
    figs = [
        lp.next_char_figure("the sky", r.top_chars, r.top_probs),
        lp.states_side_by_side(v.states, ["a", "b"], v.units),
        lp.unit_pairs_figure(v.states, ["a", "b"], v.units),
        lp.distance_figure(v.distance, v.random_distances, v.word),
        lp.bpc_figure({"heldout": 2.0, "train": 1.8, "unigram": 4.4}),
        lp.sentiment_figure(["not", "good"], np.array([0.5, 0.1]), [True, True]),
    ]
    assert all(f.layout.title.text for f in figs)
    assert len(lp.prediction_figure(v.predictions, ["a", "b"]).data) == 2
    assert "&lt;b&gt;" in lp.stream_html("<b>", "") and "&lt;" in lp.context_html("a <x> sky", 3)
