"""The trainer's hand-written GRU computes what torch's nn.GRU computes, gradients included."""

import logging
import os
import shutil

import pytest
import torch
from torch import nn

from rnnviz import fastgru
from rnnviz.cells import gru_cell
from rnnviz.fastgru import GRULayer, gru_forward, input_projection
from rnnviz.models.recurrent import ModelConfig, SequenceModel, sequence_loss


@pytest.fixture(params=["compiled", "torch ops"])
def loops(request, monkeypatch):
    """Run a test with the compiled loops (fastgru_kernel.c) and again with the loops as torch operations."""
    if request.param == "torch ops":
        monkeypatch.setattr(fastgru, "_native", [None])
    elif fastgru.native() is None:
        assert not shutil.which("cc"), "a C compiler is here but the GRU kernel did not compile: see the log"
        pytest.skip("no C compiler on this machine: only the torch-operation loops run here")
    return request.param


def _grads(run, module, x, weights):
    module.zero_grad()
    x = x.detach().clone().requires_grad_()
    out = run(x)
    (out * weights).sum().backward()
    return out.detach(), [p.grad.clone() for p in module.parameters()] + [x.grad.clone()]


@pytest.mark.parametrize("layers", [1, 2])
def test_gradients_equal_nn_gru(layers, loops):
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


def test_initial_state_gradient_matches_autograd_through_the_cells(loops):
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


def test_gru_model_trains_like_the_fused_module(loops):
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


@pytest.mark.parametrize("T,B,H", [(1, 1, 1), (7, 3, 5), (30, 64, 32), (4, 17, 9)])
def test_compiled_and_torch_loops_agree_at_awkward_sizes(T, B, H, monkeypatch):
    """Sizes that leave remainders in the kernel's blocks of 4 rows (H=5, 9: 3H not a multiple of 4) and
    batches that are not a multiple of the vector width: outputs and every gradient agree."""
    if fastgru.native() is None:
        pytest.skip("no compiled kernel on this machine")
    torch.manual_seed(T + B + H)
    gru = nn.GRU(2, H, batch_first=True)
    x, w = torch.randn(B, T, 2), torch.randn(B, T, H)
    compiled = _grads(lambda v: gru_forward(gru, v), gru, x, w)
    monkeypatch.setattr(fastgru, "_native", [None])
    ops = _grads(lambda v: gru_forward(gru, v), gru, x, w)
    torch.testing.assert_close(compiled[0], ops[0], atol=1e-6, rtol=1e-5)
    for a, b in zip(compiled[1], ops[1]):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_saturated_gates_stay_finite_and_exact():
    """Huge pre-activations (gates pinned at 0 or 1) give the same finite numbers as nn.GRU: the kernel's
    exp is clamped, not overflowing."""
    torch.manual_seed(3)
    gru = nn.GRU(2, 6, batch_first=True)
    x = torch.randn(3, 12, 2) * 200
    w = torch.randn(3, 12, 6)
    ref = _grads(lambda v: gru(v)[0], gru, x, w)
    got = _grads(lambda v: gru_forward(gru, v), gru, x, w)
    assert all(torch.isfinite(t).all() for t in got[1])
    torch.testing.assert_close(got[0], ref[0], atol=1e-5, rtol=0)
    for a, b in zip(got[1], ref[1]):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-5)


def test_without_a_compiler_it_says_so_once_and_trains_with_torch_ops(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CC", "/bin/false")  # a compiler that always fails
    monkeypatch.setenv("RNNVIZ_CACHE", str(tmp_path))  # nothing compiled before
    monkeypatch.setattr(fastgru, "_native", [])
    with caplog.at_level(logging.WARNING, logger="rnnviz"):
        assert fastgru.native() is None
        assert fastgru.native() is None
    assert caplog.text.count("GRU kernel not compiled") == 1
    gru = nn.GRU(2, 4, batch_first=True)
    x = torch.randn(2, 5, 2)
    torch.testing.assert_close(gru_forward(gru, x), gru(x)[0], atol=1e-5, rtol=0)
    assert not list(tmp_path.glob("*.so")) and not list(tmp_path.glob("*.tmp*"))


def test_the_switch_turns_the_kernel_off(monkeypatch):
    monkeypatch.setenv("RNNVIZ_NATIVE_GRU", "0")
    monkeypatch.setattr(fastgru, "_native", [])
    assert fastgru.native() is None


def test_the_kernel_is_compiled_once_and_then_loaded_from_the_cache(tmp_path, monkeypatch):
    if not shutil.which("cc"):
        pytest.skip("no C compiler on this machine")
    monkeypatch.setenv("RNNVIZ_CACHE", str(tmp_path))
    first = fastgru._compile()
    stamp = first.stat().st_mtime_ns
    assert fastgru._compile() == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_an_unwritable_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    if not shutil.which("cc"):
        pytest.skip("no C compiler on this machine")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("RNNVIZ_CACHE", str(blocked / "rnnviz"))  # mkdir fails: its parent is a file
    monkeypatch.setattr(fastgru.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    got = fastgru._compile()
    assert got.parent == tmp_path / "tmp" / f"rnnviz-{os.getuid()}" and got.exists()
