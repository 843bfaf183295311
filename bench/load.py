"""A class at once: N students training on one server while one more moves a slider.

    python bench/load.py [--sessions 5,10,20] [--seconds 30] [--probe-every 2] [--replicas 1]

For each N in --sessions: starts `streamlit run app.py` pinned to core 0 (`taskset -c 0`) with
Chromium pinned to core 1 (the Playwright driver is started from this process while it is pinned to
core 1, and the driver and Chromium keep that affinity), opens N browser contexts, each on the Train
page with its own seed (`/Train?seed=K`), sets the step budget to its maximum, presses Start in all,
and lets them train for --seconds while one more context (the probe) moves the time-step slider on
Hidden states every --probe-every seconds and measures slider to redrawn figure (see latency.py).
Then it closes every context and waits --after-close seconds.

One table row per N: the steps each session did in the window (min / median / max and min/median,
from each page's own 'steps done' metric: the rate between its first and last redraw inside the
window, timed by the page's clock, scaled to the window), total steps
per second, the probe's p50 and p95, exceptions (`[data-testid='stException']`) and disconnects seen
in any page, the server's peak RSS (VmRSS of the server and its children, polled twice a second)
and its RSS --after-close seconds after all contexts closed, and the CPU the server and the browser
used (100% = one core).

--replicas 2 runs the same load a second time through HAProxy with each replica on its own core,
using deploy/serve.py's start(replicas, port, pin=True), and reports total steps/s against one
replica. With 2 cores and 2 replicas the browser shares the cores with the replicas.
--replicas-only skips the one-replica rows (when they were measured in an earlier run).

Everything runs on loopback, every wait has a timeout, and the whole run stops by itself (--limit).
Every browser context, browser and server started here is closed or killed on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _browser import (  # noqa: E402
    ROOT,
    VIEWPORT,
    Server,
    Tab,
    bounce,
    browser_pids,
    cpu_ticks,
    cpus_allowed,
    descendants,
    fmt,
    free_port,
    launch_browser,
    percentile,
    pids_listening,
    proc_start,
    reap,
    rss_kb,
    sigterm_as_exit,
    slider_state,
    watchdog,
)

STEPS_JS = """() => {
  const m = [...document.querySelectorAll("[data-testid='stMetric']")].find(e => e.innerText.includes('steps done'));
  const v = m && m.querySelector("[data-testid='stMetricValue']");
  return v ? v.innerText : null; }"""
STATUS_JS = """() => {
  const m = [...document.querySelectorAll("[data-testid='stMarkdownContainer']")].find(e => e.innerText.startsWith('Status:'));
  return m ? m.innerText.split('Status:')[1].split('·')[0].trim() : ''; }"""
TICK = os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Polls the RSS of pids_fn()'s processes twice a second; remembers the peak and the last."""

    def __init__(self, pids_fn):
        super().__init__(daemon=True)
        self.pids_fn, self.peak, self.last = pids_fn, 0, 0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            with contextlib.suppress(Exception):
                self.last = rss_kb(self.pids_fn())
                self.peak = max(self.peak, self.last)
            self.stop_event.wait(0.5)

    def stop(self):
        self.stop_event.set()
        self.join(5)


def load_serve():
    """deploy/serve.py's start(), imported only when asked for replicas."""
    path = os.path.join(ROOT, "deploy", "serve.py")
    if not os.path.exists(path):
        raise SystemExit(
            f"--replicas > 1 needs {path} (start(replicas, port, pin=True), written on the deploy branch); "
            "it is not in this checkout: merge it, or run with --replicas 1"
        )
    spec = importlib.util.spec_from_file_location("rnnviz_deploy_serve", path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, ROOT)
    spec.loader.exec_module(mod)
    if not hasattr(mod, "start"):
        raise SystemExit(f"{path} has no start(replicas, port, pin=True)")
    return mod


def wait_healthy(url, timeout):
    end = time.time() + timeout
    while time.time() < end:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return
        time.sleep(0.25)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")


def poll(fn, timeout, what):
    """fn() until it returns something truthy, for at most timeout seconds."""
    end = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > end:
            raise TimeoutError(f"{what} not within {timeout:.0f} s")
        time.sleep(0.1)


