"""The class board shared by replicas (issue 24, item 7): a throwaway PostgreSQL cluster (Debian's postgresql),
two Streamlit replicas behind HAProxy (deploy/serve.py) with RNNVIZ_DATABASE_URL pointing at it, students on
both replicas; the board opened on either replica shows every run; both replicas are then stopped and new ones
started, and the board is unchanged."""

import os
import time

import pytest
from conftest import App
from test_class_board import board_state, wait_runs
from test_replicas import replica

from deploy import serve
from rnnviz.board import store as bs

STUDENTS = [("Ada", "lstm", 1), ("Grace", "lstm", 2), ("Alan", "rnn", 3), ("Edsger", "rnn", 4)]
SMALL = "task=adding&seq_len=10&hidden=8"


@pytest.fixture(scope="module")
def postgres():
    from tests.pgcluster import Cluster, pg_bin

    need = os.environ.get("RNNVIZ_REQUIRE_BROWSER")
    if pg_bin() is None or not serve.find_haproxy():
        if need:
            pytest.fail("this test needs Debian's postgresql and haproxy (RNNVIZ_REQUIRE_BROWSER is set)")
        pytest.skip("needs Debian's postgresql and haproxy (apt-get install postgresql haproxy)")
    c = Cluster().start()
    yield c
    c.remove()


def test_replicas_share_one_board_in_postgres_and_it_survives_restarting_both(postgres, rv_browser, monkeypatch):
    url = postgres.create_db("classroom")
    monkeypatch.setenv(bs.ENV, url)  # the replicas inherit it
    contexts = []

    def new_app(base):
        ctx = rv_browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        return App(ctx.new_page(), base), ctx

    try:
        with serve.start(replicas=2, timeout=180) as cluster:
            teacher, _ = new_app(cluster.url)
            teacher.open("Class")
            teacher.page.get_by_role("button", name="Start a class").click()
            teacher.settle()
            db = bs.Store(url)
            (code,) = [c for (c,) in _codes(db)]
            key = dict(p.split("=", 1) for p in teacher.page.url.split("?", 1)[1].split("&"))["key"]
            on = []
            for nick, arch, seed in STUDENTS:
                s, ctx = new_app(cluster.url)
                s.open("Class", f"class={code}&{SMALL}&arch={arch}&seed={seed}")
                box = s.page.get_by_label("Nickname (optional)")
                box.fill(nick)
                box.press("Enter")
                s.settle()
                s.page.get_by_role("button", name="Join", exact=True).click()
                s.settle()
                s.page.locator("[data-testid='stSidebar']").get_by_role("link", name="Train").click()
                s.settle()
                s.page.get_by_role("button", name="Step", exact=True).click()  # one chunk, trained on its replica
                s.settle()
                on.append(replica(ctx))
            assert set(on) == {"r1", "r2"}, on  # students on both replicas
            end = time.time() + 60
            while len(db.runs(code)) < len(STUDENTS) and time.time() < end:
                time.sleep(0.5)
            assert sorted(r.nickname for r in db.runs(code)) == sorted(n for n, _, _ in STUDENTS)
            db.close()
            before = []
            for base in cluster.replica_urls:  # the board on either replica, straight to it
                view, _ = new_app(base)
                view.open("Class", f"class={code}&key={key}")
                wait_runs(view, len(STUDENTS), timeout=60)
                before.append(board_state(view))
            assert before[0] == before[1], before
            assert before[0]["per_arch"] == {"LSTM": 2, "vanilla RNN": 2}
            assert before[0]["who"] == sorted(f"{n}, seed {s}" for n, _, s in STUDENTS)

        with serve.start(replicas=2, timeout=180) as again:  # both replicas stopped; new processes
            for base in again.replica_urls:
                view, _ = new_app(base)
                view.open("Class", f"class={code}&key={key}")
                wait_runs(view, len(STUDENTS), timeout=60)
                assert board_state(view) == before[0]
                assert "Download every run (CSV)" in view.page.inner_text("[data-testid='stMain']")  # the key still works
    finally:
        for ctx in contexts:
            ctx.close()


def _codes(db: bs.Store):
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        return conn.execute(sa.select(bs.classes.c.code)).all()
