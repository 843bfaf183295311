"""The application pages for bench/load.py's application scenario (--app): where each page's button,
seed and result are, and an in-page watcher that times the press and the result in the page's own clock.

The result marker: the container each page draws its finished result in (key `rv_result_<page>`, CSS
class `st-key-rv_result_<page>`). It counts once it is visible, holds a result (text, a figure, a table or
audio) and no progress bar or spinner, and differs from what it held when the button was pressed (a page
may keep an older result in the same place). The pages' earlier stand-in markers (an element shown once
the job was done) are gone: on Translate its "trained here" radio showed a frame before the result, and
the row then lacked the server's clock for those students.

The server's part: a converted page's result container holds a hidden mark (`.rv-drawn`, `data-t`: the
server's clock, epoch seconds, when its run drew the result, and `data-done`, when the job finished;
rnnviz.ui.jobs.result). Press to done is the server's work (one job shared by the class, or one each);
done to drawn is mostly the page's own delay in asking for the result (its live fragment's timer runs in
the browser) plus the page's run; drawn to seen is the browser's drawing. On this bench every student's page
shares one browser core; in a class each student has a device of their own.

The progress: the value of a progress bar (`st.progress`: role=progressbar, aria-valuenow) the page
shows while its job runs, recorded at every change.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class App:
    name: str  # forecast, translate, music, sounds (and the suffix of its result container's key)
    page: str  # the URL path
    button: str  # the button's widget key
    label: str  # the button's label (for messages)
    seed: str  # the seed's key: a link field (?seed=K) and, where the page has one, the widget's key


APPS = {
    a.name: a
    for a in (
        App("forecast", "Forecast", "fc_go", "Train and forecast", "fc_seed"),
        App("translate", "Translate", "tr_train", "Train both models", "tr_seed"),
        App("music", "Music", "mu_train", "Train a new model now", "mu_seed"),
        App("sounds", "Sounds", "so_train", "Train a new model now", "so_seed"),
    )
}

DONE_BINDING = "__rvAppDone"  # exposed to each student's page by load.py: called with the result's time

# Installed once per student page before the press. Times are epoch milliseconds from the page's clock
# (performance.timeOrigin + performance.now()), so they compare across pages and with this process.
WATCH_JS = r"""(cfg) => {
  if (window.__rvApp) return;
  const A = window.__rvApp = {press: null, result: null, drawn: null, done: null, how: null, before: {}, bar: [], barSeen: false};
  const now = () => performance.timeOrigin + performance.now();
  const shown = el => el && el.getClientRects().length > 0;
  const busy = el => el.querySelector("[data-testid='stProgress'], [data-testid='stSpinner']");
  const holds = el => el.textContent.trim() !== ''
    || el.querySelector('.js-plotly-plot, [data-testid="stDataFrame"], audio, canvas, img');
  const markers = () => {
    const out = {};
    const n = document.querySelector('.st-key-rv_result_' + cfg.name);
    if (n) out.new = n;
    return out;
  };
  A.snapshot = () => {
    const m = markers();
    A.before = {new: m.new ? m.new.textContent : null};
  };
  const check = () => {
    if (A.press === null) return;
    if (A.result === null) {
      const m = markers();
      for (const how of ['new']) {
        const el = m[how];
        if (shown(el) && !busy(el) && holds(el) && el.textContent !== A.before[how]) {
          A.result = now();
          A.how = how;
          const mark = el.querySelector('.rv-drawn');  // the server's clock when its run drew this result
          A.drawn = mark ? 1000 * parseFloat(mark.dataset.t) : null;
          A.done = mark && mark.dataset.done ? 1000 * parseFloat(mark.dataset.done) : null;  // the job finished
          if (window.__rvAppDone) window.__rvAppDone(A.result).catch(() => {});
          break;
        }
      }
    }
    const bar = document.querySelector("[data-testid='stProgress'] [role='progressbar']");
    if (bar) {
      let v = parseFloat(bar.getAttribute('aria-valuenow'));
      const hi = parseFloat(bar.getAttribute('aria-valuemax'));
      if (!isNaN(v)) {
        v = hi > 0 ? v / hi : (v > 1 ? v / 100 : v);
        A.barSeen = true;
        const last = A.bar[A.bar.length - 1];
        if (!last || last[1] !== v) { A.bar.push([now(), v]); if (A.bar.length > 2000) A.bar.splice(0, 1000); }
      }
    }
  };
  A.check = check;
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                      attributes: true, attributeFilter: ['aria-valuenow', 'class', 'style']});
}"""

PRESS_JS = """(key) => {
  const b = document.querySelector('.st-key-' + key + ' button');
  if (!b || b.disabled) return null;
  const A = window.__rvApp;
  A.snapshot();
  A.press = performance.timeOrigin + performance.now();
  b.click();
  A.check();
  return A.press; }"""

STATE_JS = """() => { const A = window.__rvApp; if (!A) return null; A.check();
  return {press: A.press, result: A.result, drawn: A.drawn, done: A.done, how: A.how, bar: A.bar, barSeen: A.barSeen}; }"""


def button_shown(tab, app: App) -> bool:
    loc = tab.page.locator(f".st-key-{app.button} button")
    return loc.count() > 0 and loc.first.is_visible()


def reveal_button(tab, app: App, timeout: float) -> None:
    """Open the expanders one by one until the button can be seen (Music and Sounds keep it in one)."""
    if button_shown(tab, app):
        return
    closed = tab.page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    for _ in range(closed.count()):
        if button_shown(tab, app):
            return
        closed.nth(0).click(timeout=timeout * 1000)
        tab.page.wait_for_timeout(300)  # the expander's content is drawn by the browser, no server round trip
    if not button_shown(tab, app):
        raise RuntimeError(f"no button {app.label!r} (key {app.button}) on {app.page}")


def seed_widget(tab, app: App):
    loc = tab.page.locator(f".st-key-{app.seed} input")
    return loc.first if loc.count() else None


def seed_shown(tab, app: App) -> str | None:
    """The seed the page shows: its seed widget's value, else the text of an element keyed like the seed
    (a page may show the seed from its link without a widget), or None when it shows neither."""
    w = seed_widget(tab, app)
    if w is not None:
        return w.input_value()
    el = tab.page.locator(f".st-key-{app.seed}")
    return el.first.inner_text() if el.count() else None


def set_seed(tab, app: App, seed: int, timeout: float) -> str:
    """Make the page use this seed: 'link' when the page took it from ?<seed key>=K (its seed widget, or an
    element keyed like the seed, shows it), 'widget' when it had to be typed into the seed widget, '' when
    the page shows no seed (so the link's seed cannot be seen to be honoured)."""
    shown = seed_shown(tab, app)
    if shown is None:
        return ""
    if str(seed) in re.findall(r"\d+", shown.replace(",", "")):
        return "link"
    w = seed_widget(tab, app)
    if w is None:
        return ""
    w.fill(str(seed), timeout=timeout * 1000)
    w.press("Enter", timeout=timeout * 1000)
    end = time.time() + timeout
    while (seed_shown(tab, app) or "").strip() != str(seed):
        if time.time() > end:
            raise TimeoutError(f"the seed widget {app.seed} did not take {seed}")
        time.sleep(0.1)
    tab.settle(timeout, calm=0.3)
    return "widget"


def watch(tab, app: App) -> None:
    tab.page.evaluate(WATCH_JS, {"name": app.name})


def press(tab, app: App):
    """Click the button (a DOM click, so twenty pages are pressed within moments); epoch ms of the press or None."""
    return tab.page.evaluate(PRESS_JS, app.button)


def state(tab):
    return tab.page.evaluate(STATE_JS)


def progress_at(st: dict, mark_ms: float):
    """The fraction of this student's job done at page time mark_ms: 1 once the result was seen, else the
    progress bar's last value by then (0 if the bar had not shown yet); None where the page showed no bar."""
    if st["result"] is not None and st["result"] <= mark_ms:
        return 1.0
    if not st["barSeen"]:
        return None
    seen = [v for t, v in st["bar"] if t <= mark_ms]
    return seen[-1] if seen else 0.0
