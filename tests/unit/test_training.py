"""The trainer: determinism, recorded history, clipping, divergence, the classic lesson."""

import copy
import math

import numpy as np
import pytest
import torch

from rnnviz.errors import CheckpointError, ConfigError
from rnnviz.runtime.training import History, Status, checkpoint, load_checkpoint, make_run
from rnnviz.tasks import TaskError


def test_same_seed_same_history():
    a = make_run("copy", arch="gru", hidden_size=8, seq_len=12, batch_size=8, seed=5)
    b = make_run("copy", arch="gru", hidden_size=8, seq_len=12, batch_size=8, seed=5)
    a.run(n_steps=20)
    b.run(n_steps=7)
    b.run(n_steps=13)  # chunking does not change the run
    assert a.history.loss == b.history.loss
    assert a.history.grad_norm == b.history.grad_norm
    c = make_run("copy", arch="gru", hidden_size=8, seq_len=12, batch_size=8, seed=6)
    c.run(n_steps=20)
    assert c.history.loss != a.history.loss


def test_history_and_snapshots():
    tr = make_run("adding", arch="lstm", hidden_size=8, num_layers=2, seq_len=15, batch_size=8, snapshot_every=5)
    assert tr.run(n_steps=12) == 12
    h = tr.history
    assert h.step == list(range(1, 13))
    assert all(len(getattr(h, k)) == 12 for k in ("loss", "metric", "grad_norm", "clipped", "max_singular", "seq_len"))
    assert len(h) == 12 and set(h.group_norms) == {"W_ih", "W_hh", "bias", "readout"}
    total = np.sqrt(sum(np.array(v) ** 2 for v in h.group_norms.values()))
    np.testing.assert_allclose(total, h.grad_norm, rtol=1e-4)
    assert tr.snapshots.step == [0, 5, 10]
    assert tr.snapshots.grad_norm[0].shape == (2, 15)


def test_clipping_is_recorded_and_applied():
    tr = make_run(
        "adding", arch="rnn", hidden_size=8, seq_len=10, batch_size=8, clip=True, clip_value=1e-3, optimizer="sgd", lr=1.0
    )
    before = [p.detach().clone() for p in tr.model.parameters()]
    tr.run(n_steps=1)
    assert tr.history.clipped == [True]
    with torch.no_grad():
        moved = torch.sqrt(sum(((p - q) ** 2).sum() for p, q in zip(tr.model.parameters(), before)))
    assert float(moved) == pytest.approx(1e-3, rel=1e-2)  # SGD lr 1 moves by exactly the clip norm


def test_divergence_stops_and_keeps_history():
    tr = make_run(
        "adding",
        arch="rnn",
        hidden_size=16,
        seq_len=30,
        batch_size=8,
        optimizer="sgd",
        lr=10.0,
        clip=False,
        model_kw={"nonlinearity": "relu", "init": "identity", "recurrent_scale": 3.0},
    )
    done = tr.run(n_steps=500)
    assert tr.status == "diverged" and done < 500
    assert "exploded" in tr.message and "clipping" in tr.message
    assert len(tr.history.loss) == done and all(math.isfinite(v) for v in tr.history.loss)
    assert tr.run(n_steps=5) == 0  # refuses to go on


def test_time_budget_runs_at_least_one_step():
    tr = make_run("adding", hidden_size=4, seq_len=5, batch_size=4)
    assert tr.run(seconds=0.0) == 1


@pytest.mark.parametrize(
    "bad", [dict(optimizer="rmsprop"), dict(lr=0), dict(batch_size=0), dict(clip_value=0), dict(seed=-1), dict(seq_len=100000)]
)
def test_bad_train_config(bad):
    with pytest.raises(ConfigError):
        make_run("adding", **bad)


def test_checkpoint_round_trip(tmp_path):
    tr = make_run("charlm", arch="gru", hidden_size=8, seq_len=10, batch_size=4)
    tr.run(n_steps=3)
    path = tmp_path / "m.pt"
    torch.save(checkpoint(tr), path)
    model, task, cfg = load_checkpoint(torch.load(path, weights_only=True))
    x = tr.probe.x
    assert torch.equal(model(x), tr.model(x)) and task.tokens == tr.task.tokens and cfg == tr.cfg
    with pytest.raises(CheckpointError):
        load_checkpoint({"format": "something else"})


