"""Speed-ups shared by every test module that runs the app with AppTest."""

import functools
import os
import tempfile

import streamlit.components.v2.manifest_scanner as manifest_scanner

# The class board's database: a throwaway SQLite file per test process (and the servers it starts), never the
# user's own board (tests that need their own database set RNNVIZ_DATABASE_URL themselves).
os.environ.setdefault("RNNVIZ_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='rnnviz-test-board-')}/board.sqlite")

# Every new AppTest scans all installed packages' metadata for Streamlit components (about 0.75 s
# with this project's requirements); a real server does it once at start. The app uses no such
# components and the installed packages do not change during a test run, so scan once per process.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (`-n 2 --dist loadgroup`, the default in pyproject.toml): each browser test module runs
    whole on one worker (its module fixtures start once), while the unit and app tests are dealt out one by one.

    xdist's own groups (``xdist_group``) do nothing under pytest 9: xdist 3.8 adds the group to ``item._nodeid``,
    which pytest 9 no longer reads, so before this hook a browser module's tests were spread over both workers.
    A scheduler that reads the module from the node id does not depend on that. Other ``--dist`` modes are left
    to xdist."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.replace("\\", "/").startswith("tests/browser/"):
                return nodeid.split("::", 1)[0]
            return nodeid

    return BrowserModulesTogether(config, log)
