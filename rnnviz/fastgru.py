r"""A faster GRU for training on a CPU: one autograd node per layer, backward through time by hand.

PyTorch's CPU ``nn.GRU`` has no fused kernel: it loops over time in C++ and records every small
operation for autograd, so forward + backward costs 2.5-3.7x the fused LSTM's at T=50, H=32,
B=64 (measured here) although a GRU step does 3/4 of an LSTM step's arithmetic. This module runs
the same equations (:func:`rnnviz.cells.gru_cell`, PyTorch's convention and weight layout) as one
:class:`torch.autograd.Function` per layer:

forward
    everything that does not depend on the past, the input projection of all steps, at once
    (inside the same autograd node), then per step one matrix product ``W_hh h_{t-1}`` and one
    pass over the gates; states are kept transposed ([H, B]) so that every gate is a block of
    whole rows; nothing is recorded for autograd.
backward
    the loop over t = T..1 computes each step's gate derivatives and carries g back with one
    matrix product; the weight gradients of all steps are summed at the end:
    dW_hh = sum_t dpre_t h_{t-1}^T.

The two loops through time are compiled from C (``fastgru_kernel.c``, ``cc -O3 -march=native``) on
first use, about a second, and kept in a cache directory (:func:`cache_dir`); they are called through
ctypes, which lets go of Python's interpreter lock meanwhile. Where no C compiler is found (or
RNNVIZ_NATIVE_GRU=0) the same loops run as torch operations, about six per step each way: the
numbers are the same (tests check both paths against nn.GRU), only slower, because at H=32, B=64 one
torch operation costs a few microseconds of dispatch, more than its arithmetic.

Measured here (adding problem, T=50, H=32, B=64, one thread, 2-core machine, ``python bench/bench_core.py
--archs gru,lstm --solve-steps 0 --no-inspection``): a whole training step 1.9x a plain loop over nn.GRU
and 0.96x the LSTM trainer with the compiled loops; 1.2-1.3x and about 0.6x with the torch-operation loops.

Symbols as in :mod:`rnnviz.cells`; with a_t = W_in x_t + b_in + r_t * hn_t, hn_t = W_hn h_{t-1} + b_hn
and g = dL/dh_t (from the readout at t plus from step t+1):

.. math::
    dL/da_t = g (1 - z_t)(1 - n_t^2)
    dL/d\mathrm{pre}z_t = g (h_{t-1} - n_t) z_t (1 - z_t)
    dL/d\mathrm{pre}r_t = dL/da_t \, hn_t \, r_t (1 - r_t)
    dL/dhn_t = dL/da_t \, r_t
    dL/dh_{t-1} = g z_t + [dL/d\mathrm{pre}r_t, dL/d\mathrm{pre}z_t, dL/dhn_t] W_hh

The gradients equal ``nn.GRU``'s within float32 rounding (a test checks 1e-5). The explicit cells
(:mod:`rnnviz.cells`) stay the inspection path; this is the training path. On a GPU, cuDNN's fused
GRU is used instead (:func:`gru_forward` decides).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import torch
from torch import nn

KERNEL_SOURCE = Path(__file__).with_name("fastgru_kernel.c")
CFLAGS = ["-O3", "-std=c11", "-fno-trapping-math", "-shared", "-fPIC"]  # -fno-trapping-math: lets gcc vectorise the gates
_native_lock = threading.Lock()
_native: list = []  # [the loaded library or None], filled on first use


def _cpu_key() -> str:
    """What the compiled code depends on besides its source: the machine, the CPU's instruction sets."""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        pass
    return f"{platform.machine()} {flags}"


