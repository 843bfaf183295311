"""What the class board costs: posting a run, and redrawing a board of 60 students x 3 runs.

    python bench/board.py [--students 60] [--runs 3] [--steps 3000] [--database URL] [--browser]

Fills a new class in a throwaway SQLite file (or --database, e.g. a PostgreSQL URL) with --students students,
each posting --runs runs (rnn, lstm, gru; seeds 0..) whose held-out curves have one point every 50 steps up to
--steps (made-up numbers shaped like real ones: a fall from chance, solved or not), then times, median and p95:

- a post: one update of an existing run with its whole curve, as the poster sends it every 3 s per run;
- a board redraw on the server: the cheap stamp query, reading every run, the summary, both figures built and
  fitted to the screen, and the JSON Streamlit sends (``--repeats`` times, without the process cache);
- with --browser: Chromium (Debian's /usr/bin/chromium) opens the board on a real server and times Plotly
  drawing the curves figure again (Plotly.react on the same data, as a fragment's redraw does), p50/p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402

from rnnviz.board import store as bs  # noqa: E402
from rnnviz.board.summary import groups  # noqa: E402
from rnnviz.plots.board import curves_figure, solve_figure  # noqa: E402
from rnnviz.plots.style import for_screen  # noqa: E402
from rnnviz.tasks import get_task  # noqa: E402

ARCHS = ("rnn", "lstm", "gru")


def curve(arch: str, seed: int, steps: int):
    """A held-out MSE curve shaped like the adding problem's at T=50: the RNN stays near chance, the gated
    models fall below the solved line somewhere between steps 300 and 1500 (the seed decides where)."""
    rng = np.random.default_rng(seed * 7 + len(arch))
    xs = list(range(0, steps + 1, 50))
    if arch == "rnn":
        ys = [0.17 * (1 + 0.05 * rng.standard_normal()) for _ in xs]
        return xs, ys, None
    solve_at = int(rng.integers(300, 1500))
    ys = [max(1e-4, 0.17 * np.exp(-4.6 * x / solve_at) * (1 + 0.1 * rng.standard_normal())) for x in xs]
    solved = next((x for x, y in zip(xs, ys) if y < 0.01), None)
    return xs, [float(y) for y in ys], solved


def fill(store: bs.Store, students: int, runs: int, steps: int) -> tuple[str, str, list]:
    code, key = store.start_class()
    posted = []
    for i in range(students):
        me = store.join(code, f"Student {i + 1}")
        for k in range(runs):
            arch = ARCHS[k % len(ARCHS)]
            xs, ys, solved = curve(arch, i, steps)
            p = bs.RunPost(
                run_id=f"b{i}-{k}",
                kind="train",
                arch=arch,
                task="adding",
                seq_len=50,
                hidden=32,
                seed=i,
                step=steps,
                solved_step=solved,
                diverged=False,
                final_loss=ys[-1],
                final_metric=ys[-1],
                metric_name="MSE",
                link=f"Train?arch={arch}&seq_len=50&seed={i}&step={steps}",
                curve_step=xs,
                curve_loss=ys,
                curve_metric=ys,
            )
            store.post(code, me.id, p)
            posted.append((me.id, p))
    return code, key, posted


def pct(xs, q):
    return float(np.percentile(xs, q))


def redraw(store: bs.Store, code: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    store.stamp(code)
    runs = store.runs(code)
    groups(runs)
    task = get_task("adding")
    figs = [
        curves_figure(
            [
                dict(
                    arch=r.arch, nickname=r.nickname, seed=r.seed, step=r.curve_step, loss=r.curve_loss, solved_step=r.solved_step
                )
                for r in runs
            ],
            task.baseline_loss,
            task.solved_loss,
            "mean squared error",
            "Held-out loss of every run: Adding problem",
        ),
        solve_figure(
            [
                dict(arch=r.arch, seq_len=r.seq_len, nickname=r.nickname, seed=r.seed, step=r.step, solved_step=r.solved_step)
                for r in runs
            ],
            "Steps to solve, one dot per run",
        ),
    ]
    sent = [pio.to_json(for_screen(f), validate=False) for f in figs]
    return (time.perf_counter() - t0) * 1e3, sum(map(len, sent))


def browser(url: str, code: str, key: str, repeats: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    port = int(url.rsplit(":", 1)[1])
    env = {**os.environ, bs.ENV: store_url_for_server}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    log = open(os.path.join(tempfile.gettempdir(), "rnnviz-bench-board.log"), "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(480):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = b.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(f"{url}/Class?class={code}&key={key}")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.js-plotly-plot')].some(
                    gd => String(gd.layout?.title?.text || '').includes('Held-out loss of every run'))""",
                timeout=180_000,
            )
            first = (time.perf_counter() - t0) * 1e3
            times = page.evaluate(
                """async (n) => {
                    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
                        g => String(g.layout?.title?.text || '').includes('Held-out loss of every run'));
                    const out = [];
                    for (let i = 0; i < n; i++) {
                        const data = gd.data.map(t => ({...t})), layout = {...gd.layout};
                        const t0 = performance.now();
                        await Plotly.react(gd, data, layout);
                        out.push(performance.now() - t0);
                    }
                    return out; }""",
                repeats,
            )
            b.close()
        return [first, *times]
    finally:
        proc.terminate()
        proc.wait(15)


store_url_for_server = ""


def main():
    global store_url_for_server
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--database", default=None)
    ap.add_argument("--browser", action="store_true")
    a = ap.parse_args()
    url = a.database or f"sqlite:///{tempfile.mkdtemp(prefix='rnnviz-bench-board-')}/board.sqlite"
    store_url_for_server = url
    store = bs.Store(url)
    print(f"database: {store.describe()}")
    t0 = time.perf_counter()
    code, key, posted = fill(store, a.students, a.runs, a.steps)
    points, took = len(posted[0][1].curve_step), time.perf_counter() - t0
    print(f"filled class {code}: {a.students} students x {a.runs} runs, {points} points per curve, {took:.1f} s")
    post_ms = []
    for i in range(a.repeats * 5):
        sid, p = posted[i % len(posted)]
        p.step += 50
        t = time.perf_counter()
        store.post(code, sid, p)
        post_ms.append((time.perf_counter() - t) * 1e3)
    p50, p95 = pct(post_ms, 50), pct(post_ms, 95)
    print(f"post (update one run with its curve): p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(post_ms)} posts)")
    redraw(store, code)
    rs = [redraw(store, code) for _ in range(a.repeats)]
    ms = [r[0] for r in rs]
    print(
        f"board redraw on the server ({len(posted)} runs: read, summary, two figures, fit, JSON): p50 {pct(ms, 50):.0f} ms, "
        f"p95 {pct(ms, 95):.0f} ms, {statistics.median(r[1] for r in rs) / 1024:.0f} KB sent"
    )
    if a.browser:
        from deploy.serve import _free_ports

        port = _free_ports(1, set())[0]
        times = browser(f"http://127.0.0.1:{port}", code, key, a.repeats)
        print(f"browser: page opened to the board drawn {times[0] / 1000:.1f} s (a fresh server's first page included)")
        print(f"browser: Plotly redraw of the curves figure: p50 {pct(times[1:], 50):.0f} ms, p95 {pct(times[1:], 95):.0f} ms")
    store.close()


if __name__ == "__main__":
    main()
