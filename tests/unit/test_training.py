"""The trainer: determinism, recorded history, clipping, divergence, the classic lesson."""
import math

import numpy as np
import pytest
import torch

from rnnviz.errors import CheckpointError, ConfigError
from rnnviz.training import checkpoint, load_checkpoint, make_run


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
    tr = make_run("adding", arch="rnn", hidden_size=8, seq_len=10, batch_size=8, clip=True, clip_value=1e-3,
                  optimizer="sgd", lr=1.0)
    before = [p.detach().clone() for p in tr.model.parameters()]
    tr.run(n_steps=1)
    assert tr.history.clipped == [True]
    with torch.no_grad():
        moved = torch.sqrt(sum(((p - q) ** 2).sum() for p, q in zip(tr.model.parameters(), before)))
    assert float(moved) == pytest.approx(1e-3, rel=1e-2)  # SGD lr 1 moves by exactly the clip norm


def test_divergence_stops_and_keeps_history():
    tr = make_run("adding", arch="rnn", hidden_size=16, seq_len=30, batch_size=8, optimizer="sgd", lr=10.0,
                  clip=False, model_kw={"nonlinearity": "relu", "init": "identity", "recurrent_scale": 3.0})
    done = tr.run(n_steps=500)
    assert tr.status == "diverged" and done < 500
    assert "exploded" in tr.message and "clipping" in tr.message
    assert len(tr.history.loss) == done and all(math.isfinite(v) for v in tr.history.loss)
    assert tr.run(n_steps=5) == 0  # refuses to go on


def test_time_budget_runs_at_least_one_step():
    tr = make_run("adding", hidden_size=4, seq_len=5, batch_size=4)
    assert tr.run(seconds=0.0) == 1


@pytest.mark.parametrize("bad", [dict(optimizer="rmsprop"), dict(lr=0), dict(batch_size=0), dict(clip_value=0),
                                 dict(seed=-1), dict(seq_len=100000)])
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
