"""The class board's glue: which class this browser session is in (as a student or its teacher), the
``class=CODE`` every link keeps, the poster that sends a student's runs to the board in the background, and
the board itself (the Class page).

Posting never slows training or the page: the Train page only says "this run is trained here" when Start or
Step is pressed (:func:`trained_here`); one thread per server process (:data:`POSTER`) looks at the sessions it
was told about once a second and, for a run whose step moved, posts its held-out curve and scores at most
every :data:`POST_SECONDS`. A post that fails (the database is away) is tried again later, with the run as it
is then; the student is never shown an error for it. A class that ended, a student who left or a run cap
stops the posting, and the Class page says so in a calm line.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ..board import store as bs
from ..board.summary import csv_text, groups
from ..models import COMPARE_ARCHS as RACE_ARCHS
from ..plots.board import NAMES, arch_order, curve_owner, curves_figure, solve_figure
from ..plots.qr import qr_svg
from ..tasks import get_task

log = logging.getLogger("rnnviz.board")

CODE = "rv_class"  # the class code this browser session is in (a student's or the teacher's)
STUDENT = "rv_class_student"  # a store.Student once joined
TEACHER = "rv_class_key"  # the teacher key (the Class page's link field "key")
ME = "me"  # the link parameter of a student's place in the class (their own address bar only)
JOINS = "rv_class_joins"  # joins made by this browser session (capped: MAX_JOINS)
POST_SECONDS = 3.0  # at most one post per run this often
BOARD_SECONDS = 5.0  # the board redraws this often
MAX_JOINS = 5  # a browser session joins at most this many times (leave and join again included)


# ----- the database --------------------------------------------------------------------------------
def db() -> bs.Store | None:
    """The process's store, or None if it cannot be opened (logged; the pages go on without a board)."""
    try:
        return bs.store()
    except Exception:
        log.exception("the class board's database cannot be opened")
        return None


# ----- this browser session's class ----------------------------------------------------------------
def code() -> str | None:
    return st.session_state.get(CODE)


def student() -> bs.Student | None:
    s = st.session_state.get(STUDENT)
    return s if s is not None and s.code == code() else None


def link_extras() -> dict[str, str]:
    """``class=CODE`` while this session is in a class: kept in every link the app writes."""
    c = code()
    return {"class": c} if c else {}


def read_link() -> list[str]:
    """On a session's first page: take the class from the link (``?class=CODE``). Junk or an unknown code is
    dropped with one note; a teacher key that does not open the class is dropped with one note."""
    ss = st.session_state
    notes: list[str] = []
    if "rv_class_read" not in ss:
        ss["rv_class_read"] = True
        raw = st.query_params.get("class")
        if raw is not None and raw != "":
            c = bs.normalise_code(raw)
            store = db()
            if c is None:
                notes.append(f"Link parameter class={str(raw)[:20]!r} is not a class code (six letters); ignored.")
            elif store is None:
                notes.append("The class board cannot be reached right now; this page works without it.")
            else:
                try:
                    store.class_info(c)
                    ss[CODE] = c
                except bs.UnknownClass:
                    notes.append(f"There is no class {c} (check the code with your teacher); the link's class was ignored.")
                else:
                    notes += _rejoin(store, c, st.query_params.get(ME))
    key = ss.get(TEACHER)
    if key and ss.get("rv_class_key_checked") != (code(), key):
        store = db()
        if code() and store is not None and store.is_teacher(code(), key):
            ss["rv_class_key_checked"] = (code(), key)
        else:
            ss[TEACHER] = ""
            notes.append("This link's teacher key does not open its class; it was ignored.")
    return notes


def _rejoin(store: bs.Store, c: str, me: str | None) -> list[str]:
    """A reload (or the student's own address bar reopened): ``me=`` in the link puts this browser session back in
    the class as the student it was, with the same nickname and runs. A ``me`` that is not a student of the class
    (a typo, or they left) is dropped with one note."""
    if not me:
        return []
    found = store.student(c, me)
    if found is None:
        return [f"This link's student place is not in class {c} (or that student left); join again on the Class page."]
    st.session_state[STUDENT] = found
    return []


