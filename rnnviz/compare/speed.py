"""Speed and memory, measured: parallelism over the sequence, streaming one step at a time, the GRU kernel.

Three measurements, each a plain function returning plain values, and :func:`measure` that runs
them all into the dict shipped as ``rnnviz/compare/results/speed.json`` (the command
``python -m rnnviz speed --json`` writes it):

parallel
    the time of one training step (forward, loss, backward, Adam update) on a batch of length T,
    for T in 10..500, for every model of :mod:`rnnviz.models`, next to its *sequential depth*: how
    many computations must run one after another, however many cores there are. An RNN / LSTM /
    GRU has T of them per layer (h_t needs h_{t-1}); a causal CNN one per level, whatever T is; a
    Transformer one attention block per layer.
stream
    the cost of one new step at position t (t up to 2,000) when a model is fed a live stream one
    step at a time (:mod:`rnnviz.models.stream`), and the memory it must keep between steps.
gru_kernel
    forward + backward time of the LSTM and GRU kernels at T=50, H=32, B=64 next to their
    arithmetic (FLOPs), and the trainer's GRU against a plain training loop over ``nn.GRU``.

threads
    the same training step at T=200 on 1 and on 2 threads, next to each model's sequential depth and its
    total work (FLOPs): what running operations at the same time buys on this machine.

Inputs are random features of the adding problem's shape (2 per step, target at the last step):
the time of a step does not depend on the numbers in it. Times are taken the app's one way
(:mod:`rnnviz.compare.timing`: warm-up, interleaved repeats, median and spread, one process).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..cells import gru_cell, lstm_cell
from ..errors import ConfigError
from ..fastgru import gru_forward
from ..models import COMPARE_ARCHS, CausalCNN, CausalTransformer, build_model, parameter_count
from ..models import stream as streaming
from ..models.recurrent import sequence_loss
from ..runtime.training import make_run
from ..tasks import get_task
from .timing import METHOD, cores, server_load, threads, time_call, time_calls

RESULTS = Path(__file__).parent / "results" / "speed.json"
LENGTHS = (10, 20, 50, 100, 200, 500)
STREAM_POSITIONS = (1, 10, 50, 100, 200, 500, 1000, 1500, 2000)
MAX_LENGTH, MAX_STREAM = 2000, 20_000
LABELS = {
    "rnn": "vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "cnn": "causal CNN",
    "transformer": "Transformer",
    "gru_attention": "GRU + attention",
}
DEPTH_RULE = {
    "rnn": "T steps one after another (per layer)",
    "lstm": "T steps one after another (per layer)",
    "gru": "T steps one after another (per layer)",
    "cnn": "one convolution level after another, whatever T is",
    "transformer": "one attention block per layer, whatever T is",
    "gru_attention": "T GRU steps, then one attention",
}
GPU_NOTE = (
    "Measured on CPU only: no GPU was available where this file was made. Run `python -m rnnviz speed --json "
    "--out speed.json` on a machine with a CUDA GPU (and a CUDA build of PyTorch) to add the GPU column."
)
Progress = Callable[[float, str], None]


def _quiet(fraction: float, text: str) -> None:
    pass


def sequential_depth(model: nn.Module, arch: str, T: int) -> int:
    """How many computations must run one after another for a sequence of T steps (the length of the
    longest chain in the forward pass, counted in recurrent steps, convolution levels or attention blocks)."""
    if isinstance(model, CausalCNN):
        return model.levels
    if isinstance(model, CausalTransformer):
        return model.cfg.num_layers
    layers = model.cfg.num_layers
    return T * layers + (1 if arch == "gru_attention" else 0)


def step_fn(arch: str, T: int, batch: int = 32, hidden: int = 32, device: str = "cpu") -> Callable[[], None]:
    """One training step (forward, loss, backward, Adam update) of ``arch`` on a fixed batch of ``batch``
    random adding-problem sequences of length T, as a function to time."""
    if arch not in COMPARE_ARCHS:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of {', '.join(COMPARE_ARCHS)}")
    if not (isinstance(T, int) and 1 <= T <= MAX_LENGTH):
        raise ConfigError(f"sequence length must be an integer from 1 to {MAX_LENGTH}, got {T!r}")
    model = build_model(arch, "adding", hidden_size=hidden, seed=0).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(T)
    x = torch.randn(batch, T, 2, generator=g).to(device)
    y = torch.randn(batch, 1, generator=g).to(device)

    def one_step():
        loss = sequence_loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return one_step


def step_time(arch: str, T: int, batch: int = 32, hidden: int = 32, repeats: int = 5, device: str = "cpu") -> float:
    """Milliseconds for one training step of ``arch`` at length T, timed the one way (rnnviz.compare.timing)."""
    return time_call(step_fn(arch, T, batch, hidden, device), repeats, device).median_ms


def parallel(
    archs=COMPARE_ARCHS,
    lengths=LENGTHS,
    batch: int = 32,
    hidden: int = 32,
    repeats: int = 5,
    device: str = "cpu",
    progress: Progress = _quiet,
) -> dict:
    """Training step time against T for each model (at each length the models are timed interleaved,
    see rnnviz.compare.timing), with its sequential depth and parameter count."""
    built = {arch: build_model(arch, "adding", hidden_size=hidden, seed=0) for arch in archs}
    med: dict[str, list[float]] = {a: [] for a in archs}
    spread: dict[str, list[list[float]]] = {a: [] for a in archs}
    for i, T in enumerate(lengths):
        progress(i / len(lengths), f"{device}: every model's training step at T={T}, interleaved")
        tm = time_calls({a: step_fn(a, T, batch, hidden, device) for a in archs}, repeats, device)
        for a in archs:
            med[a].append(round(tm[a].median_ms, 4))
            spread[a].append([round(tm[a].low_ms, 4), round(tm[a].high_ms, 4)])
    models = {
        arch: {
            "label": LABELS[arch],
            "parameters": parameter_count(m),
            "step_ms": med[arch],
            "spread_ms": spread[arch],
            "depth": [sequential_depth(m, arch, T) for T in lengths],
            "depth_rule": DEPTH_RULE[arch],
        }
        for arch, m in built.items()
    }
    progress(1.0, f"{device}: done")
    return {
        "device": device,
        "batch": batch,
        "hidden": hidden,
        "lengths": list(lengths),
        "repeats": repeats,
        "method": METHOD.format(repeats=repeats),
        "models": models,
    }


# ----- what a second thread buys -------------------------------------------------------------
THREAD_ARCHS = ("rnn", "lstm", "cnn", "transformer")  # the article's families, as in Vaswani et al.'s table
VASWANI = {
    "source": "Vaswani et al. (2017), “Attention Is All You Need”, Table 1",
    "url": "https://arxiv.org/abs/1706.03762",
    "note": "n: sequence length, d: representation size, k: kernel size of the convolutions",
    "rows": [
        {"layer": "Self-attention", "work": "O(n²·d)", "sequential": "O(1)", "path": "O(1)", "arch": "transformer"},
        {"layer": "Recurrent", "work": "O(n·d²)", "sequential": "O(n)", "path": "O(n)", "arch": "lstm"},
        {"layer": "Convolutional", "work": "O(k·n·d²)", "sequential": "O(1)", "path": "O(log_k(n))", "arch": "cnn"},
    ],
}


def work_flops(arch: str, T: int, batch: int = 32, hidden: int = 32) -> int:
    """Floating-point operations of one training step's forward and backward pass (the total work, whatever
    runs at once). The CNN's and Transformer's are counted by PyTorch's FLOP counter as they run; the
    recurrent cells' matrix products are counted from their sizes (their fused kernels hide them from the
    counter): 2 FLOPs per weight, per step and example, forward, and twice that backward."""
    if arch in ("rnn", "lstm", "gru"):
        gates = {"lstm": 4, "gru": 3, "rnn": 1}[arch]
        return 3 * 2 * gates * hidden * (2 + hidden) * T * batch
    from torch.utils.flop_counter import FlopCounterMode

    model = build_model(arch, "adding", hidden_size=hidden, seed=0)
    x = torch.randn(batch, T, 2)
    with FlopCounterMode(display=False) as fc:
        model(x).sum().backward()
    return int(fc.get_total_flops())


def thread_gain(
    archs=THREAD_ARCHS,
    T: int = 200,
    batch: int = 32,
    hidden: int = 32,
    counts=(1, 2),
    repeats: int = 7,
    progress: Progress = _quiet,
) -> dict:
    """The same training step on 1 and on 2 threads (every (model, threads) pair timed interleaved), with
    each model's sequential depth and total work: what running operations at the same time buys here."""
    progress(0.0, f"threads: every model at T={T} on {', '.join(map(str, counts))} threads, interleaved")
    fns = {}
    for arch in archs:
        f = step_fn(arch, T, batch, hidden)
        for n in counts:
            fns[f"{arch}@{n}"] = lambda f=f, n=n: (torch.set_num_threads(n), f())
    with threads(torch.get_num_threads()):
        tm = time_calls(fns, repeats)
    models = {}
    for arch in archs:
        m = build_model(arch, "adding", hidden_size=hidden, seed=0)
        models[arch] = {
            "label": LABELS[arch],
            "step_ms": [round(tm[f"{arch}@{n}"].median_ms, 4) for n in counts],
            "spread_ms": [[round(tm[f"{arch}@{n}"].low_ms, 4), round(tm[f"{arch}@{n}"].high_ms, 4)] for n in counts],
            "depth": sequential_depth(m, arch, T),
            "work_flops": work_flops(arch, T, batch, hidden),
        }
    progress(1.0, "threads: done")
    return {
        "T": T,
        "batch": batch,
        "hidden": hidden,
        "threads": list(counts),
        "cores": cores(),
        "repeats": repeats,
        "method": METHOD.format(repeats=repeats),
        "models": models,
    }


