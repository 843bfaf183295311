"""The trainer's hand-written GRU computes what torch's nn.GRU computes, gradients included."""

import pytest
import torch
from torch import nn

from rnnviz.cells import gru_cell
from rnnviz.fastgru import GRULayer, gru_forward, input_projection
from rnnviz.model import ModelConfig, SequenceModel, sequence_loss


def _grads(run, module, x, weights):
    module.zero_grad()
    x = x.detach().clone().requires_grad_()
    out = run(x)
    (out * weights).sum().backward()
    return out.detach(), [p.grad.clone() for p in module.parameters()] + [x.grad.clone()]


@pytest.mark.parametrize("layers", [1, 2])
def test_gradients_equal_nn_gru(layers):
    torch.manual_seed(0)
    gru = nn.GRU(3, 12, num_layers=layers, batch_first=True)
    with torch.no_grad():
        for p in gru.parameters():
            p.uniform_(-0.7, 0.7)  # biases too, so no gate sits at a trivial value
    x = torch.randn(5, 23, 3)
    w = torch.randn(5, 23, 12)  # a loss that weighs every output step differently
    ref_out, ref = _grads(lambda v: gru(v)[0], gru, x, w)
    out, got = _grads(lambda v: gru_forward(gru, v), gru, x, w)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    names = [n for n, _ in gru.named_parameters()] + ["input"]
    for name, a, b in zip(names, got, ref):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0, msg=lambda m, name=name: f"{name}: {m}")


def test_initial_state_gradient_matches_autograd_through_the_cells():
    torch.manual_seed(1)
    T, B, H, I = 9, 4, 6, 3
    x, h0 = torch.randn(T, I, B, requires_grad=True), torch.randn(H, B, requires_grad=True)
    params = [torch.randn(3 * H, I), torch.randn(3 * H, H), torch.randn(3 * H), torch.randn(3 * H)]
    params = [p.requires_grad_() for p in params]
    w_ih, w_hh, b_ih, b_hh = params
    p, w2 = input_projection(x, *params)
    ours = torch.autograd.grad(GRULayer.apply(p, h0, w2).pow(2).sum(), [x, h0, *params])
    # reference: the explicit cell equations ([B, H] layout), step by step, through autograd
    h, hs = h0.t(), []
    for t in range(T):
        h, _ = gru_cell(x[t].t() @ w_ih.t() + b_ih, h, w_hh, b_hh)
        hs.append(h)
    ref = torch.autograd.grad(torch.stack(hs).pow(2).sum(), [x, h0, *params])
    for a, r in zip(ours, ref):
        torch.testing.assert_close(a, r, atol=1e-5, rtol=1e-5)


def test_gru_model_trains_like_the_fused_module():
    """One SGD step through SequenceModel (the trainer's path) moves the weights exactly as nn.GRU would."""
    cfg = ModelConfig(arch="gru", input_size=2, hidden_size=8, output_size=1)
    m = SequenceModel(cfg, seed=4)
    x, y = torch.randn(6, 15, 2), torch.randn(6, 15, 1)
    sequence_loss(m(x), y).backward()
    ours = [p.grad.clone() for p in m.parameters()]
    m.zero_grad()
    sequence_loss(m.readout(m.core(x)[0]), y).backward()
    for a, r in zip(ours, [p.grad for p in m.parameters()]):
        torch.testing.assert_close(a, r, atol=1e-5, rtol=0)
    # the inspection path (explicit cells) still agrees with the training path
    torch.testing.assert_close(torch.from_numpy(m.trace(x).output), m(x).detach(), atol=1e-5, rtol=0)
