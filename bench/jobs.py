"""What the applications' job path costs against training the same job in one plain loop.

    python bench/jobs.py [--steps 300] [--seeds 3] [--arch lstm] [--chunk 0.1]

The default Forecast job (sunspots, one network, --seeds copies of --steps steps) is run three ways in
this process, after a 5-step warm-up (imports and first fits are not timed), each from a fresh start:
``here`` (``Job.run_here``: the command line's path, one thread, no turns), ``thread`` (a fresh worker
with one thread training in the server's process, turns of --chunk seconds) and ``process`` (a fresh
worker whose turns are trained by a new trainer process, as the app does; the child's start, warm-up
and the first turns trained meanwhile in the server count). Prints the seconds of each and the ratio
to ``here``, and checks that all three give the same numbers. Nothing else should run meanwhile.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnnviz.data.series import sunspots  # noqa: E402
from rnnviz.runtime.jobs import JobStatus  # noqa: E402
from rnnviz.runtime.session import Worker  # noqa: E402
from rnnviz.signals.forecast import ForecastConfig, forecast_job  # noqa: E402


def one(way: str, cfg: ForecastConfig, chunk: float):
    job = forecast_job(sunspots(), cfg)
    t = time.perf_counter()
    if way == "here":
        job.run_here()
    else:
        w = Worker(threads=1, chunk=chunk, elsewhere=(way == "process"))
        job.start()
        w.submit(job)
        while job.status not in (JobStatus.DONE, JobStatus.FAILED):
            time.sleep(0.02)
            job.touch()
        w.stop()
    return time.perf_counter() - t, job


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--arch", default="lstm", choices=("rnn", "lstm", "gru"))
    ap.add_argument("--chunk", type=float, default=0.1, help="the worker's turn in seconds (the app's default 0.1)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg = ForecastConfig(archs=(a.arch,), steps=a.steps, seeds=a.seeds)
    print(f"forecast job: sunspots, {a.arch}, {a.seeds} seeds x {a.steps} steps; turns of {a.chunk:g} s", end="")
    print(f"; load average {os.getloadavg()[0]:.2f}")
    one("here", ForecastConfig(archs=(a.arch,), steps=5, seeds=1), a.chunk)  # imports, first fits: not timed
    base, ref = None, None
    for way in ("here", "thread", "process"):
        sec, job = one(way, cfg, a.chunk)
        if job.status is not JobStatus.DONE:
            print(f"{way:>8}: {job.status.value} {job.error}")
            continue
        f = np.concatenate([n.one_step.ravel() for n in job.result.nets.values()])
        same = "" if ref is None else ("same numbers" if np.array_equal(f, ref) else "NUMBERS DIFFER")
        ref = f if ref is None else ref
        base = base or sec
        print(f"{way:>8}: {sec:6.2f} s  x{sec / base:4.2f}  {job.turns:4d} turns  {same}")


if __name__ == "__main__":
    main()