def address_extras() -> dict[str, str]:
    """What this browser's own address bar keeps beyond :func:`link_extras`: a student's place in the class
    (``me=``, their secret student id), so a reload keeps them as the same student. Share links and QR codes
    never carry it: whoever opens those joins as themselves."""
    me = student()
    return {ME: me.id} if me is not None and not is_teacher() else {}


def is_teacher() -> bool:
    ss = st.session_state
    return bool(code() and ss.get(TEACHER) and ss.get("rv_class_key_checked") == (code(), ss.get(TEACHER)))


def sidebar_note() -> None:
    """One line in the sidebar while this session is in a class."""
    c = code()
    if not c:
        return
    me = student()
    if is_teacher():
        st.sidebar.caption(f"Class **{c}**: you are its teacher. The board is on the Class page.")
    elif me is not None:
        st.sidebar.caption(f"Class **{c}**: you are {escape(me.nickname)}; your runs on Train and Compare go to its board.")
    else:
        st.sidebar.caption(f"Class **{c}**: join it on the Class page to post your runs.")


def escape(text: str) -> str:
    """Text shown in markdown as the plain text it is (no markup, no links, no HTML): a nickname, or an input's
    symbol in a caption (the copy task's blank "_" would open italics)."""
    out = []
    for ch in str(text):
        if ch in "\\`*_{}[]()<>#+-.!|~$&":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


# ----- posting -------------------------------------------------------------------------------------
@dataclass
class _Watch:
    session: weakref.ref
    code: str
    student_id: str
    runs: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)  # trainer -> run id
    posted: dict = field(default_factory=dict)  # run id -> (step, solved, diverged, time)
    retry_at: float = 0.0
    failures: int = 0
    stopped: str = ""  # why posting stopped (class ended, left, cap), in words


