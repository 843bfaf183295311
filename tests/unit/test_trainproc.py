"""Training in a trainer process (rnnviz.runtime.trainproc): the same run step for step, and nothing lost."""

import logging

import pytest
import torch

from rnnviz.runtime.session import Status, TrainingSession
from rnnviz.runtime.training import make_run
from rnnviz.settings import Settings

TINY = Settings(task="adding", arch="lstm", hidden=8, seq_len=12, batch=16, seed=3)


def _same(a, b):
    assert a.step == b.step
    assert a.history.loss == b.history.loss
    assert a.history.grad_norm == b.history.grad_norm
    assert a.history.heldout_step == b.history.heldout_step and a.history.heldout_loss == b.history.heldout_loss
    assert a.history.group_norms == b.history.group_norms
    assert a.snapshots.step == b.snapshots.step
    for x, y in zip(a.snapshots.grad_norm, b.snapshots.grad_norm):
        assert (x == y).all()
    for (k, v), (_, w) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert torch.equal(v, w), k
    assert a.status == b.status and a.solved_at == b.solved_at


@pytest.mark.parametrize("arch", ["lstm", "gru"])
def test_a_run_trained_in_the_child_equals_one_trained_here(proc, arch):
    here = make_run("adding", arch=arch, seq_len=10, hidden_size=8, batch_size=16, eval_every=7, snapshot_every=5)
    there = here.clone()
    for _ in range(3):
        there.apply_delta(proc.train(there, 13, 30.0))
    there.update(seq_len=14)  # a curriculum step: the child's copy is stale and is sent again
    sent = proc.sent
    there.apply_delta(proc.train(there, 11, 30.0))
    assert proc.sent == sent + 1
    here.run(n_steps=39)
    here.update(seq_len=14)
    here.run(n_steps=11)
    _same(here, there)
    # both go on alike: the optimiser state and the data stream came back too
    here.run(n_steps=5)
    there.run(n_steps=5)
    _same(here, there)


def test_a_session_trains_through_the_child_and_drops_a_turn_for_a_run_that_changed(proc):
    s = TrainingSession.new(TINY, cap_size=500)
    s.start()
    s.tick_in(proc, 0.2)
    assert s.trainer.step > 0 and s.version == 1 and s.running
    # the user presses Reset while the child trains: the child's result belongs to the old run
    old = s.trainer
    real_train = proc.train

    def train_then_reset(tr, n, secs, **kw):
        delta = real_train(tr, n, secs, **kw)
        s.reset()
        return delta

    proc.train = train_then_reset
    try:
        s.start()
        s.tick_in(proc, 0.1)
    finally:
        del proc.train
    assert s.trainer is not old and s.trainer.step == 0 and s.status is Status.IDLE


def test_a_session_stops_at_its_cap_through_the_child(proc):
    s = TrainingSession.new(TINY, cap_size=500)
    s.start()
    for _ in range(200):
        if s.tick_in(proc, 5.0) is not Status.RUNNING:
            break
    assert s.status is Status.AT_CAP and s.trainer.step == 500


def test_a_child_that_went_away_is_started_again(proc):
    s = TrainingSession.new(TINY, cap_size=500)
    s.start()
    s.tick_in(proc, 0.1)
    proc._proc.kill()
    proc._proc.wait()
    before, sent = s.trainer.step, proc.sent
    s.tick_in(proc, 0.1)  # the child is starting again: this turn trains here
    assert s.trainer.step > before and proc.sent == sent
    assert proc.start(wait=60)
    before = s.trainer.step
    s.tick_in(proc, 0.1)
    assert s.trainer.step > before and proc.sent == sent + 1  # the new child got the whole run


def test_when_the_child_fails_mid_turn_the_turn_trains_here_and_says_so(failing_proc, caplog):
    s = TrainingSession.new(TINY, cap_size=500)
    s.start()
    with caplog.at_level(logging.ERROR, logger="rnnviz"):
        s.tick_in(failing_proc, 0.1)
    assert s.trainer.step > 0 and s.running  # trained here; nothing lost
    assert "trainer process failed" in caplog.text


def test_a_run_changed_while_its_turn_is_prepared_is_not_sent_half_changed(proc):
    from rnnviz.runtime.trainproc import Stale

    class ChangesOnSecondEntry:  # the page changes the learning rate between the job and the pickling
        entered = 0

        def __enter__(self):
            self.entered += 1
            if self.entered == 2:
                tr.update(lr=0.003)

        def __exit__(self, *exc):
            return False

    tr = make_run("adding", arch="lstm", seq_len=10, hidden_size=8, batch_size=16)
    sent = proc.sent
    with pytest.raises(Stale):
        proc.train(tr, 10, 1.0, lock=ChangesOnSecondEntry())
    assert proc.sent == sent and tr.step == 0
    tr.apply_delta(proc.train(tr, 10, 30.0))  # the next turn sends the changed run and trains it
    assert tr.step == 10 and proc.sent == sent + 1


def test_a_class_of_races_is_sent_once_not_every_turn(proc):
    # 20 students racing 6 models are 120 runs visited in a cycle: an LRU smaller than the cycle
    # (the child kept 64) missed on every turn and pickled every run whole again; 100 here
    runs = [make_run("adding", arch="rnn", seq_len=6, hidden_size=4, batch_size=4) for _ in range(100)]
    sent = proc.sent
    for _ in range(2):
        for tr in runs:
            tr.apply_delta(proc.train(tr, 1, 30.0))
    assert proc.sent == sent + len(runs) and all(tr.step == 2 for tr in runs)
    assert proc.kept >= len(runs)


def test_the_child_forgets_the_runs_the_server_let_go(proc):
    import gc

    runs = [make_run("adding", arch="lstm", seq_len=6, hidden_size=4, batch_size=4) for _ in range(3)]
    gc.collect()
    for tr in runs + runs[:1]:  # the last turn tells the child about any run collected before
        tr.apply_delta(proc.train(tr, 1, 30.0))
    kept = proc.kept
    del runs[1:], tr  # a Reset, a new race, a closed tab: the server's copies are freed
    gc.collect()
    runs[0].apply_delta(proc.train(runs[0], 1, 30.0))
    assert proc.kept == kept - 2  # the child's copies went with them
