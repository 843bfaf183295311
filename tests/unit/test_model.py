"""The explicit cells must compute exactly what torch's fused modules compute."""

import numpy as np
import pytest
import torch

from rnnviz.errors import ConfigError
from rnnviz.models.recurrent import ModelConfig, SequenceModel, sequence_loss
from rnnviz.trace import decay_ratio, gate_saturation, grad_norm_per_step, pca_projection, spectral_stats


def _model(arch, layers, hidden=7, inp=5, out=3, **kw):
    cfg = ModelConfig(arch=arch, input_size=inp, hidden_size=hidden, num_layers=layers, output_size=out, **kw)
    return SequenceModel(cfg, seed=3)


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_trace_matches_fused_core(arch, layers):
    m = _model(arch, layers, hidden=7 + layers)
    # random weights everywhere, biases included, so no gate is trivially zero
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-0.6, 0.6)
    x = torch.randn(4, 11, 5)
    tr = m.trace(x)
    out, state = m.core(x)
    np.testing.assert_allclose(tr.hidden[-1], out.detach().numpy(), atol=1e-5)
    h_n = state[0] if arch == "lstm" else state
    np.testing.assert_allclose(tr.hidden[:, :, -1], h_n.detach().numpy(), atol=1e-5)
    if arch == "lstm":
        np.testing.assert_allclose(tr.cell[:, :, -1], state[1].detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(tr.output, m(x).detach().numpy(), atol=1e-5)
    assert tr.hidden.shape == (layers, 4, 11, 7 + layers)
    assert tr.core_input.shape == (4, 11, 5)


def test_relu_rnn_matches_fused():
    m = _model("rnn", 2, nonlinearity="relu")
    x = torch.randn(3, 9, 5)
    np.testing.assert_allclose(m.trace(x).hidden[-1], m.core(x)[0].detach().numpy(), atol=1e-5)


def test_embedding_tokens():
    m = _model("gru", 1, vocab_size=6)
    x = torch.randint(0, 6, (2, 8))
    tr = m.trace(x)
    assert tr.core_input.shape == (2, 8, 5)
    np.testing.assert_allclose(tr.output, m(x).detach().numpy(), atol=1e-5)


def test_lstm_gate_identities():
    m = _model("lstm", 2)
    tr = m.trace(torch.randn(3, 10, 5))
    g = tr.gates
    assert set(g) == {"input_gate", "forget_gate", "cell_candidate", "output_gate"}
    c_prev = np.concatenate([np.zeros_like(tr.cell[:, :, :1]), tr.cell[:, :, :-1]], 2)
    np.testing.assert_allclose(tr.cell, g["forget_gate"] * c_prev + g["input_gate"] * g["cell_candidate"], atol=1e-6)
    np.testing.assert_allclose(tr.hidden, g["output_gate"] * np.tanh(tr.cell), atol=1e-6)
    for name in ("input_gate", "forget_gate", "output_gate"):
        assert 0 < g[name].min() and g[name].max() < 1
    assert -1 < g["cell_candidate"].min() and g["cell_candidate"].max() < 1


def test_gru_gate_identity():
    m = _model("gru", 2)
    tr = m.trace(torch.randn(3, 10, 5))
    g = tr.gates
    assert set(g) == {"reset_gate", "update_gate", "candidate"}
    h_prev = np.concatenate([np.zeros_like(tr.hidden[:, :, :1]), tr.hidden[:, :, :-1]], 2)
    z = g["update_gate"]
    np.testing.assert_allclose(tr.hidden, (1 - z) * g["candidate"] + z * h_prev, atol=1e-6)
    assert tr.cell is None


def test_rnn_has_no_gates():
    tr = _model("rnn", 1).trace(torch.randn(2, 4, 5))
    assert tr.gates == {} and tr.cell is None


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_hidden_grad_equals_independent_autograd(arch):
    """dL/dh_t from trace equals a perturbation of h_t computed by a separate, hand-written
    unroll with retain_grad (every path through time included)."""
    torch.manual_seed(0)
    m = _model(arch, 2, hidden=6)
    x, y = torch.randn(3, 8, 5), torch.randn(3, 8, 3)
    tr = m.trace(x, y)
    # independent computation: run the fused core one step at a time and retain grads
    hs = []
    state = None
    inp = x
    for k in range(2):
        layer = getattr(m.core, f"weight_ih_l{k}")
        sub = type(m.core)(input_size=layer.shape[1], hidden_size=6, batch_first=True)
        sd = {n.replace(f"_l{k}", "_l0"): p for n, p in m.core.named_parameters() if n.endswith(f"_l{k}")}
        sub.load_state_dict(sd)
        state, outs = None, []
        for t in range(8):
            o, st = sub(inp[:, t : t + 1], state)
            h = o[:, 0]  # h_t: the one tensor every later use (next step, layer above) reads
            h.retain_grad()
            state = (h[None], st[1]) if arch == "lstm" else h[None]
            hs.append(h)
            outs.append(h)
        inp = torch.stack(outs, 1)
    loss = sequence_loss(m.readout(inp), y)
    loss.backward()
    ref = np.stack([h.grad.numpy() for h in hs]).reshape(2, 8, 3, 6).transpose(0, 2, 1, 3)
    assert tr.loss == pytest.approx(loss.item(), rel=1e-5)
    np.testing.assert_allclose(tr.hidden_grad, ref, atol=1e-6)


def test_vanishing_and_not_vanishing_gradient():
    """Pascanu et al. 2013: with ||W_hh|| = 0.5 the gradient through a tanh RNN shrinks
    geometrically toward t = 0; with a scale well above 1 it does not vanish."""
    x = torch.randn(8, 40, 5, generator=torch.Generator().manual_seed(0))
    y = torch.randn(8, 3)  # scored at the last step only
    small = _model("rnn", 1, hidden=32, init="orthogonal", recurrent_scale=0.5).trace(x, y)
    n = grad_norm_per_step(small.hidden_grad)
    assert decay_ratio(n) > 1e8  # many orders of magnitude across 40 steps
    steps = n[1:] / n[:-1]  # each step back multiplies by at most 0.5 (tanh' <= 1)
    assert np.all(steps[-20:] >= 1.9)
    big = _model("rnn", 1, hidden=32, init="orthogonal", recurrent_scale=3.0).trace(x, y)
    nb = grad_norm_per_step(big.hidden_grad)
    assert decay_ratio(nb) < 1e3
    assert nb[0] > 1e-6


def test_recurrent_scale_sets_largest_singular_value():
    for arch, blocks in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        m = _model(arch, 2, hidden=10, recurrent_scale=0.7)
        for w in m.recurrent_weights():
            np.testing.assert_allclose(spectral_stats(w, blocks)["max_singular"], 0.7, rtol=1e-4)
    m = _model("rnn", 1, hidden=10, init="identity")
    stats = spectral_stats(m.recurrent_weights()[0], 1)
    assert stats["max_singular"][0] == pytest.approx(1) and stats["spectral_radius"][0] == pytest.approx(1)


def test_lstm_forget_bias():
    m = _model("lstm", 1, hidden=4, forget_bias=2.0)
    b = (m.core.bias_ih_l0 + m.core.bias_hh_l0).detach().numpy()
    np.testing.assert_allclose(b[4:8], 2.0)


def test_seeded_init_is_deterministic():
    a, b = _model("gru", 2), _model("gru", 2)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize(
    "bad",
    [
        dict(arch="transformer"),
        dict(hidden_size=0),
        dict(num_layers=4),
        dict(init="zeros"),
        dict(nonlinearity="gelu"),
        dict(recurrent_scale=-1.0),
        dict(hidden_size=2.5),
    ],
)
def test_bad_config_is_refused(bad):
    with pytest.raises(ConfigError):
        ModelConfig(**bad).validate()


def test_saturation_and_pca():
    tr = _model("lstm", 1, hidden=6).trace(torch.randn(2, 12, 5) * 5)
    sat = gate_saturation(tr.gates)
    assert set(sat) == {"input_gate", "forget_gate", "output_gate"}
    left, right = sat["forget_gate"]
    assert left.shape == (6,) and np.all((left >= 0) & (left + right <= 1))
    coords, ratio = pca_projection(tr.hidden[0, 0])
    assert coords.shape == (12, 2) and 0 < ratio[0] <= 1 and ratio[0] >= ratio[1]
    # a line through state space has all its variance on the first component
    line = np.outer(np.arange(10.0), np.ones(4))
    _, r = pca_projection(line)
    assert r[0] == pytest.approx(1.0)


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_input_grad_equals_autograd_through_the_fused_path(arch):
    m = _model(arch, 2, hidden=6)
    x = torch.randn(3, 9, 5, requires_grad=True)
    y = torch.randn(3, 9, 3)
    tr = m.trace(x, y)
    loss = sequence_loss(m(x), y)  # the fused module: an independent computation
    (ref,) = torch.autograd.grad(loss, x)
    np.testing.assert_allclose(tr.input_grad, ref.numpy(), atol=1e-6)
    assert "input_grad" in tr.arrays()
