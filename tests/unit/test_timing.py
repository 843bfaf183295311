"""The one timing method: warm-up, interleaved repeats, median and spread; the busy-server note."""

import pytest
import torch

from rnnviz.compare import speed
from rnnviz.compare.timing import Load, threads, time_calls
from rnnviz.errors import ConfigError


def test_time_calls_warms_up_interleaves_and_takes_the_median():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in ("a", "b", "c")}
    out = time_calls(fns, repeats=4)
    assert calls[:3] == ["a", "b", "c"]  # one untimed warm-up each
    rounds = [calls[3 + 3 * r : 6 + 3 * r] for r in range(4)]
    assert all(sorted(r) == ["a", "b", "c"] for r in rounds)  # every round times each once
    assert [r[0] for r in rounds] == ["a", "b", "c", "a"]  # in a rotating order
    assert all(t.n == 4 and t.low_ms <= t.median_ms <= t.high_ms for t in out.values())
    with pytest.raises(ConfigError):
        time_calls(fns, repeats=0)


def test_threads_come_back_and_a_busy_server_is_named():
    was = torch.get_num_threads()
    with threads(2):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == was
    assert Load(0.5, 2, 0).note() is None
    note = Load(3.5, 2, 1).note()
    assert "load average is 3.5 on 2 cores" in note and "1 model for other pages" in note


def test_thread_gain_counts_depth_and_work():
    g = speed.thread_gain(archs=("rnn", "transformer"), T=12, batch=2, hidden=8, repeats=1)
    m = g["models"]
    assert g["threads"] == [1, 2] and len(m["rnn"]["step_ms"]) == 2
    assert m["rnn"]["depth"] == 12 and m["transformer"]["depth"] == 1
    assert m["rnn"]["work_flops"] == 3 * 2 * 8 * (2 + 8) * 12 * 2  # counted from the cell's matrices
    assert m["transformer"]["work_flops"] > 0  # counted by PyTorch's FLOP counter
    assert torch.get_num_threads() == 1
    assert "computations one after another" in speed.describe_threads(g)[0]


def test_what_the_second_thread_bought_is_said_as_measured():
    g = {"threads": [1, 2], "models": {"rnn": {"label": "vanilla RNN", "step_ms": [10.0, 9.0]}}}
    g["models"]["transformer"] = {"label": "Transformer", "step_ms": [10.0, 6.0]}
    said = speed.describe_gain(g)
    assert "**Transformer** 1.67x as fast" in said and "**vanilla RNN** 1.11x" in said and "slower" not in said
    for m in g["models"].values():
        m["step_ms"] = [10.0, 20.0]
    assert "*slower*" in speed.describe_gain(g) and "busy" not in speed.describe_gain(g)
    assert "busy with other work" in speed.describe_gain(g, busy=True)
