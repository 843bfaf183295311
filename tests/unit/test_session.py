"""TrainingSession: every (status, event) pair of the Train page's state machine, settings changes,
and the cache that lets a reload or a link rebuild a trained run."""

import pytest

from rnnviz.runtime.session import CAP_SIZES, Event, RunCache, Status, TrainingSession, describe_lengths, restore
from rnnviz.settings import DEFAULT, Change

TINY = DEFAULT.replace(hidden=4, seq_len=6, batch=8)


def session_in(status: Status, near_cap: bool = False) -> TrainingSession:
    """A tiny session put into a status the way a user would get there."""
    s = TrainingSession.new(TINY, cap_size=500)
    if status is Status.IDLE:
        return s
    if status is Status.DIVERGED:
        s = TrainingSession.new(
            TINY.replace(arch="rnn", scale=3.0, optimizer="sgd", lr=1.0, clip=False, hidden=16, seq_len=30), cap_size=500
        )
        for _ in range(50):
            if s.step(seconds=0.05) is Status.DIVERGED:
                return s
        raise AssertionError("the explosion preset did not diverge")
    s.step(seconds=0.0)  # one chunk: at least one step
    if status is Status.AT_CAP:
        s.round_start = s.trainer.step - s.cap_size
        s.handle(Event.TICK)
        s.status = Status.AT_CAP
    elif status is Status.RUNNING:
        s.start()
    if near_cap:
        s.round_start = s.trainer.step - s.cap_size + 3  # three steps left in this round
    assert s.status is status
    return s


# (status, event) -> status after it; "trains" rows are checked for their step counts below
TABLE = {
    (Status.IDLE, Event.START): Status.RUNNING,
    (Status.IDLE, Event.PAUSE): Status.IDLE,
    (Status.IDLE, Event.STEP): Status.PAUSED,
    (Status.IDLE, Event.RESET): Status.IDLE,
    (Status.IDLE, Event.TICK): Status.IDLE,
    (Status.RUNNING, Event.START): Status.RUNNING,
    (Status.RUNNING, Event.PAUSE): Status.PAUSED,
    (Status.RUNNING, Event.STEP): Status.RUNNING,
    (Status.RUNNING, Event.RESET): Status.IDLE,
    (Status.RUNNING, Event.TICK): Status.RUNNING,
    (Status.PAUSED, Event.START): Status.RUNNING,
    (Status.PAUSED, Event.PAUSE): Status.PAUSED,
    (Status.PAUSED, Event.STEP): Status.PAUSED,
    (Status.PAUSED, Event.RESET): Status.IDLE,
    (Status.PAUSED, Event.TICK): Status.PAUSED,
    (Status.AT_CAP, Event.START): Status.RUNNING,
    (Status.AT_CAP, Event.PAUSE): Status.AT_CAP,
    (Status.AT_CAP, Event.STEP): Status.PAUSED,
    (Status.AT_CAP, Event.RESET): Status.IDLE,
    (Status.AT_CAP, Event.TICK): Status.AT_CAP,
    (Status.DIVERGED, Event.START): Status.DIVERGED,
    (Status.DIVERGED, Event.PAUSE): Status.DIVERGED,
    (Status.DIVERGED, Event.STEP): Status.DIVERGED,
    (Status.DIVERGED, Event.RESET): Status.IDLE,
    (Status.DIVERGED, Event.TICK): Status.DIVERGED,
}
TRAINS = {(Status.IDLE, Event.STEP), (Status.RUNNING, Event.TICK), (Status.PAUSED, Event.STEP), (Status.AT_CAP, Event.STEP)}


def test_table_covers_every_pair():
    assert set(TABLE) == {(s, e) for s in Status for e in Event}


@pytest.mark.parametrize("pair", list(TABLE), ids=lambda p: f"{p[0].value}-{p[1].value}")
def test_transition(pair):
    status, event = pair
    s = session_in(status)
    before = s.trainer.step
    assert s.handle(event, seconds=0.0) is TABLE[pair]
    if event is Event.RESET:
        assert s.trainer.step == 0 and s.trainer.status != "diverged"
    elif pair in TRAINS:
        assert s.trainer.step > before
    else:
        assert s.trainer.step == before


@pytest.mark.parametrize("status, event", [(Status.RUNNING, Event.TICK), (Status.PAUSED, Event.STEP)])
def test_a_chunk_stops_at_the_cap_and_never_passes_it(status, event):
    s = session_in(status, near_cap=True)
    cap = s.cap
    assert s.handle(event, seconds=5.0) is Status.AT_CAP
    assert s.trainer.step == cap and s.progress == 1.0


def test_start_at_the_cap_goes_on_for_another_round():
    """Reproduction 1: Start after the automatic pause used to raise 'ValueError: 1113 is not in iterable'."""
    s = session_in(Status.AT_CAP)
    step = s.trainer.step
    s.start()
    assert s.status is Status.RUNNING and s.cap == step + s.cap_size and s.progress == 0.0


def test_step_past_the_cap_starts_a_new_round():
    s = session_in(Status.AT_CAP)
    step = s.trainer.step
    s.step(seconds=0.0)
    assert s.status is Status.PAUSED and s.round_start == step and s.trainer.step <= s.cap


def test_progress_never_passes_the_cap():
    """Reproduction 6: the progress text read '3,024 / 3,000'."""
    s = session_in(Status.PAUSED)
    s.set_cap_size(500)
    s.round_start = s.trainer.step - 499
    s.start()
    for _ in range(5):
        s.tick(seconds=0.2)
    assert s.trainer.step - s.round_start <= s.cap_size and 0 <= s.progress <= 1


