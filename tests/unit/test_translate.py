"""Translation with attention: the task's rules, the data, the model, the shipped models, the CLI."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.errors import ConfigError
from rnnviz.language import translate as tr
from rnnviz.runtime.jobs import JobStatus


def test_rules_write_numbers_as_the_docs_say_and_parse_back():
    assert tr.number_to_words(0) == "zero"
    assert tr.number_to_words(42) == "forty two"
    assert tr.number_to_words(305) == "three hundred and five"
    assert tr.number_to_words(2005) == "two thousand and five"
    assert tr.number_to_words(12300) == "twelve thousand three hundred"
    assert tr.number_to_words(987654) == "nine hundred and eighty seven thousand six hundred and fifty four"
    for n in tr.sample_numbers(np.random.default_rng(3), 3000):
        assert tr.words_to_number(tr.number_to_words(n)) == n
    assert tr.words_to_number("Forty-Two") == 42
    for off_rules in ["two thousand five", "forty forty", "hundred", "three hundred forty two", "twelve and"]:
        assert tr.words_to_number(off_rules) is None, off_rules
    with pytest.raises(ConfigError):
        tr.number_to_words(10**6)


def test_data_is_reproducible_and_held_out_numbers_never_train():
    a = tr.sample_numbers(np.random.default_rng([5, 1]), 500)
    b = tr.sample_numbers(np.random.default_rng([5, 1]), 500)
    assert np.array_equal(a, b) and not np.array_equal(a, tr.sample_numbers(np.random.default_rng([6, 1]), 500))
    assert not tr.is_heldout(a).any()
    held = tr.heldout_numbers(0, 300)
    assert tr.is_heldout(held).all() and len(set(held.tolist())) == 300
    assert 0.09 < tr.is_heldout(np.arange(100_000)).mean() < 0.11
    lengths = {tr.word_count(n) for n in a}
    assert min(lengths) <= 2 and max(lengths) >= 10  # inputs of many lengths
    b = tr.make_batch([7, 2005])
    assert b.src_len.tolist() == [1, 4]
    assert [tr.TGT_VOCAB[i] for i in b.tgt_out[1]] == ["2", "0", "0", "5", tr.END]
    assert [tr.TGT_VOCAB[i] for i in b.tgt_in[1]] == ["<start>", "2", "0", "0", "5"]


def test_bad_sentences_get_one_message_naming_the_problem():
    for text, word in [("", "Type a number"), ("   ", "Type a number"), ("fourty two", "forty"), ("forty two apples", "apples")]:
        with pytest.raises(tr.TranslateInputError, match=word):
            tr.check_source(text)
    with pytest.raises(tr.TranslateInputError, match="at most 20"):
        tr.check_source("one " * 21)
    with pytest.raises(tr.TranslateInputError, match="pad"):  # the padding token is not a word
        tr.check_source("<pad>")
    assert tr.check_source("Two thousand, and five.") == ["two", "thousand", "and", "five"]


@pytest.fixture(scope="module")
def shipped():
    return tr.load()


def test_attention_weights_sum_to_one_over_the_input_and_decoding_works(shipped):
    _, models = shipped
    t = tr.translate(models["attention"], "three hundred and forty two")
    assert t.text == "342" and t.tokens[-1] == tr.END
    assert t.attention.shape == (len(t.tokens), 5)
    assert np.allclose(t.attention.sum(1), 1, atol=1e-5) and (t.attention >= 0).all()
    # in a batch with padding, no weight goes to the padding and the rows still sum to 1
    b = tr.make_batch([3, 987654, 2005])
    ids, alpha = models["attention"].greedy(b.src, b.src_len)
    for k, n in enumerate(b.src_len.tolist()):
        steps = len(tr.decode_tokens(ids[k]))
        assert torch.allclose(alpha[k, :steps].sum(-1), torch.ones(steps), atol=1e-5)
        assert float(alpha[k, :, n:].abs().sum()) == 0
    plain = tr.translate(models["no_attention"], "two thousand and five")
    assert plain.attention is None and plain.text.rstrip("…").isdigit()


def test_attention_beats_no_attention_on_inputs_longer_than_the_training_median(shipped):
    cfg, models = shipped
    r = tr.measure(models, tr.TrainConfig(**{**cfg.__dict__, "test_size": 600}))
    long = r["accuracy_longer_than_median"]
    assert long["attention"] > long["no_attention"] + 0.1, long
    assert long["attention"] > 0.9
    assert set(r["accuracy"]["attention"]) == set(r["count"]) and all(int(k) > 0 for k in r["count"])


def test_shipped_results_match_the_shipped_models(shipped):
    """The results file beside the weights is what those weights measure (same held-out numbers)."""
    cfg, models = shipped
    r = tr.shipped_results()
    assert r["command"].startswith("python -m rnnviz translate")
    assert r["config"] == tr.config_dict(cfg)  # the digits JSON has no target (it was made before there was one)
    again = tr.measure(models, cfg)
    assert again["count"] == r["count"]
    for kind, acc in r["accuracy"].items():  # equal here; another CPU's rounding may flip one close call per length
        for L, v in acc.items():
            assert abs(again["accuracy"][kind][L] - v) <= 1.01 / r["count"][L], (kind, L)
    assert os.path.getsize(tr.SHIPPED_MODELS) < 1_000_000


TINY = tr.TrainConfig(steps=40, hidden=4, embed=4, batch=16, test_size=50)


def test_training_is_seeded_and_learns_and_saves(tmp_path):
    """Both models train on the shared Trainer (the page's job, run here): the same config gives the same
    losses and weights, the loss falls, and save/load keeps the models."""
    exp = tr.run_experiment(TINY)
    again = tr.run_experiment(TINY)
    assert set(exp.models) == set(tr.KINDS) == set(exp.losses)
    for kind in tr.KINDS:
        la = exp.losses[kind]
        assert la == again.losses[kind] and len(la) == TINY.steps and np.mean(la[-5:]) < np.mean(la[:5])
        for pa, pb in zip(exp.models[kind].parameters(), again.models[kind].parameters()):
            assert torch.equal(pa, pb)
    assert exp.losses["attention"] != exp.losses["no_attention"]
    assert exp.result["seconds"] > 0
    assert {**exp.result, "seconds": 0} == {**again.result, "seconds": 0} == {**tr.measure(exp.models, TINY), "seconds": 0}
    path = str(tmp_path / "m.pt")
    tr.save(exp, path, command="test")
    cfg2, loaded = tr.load(path)
    assert cfg2 == TINY and tr.translate(loaded["attention"], "seven").text == tr.translate(exp.models["attention"], "seven").text
    with open(tmp_path / "m.json") as f:
        assert json.load(f)["command"] == "test"


def test_the_task_feeds_the_trainer_the_old_loops_batches_and_loss():
    """NumberWords draws what training always drew (sample_numbers on the stream [seed, 1]) and scores it
    with cross-entropy over digits and the end mark, padding ignored; the trainer clips at norm 1."""
    trainer = tr.translator_trainer(TINY, attention=True)
    assert (trainer.cfg.clip, trainer.cfg.clip_value, trainer.cfg.lr, trainer.cfg.batch_size) == (True, 1.0, TINY.lr, TINY.batch)
    b = trainer.task.batch(TINY.batch, trainer.cfg.seq_len, np.random.default_rng([TINY.seed, 1]))
    expect = tr.make_batch(tr.sample_numbers(np.random.default_rng([TINY.seed, 1]), TINY.batch))
    assert np.array_equal(b.extra["numbers"], expect.numbers) and torch.equal(b.y, expect.tgt_out)
    logits, loss = trainer.task.forward_loss(trainer.model, b)
    ref = torch.nn.CrossEntropyLoss(ignore_index=tr.PAD)(logits.reshape(-1, logits.shape[-1]), expect.tgt_out.reshape(-1))
    assert torch.equal(loss, ref)
    assert 0 <= trainer.task.metric(logits, b) <= 1


def test_the_job_trained_by_the_worker_in_a_trainer_process_gives_the_cli_numbers():
    """The page's path (the shared worker, turns in a trainer process: the trainer pickles and comes back
    as deltas) and the CLI's (run here) train the same models; scores arrive per model as it finishes."""
    from rnnviz.runtime.session import Worker

    here = tr.run_experiment(TINY)
    job = tr.translate_job(TINY)
    assert job.key == tr.translate_key(TINY) and tr.translate_key(TINY) != tr.translate_key(
        tr.TrainConfig(**{**TINY.__dict__, "seed": 1})
    )
    w = Worker(threads=1, chunk=0.05, elsewhere=True)
    job.start()
    w.submit(job)
    end = time.monotonic() + 300  # a busy shared machine
    while not job.done and time.monotonic() < end:
        job.touch()  # someone is looking
        time.sleep(0.02)
    w.stop()
    assert job.done, job.view()
    exp = job.result
    assert exp.losses == here.losses
    assert {k: v for k, v in exp.result.items() if k != "seconds"} == {k: v for k, v in here.result.items() if k != "seconds"}
    for kind in tr.KINDS:
        for pa, pb in zip(exp.models[kind].parameters(), here.models[kind].parameters()):
            assert torch.equal(pa, pb)
    v = job.view()
    assert tr.losses_by_model(v) == here.losses and list(v.pieces) == ["with attention", "without attention"]


