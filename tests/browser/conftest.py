"""A real `streamlit run` on a free loopback port and Debian's Chromium driven by Playwright."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("RNNVIZ_SHOTS", os.path.join(tempfile.gettempdir(), "rnnviz-browser-shots"))


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("RNNVIZ_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium to run browser tests")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    port = _free_port()
    os.makedirs(SHOTS, exist_ok=True)
    log = open(os.path.join(SHOTS, "server.log"), "w")
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.25)
            assert p.poll() is None, f"server exited; see {log.name}"
        print(f"\nscreenshots go to {SHOTS}")
        yield url
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture(scope="session")
def rv_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class App:
    """Helpers over one Playwright page showing the app."""

    def __init__(self, page, url):
        self.page, self.url = page, url

    def open(self, path="", query=""):
        self.page.goto(self.url + "/" + path + ("?" + query if query else ""))
        self.settle()

    def settle(self, timeout=90):
        """Wait until the script has stopped (or only follows a training job: rnnviz.ui.jobs.follow) and
        nothing is loading, for a whole second."""
        self.page.wait_for_selector("[data-testid='stApp']", timeout=timeout * 1000)
        end, calm = time.time() + timeout, 0
        while time.time() < end:
            state = self.page.evaluate("""() => {
                const a = document.querySelector("[data-testid='stApp']");
                const following = document.querySelector('.rv-following') ? 'notRunning' : null;
                return [following || a?.getAttribute('data-test-script-state'), a?.getAttribute('data-test-connection-state'),
                        document.querySelectorAll("[data-testid='stSkeleton']").length]; }""")
            calm = calm + 1 if state[0] == "notRunning" and state[1] == "CONNECTED" and not state[2] else 0
            if calm >= 4:
                return
            time.sleep(0.25)

    def exceptions(self):
        return [e.inner_text()[:300] for e in self.page.query_selector_all("[data-testid='stException']")]

    def figures(self):
        """Every plotly figure on the page: its title as text (tags gone, <br> from wrapping to fit the
        window read as a space) and its traces."""
        figs = self._figures()
        for f in figs:
            f["title"] = " ".join(re.sub(r"<[^>]+>", " ", str(f["title"])).split())
        return figs

    def _figures(self):
        return self.page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
            title: (gd.layout && gd.layout.title && (gd.layout.title.text || gd.layout.title)) || '',
            traces: (gd._fullData || []).map(t => ({type: t.type, name: t.name || '',
                rows: t.z ? t.z.length : null, cols: t.z && t.z[0] ? t.z[0].length : null,
                y: t.y ? Array.from(t.y).slice(0, 400) : null}))}))""")

    def figure(self, title_part, timeout=15):
        """The first figure whose title contains title_part. While training runs, a fragment redraws
        its charts twice a second, so a figure can be missing for a moment: look again until timeout."""
        end = time.time() + timeout
        while True:
            figs = self.figures()
            found = [f for f in figs if title_part.lower() in f["title"].lower()]
            if found or time.time() > end:
                break
            time.sleep(0.25)
        assert found, f"no figure titled like {title_part!r}: {[f['title'] for f in figs]}"
        return found[0]

    def status(self) -> str:
        """The Train page's own status word (the line 'Status: paused · ...'), or '' if not shown."""
        line = self.page.locator("[data-testid='stMarkdownContainer']", has_text="Status:").first
        try:
            return line.inner_text(timeout=2000).split("Status:")[1].split("·")[0].strip()
        except Exception:  # the fragment is redrawing it: no status this instant
            return ""

    def wait_for_status(self, word: str, timeout: float = 60) -> str:
        """Poll the app's own status until it starts with word (e.g. 'paused', 'diverged')."""
        end, seen = time.time() + timeout, ""
        while time.time() < end:
            seen = self.status()
            if seen.startswith(word):
                return seen
            time.sleep(0.3)
        raise AssertionError(f"status never became {word!r}; last seen {seen!r}")

    def slider(self, label):
        return self.page.locator("[data-testid='stSlider']", has_text=label).get_by_role("slider")

    def shot(self, name):
        path = os.path.join(SHOTS, name + ".png")
        # Streamlit scrolls inside its own container: make the window as tall as the content
        h = self.page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900")
        self.page.set_viewport_size({"width": 1400, "height": min(max(900, h + 50), 6000)})
        self.settle()
        self.page.screenshot(path=path, full_page=True)
        self.page.set_viewport_size({"width": 1400, "height": 900})
        return path


@pytest.fixture()
def app(server, rv_browser):
    ctx = rv_browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    yield App(page, server)
    ctx.close()