def test_cap_size_change():
    s = session_in(Status.PAUSED)
    s.set_cap_size(1000)
    assert s.cap == s.round_start + 1000
    with pytest.raises(ValueError):
        s.set_cap_size(123)
    assert 500 in CAP_SIZES


def test_live_change_keeps_training_and_status():
    """Reproduction 5: moving the length slider while training froze training."""
    s = session_in(Status.RUNNING)
    assert s.apply(s.settings.replace(seq_len=9, lr=0.03)) is Change.UPDATE_LIVE
    assert s.status is Status.RUNNING and s.trainer.cfg.seq_len == 9 and s.trainer.cfg.lr == 0.03
    s.tick(seconds=0.0)
    assert s.trainer.history.seq_len[-1] == 9 and "curriculum" in describe_lengths(s.trainer.history)


def test_rebuild_change_on_an_untrained_run_happens_at_once():
    s = session_in(Status.IDLE)
    assert s.apply(s.settings.replace(arch="gru")) is Change.REBUILD
    assert s.settings.arch == "gru" and s.trainer.model.cfg.arch == "gru"


def test_rebuild_change_on_a_trained_run_waits_for_a_choice():
    s = session_in(Status.PAUSED)
    steps = s.trainer.step
    new = s.settings.replace(arch="gru")
    assert s.needs_choice(new)
    assert s.apply(new) is Change.REBUILD
    assert s.settings.arch == "lstm" and s.trainer.step == steps  # nothing lost until the user chooses
    s.rebuild(new)
    assert s.settings.arch == "gru" and s.trainer.step == 0 and s.status is Status.IDLE


def test_a_running_run_pauses_while_a_choice_waits():
    s = session_in(Status.RUNNING)
    assert s.apply(s.settings.replace(hidden=8)) is Change.REBUILD
    assert s.status is Status.PAUSED and s.settings.hidden == 4


def test_any_change_to_a_diverged_run_starts_afresh():
    s = session_in(Status.DIVERGED)
    assert not s.needs_choice(s.settings.replace(arch="gru"))
    s.apply(s.settings.replace(clip=True))  # a live setting, but the old run is dead
    assert s.status is Status.IDLE and s.trainer.step == 0 and s.settings.clip


def test_cache_restores_the_same_run():
    cache = RunCache()
    s = TrainingSession.new(TINY)
    s.trainer.run(n_steps=40)
    cache.put(s)
    s.trainer.run(n_steps=20)
    again, how = restore(TINY, 60, cache=cache)
    assert "saved copy at step 40" in how
    assert again.trainer.history.loss == s.trainer.history.loss
    exact, how = restore(TINY, 60, cache=cache)  # restore put step 60 in the cache
    assert how.startswith("restored") and exact.trainer.history.loss == s.trainer.history.loss
    fresh, how = restore(TINY, 60, cache=RunCache())
    assert "training again" in how and fresh.trainer.history.loss == s.trainer.history.loss
    assert fresh.status is Status.PAUSED and fresh.progress < 1


def test_cache_is_bounded():
    cache = RunCache(max_bytes=1)
    for seed in range(3):
        s = TrainingSession.new(TINY.replace(seed=seed))
        s.trainer.run(n_steps=2)
        cache.put(s)
    assert len(cache) == 1


def wait_until(cond, timeout=30.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_worker_trains_running_sessions_in_fair_turns_and_lets_go():
    from rnnviz.runtime.session import Worker

    w = Worker(threads=1, chunk=0.02)
    sessions = [TrainingSession.new(TINY.replace(seed=k), cap_size=500) for k in range(3)]
    for s in sessions:
        s.start()
        w.submit(s)
        w.submit(s)  # twice is once
    assert wait_until(lambda: min(s.trainer.step for s in sessions) >= 30)
    sessions[0].pause()
    steps = [s.trainer.step for s in sessions]
    assert wait_until(lambda: min(s.trainer.step for s in sessions[1:]) >= max(steps) + 30)
    assert sessions[0].trainer.step == steps[0]  # a paused session costs nothing
    done = [s.trainer.step for s in sessions[1:]]
    assert min(done) / max(done) > 0.5  # turns are fair
    assert wait_until(lambda: w.running() == 2)


def test_worker_pauses_a_session_nobody_looks_at():
    from rnnviz.runtime.session import Worker

    w = Worker(threads=1, chunk=0.02, idle_after=0.0)
    s = TrainingSession.new(TINY)
    s.start()
    w.submit(s)
    assert wait_until(lambda: s.status is Status.PAUSED) and w.running() == 0


def test_worker_stops_at_the_cap_and_reports():
    from rnnviz.runtime.session import Worker

    stopped = []
    w = Worker(threads=2, chunk=0.05)
    w.on_stop = stopped.append
    s = TrainingSession.new(TINY, cap_size=500)
    s.start()
    w.submit(s)
    assert wait_until(lambda: s.status is Status.AT_CAP, 60) and s.trainer.step == 500
    assert wait_until(lambda: stopped == [s])


def test_worker_forgets_sessions_that_are_gone():
    import gc

    from rnnviz.runtime.session import Worker

    w = Worker(threads=1, chunk=0.02)
    s = TrainingSession.new(TINY, cap_size=20000)
    s.start()
    w.submit(s)
    ref = __import__("weakref").ref(s)
    assert wait_until(lambda: ref().trainer.step > 5)
    s.pause()
    del s
    gc.collect()
    assert wait_until(lambda: ref() is None and w.running() == 0)
