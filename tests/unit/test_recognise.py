"""Recognise: the archive sets as arrays, the many-to-one task on each sequence's own last step, the networks
as a job of the shared worker, and answers read at every step equal answers on a cut recording."""

import numpy as np
import pytest
import torch

from rnnviz.data.archives import NAMES, load_archive, truncate
from rnnviz.errors import ConfigError
from rnnviz.signals.recognise import (
    ArchiveTask,
    RecogniseConfig,
    recognise_job,
    settle_step,
    step_probs,
    verdict,
)


def test_every_set_loads_with_names_lengths_and_a_training_only_normalisation():
    for name in NAMES:
        a = load_archive(name)
        assert a.train.x.shape[2] == a.test.x.shape[2] == len(a.channels)
        assert set(np.unique(a.train.y)) == set(range(len(a.classes)))  # every class can be learnt
        assert a.train.x.shape[1] == a.test.x.shape[1] == a.max_len
        steps = np.concatenate([a.train.x[i, :n] for i, n in enumerate(a.train.lengths)])
        assert np.allclose(steps.mean(0), 0, atol=1e-4) and np.allclose(steps.std(0), 1, atol=1e-3)
        for s in (a.train, a.test):
            assert all((s.x[i, n:] == 0).all() for i, n in enumerate(s.lengths))  # zeros after each length
        assert "archive" in a.source().lower() and a.header
    jv = load_archive("japanese_vowels")
    assert (len(jv.train), len(jv.test), len(jv.classes), len(jv.channels)) == (270, 370, 9, 12)
    assert jv.train.lengths.min() == 7 and not jv.equal_length
    bm = load_archive("basic_motions")
    assert bm.channels[0] == "accelerometer x" and bm.channels[5] == "gyroscope z" and bm.max_len == 100
    with pytest.raises(ConfigError, match="unknown data set"):
        load_archive("mnist")


def test_the_task_scores_only_each_sequences_own_last_step():
    t = ArchiveTask("japanese_vowels")
    b = t.batch(32, t.default_len, np.random.default_rng(0))
    assert b.x.shape == (32, 29, 12)
    last = b.mask.argmax(1).numpy()
    assert (b.mask.sum(1) == 1).all()
    for i in range(32):  # the scored step is the last one with data
        n = last[i] + 1
        assert b.x[i, n - 1].abs().sum() > 0 and (b.x[i, n:] == 0).all()


def test_truncation_and_the_settle_step():
    assert truncate(np.zeros((3, 10, 1)), np.array([10, 7, 1]), 0.1).tolist() == [1, 1, 1]
    assert truncate(np.zeros((3, 10, 1)), np.array([10, 7, 1]), 0.5).tolist() == [5, 4, 1]
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
    assert settle_step(p, 5) == 4  # steps 4 and 5 say class 1, step 3 did not
    assert settle_step(p, 3) == 3
    with pytest.raises(ConfigError):
        truncate(np.zeros((1, 2, 1)), np.array([2]), 0)


def test_an_answer_read_at_step_k_is_the_answer_on_the_first_k_steps():
    """Every model is causal, so 'accuracy having seen 30%' needs no second pass: checked for each architecture."""
    a = load_archive("basic_motions")
    x = a.test.x[:3]
    for arch in ("rnn", "lstm", "gru", "cnn", "transformer"):
        job = recognise_job(RecogniseConfig(archs=(arch,), steps=1))
        model = job.stages[0].build(a).model
        full = step_probs(model, x)
        cut = step_probs(model, x[:, :30])
        np.testing.assert_allclose(full[:, :30], cut, atol=1e-5, err_msg=arch)


def test_the_job_trains_each_network_and_scores_it_on_the_test_split():
    cfg = RecogniseConfig(data="italy_power", archs=("gru", "cnn"), steps=150, hidden=16)
    job = recognise_job(cfg).run_here()
    res = job.result
    assert set(res) == {"gru", "cnn"}
    a = load_archive("italy_power")
    for s in res.values():
        assert s.steps == 150 and s.parameters > 0 and s.train_seconds > 0
        assert s.confusion.sum() == len(a.test) and s.probs.shape == (len(a.test), 24, 2)
        assert s.accuracy == pytest.approx(np.trace(s.confusion) / len(a.test))
        assert s.by_fraction[1.0] == pytest.approx(s.accuracy)
        assert 0 <= s.accuracy <= 1 and ((s.settle >= 1) & (s.settle <= 24)).all()
    assert res["gru"].accuracy > 0.75  # 150 steps already beat the coin (one in two) on these days
    again = recognise_job(cfg).run_here().result  # same seed, same numbers
    assert again["gru"].accuracy == res["gru"].accuracy
    assert torch.equal(again["gru"].model.readout.weight, res["gru"].model.readout.weight)


def test_bad_configs_are_refused_in_one_line():
    for bad in (dict(data="x"), dict(archs=()), dict(archs=("gru", "gru")), dict(archs=("tcn",)), dict(steps=0), dict(hidden=2)):
        with pytest.raises(ConfigError):
            RecogniseConfig(**bad).validate()


def test_the_verdict_names_the_winner_or_a_tie():
    n = len(load_archive("gun_point").test)  # 150: one recording is 0.67 points
    assert "baseline won" in verdict("gun_point", {"gru": 0.80}, {"MiniRocket": 0.99}, 2)
    assert "network won" in verdict("gun_point", {"gru": 0.99}, {"DTW": 0.90}, 2)
    assert "tie" in verdict("gun_point", {"gru": 0.95}, {"DTW": 0.95 + 1 / n}, 2)


def test_the_command_line_prints_networks_and_baselines_side_by_side(capsys):
    import json

    from rnnviz.cli import main

    argv = ["recognise", "--dataset", "italy_power", "--archs", "gru,cnn", "--steps", "30", "--hidden", "8", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == "italy_power"
    assert set(out["accuracy"]) == {"gru", "cnn", "dtw", "minirocket"} == set(out["fit_seconds"]) == set(out["early"])
    assert out["early"]["gru"]["1"] == out["accuracy"]["gru"] and out["early"]["dtw"]["1"] == out["accuracy"]["dtw"]
    assert set(out["early"]["minirocket"]) == {f"{0.1 * k:.1f}".rstrip("0").rstrip(".") for k in range(1, 11)}
    assert all(0.1 <= f <= 1 for f in out["early_90"].values())
    assert out["accuracy"]["dtw"] > 0.9  # the baselines on the whole test split, as shipped
    assert main([*argv[:-1], "--no-baselines", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["accuracy"]) == {"gru", "cnn"}


def test_the_command_line_refuses_bad_input_in_one_line(capsys):
    from rnnviz.cli import main

    for argv, says in (
        (["recognise", "--dataset", "mnist"], "unknown data set 'mnist'"),
        (["recognise", "--dataset", "gun_point", "--steps", "-1"], "steps must be an integer from 1 to 3000, got -1"),
        (["recognise", "--dataset", "gun_point", "--archs", "gru,tcn"], "networks must be one or more of"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert says in err and "\n" not in err, err