class Poster:
    """One thread per server process that posts the runs of the sessions it watches (see the module's doc)."""

    def __init__(self, post_seconds: float = POST_SECONDS, thread: bool = True):
        self.post_seconds = post_seconds
        self.thread = thread  # False: only tick() posts (tests)
        self._lock = threading.Lock()
        self._watches: dict[tuple, _Watch] = {}  # (id of the session or race, student id) -> its watch
        self._thread: threading.Thread | None = None
        self.posts = 0  # made by this process (the benchmark and tests read them)
        self.post_seconds_spent = 0.0

    def watch(self, session, code: str, student_id: str) -> _Watch:
        """Post this source's runs to the class as this student from now on: for a TrainingSession, each trainer
        it is given (:meth:`trained`) becomes one run on the board; for a Compare race, every racer does."""
        with self._lock:
            k = (id(session), student_id)  # a race shared by classmates is watched once for each of them
            w = self._watches.get(k)
            if w is None or w.session() is not session or w.code != code:
                w = _Watch(weakref.ref(session), code, student_id)
                self._watches[k] = w
            if self.thread and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._loop, name="rnnviz-board-poster", daemon=True)
                self._thread.start()
            return w

    def unwatch(self, session) -> None:
        with self._lock:
            for k in [k for k in self._watches if k[0] == id(session)]:
                del self._watches[k]

    def status(self, session, student_id: str | None = None) -> str:
        """Why posting this session's runs stopped ("" while it goes on)."""
        with self._lock:
            w = self._watches.get((id(session), student_id))
            return w.stopped if w is not None and w.session() is session else ""

    def trained(self, session, trainer, student_id: str, kind: str = "train") -> None:
        """This trainer of the session is trained here (Start or Step was pressed): post it."""
        with self._lock:
            w = self._watches.get((id(session), student_id))
            if w is not None and trainer not in w.runs:
                w.runs[trainer] = (secrets.token_hex(16), kind)

    def _loop(self) -> None:
        while True:
            time.sleep(1.0)
            try:
                self.tick()
            except Exception:  # never let the thread die: the next tick tries again
                log.exception("class board poster")

    def tick(self, now: float | None = None) -> int:
        """Post every watched run whose step moved since its last post (at most every post_seconds); returns
        how many were posted. Called by the thread once a second, and by tests."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for k in [k for k, w in self._watches.items() if w.session() is None]:
                del self._watches[k]
            watches = list(self._watches.values())
        store = None
        done = 0
        for w in watches:
            s = w.session()
            if s is None or w.stopped or now < w.retry_at:
                continue
            for post, seen in self._due(w, s, now):
                store = store or db()
                if store is None:
                    w.failures += 1
                    w.retry_at = now + min(30.0, 2.0**w.failures)
                    break
                began = time.perf_counter()
                try:
                    store.post(w.code, w.student_id, post)
                except (bs.ClassEnded, bs.NotAllowed, bs.PostCap, bs.UnknownClass) as e:
                    w.stopped = str(e)
                    break
                except Exception:  # the database is away: try again later with the run as it is then
                    log.warning("class board: a post failed; it will be tried again", exc_info=True)
                    w.failures += 1
                    w.retry_at = now + min(30.0, 2.0**w.failures)
                    break
                self.post_seconds_spent += time.perf_counter() - began
                self.posts += 1
                done += 1
                w.failures = 0
                w.posted[post.run_id] = (*seen, now)
        return done

    def _due(self, w: _Watch, s, now: float):
        """(RunPost, what it showed) for each of the source's runs that moved since its last post: the session's
        current model (Train), or every model of a race (Compare)."""
        race = hasattr(s, "racers")
        if race:
            with s.lock:
                for r in s.racers:
                    if r.trainer not in w.runs:
                        w.runs[r.trainer] = (secrets.token_hex(16), "race")
                pairs = [(r.trainer, r.arch) for r in s.racers]
        else:
            pairs = [(s.trainer, s.settings.arch)]
        for trainer, arch in pairs:
            if trainer not in w.runs:  # a model of the session not trained since it joined: not posted
                continue
            run_id, kind = w.runs[trainer]
            with s.lock:
                step = trainer.step
                if step == 0:
                    continue
                seen = (step, trainer.solved_at, str(trainer.status))
                last = w.posted.get(run_id)
                if last is not None and (last[:3] == seen or now - last[3] < self.post_seconds):
                    continue
                h = trainer.history
                hs, hl, hm = list(h.heldout_step), list(h.heldout_loss), list(h.heldout_metric)
                settings, task = s.settings, trainer.task
                diverged = str(trainer.status) == "diverged"
                if race:
                    archs = {r.arch for r in s.racers}
                    budget = s.racers[0].budget
            if race:  # the Compare page's own link to this race (its models, task, length and budget; cmp_run)
                q = {k: v for k, v in settings.query().items() if k not in ("task", "seq_len")}
                q |= {"cmp_task": settings.task, "cmp_len": str(settings.seq_len), "cmp_budget": str(budget)}
                q |= {f"cmp_{a}": "false" for a in RACE_ARCHS if a not in archs}
                link = "Compare?" + urlencode(q | {"cmp_run": "true"})
            else:
                link = "Train?" + urlencode({**settings.query(), "step": str(step)})
            yield (
                bs.RunPost(
                    run_id=run_id,
                    kind=kind,
                    arch=arch,
                    task=settings.task,
                    seq_len=settings.seq_len,
                    hidden=settings.hidden,
                    seed=settings.seed,
                    step=step,
                    solved_step=trainer.solved_at,
                    diverged=diverged,
                    final_loss=hl[-1] if hl else None,
                    final_metric=hm[-1] if hm else None,
                    metric_name=task.metric_name,
                    link=link,
                    curve_step=hs,
                    curve_loss=hl,
                    curve_metric=hm,
                ),
                seen,
            )


POSTER = Poster()


def trained_here(session) -> None:
    """The Train page's Start and Step: while this browser session is in a class as a student, the session's
    current model is posted to the board as one run (in the background, see :class:`Poster`)."""
    me, c = student(), code()
    if me is None or not c:
        return
    POSTER.watch(session, c, me.id)
    POSTER.trained(session, session.trainer, me.id)


def race_here(race) -> None:
    """The Compare page's "Start the race": while this browser session is in a class as a student, every model
    of the race is posted to the board as one run (a race shared with classmates is posted by each of them)."""
    me, c = student(), code()
    if me is None or not c or race is None:
        return
    POSTER.watch(race, c, me.id)


# ----- the board ------------------------------------------------------------------------------------
_BOARD: OrderedDict = OrderedDict()  # (code, stamp) -> runs, shared by every viewer of a class in this process
_BOARD_LOCK = threading.Lock()


def board_runs(store: bs.Store, c: str) -> list[bs.Run]:
    """The class's runs, read again only when something was posted (a cheap stamp query first): thirty
    viewers of one board read it once per change."""
    stamp = store.stamp(c)
    with _BOARD_LOCK:
        got = _BOARD.get((c, stamp))
        if got is not None:
            return got
    runs = store.runs(c)
    with _BOARD_LOCK:
        _BOARD[(c, stamp)] = runs
        while len(_BOARD) > 32:
            _BOARD.popitem(last=False)
    return runs


def app_url(page: str = "") -> str:
    """This app's address with ``page`` (e.g. "Class") in place of the page shown now."""
    url = (st.context.url or "").split("?")[0]
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url.rstrip("/")
    return f"{base}/{page}" if page else base + "/"


