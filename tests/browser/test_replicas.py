"""Two Streamlit replicas behind HAProxy (deploy/serve.py): new browsers are spread over both, and a
browser stays on its replica (SERVERID cookie) so its model, its page switches and its uploads work."""

import os
import re

import pytest
from conftest import App  # tests/browser/conftest.py (pytest puts this folder on sys.path)

from deploy import serve

SMALL = "task=charlm&seq_len=20&hidden=8"


@pytest.fixture(scope="module")
def balanced():
    if not serve.find_haproxy():
        if os.environ.get("RNNVIZ_REQUIRE_BROWSER"):
            pytest.fail("the replica tests need haproxy (RNNVIZ_REQUIRE_BROWSER is set): apt-get install haproxy")
        pytest.skip("no haproxy: apt-get install haproxy to run the replica tests")
    with serve.start(replicas=2, timeout=120) as cluster:
        yield cluster


@pytest.fixture()
def context(rv_browser):
    made = []

    def new():
        ctx = rv_browser.new_context(viewport={"width": 1400, "height": 900})
        made.append(ctx)
        return ctx

    yield new
    for ctx in made:
        ctx.close()


def replica(ctx) -> str:
    """The replica HAProxy gave this browser context: its SERVERID cookie (r1, r2, ...)."""
    ids = [c["value"] for c in ctx.cookies() if c["name"] == "SERVERID"]
    assert len(ids) == 1, f"expected one SERVERID cookie, got {ctx.cookies()}"
    return ids[0]


def steps(text: str) -> int:
    found = re.findall(r"trained for ([\d,]+) steps", text)
    assert found, "no 'trained for N steps' on the page"
    return int(found[0].replace(",", ""))


def test_new_browsers_are_spread_over_both_replicas(balanced, context):
    seen = []
    for _ in range(4):  # round robin alternates new sessions: two are enough unless another client came between
        ctx = context()
        page = ctx.new_page()
        page.goto(balanced.url + "/", wait_until="domcontentloaded")
        seen.append(replica(ctx))
        if set(seen) == {"r1", "r2"}:
            break
    assert set(seen) == {"r1", "r2"}, seen
    assert not any(c["name"] == "SERVERID" for c in context().cookies())  # a fresh browser has no replica yet


def test_a_browser_keeps_its_model_across_pages(balanced, context):
    ctx = context()
    app = App(ctx.new_page(), balanced.url)
    app.open("Train", SMALL)
    mine = replica(ctx)
    app.page.get_by_role("button", name="Step", exact=True).click()
    app.settle()
    n = steps(app.page.inner_text("body"))
    assert n > 0
    app.page.locator("[data-testid='stSidebar']").get_by_role("link", name="Hidden states").click()
    app.settle()
    assert "Hidden states" in app.page.title() or "/Hidden_states" in app.page.url
    assert steps(app.page.inner_text("body")) == n
    assert replica(ctx) == mine and not app.exceptions()


def test_upload_through_the_balancer(balanced, context, tmp_path):
    ctx = context()
    app = App(ctx.new_page(), balanced.url)
    app.open("Train", SMALL)
    app.page.get_by_text("Train on your own text").click()
    good = tmp_path / "rhyme.txt"
    good.write_text("row row row your boat, gently down the stream. merrily merrily merrily, life is but a dream.\n" * 3)
    app.page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.txt']").set_input_files(str(good))
    app.settle()
    body = app.page.inner_text("body")
    assert "rhyme.txt" in body and "session invalid" not in body.lower()
    assert not app.exceptions()
