"""The class board in real browsers against a real server (issue 24's "done when"): a teacher starts a class,
three students join from its link and train, the teacher's board shows their three curves and the solved
counts; the server process is then killed (SIGKILL) and started again on the same database, and the board shows
the same runs, each at the step its student last saw."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ROOT, SHOTS, App, _free_port

from rnnviz.board import store as bs

STUDENTS = [("Ada", "lstm", 1), ("Grace", "lstm", 2), ("Alan", "rnn", 3)]
SMALL = "task=adding&seq_len=10&hidden=8"


class Server:
    """One `streamlit run` on a fixed port and a given board database, which can be stopped and started again."""

    def __init__(self, port: int, db_url: str):
        self.port, self.db_url, self.proc = port, db_url, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self):
        log = open(os.path.join(SHOTS, f"class-server-{self.port}.log"), "a")
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        cmd += ["--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", bs.ENV: self.db_url}
        self.proc = subprocess.Popen(
            cmd + ["--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        for _ in range(480):
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=1).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.25)
            assert self.proc.poll() is None, f"server exited; see {log.name}"
        raise AssertionError("the server did not come up")

    def kill(self):
        """SIGKILL: the process dies at once, as a replica killed mid-class (no shutdown code runs)."""
        self.proc.kill()
        self.proc.wait(15)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture()
def server(tmp_path):
    os.makedirs(SHOTS, exist_ok=True)
    s = Server(_free_port(), f"sqlite:///{tmp_path / 'board.sqlite'}")
    s.start()
    yield s
    s.stop()


def metric(app: App, label: str) -> str:
    box = app.page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text(timeout=5000).strip()


def wait_runs(app: App, n: int, timeout: float = 120) -> None:
    end, seen = time.time() + timeout, None
    while time.time() < end:
        try:
            seen = metric(app, "runs posted")
            if seen == str(n):
                return
        except Exception:  # the fragment is redrawing
            pass
        time.sleep(0.5)
    raise AssertionError(f"the board never showed {n} runs; last {seen!r}")


def board_state(app: App) -> dict:
    """What the board shows: runs per architecture (from the curves' legend), the solved metrics, the table."""
    fig = app.figure("Held-out loss of every run")
    per_arch = {}
    for t in fig["traces"]:
        m = re.fullmatch(r"(.+) \((\d+) runs?\)", t["name"])
        if m:
            per_arch[m.group(1)] = int(m.group(2))
    solved = {label: metric(app, label) for label in ("LSTM at T=10", "vanilla RNN at T=10")}  # "k of n solved"
    who = app.page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .filter(gd => String(gd.layout.title.text || '').includes('Held-out loss of every run'))
        .flatMap(gd => gd.data.flatMap(t => [...(t.text || [])].map(w => w.split(' (')[0]))).filter(w => w)""")
    return {"per_arch": per_arch, "solved": solved, "runs": metric(app, "runs posted"), "who": sorted(set(who))}


def test_a_class_trains_and_the_board_survives_a_server_restart(server, rv_browser):
    contexts = []

    def new_app():
        ctx = rv_browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        return App(ctx.new_page(), server.url)

    try:
        teacher = new_app()
        teacher.open("Class")
        teacher.page.get_by_role("button", name="Start a class").click()
        teacher.settle()
        q = parse_qs(urlparse(teacher.page.url).query)
        code, key = q["class"][0], q["key"][0]
        assert re.fullmatch(r"[A-Z]{6}", code) and len(key) >= 20
        student_link = [c.inner_text() for c in teacher.page.locator("[data-testid='stCode']").all()][0].strip()
        assert student_link == f"{server.url}/Class?class={code}"

        students = []
        for nick, arch, seed in STUDENTS:
            s = new_app()
            s.page.goto(f"{student_link}&{SMALL}&arch={arch}&seed={seed}")
            s.settle()
            box = s.page.get_by_label("Nickname (optional)")
            box.fill(nick)
            box.press("Enter")
            s.settle()
            s.page.get_by_role("button", name="Join", exact=True).click()
            s.settle()
            assert f"You are {nick} in class {code}" in s.page.inner_text("[data-testid='stMain']")
            s.page.locator("[data-testid='stSidebarNav'], [data-testid='stSidebar']").get_by_role("link", name="Train").click()
            s.settle()
            assert f"class={code}" in s.page.url and "key=" not in s.page.url  # the class stays in the link
            s.page.get_by_role("button", name="Start", exact=True).click()
            students.append(s)

        wait_runs(teacher, 3)
        for s in students:  # let each train a little, then pause: the board must end at the step each one sees
            deadline = time.time() + 60
            while time.time() < deadline and int(metric(s, "steps done").replace(",", "")) < 50:
                time.sleep(0.5)
            pause = s.page.get_by_role("button", name="Pause", exact=True)
            if pause.is_enabled():
                pause.click()
            s.wait_for_status("paused")
        final = {nick: int(metric(s, "steps done").replace(",", "")) for (nick, _, _), s in zip(STUDENTS, students)}
        db = bs.Store(server.db_url)
        end = time.time() + 30
        while {r.nickname: r.step for r in db.runs(code)} != final and time.time() < end:
            time.sleep(0.5)  # the poster's last post of each run (at most one per run every 3 s)
        assert {r.nickname: r.step for r in db.runs(code)} == final
        db.close()
        time.sleep(BOARD_WAIT)
        teacher.settle()
        before = board_state(teacher)
        assert before["per_arch"] == {"LSTM": 2, "vanilla RNN": 1}, before
        assert re.fullmatch(r"\d of 2 solved", before["solved"]["LSTM at T=10"]), before
        assert re.fullmatch(r"\d of 1 solved", before["solved"]["vanilla RNN at T=10"]), before
        assert before["who"] == sorted(f"{nick}, seed {seed}" for nick, _, seed in STUDENTS), before  # the hover text
        teacher.shot("class-board-before-restart")

        server.kill()  # killed, not stopped: then a new process, nothing in memory
        server.start()
        teacher.page.goto(f"{server.url}/Class?class={code}&key={key}")
        teacher.settle()
        wait_runs(teacher, 3)
        after = board_state(teacher)
        assert after == before
        assert "Download every run (CSV)" in teacher.page.inner_text("[data-testid='stMain']")  # still the teacher
        teacher.shot("class-board-after-restart")

        # a click on a curve names its run and links to it (hover cannot hold a link): click the dot at the end of
        # the first trace's first run, found from the figure's own axes
        teacher.page.locator(".st-key-rv_board_curves").scroll_into_view_if_needed()
        xy = teacher.page.evaluate("""() => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')]
                .find(g => String(g.layout.title.text || '').includes('Held-out loss of every run'));
            const t = gd._fullData[0], size = t.marker.size;
            let i = 0; while (!(size[i] > 0)) i++;
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
            return [r.left + xa._offset + xa.l2p(xa.d2l(t.x[i])), r.top + ya._offset + ya.l2p(ya.d2l(t.y[i]))];
        }""")
        teacher.page.mouse.move(*xy)
        teacher.page.mouse.click(*xy)
        link = teacher.page.get_by_role("link", name="Open this run", exact=True)
        link.first.wait_for(timeout=30_000)
        teacher.settle()
        said = teacher.page.locator("[data-testid='stMarkdownContainer']").filter(has=link).first.inner_text()
        assert any(said.startswith(f"{nick}, seed {seed}: ") for nick, _, seed in STUDENTS), said
        assert "/Train?" in link.first.get_attribute("href")

        # a student's own address bar keeps their place: after the restart, a reload is the same student
        ada = students[0]
        assert "me=" in ada.page.url
        ada.page.reload()
        ada.settle()
        nick = STUDENTS[0][0]
        assert f"you are {nick}" in ada.page.inner_text("[data-testid='stSidebar']")
        assert bs.Store(server.db_url).class_info(code).students == len(STUDENTS)  # nobody joined again
    finally:
        for ctx in contexts:
            ctx.close()


BOARD_WAIT = 6  # one board redraw (rnnviz.ui.classroom.BOARD_SECONDS) after the last post