def student_link(c: str) -> str:
    return app_url("Class") + "?" + urlencode({"class": c})


def teacher_link(c: str, key: str) -> str:
    return app_url("Class") + "?" + urlencode({"class": c, "key": key})


def run_link(run: bs.Run, c: str) -> str:
    extra = {"class": c}
    if st.session_state.get("present"):
        extra["present"] = "1"
    return app_url("") + run.link + "&" + urlencode(extra)


def ended_words(info: bs.ClassInfo) -> str:
    if info.state() == "closed":
        return f"Class {info.code} is closed: nothing more can be joined or posted (its teacher can open it again)."
    if info.state() == "expired":
        return f"Class {info.code} has ended (a class lasts a day unless its teacher renews it). Its board can still be read."
    left = max(0.0, info.expires_at - time.time())
    return f"Open for another {left / 3600:.0f} h {left % 3600 / 60:.0f} min (a class lasts a day unless renewed)."


def draw_board(c: str, teacher: bool) -> None:
    """The board: counts, the curves, steps to solve, a summary per model and length, every run in a table."""
    store = db()
    if store is None:
        st.info("The class board cannot be reached right now; it will be back when the database is.", icon=":material/cloud_off:")
        return
    try:
        info = store.class_info(c)
        runs = board_runs(store, c)
    except bs.UnknownClass as e:
        st.warning(f"{str(e)[0].upper()}{str(e)[1:]}.", icon=":material/groups:")
        return
    except Exception:
        log.warning("class board: reading the board failed", exc_info=True)
        st.info("The class board cannot be read right now; trying again in a few seconds.", icon=":material/cloud_off:")
        return
    m1, m2, m3 = st.columns(3)
    m1.metric("students", f"{info.students}")
    m2.metric("runs posted", f"{len(runs)}")
    m3.metric("solved", f"{sum(r.solved_step is not None for r in runs)}")
    st.caption(ended_words(info))
    if not runs:
        st.markdown(
            "No runs yet. Each student trains on **Train** (or races on **Compare**); their held-out curves appear "
            "here a few seconds after they press Start."
        )
        return
    tasks = sorted({r.task for r in runs}, key=lambda t: (-sum(r.task == t for r in runs), t))
    task_name = tasks[0]
    if len(tasks) > 1:
        task_name = (
            st.segmented_control("Task", tasks, default=tasks[0], key="rv_board_task", format_func=lambda t: get_task(t).title)
            or tasks[0]
        )
    shown = [r for r in runs if r.task == task_name]
    lengths = sorted({r.seq_len for r in shown})
    if len(lengths) > 1:
        pick = st.segmented_control(
            "Sequence length",
            ["all", *lengths],
            default="all",
            key="rv_board_len",
            format_func=lambda T: "all" if T == "all" else f"T={T}",
        )
        if pick not in (None, "all"):
            shown = [r for r in shown if r.seq_len == pick]
    task = get_task(task_name)
    loss_name = "cross-entropy, nats" if task.loss == "ce" else "mean squared error"
    stamp = (c, store.stamp(c), task_name, tuple(sorted({r.seq_len for r in shown})))
    figs = _figures(stamp, shown, task, loss_name)
    event = st.plotly_chart(
        figs[0], key="rv_board_curves", config={"displaylogo": False}, on_select="rerun", selection_mode="points"
    )
    picked = _picked_run(event, shown)
    if picked is not None:
        st.markdown(
            f"**{escape(picked.nickname)}**, seed {picked.seed}: {NAMES.get(picked.arch, picked.arch)} at "
            f"T={picked.seq_len}, {picked.step:,} steps"
            + (f", solved at step {picked.solved_step:,}" if picked.solved_step is not None else ", not solved (yet)")
            + f". [Open this run]({run_link(picked, c)})"
        )
    st.caption(
        "Every student's run as a line: the loss on a fixed held-out batch the model never trains on, against the "
        "training step; one colour per architecture. Below the green dotted line the task counts as solved; on the "
        "grey dashed line a model has learnt nothing an input-blind guess could not. Hover a line for its student and "
        "seed; click it for a link that opens that run."
    )
    gs = groups(shown)
    cols = st.columns(min(len(gs), 4))
    for i, g in enumerate(sorted(gs, key=lambda g: (g.seq_len, arch_order(g.arch)))[:8]):
        cols[i % len(cols)].metric(
            f"{NAMES.get(g.arch, g.arch)} at T={g.seq_len}",
            f"{g.solved} of {g.runs} solved",
            help=f"Steps to solve: {g.spread()}. Seeds among these runs: {g.seeds}.",
        )
    st.plotly_chart(figs[1], key="rv_board_solve", config={"displaylogo": False})
    st.caption(
        "One dot per run: the step at which it was solved. How far the dots of one model spread is how much the "
        "seed (and each student's other choices) matters; hollow dots at the top have not solved it (yet)."
    )
    summary = pd.DataFrame(
        [
            {
                "model": NAMES.get(g.arch, g.arch),
                "T": g.seq_len,
                "runs": g.runs,
                "seeds": g.seeds,
                "solved": f"{g.solved} of {g.runs} ({g.fraction:.0%})",
                "steps to solve": g.spread(),
                "diverged": g.diverged,
            }
            for g in gs
        ]
    )
    st.dataframe(summary, hide_index=True, width="stretch")
    table = pd.DataFrame(
        [
            {
                "student": r.nickname,
                "model": NAMES.get(r.arch, r.arch),
                "T": r.seq_len,
                "hidden": r.hidden,
                "seed": r.seed,
                "steps": r.step,
                "solved at": r.solved_step,
                "held-out loss": r.final_loss,
                f"held-out {task.metric_name}": r.final_metric,
                "open": run_link(r, c),
            }
            for r in sorted(shown, key=lambda r: (arch_order(r.arch), r.seq_len, _natural(r.nickname), r.seed))
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "open": st.column_config.LinkColumn(
                "open this run", display_text="open", help="The same settings, seed and steps on the Train page"
            ),
            "held-out loss": st.column_config.NumberColumn(format="%.4g"),
            f"held-out {task.metric_name}": st.column_config.NumberColumn(format="%.4g"),
        },
    )
    st.caption(
        "“open” rebuilds that run on the Train page from its link: the same settings and seed, trained for the same "
        "steps (at once if this server still has it, otherwise trained again: training is deterministic)."
    )
    if teacher:
        st.download_button(
            "Download every run (CSV)",
            data=lambda: csv_text(store.runs(c)).encode(),
            file_name=f"rnnviz-class-{c}.csv",
            mime="text/csv",
            key="rv_board_csv",
            icon=":material/download:",
            on_click="ignore",
            help="One row per run: nickname, model, task, length, hidden units, seed, steps, solved step, diverged, "
            "final held-out loss and metric, and the run's link.",
        )