def test_the_first_models_scores_and_both_losses_show_before_the_whole_result():
    job = tr.translate_job(TINY)
    job.start()
    job.tick(None)  # the held-out numbers and the whole first model
    v = job.view()
    assert v.status is JobStatus.RUNNING and v.result is None and list(v.pieces) == ["with attention"]
    part = tr.partial_result(v)
    assert list(part["accuracy"]) == ["attention"] and set(part["count"]) == set(part["accuracy"]["attention"])
    assert list(tr.losses_by_model(v)) == ["attention"] and len(tr.losses_by_model(v)["attention"]) == TINY.steps
    job.tick(0.05)
    assert set(tr.losses_by_model(job.view())) == set(tr.KINDS)  # the second model's curve, as it trains
    assert job.run_here().done and tr.partial_result(job.view())["accuracy"].keys() == set(tr.KINDS)


def test_load_refuses_a_file_that_is_not_ours(tmp_path):
    p = tmp_path / "x.pt"
    torch.save({"hello": 1}, p)
    with pytest.raises(ConfigError, match="not an rnnviz translation"):
        tr.load(str(p))
    p.write_bytes(b"junk")
    with pytest.raises(ConfigError, match="cannot read"):
        tr.load(str(p))


@pytest.mark.parametrize(
    "args, says",
    [
        (["--steps", "-1"], "steps"),
        (["--hidden", "abc"], "--hidden"),
        (["--lr", "7"], "learning rate"),
        (["--seed", "123456"], "seed"),
        (["--test-size", "3"], "test size"),
        (["--wat"], "unrecognized"),
        (["--target", "fr"], "--target"),
    ],
)
def test_cli_bad_args_one_line_exit_2(args, says, capsys):
    assert main(["translate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err


def test_cli_json_by_length(tmp_path):
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnnviz",
            "translate",
            "--steps",
            "20",
            "--hidden",
            "8",
            "--json",
            "--save",
            str(tmp_path / "t.pt"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-500:]
    out = json.loads(p.stdout)
    keys = ["task", "accuracy", "count", "train_median_words", "accuracy_longer_than_median", "parameters", "config", "seconds"]
    assert list(out) == keys  # the JSON the command always printed
    assert set(out["accuracy"]) == {"attention", "no_attention"}
    for acc in out["accuracy"].values():
        assert acc and all(k.isdigit() and 0 <= v <= 1 for k, v in acc.items())
    assert "translate: Training with attention: step 20 of 20" in p.stderr
    assert (tmp_path / "t.pt").exists() and "--steps 20" in json.loads((tmp_path / "t.json").read_text())["command"]


def test_figures_are_labelled_and_keep_repeated_words_apart(shipped):
    from rnnviz.plots.translate import accuracy_by_length, attention_heatmap

    t = tr.translate(shipped[1]["attention"], "five hundred and five")  # 'five' twice
    fig = attention_heatmap(t.words, t.tokens, t.attention)
    assert fig.data[0].z.shape == (4, 4) and list(fig.layout.xaxis.ticktext) == ["five", "hundred", "and", "five"]
    assert list(fig.layout.yaxis.ticktext) == ["5", "0", "5", "&lt;end&gt;"]
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text and fig.layout.title.text
    r = tr.shipped_results()
    acc = accuracy_by_length(r)
    shown = {int(x) for x in acc.data[0].x}
    assert shown == {int(k) for k, n in r["count"].items() if n >= 10} and len(acc.data) == 2
    assert acc.layout.xaxis.title.text == "input length (words)"


def test_the_pages_link_fields_default_to_the_page_and_turn_junk_into_one_note_each():
    from rnnviz.settings import PAGE_FIELDS, page_query, page_values

    fields = {f.name: f for f in PAGE_FIELDS["translate"]}
    assert fields["tr_text"].default == tr.EXAMPLES[0] and fields["tr_steps"].default == 300
    assert fields["tr_units"].default == tr.load()[0].hidden  # the shipped models' size
    values, notes = page_values("translate", {"tr_text": "two thousand and five", "tr_steps": "800", "tr_run": "1"})
    assert values == {"tr_text": "two thousand and five", "tr_steps": 800, "tr_run": True} and not notes
    junk = {"tr_steps": "250", "tr_units": "7", "tr_seed": "-3", "tr_which": "theirs", "tr_run": "maybe", "tr_text": "x" * 400}
    values, notes = page_values("translate", junk)
    assert len(notes) == len(junk) and all(any(k in n for n in notes) for k in junk)
    assert values == {"tr_steps": 200, "tr_units": 8, "tr_seed": 0, "tr_which": "shipped", "tr_run": False, "tr_text": "x" * 300}
    assert page_query("translate", {"tr_text": tr.EXAMPLES[0], "tr_steps": 300, "tr_seed": 4, "tr_run": True}) == {
        "tr_seed": "4",
        "tr_run": "true",
    }


# --- the second target: English number words to German number words, letter by letter ----------------

TINY_DE = tr.TrainConfig(steps=6, hidden=4, embed=4, batch=8, test_size=30, max_digits=3, target="de")


def test_german_words_come_from_num2words_and_round_trip_through_the_vocabulary():
    from rnnviz.language import german as de

    assert de.german(97) == "siebenundneunzig" and de.german(0) == "null" and de.german(30) == "dreißig"
    assert de.german(7727) == "siebentausendsiebenhundertsiebenundzwanzig"  # the longest below 10,000: 42 letters
    words = [de.german(n) for n in range(10**tr.DE_MAX_DIGITS)]
    assert set("".join(words)) <= set(de.LETTERS) and {"ä", "ö", "ü", "ß"} <= set(tr.DE_VOCAB)
    assert max(map(len, words)) == 42 < tr.DE_MAX_OUT
    for w in words[::7]:  # every word cuts into known parts that spell it again
        parts = de.pieces(w)
        assert "".join(p for p, _, _ in parts) == w and all(p in de.PIECE_ENGLISH for p, _, _ in parts)
    assert [p for p, _, _ in de.pieces("siebenundneunzig")] == ["sieben", "und", "neunzig"]
    numbers = [0, 7, 97, 342, 2005, 7727]
    b = tr.make_batch(numbers, "de")
    assert b.src_len.tolist() == [tr.word_count(n) for n in numbers]  # the English side is unchanged
    for k, n in enumerate(numbers):
        tokens = tr.decode_tokens(b.tgt_out[k], "de")
        assert tokens[-1] == tr.END and tr.text_of(tokens, "de") == de.german(n)
        assert tr.decode_tokens(b.tgt_in[k], "de")[0] == "<start>"
    assert tr.text_of(["s", "i"], "de") == "si…"  # a word the model never ended
    with pytest.raises(ConfigError):
        de.german(10**6)
    with pytest.raises(ConfigError, match="target"):
        tr.TrainConfig(target="fr").validate()


def test_german_keeps_the_held_out_rule_and_its_number_range():
    trainer = tr.translator_trainer(TINY_DE, attention=True)
    assert trainer.task.target == "de" and trainer.model.out.out_features == len(tr.DE_VOCAB)
    rng = np.random.default_rng([TINY_DE.seed, 1])
    seen = np.concatenate([trainer.task.batch(64, trainer.cfg.seq_len, rng).extra["numbers"] for _ in range(20)])
    assert not tr.is_heldout(seen).any() and seen.max() < 10**TINY_DE.max_digits
    h = tr.heldout(tr.TrainConfig(**{**tr.default_config("de").__dict__, "test_size": 300}))
    assert tr.is_heldout(h.numbers).all() and h.numbers.max() < 10**tr.DE_MAX_DIGITS
    assert 97 in h.samples and any(tr.is_heldout(n) for n in h.samples)
    assert tr.default_config("de").max_digits == tr.DE_MAX_DIGITS and tr.default_config() == tr.TrainConfig()


def test_a_tiny_german_training_runs_and_scores_whole_words():
    exp = tr.run_experiment(TINY_DE)
    r = exp.result
    assert r["target"] == "de" and r["config"]["target"] == "de" and "num2words" in r["source"]
    assert set(r["accuracy"]) == set(tr.KINDS) and all(0 <= v <= 1 for a in r["accuracy"].values() for v in a.values())
    assert [s["number"] for s in r["samples"]][:3] == [97, 21, 342] and r["samples"][0]["german"] == "siebenundneunzig"
    assert all(isinstance(s["attention"], str) and isinstance(s["no_attention"], str) for s in r["samples"])
    t, parts = tr.attention_by_piece(exp.models["attention"], 97)
    assert t.words == ["ninety", "seven"] and t.attention.shape == (len(t.tokens), 2)
    assert np.allclose(t.attention.sum(1), 1, atol=1e-5)
    assert "".join(p.piece for p in parts) == t.text.rstrip("…")
    for p in parts:
        assert p.rows.shape == (len(p.piece), 2) and 0 <= p.looks_at < 2
    with pytest.raises(ConfigError):
        tr.attention_by_piece(exp.models["no_attention"], 97)


@pytest.mark.skipif(not tr.has_shipped("de"), reason="no German models shipped")
def test_the_shipped_german_attention_model_crosses_over_for_97():
    """German writes 97 as sieben-und-neunzig: the letters of 'sieben' look at 'seven' (the second English
    word) and those of 'neunzig' at 'ninety' (the first)."""
    cfg, models = tr.load(tr.SHIPPED["de"][0])
    assert cfg.target == "de" and os.path.getsize(tr.SHIPPED["de"][0]) < 1_000_000
    for n, expect in [(97, {"sieben": "seven", "neunzig": "ninety"}), (7727, {"sieben": "seven", "zwanzig": "twenty"})]:
        t, parts = tr.attention_by_piece(models["attention"], n)
        assert t.text == tr.target_text(n, "de")
        looked = {p.piece: t.words[p.looks_at] for p in parts if p.piece in expect}
        if n == 97:
            assert looked == expect, looked
        else:  # "sieben" three times: the last one (the units) reads the last word
            last = [p for p in parts if p.piece == "sieben"][-1]
            assert t.words[last.looks_at] == "seven" and last.looks_at == len(t.words) - 1
    crossed = [  # every two-word number from 21 to 99: each part reads its own English word
        t.words[p.looks_at] == p.english
        for n in range(21, 100)
        if n % 10
        for t, parts in [tr.attention_by_piece(models["attention"], n)]
        for p in parts
        if p.english
    ]
    assert all(crossed) and len(crossed) == 144
    r = tr.shipped_results(tr.SHIPPED["de"][1])
    assert r["command"].startswith("python -m rnnviz translate --target de") and r["config"] == tr.config_dict(cfg)
    assert r["date"] and r["accuracy_longer_than_median"]["attention"] >= 0.95


def test_cli_target_de_prints_the_german_json(capsys):
    args = ["translate", "--target", "de", "--steps", "4", "--hidden", "4", "--batch", "8", "--test-size", "20", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    keys = ["task", "accuracy", "count", "train_median_words", "accuracy_longer_than_median", "parameters", "config", "seconds"]
    assert list(out) == [*keys, "target", "source", "samples"]
    assert out["config"]["target"] == "de" and out["config"]["max_digits"] == tr.DE_MAX_DIGITS
    assert set(out["accuracy_longer_than_median"]) == set(tr.KINDS) and out["seconds"] > 0
    assert out["samples"][0]["german"] == "siebenundneunzig" and set(out["samples"][0]) >= {"english", *tr.KINDS}


def test_cli_bad_target_one_line_exit_2(capsys):
    assert main(["translate", "--target", "fr"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--target" in err and "Traceback" not in err


def test_the_german_letters_heatmap_turns_the_matrix_and_names_the_parts():
    from rnnviz.plots.translate import letters_heatmap

    word = "siebenundneunzig"
    alpha = np.zeros((len(word) + 1, 2), np.float32)
    alpha[:6, 1] = alpha[6:, 0] = 1
    parts = [("sieben", 0, 6), ("und", 6, 9), ("neunzig", 9, 16)]
    fig = letters_heatmap(["ninety", "seven"], [*word, "end"], alpha, parts, [1, 0, 0])
    assert fig.data[0].z.shape == (2, 17) and list(fig.layout.yaxis.ticktext) == ["ninety", "seven"]
    assert list(fig.layout.xaxis.ticktext)[:6] == list("sieben") and fig.layout.xaxis.title.text
    notes = [a.text for a in fig.layout.annotations]
    assert any("sieben" in a and "seven" in a for a in notes) and any("neunzig" in a and "ninety" in a for a in notes)
    assert list(fig.data[0].colorbar.tickvals) == [0, 0.5, 1]  # two words: a short colour bar, three ticks that do not crowd