def describe_gain(g: dict, busy: bool = False) -> str:
    """What the second thread bought, in a sentence that holds whatever the numbers are (``busy``: the machine
    was busier than its cores while measuring)."""
    gain = {a: m["step_ms"][0] / m["step_ms"][-1] for a, m in g["models"].items()}
    label = {a: m["label"] for a, m in g["models"].items()}
    best, worst = max(gain, key=gain.get), min(gain, key=gain.get)
    said = (
        f"Measured: the second thread made the **{label[best]}** {gain[best]:.2f}x as fast and the "
        f"**{label[worst]}** {gain[worst]:.2f}x as fast. Two cores can at best halve a time (2.00x); small "
        "operations gain less, because handing work to a second thread has a cost of its own."
    )
    if gain[best] < 1:
        said += (
            " Here every model got *slower* with two threads: the second core was busy with other work, so the "
            "threads mostly waited for each other. This comparison needs a machine with a core to spare."
            if busy
            else " Here every model got *slower* with two threads: at these sizes handing work to the second thread "
            "cost more than it saved."
        )
    return said


def describe_threads(g: dict) -> list[str]:
    """One sentence per model: what the second thread bought, beside its depth and total work."""
    a, b = g["threads"][0], g["threads"][-1]
    out = []
    for m in g["models"].values():
        t1, t2 = m["step_ms"][0], m["step_ms"][-1]
        out.append(
            f"**{m['label']}**: {t1:.3g} ms on {a} thread, {t2:.3g} ms on {b} ({t1 / t2:.2f}x as fast); "
            f"{m['depth']:,} computation{'s' if m['depth'] > 1 else ''} one after another, "
            f"{m['work_flops'] / 1e6:,.0f} million FLOPs in all."
        )
    return out


