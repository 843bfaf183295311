"""A Compare-lab race trained in a trainer process (Race.tick_in, rnnviz.runtime.trainproc): the same numbers
as the race trained here, a Pause drops the turn in flight, a lost child costs nothing, and the
worker sends races there as it does Train-page sessions."""

import logging
import time

import pytest
import torch

import rnnviz.runtime.session
from rnnviz.compare.race import Race
from rnnviz.runtime.session import Worker
from rnnviz.settings import parse

ALL = ["rnn", "lstm", "gru", "cnn", "transformer", "gru_attention"]
# the CNN and the GRU with attention solve this at step 30, the others do not in the budget of 40
S = parse({"task": "first_symbol", "seq_len": 5, "hidden": 8}, strict=True)[0]


def new_race(archs=ALL, budget=40):
    return Race.new(S, archs, budget=budget, eval_every=10, heldout_size=64)


@pytest.fixture(scope="module")
def finished():
    return new_race().finish()


def run_in(proc, race, seconds):
    race.start()
    turns = 0
    while race.running:
        race.tick_in(proc, seconds)
        turns += 1
        assert turns < 2000, "the race does not end"
    return turns


def assert_same_race(a, b):
    """What a student reads off the two races (the table, the curves, who solved when) and the
    weights and data streams underneath are equal; only the clock may differ."""
    assert a.status == b.status == "done"
    for ra, rb in zip(a.results(), b.results()):
        for k in ("arch", "steps", "solved", "solved_at", "status", "final_loss", "final_metric", "params"):
            assert ra[k] == rb[k], (ra["arch"], k, ra[k], rb[k])
        for k in ("step", "loss", "metric"):
            assert ra["curve"][k] == rb["curve"][k], (ra["arch"], k)
        assert len(ra["curve"]["seconds"]) == len(ra["curve"]["step"])
    for x, y in zip(a.racers, b.racers):
        assert x.finished and y.finished
        assert x.trainer.history.loss == y.trainer.history.loss
        assert x.trainer.rng.bit_generator.state == y.trainer.rng.bit_generator.state
        for (k, v), (_, w) in zip(x.trainer.model.state_dict().items(), y.trainer.model.state_dict().items()):
            assert torch.equal(v, w), (x.arch, k)


@pytest.mark.parametrize("seconds", [None, 0.0])  # up to each evaluation; one step a turn
def test_a_race_trained_in_the_child_equals_the_race_trained_here(proc, finished, seconds):
    race = new_race()
    turns0, sent0 = proc.turns, proc.sent
    t0 = time.perf_counter()
    turns = run_in(proc, race, seconds)
    wall = time.perf_counter() - t0
    assert_same_race(race, finished)
    res = {r["arch"]: r for r in race.results()}
    assert res["cnn"]["solved_at"] == res["gru_attention"]["solved_at"] == 30 and res["rnn"]["status"] == "unsolved"
    assert proc.turns - turns0 == turns  # every turn trained in the child, none here
    assert proc.sent - sent0 == len(ALL)  # each racer sent whole once, then only its key
    if seconds == 0.0:
        assert turns == sum(r["steps"] for r in res.values())  # one step a turn, the racers in turn
    # the clock: the child's training seconds, counted once, increasing along each curve
    for r in race.racers:
        secs = r.eval_seconds
        assert secs[0] == 0.0 and all(b >= a for a, b in zip(secs, secs[1:])) and secs[-1] == r.trainer.seconds
        assert 0 < r.trainer.seconds and r.trainer.steps_per_second > 0
    assert sum(r.trainer.seconds for r in race.racers) < wall
    assert 0 < res["cnn"]["solved_seconds"] <= res["cnn"]["seconds"]


def test_pause_during_a_turn_drops_the_turn_in_flight(proc, finished):
    race = new_race()
    race.start()
    race.tick_in(proc, None)
    first = race.racers[0]
    assert first.trainer.step == 10 and race.version == 1
    real_train = proc.train

    def train_then_pause(tr, n, secs, **kw):
        delta = real_train(tr, n, secs, **kw)
        race.pause()  # the student presses Pause while the child trains
        return delta

    proc.train = train_then_pause
    try:
        assert race.tick_in(proc, None) == 0
    finally:
        del proc.train
    assert race.status == "paused" and race.version == 1  # nothing new shown
    assert [r.trainer.step for r in race.racers] == [10, 0, 0, 0, 0, 0]
    # resumed, the race goes on from where the screen was: the child's copy that ran ahead is sent again
    sent = proc.sent
    run_in(proc, race, None)
    assert proc.sent > sent
    assert_same_race(race, finished)


def test_a_child_that_went_away_costs_the_race_nothing(proc, finished):
    race = new_race()
    race.start()
    race.tick_in(proc, None)
    proc._proc.kill()
    proc._proc.wait()
    turns, sent = proc.turns, proc.sent
    assert race.tick_in(proc, None) == 10  # the child is starting again: this turn trains here
    assert proc.turns == turns and race.racers[1].trainer.step == 10
    assert proc.start(wait=60)
    run_in(proc, race, None)
    assert proc.turns > turns and proc.sent >= sent + len(ALL)  # the new child got every racer whole
    assert_same_race(race, finished)


def test_when_the_child_fails_mid_turn_the_turn_trains_here_and_says_so(failing_proc, caplog):
    race = new_race(["gru", "cnn"])
    race.start()
    with caplog.at_level(logging.ERROR, logger="rnnviz"):
        assert race.tick_in(failing_proc, None) == 10
    assert race.racers[0].trainer.step == 10 and race.running and race.version == 1
    assert "trainer process failed" in caplog.text


def test_the_worker_trains_a_race_in_its_trainer_process(proc, finished, monkeypatch):
    monkeypatch.setattr(rnnviz.runtime.session, "for_this_thread", lambda: proc)  # the worker thread's child is ours to watch
    w = Worker(threads=1, chunk=0.05, elsewhere=True)
    race = new_race()
    race.start()
    turns = proc.turns
    w.submit(race)
    end = time.time() + 60
    while not race.done and time.time() < end:
        time.sleep(0.05)
    w.stop()
    assert race.done and race.status == "done"
    assert proc.turns - turns >= sum(r.trainer.step for r in race.racers) // 10  # every turn in the child (10 steps at most)
    assert_same_race(race, finished)
