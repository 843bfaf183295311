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

The application scenario (--app forecast,translate,music,sounds or all; --variant same|seeds|both; --wait):
    python bench/load.py --app forecast --sessions 8,20 --students-nice 19 [--variant same|seeds|both]
N students open one application page (Forecast, Translate, Music, Sounds) and press its button at once:
everyone with the default settings (same: the server should compute it once and share it), or each with
a seed of its own (seeds: `/Forecast?fc_seed=K`, typed into the page's seed widget where the page does not
take it from the link; where the page shows no seed at all, the row says so). One row per (page, variant,
N): seconds from each student's press to the result shown in that student's page (min / median / max; see
_apps.py for how the result is recognised), how many saw it within the
goal (same: 10 s, seeds: 90 s), the students' progress at press + goal (their page's progress bar; 1 once
the result shows), the probe's p50 and p95 while the class waits, exceptions and disconnects in any page.
Each row has a fresh server; --wait bounds how long a row waits for the slowest student.

What the rows can and cannot say. In a class each student has a device of their own; here every student's
page shares one browser core (niced, so the probe's page is drawn first), and a Forecast page costs that core
about 10 s of CPU to load and seconds to draw a result. So "seen" at N=8 or 20 measures this bench's browser
core as much as the server. The converted pages' results carry the server's clock (rnnviz.ui.jobs.result),
and each row also reports the server's work (press to the job finished: one shared job for "same") and the
server's part (press to the run that drew the result, which waits for the page's own fragment timer, i.e. for
the browser). A student on their own device sees the result about one N=1 row's "seen minus drawn" after
the server drew it. --students-context one opens the students' pages as tabs of one browser profile, and
--students-figures none hides their charts, to take some of that load off the shared core.

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
import traceback
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _apps as apps  # noqa: E402
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
            board = ClassBoard() if a.class_board else None
            for k in range(self.n):
                t = self.tab()
                if board:  # joins the class on the Class page (as Student k+1), then Train in the same session
                    board.join(t, k, to)
                else:
                    t.goto("Train", f"seed={k + 1}", timeout=to)
                students.append(t)
            if board:  # the projector: the teacher's board, redrawing every 5 s while the class trains
                board.show(self.tab(), to)
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
            if board:
                row.update(board.result(end))
        finally:
            self.close_all()
        try:
            row["peak_rss_mb"] = sampler.peak / 1024
            time.sleep(a.after_close)  # on purpose: how much memory comes back once the sessions are gone
            row["rss_after_close_mb"] = sampler.last / 1024
        finally:
            sampler.stop()
        return row


class ClassBoard:
    """--class-board: the class board in the load. The bench starts a class in the board's database (the server's:
    RNNVIZ_DATABASE_URL, a fresh SQLite file), every student joins it on the Class page before training, and
    the teacher's board is open in one more tab."""

    def __init__(self):
        from rnnviz.board import store as bs

        self.bs = bs
        self.store = bs.Store()
        self.code, self.key = self.store.start_class()

    def join(self, t, k: int, to: float) -> None:
        t.goto("Class", f"class={self.code}&seed={k + 1}", timeout=to)
        t.page.get_by_role("button", name="Join", exact=True).click(timeout=to * 1000)
        t.settle(to, calm=0.3)
        t.page.locator("[data-testid='stSidebar']").get_by_role("link", name="Train").click(timeout=to * 1000)
        t.settle(to, calm=0.3)

    def show(self, t, to: float) -> None:
        t.goto("Class", f"class={self.code}&key={self.key}", timeout=to)

    def result(self, end_steps) -> dict:
        """Runs on the board, and how far the board's step counts lag the students' pages at the end (the
        poster posts each run at most every 3 s)."""
        time.sleep(4)  # one more post for every run
        runs = self.store.runs(self.code)
        shown = sorted(s[1] for s in end_steps if s and s[1] is not None)
        posted = sorted(r.step for r in runs)
        return {
            "board_runs": len(runs),
            "board_students": self.store.class_info(self.code).students,
            "board_steps_median": statistics.median(posted) if posted else None,
            "pages_steps_median": statistics.median(shown) if shown else None,
        }


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


GOALS = {"same": 10.0, "seeds": 90.0}  # issue 20: everyone sees the default within 10 s; N seeds within 90 s


# --students-figures none: the students' pages skip drawing charts (the server sends them the same figures).
HIDE_FIGURES_JS = """(() => { const add = () => { const s = document.createElement('style');
  s.textContent = "[data-testid='stPlotlyChart'] { display: none !important; }";
  document.head.appendChild(s); };
  if (document.head) add(); else document.addEventListener('DOMContentLoaded', add); })();"""


