"""The class board's database: classes, the students who joined them, and the runs they posted.

SQLite in a file by default (embedded: nothing to start; :func:`default_path`), PostgreSQL (psycopg 3) when
``RNNVIZ_DATABASE_URL`` names one, so that replicas behind a load balancer share one board. Everything goes
through SQLAlchemy 2 Core: tables declared once, statements built by SQLAlchemy with bound parameters (no SQL
is built from strings), one transaction per change. The schema is versioned (table ``rnnviz_schema``):
:meth:`Store.migrate` applies the missing steps of :data:`MIGRATIONS` in one transaction, under a lock on
PostgreSQL so that replicas starting together migrate once.

The rules live here, not in the page:
- a class code is 6 letters from an alphabet without look-alikes (24^6, about 191 million codes); its
  teacher key is a random 128-bit token, stored only as a SHA-256 hash and compared in constant time;
- a class ends a day after it starts or was last renewed, or when the teacher closes it: then nothing more
  can be joined or posted (its board can still be read);
- a nickname is plain text: control characters and surrounding spaces go, it is capped at
  :data:`MAX_NICKNAME` characters, and an empty one becomes "Student N";
- a run belongs to the student who posted it first: another student's post to it is refused;
- a student posts at most :data:`MAX_RUNS_PER_STUDENT` runs, a class holds at most :data:`MAX_STUDENTS`
  students, a curve at most :data:`MAX_CURVE_POINTS` points.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from ..errors import ConfigError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O (they read as 1 and 0)
CODE_LENGTH = 6
CLASS_SECONDS = 24 * 3600  # a class ends a day after it starts or was last renewed
MAX_NICKNAME = 24
MAX_STUDENTS = 200
MAX_RUNS_PER_STUDENT = 40
MAX_CURVE_POINTS = 400
ENV = "RNNVIZ_DATABASE_URL"


class BoardError(ConfigError):
    """Something the board cannot do, in one readable line (shown on the page, printed by the CLI)."""


class UnknownClass(BoardError):
    pass


class ClassEnded(BoardError):
    pass


class NotAllowed(BoardError):
    pass


class PostCap(BoardError):
    pass


# ----- where the database is -------------------------------------------------------------------------
def default_path() -> Path:
    """The SQLite file used when ``RNNVIZ_DATABASE_URL`` is not set: ``$XDG_DATA_HOME/rnnviz/board.sqlite``
    (``~/.local/share/rnnviz/board.sqlite`` without it)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "rnnviz" / "board.sqlite"


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL to use: ``url``, else ``RNNVIZ_DATABASE_URL``, else the default SQLite file. A
    ``postgres://`` or ``postgresql://`` URL is given the psycopg 3 driver."""
    url = (url or os.environ.get(ENV) or "").strip()
    if not url:
        path = default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe(url: str) -> str:
    """The database in words, without a password."""
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite file {u.database}"
    return f"PostgreSQL database {u.database} on {u.host or 'localhost'}:{u.port or 5432}"


# ----- the schema ------------------------------------------------------------------------------------
meta = sa.MetaData()
schema = sa.Table(
    "rnnviz_schema",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)