def _picked_run(event, shown: list[bs.Run]) -> bs.Run | None:
    """The run whose line was clicked on the curves chart (the last point picked), or None."""
    try:
        points = event.selection.points if event is not None else []
    except AttributeError:
        return None
    for p in reversed(list(points or [])):
        i = curve_owner(
            [dict(arch=r.arch, step=r.curve_step) for r in shown], p.get("curve_number", -1), p.get("point_index", -1)
        )
        if i is not None:
            return shown[i]
    return None


def _natural(text: str) -> tuple:
    """Sort "Student 2" before "Student 10"."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


_FIGS: OrderedDict = OrderedDict()
_FIGS_LOCK = threading.Lock()


def _figures(stamp, shown: list[bs.Run], task, loss_name: str) -> tuple:
    """The board's two figures, built once per change of the board in this process (every viewer shares them)."""
    with _FIGS_LOCK:
        if stamp in _FIGS:
            return _FIGS[stamp]
    curves = [
        dict(arch=r.arch, nickname=r.nickname, seed=r.seed, step=r.curve_step, loss=r.curve_loss, solved_step=r.solved_step)
        for r in shown
    ]
    figs = (
        curves_figure(curves, task.baseline_loss, task.solved_loss, loss_name, f"Held-out loss of every run: {task.title}"),
        solve_figure(
            [
                dict(arch=r.arch, seq_len=r.seq_len, nickname=r.nickname, seed=r.seed, step=r.step, solved_step=r.solved_step)
                for r in shown
            ],
            "Steps to solve, one dot per run",
        ),
    )
    with _FIGS_LOCK:
        _FIGS[stamp] = figs
        while len(_FIGS) > 16:
            _FIGS.popitem(last=False)
    return figs