class AppLevel(Level):
    """One application row: N students press one page's button at once (all the same settings, or each
    its own seed) while the probe moves the slider on Hidden states; seconds from each student's press to
    the result shown in that student's page, and their progress at the goal's mark."""

    def __init__(self, app, variant, browser, url, n, a, groups):
        super().__init__(browser, url, n, a, groups)
        self.app, self.variant = app, variant
        self.done: dict[int, float] = {}  # student -> page time of the result, as each page reports it

    def student(self, k):
        """A student's page, ready to press: the seed K = k + 1 set (variant seeds) and the button in view.
        Returns (tab, how the seed was set: 'link', 'widget', '' for no seed on the page, '-' for variant same)."""
        app, to = self.app, self.a.timeout
        if self.a.students_context == "one":  # tabs of one browser profile: the app's scripts parsed and cached once
            if getattr(self, "_shared", None) is None:
                self._shared = self.browser.new_context(viewport=VIEWPORT)
            t = Tab(self._shared, self.url)
            self.tabs.append(t)
        else:
            t = self.tab()
        if self.a.students_figures == "none":  # a device of its own draws the charts; this shared core does not
            t.context.add_init_script(HIDE_FIGURES_JS)
        # the page calls this when its result shows: no polling of twenty busy pages while the probe waits its turn
        t.page.expose_function(apps.DONE_BINDING, lambda ms, k=k: self.done.setdefault(k, ms))
        t.goto(app.page, f"{app.seed}={k + 1}" if self.variant == "seeds" else "", timeout=to)
        t.settle(to, calm=0.3)
        apps.reveal_button(t, app, to)
        return t, (apps.set_seed(t, app, k + 1, to) if self.variant == "seeds" else "-")

    def run(self):
        a, to, app, goal = self.a, self.a.timeout, self.app, GOALS[self.variant]
        sampler = Sampler(self.server_pids)
        sampler.start()
        row = {"sessions": self.n, "app": app.name, "variant": self.variant, "goal_s": goal, "wait_s": a.wait}
        try:
            students, via, opened = [], [], time.time()
            for k in range(self.n):
                try:
                    t, v = self.student(k)
                except Exception as e:
                    raise RuntimeError(f"student {k + 1} of {self.n}, opening {app.page}: {type(e).__name__}: {e}") from e
                if not v:
                    row["unavailable"] = (
                        f"the {app.page} page here has no per-student seed (no widget with key {app.seed}, so "
                        f"?{app.seed}=K cannot be seen to be honoured)"
                    )
                    return row
                students.append(t)
                via.append(v)
            print(
                f"    {app.name} {self.variant} N={self.n}: the students' pages ready in {time.time() - opened:.0f} s", flush=True
            )
            before = renderer_pids()
            probe = self.tab()
            try:
                probe.goto("Hidden_states", timeout=to)
                probe.settle(to)
            except Exception as e:
                raise RuntimeError(f"the probe, opening Hidden_states: {type(e).__name__}: {e}") from e
            if a.students_nice:
                row["reniced"] = sum(renice(pid, a.students_nice) for pid in before & renderer_pids())
                row["students_nice"] = a.students_nice
            thumb = probe.slider("Time step t")
            direction = bounce(thumb)
            for t in students:
                apps.watch(t, app)
            presses = []
            cpu0, bcpu0 = [cpu_ticks(g) for g in self.groups()], cpu_ticks(browser_pids())
            for t in students:
                p = apps.press(t, app)
                if p is None:
                    raise RuntimeError(f"{app.label!r} missing or disabled in a student's page")
                presses.append(p)
            t0 = min(presses) / 1000
            row["first_press_epoch"] = t0
            deadline = t0 + a.wait
            probes, errors, parts, next_at = [], [], [], time.time() + a.probe_every
            while time.time() < deadline and not (len(self.done) == len(students) and len(probes) >= 5):
                now = time.time()
                if now < next_at:  # waiting in Playwright lets it deliver the pages' "result shown" calls
                    probe.page.wait_for_timeout(max(1, min(100, 1000 * (next_at - now))))
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
            window = time.time() - t0
            cpu1, bcpu1 = [cpu_ticks(g) for g in self.groups()], cpu_ticks(browser_pids())
            print(f"    window over after {window:.0f} s: {len(self.done)} of {self.n} results reported", flush=True)
            states = []
            for t in students:
                try:
                    states.append(apps.state(t))
                except Exception:  # a page that cannot be read is a student who did not see the result
                    states.append(None)
            inf = float("inf")
            closed = 1000 * (t0 + window)  # a result drawn while the pages were being read afterwards was not seen in time
            times = [
                (s["result"] - s["press"]) / 1000 if s and s["result"] is not None and s["result"] <= closed else inf
                for s in states
            ]
            sent = [  # press to the server's mark in the result: the server's part of the wait
                (s["drawn"] - s["press"]) / 1000 if s and s.get("drawn") is not None and t < inf else inf
                for s, t in zip(states, times)
            ]
            ready = [  # press to the job finished (server clock): the server's work for this student
                (s["done"] - s["press"]) / 1000 if s and s.get("done") is not None and t < inf else inf
                for s, t in zip(states, times)
            ]
            marks = [apps.progress_at(s, s["press"] + goal * 1000) if s else None for s in states]
            bars = any(s and s["barSeen"] for s in states)
            prog = sorted((0.0 if m is None else m) for m in marks) if bars else []
            pmed = statistics.median(prog) if prog else None
            row.update(
                seen_min=min(times),
                seen_median=statistics.median(times),
                seen_max=max(times),
                seen=sum(x < inf for x in times),
                within_goal=sum(x <= goal for x in times),
                sent_min=min(sent),
                sent_median=statistics.median(sent),
                sent_max=max(sent),
                sent_within_goal=sum(x <= goal for x in sent),
                sent_marked=sum(x < inf for x in sent),
                ready_min=min(ready),
                ready_median=statistics.median(ready),
                ready_max=max(ready),
                ready_within_goal=sum(x <= goal for x in ready),
                ready_marked=sum(x < inf for x in ready),
                progress_min=prog[0] if prog else None,
                progress_median=pmed,
                progress_min_over_median=(prog[0] / pmed) if pmed else None,
                progress_measured=bool(prog) and a.wait >= goal,
                marker={"new": sum((s or {}).get("how") == "new" for s in states)},
                seed_via={v: via.count(v) for v in sorted(set(via))},
                press_spread_s=(max(presses) - min(presses)) / 1000,
                probe_n=len(probes),
                probe_p50=percentile(probes, 50),
                probe_p95=percentile(probes, 95),
                probe_errors=errors,
                probe_script_ms=percentile([m["script_ms"] for m in parts if m.get("script_ms") is not None], 50),
                probe_wait_ms=percentile([m["to_script_start_ms"] for m in parts if m.get("to_script_start_ms") is not None], 50),
                probe_draw_ms=percentile([m["frame_to_draw_ms"] for m in parts if m.get("frame_to_draw_ms") is not None], 50),
                exceptions=sum(t.exceptions() for t in self.tabs),
                errors_shown=sum(t.page.locator("[data-testid='stAlertContentError']").count() for t in self.tabs),
                disconnects=sum(t.disconnects + (0 if t.connected() else 1) + t.crashed for t in self.tabs),
                server_cpu=100 * (sum(cpu1) - sum(cpu0)) / TICK / window,
                browser_cpu=100 * (bcpu1 - bcpu0) / TICK / window,
                window_s=window,
                times_s=[None if x == inf else round(x, 2) for x in times],
                sent_s=[None if x == inf else round(x, 2) for x in sent],
                ready_s=[None if x == inf else round(x, 2) for x in ready],
                progress=[None if m is None else round(m, 3) for m in marks],
            )
        finally:
            self.close_all()
            row["peak_rss_mb"] = sampler.peak / 1024
            sampler.stop()
        return row


