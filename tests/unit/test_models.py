"""Compare-lab models (rnnviz.models): shapes, causality, sizes, attention, training, determinism."""

import math

import numpy as np
import pytest
import torch

from rnnviz.errors import ConfigError
from rnnviz.models import COMPARE_ARCHS, NEW_ARCHS, CausalCNN, GRUAttention, build_model, parameter_count
from rnnviz.runtime.runs import build_compare_run
from rnnviz.runtime.training import TrainConfig, Trainer, param_groups
from rnnviz.settings import Settings
from rnnviz.tasks import TASKS, get_task

T = 12


@pytest.mark.parametrize("arch", NEW_ARCHS)
@pytest.mark.parametrize("name", sorted(TASKS))
def test_output_shape_on_every_task(arch, name):
    task = get_task(name)
    b = task.batch(3, T, np.random.default_rng(0))
    m = build_model(arch, task, hidden_size=8, seed=1)
    with torch.no_grad():
        out = m(b.x)
    assert out.shape == (3, T, task.output_size)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("arch", COMPARE_ARCHS)
@pytest.mark.parametrize("name", ["adding", "sines"])
def test_causal_no_gradient_from_later_inputs(arch, name):
    task = get_task(name)
    m = build_model(arch, task, hidden_size=8, num_layers=2, seed=2)
    x = task.batch(2, T, np.random.default_rng(1)).x.clone().requires_grad_()
    out = m(x)
    for t in range(T):
        (g,) = torch.autograd.grad(out[:, t].sum(), x, retain_graph=True)
        assert torch.count_nonzero(g[:, t + 1 :]) == 0, f"{arch}: y_{t} depends on a later input"
        assert g[:, t].abs().sum() > 0, f"{arch}: y_{t} ignores x_{t}"


def test_parameter_counts_within_15_percent_of_the_lstm():
    counts = {a: parameter_count(build_model(a, "adding")) for a in COMPARE_ARCHS}
    assert counts["lstm"] == 4641
    for arch in NEW_ARCHS:
        assert abs(counts[arch] - counts["lstm"]) <= 0.15 * counts["lstm"], counts


def test_cnn_receptive_field_and_levels():
    m = build_model("cnn", "adding")
    assert isinstance(m, CausalCNN) and m.levels == 7 and m.channels == 15
    assert m.receptive_field == 255
    small = build_model("cnn", "adding", hidden_size=8, levels=2)
    assert small.receptive_field == 1 + 2 * (1 + 2)
    x = torch.randn(1, 20, 2, requires_grad=True)
    (g,) = torch.autograd.grad(small(x)[0, 19].sum(), x)
    seen = torch.nonzero(g[0].abs().sum(-1)).flatten()
    assert seen.min() == 20 - small.receptive_field and seen.max() == 19  # exactly R steps


def test_attention_weights_are_causal_and_normalised():
    m = build_model("gru_attention", "copy", hidden_size=8, seed=3)
    assert isinstance(m, GRUAttention)
    b = get_task("copy").batch(4, T, np.random.default_rng(2))
    with torch.no_grad():
        a = m.attention_weights(b.x)
    assert a.shape == (4, T, T)
    assert torch.all(torch.triu(a, diagonal=1) == 0)
    assert torch.allclose(a.sum(-1), torch.ones(4, T), atol=1e-6)
    assert torch.all(a >= 0)


@pytest.mark.parametrize("arch", COMPARE_ARCHS)
def test_seeded_determinism(arch):
    a, b, c = (build_model(arch, "adding", hidden_size=8, seed=s) for s in (5, 5, 6))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_unknown_arch():
    with pytest.raises(ConfigError):
        build_model("mamba", "adding")
    with pytest.raises(ConfigError):
        build_compare_run("mamba", Settings())


@pytest.mark.parametrize("arch", NEW_ARCHS)
def test_trains_on_the_adding_problem(arch):
    task = get_task("adding")
    cfg = TrainConfig(task="adding", seq_len=10, batch_size=32, lr=1e-2, seed=0, eval_every=150, heldout_size=256)
    run = Trainer(build_model(arch, task, hidden_size=16, seed=0), task, cfg)
    assert run.run(n_steps=150) == 150
    loss = run.evaluate()["loss"]
    assert loss < 0.5 / 6, f"{arch}: held-out loss {loss:.3f} vs chance 1/6"


def test_trainer_without_a_recurrent_core():
    s = Settings(task="adding", seq_len=8, hidden=8, batch=8, seed=1)
    run = build_compare_run("cnn", s, snapshot_every=2, eval_every=2, heldout_size=16)
    run.run(n_steps=4)
    h = run.history.frame()
    assert len(h) == 4 and h["max_singular"].isna().all()
    assert len(run.snapshots) == 0  # no hidden states to trace
    groups = param_groups(run.model)
    assert set(groups) == {"in_proj", "convs", "readout"}
    assert math.isclose(h["grad_norm"].iloc[-1], math.sqrt(sum(h[f"norm_{g}"].iloc[-1] ** 2 for g in groups)), rel_tol=1e-5)
    att = build_compare_run("gru_attention", s, eval_every=2, heldout_size=16)
    att.run(n_steps=2)
    assert not math.isnan(att.history.max_singular[-1])  # its GRU's W_hh is recorded
    assert set(param_groups(att.model)) == {"W_ih", "W_hh", "bias", "query", "key", "readout"}


def test_build_compare_run_uses_the_settings():
    s = Settings(task="copy", seq_len=12, hidden=8, layers=2, batch=8, seed=3, optimizer="sgd", lr=0.05, clip=False)
    for arch in ("lstm", "transformer"):
        run = build_compare_run(arch, s, eval_every=100, heldout_size=8)
        assert run.cfg.optimizer == "sgd" and run.cfg.lr == 0.05 and not run.cfg.clip and run.cfg.seed == 3
        assert run.cfg.seq_len == 12 and run.task.name == "copy"
    again = build_compare_run("transformer", s, eval_every=100, heldout_size=8)
    assert all(torch.equal(p, q) for p, q in zip(run.model.parameters(), again.model.parameters()))
    assert run.model.cfg.hidden_size == 8 and run.model.cfg.num_layers == 2
