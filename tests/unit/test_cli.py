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
    assert (
        main(
            [
                "train",
                "--task",
                "adding",
                "--arch",
                "gru",
                "--seq-len",
                "12",
                "--hidden",
                "8",
                "--steps",
                "30",
                "--seed",
                "1",
                "--eval-every",
                "10",
                "--json",
                "--save",
                str(ck),
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["model_config"]["arch"] == "gru" and out["train_config"]["seq_len"] == 12
    assert len(out["history"]["loss"]) == 30
    assert {"loss", "metric", "solved", "steps", "seconds"} <= set(out["final"])
    assert out["final"]["steps"] == 30 and isinstance(out["final"]["solved"], bool)
    held = out["history"]["heldout"]
    assert held["step"] == [0, 10, 20, 30] and len(held["loss"]) == len(held["metric"]) == 4
    assert out["history"]["seq_len"] == [12] * 30 and out["train_config"]["eval_every"] == 10
    obj = torch.load(ck, weights_only=True)
    assert obj["model_config"]["hidden_size"] == 8
    npz = tmp_path / "t.npz"
    assert main(["trace", "--load", str(ck), "--out", str(npz)]) == 0
    z = np.load(npz)
    for key in ("hidden", "reset_gate", "update_gate", "candidate", "output", "loss", "hidden_grad", "core_input"):
        assert key in z.files, key
    assert z["hidden"].shape == (1, 8, 12, 8) and z["hidden_grad"].shape == (1, 8, 12, 8)
    assert main(["trace", "--load", str(ck), "--arch", "lstm", "--out", str(npz)]) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--arch", "transformer"],
        ["train", "--hidden", "0"],
        ["train", "--hidden", "100000"],
        ["train", "--seq-len", "5000"],
        ["train", "--layers", "9"],
        ["train", "--lr", "abc"],
        ["train", "--task", "nope"],
        ["trace", "--load", "/etc/hostname", "--out", "x.npz"],
        ["trace", "--load", "/no/such/file", "--out", "x.npz"],
        ["frobnicate"],
        ["train", "--hidden", "9999"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, capsys):
    try:  # in this process (a new one per case costs seconds of importing torch); see the test below
        code = main(args)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("rnnviz: error:")


@pytest.mark.parametrize("args", [["frobnicate"], ["train", "--hidden", "0"]])
def test_bad_input_from_a_real_shell_is_one_line_and_exit_2(args):
    p = run(*args)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("rnnviz: error:")


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--hidden", "9999"],
        ["train", "--task", "copy", "--seq-len", "3"],
        ["train", "--clip", "-1"],
        ["train", "--optimizer", "rmsprop"],
        ["train", "--seed", "1.5"],
        ["train", "--eval-every", "0"],
        ["train", "--text", "/etc/hostname"],
        ["train", "--task", "charlm", "--text", "/no/such/file"],
    ],
)
def test_bad_setting_is_one_line_and_exit_2_in_process(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: error:") and len(err.strip().splitlines()) == 1


def test_final_is_evaluate_of_the_same_run(capsys):
    from rnnviz.runtime.runs import build_run
    from rnnviz.settings import Settings

    args = [
        "train",
        "--task",
        "copy",
        "--arch",
        "RNN",
        "--hidden",
        "5",
        "--steps",
        "25",
        "--seed",
        "2",
        "--lr",
        "0.03",
        "--no-clip",
        "--init",
        "orthogonal",
        "--recurrent-scale",
        "0.9",
        "--json",
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["train_config"]["seq_len"] == 20  # copy's default length
    assert out["train_config"]["clip"] is False and out["model_config"]["recurrent_scale"] == 0.9
    run = build_run(
        Settings(arch="rnn", task="copy", seq_len=20, hidden=5, seed=2, lr=0.03, clip=False, init="orthogonal", scale=0.9)
    )
    run.run(n_steps=25)
    ev = run.evaluate()
    assert out["history"]["loss"] == run.history.loss
    assert {k: out["final"][k] for k in ev} == ev and out["history"]["heldout"]["step"] == [0]


def test_diverged_run_gives_json_with_nulls(capsys):
    args = [
        "train",
        "--arch",
        "rnn",
        "--seq-len",
        "30",
        "--hidden",
        "16",
        "--optimizer",
        "sgd",
        "--lr",
        "1",
        "--no-clip",
        "--nonlinearity",
        "relu",
        "--init",
        "identity",
        "--recurrent-scale",
        "3",
        "--steps",
        "300",
        "--eval-every",
        "1",
        "--json",
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["final"]["status"] == "diverged" and out["final"]["loss"] is None