WATCH_JS = """() => {
  if (window.__rvSteps) return;
  window.__rvSteps = [];
  const read = () => {
    const m = [...document.querySelectorAll("[data-testid='stMetric']")].find(e => e.innerText.includes('steps done'));
    const v = m && m.querySelector("[data-testid='stMetricValue']");
    return v ? parseInt(v.innerText.replace(/,/g, '')) : null; };
  const note = () => { const v = read(); const l = window.__rvSteps;
    if (v !== null && (!l.length || l[l.length - 1][1] !== v)) l.push([Date.now(), v]); };
  note();
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def watch_steps(tab):
    """Record every change of the page's 'steps done' metric with the page's clock (ms), so a rate can be
    taken between two redraws instead of between two reads (a page under load redraws every few seconds)."""
    tab.page.evaluate(WATCH_JS)


def rate_in_window(tab, t0: float, t1: float):
    """Steps per second between the first and the last redraw seen in [t0, t1] (seconds, epoch), or None."""
    seen = [(ms / 1000, v) for ms, v in tab.page.evaluate("() => window.__rvSteps || []") if t0 <= ms / 1000 <= t1]
    if len(seen) < 2 or seen[-1][0] <= seen[0][0]:
        return None
    return (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0])


def read_steps(tab, timeout=10.0):
    """(time, steps done) from the page's metric; the fragment redraws it, so look again if it is missing."""
    end = time.time() + timeout
    while True:
        v = tab.page.evaluate(STEPS_JS)
        if v is not None:
            return time.time(), int(v.replace(",", "").strip() or 0)
        if time.time() > end:
            return time.time(), None
        time.sleep(0.1)


class Level:
    """One row: N training sessions and one probe against the server at url."""

    def __init__(self, browser, url, n, a, groups):
        """groups() lists each server process (replica) with its children: [[pid, child...], ...]."""
        self.browser, self.url, self.n, self.a, self.groups = browser, url, n, a, groups
        self.tabs: list[Tab] = []

    def server_pids(self):
        return [p for g in self.groups() for p in g]
        self.tabs: list[Tab] = []

    def tab(self):
        t = Tab(self.browser.new_context(viewport=VIEWPORT), self.url)
        self.tabs.append(t)
        return t

    def close_all(self):
        for t in self.tabs:
            t.close()
        self.tabs = []

    def run(self):
        a, to = self.a, self.a.timeout
        sampler = Sampler(self.server_pids)
        sampler.start()
        row = {"sessions": self.n}
        try:
            students = []
            for k in range(self.n):
                t = self.tab()
                t.goto("Train", f"seed={k + 1}", timeout=to)
                students.append(t)
            for t in students:  # the step budget to its maximum, so no one pauses at the default 3,000
                t.page.get_by_role("button", name="Start", exact=True).wait_for(timeout=to * 1000)
                t.slider("Pause automatically after").press("End")
            for t in students:
                t.settle(to, calm=0.3)
            budgets = {slider_state(t.slider("Pause automatically after"))[3] for t in students}
            before = renderer_pids()
            probe = self.tab()
            probe.goto("Hidden_states", timeout=to)
            probe.settle(to)
            if a.students_nice:  # the probe's page is drawn as on a device of its own; the students' pages get the rest
                row["reniced"] = sum(renice(pid, a.students_nice) for pid in before & renderer_pids())
                row["students_nice"] = a.students_nice
            thumb = probe.slider("Time step t")
            direction = bounce(thumb)
            for t in students:
                t.page.get_by_role("button", name="Start", exact=True).click(timeout=to * 1000)
            for t in students:
                poll(lambda t=t: t.page.evaluate(STATUS_JS).startswith("training"), to, "status 'training'")
            for t in students:
                watch_steps(t)
            start = [read_steps(t) for t in students]
            cpu0, bcpu0, t0 = [cpu_ticks(g) for g in self.groups()], cpu_ticks(browser_pids()), time.time()
            probes, errors, next_at, parts = [], [], t0 + a.probe_every, []
            while time.time() < t0 + a.seconds:
                if time.time() < next_at:
                    time.sleep(min(0.1, next_at - time.time()))
                    continue
                direction = bounce(thumb, direction)
                try:
                    m = probe.move("Time step t", "every unit at every step", direction, timeout=to)
                    probes.append(m["total_ms"])
                    parts.append(m)
                except Exception as e:  # a probe that times out is a result, not the end of the run
                    errors.append(f"{type(e).__name__}: {str(e)[:120]}")
                direction = "ArrowRight" if direction == "ArrowLeft" else "ArrowLeft"
                next_at = max(next_at + a.probe_every, time.time() + 0.2)
            end = [read_steps(t) for t in students]
            window = time.time() - t0
            cpu1, bcpu1 = [cpu_ticks(g) for g in self.groups()], cpu_ticks(browser_pids())
            statuses = [t.page.evaluate(STATUS_JS) for t in students]
            rates = []  # steps/s between redraws inside the window; between the two reads where a page redrew < 2 times
            for t, s, e in zip(students, start, end):
                r = rate_in_window(t, t0, t0 + window)
                if r is None and None not in (s[1], e[1]) and e[0] > s[0]:
                    r = (e[1] - s[1]) / (e[0] - s[0])
                rates.append(r)
            per = [r * a.seconds if r is not None else None for r in rates]
            done = [p for p in per if p is not None]
            med = statistics.median(done) if done else None
            row.update(
                steps_min=min(done) if done else None,
                steps_median=med,
                steps_max=max(done) if done else None,
                min_over_median=(min(done) / med) if med else None,
                unread=len(per) - len(done),
                total_steps_per_s=sum(r for r in rates if r is not None),
                probe_n=len(probes),
                probe_p50=percentile(probes, 50),
                probe_p95=percentile(probes, 95),
                probe_errors=errors,
                probe_script_ms=percentile([m["script_ms"] for m in parts if m.get("script_ms") is not None], 50),
                probe_wait_ms=percentile([m["to_script_start_ms"] for m in parts if m.get("to_script_start_ms") is not None], 50),
                probe_draw_ms=percentile([m["frame_to_draw_ms"] for m in parts if m.get("frame_to_draw_ms") is not None], 50),
                exceptions=sum(t.exceptions() for t in self.tabs),
                disconnects=sum(t.disconnects + (0 if t.connected() else 1) + t.crashed for t in self.tabs),
                not_training=sum(not s.startswith("training") for s in statuses),
                budgets=sorted(b for b in budgets if b),
                server_cpu=100 * (sum(cpu1) - sum(cpu0)) / TICK / window,
                replica_cpu=[round(100 * (c1 - c0) / TICK / window) for c0, c1 in zip(cpu0, cpu1)],
                browser_cpu=100 * (bcpu1 - bcpu0) / TICK / window,
                window_s=window,
            )
        finally:
            self.close_all()
        try:
            row["peak_rss_mb"] = sampler.peak / 1024
            time.sleep(a.after_close)  # on purpose: how much memory comes back once the sessions are gone
            row["rss_after_close_mb"] = sampler.last / 1024
        finally:
            sampler.stop()
        return row