classes = sa.Table(
    "board_class",
    meta,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
)
students = sa.Table(
    "board_student",
    meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("class_code", sa.String(CODE_LENGTH), sa.ForeignKey("board_class.code", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("nickname", sa.String(MAX_NICKNAME), nullable=False),
    sa.Column("joined_at", sa.Float, nullable=False),
    sa.Column("left_at", sa.Float, nullable=True),
    sa.UniqueConstraint("class_code", "number", name="board_student_number"),
)
runs = sa.Table(
    "board_run",
    meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("class_code", sa.String(CODE_LENGTH), sa.ForeignKey("board_class.code", ondelete="CASCADE"), nullable=False),
    sa.Column("student_id", sa.String(32), sa.ForeignKey("board_student.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "train" (the Train page) or "race" (a Compare race)
    sa.Column("arch", sa.String(32), nullable=False),
    sa.Column("task", sa.String(32), nullable=False),
    sa.Column("seq_len", sa.Integer, nullable=False),
    sa.Column("hidden", sa.Integer, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("solved_step", sa.Integer, nullable=True),
    sa.Column("diverged", sa.Boolean, nullable=False),
    sa.Column("final_loss", sa.Float, nullable=True),
    sa.Column("final_metric", sa.Float, nullable=True),
    sa.Column("metric_name", sa.String(32), nullable=False),
    sa.Column("link", sa.String(1000), nullable=False),  # page path and query that reproduce the run
    sa.Column("curve", sa.Text, nullable=False),  # JSON {"step": [...], "loss": [...], "metric": [...]}: held-out
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("posts", sa.Integer, nullable=False),
)
sa.Index("board_run_class", runs.c.class_code)
sa.Index("board_student_class", students.c.class_code)


def _v1(conn) -> None:
    meta.create_all(conn, tables=[classes, students, runs])


MIGRATIONS = [_v1]  # step i takes the schema from version i to i + 1; never edit a step, add one
SCHEMA_VERSION = len(MIGRATIONS)


# ----- values ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassInfo:
    code: str
    created_at: float
    expires_at: float
    closed_at: float | None
    students: int
    runs: int

    def ended(self, now: float | None = None) -> bool:
        return self.closed_at is not None or (now if now is not None else time.time()) >= self.expires_at

    def state(self, now: float | None = None) -> str:
        """ "open", "closed" (by the teacher) or "expired" (a day passed without renewal)."""
        if self.closed_at is not None:
            return "closed"
        return "expired" if (now if now is not None else time.time()) >= self.expires_at else "open"


@dataclass(frozen=True)
class Student:
    id: str
    code: str
    number: int
    nickname: str


@dataclass
class RunPost:
    """One run as a student's session posts it (a later post of the same ``run_id`` replaces it)."""

    run_id: str
    kind: str
    arch: str
    task: str
    seq_len: int
    hidden: int
    seed: int
    step: int
    solved_step: int | None
    diverged: bool
    final_loss: float | None
    final_metric: float | None
    metric_name: str
    link: str
    curve_step: list[int] = field(default_factory=list)
    curve_loss: list[float] = field(default_factory=list)
    curve_metric: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """A posted run as the board reads it."""

    id: str
    student_id: str
    nickname: str
    kind: str
    arch: str
    task: str
    seq_len: int
    hidden: int
    seed: int
    step: int
    solved_step: int | None
    diverged: bool
    final_loss: float | None
    final_metric: float | None
    metric_name: str
    link: str
    curve_step: tuple
    curve_loss: tuple
    curve_metric: tuple
    created_at: float
    updated_at: float


# ----- checks ----------------------------------------------------------------------------------------
_CODE_RE = re.compile(rf"[{ALPHABET}]{{{CODE_LENGTH}}}")
_STUDENT_RE = re.compile(r"[0-9a-f]{32}")  # a student id: secrets.token_hex(16)


def normalise_code(raw) -> str | None:
    """A class code as typed or linked (any case, spaces around) in its stored form, or None if it cannot
    be one (wrong length or letters)."""
    if raw is None:
        return None
    code = str(raw).strip().upper()
    return code if _CODE_RE.fullmatch(code) else None


def clean_nickname(raw) -> str:
    """Plain text: control and format characters removed, runs of spaces made one, at most MAX_NICKNAME
    characters. (Shown escaped everywhere: markup in it is shown as typed, never interpreted.)"""
    text = "".join(ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else " " for ch in str(raw or ""))
    return " ".join(text.split())[:MAX_NICKNAME].strip()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _num(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def thin(steps, *series, most: int = MAX_CURVE_POINTS):
    """At most ``most`` points of a curve, evenly spread, the first and the last always kept."""
    n = len(steps)
    if n <= most:
        return [list(steps), *(list(s) for s in series)]
    idx = sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})
    return [[steps[i] for i in idx], *([s[i] for i in idx] for s in series)]


# ----- the store -------------------------------------------------------------------------------------
class Store:
    """The board's database. Thread-safe (one engine, a pool of connections); every method is one
    transaction. ``now`` arguments exist for tests; the default is the wall clock."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        u = sa.make_url(self.url)
        self.sqlite = u.get_backend_name() == "sqlite"
        if self.sqlite:
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})

            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn, _record):
                dbapi_conn.isolation_level = None  # SQLAlchemy's own BEGIN below, not the driver's late one
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the one writer
                cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable when a server process dies
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

            @sa.event.listens_for(self.engine, "begin")
            def _begin(conn):
                # every transaction takes the write lock at its start, so a read-then-write (a student's number,
                # a run's owner) is never overtaken by another process's write in between
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        self.migrate()

    def describe(self) -> str:
        return describe(self.url)

    def close(self) -> None:
        self.engine.dispose()

    # -- schema --
    def version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(schema.name):
                return 0
            v = conn.execute(sa.select(schema.c.version).where(schema.c.id == 1)).scalar()
            return int(v or 0)

    def migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION (one transaction; replicas starting together are serialised by
        a transaction-scoped advisory lock on PostgreSQL). Returns the version. A database newer than this
        code is refused with one line."""
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    if not self.sqlite:
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(7_240_524)))
                    schema.create(conn, checkfirst=True)
                    v = conn.execute(sa.select(schema.c.version).where(schema.c.id == 1)).scalar()
                    if v is None:
                        conn.execute(schema.insert().values(id=1, version=0))
                        v = 0
                    if v > SCHEMA_VERSION:
                        raise BoardError(
                            f"the board's database has schema version {v}, newer than this rnnviz knows ({SCHEMA_VERSION})"
                        )
                    for step in MIGRATIONS[v:]:
                        step(conn)
                    if v < SCHEMA_VERSION:
                        conn.execute(schema.update().where(schema.c.id == 1).values(version=SCHEMA_VERSION))
                return SCHEMA_VERSION
            except (IntegrityError, OperationalError):  # another process created it at the same moment (SQLite)
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return SCHEMA_VERSION

    # -- classes --
    def start_class(self, now: float | None = None) -> tuple[str, str]:
        """A new class: (code, teacher key). The key is shown once to the teacher and stored only hashed."""
        now = time.time() if now is None else now
        key = secrets.token_urlsafe(16)
        for _ in range(20):
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        classes.insert().values(
                            code=code, key_hash=_hash(key), created_at=now, expires_at=now + CLASS_SECONDS, closed_at=None
                        )
                    )
                return code, key
            except IntegrityError:  # that code is taken: draw another
                continue
        raise BoardError("could not find a free class code; try again")

    def _class_row(self, conn, code: str, lock: bool = False):
        """The class's row (lock: held FOR UPDATE until the transaction ends, on PostgreSQL; SQLite writes one
        transaction at a time anyway)."""
        c = normalise_code(code)
        if c is None:
            raise UnknownClass(f"{str(code)[:20]!r} is not a class code (six letters, e.g. KQWMTX)")
        query = sa.select(classes).where(classes.c.code == c)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise UnknownClass(f"there is no class {c} (check the code, or the class was cleared)")
        return row

    def class_info(self, code: str) -> ClassInfo:
        with self.engine.connect() as conn:
            row = self._class_row(conn, code)
            n_students = conn.execute(
                sa.select(sa.func.count())
                .select_from(students)
                .where(students.c.class_code == row.code, students.c.left_at.is_(None))
            ).scalar_one()
            n_runs = conn.execute(sa.select(sa.func.count()).select_from(runs).where(runs.c.class_code == row.code)).scalar_one()
        return ClassInfo(row.code, row.created_at, row.expires_at, row.closed_at, int(n_students), int(n_runs))

    def is_teacher(self, code: str, key: str | None) -> bool:
        """Whether ``key`` is this class's teacher key (compared in constant time)."""
        if not key:
            return False
        try:
            with self.engine.connect() as conn:
                row = self._class_row(conn, code)
        except UnknownClass:
            return False
        return hmac.compare_digest(row.key_hash, _hash(str(key)))

    def _teacher(self, conn, code: str, key: str | None):
        row = self._class_row(conn, code)
        if not key or not hmac.compare_digest(row.key_hash, _hash(str(key))):
            raise NotAllowed("only the teacher's link (with its key) can do that")
        return row

    def close_class(self, code: str, key: str, now: float | None = None) -> None:
        with self.engine.begin() as conn:
            row = self._teacher(conn, code, key)
            conn.execute(classes.update().where(classes.c.code == row.code).values(closed_at=time.time() if now is None else now))

    def renew_class(self, code: str, key: str, now: float | None = None) -> float:
        """Open the class (again) for a day from now; returns the new end."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            row = self._teacher(conn, code, key)
            conn.execute(
                classes.update().where(classes.c.code == row.code).values(expires_at=now + CLASS_SECONDS, closed_at=None)
            )
        return now + CLASS_SECONDS

    def clear_class(self, code: str, key: str) -> int:
        """Delete every posted run of the class (its students stay joined); returns how many."""
        with self.engine.begin() as conn:
            row = self._teacher(conn, code, key)
            return conn.execute(runs.delete().where(runs.c.class_code == row.code)).rowcount

    # -- students --
    def _open_row(self, conn, code: str, now: float, lock: bool = False):
        row = self._class_row(conn, code, lock)
        if row.closed_at is not None:
            raise ClassEnded(f"class {row.code} was closed by its teacher")
        if now >= row.expires_at:
            raise ClassEnded(f"class {row.code} has ended (a class lasts a day unless its teacher renews it)")
        return row

    def join(self, code: str, nickname: str = "", now: float | None = None) -> Student:
        """A new student in an open class; an empty nickname becomes "Student N" (N: the order of joining)."""
        now = time.time() if now is None else now
        for _ in range(5):
            try:
                with self.engine.begin() as conn:  # joins to one class take turns on its row: the count and the number hold
                    row = self._open_row(conn, code, now, lock=True)
                    count = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(students)
                        .where(students.c.class_code == row.code, students.c.left_at.is_(None))
                    ).scalar_one()
                    if count >= MAX_STUDENTS:
                        raise PostCap(f"class {row.code} is full ({MAX_STUDENTS} students)")
                    number = (
                        conn.execute(sa.select(sa.func.max(students.c.number)).where(students.c.class_code == row.code)).scalar()
                        or 0
                    ) + 1
                    nick = clean_nickname(nickname) or f"Student {number}"
                    sid = secrets.token_hex(16)
                    conn.execute(
                        students.insert().values(
                            id=sid, class_code=row.code, number=number, nickname=nick, joined_at=now, left_at=None
                        )
                    )
                return Student(sid, row.code, number, nick)
            except IntegrityError:  # two students took the same number at once: count again
                continue
        raise BoardError("too many students joined at once; try again")

    def _student_row(self, conn, code: str, student_id: str):
        row = conn.execute(
            sa.select(students).where(students.c.id == str(student_id), students.c.class_code == normalise_code(code))
        ).first()
        if row is None or row.left_at is not None:
            raise NotAllowed("you are not in this class (join it again)")
        return row

    def student(self, code: str, student_id: str) -> Student | None:
        """The student with this id in this class, or None if there is none or they left (a reload's ``me=``)."""
        if not isinstance(student_id, str) or not _STUDENT_RE.fullmatch(student_id):
            return None
        with self.engine.connect() as conn:
            try:
                row = self._student_row(conn, code, student_id)
            except NotAllowed:
                return None
        return Student(row.id, row.class_code, row.number, row.nickname)

    def rename(self, code: str, student_id: str, nickname: str) -> str:
        with self.engine.begin() as conn:
            row = self._student_row(conn, code, student_id)
            nick = clean_nickname(nickname) or f"Student {row.number}"
            conn.execute(students.update().where(students.c.id == row.id).values(nickname=nick))
        return nick

    def leave(self, code: str, student_id: str, now: float | None = None) -> None:
        """The student leaves; their posted runs stay on the board."""
        with self.engine.begin() as conn:
            row = self._student_row(conn, code, student_id)
            conn.execute(students.update().where(students.c.id == row.id).values(left_at=time.time() if now is None else now))

    # -- runs --
    def post(self, code: str, student_id: str, run: RunPost, now: float | None = None) -> None:
        """Create or update one of this student's runs. Refused: a class that ended, a student not in it, a
        run that belongs to someone else, or a student's run beyond MAX_RUNS_PER_STUDENT."""
        now = time.time() if now is None else now
        if not run.run_id or len(run.run_id) > 32:
            raise BoardError("a run needs an id of at most 32 characters")
        step, loss, metric = thin(list(run.curve_step), list(run.curve_loss), list(run.curve_metric))
        curve = json.dumps({"step": [int(s) for s in step], "loss": [_num(v) for v in loss], "metric": [_num(v) for v in metric]})
        values = dict(
            kind=str(run.kind)[:16],
            arch=str(run.arch)[:32],
            task=str(run.task)[:32],
            seq_len=int(run.seq_len),
            hidden=int(run.hidden),
            seed=int(run.seed),
            step=int(run.step),
            solved_step=None if run.solved_step is None else int(run.solved_step),
            diverged=bool(run.diverged),
            final_loss=_num(run.final_loss),
            final_metric=_num(run.final_metric),
            metric_name=str(run.metric_name)[:32],
            link=str(run.link)[:1000],
            curve=curve,
            updated_at=now,
        )
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    cls = self._open_row(conn, code, now)
                    me = self._student_row(conn, cls.code, student_id)
                    have = conn.execute(sa.select(runs.c.student_id, runs.c.posts).where(runs.c.id == run.run_id)).first()
                    if have is not None:
                        if have.student_id != me.id:
                            raise NotAllowed("that run belongs to another student")
                        conn.execute(runs.update().where(runs.c.id == run.run_id).values(**values, posts=have.posts + 1))
                        return
                    mine = conn.execute(
                        sa.select(sa.func.count()).select_from(runs).where(runs.c.student_id == me.id)
                    ).scalar_one()
                    if mine >= MAX_RUNS_PER_STUDENT:
                        raise PostCap(f"a student posts at most {MAX_RUNS_PER_STUDENT} runs to a class")
                    conn.execute(
                        runs.insert().values(
                            id=run.run_id, class_code=cls.code, student_id=me.id, created_at=now, posts=1, **values
                        )
                    )
                    return
            except IntegrityError:  # the same new run posted twice at once: the second becomes an update
                continue
        raise BoardError("the run could not be posted; it will be tried again")

    def stamp(self, code: str) -> tuple[int, float]:
        """(number of runs, latest change) of a class: cheap, and it changes whenever its board does."""
        with self.engine.connect() as conn:
            n, last = conn.execute(
                sa.select(sa.func.count(), sa.func.max(runs.c.updated_at)).where(runs.c.class_code == normalise_code(code))
            ).one()
        return int(n), float(last or 0.0)

    def runs(self, code: str) -> list[Run]:
        """Every run posted to the class, oldest first, with its student's nickname."""
        with self.engine.connect() as conn:
            cls = self._class_row(conn, code)
            rows = conn.execute(
                sa.select(runs, students.c.nickname)
                .join(students, students.c.id == runs.c.student_id)
                .where(runs.c.class_code == cls.code)
                .order_by(runs.c.created_at, runs.c.id)
            ).all()
        out = []
        for r in rows:
            try:
                c = json.loads(r.curve)
            except ValueError:
                c = {}
            out.append(
                Run(
                    r.id,
                    r.student_id,
                    r.nickname,
                    r.kind,
                    r.arch,
                    r.task,
                    r.seq_len,
                    r.hidden,
                    r.seed,
                    r.step,
                    r.solved_step,
                    bool(r.diverged),
                    r.final_loss,
                    r.final_metric,
                    r.metric_name,
                    r.link,
                    tuple(c.get("step", ())),
                    tuple(c.get("loss", ())),
                    tuple(c.get("metric", ())),
                    r.created_at,
                    r.updated_at,
                )
            )
        return out


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def store(url: str | None = None) -> Store:
    """The process's store for ``url`` (default: RNNVIZ_DATABASE_URL or the SQLite file), opened and
    migrated once."""
    u = database_url(url)
    with _STORES_LOCK:
        if u not in _STORES:
            _STORES[u] = Store(u)
        return _STORES[u]