def cache_dir() -> Path:
    """Where the compiled kernel is kept: RNNVIZ_CACHE, else $XDG_CACHE_HOME/rnnviz, else ~/.cache/rnnviz."""
    if os.environ.get("RNNVIZ_CACHE"):
        return Path(os.environ["RNNVIZ_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rnnviz"


def _compile() -> Path:
    """Compile fastgru_kernel.c for this machine (once: the library is cached under a name made of the
    source, the flags and the CPU), and return its path. Raises OSError or CalledProcessError."""
    source = KERNEL_SOURCE.read_bytes()
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise OSError("no C compiler (cc, gcc or clang) on PATH")
    key = hashlib.sha256(source + " ".join(CFLAGS).encode() + _cpu_key().encode() + cc.encode()).hexdigest()[:16]
    for folder in (cache_dir(), Path(tempfile.gettempdir()) / f"rnnviz-{os.getuid()}"):  # the second: a read-only home
        target = folder / f"fastgru-{key}.so"
        if target.exists():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".so", dir=folder)
            break
        except OSError:
            if folder != cache_dir():
                raise
    os.close(fd)
    try:
        for arch in (["-march=native"], []):  # some compilers (and CPUs) have no -march=native
            cmd = [cc, *CFLAGS, *arch, "-o", tmp, str(KERNEL_SOURCE), "-lm"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                break
        done.check_returncode()
        os.replace(tmp, target)  # atomic: a process building at the same time finds a whole file or none
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def native():
    """The compiled loops (a ctypes library), or None: where RNNVIZ_NATIVE_GRU=0, or no compiler is found
    or compiling fails (then the loops run as torch operations, one log line says why). Compiled on first
    use (about a second), then loaded from the cache."""
    with _native_lock:
        if not _native:
            lib = None
            if os.environ.get("RNNVIZ_NATIVE_GRU", "1") != "0":
                try:
                    lib = ctypes.CDLL(str(_compile()))  # CDLL: calls release Python's interpreter lock
                    ptr, i = ctypes.c_void_p, ctypes.c_int
                    lib.rnnviz_gru_forward.argtypes = [i, i, i] + [ptr] * 8
                    lib.rnnviz_gru_backward.argtypes = [i, i, i] + [ptr] * 9
                    lib.rnnviz_gru_forward.restype = lib.rnnviz_gru_backward.restype = None
                except (OSError, subprocess.SubprocessError, AttributeError) as e:
                    detail = getattr(e, "stderr", "") or ""
                    logging.getLogger("rnnviz").warning(
                        "GRU kernel not compiled (%s %s); using torch operations", e, detail[:300]
                    )
                    lib = None
            _native.append(lib)
        return _native[0]


def _native_ok(*tensors: torch.Tensor):
    """The compiled library if every tensor suits it (float32, CPU, contiguous), else None."""
    if all(t.dtype == torch.float32 and t.device.type == "cpu" and t.is_contiguous() for t in tensors):
        return native()
    return None


def _ptrs(*tensors: torch.Tensor) -> list:
    """Raw pointers for a ctypes call: the caller must keep every tensor alive until the call returns."""
    return [ctypes.c_void_p(t.data_ptr()) for t in tensors]


def _forward_loop(p: torch.Tensor, h0: torch.Tensor, w2: torch.Tensor) -> list[torch.Tensor]:
    """The forward recurrence. p [T, 4H, B] (see :class:`GRULayer`), h0 [H, B], w2 [3H, H]. Returns
    h_0..h_T [T+1, H, B], the gates r, z [T, 2H, B], the candidate n [T, H, B] and hh_n = 2 (W_hn h_{t-1} + b_hn)
    [T, H, B]. Every step writes into views of preallocated outputs (no stacking at the end)."""
    T, H, B = p.shape[0], h0.shape[0], h0.shape[1]
    hs = torch.empty(T + 1, H, B, dtype=p.dtype, device=p.device)
    rz = torch.empty(T, 2 * H, B, dtype=p.dtype, device=p.device)
    n = torch.empty(T, H, B, dtype=p.dtype, device=p.device)
    lib = _native_ok(p, h0, w2)
    if lib is not None and T > 0:
        hh_n, scratch = torch.empty(T, H, B), torch.empty(3 * H, B)
        lib.rnnviz_gru_forward(T, H, B, *_ptrs(p, h0, w2, hs, rz, n, hh_n, scratch))
        return [hs, rz, n, hh_n]
    hh = torch.empty(T, 3 * H, B, dtype=p.dtype, device=p.device)
    hs[0] = h0
    h = h0
    minus_one = torch.full_like(h0, -1.0)
    for p_t, hh_t, rz_t, n_t, h_next in zip(p.unbind(0), hh.unbind(0), rz.unbind(0), n.unbind(0), hs[1:].unbind(0)):
        torch.addmm(p_t[: 3 * H], w2, h, out=hh_t)  # [3H, B]: pre-activations of r and z; 2 (W_hn h + b_hn)
        torch.sigmoid(hh_t[: 2 * H], out=rz_t)  # [2H, B]: reset gate r, update gate z
        torch.addcmul(p_t[3 * H :], rz_t[:H], hh_t[2 * H :], out=n_t).sigmoid_()  # sigmoid(2 a_t)
        torch.add(minus_one, n_t, alpha=2.0, out=n_t)  # tanh(a_t) = 2 sigmoid(2 a_t) - 1 [H, B]
        h = torch.lerp(n_t, h, rz_t[H:], out=h_next)  # (1 - z) n + z h_{t-1}
    return [hs, rz, n, hh[:, 2 * H :]]


def _backward_loop(grad_out: torch.Tensor, factor: torch.Tensor, z: torch.Tensor, w2: torch.Tensor) -> list[torch.Tensor]:
    """The backward recurrence, t = T..1. grad_out [T, H, B] (from the outputs), factor [T, 3H, B], z [T, H, B],
    w2 [3H, H]. Returns dL/dh_t (total) [T, H, B], dL/dhh_t [T, 3H, B] and dL/dh_0 [H, B]."""
    T, H, B = grad_out.shape
    gs = torch.empty_like(grad_out)
    dhh = torch.empty(T, 3, H, B, dtype=grad_out.dtype, device=grad_out.device)
    w2_t = w2.t().contiguous()
    go, factor_, z_, gs_, dhh_ = grad_out.unbind(0), factor.view(T, 3, H, B).unbind(0), z.unbind(0), gs.unbind(0), dhh.unbind(0)
    g = gs_[T - 1].copy_(go[T - 1])  # dL/dh_T
    for t in range(T - 1, -1, -1):
        d = torch.mul(factor_[t], g, out=dhh_[t]).view(3 * H, B)  # [3H, B]: the same g times each block's factor
        if t > 0:  # dL/dh_{t-1}: from the output and from step t
            g = torch.addcmul(go[t - 1], g, z_[t], out=gs_[t - 1]).addmm_(w2_t, d)
        else:
            g = torch.mul(g, z_[t]).addmm_(w2_t, d)
    return [gs, dhh.view(T, 3 * H, B), g]


class GRULayer(torch.autograd.Function):
    r"""One GRU layer over a whole sequence, states stored transposed ([H, B]: each gate is then a block of
    whole rows, and elementwise work on contiguous memory is 2-3x faster here than on column slices).

    Inputs: p [T, 4H, B], everything that does not depend on the past, from :func:`input_projection`:
    rows 0..2H: W_ir x_t + b_ir + b_hr and W_iz x_t + b_iz + b_hz; rows 2H..3H: 2 b_hn; rows 3H..4H:
    2 (W_in x_t + b_in). h0 [H, B]. w2 [3H, H]: W_hh with its n block doubled. Output: h_1..h_T [T, H, B].
    Doubling the n rows gives 2 a_t for free, and tanh(a) = 2 sigmoid(2a) - 1: torch's sigmoid is about
    3x faster than its tanh on this CPU.
    """

    @staticmethod
    def forward(ctx, p: torch.Tensor, h0: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
        saved = _forward_loop(p, h0, w2)
        ctx.save_for_backward(w2, *saved)
        return saved[0][1:]

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        return _layer_backward(ctx.saved_tensors, grad_out)


def _layer_backward(saved, grad_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """GRULayer's backward: dL/dp [T, 4H, B], dL/dh0 [H, B], dL/dw2 [3H, H] from dL/dh_1..h_T [T, H, B]."""
    w2, hs, rz, n, hh_n = saved
    T, H, B = n.shape
    grad_out = grad_out.contiguous()
    lib = _native_ok(grad_out, hs, rz, n, hh_n, w2) if T > 0 else None
    if lib is not None:  # the whole loop (gate derivatives included) in C, straight into dL/dp
        d_p, g0, scratch = torch.empty(T, 4 * H, B), torch.empty(H, B), torch.empty(H, B)  # held until the call returns
        lib.rnnviz_gru_backward(T, H, B, *_ptrs(grad_out, hs, rz, n, hh_n, w2, d_p, g0, scratch))
        return d_p, g0, torch.bmm(d_p[:, : 3 * H], hs[:-1].transpose(1, 2)).sum(0)
    r, z = rz[:, :H], rz[:, H:]
    # Inside step t every gradient is g = dL/dh_t times a factor that does not depend on g: the
    # factors are computed for all steps at once, the loop only multiplies and carries g back.
    ha = torch.addcmul(torch.full_like(n, 0.5), n, n, value=-0.5)  # (1 - n^2) / 2
    ha = torch.addcmul(ha, z, ha, value=-1.0)  # (1 - z)(1 - n^2) / 2 = dL/da_t / (2 g)
    factor = torch.empty(T, 3 * H, B, dtype=n.dtype, device=n.device)
    torch.mul(torch.addcmul(r, r, r, value=-1.0).mul_(hh_n), ha, out=factor[:, :H])  # dL/dpre_r / g
    torch.mul(torch.addcmul(z, z, z, value=-1.0), hs[:-1] - n, out=factor[:, H : 2 * H])  # dL/dpre_z / g
    torch.mul(ha, r, out=factor[:, 2 * H :])  # dL/dhh_n / g
    gs, d_hh, g0 = _backward_loop(grad_out, factor, z.contiguous(), w2.contiguous())
    d_w2 = torch.bmm(d_hh, hs[:-1].transpose(1, 2)).sum(0)  # [3H, H]: every step's weight gradient
    d_p = torch.cat([d_hh, gs * ha], dim=1)  # [T, 4H, B]
    return d_p, g0, d_w2


def _folded(w_ih, w_hh, b_ih, b_hh):
    """nn.GRU's parameters rearranged for GRULayer: w [4H, I], b [4H], w2 [3H, H] (see GRULayer)."""
    H = w_hh.shape[1]
    w = torch.cat([w_ih[: 2 * H], torch.zeros_like(w_ih[2 * H :]), 2 * w_ih[2 * H :]])  # [4H, I]
    b = torch.cat([b_ih[: 2 * H] + b_hh[: 2 * H], 2 * b_hh[2 * H :], 2 * b_ih[2 * H :]])  # [4H]
    w2 = torch.cat([w_hh[: 2 * H], 2 * w_hh[2 * H :]])  # [3H, H]
    return w, b, w2


class GRUSequence(torch.autograd.Function):
    """GRULayer with the input projection inside, so the whole layer is one autograd node with a hand-written
    backward. Inputs: x_t [T, I, B], h0 [H, B] and nn.GRU's four parameters; output h_1..h_T [T, H, B]."""

    @staticmethod
    def forward(ctx, x_t, h0, w_ih, w_hh, b_ih, b_hh):
        w, b, w2 = _folded(w_ih, w_hh, b_ih, b_hh)
        p = torch.matmul(w, x_t).add_(b[:, None])  # [T, 4H, B]
        saved = _forward_loop(p, h0, w2)
        ctx.save_for_backward(x_t, w, w2, *saved)
        return saved[0][1:]

    @staticmethod
    def backward(ctx, grad_out):
        x_t, w, *saved = ctx.saved_tensors
        d_p, g0, d_w2 = _layer_backward(saved, grad_out)
        H = d_w2.shape[1]
        d_x = torch.matmul(w.t(), d_p) if ctx.needs_input_grad[0] else None  # [T, I, B]
        d_w = torch.bmm(d_p, x_t.transpose(1, 2)).sum(0)  # [4H, I]
        d_b = d_p.sum((0, 2))  # [4H]
        d_w_ih = torch.cat([d_w[: 2 * H], 2 * d_w[3 * H :]])
        d_w_hh = torch.cat([d_w2[: 2 * H], 2 * d_w2[2 * H :]])
        d_b_ih = torch.cat([d_b[: 2 * H], 2 * d_b[3 * H :]])
        d_b_hh = torch.cat([d_b[: 2 * H], 2 * d_b[2 * H : 3 * H]])
        return d_x, g0, d_w_ih, d_w_hh, d_b_ih, d_b_hh


def input_projection(x_t: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, b_ih: torch.Tensor, b_hh: torch.Tensor):
    """GRULayer's inputs from a layer's input x_t [T, I, B] and nn.GRU's parameters: p [T, 4H, B] and w2
    [3H, H] (differentiable functions of the parameters, so autograd carries the gradients to them)."""
    w, b, w2 = _folded(w_ih, w_hh, b_ih, b_hh)
    return torch.matmul(w, x_t) + b[:, None], w2  # [T, 4H, B], [3H, H]


def use_fast_path(x: torch.Tensor) -> bool:
    """The hand-written layer on a CPU; on a GPU, cuDNN's fused GRU is faster."""
    return x.device.type == "cpu"


def gru_forward(core: nn.GRU, x: torch.Tensor) -> torch.Tensor:
    """``core(x)[0]`` for a batch-first ``nn.GRU`` (any number of layers, zero initial state),
    computed with :class:`GRULayer` on a CPU. x [B, T, I] -> h_t of the last layer [B, T, H]."""
    if not use_fast_path(x) or core.bidirectional or not core.batch_first or core.dropout or x.dim() != 3 or not core.bias:
        return core(x)[0]
    B = x.shape[0]
    layer_in = x.permute(1, 2, 0)  # [T, I, B]: states are kept transposed, see GRULayer
    h0 = x.new_zeros(core.hidden_size, B)
    for k in range(core.num_layers):
        w_ih, w_hh = getattr(core, f"weight_ih_l{k}"), getattr(core, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(core, f"bias_ih_l{k}"), getattr(core, f"bias_hh_l{k}")
        layer_in = GRUSequence.apply(layer_in, h0, w_ih, w_hh, b_ih, b_hh)  # [T, H, B]
    return layer_in.permute(2, 0, 1)  # [B, T, H]
