"""A seeded random walk through the whole app, as a restless class would take it.

Hundreds of actions across every page: switch page, set any widget (sidebar or page) to a random
legal value, press any enabled button (Start, Step, Pause, Reset, the presets, the choice after a
change...), and now and then open a new session from a junk link. After every action: no exception,
no warning except the notes on a junk link's first page, and no claim computed from inf or NaN.

Sizes are drawn from the small end of their ranges (hidden units, length, batch) so that 500
actions fit in about a minute; every other value is drawn from its whole range.
"""

import os
import random

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.models import COMPARE_ARCHS
from rnnviz.settings import FIELDS
from rnnviz.tasks import TASKS
from rnnviz.ui import PAGES as NAV

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGES = [p[0] for p in NAV]  # every page in the navigation, the application pages included
CORE = {
    "app.py",
    "pages/1_Train.py",
    "pages/2_Hidden_states.py",
    "pages/3_Gates.py",
    "pages/4_Unrolled.py",
    "pages/5_Gradients.py",
}
# The application pages train models of their own (seconds to minutes): the walk visits them less often
# and does not press the buttons that start such a training, so 500 actions still take about a minute.
WEIGHTS = [1.0 if p in CORE else 0.25 for p in PAGES]
HEAVY = {
    "rv_cmp_start",
    "rv_cmp_cell_go",
    "rv_cmp_time",
    "tx_train",
    "tr_train",
    "fc_go",
    "fc_walk_go",
    "mu_train",
    "so_train",
    "dg_train",
    "ch_train",
}


def pick_page(rng):
    return rng.choices(PAGES, WEIGHTS)[0]


SMALL = {
    "hidden": range(2, 17),
    "seq_len": range(2, 31),
    "layers": range(1, 3),
    "batch": (8, 16, 32),
    "u_tiny_h": (2, 3),
    "gr_cmp_steps": (0, 100),
    "rv_cap_w": (500, 1000),
}
JUNK = [
    {"seq_len": "abc"},
    {"arch": "transformer", "hidden": "100000"},
    {"bogus": "1", "lr": "-3"},
    {"scale": "banana", "clip": "maybe"},
    {"task": "copy", "seq_len": "5"},
    {"step": "lots"},
    {"hidden": ["4", "8"], "layers": "0"},
    {"step": "20", "hidden": "4", "seq_len": "6"},
]
FALSE_CLAIMS = ("10^inf", "inf-fold", "10^nan", "nan-fold")


def new_session(rng, query=None):
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.session_state["hidden"] = rng.choice(range(2, 9))
    at.session_state["seq_len"] = rng.choice(range(6, 21))
    at.switch_page(pick_page(rng))
    at.run()
    return at


def widgets(at):
    """Every widget on the page with a key, as (element, kind)."""
    out = []
    for kind in ("selectbox", "slider", "select_slider", "toggle", "number_input", "radio"):
        for w in at.get(kind):
            if getattr(w, "key", None) and not getattr(w, "disabled", False):
                out.append((w, kind))
    return out


def random_value(rng, w, kind):
    key = w.key
    if key in SMALL:
        options = SMALL[key]
        if kind == "slider":
            lo, hi = w.min, w.max
            options = [v for v in options if lo <= v <= hi] or [lo]
        return rng.choice(list(options))
    if kind == "toggle":
        return not w.value
    if kind in ("selectbox", "radio"):
        return rng.choice([_raw(w, o) for o in w.options]) if kind == "radio" else rng.choice(_selectbox_values(w))
    if kind == "select_slider":
        return rng.choice(_select_slider_values(w))
    if kind == "number_input":
        return rng.randint(int(w.min), min(int(w.max), 50))
    if kind == "slider":
        v = w.value
        if isinstance(v, tuple):
            a = rng.randint(w.min, w.max)
            return (a, rng.randint(a, w.max))
        if isinstance(v, float):
            return round(rng.uniform(w.min, w.max) / w.step) * w.step
        return rng.randint(w.min, w.max)
    raise AssertionError(kind)


FIELD = {f.name: f for f in FIELDS}


KNOWN = {o for f in FIELDS if f.options for o in f.options} | set(TASKS) | set(COMPARE_ARCHS)


def _raw(w, shown):
    """The value behind an option as the page shows it: a page's own widgets format their options
    (\"1,000 steps\", a task's title), and AppTest wants the value, not the text."""
    candidates = [shown, None, *KNOWN]
    digits = shown.replace(",", "").split(" ")[0] if isinstance(shown, str) else shown
    for cast in (int, float):
        try:
            candidates.insert(0, cast(digits))
        except (TypeError, ValueError):
            pass
    for c in candidates:
        try:
            if str(w.format_func(c)) == str(shown):
                return c
        except Exception:  # a format_func that does not take this kind of value
            continue
    return shown


def _selectbox_values(w):
    f = FIELD.get(w.key)
    return list(f.options) if f else [_raw(w, o) for o in w.options]


def _select_slider_values(w):
    f = FIELD.get(w.key)
    if f:
        return list(f.options)
    return [_raw(w, o) for o in w.options]


def set_widget(at, w, kind, value):
    if kind == "selectbox" and w.key in FIELD:
        w.set_value(value)
    elif kind == "radio":
        w.set_value(value)
    elif kind == "select_slider" and w.key in FIELD:
        w.set_value(value)
    else:
        w.set_value(value)
    at.run()


BUSY = ("This server was busy while measuring", "The machine was busy while this file was made")


def check(at, step, action, allow_warnings=False):
    where = f"action {step}: {action}"
    assert not at.exception, (where, [e.value for e in at.exception])
    if not allow_warnings:  # a timing taken on a busy machine says so (rnnviz.compare.timing): true, and not the walk's fault
        warnings = [w.value for w in at.warning if not str(w.value).startswith(BUSY)]
        assert not warnings, (where, warnings)
    words = " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.error, *at.success])
    assert not any(c in words for c in FALSE_CLAIMS), (where, words[:400])


SEED = int(os.environ.get("RNNVIZ_WALK_SEED", 0))  # another seed walks another path
ACTIONS = int(os.environ.get("RNNVIZ_WALK", 500))


@pytest.mark.parametrize("seed", [SEED])
def test_random_walk(seed, actions=ACTIONS):
    rng = random.Random(seed)
    at = new_session(rng)
    check(at, 0, "open")
    log = []
    for i in range(1, actions + 1):
        r = rng.random()
        if r < 0.03:
            query = rng.choice(JUNK)
            at = new_session(rng, query)
            log.append(f"new session {query}")
            check(at, i, log[-1], allow_warnings=True)
            continue
        if r < 0.18:
            page = pick_page(rng)
            at.switch_page(page)
            at.run()
            log.append(f"switch to {page}")
        elif r < 0.55:
            buttons = [b for b in at.button if not b.disabled and b.key and b.key not in HEAVY]
            if not buttons:
                continue
            b = rng.choice(buttons)
            b.click()
            at.run()
            log.append(f"click {b.key}")
        else:
            ws = widgets(at)
            if not ws:
                continue
            w, kind = rng.choice(ws)
            value = random_value(rng, w, kind)
            log.append(f"set {w.key}={value!r}")
            set_widget(at, w, kind, value)
        check(at, i, " -> ".join(log[-6:]))
