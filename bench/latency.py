"""What one student waits for in a real browser: first load, page switch, slider to redrawn figure.

    python bench/latency.py [--url http://127.0.0.1:8501] [--moves 20] [--rounds 3] [--json out.json]

Starts `streamlit run app.py` on a free loopback port (or uses --url) and drives Debian's Chromium
with Playwright as one user, in a fresh browser context per first load:

(a) first load to first figure drawn: Home, and Hidden states opened cold (new browser context,
    new server session), --rounds times each; the time is the page's own clock from navigation start;
(b) page switch: a click on each sidebar link to the new page's first figure drawn, --rounds times;
(c) slider to redrawn figure, --moves times each after one move not counted: the time-step slider on
    Hidden states (heatmap 'h_t of every unit at every step') and on Gates (the cell diagram 'Inside the
    LSTM/GRU cell ... at step t', the figure that follows t), and on Gradients the select slider
    'Train each for' between 0 and 100 steps (a move builds three models, trains them 0 or 100
    steps and redraws the comparison, memoised per process after the first);
(d) bytes sent to the browser per move, from Playwright's websocket `framereceived` events;
(e) where the time goes: to the script's start (input handling, round trip), the script's run (the
    app's `data-test-script-state` from running back to notRunning, as the page sees it), and the
    browser's drawing (from the last websocket frame received before the redraw to the redraw).

"Redrawn" is detected, not slept for: an in-page recorder (bench/_browser.py) notes every plotly
figure whose `_fullLayout` object is new and whose data and layout changed. Goals reported against:
slider p95 <= 300 ms, page switch <= 1 s, first load <= 3 s. These machines are shared: the figures
are noisy, so compare them with others taken at the same time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _browser import (  # noqa: E402
    VIEWPORT,
    Server,
    Tab,
    bounce,
    browser_pids,
    fmt,
    launch_browser,
    percentile,
    proc_start,
    reap,
    sigterm_as_exit,
    watchdog,
)

GOALS = {"first load": 3000.0, "switch": 1000.0, "slider": 300.0}
PAGES = [("Train", "Train"), ("Hidden states", "Hidden_states"), ("Gates", "Gates"), ("Unrolled", "Unrolled")]
PAGES += [("Gradients", "Gradients"), ("Home", "")]
CONTROLS = [
    # (name, url path, slider label, figure title part)
    ("Hidden states: time step t", "Hidden_states", "Time step t", "every unit at every step"),
    ("Gates: time step t", "Gates", "Time step t", "inside the"),
    ("Gradients: 'Train each for'", "Gradients", "Train each for", "how far back each architecture"),
]


class Bench:
    def __init__(self, browser, url, timeout):
        self.browser, self.url, self.timeout = browser, url, timeout
        self.tabs: list[Tab] = []

    def tab(self) -> Tab:
        t = Tab(self.browser.new_context(viewport=VIEWPORT), self.url)
        self.tabs.append(t)
        return t

    def close(self, t: Tab):
        t.close()
        self.tabs.remove(t)

    def close_all(self):
        for t in list(self.tabs):
            self.close(t)

    def first_loads(self, rounds):
        out = {"Home": [], "Hidden states (cold)": []}
        for r in range(rounds):
            for name, path in (("Home", ""), ("Hidden states (cold)", "Hidden_states")):
                t = self.tab()
                t.goto(path, timeout=self.timeout)
                draw = t.wait_draw(0, timeout=self.timeout)
                run = t.wait_script_done(0, timeout=self.timeout)
                t.settle(self.timeout, calm=0.5)
                before_draw = [f["t"] for f in t.timeline(0)["frames"] if f["t"] <= draw["t"]]
                out[name].append(
                    {
                        "round": r,
                        "total_ms": draw["t"],
                        "figure": draw["title"].split("<br>")[0],
                        "to_script_start_ms": run["running"],  # from navigation start: HTML, JS bundle, websocket
                        "frame_to_draw_ms": (draw["t"] - max(before_draw)) if before_draw else None,
                        "script_done_ms": run["done"],
                        "script_ms": run["done"] - run["running"],
                        "bytes": t.ws_bytes,
                        "exceptions": t.exceptions(),
                    }
                )
                self.close(t)
        return out

    def page_switches(self, rounds):
        out = {label: [] for label, _ in PAGES}
        t = self.tab()
        t.goto("", timeout=self.timeout)
        t.settle(self.timeout)
        for r in range(rounds):
            for label, _ in PAGES:
                before = [f["title"] for f in t.figures()]
                link = t.page.locator("[data-testid='stSidebar']").get_by_role("link", name=label).first
                t0, bytes0 = t.now(), t.ws_bytes
                link.click(timeout=self.timeout * 1000)
                draw = t.wait_draw(t0, not_titles=before, timeout=self.timeout)
                run = t.wait_script_done(t0, timeout=self.timeout)
                tl = t.timeline(t0)
                clicks = [x["t"] for x in tl["inputs"] if x["type"] == "click"]
                t_in = clicks[0] if clicks else t0
                before_draw = [f["t"] for f in tl["frames"] if f["t"] <= draw["t"]]
                out[label].append(
                    {
                        "round": r,
                        "total_ms": draw["t"] - t_in,
                        "figure": draw["title"].split("<br>")[0],
                        "script_ms": run["done"] - run["running"],
                        "to_script_start_ms": run["running"] - t_in,
                        "frame_to_draw_ms": (draw["t"] - max(before_draw)) if before_draw else None,
                        "script_done_ms": run["done"] - t_in,
                        "bytes": t.ws_bytes - bytes0,
                        "exceptions": t.exceptions(),
                    }
                )
                t.settle(self.timeout, calm=0.5)
        self.close(t)
        return out

    def sliders(self, moves):
        out = {}
        t = self.tab()
        for name, path, label, part in CONTROLS:
            t.goto(path, timeout=self.timeout)
            t.settle(self.timeout)
            thumb = t.slider(label)
            direction = bounce(thumb)
            samples = []
            for i in range(moves + 1):  # the first move warms up and is not counted
                direction = bounce(thumb, direction)
                m = t.move(label, part, direction, timeout=self.timeout)
                m["exceptions"] = t.exceptions()
                if i:
                    samples.append(m)
                direction = "ArrowRight" if direction == "ArrowLeft" else "ArrowLeft"
                t.settle(self.timeout, calm=0.3)
            out[name] = samples
        self.close(t)
        return out


def summary(kind, name, samples):
    tot = [s["total_ms"] for s in samples]
    p95 = percentile(tot, 95)
    goal = GOALS[kind]
    return {
        "measure": f"{kind}: {name}",
        "n": len(samples),
        "p50": percentile(tot, 50),
        "p95": p95,
        "max": max(tot) if tot else None,
        "goal": goal,
        "ok": None if p95 is None else p95 <= goal,
        "to_script_start_p50": percentile([s.get("to_script_start_ms") for s in samples], 50),
        "script_p50": percentile([s.get("script_ms") for s in samples], 50),
        "frame_to_draw_p50": percentile([s.get("frame_to_draw_ms") for s in samples], 50),
        "bytes_p50": percentile([s.get("bytes") for s in samples], 50),
        "exceptions": sum(s.get("exceptions") or 0 for s in samples),
    }


def print_table(rows):
    head = (
        f"{'measure':<44} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'goal':>7}  {'':<4} "
        f"{'to start':>8} {'script':>8} {'frm>draw':>8} {'bytes':>10} {'exc':>3}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        verdict = "-" if r["ok"] is None else ("ok" if r["ok"] else "OVER")
        print(
            f"{r['measure']:<44} {r['n']:>3} {fmt(r['p50']):>8} {fmt(r['p95']):>8} {fmt(r['max']):>8} "
            f"{fmt(r['goal']):>7}  {verdict:<4} {fmt(r['to_script_start_p50']):>8} {fmt(r['script_p50']):>8} "
            f"{fmt(r['frame_to_draw_p50']):>8} {fmt(r['bytes_p50']):>10} {r['exceptions']:>3}"
        )
    print(
        "\np50/p95/max: input (keydown, click, or navigation start) to the figure drawn, page clock. "
        "Columns after the verdict are medians:\n"
        "'to start' input to the script's start as the page sees it (first loads: from navigation start, so HTML, "
        "JS bundle and websocket);\n'script' the script's run (state running -> notRunning); 'frm>draw' last "
        "websocket frame received to the figure redrawn\n(browser decode + React + plotly); 'bytes' websocket payload "
        "received per input (Playwright framereceived; first loads: the whole page's).\n"
        "Verdicts judge p95 (with few samples p95 is near the max)."
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="use a running app instead of starting one")
    ap.add_argument("--moves", type=int, default=20, help="slider moves per control (default 20)")
    ap.add_argument("--rounds", type=int, default=3, help="first loads and page-switch rounds (default 3)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds any one wait may take (default 60)")
    ap.add_argument("--limit", type=float, default=None, help="seconds the whole run may take (default: from the sizes)")
    ap.add_argument("--json", help="write every sample and the summary here")
    a = ap.parse_args()
    limit = a.limit or 240 + 20 * a.rounds * 8 + 8 * (a.moves + 1) * len(CONTROLS)
    sigterm_as_exit()
    watchdog(limit)
    from playwright.sync_api import sync_playwright

    server, procs, url = None, {}, a.url
    log = os.path.join(tempfile.gettempdir(), f"rnnviz-latency-{os.getpid()}.log")
    t_start = time.time()
    try:
        if not url:
            server = Server(log_path=log)
            url = server.wait_ready(a.timeout * 2).url
            print(f"server {url} (pid {server.pid}, log {log})")
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            procs = {p: proc_start(p) for p in browser_pids()}
            bench = Bench(browser, url, a.timeout)
            try:
                loads = bench.first_loads(a.rounds)
                switches = bench.page_switches(a.rounds)
                sliders = bench.sliders(a.moves)
            finally:
                bench.close_all()
                browser.close()
        rows = [summary("first load", k, v) for k, v in loads.items()]
        rows += [summary("switch", f"to {k}", v) for k, v in switches.items()]
        rows += [summary("slider", k, v) for k, v in sliders.items()]
        print(f"\nrnnviz latency, one user, {a.moves} moves per slider, {a.rounds} rounds of loads and switches, {url}")
        print(f"(taken on {os.cpu_count()} CPUs shared with other work: load average {os.getloadavg()[0]:.2f} at the end)\n")
        print_table(rows)
        first = loads["Home"][0]["total_ms"] if loads["Home"] else None
        print(f"\nthe very first load (server's first page view: imports, static figures) took {fmt(first)} ms")
        print(f"whole run {time.time() - t_start:.0f} s")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(
                    {"url": url, "summary": rows, "first_loads": loads, "switches": switches, "sliders": sliders}, f, indent=1
                )
            print(f"wrote {a.json}")
    except BaseException as e:  # Ctrl-C, SIGTERM, Overtime: say so; the finally block cleans up
        print(f"\nstopped early ({type(e).__name__}: {e})", file=sys.stderr)
        raise
    finally:
        left = reap(procs)
        if left:
            print(f"killed browser processes left behind: {left}", file=sys.stderr)
        if server:
            server.stop()


if __name__ == "__main__":
    main()