def test_adding_problem_lesson():
    """LSTM and GRU solve the adding problem at T=50 within a few hundred steps; the vanilla
    tanh RNN with the same settings stays near the 1/6 baseline."""
    kw = dict(seq_len=50, hidden_size=32, batch_size=64, lr=1e-2, clip=True, clip_value=1.0, snapshot_every=10_000)
    for arch in ("lstm", "gru"):
        tr = make_run("adding", arch=arch, **kw)
        while tr.solved_at is None and tr.step < 1000:
            tr.run(n_steps=50)
        assert tr.solved_at is not None, arch
        assert tr.evaluate()["loss"] < 0.01
    rnn = make_run("adding", arch="rnn", **kw)
    rnn.run(n_steps=600)
    assert rnn.evaluate()["loss"] > 0.12


def test_tracked_singular_value_matches_svd():
    tr = make_run("adding", arch="lstm", hidden_size=16, seq_len=20, batch_size=16, lr=3e-2, snapshot_every=1000)
    tr.run(n_steps=200)
    H = 16
    exact = float(torch.linalg.matrix_norm(tr.model.core.weight_hh_l0.detach().view(4, H, H), ord=2).max())
    assert tr.history.max_singular[-1] == pytest.approx(exact, rel=1e-3)


# ----- typed state: Status, History, Snapshots ------------------------------------------------------
def _small(**kw):
    base = dict(arch="gru", hidden_size=6, seq_len=10, batch_size=8, seed=3, eval_every=10, heldout_size=32)
    return make_run("copy", **{**base, **kw})


def test_status_is_a_string_enum():
    tr = _small()
    assert tr.status is Status.READY and tr.status == "ready" and isinstance(tr.status, str)
    assert Status.DIVERGED == "diverged" and Status("solved") is Status.SOLVED
    assert tr.summary()["status"] == "ready" and type(tr.summary()["status"]) is str


def test_history_frame_columns_and_lengths():
    tr = _small(snapshot_every=4)
    tr.run(n_steps=23)
    h = tr.history
    assert isinstance(h, History) and len(h) == 23
    df = h.frame()
    groups = ["norm_" + g for g in h.group_norms]
    assert list(df.columns) == ["step", "loss", "metric", "grad_norm", "clipped", "max_singular", "seq_len", *groups]
    assert groups == ["norm_encoder", "norm_W_ih", "norm_W_hh", "norm_bias", "norm_readout"]
    assert len(df) == 23 and df["step"].tolist() == list(range(1, 24)) and df["clipped"].dtype == bool
    assert df["seq_len"].eq(10).all() and df["loss"].tolist() == h.loss
    hf = h.heldout_frame()
    assert list(hf.columns) == ["step", "loss", "metric"] and hf["step"].tolist() == [0, 10, 20]
    assert len(History().frame()) == 0 and len(History().heldout_frame()) == 0


def test_heldout_at_the_right_steps_and_identical_under_chunking():
    a, b = _small(), _small()
    a.run(n_steps=100)
    b.run(n_steps=30)
    b.run(n_steps=70)
    assert a.history.heldout_step == list(range(0, 101, 10))
    assert a.history == b.history  # every list, held-out entries included
    assert a.snapshots.step == b.snapshots.step
    assert all(np.array_equal(x, y) for x, y in zip(a.snapshots.grad_norm, b.snapshots.grad_norm))
    # scoring the held-out batch never touches the training stream or the weights
    c = _small(eval_every=1)
    c.run(n_steps=100)
    assert c.history.loss == a.history.loss and len(c.history.heldout_step) == 101
    for p, q in zip(a.model.parameters(), c.model.parameters()):
        assert torch.equal(p, q)