def stream(
    archs=COMPARE_ARCHS,
    max_t: int = 2000,
    positions=STREAM_POSITIONS,
    hidden: int = 32,
    window: int = 25,
    progress: Progress = _quiet,
) -> dict:
    """Feed each model one stream (batch 1) for ``max_t`` steps, one step at a time; at each position
    in ``positions``, the time of a step (median of the ``window`` steps up to it) and the bytes of
    state kept between steps."""
    if not (isinstance(max_t, int) and 1 <= max_t <= MAX_STREAM):
        raise ConfigError(f"stream length must be an integer from 1 to {MAX_STREAM}, got {max_t!r}")
    positions = [p for p in positions if 1 <= p <= max_t]
    rng = np.random.default_rng(0)
    xs = torch.from_numpy(rng.standard_normal((max_t, 1, 2)).astype(np.float32))  # [t, B=1, 2]
    models = {}
    for i, arch in enumerate(archs):
        progress(i / len(archs), f"streaming {LABELS[arch]}: {max_t} steps one at a time")
        model = build_model(arch, "adding", hidden_size=hidden, seed=0).eval()
        state = streaming.start(model, 1)
        times, mem = [], []
        for t in range(max_t):
            t0 = time.perf_counter()
            _, state = streaming.step(model, xs[t], state)
            times.append(time.perf_counter() - t0)
            if t + 1 in positions:
                mem.append(streaming.state_bytes(state))
        models[arch] = {
            "label": LABELS[arch],
            "step_ms": [round(statistics.median(times[max(0, p - window) : p]) * 1e3, 5) for p in positions],
            "state_bytes": mem,
            "state_rule": streaming.STATE_RULE[arch],
        }
    progress(1.0, "streaming: done")
    return {"batch": 1, "hidden": hidden, "positions": positions, "window": window, "models": models}


