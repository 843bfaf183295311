"""Runs built from Settings: build_run, retrain, compare_archs, tiny_run."""

import numpy as np
import pytest
import torch

from rnnviz.errors import ConfigError
from rnnviz.runtime.runs import build_run, compare_archs, compare_job, compare_key, compare_settings, retrain, tiny_run
from rnnviz.runtime.training import make_run
from rnnviz.settings import Settings
from rnnviz.tasks import get_task
from rnnviz.trace import grad_norm_per_step

S = Settings(
    arch="gru", task="copy", seq_len=12, hidden=6, batch=8, seed=4, lr=3e-2, clip_value=0.5, init="orthogonal", scale=0.9
)


def _same_weights(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))


def test_build_run_from_settings_equals_the_plain_build():
    run = build_run(S, eval_every=10, heldout_size=16)
    ref = make_run(
        "copy",
        arch="gru",
        hidden_size=6,
        num_layers=1,
        seed=4,
        seq_len=12,
        batch_size=8,
        lr=3e-2,
        clip_value=0.5,
        model_kw=dict(init="orthogonal", recurrent_scale=0.9),
        eval_every=10,
        heldout_size=16,
    )
    assert run.model.cfg == ref.model.cfg and run.cfg == ref.cfg and _same_weights(run, ref)
    run.run(n_steps=15)
    ref.run(n_steps=15)
    assert run.history == ref.history and _same_weights(run, ref)
    with pytest.raises(ConfigError):
        build_run(S, seq_len=20)  # the settings own the sequence length
    with pytest.raises(ConfigError):
        build_run(S, bogus=1)


def test_build_run_charlm_with_own_text():
    text = "the cat sat on the mat and the dog sat on the log. " * 3
    run = build_run(Settings(task="charlm", seq_len=20, hidden=4, batch=4), text=text)
    assert run.task.text == text and run.model.cfg.vocab_size == len(set(text))
    assert build_run(Settings(task="adding", seq_len=8, hidden=4), text=text).task.name == "adding"


def test_retrain_equals_chunked_training():
    calls = []
    a = retrain(S, 45, progress=lambda done, total: calls.append((done, total)), eval_every=10, heldout_size=16)
    b = build_run(S, eval_every=10, heldout_size=16)
    b.run(n_steps=20)
    b.run(n_steps=25)
    assert a.step == 45 and a.history.loss == b.history.loss and a.history == b.history and _same_weights(a, b)
    assert calls[0] == (0, 45) and calls[-1] == (45, 45) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert retrain(S, 0).step == 0
    with pytest.raises(ConfigError):
        retrain(S, -1)


def test_compare_archs_from_settings():
    s = Settings(
        task="adding", seq_len=15, hidden=6, seed=1, clip=False, init="identity", scale=2.0, nonlin="relu", forget_bias=3.0
    )
    assert compare_settings(s, "rnn") == s.replace(arch="rnn", clip=True)
    lstm = compare_settings(s, "lstm")
    assert (lstm.arch, lstm.clip, lstm.init, lstm.scale, lstm.nonlin, lstm.forget_bias) == (
        "lstm",
        True,
        "default",
        None,
        "tanh",
        1.0,
    )
    r = compare_archs(s, steps=3)
    assert set(r) == {"rnn", "lstm", "gru"} and all(v.shape == (15,) for v in r.values())
    assert np.array_equal(r["gru"], compare_archs(s, steps=3)["gru"])  # deterministic
    for arch in ("rnn", "lstm"):  # trained as stages of one job, in turns: the same numbers as one run alone
        alone = build_run(compare_settings(s, arch), snapshot_every=100_000, eval_every=100_000)
        alone.run(n_steps=3)
        b = alone.task.example_batch(8, 15, 1)
        assert np.array_equal(r[arch], grad_norm_per_step(alone.model.trace(b.x, b.y, b.mask).hidden_grad))


def test_a_comparison_is_one_job_named_by_its_settings():
    """A class asking for the same comparison shares one job; another seed or step count is another job."""
    s = Settings(task="adding", seq_len=15, hidden=6, seed=1)
    job = compare_job(s, 4)
    assert job.key == compare_key(s, 4) == compare_key(Settings(task="adding", seq_len=15, hidden=6, seed=1), 4)
    assert compare_key(s.replace(seed=2), 4) != job.key and compare_key(s, 5) != job.key
    assert compare_key(s, 4, text="some text") == job.key  # the text is the charlm task's only
    c = Settings(task="charlm", seq_len=15, hidden=6)
    assert compare_key(c, 4, text="a") != compare_key(c, 4, text="b")
    assert [st.label for st in job.stages] == ["vanilla RNN", "LSTM", "GRU"] and all(st.steps == 4 for st in job.stages)
    r = job.run_here().result
    assert all(np.array_equal(r[a], v) for a, v in compare_archs(s, 4).items())
    with pytest.raises(ConfigError):
        compare_job(s, -1)


def test_tiny_run():
    run = tiny_run(get_task("copy"), 2, 12, 0)
    assert run.model.cfg.arch == "rnn" and run.model.cfg.input_size == 3 and run.model.cfg.hidden_size == 2
    assert run.cfg.seq_len == 12 and run.run(n_steps=2) == 2


def test_every_live_change_is_accepted_by_a_running_trainer():
    from rnnviz.settings import FIELDS, Change, live_changes, what_changes

    run = build_run(S, eval_every=5, heldout_size=16)
    run.run(n_steps=3)
    new = {"seq_len": 15, "lr": 1e-3, "batch": 4, "clip": False, "clip_value": 2.0}
    assert {f.name for f in FIELDS if f.effect is Change.UPDATE_LIVE} == set(new)
    s = S
    for name, value in new.items():
        s2 = s.replace(**{name: value})
        assert what_changes(s, s2) is Change.UPDATE_LIVE
        run.update(**live_changes(s, s2))
        run.run(n_steps=2)
        s = s2
    assert run.cfg == build_run(s, eval_every=5, heldout_size=16).cfg
    assert run.history.seq_len[-1] == 15 and run.history.clipped[-1] is False