def test_evaluate_is_memoised_on_the_heldout_batch():
    tr = _small()
    calls = []
    tr.model.register_forward_hook(lambda *_: calls.append(1))
    tr.run(n_steps=20)  # 20 training forwards + held-out at steps 0, 10, 20
    assert len(calls) == 23
    ev = tr.evaluate()
    assert len(calls) == 23  # step 20 was already scored
    assert ev == {"loss": tr.history.heldout_loss[-1], "metric": tr.history.heldout_metric[-1], "solved": False}
    assert tr.evaluate() == ev and len(calls) == 23
    b = tr.heldout_batch()
    assert b.x.shape[0] == 32 and torch.equal(b.x, tr.task.batch(32, 10, np.random.default_rng([3, 3])).x)


def test_solved_at_comes_from_the_heldout_evaluation():
    tr = _small(eval_every=5)
    tr.task.is_solved = lambda metric: tr.step >= 7  # "solved" from step 7 on: first seen at the eval at 10
    tr.run(n_steps=12)
    assert tr.solved_at == 10 and tr.status is Status.SOLVED
    assert tr.history.heldout_step == [0, 5, 10]


def test_update_seq_len_continues_at_the_new_length():
    tr = _small(snapshot_every=5)
    tr.run(n_steps=7)
    tr.update(seq_len=14, lr=3e-3)
    tr.run(n_steps=8)
    assert tr.history.seq_len == [10] * 7 + [14] * 8 and tr.cfg.seq_len == 14
    assert tr.probe.x.shape[1] == 14 and tr.heldout_batch().x.shape[1] == 14
    assert tr.history.heldout_step == [0, 10] and tr.opt.param_groups[0]["lr"] == 3e-3
    # snapshots: steps 0, 5 at T=10; the first step at T=14 (7), then 10 and 15's grid
    assert tr.snapshots.step == [0, 5, 7, 10] and tr.snapshots.seq_len == [10, 10, 14, 14]
    steps, m = tr.snapshots.matrix()
    assert steps == [7, 10] and m.shape == (2, 14)
    steps, m = tr.snapshots.matrix(layer=0, seq_len=10)
    assert steps == [0, 5] and m.shape == (2, 10)
    assert tr.snapshots.matrix(seq_len=33)[1].shape == (0, 33)
    with pytest.raises(ConfigError):
        tr.update(optimizer="sgd")  # not live: a new optimiser is a new run
    with pytest.raises(TaskError):
        tr.update(seq_len=3)  # copy needs 9 or more
    with pytest.raises(ConfigError):
        tr.update(batch_size=0)
    assert tr.cfg.seq_len == 14 and tr.cfg.batch_size == 8


def test_clone_continues_identically():
    tr = make_run(
        "reber", arch="lstm", hidden_size=6, seq_len=12, batch_size=8, seed=2, eval_every=20, heldout_size=16, snapshot_every=15
    )
    tr.run(n_steps=40)
    twin = tr.clone()
    assert twin.model is not tr.model and twin.opt is not tr.opt and twin.task is tr.task
    assert copy.deepcopy(tr).step == 40
    tr.run(n_steps=30)
    twin.run(n_steps=30)
    assert twin.history == tr.history and twin.history.heldout_step == [0, 20, 40, 60]
    for p, q in zip(tr.model.parameters(), twin.model.parameters()):
        assert torch.equal(p, q)
    assert twin.snapshots.step == tr.snapshots.step
    # the clone is independent: training it does not move the original
    twin.run(n_steps=5)
    assert tr.step == 70 and twin.step == 75


def test_diverged_model_evaluates_to_nan():
    tr = make_run(
        "adding",
        arch="rnn",
        hidden_size=16,
        seq_len=30,
        batch_size=8,
        optimizer="sgd",
        lr=10.0,
        clip=False,
        eval_every=1,
        heldout_size=16,
        model_kw={"nonlinearity": "relu", "init": "identity", "recurrent_scale": 3.0},
    )
    tr.run(n_steps=500)
    assert tr.status is Status.DIVERGED
    with torch.no_grad():
        for p in tr.model.parameters():
            p.fill_(float("inf"))
    tr.step += 1  # a fresh evaluation of the broken weights
    ev = tr.evaluate()
    assert math.isnan(ev["loss"]) and math.isnan(ev["metric"]) and ev["solved"] is False
    assert tr.summary()["status"] == "diverged"
