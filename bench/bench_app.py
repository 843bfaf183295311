"""Server time of a slider change on the hidden-states page, at default sizes.

    python bench/bench_app.py [--repeats 15]

Uses Streamlit's AppTest, which runs the page script in this process as the server would; the
time is the script's full rerun (what a student waits for before the browser redraws), not
including the browser's own drawing. Prints the median and the spread.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

from streamlit.testing.v1 import AppTest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15)
    a = ap.parse_args()
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=60)
    at.switch_page("pages/2_Hidden_states.py").run()
    for what, key, values in (
        ("time-step slider (same model, same trace)", "hs_t", lambda i: i % 50),
        ("sequence-length slider (new model, new trace)", "seq_len", lambda i: 30 + i % 40),
    ):
        times = []
        for i in range(a.repeats + 2):
            t0 = time.perf_counter()
            at.slider(key=key).set_value(values(i)).run()
            times.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
        times = times[2:]
        q = statistics.quantiles(times, n=4)
        print(
            f"{what}: median {1e3 * statistics.median(times):.0f} ms "
            f"(quartiles {1e3 * q[0]:.0f}-{1e3 * q[2]:.0f} ms, {a.repeats} changes, LSTM H=32 T=50 defaults)"
        )


if __name__ == "__main__":
    main()
