"""Benchmark the core: trainer vs a plain PyTorch loop, one inspection pass, time to solve.

    python bench/bench_core.py [--steps 300] [--repeats 3] [--solve-steps 3000] [--archs lstm,gru,rnn]
    python bench/bench_core.py --archs gru,lstm --solve-steps 0 --no-inspection   # the GRU ratio alone

The plain loop is what a student would write over torch's own modules (``nn.LSTM`` / ``nn.GRU`` /
``nn.RNN`` + ``nn.Linear``); the trainer is rnnviz's (its GRU runs :mod:`rnnviz.fastgru` on a CPU).
The "GRU vs plain nn.GRU" line is the GRU trainer's steps/s over the plain nn.GRU loop's, and the same
trainer's steps/s over the LSTM trainer's for reference.

Prints ratios measured in this one process (these machines are shared and noisy; compare the
ratios, not the seconds). One torch thread, as the app uses.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnnviz.models.recurrent import SequenceModel, config_for_task, sequence_loss  # noqa: E402
from rnnviz.runtime.training import make_run  # noqa: E402
from rnnviz.tasks import get_task  # noqa: E402

CFG = dict(seq_len=50, hidden_size=32, batch_size=64, lr=1e-2, clip=True, clip_value=1.0)


class PlainModel(torch.nn.Module):
    """torch's own recurrent module and a linear readout, nothing of ours."""

    def __init__(self, arch, input_size, hidden_size, output_size):
        super().__init__()
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[arch]
        self.core = cls(input_size, hidden_size, batch_first=True)
        self.readout = torch.nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.readout(self.core(x)[0])


def plain_loop(arch, steps, seed=0):
    """What a student would write: torch's module, Adam, clip_grad_norm_, the same batches."""
    task = get_task("adding")
    torch.manual_seed(seed)
    model = PlainModel(arch, task.input_size, CFG["hidden_size"], task.output_size)
    opt = torch.optim.Adam(model.parameters(), lr=CFG["lr"])
    rng = np.random.default_rng([seed, 1])
    t0 = time.perf_counter()
    for _ in range(steps):
        b = task.batch(CFG["batch_size"], CFG["seq_len"], rng)
        loss = sequence_loss(model(b.x), b.y, b.mask)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CFG["clip_value"])
        opt.step()
        loss.item()
    return steps / (time.perf_counter() - t0)


def trainer_loop(arch, steps, seed=0):
    tr = make_run("adding", arch=arch, seed=seed, **CFG)
    t0 = time.perf_counter()
    tr.run(n_steps=steps)
    return steps / (time.perf_counter() - t0)


def inspection(arch, repeats=20):
    task = get_task("adding")
    model = SequenceModel(config_for_task(task, arch=arch, hidden_size=64), seed=0)
    b = task.batch(8, 100, np.random.default_rng(0))
    model.trace(b.x, b.y, b.mask)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.trace(b.x, b.y, b.mask)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def time_to_solve(arch, max_steps):
    tr = make_run("adding", arch=arch, snapshot_every=10_000, **CFG)
    while tr.solved_at is None and tr.step < max_steps:
        tr.run(n_steps=25)
    ev = tr.evaluate()
    return tr.solved_at, tr.seconds, ev["loss"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--solve-steps", type=int, default=3000, help="0 skips the time-to-solve part")
    ap.add_argument("--archs", default="lstm,gru,rnn")
    ap.add_argument("--no-inspection", action="store_true")
    a = ap.parse_args()
    archs = [x.strip() for x in a.archs.split(",") if x.strip()]
    torch.set_num_threads(1)
    print(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, adding problem T=50 H=32 B=64, "
        f"Adam 1e-2, clip 1.0, {a.steps} steps x {a.repeats} alternating repeats (best of each)"
    )
    print(f"{'arch':5s} {'plain steps/s':>14s} {'trainer steps/s':>16s} {'ratio':>6s}")
    best = {}
    for arch in archs:
        plain_loop(arch, 20)
        trainer_loop(arch, 20)  # warm up
        p, t = [], []
        for _ in range(a.repeats):
            p.append(plain_loop(arch, a.steps))
            t.append(trainer_loop(arch, a.steps))
        best[arch] = (max(p), max(t))
        print(f"{arch:5s} {max(p):14.1f} {max(t):16.1f} {max(t) / max(p):6.2f}")
    if "gru" in best:
        plain, ours = best["gru"]
        line = f"\nGRU vs plain nn.GRU: trainer {ours:.1f} steps/s / plain {plain:.1f} = {ours / plain:.2f}x"
        if "lstm" in best:
            line += f"; GRU trainer / LSTM trainer = {best['gru'][1] / best['lstm'][1]:.2f}"
        print(line)
    if a.no_inspection:
        archs_insp = []
    else:
        archs_insp = archs
        print("\ninspection pass (trace with hidden_grad, batch 8, T=100, H=64), median of 20:")
    for arch in archs_insp:
        print(f"  {arch:5s} {inspection(arch):6.1f} ms")
    if a.solve_steps <= 0:
        return
    print(
        f"\ntime to solve the adding problem at T=50 (held-out MSE < 0.01, scored every 50 steps), at most {a.solve_steps} steps:"
    )
    for arch in archs:
        at, secs, held = time_to_solve(arch, a.solve_steps)
        verdict = f"solved at step {at} in {secs:.1f} s" if at else f"not solved in {a.solve_steps} steps ({secs:.1f} s)"
        print(f"  {arch:5s} {verdict}; held-out MSE {held:.4f} (baseline 0.1667)")


if __name__ == "__main__":
    main()
