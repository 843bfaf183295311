"""The gradient lab's presets do what their buttons say: 'Make it explode' diverges, and 'Rescue with
clipping' (the same run with clipping on) reaches the solved line. Same settings as the buttons, with the
sidebar's default size and seed."""

from rnnviz.runtime.runs import build_run
from rnnviz.settings import DEFAULT, PRESETS


def _run(name: str, steps: int):
    s = DEFAULT.replace(**PRESETS[name][1])
    tr = build_run(s, eval_every=25)
    while tr.step < steps and tr.solved_at is None and tr.status != "diverged":
        if tr.run(n_steps=25) == 0:
            break
    return s, tr


def test_explode_and_rescue_differ_only_in_clipping():
    a, b = (DEFAULT.replace(**PRESETS[n][1]) for n in ("explode", "rescue"))
    assert a.replace(clip=True, clip_value=b.clip_value) == b and not a.clip


def test_explode_diverges_and_rescue_with_clipping_solves():
    _, off = _run("explode", 100)
    assert off.status == "diverged" and off.step < 40  # within a few dozen steps
    s, on = _run("rescue", 500)
    assert on.status != "diverged" and on.solved_at is not None, on.evaluate()
    assert on.evaluate()["metric"] < on.task.solved_metric
    assert 0 < sum(on.history.clipped) < on.step  # a few steps were clipped: the ones that would have thrown it


def test_vanish_after_explode_trains_as_the_sidebar_does_by_default():
    """Walking the presets in order: Vanish and Scale 1.0 put back the optimiser and learning rate that Explode
    and Rescue changed (a student saw SGD at lr 0.5 left in the sidebar after 'Make it vanish')."""
    after_explode = DEFAULT.replace(**PRESETS["explode"][1])
    for name in ("vanish", "healthy"):
        s = after_explode.replace(**PRESETS[name][1])
        assert (s.optimizer, s.lr) == (DEFAULT.optimizer, DEFAULT.lr) and s.arch == "rnn"