# ----- the GRU kernel ------------------------------------------------------------------------
class PlainModel(nn.Module):
    """torch's own recurrent module and a linear readout, nothing of ours: what a student would write."""

    def __init__(self, arch: str, input_size: int, hidden_size: int, output_size: int):
        super().__init__()
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[arch]
        self.core = cls(input_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.readout(self.core(x)[0])


def flops_per_step(arch: str, input_size: int, hidden: int) -> int:
    """Floating-point operations of one recurrent step for one example, forward only: the gate
    matrix products (a multiply and an add per weight, 2 per weight) and the elementwise gate work."""
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[arch]
    matmul = 2 * gates * hidden * (input_size + hidden)
    elementwise = {"lstm": 10, "gru": 11, "rnn": 2}[arch] * hidden  # bias adds, sigmoids/tanh, products
    return matmul + elementwise


def _loop_forward(arch: str, core: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The explicit cells of rnnviz.cells in a Python loop (the inspection path's arithmetic)."""
    w_ih, w_hh, b_ih, b_hh = core.weight_ih_l0, core.weight_hh_l0, core.bias_ih_l0, core.bias_hh_l0
    xw = (x @ w_ih.T + b_ih).transpose(0, 1)  # [T, B, G*H]
    h = x.new_zeros(x.shape[0], core.hidden_size)
    c = torch.zeros_like(h)
    hs = []
    for xw_t in xw.unbind(0):
        if arch == "lstm":
            h, c, _ = lstm_cell(xw_t, h, c, w_hh, b_hh)
        else:
            h, _ = gru_cell(xw_t, h, w_hh, b_hh)
        hs.append(h)
    return torch.stack(hs, 1)


def kernel_times(T: int = 50, hidden: int = 32, batch: int = 64, repeats: int = 20) -> dict:
    """Forward + backward milliseconds (median of ``repeats``, interleaved: rnnviz.compare.timing) of the
    LSTM and GRU computed four ways: torch's nn module, rnnviz's trainer path, and the explicit cells in
    a Python loop."""
    torch.manual_seed(0)
    lstm, gru = nn.LSTM(2, hidden, batch_first=True), nn.GRU(2, hidden, batch_first=True)
    x = torch.randn(batch, T, 2)
    runs = {
        "lstm_torch": lambda: lstm(x)[0].sum().backward(),
        "gru_torch": lambda: gru(x)[0].sum().backward(),
        "gru_rnnviz": lambda: gru_forward(gru, x).sum().backward(),
        "lstm_loop": lambda: _loop_forward("lstm", lstm, x).sum().backward(),
        "gru_loop": lambda: _loop_forward("gru", gru, x).sum().backward(),
    }
    return {k: round(v.median_ms, 4) for k, v in time_calls(runs, repeats).items()}


def _plain_steps_per_s(arch: str, steps: int, T: int, hidden: int, batch: int) -> float:
    task = get_task("adding")
    torch.manual_seed(0)
    model = PlainModel(arch, task.input_size, hidden, task.output_size)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng([0, 1])
    t0 = time.perf_counter()
    for _ in range(steps):
        b = task.batch(batch, T, rng)
        loss = sequence_loss(model(b.x), b.y, b.mask)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()
    return steps / (time.perf_counter() - t0)


def _trainer_steps_per_s(arch: str, steps: int, T: int, hidden: int, batch: int) -> float:
    tr = make_run("adding", arch=arch, seq_len=T, hidden_size=hidden, batch_size=batch, lr=1e-2, clip=True, clip_value=1.0)
    tr.run(n_steps=1)  # the step-0 held-out score, not part of the rate
    t0 = time.perf_counter()
    tr.run(n_steps=steps)
    return steps / (time.perf_counter() - t0)


def trainer_rates(steps: int = 100, repeats: int = 3, T: int = 50, hidden: int = 32, batch: int = 64) -> dict:
    """Training steps per second (median of ``repeats``, interleaved) on the adding problem: rnnviz's
    trainer (GRU and LSTM) and a plain loop over torch's nn.GRU / nn.LSTM (Adam, clipping, the same
    batches). ``gru_ratio`` is the GRU trainer over the plain nn.GRU loop."""
    runs = {
        "gru_plain": lambda: _plain_steps_per_s("gru", steps, T, hidden, batch),
        "gru_trainer": lambda: _trainer_steps_per_s("gru", steps, T, hidden, batch),
        "lstm_plain": lambda: _plain_steps_per_s("lstm", steps, T, hidden, batch),
        "lstm_trainer": lambda: _trainer_steps_per_s("lstm", steps, T, hidden, batch),
    }
    seen: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats):
        for k, f in runs.items():
            seen[k].append(f())
    best = {k: statistics.median(v) for k, v in seen.items()}
    out = {k: round(v, 2) for k, v in best.items()}
    out["gru_ratio"] = round(best["gru_trainer"] / best["gru_plain"], 3)
    out["gru_vs_lstm_trainer"] = round(best["gru_trainer"] / best["lstm_trainer"], 3)
    return out


def gru_kernel(repeats: int = 20, trainer_steps: int = 100, trainer_repeats: int = 3, progress: Progress = _quiet) -> dict:
    """The GRU's FLOPs against its measured time, next to the LSTM's (T=50, H=32, B=64, the adding problem)."""
    T, H, B, inp = 50, 32, 64, 2
    progress(0.0, "GRU kernel: forward + backward of five implementations")
    times = kernel_times(T, H, B, repeats)
    progress(0.4, "GRU kernel: training steps per second, trainer against a plain loop")
    rates = trainer_rates(trainer_steps, trainer_repeats, T, H, B)
    progress(1.0, "GRU kernel: done")
    return {
        "T": T,
        "hidden": H,
        "batch": B,
        "input_size": inp,
        "flops_per_step": {a: flops_per_step(a, inp, H) for a in ("lstm", "gru")},
        "fwd_bwd_ms": times,
        "steps_per_s": rates,
    }


# ----- the whole file ------------------------------------------------------------------------
def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "gpu": gpu,
    }


def measure(
    command: str,
    archs=COMPARE_ARCHS,
    lengths=LENGTHS,
    max_t: int = 2000,
    batch: int = 32,
    repeats: int = 5,
    progress: Progress = _quiet,
) -> dict:
    """Everything: parallel (CPU, and CUDA when present), threads, stream, gru_kernel, with the command line, the
    date and the machine. ``progress(fraction, text)`` is called as it goes."""

    def part(lo: float, hi: float) -> Progress:
        return lambda f, text: progress(lo + (hi - lo) * f, text)

    has_gpu = torch.cuda.is_available()
    before = server_load()
    out = {
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "gpu_note": None if has_gpu else GPU_NOTE,
        "parallel": {"cpu": parallel(archs, lengths, batch, 32, repeats, "cpu", part(0.0, 0.5 if has_gpu else 0.6))},
    }
    if has_gpu:
        out["parallel"]["cuda"] = parallel(archs, lengths, batch, 32, repeats, "cuda", part(0.5, 0.6))
    out["threads"] = thread_gain(tuple(a for a in THREAD_ARCHS if a in archs), progress=part(0.6, 0.7))
    out["stream"] = stream(archs, max_t, progress=part(0.7, 0.85))
    out["gru_kernel"] = gru_kernel(progress=part(0.85, 1.0))
    after = server_load()
    out["load"] = {"before": before.load, "after": after.load, "cores": after.cores}
    return out


# ----- reading the shipped file --------------------------------------------------------------
class ResultsError(ConfigError):
    """The results file is missing, unreadable or not in the expected shape."""


def check(data: dict) -> dict:
    """Raise ResultsError unless ``data`` has the shape :func:`measure` produces (every list as long as
    its axis, every number finite and positive); return it."""

    def need(cond: bool, what: str):
        if not cond:
            raise ResultsError(f"speed results: {what}")

    def positive(xs, n, what):
        need(isinstance(xs, list) and len(xs) == n, f"{what} should have {n} values")
        need(all(isinstance(v, (int, float)) and np.isfinite(v) and v > 0 for v in xs), f"{what} should be positive numbers")

    need(isinstance(data, dict), "not a JSON object")
    for key in ("command", "date", "machine", "parallel", "stream", "gru_kernel"):
        need(key in data, f"missing {key!r}")
    need(isinstance(data["command"], str) and "speed" in data["command"], "the command line is missing")
    for device, p in data["parallel"].items():
        need(device in ("cpu", "cuda"), f"unknown device {device!r}")
        n = len(p["lengths"])
        need(n > 0 and set(p["models"]) <= set(COMPARE_ARCHS), "parallel: unknown models or no lengths")
        for arch, m in p["models"].items():
            positive(m["step_ms"], n, f"parallel {device} {arch} step_ms")
            positive(m["depth"], n, f"parallel {device} {arch} depth")
    s = data["stream"]
    n = len(s["positions"])
    for arch, m in s["models"].items():
        need(arch in COMPARE_ARCHS, f"stream: unknown model {arch!r}")
        positive(m["step_ms"], n, f"stream {arch} step_ms")
        positive(m["state_bytes"], n, f"stream {arch} state_bytes")
    if "threads" in data:
        g = data["threads"]
        need(isinstance(g.get("threads"), list) and len(g["threads"]) >= 2, "threads: needs at least two thread counts")
        for arch, m in g["models"].items():
            need(arch in COMPARE_ARCHS, f"threads: unknown model {arch!r}")
            positive(m["step_ms"], len(g["threads"]), f"threads {arch} step_ms")
            positive([m["depth"], m["work_flops"]], 2, f"threads {arch} depth and work")
    k = data["gru_kernel"]
    need(set(k["fwd_bwd_ms"]) >= {"lstm_torch", "gru_torch", "gru_rnnviz"}, "gru_kernel: missing kernel times")
    need("gru_ratio" in k["steps_per_s"], "gru_kernel: missing the trainer ratio")
    return data


def load(path: str | os.PathLike = RESULTS) -> dict:
    """The results file, checked (ResultsError with one line if it cannot be used)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ResultsError(f"no speed results at {path}; make them with `python -m rnnviz speed --json`") from None
    except (OSError, ValueError) as e:
        raise ResultsError(f"cannot read {path}: {e.__class__.__name__}") from None
    try:
        return check(data)
    except (KeyError, TypeError) as e:
        raise ResultsError(f"speed results: unexpected shape ({e.__class__.__name__}: {e})") from None


# ----- the command line ----------------------------------------------------------------------
def _ints(text: str | None, default, what: str, lo: int, hi: int) -> tuple[int, ...]:
    if text is None:
        return tuple(default)
    try:
        vals = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise ConfigError(f"{what} must be comma-separated integers, got {text!r}") from None
    if not vals or any(not lo <= v <= hi for v in vals):
        raise ConfigError(f"{what} must be integers from {lo} to {hi}, got {text!r}")
    return vals


def run_command(a, command: str) -> int:
    """``python -m rnnviz speed``: measure everything, progress on stderr, one JSON object out."""
    import sys

    archs = tuple(COMPARE_ARCHS) if a.archs is None else tuple(v.strip() for v in a.archs.split(",") if v.strip())
    bad = [v for v in archs if v not in COMPARE_ARCHS]
    if bad or not archs:
        raise ConfigError(f"unknown model {', '.join(bad) or '(none)'}; choose from {', '.join(COMPARE_ARCHS)}")
    lengths = _ints(a.lengths, LENGTHS, "--lengths", 1, MAX_LENGTH)
    if not 1 <= a.max_t <= MAX_STREAM:
        raise ConfigError(f"--max-t must be from 1 to {MAX_STREAM}, got {a.max_t}")
    if not 1 <= a.batch <= 1024 or not 1 <= a.repeats <= 100:
        raise ConfigError("--batch must be from 1 to 1024 and --repeats from 1 to 100")

    def progress(fraction: float, text: str) -> None:
        print(f"[{100 * fraction:5.1f}%] {text}", file=sys.stderr, flush=True)

    data = measure(command, archs, lengths, a.max_t, a.batch, a.repeats, progress)
    text = json.dumps(data, indent=1)
    if a.out:
        try:
            Path(a.out).write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot write {a.out}: {e.strerror}") from None
        print(f"wrote {a.out}", file=sys.stderr)
    else:
        print(text)
    return 0


# ----- what the numbers say (sentences for the page, numbers from the file) ------------------
def _at(p: dict, arch: str, T: int) -> float | None:
    m = p["models"].get(arch)
    return m["step_ms"][p["lengths"].index(T)] if m and T in p["lengths"] else None


def describe_parallel(p: dict) -> list[str]:
    """One sentence per model: how much longer a step takes from the shortest to the longest T, next to
    how much its sequential depth grew."""
    T0, T1 = p["lengths"][0], p["lengths"][-1]
    out = []
    for m in p["models"].values():
        t0, t1 = m["step_ms"][0], m["step_ms"][-1]
        d0, d1 = m["depth"][0], m["depth"][-1]
        out.append(
            f"**{m['label']}**: {t0:.3g} ms at T={T0}, {t1:.3g} ms at T={T1} ({t1 / t0:.0f}x longer for "
            f"{T1 / T0:.0f}x the steps); sequential depth {d0} → {d1} ({m['depth_rule']})."
        )
    return out


def describe_stream(s: dict) -> list[str]:
    """One sentence per model: the cost of a new step and the memory kept, at the first and last position."""
    t0, t1 = s["positions"][0], s["positions"][-1]
    out = []
    for m in s["models"].values():
        b0, b1 = m["state_bytes"][0], m["state_bytes"][-1]
        grows = f"grows from {b0 / 1024:.2g} to {b1 / 1024:.3g} KiB" if b1 > b0 else f"stays at {b1 / 1024:.2g} KiB"
        out.append(
            f"**{m['label']}**: {m['step_ms'][0]:.2g} ms for step {t0}, {m['step_ms'][-1]:.2g} ms for step {t1}; "
            f"the state kept {grows} ({m['state_rule']})."
        )
    return out


def describe_kernel(k: dict) -> dict:
    """The GRU-vs-LSTM numbers the page's explanation quotes."""
    f, ms, rates = k["flops_per_step"], k["fwd_bwd_ms"], k["steps_per_s"]
    return {
        "flops_gru": f["gru"],
        "flops_lstm": f["lstm"],
        "flops_ratio": f["gru"] / f["lstm"],
        "lstm_torch": ms["lstm_torch"],
        "gru_torch": ms["gru_torch"],
        "gru_rnnviz": ms["gru_rnnviz"],
        "gru_loop": ms.get("gru_loop"),
        "torch_ratio": ms["gru_torch"] / ms["lstm_torch"],
        "ours_vs_torch": ms["gru_torch"] / ms["gru_rnnviz"],
        "gru_ratio": rates["gru_ratio"],
        "gru_trainer": rates["gru_trainer"],
        "gru_plain": rates["gru_plain"],
        "lstm_trainer": rates["lstm_trainer"],
    }


def live_check(data: dict, lengths=(50, 200), archs=COMPARE_ARCHS, repeats: int = 3, progress: Progress = _quiet) -> list[dict]:
    """Measure a few points of the parallel table again here and now, the file's way (the same batch and
    size, warm-up, interleaved repeats, median), next to the file's numbers: rows {model, T, now_ms,
    file_ms, ratio} where ratio is now over the file."""
    p = data["parallel"]["cpu"]
    rows = []
    for j, T in enumerate(lengths):
        progress(j / len(lengths), f"every model at T={T}, interleaved")
        tm = time_calls({a: step_fn(a, T, p["batch"], p["hidden"]) for a in archs}, repeats)
        for a in archs:
            now, then = tm[a].median_ms, _at(p, a, T)
            rows.append(
                {
                    "model": LABELS[a],
                    "T": T,
                    "now_ms": round(now, 2),
                    "file_ms": then,
                    "ratio": round(now / then, 2) if then else None,
                }
            )
    progress(1.0, "done")
    return rows


def describe_live(rows: list[dict]) -> str:
    """What the ratios of :func:`live_check` say, in one sentence."""
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    if not ratios:
        return "The file has no numbers at these lengths to compare with."
    lo, hi, mid = min(ratios), max(ratios), statistics.median(ratios)
    return (
        f"Now against the file: from {lo:.2f}x to {hi:.2f}x its time, {mid:.2f}x at the median "
        "(1.00x: exactly as fast as when the file was made)."
    )