def qr(url: str) -> None:
    try:
        svg = qr_svg(url, "M" if len(url) <= 213 else "L", module=6)
    except ValueError:
        st.caption("This link is too long for a QR code; share it as text.")
        return
    st.image(svg, width=260)


# ----- the Class page -------------------------------------------------------------------------------
def _say(text: str) -> None:
    st.session_state["rv_class_msg"] = text


def _start() -> None:
    store = db()
    if store is None:
        _say("The class board's database cannot be reached; no class was started.")
        return
    c, key = store.start_class()
    ss = st.session_state
    ss[CODE], ss[TEACHER], ss["rv_class_key_checked"], ss[STUDENT] = c, key, (c, key), None


def _join(session) -> None:
    ss = st.session_state
    raw = ss.get("rv_class_code_in") if not code() else code()
    c = bs.normalise_code(raw)
    if c is None:
        _say(f"{str(raw or '')[:20]!r} is not a class code: six letters, as your teacher shows them.")
        return
    if ss.get(JOINS, 0) >= MAX_JOINS:
        _say(f"This browser has joined {MAX_JOINS} times already; reload the page to join again.")
        return
    store = db()
    if store is None:
        _say("The class board cannot be reached right now; try again in a moment.")
        return
    try:
        me = store.join(c, ss.get("rv_class_nick_in", ""))
    except bs.BoardError as e:
        _say(f"{str(e)[0].upper()}{str(e)[1:]}.")
        return
    ss[JOINS] = ss.get(JOINS, 0) + 1
    ss[CODE], ss[STUDENT] = c, me
    POSTER.unwatch(session)


def _rename() -> None:
    ss, me, store = st.session_state, student(), db()
    if me is None or store is None:
        return
    try:
        nick = store.rename(me.code, me.id, ss.get("rv_class_rename_in", ""))
    except bs.BoardError as e:
        _say(f"{str(e)[0].upper()}{str(e)[1:]}.")
        return
    ss[STUDENT] = bs.Student(me.id, me.code, me.number, nick)


def _leave(session) -> None:
    ss, me, store = st.session_state, student(), db()
    if me is not None and store is not None:
        try:
            store.leave(me.code, me.id)
        except bs.BoardError:
            pass
    POSTER.unwatch(session)
    ss[CODE], ss[STUDENT], ss[TEACHER] = None, None, ""


def _teacher_action(what: str) -> None:
    ss, store = st.session_state, db()
    if store is None:
        _say("The class board's database cannot be reached; nothing was changed.")
        return
    try:
        if what == "close":
            store.close_class(code(), ss.get(TEACHER))
            _say(f"Class {code()} is closed: no one can join or post until you open it again.")
        elif what == "renew":
            store.renew_class(code(), ss.get(TEACHER))
            _say(f"Class {code()} is open for another 24 hours.")
        elif what == "clear":
            if not ss.get("rv_class_clear_sure"):
                _say("Tick “Yes, delete every run” first.")
                return
            n = store.clear_class(code(), ss.get(TEACHER))
            ss["rv_class_clear_sure"] = False
            _say(f"Deleted {n} run{'s' if n != 1 else ''} from the board; the students stay joined.")
    except bs.BoardError as e:
        _say(f"{str(e)[0].upper()}{str(e)[1:]}.")