def renderer_pids() -> set[int]:
    """Chromium's renderer processes (one per browser context here)."""
    out = set()
    for p in browser_pids():
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if b"--type=renderer" in f.read():
                    out.add(p)
        except OSError:
            pass
    return out


def renice(pid: int, nice: int) -> int:
    """Set every thread of pid to this nice value (Linux keeps nice per thread). Returns 1 if done."""
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, int(tid), nice)
        return 1
    except OSError:
        return 0


def print_rows(rows):
    head = (
        f"{'setup':<26} {'N':>3} {'steps/session min/med/max':>26} {'min/med':>7} {'steps/s':>8} {'probe p50':>9} "
        f"{'p95 ms':>7} {'n':>3} {'exc':>3} {'disc':>4} {'peak RSS':>8} {'RSS +':>7} {'srv CPU':>7} {'brw CPU':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        spread = f"{fmt(r.get('steps_min'))}/{fmt(r.get('steps_median'))}/{fmt(r.get('steps_max'))}"
        print(
            f"{r['setup']:<26} {r['sessions']:>3} {spread:>26} {fmt(r.get('min_over_median'), digits=2):>7} "
            f"{fmt(r.get('total_steps_per_s')):>8} {fmt(r.get('probe_p50')):>9} {fmt(r.get('probe_p95')):>7} "
            f"{r.get('probe_n', 0):>3} {r.get('exceptions', '-'):>3} {r.get('disconnects', '-'):>4} "
            f"{fmt(r.get('peak_rss_mb'), 'M'):>8} {fmt(r.get('rss_after_close_mb'), 'M'):>7} "
            f"{fmt(r.get('server_cpu'), '%'):>7} {fmt(r.get('browser_cpu'), '%'):>7}"
        )
        notes = []
        if r.get("reniced"):
            notes.append(f"{r['reniced']} student renderer processes at nice {r.get('students_nice')}; the probe's at 0")
        if r.get("not_training"):
            notes.append(f"{r['not_training']} session(s) not training at the end (budget or divergence)")
        if r.get("unread"):
            notes.append(f"{r['unread']} session(s) whose steps could not be read")
        if r.get("probe_n"):
            notes.append(
                f"probe p50 parts: input to server run {fmt(r.get('probe_wait_ms'))} ms, server run "
                f"{fmt(r.get('probe_script_ms'))} ms, last frame to figure drawn {fmt(r.get('probe_draw_ms'))} ms"
            )
        if r.get("probe_errors"):
            notes.append(f"{len(r['probe_errors'])} probe move(s) failed: {r['probe_errors'][0]}")
        if r.get("replicas", 1) > 1 and r.get("replica_cpu"):
            notes.append("CPU per replica: " + ", ".join(f"{c}%" for c in r["replica_cpu"]) + " (tells how the sessions spread)")
        if r.get("error"):
            notes.append(f"row failed: {r['error']}")
        for n in notes:
            print(f"{'':<26}     note: {n}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="5,10,20", help="comma-separated numbers of training sessions (default 5,10,20)")
    ap.add_argument("--seconds", type=float, default=30.0, help="training time per N (default 30)")
    ap.add_argument("--probe-every", type=float, default=2.0, help="seconds between probe slider moves (default 2)")
    ap.add_argument("--replicas", type=int, default=1, help="2: also run through HAProxy, one replica per core (default 1)")
    ap.add_argument(
        "--replicas-only", action="store_true", help="with --replicas 2: skip the one-replica rows (measured in an earlier run)"
    )
    ap.add_argument(
        "--students-nice",
        type=int,
        default=0,
        help="nice value for the students' renderer processes (0: all pages share the browser core equally, "
        "the default; 19: the probe's page is drawn first, as on a device of its own, while the students' "
        "pages still make the same requests)",
    )
    ap.add_argument("--after-close", type=float, default=20.0, help="seconds to wait before the RSS after close (default 20)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds any one wait may take (default 60)")
    ap.add_argument("--limit", type=float, help="seconds the whole run may take (default: from the sizes)")
    ap.add_argument("--json", help="write the rows here")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sessions.split(",") if x.strip()]
    if not sizes or min(sizes) < 1 or max(sizes) > 100:
        ap.error("--sessions takes numbers from 1 to 100")
    if a.replicas not in (1, 2):
        ap.error("--replicas is 1 or 2 (two cores here)")
    serve = load_serve() if a.replicas > 1 else None  # fail before anything starts
    setups = ([] if a.replicas_only and a.replicas > 1 else [1]) + ([a.replicas] if a.replicas > 1 else [])
    per_row = 150 + a.seconds + a.after_close + 60
    limit = a.limit or sum(per_row + 6 * n for n in sizes) * len(setups) + 60
    sigterm_as_exit()
    watchdog(limit)
    from playwright.sync_api import sync_playwright

    allowed = os.sched_getaffinity(0)
    pin = a.pin = {0, 1} <= allowed
    if not pin:
        print(f"warning: cores 0 and 1 are not both allowed here ({sorted(allowed)}): nothing is pinned", file=sys.stderr)
    print(
        f"rnnviz load: sessions {sizes}, {a.seconds:.0f} s each, probe every {a.probe_every:g} s, replicas {setups}, "
        f"{os.cpu_count()} CPUs shared with other work (load average {os.getloadavg()[0]:.2f} at the start); "
        f"the run stops by itself after {limit:.0f} s"
    )
    rows, procs, t_start = [], {}, time.time()
    old_affinity = os.sched_getaffinity(0)
    try:
        for replicas in setups:
            if replicas == 1 and pin:
                os.sched_setaffinity(0, {1})  # the Playwright driver, and through it Chromium, inherit core 1
            else:
                os.sched_setaffinity(0, old_affinity)
            setup = "1 replica (core 0)" if replicas == 1 else f"{replicas} replicas via HAProxy"
            if replicas > 1:
                print(f"\n{setup}: each replica pinned to its own core; the browser is NOT pinned and shares them.")
            with sync_playwright() as pw:
                browser = launch_browser(pw)
                procs.update({p: proc_start(p) for p in browser_pids()})
                bp = browser_pids()
                if replicas == 1:
                    print(f"browser processes pinned to cores {cpus_allowed(bp[0]) if bp else '?'}")
                try:
                    for n in sizes:
                        rows.append(run_one(browser, n, replicas, setup, serve, a, procs))
                        r = rows[-1]
                        print(
                            f"  {setup}, N={n}: {fmt(r.get('total_steps_per_s'))} steps/s, probe p95 "
                            f"{fmt(r.get('probe_p95'))} ms{'  ERROR ' + r['error'] if r.get('error') else ''}",
                            flush=True,
                        )
                finally:
                    browser.close()
    except BaseException as e:  # Ctrl-C, SIGTERM, Overtime: say so and show the rows already measured
        print(f"\nstopped early ({type(e).__name__}: {e}); {len(rows)} row(s) measured", file=sys.stderr)
        if rows:
            print_rows(rows)
        raise
    finally:
        os.sched_setaffinity(0, old_affinity)
        left = reap(procs)
        if left:
            print(f"killed processes left behind: {left}", file=sys.stderr)
    print(
        f"\nrnnviz load, {a.seconds:.0f} s of training per row, load average {os.getloadavg()[0]:.2f} at the end (busy machine)\n"
    )
    print_rows(rows)
    print(
        "\nsteps/session: steps each session did in the window (its 'steps done' metric: rate between its first and last "
        "redraw in the window, scaled "
        f"to {a.seconds:.0f} s);\nsteps/s: all sessions together; probe: time-step slider on Hidden states to the heatmap "
        "redrawn (ms, page clock),\nn = probe moves; exc/disc: exceptions and disconnects in any page; RSS: server and "
        f"children, peak while running and {a.after_close:.0f} s after\nevery context closed; CPU: used in the window, "
        "100% = one core (browser: every Chromium process)."
    )
    if len(setups) > 1:
        base = {r["sessions"]: r.get("total_steps_per_s") for r in rows if r["replicas"] == 1}
        for r in rows:
            if r["replicas"] > 1 and base.get(r["sessions"]) and r.get("total_steps_per_s") is not None:
                print(
                    f"N={r['sessions']}: {r['replicas']} replicas {r['total_steps_per_s']:.0f} steps/s vs one replica "
                    f"{base[r['sessions']]:.0f}: x{r['total_steps_per_s'] / base[r['sessions']]:.2f} "
                    "(one replica had core 1 to the browser alone; two share both cores with it)"
                )
    print(f"whole run {time.time() - t_start:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
        print(f"wrote {a.json}")


def run_one(browser, n, replicas, setup, serve, a, procs):
    """One row, with its own fresh server (or replicas), stopped whatever happens."""
    row = {"setup": setup, "replicas": replicas, "sessions": n}
    log = os.path.join(tempfile.gettempdir(), f"rnnviz-load-{os.getpid()}-{replicas}-{n}.log")
    try:
        if replicas == 1:
            with Server(cpus="0" if a.pin else None, log_path=log) as server:
                procs[server.pid] = proc_start(server.pid)
                server.wait_ready(a.timeout * 2)
                row["server_cpus"] = cpus_allowed(server.pid)
                row.update(Level(browser, server.url, n, a, lambda: [server.pids()]).run())
        else:
            with contextlib.ExitStack() as stack:
                dep = serve.start(replicas, free_port(), pin=True)
                stack.callback(dep.stop)
                ports = list(dep.replica_ports)
                mine = set(descendants(os.getpid()))
                procs.update({p: proc_start(p) for p in mine})
                wait_healthy(dep.url, a.timeout * 2)

                def groups():
                    return [[p] + descendants(p) for p in pids_listening(ports)]

                row["server_cpus"] = ",".join(cpus_allowed(p) for p in pids_listening(ports))
                row.update(Level(browser, dep.url, n, a, groups).run())
    except Exception as e:  # one failed row is reported and the next row still runs; Ctrl-C and Overtime end the run
        row["error"] = f"{type(e).__name__}: {str(e)[:200]}"
    return row


if __name__ == "__main__":
    main()
