"""Digits: the fixed stratified split, each shape's model and its outputs, a short training run that beats
guessing, the speller's greedy decoding, and the command line's JSON and its refusals."""

import json
import pickle

import numpy as np
import pytest
import torch

from rnnviz.errors import ConfigError
from rnnviz.signals.digits import (
    END,
    IN_TOKENS,
    MAX_WRITE,
    NAMES,
    OUT_TOKENS,
    SHAPES,
    DigitsConfig,
    PixelNet,
    Speller,
    caption,
    common_mixup,
    digits_job,
    knows_at,
    letter_scores,
    load_digits_split,
    model_for,
    name_ids,
    row_reader,
    spelled,
    trainer,
)


def test_the_split_is_fixed_stratified_and_scaled():
    d = load_digits_split()
    assert d.train_x.shape == (1347, 64) and d.test_x.shape == (450, 64) and d.test_images.shape == (450, 8, 8)
    assert d.train_x.dtype == np.float32 and 0 <= d.train_x.min() and d.train_x.max() == 1.0
    assert d.test_images.max() == 16 and np.allclose(d.test_images.reshape(450, 64) / 16, d.test_x)
    counts = np.bincount(d.test_y, minlength=10)
    assert counts.sum() == 450 and counts.min() >= 43 and counts.max() <= 46  # each digit in proportion
    assert np.array_equal(d.test_rows[:, 2], d.test_x[:, 16:24])  # step 3 of a row reader is the third row
    again = load_digits_split.__wrapped__()  # read again, not from the cache: the same split
    assert np.array_equal(again.test_y, d.test_y) and np.array_equal(again.train_x, d.train_x)
    train = {r.tobytes() for r in d.train_x}
    assert sum(r.tobytes() in train for r in d.test_x) <= 5  # kept apart (a handful of images occur twice in the data)


def test_each_shape_gives_outputs_of_its_shape():
    x = torch.rand(5, 64)
    assert PixelNet(16)(x[:, None]).shape == (5, 1, 10)
    for arch in ("rnn", "lstm", "gru"):
        assert row_reader(arch, 16, 0)(x.view(5, 8, 8)).shape == (5, 8, 10)
        sp = Speller(arch, 16, 0)
        fed, target, mask = name_ids(np.array([0, 3, 7, 1, 6]))
        assert sp(x, torch.from_numpy(fed)).shape == (5, MAX_WRITE, len(OUT_TOKENS))
        ids, probs = sp.write(x)
        assert ids.shape == (5, MAX_WRITE) and probs.shape == (5, MAX_WRITE, len(OUT_TOKENS))
        assert np.allclose(probs.sum(-1), 1, atol=1e-5)
    for shape in SHAPES:  # every stage's trainer travels to the trainer process whole
        tr = trainer(DigitsConfig(hidden=8, steps=1), shape)
        assert pickle.loads(pickle.dumps(tr)).model.state_dict().keys() == tr.model.state_dict().keys()


def test_names_are_fed_and_written_letter_by_letter():
    fed, target, mask = name_ids(np.array([2, 7]))
    assert "".join(IN_TOKENS[i] for i in fed[0, :4]) == "^two" and spelled(target[0]) == "two"
    assert [OUT_TOKENS[i] for i in target[0, :4]] == ["t", "w", "o", END] and mask[0].tolist() == [1, 1, 1, 1, 0, 0]
    assert spelled(target[1]) == "seven" and mask[1].sum() == 6
    assert spelled([OUT_TOKENS.index(c) for c in "six"] + [0, 5, 5]) == "six"  # what follows the end mark is dropped
    probs = np.eye(len(OUT_TOKENS))[[OUT_TOKENS.index(c) for c in "nin"] + [0, 3, 3]]
    assert caption(probs) == "nin"
    exact, per_letter = letter_scores(["nine", "nin", "tree"], np.array([9, 9, 3]))
    assert exact == pytest.approx(1 / 3)
    assert per_letter == pytest.approx((5 + 3 + 2) / (5 + 5 + 6))  # "tree·" against "three·": t and the 4th letter e


def test_greedy_decoding_feeds_back_what_it_wrote():
    torch.manual_seed(1)
    sp = Speller("gru", 16, seed=3)
    x = torch.rand(4, 64)
    ids, probs = sp.write(x)
    fed = np.concatenate([np.zeros((4, 1), np.int64), ids[:, :-1]], 1)  # the start mark, then its own letters
    forced = torch.softmax(sp(x, torch.from_numpy(fed)), -1).detach().numpy()
    np.testing.assert_allclose(forced, probs, atol=1e-5)  # teacher forcing with its own letters = greedy decoding


