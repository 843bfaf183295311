"""The command line: JSON out, checkpoints, traces, and one clear line for bad input."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from rnnviz.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "rnnviz", *args], capture_output=True, text=True, timeout=300)


def test_tasks_lists_every_task():
    p = run("tasks")
    assert p.returncode == 0
    names = [line.split()[0] for line in p.stdout.splitlines()]
    assert {"adding", "copy", "reber", "anbn", "sines", "charlm", "sentiment", "waveform"} <= set(names)


def test_train_json_save_and_trace(tmp_path, capsys):
    ck = tmp_path / "m.pt"
    assert main(["train", "--task", "adding", "--arch", "gru", "--seq-len", "12", "--hidden", "8",
                 "--steps", "30", "--seed", "1", "--json", "--save", str(ck)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model_config"]["arch"] == "gru" and out["train_config"]["seq_len"] == 12
    assert len(out["history"]["loss"]) == 30
    assert {"loss", "metric", "solved", "steps", "seconds"} <= set(out["final"])
    assert out["final"]["steps"] == 30 and isinstance(out["final"]["solved"], bool)
    obj = torch.load(ck, weights_only=True)
    assert obj["model_config"]["hidden_size"] == 8
    npz = tmp_path / "t.npz"
    assert main(["trace", "--load", str(ck), "--out", str(npz)]) == 0
    z = np.load(npz)
    for key in ("hidden", "reset_gate", "update_gate", "candidate", "output", "loss", "hidden_grad", "core_input"):
        assert key in z.files, key
    assert z["hidden"].shape == (1, 8, 12, 8) and z["hidden_grad"].shape == (1, 8, 12, 8)
    assert main(["trace", "--load", str(ck), "--arch", "lstm", "--out", str(npz)]) == 2


@pytest.mark.parametrize("args", [
    ["train", "--arch", "transformer"], ["train", "--hidden", "0"], ["train", "--hidden", "100000"],
    ["train", "--seq-len", "5000"], ["train", "--layers", "9"], ["train", "--lr", "abc"],
    ["train", "--task", "nope"], ["trace", "--load", "/etc/hostname", "--out", "x.npz"],
    ["trace", "--load", "/no/such/file", "--out", "x.npz"], ["frobnicate"],
])
def test_bad_input_is_one_line_and_exit_2(args):
    p = run(*args)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("rnnviz: error:")
