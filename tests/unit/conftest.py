"""Trainer processes for the tests of rnnviz.runtime.trainproc and of what trains through it (sessions, races)."""

import sys

import pytest

from rnnviz.runtime.trainproc import TrainerProcess

FAILS_MID_TURN = (  # says it is ready, reads the first bytes of a job, then exits
    "import pickle, struct, sys; d = pickle.dumps({'ready': True}); "
    "sys.stdout.buffer.write(struct.pack('<Q', len(d)) + d); sys.stdout.flush(); sys.stdin.buffer.read(8)"
)


@pytest.fixture(scope="module")
def proc():
    """A real trainer process, started (importing torch takes seconds), shared by a test module."""
    tp = TrainerProcess()
    assert tp.start(wait=60)
    yield tp
    tp.close()


@pytest.fixture
def failing_proc():
    """A trainer process that says it is ready, then dies in the middle of its first turn."""
    tp = TrainerProcess()
    tp.command = (sys.executable, "-c", FAILS_MID_TURN)
    assert tp.start(wait=30)
    yield tp
    tp.close()
