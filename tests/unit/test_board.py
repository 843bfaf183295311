"""The class board's store on a real SQLite file: classes, students, runs, the rules, and the CLI."""

import json
import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from rnnviz.board import store as bs
from rnnviz.board.summary import csv_text, groups
from rnnviz.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster (Debian's postgresql package) for this module's tests."""
    from tests.pgcluster import Cluster, pg_bin

    if pg_bin() is None:
        if os.environ.get("RNNVIZ_REQUIRE_BROWSER"):
            pytest.fail("the PostgreSQL tests need Debian's postgresql package (RNNVIZ_REQUIRE_BROWSER is set)")
        pytest.skip("no PostgreSQL: apt-get install postgresql to run the board's tests on it too")
    c = Cluster().start()
    yield c
    c.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """Every store test runs on both databases: a SQLite file, and a new database in a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'board.sqlite'}"
    cluster = request.getfixturevalue("postgres")
    return cluster.create_db(f"t{abs(hash(request.node.name)) % 10**9}")


@pytest.fixture()
def db(url):
    s = bs.Store(url)
    yield s
    s.close()


def post(run_id, arch="lstm", seed=0, solved=None, step=500, **kw):
    return bs.RunPost(
        run_id=run_id,
        kind="train",
        arch=arch,
        task=kw.pop("task", "adding"),
        seq_len=kw.pop("seq_len", 50),
        hidden=32,
        seed=seed,
        step=step,
        solved_step=solved,
        diverged=kw.pop("diverged", False),
        final_loss=kw.pop("final_loss", 0.01),
        final_metric=0.01,
        metric_name="MSE",
        link=f"/Train?arch={arch}&seed={seed}&step={step}",
        curve_step=[0, 50, 100],
        curve_loss=[0.17, 0.1, float("nan")],
        curve_metric=[0.17, 0.1, 0.05],
    )


def test_schema_is_versioned_and_migrating_twice_changes_nothing(url):
    a = bs.Store(url)
    assert a.version() == bs.SCHEMA_VERSION == 1
    code, key = a.start_class()
    b = bs.Store(url)  # a second process on the same file: sees the class, migrates nothing
    assert b.version() == 1 and b.class_info(code).code == code
    with b.engine.connect() as conn:
        assert {"rnnviz_schema", "board_class", "board_student", "board_run"} <= set(sa.inspect(conn).get_table_names())
    a.close()
    b.close()


def test_replicas_starting_together_migrate_once(url):
    """Four processes' stores opened at the same moment on a new database (replicas starting together)."""
    made, errors = [], []

    def open_one():
        try:
            made.append(bs.Store(url))
        except Exception as e:  # pragma: no cover - the assertion shows it
            errors.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and [m.version() for m in made] == [1, 1, 1, 1]
    code, _ = made[0].start_class()
    assert all(m.class_info(code).code == code for m in made)
    for m in made:
        m.close()


def test_a_newer_schema_is_refused_with_one_line(url):
    a = bs.Store(url)
    with a.engine.begin() as conn:
        conn.execute(bs.schema.update().values(version=99))
    a.close()
    with pytest.raises(bs.BoardError, match="schema version 99, newer"):
        bs.Store(url)


def test_a_class_code_is_six_letters_without_lookalikes_and_the_key_is_stored_hashed(db):
    code, key = db.start_class()
    assert len(code) == 6 and set(code) <= set(bs.ALPHABET) and not set(code) & set("IO")
    assert len(key) >= 20
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(bs.classes.c.key_hash)).scalar_one()
    assert key not in stored and len(stored) == 64
    assert db.is_teacher(code, key) and not db.is_teacher(code, key + "x") and not db.is_teacher(code, "")
    assert db.is_teacher(code.lower(), key)  # a code typed in lower case is the same class


@pytest.mark.parametrize("junk", ["", "abc", "ABCDEFG", "ABCDE1", "ABC DE", "ÄBCDEF", "OOOOOO", None])
def test_junk_codes_are_not_codes(db, junk):
    assert bs.normalise_code(junk) is None
    with pytest.raises(bs.UnknownClass, match="not a class code"):
        db.class_info(junk)


def test_an_unknown_code_says_so(db):
    with pytest.raises(bs.UnknownClass, match="there is no class ZZZZZZ"):
        db.class_info("zzzzzz")


