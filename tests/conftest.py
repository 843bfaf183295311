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


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (`-n 2 --dist loadgroup`, the default in pyproject.toml), every browser test runs on
    one worker, one server and one Chromium for them all, as without xdist, while the other worker takes the
    unit and app tests one by one: the browser tests mostly wait on their server and browser, the others
    mostly compute, so the two halves share the two cores well."""
    import pytest

    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
