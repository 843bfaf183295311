"""Checkpoints as bytes: a round trip gives the same model, history and further training; every kind of
bad file gets one readable line and leaves the run it would have replaced as it was."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.errors import CheckpointError
from rnnviz.runtime.checkpoints import (
    FORMAT,
    MAX_BYTES,
    MSG_CODE,
    checkpoint_bytes,
    checkpoint_dict,
    file_name,
    load_checkpoint_bytes,
)
from rnnviz.runtime.runs import build_run
from rnnviz.runtime.session import RunCache, TrainingSession
from rnnviz.runtime.training import checkpoint
from rnnviz.settings import Settings

TINY = Settings(hidden=8, seq_len=10, batch=16)


@pytest.fixture(scope="module")
def trained():
    tr = build_run(TINY, eval_every=5)
    tr.run(n_steps=12)
    return tr


def saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def trace_arrays(model, task, seq_len=10):
    b = task.example_batch(4, seq_len, 0)
    tr = model.trace(b.x, b.y, b.mask)
    return tr.hidden, tr.output, tr.hidden_grad


def test_round_trip_same_traces_history_and_further_training(trained):
    data = checkpoint_bytes(trained, TINY)
    settings, text, tr = load_checkpoint_bytes(data)
    assert settings == TINY and text is None and tr.step == trained.step == 12
    for a, b in zip(trace_arrays(trained.model, trained.task), trace_arrays(tr.model, tr.task)):
        np.testing.assert_array_equal(a, b)
    assert tr.history.frame().equals(trained.history.frame())
    assert tr.history.heldout_frame().equals(trained.history.heldout_frame())
    assert tr.snapshots.step == trained.snapshots.step
    for a, b in zip(tr.snapshots.grad_norm, trained.snapshots.grad_norm):
        np.testing.assert_array_equal(a, b)
    assert (tr.status, tr.solved_at, tr.message) == (trained.status, trained.solved_at, trained.message)
    # the loaded run goes on exactly as the original: optimiser moments and data stream restored
    original = trained.clone()
    original.run(n_steps=8)
    tr.run(n_steps=8)
    assert tr.history.frame().equals(original.history.frame())
    for p, q in zip(tr.model.parameters(), original.model.parameters()):
        assert torch.equal(p, q)


def test_round_trip_own_text_and_untrained():
    text = "the quick brown fox jumps over the lazy dog. " * 6
    s = Settings(task="charlm", hidden=4, seq_len=12, batch=8)
    tr = build_run(s, text)
    settings, got_text, loaded = load_checkpoint_bytes(checkpoint_bytes(tr, s, text))
    assert settings == s and got_text == text and loaded.step == 0 and len(loaded.history) == 0
    assert loaded.task.tokens == tr.task.tokens


def test_file_name():
    assert file_name(Settings(), 1200) == "rnnviz-lstm-adding-step1200.pt"


class RunsCode:
    """Unpickling this would create a file: the proof that a loader ran code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def bad_files(trained, tmp_path) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, a phrase its message must contain)."""
    good = checkpoint_bytes(trained, TINY)
    marker = str(tmp_path / "code-ran")
    wrong_tag = checkpoint_dict(trained, TINY)
    wrong_tag["format"] = "rnnviz-checkpoint-99"
    no_tag = {"state_dict": trained.model.state_dict()}
    other_shape = checkpoint_dict(trained, TINY)  # a hidden-8 model's file ...
    other_shape["settings"] = TINY.replace(hidden=16).as_dict()  # ... whose settings say 16
    out_of_range = checkpoint_dict(trained, TINY)
    out_of_range["settings"] = {**TINY.as_dict(), "hidden": 999}
    bad_history = checkpoint_dict(trained, TINY)
    bad_history["trainer"]["history"]["loss"] = bad_history["trainer"]["history"]["loss"][:-1]
    bad_optimizer = checkpoint_dict(trained, TINY)
    bad_optimizer["trainer"]["optimizer"][0]["exp_avg"] = torch.zeros(3)
    nan_weights = checkpoint_dict(trained, TINY)
    nan_weights["state_dict"] = {k: v.clone() for k, v in nan_weights["state_dict"].items()}
    next(iter(nan_weights["state_dict"].values()))[0] = float("nan")
    return {
        "empty": (b"", "empty"),
        "random bytes": (np.random.default_rng(0).bytes(5000), "not a PyTorch file"),
        "text": (b"hello, this is a text file\n" * 20, "not a PyTorch file"),
        "truncated": (good[: len(good) // 2], "cut short"),
        "truncated to its header": (good[:100], "cut short"),
        "pickle with code": (pickle.dumps(RunsCode(marker)), "contains code"),
        "pickle with code, protocol 2": (pickle.dumps(RunsCode(marker), protocol=2), "contains code"),
        "torch.save of an object with code": (saved({"x": RunsCode(marker)}), "contains code"),
        "a plain pickle": (pickle.dumps({"format": FORMAT}), "not a PyTorch file"),
        "wrong format tag": (saved(wrong_tag), "rnnviz-checkpoint-99"),
        "no format tag": (saved(no_tag), "not an rnnviz checkpoint"),
        "a tensor, not a dict": (saved(torch.zeros(3)), "not an rnnviz checkpoint"),
        "weights of another shape": (saved(other_shape), "is 32×2 in the file but that model needs 64×2"),
        "settings out of range": (saved(out_of_range), "hidden='999' is out of range"),
        "history shorter than its steps": (saved(bad_history), "history"),
        "optimizer state of another shape": (saved(bad_optimizer), "optimizer state"),
        "NaN weights": (saved(nan_weights), "NaN"),
        "too big": (b"PK\x03\x04" + bytes(MAX_BYTES), f"at most {MAX_BYTES:,}"),
    }


def test_bad_files_get_one_line_and_change_nothing(trained, tmp_path):
    s = TrainingSession(TINY, trained.clone())
    s.step(seconds=0.0)
    before = (s.settings, s.status, s.trainer.step, s.trainer.history.frame(), s.version)
    weights = {k: v.clone() for k, v in s.trainer.model.state_dict().items()}
    for name, (data, phrase) in bad_files(trained, tmp_path).items():
        with pytest.raises(CheckpointError) as e:
            got = load_checkpoint_bytes(data)
            s.load(*got)  # never reached
        msg = str(e.value)
        assert phrase in msg, (name, msg)
        assert "\n" not in msg and len(msg) < 300 and msg[0].isupper() and msg.endswith("."), (name, msg)
        assert "Traceback" not in msg and "torch" not in msg.lower().replace("pytorch", ""), (name, msg)
    assert not os.path.exists(tmp_path / "code-ran"), "a checkpoint ran code"
    assert (s.settings, s.status, s.trainer.step, s.version) == (before[0], before[1], before[2], before[4])
    assert s.trainer.history.frame().equals(before[3])
    for k, v in s.trainer.model.state_dict().items():
        assert torch.equal(v, weights[k])


def test_code_message_is_the_one_asked_for(tmp_path):
    with pytest.raises(CheckpointError, match="^" + MSG_CODE + "$"):
        load_checkpoint_bytes(pickle.dumps(RunsCode(str(tmp_path / "x"))))
    assert not os.path.exists(tmp_path / "x")


def test_session_load_replaces_the_run(trained):
    s = TrainingSession.new(Settings(hidden=4, seq_len=8, arch="gru"), cap_size=500)
    v = s.version
    settings, text, tr = load_checkpoint_bytes(checkpoint_bytes(trained, TINY))
    s.load(settings, tr, text, source="m.pt")
    assert s.settings == TINY and s.trainer is tr and s.step_count == 12 and s.status == "paused"
    assert s.version > v and s.loaded_from == "m.pt" and s.cap == 500
    cache = RunCache()
    cache.put(s)  # an uploaded model never reaches the cache every session shares
    assert len(cache) == 0 and cache.nearest(TINY, None, 12) is None
    s.reset()
    assert s.loaded_from == "" and s.step_count == 0 and s.settings == TINY


def test_format_1_files_still_load(trained):
    """A file from before the settings and history were saved: the weights and the step count."""
    settings, text, tr = load_checkpoint_bytes(saved(checkpoint(trained)))
    assert settings == TINY and tr.step == 12 and len(tr.history) == 0
    for a, b in zip(trace_arrays(trained.model, trained.task), trace_arrays(tr.model, tr.task)):
        np.testing.assert_array_equal(a, b)


def test_cli_and_browser_read_each_others_files(trained, tmp_path, capsys):
    """`train --save` writes what the upload box reads; `trace --load` reads what the download gives."""
    ck = tmp_path / "cli.pt"
    args = ["train", "--task", "adding", "--arch", "gru", "--seq-len", "10", "--hidden", "8", "--steps", "6"]
    assert main([*args, "--batch", "16", "--seed", "3", "--save", str(ck)]) == 0
    settings, text, tr = load_checkpoint_bytes(ck.read_bytes())
    assert settings == Settings(arch="gru", seq_len=10, hidden=8, batch=16, seed=3) and tr.step == 6
    again = build_run(settings, text, eval_every=50)
    again.run(n_steps=6)
    assert again.history.frame().equals(tr.history.frame())  # the CLI's run, step for step

    page = tmp_path / "rnnviz-lstm-adding-step12.pt"
    page.write_bytes(checkpoint_bytes(trained, TINY))
    npz = tmp_path / "t.npz"
    capsys.readouterr()
    assert main(["trace", "--load", str(page), "--out", str(npz), "--batch", "4"]) == 0
    z = np.load(npz)
    x = torch.from_numpy(z["inputs"])
    ref = trained.model.trace(x, torch.from_numpy(z["targets"]), torch.from_numpy(z["mask"]))
    np.testing.assert_array_equal(z["hidden"], ref.hidden)

    bad = tmp_path / "evil.pt"
    bad.write_bytes(pickle.dumps(RunsCode(str(tmp_path / "ran"))))
    assert main(["trace", "--load", str(bad), "--out", str(npz)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "rnnviz: error: " + MSG_CODE and not os.path.exists(tmp_path / "ran")


def test_a_zip_that_unpacks_to_too_much_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", bytes(MAX_BYTES + 1))
    with pytest.raises(CheckpointError, match="unpacks to"):
        load_checkpoint_bytes(buf.getvalue())