def test_students_join_with_a_nickname_or_a_number_and_nicknames_are_plain_capped_text(db):
    code, _ = db.start_class()
    a = db.join(code, "  Ada\n\tLovelace  ")
    b = db.join(code, "")
    c = db.join(code, "<b>x</b> **y** [z](http://e.vil) " + "w" * 50)
    assert a.nickname == "Ada Lovelace"
    assert b.nickname == "Student 2"
    assert c.nickname.startswith("<b>x</b> **y**") and len(c.nickname) == bs.MAX_NICKNAME
    assert db.rename(code, a.id, "\x00\x1b[31m") == "[31m"
    assert db.rename(code, a.id, "   ") == "Student 1"
    assert db.class_info(code).students == 3
    db.leave(code, b.id)
    assert db.class_info(code).students == 2
    with pytest.raises(bs.NotAllowed):
        db.post(code, b.id, post("r-b"))


def test_a_student_is_found_again_by_their_id_in_their_class_only(db):
    """A reload's ``me=``: the same student in the same class; another class, a left student or junk: nobody."""
    code, _ = db.start_class()
    other, _ = db.start_class()
    a = db.join(code, "Ada")
    assert db.student(code, a.id) == bs.Student(a.id, code, a.number, "Ada")
    db.rename(code, a.id, "Ada L")
    assert db.student(code.lower(), a.id).nickname == "Ada L"
    assert db.student(other, a.id) is None
    for junk in ("", "x" * 32, a.id.upper(), a.id + "0", "' OR 1=1 --", None, 12):
        assert db.student(code, junk) is None
    db.leave(code, a.id)
    assert db.student(code, a.id) is None


def test_a_run_is_created_then_updated_and_read_back_with_its_curve(db):
    code, _ = db.start_class()
    s = db.join(code, "Ada")
    db.post(code, s.id, post("r1", step=100), now=1e9)
    db.post(code, s.id, post("r1", step=600, solved=450), now=1e9 + 5)
    (r,) = db.runs(code)
    assert (r.nickname, r.arch, r.step, r.solved_step, r.seed) == ("Ada", "lstm", 600, 450, 0)
    assert r.curve_step == (0, 50, 100) and r.curve_loss[2] is None  # NaN is stored as a missing value
    assert r.link == "/Train?arch=lstm&seed=0&step=600"


def test_students_cannot_change_or_delete_others_runs_or_close_the_class(db):
    code, key = db.start_class()
    a, b = db.join(code, "A"), db.join(code, "B")
    db.post(code, a.id, post("ra", seed=1))
    with pytest.raises(bs.NotAllowed, match="another student"):
        db.post(code, b.id, post("ra", seed=99))
    with pytest.raises(bs.NotAllowed):
        db.post(code, "not-a-student", post("rx"))
    for action in (db.close_class, db.clear_class, db.renew_class):
        with pytest.raises(bs.NotAllowed, match="teacher"):
            action(code, a.id)  # a student's own id is not the key
        with pytest.raises(bs.NotAllowed):
            action(code, "")
    assert [r.seed for r in db.runs(code)] == [1]
    other, other_key = db.start_class()  # one class's key does not open another
    with pytest.raises(bs.NotAllowed):
        db.close_class(code, other_key)
    assert db.clear_class(code, key) == 1 and db.runs(code) == []


def test_a_closed_or_expired_class_takes_no_joins_or_posts_until_renewed(db):
    code, key = db.start_class(now=1000.0)
    s = db.join(code, "A", now=1001.0)
    db.close_class(code, key)
    with pytest.raises(bs.ClassEnded, match="closed"):
        db.join(code, "B")
    with pytest.raises(bs.ClassEnded):
        db.post(code, s.id, post("r"))
    db.renew_class(code, key, now=2000.0)
    db.post(code, s.id, post("r"), now=2001.0)
    later = 2000.0 + bs.CLASS_SECONDS + 1
    assert db.class_info(code).state(now=later) == "expired"
    with pytest.raises(bs.ClassEnded, match="lasts a day"):
        db.post(code, s.id, post("r"), now=later)
    assert len(db.runs(code)) == 1  # an ended class can still be read


def test_posting_is_capped_per_student(db, monkeypatch):
    monkeypatch.setattr(bs, "MAX_RUNS_PER_STUDENT", 3)
    code, _ = db.start_class()
    s = db.join(code, "A")
    for i in range(3):
        db.post(code, s.id, post(f"r{i}"))
    with pytest.raises(bs.PostCap, match="at most 3 runs"):
        db.post(code, s.id, post("r3"))
    db.post(code, s.id, post("r2", step=900))  # updating one of the three is still fine
    assert len(db.runs(code)) == 3