def print_app_rows(rows):
    def secs(v, wait):
        return "-" if v is None else (f">{wait:.0f}" if v == float("inf") else f"{v:.1f}")

    head = (
        f"{'page':<9} {'variant':<7} {'N':>3} {'seconds to result min/med/max':>29} {'in goal':>9} "
        f"{'progress min/med':>16} {'min/med':>7} {'probe p50':>9} {'p95 ms':>7} {'n':>3} {'exc':>3} {'disc':>4} "
        f"{'srv CPU':>7} {'brw CPU':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        w = r.get("wait_s", 0)
        if r.get("unavailable") or r.get("error"):
            why = r.get("unavailable") or "row failed: " + r["error"]
            print(f"{r['app']:<9} {r['variant']:<7} {r['sessions']:>3} {why}")
            continue
        spread = f"{secs(r['seen_min'], w)}/{secs(r['seen_median'], w)}/{secs(r['seen_max'], w)}"
        goal = f"{r['within_goal']}/{r['sessions']}<={r['goal_s']:.0f}s"
        prog = (
            f"{fmt(r['progress_min'], digits=2)}/{fmt(r['progress_median'], digits=2)}"
            if r.get("progress_median") is not None
            else "n/a"
        )
        print(
            f"{r['app']:<9} {r['variant']:<7} {r['sessions']:>3} {spread:>29} {goal:>9} {prog:>16} "
            f"{fmt(r.get('progress_min_over_median'), digits=2):>7} {fmt(r.get('probe_p50')):>9} "
            f"{fmt(r.get('probe_p95')):>7} {r.get('probe_n', 0):>3} {r.get('exceptions', '-'):>3} "
            f"{r.get('disconnects', '-'):>4} {fmt(r.get('server_cpu'), '%'):>7} {fmt(r.get('browser_cpu'), '%'):>7}"
        )
        notes = [
            f"load average {r['loadavg_before']:.2f} before the row; result marker: "
            + (", ".join(f"{k} {v}" for k, v in r["marker"].items() if v) or "none seen")
            + (f"; seed set by {', '.join(f'{k} {v}' for k, v in r['seed_via'].items())}" if r["variant"] == "seeds" else "")
            + f"; presses spread over {r['press_spread_s']:.1f} s; peak RSS {fmt(r.get('peak_rss_mb'), ' MB')}"
        ]
        if r.get("reniced"):
            notes.append(f"{r['reniced']} student renderer processes at nice {r.get('students_nice')}; the probe's at 0")
        if r.get("server_nice"):
            notes.append(f"the server started at nice {r['server_nice']} (its trainer processes at {r['server_nice'] + 10})")
        if r.get("ready_marked"):
            notes.append(
                f"the server's work (press to the job finished, server clock): {secs(r['ready_min'], w)}/"
                f"{secs(r['ready_median'], w)}/{secs(r['ready_max'], w)} s min/med/max, "
                f"{r['ready_within_goal']}/{r['sessions']} within {r['goal_s']:.0f} s"
            )
        if r.get("sent_marked"):
            notes.append(
                f"the server's part (press to the result drawn, server clock): {secs(r['sent_min'], w)}/"
                f"{secs(r['sent_median'], w)}/{secs(r['sent_max'], w)} s min/med/max, "
                f"{r['sent_within_goal']}/{r['sessions']} within {r['goal_s']:.0f} s (after the job: the page asking, its run); "
                "the rest is the browser drawing"
            )
        if r["seen"] < r["sessions"]:
            notes.append(f"{r['sessions'] - r['seen']} student(s) saw no result within {w:.0f} s")
        if r.get("errors_shown"):
            notes.append(f"{r['errors_shown']} error message(s) shown (st.error)")
        if r.get("probe_n"):
            notes.append(
                f"probe p50 parts: input to server run {fmt(r.get('probe_wait_ms'))} ms, server run "
                f"{fmt(r.get('probe_script_ms'))} ms, last frame to figure drawn {fmt(r.get('probe_draw_ms'))} ms"
            )
        if r.get("probe_errors"):
            notes.append(f"{len(r['probe_errors'])} probe move(s) failed: {r['probe_errors'][0]}")
        for n in notes:
            print(f"{'':<9} note: {n}")


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
        "--students-context",
        choices=("each", "one"),
        default="each",
        help="with --app: 'one' opens the students' pages as tabs of one browser profile (its cache shared: 8 "
        "Forecast pages ready in 115 s against 142 s, measured); they are still 8 sessions of the app; default each",
    )
    ap.add_argument(
        "--students-figures",
        choices=("all", "none"),
        default="all",
        help="with --app: 'none' hides the charts in the students' pages (each student's device would draw its own; "
        "on this bench they share one core); the probe draws everything (default all)",
    )
    ap.add_argument(
        "--students-nice",
        type=int,
        default=0,
        help="nice value for the students' renderer processes (0: all pages share the browser core equally, "
        "the default; 19: the probe's page is drawn first, as on a device of its own, while the students' "
        "pages still make the same requests)",
    )
    ap.add_argument(
        "--server-nice",
        type=int,
        default=0,
        help="nice value the server starts at (its trainer processes add their own +10 to it); a negative one "
        "(root only, e.g. -15) puts the server ahead of other people's work on a shared machine, so that a row "
        "measures the app and not the neighbours (default 0)",
    )
    ap.add_argument("--after-close", type=float, default=20.0, help="seconds to wait before the RSS after close (default 20)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds any one wait may take (default 60)")
    ap.add_argument("--limit", type=float, help="seconds the whole run may take (default: from the sizes)")
    ap.add_argument("--json", help="write the rows here")
    ap.add_argument(
        "--app",
        help="the application scenario instead of Train: " + ", ".join(apps.APPS) + " or all (comma-separated)",
    )
    ap.add_argument(
        "--variant",
        choices=("same", "seeds", "both"),
        default="both",
        help="with --app: everyone presses the default (same), each student its own seed (seeds), or both (default)",
    )
    ap.add_argument(
        "--wait",
        type=float,
        default=180.0,
        help="with --app: seconds after the first press to wait for every student's result (default 180)",
    )
    ap.add_argument(
        "--class-board",
        action="store_true",
        help="everyone joins one class first (the Class page, as Student N; a fresh SQLite board unless "
        "RNNVIZ_DATABASE_URL is set) and the teacher's board is open in one more tab: posting and the board's "
        "redraws are part of the load",
    )
    a = ap.parse_args()
    if a.class_board:
        os.environ.setdefault("RNNVIZ_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='rnnviz-load-board-')}/board.sqlite")
        sys.path.insert(0, ROOT)
    if a.app:
        return main_apps(ap, a)
    sizes = [int(x) for x in a.sessions.split(",") if x.strip()]
    if not sizes or min(sizes) < 1 or max(sizes) > 100:
        ap.error("--sessions takes numbers from 1 to 100")
    if a.replicas not in (1, 2):
        ap.error("--replicas is 1 or 2 (two cores here)")
    serve = load_serve() if a.replicas > 1 else None  # fail before anything starts
    setups = ([] if a.replicas_only and a.replicas > 1 else [1]) + ([a.replicas] if a.replicas > 1 else [])
    per_row = 150 + a.seconds + a.after_close + 60
    join = 20 if a.class_board else 0  # --class-board: each student opens the Class page, joins, then goes to Train
    limit = a.limit or sum(per_row + (6 + join) * n for n in sizes) * len(setups) + 60
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
                        if r.get("board_runs") is not None:
                            print(
                                f"    class board: {r['board_runs']} runs posted by {r['board_students']} students; median "
                                f"steps on the board {fmt(r.get('board_steps_median'))} (pages said "
                                f"{fmt(r.get('pages_steps_median'))} at the end of the window, 4 s earlier)",
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


def run_one(browser, n, replicas, setup, serve, a, procs, make=Level):
    """One row, with its own fresh server (or replicas), stopped whatever happens.
    make(browser, url, n, a, groups) builds the row's Level (Train) or AppLevel."""
    row = {"setup": setup, "replicas": replicas, "sessions": n}
    log = os.path.join(tempfile.gettempdir(), f"rnnviz-load-{os.getpid()}-{replicas}-{n}.log")
    try:
        if replicas == 1:
            with Server(cpus="0" if a.pin else None, log_path=log, nice=a.server_nice) as server:
                row["server_nice"] = a.server_nice
                procs[server.pid] = proc_start(server.pid)
                server.wait_ready(a.timeout * 2)
                row["server_cpus"] = cpus_allowed(server.pid)
                row.update(make(browser, server.url, n, a, lambda: [server.pids()]).run())
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
                row.update(make(browser, dep.url, n, a, groups).run())
    except Exception as e:  # one failed row is reported and the next row still runs; Ctrl-C and Overtime end the run
        row["error"] = f"{type(e).__name__}: {str(e)[:200]}"
    return row


def main_apps(ap, a):
    """--app: one row per (page, variant, N), each with a fresh server on core 0 and the browser on core 1."""
    names = list(apps.APPS) if a.app.strip() == "all" else [x.strip() for x in a.app.split(",") if x.strip()]
    bad = [x for x in names if x not in apps.APPS]
    if bad or not names:
        ap.error(f"--app takes {', '.join(apps.APPS)} or all, not {', '.join(bad) or 'nothing'}")
    sizes = [int(x) for x in a.sessions.split(",") if x.strip()]
    if not sizes or min(sizes) < 1 or max(sizes) > 100:
        ap.error("--sessions takes numbers from 1 to 100")
    if a.replicas != 1:
        ap.error("--app runs on one replica (--replicas 1)")
    variants = ["same", "seeds"] if a.variant == "both" else [a.variant]
    plan = [(apps.APPS[x], v, n) for x in names for v in variants for n in sizes]
    limit = a.limit or sum(150 + 8 * n + a.wait + 60 for _, _, n in plan) + 60
    sigterm_as_exit()
    watchdog(limit)
    from playwright.sync_api import sync_playwright

    allowed = os.sched_getaffinity(0)
    pin = a.pin = {0, 1} <= allowed
    if not pin:
        print(f"warning: cores 0 and 1 are not both allowed here ({sorted(allowed)}): nothing is pinned", file=sys.stderr)
    print(
        f"rnnviz load, applications: {', '.join(names)}, variants {variants}, sessions {sizes}, results awaited "
        f"{a.wait:.0f} s, probe every {a.probe_every:g} s, students' pages at nice {a.students_nice}; {os.cpu_count()} CPUs "
        f"shared with other work (load average {os.getloadavg()[0]:.2f} at the start); the run stops by itself after "
        f"{limit:.0f} s"
    )
    rows, procs, t_start = [], {}, time.time()
    old_affinity = os.sched_getaffinity(0)
    try:
        if pin:
            os.sched_setaffinity(0, {1})  # the Playwright driver, and through it Chromium, inherit core 1
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            procs.update({p: proc_start(p) for p in browser_pids()})
            bp = browser_pids()
            print(f"browser processes pinned to cores {cpus_allowed(bp[0]) if bp else '?'}")
            try:
                for app, variant, n in plan:

                    def make(browser, url, n, a, groups, app=app, variant=variant):
                        return AppLevel(app, variant, browser, url, n, a, groups)

                    load = os.getloadavg()[0]  # other people's work on this machine, before the server starts
                    r = run_one(browser, n, 1, "1 replica (core 0)", None, a, procs, make)
                    r.update(app=app.name, variant=variant, loadavg_before=load)
                    rows.append(r)
                    if a.json:  # after every row, so a run stopped early keeps what it measured
                        write_json(a.json, rows)
                    w = r.get("wait_s", a.wait)
                    said = r.get("unavailable") or (
                        f"ERROR {r['error']}"
                        if r.get("error")
                        else f"{r['within_goal']}/{n} within {r['goal_s']:.0f} s, slowest "
                        + (f"not within {w:.0f} s" if r["seen_max"] == float("inf") else f"{r['seen_max']:.1f} s")
                        + f", probe p95 {fmt(r.get('probe_p95'))} ms, load average before {r['loadavg_before']:.2f}"
                    )
                    print(f"  {app.name} {variant} N={n}: {said}", flush=True)
            finally:
                browser.close()
    except BaseException as e:  # Ctrl-C, SIGTERM, Overtime: say so and show the rows already measured
        print(f"\nstopped early ({type(e).__name__}: {e}); {len(rows)} row(s) measured; it was here:", file=sys.stderr)
        traceback.print_exc(limit=-4)
        if rows:
            print_app_rows(rows)
        raise
    finally:
        os.sched_setaffinity(0, old_affinity)
        left = reap(procs)
        if left:
            print(f"killed processes left behind: {left}", file=sys.stderr)
    print(f"\nrnnviz load, applications, load average {os.getloadavg()[0]:.2f} at the end (shared machine)\n")
    print_app_rows(rows)
    print(
        "\nseconds to result: each student's button press to the result shown in that student's page (page clock); "
        f">{a.wait:.0f}: not seen within --wait;\nin goal: students who saw it within the goal (same: 10 s, seeds: 90 s); "
        "progress: the fraction of each student's job done at press + goal (1 once the result\nis shown, else the page's "
        "progress bar; n/a where no page showed one), min/med = the slowest student's progress over the median's;\n"
        "probe: time-step slider on Hidden states to the heatmap redrawn (ms), n = probe moves, from the first press until "
        "every student saw the result;\nexc/disc: exceptions and disconnects in any page; CPU: 100% = one core."
    )
    print(f"whole run {time.time() - t_start:.0f} s")
    if a.json:
        write_json(a.json, rows)
        print(f"wrote {a.json}")


def write_json(path, rows):
    """The rows as strict JSON: a time not seen within --wait (infinite here) is written as null."""

    def finite(v):
        if isinstance(v, float) and v == float("inf"):
            return None
        if isinstance(v, dict):
            return {k: finite(x) for k, x in v.items()}
        if isinstance(v, list):
            return [finite(x) for x in v]
        return v

    with open(path, "w") as f:
        json.dump(finite(rows), f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
