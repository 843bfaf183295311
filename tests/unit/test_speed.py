"""Speed and memory: streaming steps equal the full forward, the measurements' shape, the shipped results file."""

import copy
import json

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.compare import speed
from rnnviz.models import COMPARE_ARCHS, build_model
from rnnviz.models import stream as streaming
from rnnviz.tasks import get_task


@pytest.mark.parametrize("arch", COMPARE_ARCHS)
@pytest.mark.parametrize("layers", [1, 2])
def test_streaming_equals_the_full_forward_at_every_step(arch, layers):
    """One step at a time with a cache (Transformer: keys and values; CNN: receptive-field buffers) gives
    exactly the full forward's output at every position t."""
    task = get_task("adding")
    m = build_model(arch, task, hidden_size=8, num_layers=layers, seed=1).eval()
    x = task.batch(3, 40, np.random.default_rng(0)).x
    with torch.no_grad():
        full = m(x)  # [B, T, O]
    state = streaming.start(m, 3)
    for t in range(40):
        y, state = streaming.step(m, x[:, t], state)
        torch.testing.assert_close(y, full[:, t], atol=1e-5, rtol=0, msg=lambda s, t=t: f"{arch} step {t}: {s}")


def test_streaming_tokens_and_state_sizes():
    task = get_task("copy")  # token ids in: the embedding path
    x = task.batch(2, 30, np.random.default_rng(1)).x
    sizes = {}
    for arch in COMPARE_ARCHS:
        m = build_model(arch, task, hidden_size=8, seed=2).eval()
        with torch.no_grad():
            full = m(x)
        state, kept = streaming.start(m, 2), []
        for t in range(30):
            y, state = streaming.step(m, x[:, t], state)
            kept.append(streaming.state_bytes(state))
        torch.testing.assert_close(y, full[:, -1], atol=1e-5, rtol=0)
        sizes[arch] = kept
    for arch in ("rnn", "lstm", "gru", "cnn"):
        assert len(set(sizes[arch])) == 1, f"{arch} state should stay the same size"
    assert sizes["lstm"][0] == 2 * sizes["gru"][0]  # h and c
    tr = sizes["transformer"]  # keys and values: 2 * D floats per step and layer, per stream
    assert tr[-1] - tr[-2] == 2 * 8 * 4 * 2 and tr[-1] == 30 * (tr[1] - tr[0])


def test_parallel_measures_step_time_and_depth():
    p = speed.parallel(archs=("gru", "cnn", "transformer"), lengths=(4, 16), batch=2, hidden=8, repeats=1)
    m = p["models"]
    assert m["gru"]["depth"] == [4, 16]  # one dependent step per time step
    assert m["cnn"]["depth"] == [m["cnn"]["depth"][0]] * 2 and m["transformer"]["depth"] == [1, 1]
    assert all(v > 0 for a in m for v in m[a]["step_ms"])


def test_stream_measures_growing_and_fixed_state():
    s = speed.stream(archs=("rnn", "transformer"), max_t=30, positions=(1, 10, 30), hidden=8, window=3)
    assert s["positions"] == [1, 10, 30]
    rnn, tr = s["models"]["rnn"]["state_bytes"], s["models"]["transformer"]["state_bytes"]
    assert rnn == [rnn[0]] * 3 and tr[2] == 30 * tr[0]


def test_shipped_results_file_has_its_command_and_every_model():
    data = speed.load()
    assert data["command"].startswith("python -m rnnviz speed")
    assert data["machine"]["cpu"] and data["machine"]["torch_threads"] >= 1
    p = data["parallel"]["cpu"]
    assert set(p["models"]) == set(COMPARE_ARCHS) and p["lengths"] == list(speed.LENGTHS)
    s = data["stream"]
    assert s["positions"][-1] == 2000 and set(s["models"]) == set(COMPARE_ARCHS)
    assert s["models"]["transformer"]["state_bytes"][-1] > 100 * s["models"]["gru"]["state_bytes"][-1]
    assert "gpu_note" in data and ("cuda" in data["parallel"] or "CPU only" in data["gpu_note"])
    k = data["gru_kernel"]
    assert k["flops_per_step"]["gru"] < k["flops_per_step"]["lstm"]


def test_a_broken_results_file_is_refused_with_one_line(tmp_path):
    good = speed.load()
    bad = copy.deepcopy(good)
    bad["parallel"]["cpu"]["models"]["gru"]["step_ms"].pop()
    path = tmp_path / "speed.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(speed.ResultsError, match="gru step_ms"):
        speed.load(path)
    path.write_text("{not json")
    with pytest.raises(speed.ResultsError, match="cannot read"):
        speed.load(path)
    with pytest.raises(speed.ResultsError, match="no speed results"):
        speed.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "args", [["--archs", "lstm,nope"], ["--lengths", "10,x"], ["--lengths", "0"], ["--max-t", "0"], ["--batch", "-3"]]
)
def test_speed_command_refuses_bad_input(args, capsys):
    assert main(["speed", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnviz: error:")
