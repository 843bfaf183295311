"""A page draws its status line, step counter and notices from one reading of the session, so they
never disagree, even when the worker finishes a chunk while the page is being drawn."""

import re

from appkit import go, new_app, session, text

from rnnviz.runtime.session import Status, TrainingSession
from rnnviz.runtime.training import Status as TrainerStatus
from rnnviz.settings import PRESETS

EXPLODE = {**PRESETS["explode"][1], "hidden": 32}  # the Gradients page's preset, at a size where it explodes fast


def _status_word(at) -> str:
    lines = [str(m.value) for m in at.markdown if str(m.value).startswith("Status:")]
    assert len(lines) == 1, lines
    return lines[0].split("**")[1]


def _steps_done(at) -> str:
    return next(m.value for m in at.metric if m.label == "steps done")


def test_a_diverged_run_names_the_step_the_counter_shows():
    at = go(new_app(**EXPLODE), "pages/1_Train.py")
    for _ in range(10):
        at.button(key="rv_step").click().run()
        if session(at).diverged:
            break
    s = session(at)
    assert s.diverged and s.trainer.step > 0
    notice = next(str(e.value) for e in at.error if "diverged" in str(e.value))
    assert f"This run diverged at step {s.trainer.step:,}." in notice, notice
    assert f"Training stopped at step {s.trainer.step}:" in notice, notice  # the trainer's own sentence agrees
    assert {int(n.replace(",", "")) for n in re.findall(r"step ([\d,]+)", notice)} == {s.trainer.step}
    assert _steps_done(at) == f"{s.trainer.step:,}"
    assert _status_word(at).startswith("diverged")


def test_the_worker_diverging_while_the_page_is_drawn_redraws_it_from_one_reading(monkeypatch):
    """The flaky browser test's cause: the page read 'running' (no notice), then the worker's chunk
    blew up, then the live part read 'diverged'. Now the live part sees that its reading moved on
    from the page's and draws the whole page again from one reading."""
    at = go(new_app(**EXPLODE), "pages/1_Train.py")
    s = session(at)
    with s.lock:  # a few steps, far from where this run blows up (a Step click trains a quarter of a second:
        s.trainer.run(n_steps=5)  # on a quick, warmed-up process that was enough to diverge already)
    at.run()
    assert not s.diverged and s.trainer.step == 5
    with s.lock:
        s.status = Status.RUNNING  # as if Start was pressed (no worker: the test plays its part)
    real, seen = TrainingSession.view, []

    def view(self, history=False):
        v = real(self, history)
        seen.append(v.status)
        if len(seen) == 1:  # just after the page's reading, the worker applies a chunk that diverged
            with self.lock:
                self.trainer.status = TrainerStatus.DIVERGED
                self.trainer.message = f"Training stopped at step {self.trainer.step}: the next step's loss became NaN."
                self.status = Status.DIVERGED
        return v

    monkeypatch.setattr(TrainingSession, "view", view)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert seen[:2] == [Status.RUNNING, Status.DIVERGED]  # the page's reading, then the live part's
    assert Status.DIVERGED in seen[2:]  # ...which started the page over
    assert _status_word(at).startswith("diverged")
    notices = [str(e.value) for e in at.error if "This run diverged" in str(e.value)]
    assert len(notices) == 1 and f"at step {s.trainer.step:,}." in notices[0]
    assert _steps_done(at) == f"{s.trainer.step:,}"
    assert at.button(key="rv_start").disabled and at.button(key="rv_pause").disabled
    assert "untrained" not in text(at)
