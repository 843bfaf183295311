"""Jobs: the applications' training as work of the shared worker (rnnviz.runtime.jobs), single flight on the
board, the worker's heartbeat, and a job kept on one worker thread."""

import threading
import time

import numpy as np
import pytest

from rnnviz.data.series import load
from rnnviz.runtime.jobs import Job, JobBoard, JobStatus, Stage
from rnnviz.runtime.session import Worker
from rnnviz.runtime.training import make_run
from rnnviz.signals.forecast import ForecastConfig, forecast, forecast_job

NILE = ForecastConfig(archs=("gru", "lstm"), steps=40, hidden=8, seeds=2)


def wait_until(cond, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def tiny_job(key="tiny", steps=30, n=2):
    stages = [Stage(f"LSTM {k}", lambda ctx, k=k: make_run("adding", "lstm", 4, seed=k, seq_len=8), steps) for k in range(n)]
    return Job(key, "tiny", stages, combine=lambda ctx, done: [s.trainer.step for s in done], after=lambda ctx, s: s.trainer.step)


def test_a_forecast_job_trained_by_the_worker_in_a_trainer_process_gives_the_cli_numbers():
    nile = load("nile")
    here = forecast(nile, NILE)
    job = forecast_job(nile, NILE)
    w = Worker(threads=1, chunk=0.05, elsewhere=True)
    job.start()
    w.submit(job)
    assert wait_until(lambda: job.done, 120), job.view()
    r = job.result
    assert r.scores == here.scores and r.one_step_scores == here.one_step_scores
    assert np.array_equal(r.nets["gru"].iterated, here.nets["gru"].iterated)
    v = job.view()
    assert v.progress == 1.0 and list(v.pieces) == ["GRU, seed 0", "GRU, seed 1", "LSTM, seed 0", "LSTM, seed 1"]


def test_pieces_arrive_before_the_whole_result():
    job = tiny_job(steps=20, n=3)
    job.start()
    job.tick(None)  # one whole stage
    v = job.view()
    assert v.status is JobStatus.RUNNING and v.pieces == {"LSTM 0": 20} and 0.3 < v.progress < 0.4
    assert "LSTM 1: step 0 of 20" in v.doing and v.result is None
    job.run_here()
    assert job.view().result == [20, 20, 20] and job.view().done


def test_the_board_makes_one_job_per_key_and_a_new_one_after_a_failure():
    board = JobBoard()
    submitted = []
    a = board.get_or_start("k", lambda: tiny_job("k"), submitted.append)
    b = board.get_or_start("k", lambda: tiny_job("k"), submitted.append)
    assert a is b and board.made == 1
    c = board.get_or_start("other", lambda: tiny_job("other"), submitted.append)
    assert c is not a and board.made == 2

    def broken():
        raise ValueError("no data today")

    bad = board.get_or_start("bad", lambda: Job("bad", "bad", [], combine=lambda c, s: None, prepare=broken), submitted.append)
    bad.tick()
    assert bad.status is JobStatus.FAILED and bad.error == "ValueError: no data today"
    again = board.get_or_start("bad", lambda: tiny_job("bad"), submitted.append)
    assert again is not bad and board.made == 4


def test_twenty_students_asking_at_once_share_one_job():
    board = JobBoard()
    w = Worker(threads=1, chunk=0.05, elsewhere=False)
    got = []

    def student():
        got.append(board.get_or_start("default", lambda: tiny_job("default", steps=60), w.submit))

    threads = [threading.Thread(target=student) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert board.made == 1 and len({id(j) for j in got}) == 1
    assert wait_until(lambda: got[0].done) and got[0].result == [60, 60]


def test_a_job_nobody_looks_at_pauses_unless_its_browser_is_still_connected():
    w = Worker(threads=1, chunk=0.02, idle_after=0.0, elsewhere=False)
    job = tiny_job(steps=100_000, n=1)
    job.start()
    w.submit(job)
    assert wait_until(lambda: job.status is JobStatus.PAUSED)  # no heartbeat: nobody is looking

    w2 = Worker(threads=1, chunk=0.02, idle_after=0.0, elsewhere=False)
    open_tabs = {"tab-1"}
    w2.connected = lambda owners: bool(owners & open_tabs)
    job2 = tiny_job(steps=100_000, n=1)
    job2.owners.add("tab-1")
    job2.start()
    w2.submit(job2)
    assert wait_until(lambda: job2.stages[0].step > 50)
    assert job2.running  # its tab is open: it trains on although no page touched it
    open_tabs.clear()  # the tab is closed
    assert wait_until(lambda: job2.status is JobStatus.PAUSED)


def test_a_job_stays_on_one_worker_thread(monkeypatch):
    seen: dict[str, set] = {}
    real = Job.tick

    def tick(self, seconds=0.1):
        seen.setdefault(self.key, set()).add(threading.current_thread().name)
        return real(self, seconds)

    monkeypatch.setattr(Job, "tick", tick)
    w = Worker(threads=2, chunk=0.01, elsewhere=False)
    jobs = [tiny_job(f"j{k}", steps=150, n=2) for k in range(4)]
    for j in jobs:
        j.start()
        w.submit(j)
    assert wait_until(lambda: all(j.done for j in jobs), 120)
    assert all(len(names) == 1 for names in seen.values()), seen
    assert len(set().union(*seen.values())) == 2  # both threads worked


@pytest.mark.parametrize("seconds", [None, 0.001])
def test_a_paused_job_keeps_its_steps_and_goes_on(seconds):
    job = tiny_job(steps=40, n=1)
    job.start()
    job.tick(0.001)
    done = job.stages[0].step
    job.pause()
    assert job.tick(seconds) == 0 and job.stages[0].step == done
    job.start()
    job.run_here()
    assert job.result == [40]