def test_long_curves_are_thinned_keeping_both_ends(db):
    code, _ = db.start_class()
    s = db.join(code)
    p = post("long")
    p.curve_step = list(range(0, 50_000, 50))
    p.curve_loss = [1.0] * 1000
    p.curve_metric = [1.0] * 1000
    db.post(code, s.id, p)
    (r,) = db.runs(code)
    assert len(r.curve_step) == bs.MAX_CURVE_POINTS and r.curve_step[0] == 0 and r.curve_step[-1] == 49_950


def test_concurrent_joins_and_posts_from_threads_lose_nothing(db):
    code, _ = db.start_class()
    errors = []

    def student(i):
        try:
            s = db.join(code)
            for k in range(3):
                db.post(code, s.id, post(f"t{i}-{k}", seed=i))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(db.runs(code)) == 36
    assert sorted(int(r.nickname.split()[1]) for r in db.runs(code) if r.id.endswith("-0")) == list(range(1, 13))


def test_groups_give_the_solved_fraction_and_the_spread_of_steps_to_solve(db):
    code, _ = db.start_class()
    for i, (arch, solved) in enumerate([("lstm", 300), ("lstm", 900), ("lstm", 450), ("rnn", None), ("rnn", None)]):
        s = db.join(code)
        db.post(code, s.id, post(f"g{i}", arch=arch, seed=i, solved=solved))
    lstm, rnn = groups(db.runs(code))
    assert (lstm.arch, lstm.runs, lstm.solved, lstm.fraction, lstm.median) == ("lstm", 3, 3, 1.0, 450)
    assert lstm.spread() == "median 450 (300 to 900)"
    assert (rnn.solved, rnn.fraction, rnn.spread()) == (0, 0.0, "none solved yet")


def test_csv_keeps_a_nickname_from_becoming_a_spreadsheet_formula(db):
    code, _ = db.start_class()
    s = db.join(code, "=HYPERLINK(1)")
    db.post(code, s.id, post("c1"))
    text = csv_text(db.runs(code))
    assert text.splitlines()[0].startswith("nickname,arch,task,seq_len")
    assert "'=HYPERLINK(1)" in text


def test_the_database_url_defaults_to_a_sqlite_file_and_takes_postgres_urls(monkeypatch, tmp_path):
    monkeypatch.delenv(bs.ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert bs.database_url() == f"sqlite:///{tmp_path}/rnnviz/board.sqlite"
    monkeypatch.setenv(bs.ENV, "postgresql://u:p@db:5432/rnnviz")
    assert bs.database_url() == "postgresql+psycopg://u:p@db:5432/rnnviz"
    assert bs.describe(bs.database_url()) == "PostgreSQL database rnnviz on db:5432"


def test_cli_prints_a_class_as_json_and_csv(url, capsys):
    db = bs.Store(url)
    code, _ = db.start_class()
    s = db.join(code, "Ada")
    db.post(code, s.id, post("cli1", solved=450, step=600))
    db.close()
    assert main(["board", "--class", code.lower(), "--json", "--database", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["class"]["code"] == code and out["class"]["state"] == "open"
    (r,) = out["runs"]
    assert {k: r[k] for k in ("nickname", "arch", "task", "seq_len", "seed", "step", "solved_step")} == {
        "nickname": "Ada",
        "arch": "lstm",
        "task": "adding",
        "seq_len": 50,
        "seed": 0,
        "step": 600,
        "solved_step": 450,
    }
    assert r["final_loss"] == 0.01 and r["final_metric"] == 0.01
    assert out["groups"][0]["solved_fraction"] == 1.0
    assert main(["board", "--class", code, "--csv", "--database", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("Ada,lstm,adding,50,32,0,600,450,False")


def test_cli_unknown_class_is_one_line_on_stderr_and_exit_2(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'board.sqlite'}"
    bs.Store(url).close()
    env = {**os.environ, bs.ENV: url, "PYTHONPATH": ROOT}
    p = subprocess.run(
        [sys.executable, "-m", "rnnviz", "board", "--class", "QQQQQQ", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "rnnviz: error: there is no class QQQQQQ (check the code, or the class was cleared)\n"
    assert main(["board", "--class", "12", "--csv", "--database", url]) == 2  # junk: the same one line
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "'12' is not a class code" in out.err
