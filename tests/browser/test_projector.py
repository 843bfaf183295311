"""Every page at 1024x768, in normal and projector mode, measured in the DOM: no metric value cut
short, no button label clipped, no figure (or its title, annotations, tick labels) or equation wider
than its column, no sideways scrolling; projector mode folds the sidebar away. With
RNNVIZ_PROJECTOR_SHOTS=1 it also saves a screenshot of each page (whole height, 1024 wide)."""

import os

import pytest
from conftest import SHOTS, App

from rnnviz.ui.lesson import page_name
from rnnviz.ui.sidebar import PAGES

W, H = 1024, 768
MEASURE = """() => {
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = e => e.getClientRects().length > 0;
  for (const e of main.querySelectorAll('[data-testid="stMetricValue"]')) {
    const d = e.querySelector('div') || e;
    if (d.scrollWidth > d.clientWidth + 1 || e.innerText.includes('…')) out.push('metric value cut: ' + e.innerText);
  }
  for (const b of main.querySelectorAll('button')) {
    const p = b.querySelector('p');
    if (p && shown(b) && p.scrollWidth > p.clientWidth + 1) out.push('button label clipped: ' + p.innerText);
  }
  for (const gd of main.querySelectorAll('.js-plotly-plot')) {
    if (!shown(gd)) continue;
    const r = gd.getBoundingClientRect();
    const name = (gd.layout && gd.layout.title && gd.layout.title.text || '(untitled)').slice(0, 50);
    const col = gd.closest('[data-testid="stColumn"]') || gd.closest('[data-testid="stMainBlockContainer"]');
    const c = col.getBoundingClientRect();
    if (r.right > c.right + 2 || r.left < c.left - 2) out.push(`figure wider than its column: ${name}`);
    const inside = (e, what) => {
      const b = e.getBoundingClientRect();
      if (b.width && (b.right > r.right + 2 || b.left < r.left - 2 || b.top < r.top - 2 || b.bottom > r.bottom + 2))
        out.push(`${what} outside its figure: ${name}: ${(e.textContent || '').slice(0, 30)}`);
    };
    gd.querySelectorAll('.gtitle').forEach(e => inside(e, 'title'));
    gd.querySelectorAll('.annotation').forEach(e => inside(e, 'annotation'));
    for (const ax of ['xtick', 'ytick']) {
      const boxes = [...gd.querySelectorAll(`.${ax} text`)].map(e => e.getBoundingClientRect()).filter(b => b.width)
        .sort((a, b) => ax === 'xtick' ? a.left - b.left : a.top - b.top);
      for (let i = 1; i < boxes.length; i++) {
        const over = ax === 'xtick' ? boxes[i].left < boxes[i - 1].right - 1 : boxes[i].top < boxes[i - 1].bottom - 1;
        if (over) { out.push(`${ax} labels overlap: ${name}`); break; }
      }
    }
  }
  for (const k of main.querySelectorAll('.katex-display'))
    if (k.querySelector('.katex-html').getBoundingClientRect().right > k.getBoundingClientRect().right + 1)
      out.push('equation wider than its column: ' + k.textContent.slice(0, 30));
  if (main.scrollWidth > main.clientWidth + 2) out.push('the page scrolls sideways');
  const sb = document.querySelector('[data-testid="stSidebar"]');
  const sidebar = sb && sb.getAttribute('data-collapsed') === 'false' ? sb.getBoundingClientRect().width : 0;
  return {problems: out, sidebar, figures: main.querySelectorAll('.js-plotly-plot').length};
}"""


@pytest.fixture(scope="module")
def small(server, rv_browser):
    ctx = rv_browser.new_context(viewport={"width": W, "height": H})
    yield App(ctx.new_page(), server)
    ctx.close()


@pytest.mark.parametrize("mode", ["normal", "present"])
def test_every_page_legible_at_1024x768(small, mode):
    folder = os.path.join(SHOTS, "projector")
    os.makedirs(folder, exist_ok=True)
    problems = []
    for path, label, *_ in PAGES:
        small.open(page_name(path), "present=1" if mode == "present" else "")
        assert not small.exceptions(), (label, small.exceptions())
        if label == "Train":  # numbers in the metrics, as after a lesson's first chunk of training
            small.page.get_by_role("button", name="Step").click()
            small.settle()
        m = small.page.evaluate(MEASURE)
        problems += [f"{label} ({mode}): {p}" for p in m["problems"]]
        if mode == "present":
            assert m["sidebar"] == 0, f"{label}: the sidebar is open in projector mode"
            assert "present=1" in small.page.url, f"{label}: projector mode left the link"
        else:
            assert m["sidebar"] <= 0.26 * W, f"{label}: the sidebar takes {m['sidebar']:.0f} of {W} px"
        if path != "app.py" and "Lessons" not in path and "Class" not in path:  # the board needs a class: test_class_board
            assert m["figures"], f"{label}: no figure drawn"
        if not os.environ.get("RNNVIZ_PROJECTOR_SHOTS"):
            continue
        tall = small.page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        small.page.set_viewport_size({"width": W, "height": min(max(H, tall), 7000)})
        small.page.screenshot(path=os.path.join(folder, f"{label.replace(' ', '_')}-{mode}.png"))
        small.page.set_viewport_size({"width": W, "height": H})
    assert not problems, "\n".join(problems)
