"""Shared helpers for the browser benchmarks (bench/latency.py, bench/load.py).

A `streamlit run app.py` on a free loopback port (optionally pinned with taskset), Debian's
Chromium driven by Playwright, and an in-page recorder that timestamps, in the page's own clock
(performance.now()):

- every plotly figure drawn or redrawn, and every static picture (an image marked `data-rv-figure`)
  put in the page: a MutationObserver looks at every `.js-plotly-plot` after each DOM change; a
  figure counts as redrawn when its `_fullLayout` object is new (Plotly.react and Plotly.newPlot
  build a new one) and a signature of its data and layout is recorded, so a redraw with the same
  content can be told from one with new content;
- every change of the app's `data-test-script-state` attribute (running / notRunning);
- every websocket message handed to the page (size and time; the page's WebSocket is wrapped);
- every keydown and click.

Nothing here sleeps to wait for a redraw: waits poll the recorder with a timeout.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}

# The recorder, installed in every page before any of the app's scripts run.
RECORDER_JS = r"""
(() => {
  if (window.__rv) return;
  const CAP = 4000;
  const rv = window.__rv = {draws: [], states: [], frames: [], inputs: [], frameBytes: 0, nextId: 1};
  const push = (a, x) => { a.push(x); if (a.length > CAP) a.splice(0, a.length - CAP); };
  const seen = new WeakMap();
  const titleOf = gd => {
    const t = gd.layout && gd.layout.title;
    return String((t && (t.text !== undefined ? t.text : t)) || '');
  };
  const rep = (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v);
  const hash = s => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0).toString(16) + ':' + s.length;
  };
  const sigOf = gd => {
    try { return hash(JSON.stringify([gd.data, gd.layout], rep)); } catch (e) { return 'x' + Math.random(); }
  };
  const scan = () => {
    const now = performance.now();
    document.querySelectorAll('.js-plotly-plot').forEach(gd => {
      const fl = gd._fullLayout;
      if (!fl) return;
      const prev = seen.get(gd);
      if (prev && prev.fl === fl) return;
      const sig = sigOf(gd);
      if (!prev) gd.__rvId = rv.nextId++;
      seen.set(gd, {fl, sig});
      push(rv.draws, {id: gd.__rvId, title: titleOf(gd), t: now, sig, fresh: !prev, changed: !prev || prev.sig !== sig});
    });
    // a static picture (an image the app wrote, marked data-rv-figure) is drawn once it is in the page
    document.querySelectorAll('[data-rv-figure]').forEach(el => {
      if (seen.get(el)) return;
      const title = el.getAttribute('data-rv-figure'), sig = 'svg:' + title;
      el.__rvId = rv.nextId++;
      seen.set(el, {fl: el, sig});
      push(rv.draws, {id: el.__rvId, title, t: now, sig, fresh: true, changed: true});
    });
  };
  rv.figures = () => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout)
      .map(gd => ({id: gd.__rvId, title: titleOf(gd), sig: (seen.get(gd) || {}).sig}))
      .concat([...document.querySelectorAll('[data-rv-figure]')]
      .map(el => ({id: el.__rvId, title: el.getAttribute('data-rv-figure'), sig: (seen.get(el) || {}).sig})));
  rv.scriptState = () => {  // a run that only follows a training job (class rv-following) counts as stopped
    const a = document.querySelector("[data-testid='stApp']");
    return [document.querySelector('.rv-following') ? 'notRunning' : a && a.getAttribute('data-test-script-state'),
            a && a.getAttribute('data-test-connection-state'),
            document.querySelectorAll("[data-testid='stSkeleton']").length];
  };
  const start = () => {
    new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true, attributes: true});
    new MutationObserver(ms => {
      const now = performance.now();
      for (const m of ms) push(rv.states, {t: now, state: m.target.getAttribute('data-test-script-state')});
    }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
  for (const type of ['keydown', 'click']) {
    window.addEventListener(type, e => push(rv.inputs, {t: performance.now(), type, key: e.key || ''}), true);
  }
  const W = window.WebSocket;
  class RvWebSocket extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => {
        const d = e.data;
        const n = d instanceof ArrayBuffer ? d.byteLength : (d && d.size) || (typeof d === 'string' ? d.length : 0);
        rv.frameBytes += n;
        push(rv.frames, {t: performance.now(), n});
      });
    }
  }
  window.WebSocket = RvWebSocket;
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(xs, q):
    """Linear interpolation between closest ranks (numpy's default); None for no data."""
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fmt(v, unit="", digits=0):
    return "-" if v is None else f"{v:,.{digits}f}{unit}"


