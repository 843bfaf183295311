"""What one live redraw of the Train page costs the server: its three charts built, fitted to the
screen and turned into the JSON Streamlit sends (no Streamlit, no browser).

    python bench/bench_redraw.py [--steps 3000] [--repeats 10]

Trains a small LSTM on the adding problem for --steps steps (the history a page would draw), then
times, median of --repeats: each chart's builder (loss, metric, gradient norm), ``for_screen`` on
all three (the copy every ``st.plotly_chart`` call makes), and ``plotly.io.to_json``. Also prints
the same for a figure built the checked way (plotly's property checks on), for the ratio.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

from rnnviz.plots.style import for_screen  # noqa: E402
from rnnviz.plots.training import grad_norm_figure, loss_figure, metric_figure  # noqa: E402
from rnnviz.runtime.training import make_run  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args()
    tr = make_run("adding", arch="lstm", seq_len=20, hidden_size=16)
    tr.run(n_steps=a.steps)
    h = tr.history.copy()

    def build():
        return [
            loss_figure(h.step, h.loss, 0.17, 0.01, "mse", heldout_steps=h.heldout_step, heldout_loss=h.heldout_loss),
            metric_figure(h.step, h.metric, "MSE", 0.17, 0.01, False, h.heldout_step, h.heldout_metric),
            grad_norm_figure(h.step, h.grad_norm, h.clipped, 1.0),
        ]

    def once():
        t = [time.perf_counter()]
        figs = build()
        t.append(time.perf_counter())
        fitted = [for_screen(f, narrow=True) for f in figs]
        t.append(time.perf_counter())
        sent = [pio.to_json(f, validate=False) for f in fitted]
        t.append(time.perf_counter())
        checked = [go.Figure(f.to_dict()) for f in figs]  # the same figures with plotly's checks on
        t.append(time.perf_counter())
        return np.diff(t) * 1e3, sum(map(len, sent)), checked

    once()
    runs = [once() for _ in range(a.repeats)]
    build_ms, fit_ms, json_ms, checked_ms = np.median([r[0] for r in runs], axis=0)
    print(f"Train page redraw, {a.steps:,}-step history, median of {a.repeats}:")
    print(f"  build the three charts   {build_ms:6.1f} ms")
    print(f"  for_screen (three)       {fit_ms:6.1f} ms")
    print(f"  to JSON (three)          {json_ms:6.1f} ms   ({runs[0][1]:,} bytes)")
    print(f"  the same built checked   {checked_ms:6.1f} ms   (x{checked_ms / build_ms:.1f} the quick build)")


if __name__ == "__main__":
    main()