def test_a_short_run_beats_guessing_and_is_repeatable():
    cfg = DigitsConfig(shapes=("one_to_one", "many_to_one", "many_to_many"), hidden=16, steps=60, lr=1e-2)
    res = digits_job(cfg).run_here().result
    assert set(res) == set(cfg.shapes)
    assert res["one_to_one"].accuracy > 0.6 and res["many_to_one"].accuracy > 0.3  # guessing: 0.1
    mm = res["many_to_many"]
    assert len(mm.by_row) == 8 and mm.by_row[-1] == mm.accuracy and mm.row_answers.shape == (450, 8)
    for s in res.values():
        assert s.steps == 60 and s.parameters > 0 and s.answers.shape == (450,)
    again = digits_job(cfg).run_here().result
    assert again["many_to_one"].accuracy == res["many_to_one"].accuracy
    assert torch.equal(again["one_to_one"].model.readout.weight, res["one_to_one"].model.readout.weight)


def test_the_speller_scores_exact_names_and_letters():
    cfg = DigitsConfig(shapes=("one_to_many",), hidden=16, steps=5)
    s = digits_job(cfg).run_here().result["one_to_many"]
    assert len(s.written) == 450 and s.exact == s.accuracy and 0 <= s.exact <= s.per_letter <= 1
    assert ((s.answers == -1) | np.isin(s.answers, range(10))).all()
    assert all((w in NAMES) == (a >= 0) for w, a in zip(s.written, s.answers))


def test_bad_configs_are_refused():
    for bad in (
        dict(shapes=()),
        dict(shapes=("one_to_one", "one_to_one")),
        dict(shapes=("two_to_one",)),
        dict(arch="tcn"),
        dict(steps=0),
        dict(hidden=2),
        dict(seed=-1),
    ):
        with pytest.raises(ConfigError):
            DigitsConfig(**bad).validate()
    assert isinstance(model_for(DigitsConfig(hidden=8), "one_to_one"), PixelNet)


def test_the_command_line_prints_every_shape(capsys):
    from rnnviz.cli import main

    assert main(["digits", "--steps", "3", "--hidden", "8", "--seed", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["accuracy"]) == {"one_to_one", "many_to_one", "one_to_many", "many_to_many"}
    assert len(out["many_to_many_by_row"]) == 8 and out["many_to_many_by_row"][-1] == out["accuracy"]["many_to_many"]
    assert 0 <= out["one_to_many_exact"] <= out["one_to_many_per_letter"] <= 1
    assert [c["digit"] for c in out["captions"]] == list(range(10)) and all("written" in c for c in out["captions"])
    assert set(out["train_seconds"]) == set(out["accuracy"]) and out["seed"] == 2 and out["steps"] == 3
    assert "Alpaydin" in out["source"] and "CC BY 4.0" in out["terms"]
    assert main(["digits", "--steps", "2", "--hidden", "8", "--shapes", "one_to_one"]) == 0
    assert "one-to-one" in capsys.readouterr().out


def test_the_command_line_refuses_bad_input_in_one_line(capsys):
    from rnnviz.cli import main

    for argv, says in (
        (["digits", "--steps", "0"], "steps must be an integer from 1 to 3000, got 0"),
        (["digits", "--shapes", "one_to_one,sideways"], "shapes must be one or more of"),
        (["digits", "--hidden", "lots"], "invalid int value"),
        (["digits", "--arch", "tcn"], "arch must be one of"),
        (["digits", "--seed", "10000"], "seed must be an integer from 0 to 9999"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert says in err and "\n" not in err, err


def test_how_early_it_knows_and_its_commonest_mistake():
    assert knows_at([0.2, 0.5, 0.85, 0.9, 0.95, 0.96, 0.97, 0.95]) == 4  # 0.9 * 0.95 = 0.855
    assert knows_at([0.1] * 8) == 1
    truth = np.array([5, 5, 5, 6, 6, 9])
    assert common_mixup(np.array([6, 6, 5, 5, 6, 9]), truth) == (5, 6, 2, 3)
    assert common_mixup(truth, truth) is None


def test_the_job_trains_the_same_in_the_trainer_process(proc):
    from rnnviz.runtime.jobs import JobStatus

    cfg = DigitsConfig(hidden=8, steps=12, seed=4)
    here = digits_job(cfg).run_here().result
    job = digits_job(cfg)
    job.start()
    sent = proc.sent
    while job.status is JobStatus.RUNNING:
        job.tick_in(proc, None)
    assert job.status is JobStatus.DONE and proc.sent > sent  # each stage went to the child, whole
    for shape in SHAPES:
        a, b = here[shape], job.result[shape]
        assert a.accuracy == b.accuracy and np.array_equal(a.answers, b.answers), shape
        for (k, v), (_, w) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
            assert torch.equal(v, w), (shape, k)
