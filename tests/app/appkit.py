"""Helpers the app tests share: a fresh AppTest started from the entry script, page switches that
fail on an exception, and the session's run and visible text."""

import os

from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def new_app(query=None, **state):
    """A new browser session: link parameters in query, widget values in state (not run yet)."""
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in state.items():
        at.session_state[k] = v
    return at


def go(at, path):
    """Open a page (app.py is the home page) and fail on any exception shown."""
    if path != "app.py":
        at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def session(at):
    return at.session_state["rv_session"]


def text(at):
    return " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success])


def wait_jobs(at, timeout: float = 120.0):
    """Let the shared worker finish every job the app asked for (pages never train themselves), then
    run the page again, as its fragment would redraw."""
    import time

    from rnnviz.runtime.jobs import JOBS

    end = time.monotonic() + timeout
    while any(j.running for j in list(JOBS._jobs.values())):
        assert time.monotonic() < end, "the worker did not finish the page's jobs"
        for j in list(JOBS._jobs.values()):
            j.touch()  # the test is looking, as an open page's heartbeat would say
        time.sleep(0.05)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