# ---------------------------------------------------------------- processes


def _children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def descendants(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def proc_start(pid: int):
    """The process's start time in clock ticks (tells a pid from a reused one)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def rss_kb(pids) -> int:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_ticks(pids) -> int:
    """utime + stime of these processes, in clock ticks."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpus_allowed(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def pids_listening(ports) -> list[int]:
    """The processes (of ours; others' /proc/PID/fd is unreadable) that listen on these TCP ports."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    port = int(parts[1].rsplit(":", 1)[1], 16)
                    if parts[3] == "0A" and port in set(ports):  # 0A: LISTEN
                        inodes.add(parts[9])
        except OSError:
            pass
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{d}/fd"):
                link = os.readlink(f"/proc/{d}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    out.append(int(d))
                    break
        except OSError:
            continue
    return out


def reap(snapshot, grace=5.0):
    """End the processes in snapshot ({pid: start time}) that still run, by pid: SIGTERM, then SIGKILL."""
    alive = {p: s for p, s in snapshot.items() if s is not None and proc_start(p) == s}
    for p in alive:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGTERM)
    end = time.time() + grace
    while alive and time.time() < end:
        alive = {p: s for p, s in alive.items() if proc_start(p) == s}
        time.sleep(0.1)
    for p in alive:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    return sorted(alive)


class Server:
    """`streamlit run app.py` on a free loopback port, optionally under `taskset -c CPUS`.

    Its own process group, so stop() ends it and anything it started."""

    def __init__(
        self,
        cpus: str | None = None,
        log_path: str | None = None,
        env: dict | None = None,
        port: int | None = None,
        nice: int | None = None,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        if cpus is not None:
            cmd = ["taskset", "-c", str(cpus)] + cmd
        if nice:  # e.g. -15 (root only): the server and its trainer processes ahead of other work on the machine
            cmd = ["nice", "-n", str(int(nice))] + cmd
        self.log_path = log_path or os.devnull
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
            start_new_session=True,
        )
        self.pid = self.proc.pid  # taskset execs streamlit: the same pid

    def wait_ready(self, timeout=120.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with status {self.proc.returncode}; see {self.log_path}")
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=1).read() == b"ok":
                    return self
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(f"server not healthy after {timeout:.0f} s; see {self.log_path}")

    def pids(self) -> list[int]:
        return [self.pid] + descendants(self.pid) if self.proc.poll() is None else []

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def sigterm_as_exit():
    """Make SIGTERM unwind like Ctrl-C does, so every finally block runs."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


class Overtime(BaseException):
    """The whole run took longer than its limit (a BaseException: no `except Exception` swallows it)."""


def watchdog(seconds: float):
    """Raise Overtime in the main thread after this long: the run stops by itself."""

    def handler(signum, frame):
        raise Overtime(f"the benchmark ran past its own limit of {seconds:.0f} s")

    signal.signal(signal.SIGALRM, handler)
    signal.alarm(max(1, int(seconds)))


def launch_browser(pw, cpus: set[int] | None = None, keep_pinned: bool = False):
    """Chromium under Playwright. With cpus, this process is pinned to them before the driver
    starts, so the driver and every Chromium process inherit that affinity; unless keep_pinned,
    this process gets its old affinity back afterwards (the children keep theirs)."""
    old = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        return pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    finally:
        if cpus and not keep_pinned:
            os.sched_setaffinity(0, old)


def browser_pids() -> list[int]:
    """Chromium processes below this one (launched through the Playwright driver)."""
    out = []
    for p in descendants(os.getpid()):
        try:
            with open(f"/proc/{p}/comm") as f:
                if "chrom" in f.read():
                    out.append(p)
        except OSError:
            pass
    return out


# ---------------------------------------------------------------- one browser tab


class Tab:
    """One Playwright page showing the app, with the recorder installed and websocket frames counted
    the way Playwright sees them (page.on("websocket") -> ws.on("framereceived"))."""

    def __init__(self, context, base_url: str):
        self.context, self.url = context, base_url
        context.add_init_script(RECORDER_JS)
        self.page = context.new_page()
        self.ws_bytes = 0
        self.ws_frames = 0
        self.disconnects = 0
        self.crashed = False
        self.closing = False  # set before closing on purpose: a websocket closed after that is no disconnect
        self.page.on("websocket", self._on_ws)
        self.page.on("crash", lambda *_: setattr(self, "crashed", True))

    def _on_ws(self, ws):
        def got(payload):
            self.ws_frames += 1
            self.ws_bytes += len(payload)

        ws.on("framereceived", got)
        ws.on("close", lambda *_: self._ws_closed())

    def _ws_closed(self):
        if not self.closing:
            self.disconnects += 1

    def close(self):
        self.closing = True
        with contextlib.suppress(Exception):
            self.context.close()

    def goto(self, path="", query="", timeout=90.0):
        self.page.goto(self.url + "/" + path + ("?" + query if query else ""), timeout=timeout * 1000)

    def now(self) -> float:
        return self.page.evaluate("() => performance.now()")

    def settle(self, timeout=90.0, calm=1.0):
        """Wait until the script has stopped, the connection is up and nothing is loading, for calm s."""
        self.page.wait_for_selector("[data-testid='stApp']", timeout=timeout * 1000)
        end, since = time.time() + timeout, None
        while time.time() < end:
            st = self.page.evaluate("() => window.__rv.scriptState()")
            if st[0] == "notRunning" and st[1] == "CONNECTED" and not st[2]:
                since = since or time.time()
                if time.time() - since >= calm:
                    return
            else:
                since = None
            time.sleep(0.1)
        raise TimeoutError(f"page did not settle within {timeout:.0f} s")

    def figures(self):
        return self.page.evaluate("() => window.__rv.figures()")

    def figure(self, title_part: str):
        found = [f for f in self.figures() if title_part.lower() in f["title"].lower()]
        return found[0] if found else None

    def exceptions(self) -> int:
        return self.page.locator("[data-testid='stException']").count()

    def connected(self) -> bool:
        return self.page.evaluate("() => window.__rv.scriptState()[1]") == "CONNECTED"

    def wait_draw(self, after_t: float, title_part=None, not_sig=None, not_titles=(), timeout=60.0):
        """The first figure draw recorded after page time after_t (a figure whose title contains
        title_part, whose content differs from not_sig, whose title is none of not_titles),
        waiting up to timeout seconds for it."""
        js = """([after, part, notSig, notTitles]) => window.__rv.draws.find(d => d.t > after
                 && (part === null || d.title.toLowerCase().includes(part))
                 && (notSig === null || d.sig !== notSig) && !notTitles.includes(d.title)) || null"""
        arg = [after_t, title_part.lower() if title_part else None, not_sig, list(not_titles)]
        h = self.page.wait_for_function(js, arg=arg, timeout=timeout * 1000, polling=50)
        return h.json_value()

    def wait_script_done(self, after_t: float, timeout=60.0):
        """Page time at which the script state went back to notRunning after after_t (having run)."""
        js = """(after) => { const s = window.__rv.states.filter(x => x.t > after);
                 const r = s.findIndex(x => x.state === 'running');
                 const d = r < 0 ? -1 : s.findIndex((x, i) => i > r && x.state === 'notRunning');
                 return d < 0 ? null : {running: s[r].t, done: s[d].t}; }"""
        return self.page.wait_for_function(js, arg=after_t, timeout=timeout * 1000, polling=50).json_value()

    def timeline(self, after_t: float):
        return self.page.evaluate(
            """(after) => ({frames: window.__rv.frames.filter(x => x.t > after),
                           states: window.__rv.states.filter(x => x.t > after),
                           inputs: window.__rv.inputs.filter(x => x.t > after),
                           now: performance.now()})""",
            after_t,
        )

    def slider(self, label: str):
        return self.page.locator("[data-testid='stSlider']", has_text=label).get_by_role("slider").first

    def move(self, label: str, title_part: str, direction: str, timeout=60.0, wait_script=True):
        """Press one arrow key on the slider labelled label and wait for the figure titled like
        title_part to be redrawn with new content. Returns the move's timings (ms, page clock) and bytes."""
        thumb = self.slider(label)
        fig = self.figure(title_part)
        if fig is None:
            raise RuntimeError(f"no figure titled like {title_part!r}: {[f['title'] for f in self.figures()]}")
        before = slider_state(thumb)
        bytes0, frames0 = self.ws_bytes, self.ws_frames
        t_before = self.now()
        thumb.press(direction)
        end = time.time() + 2
        while slider_state(thumb)[0] == before[0]:  # the thumb moves at once, before any round trip
            if time.time() > end:
                raise RuntimeError(f"{direction} did not move the slider {label!r} from {before[3] or before[0]}")
            time.sleep(0.05)
        draw = self.wait_draw(t_before, title_part, fig["sig"], timeout=timeout)
        run = None
        if wait_script:
            with contextlib.suppress(Exception):
                run = self.wait_script_done(t_before, timeout=timeout)
        tl = self.timeline(t_before)  # also lets Playwright deliver the frame events received so far
        keys = [x["t"] for x in tl["inputs"] if x["type"] == "keydown"]
        t_in = keys[0] if keys else t_before
        before_draw = [f["t"] for f in tl["frames"] if f["t"] <= draw["t"]]
        end_t = run["done"] if run else draw["t"]
        return {
            "value_before": before[3] or before[0],
            "value_after": (lambda v: v[3] or v[0])(slider_state(thumb)),
            "total_ms": draw["t"] - t_in,
            "to_script_start_ms": (run["running"] - t_in) if run else None,
            "script_ms": (run["done"] - run["running"]) if run else None,
            "frame_to_draw_ms": (draw["t"] - max(before_draw)) if before_draw else None,
            "bytes": self.ws_bytes - bytes0,
            "frames": self.ws_frames - frames0,
            "page_bytes": sum(f["n"] for f in tl["frames"] if f["t"] <= end_t + 1),
            "figure": draw["title"].split("<br>")[0],
        }


SLIDER_JS = """el => [el.value ?? el.getAttribute('aria-valuenow'), el.min || el.getAttribute('aria-valuemin'),
                       el.max || el.getAttribute('aria-valuemax'), el.getAttribute('aria-valuetext')]"""


def slider_state(thumb):
    """[value, min, max, value text] of a slider thumb (an <input type=range> in Streamlit 1.67)."""
    return thumb.evaluate(SLIDER_JS)


def bounce(thumb, start_dir: str | None = None):
    """The arrow key that moves a slider one step inward from where it is (left at its maximum,
    right at its minimum, else start_dir or left)."""
    now, lo, hi, _ = slider_state(thumb)
    with contextlib.suppress(TypeError, ValueError):
        if float(now) >= float(hi):
            return "ArrowLeft"
        if float(now) <= float(lo):
            return "ArrowRight"
    return start_dir or "ArrowLeft"