def page_body(session) -> None:
    """The Class page: start or join a class, the teacher's links and controls or the student's name, and the board."""
    ss = st.session_state
    msg = ss.pop("rv_class_msg", None)
    if msg:
        st.info(msg, icon=":material/groups:")
    c = code()
    if not c:
        st.markdown(
            "A whole class runs one experiment: every student trains on **Train** (or races on **Compare**) with a "
            "seed of their own, and this page shows every run on one board: all the held-out curves, how many "
            "solved the task and how long it took, and how much the seed matters. The board is kept in a database, "
            "so it survives a server restart."
        )
        a, b = st.columns(2)
        with a:
            st.markdown("#### Teacher")
            st.button("Start a class", icon=":material/add_circle:", type="primary", key="rv_class_start", on_click=_start)
            st.caption("You get a code and a link (with a QR code) for your students, and a private teacher link.")
        with b:
            st.markdown("#### Student")
            st.text_input("Class code", key="rv_class_code_in", max_chars=12, placeholder="six letters, e.g. KQWMTX")
            st.text_input("Nickname (optional)", key="rv_class_nick_in", max_chars=bs.MAX_NICKNAME, placeholder="e.g. Ada")
            st.button("Join", icon=":material/login:", key="rv_class_join", on_click=_join, args=(session,))
        return
    me = student()
    if is_teacher():
        st.markdown(f"## Class {c}")
        left, right = st.columns([2, 1])
        with left:
            st.markdown("**Students join with this link** (or the QR code): it opens this page, where they pick a nickname.")
            st.code(student_link(c), language=None, wrap_lines=True)
            with st.expander("Your teacher link (keep it to yourself: it can close and clear the class)"):
                st.code(teacher_link(c, ss.get(TEACHER)), language=None, wrap_lines=True)
                st.caption("Open it on the projector's computer, or after a restart, to come back as the teacher.")
            b1, b2, b3 = st.columns(3)
            b1.button(
                "Renew for a day", key="rv_class_renew", icon=":material/update:", on_click=_teacher_action, args=("renew",)
            )
            b2.button("Close the class", key="rv_class_close", icon=":material/lock:", on_click=_teacher_action, args=("close",))
            b3.button(
                "Clear every run", key="rv_class_clear", icon=":material/delete_sweep:", on_click=_teacher_action, args=("clear",)
            )
            st.checkbox("Yes, delete every run", key="rv_class_clear_sure", help="Clearing cannot be undone.")
        with right:
            qr(student_link(c))
    elif me is not None:
        st.markdown(
            f"You are **{escape(me.nickname)}** in class **{c}**. Each run you train on **Train** (and each race on "
            "**Compare**) goes to the board below, a few seconds at a time, while you work."
        )
        st.caption(
            "Your address bar keeps your place in the class: after a reload you are still "
            f"{escape(me.nickname)}. To show a run to someone, send the share link from the sidebar, not the "
            "address bar (whoever opens your address bar posts as you)."
        )
        stopped = POSTER.status(session, me.id)
        if stopped:
            st.info(f"Your runs are no longer posted: {stopped}.", icon=":material/pause_circle:")
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        a.text_input("Change your nickname", key="rv_class_rename_in", max_chars=bs.MAX_NICKNAME, placeholder=me.nickname)
        b.button("Change", key="rv_class_rename", on_click=_rename)
        st.button("Leave the class", key="rv_class_leave", icon=":material/logout:", on_click=_leave, args=(session,))
    else:
        st.markdown(f"## Join class {c}")
        st.markdown("Pick a nickname the class will see beside your runs (or leave it empty to be “Student N”).")
        st.text_input("Nickname (optional)", key="rv_class_nick_in", max_chars=bs.MAX_NICKNAME, placeholder="e.g. Ada")
        a, b = st.columns([1, 3])
        a.button("Join", icon=":material/login:", type="primary", key="rv_class_join", on_click=_join, args=(session,))
        b.button("Not now", key="rv_class_leave", on_click=_leave, args=(session,))
    st.divider()
    st.markdown("### The board")
    teacher = is_teacher()

    @st.fragment(run_every=BOARD_SECONDS)
    def live():
        draw_board(c, teacher)

    live()
