"""The Train page's "Save or load this model" box: a bad file shows one message and changes nothing;
a good one replaces the model when asked, and the sidebar then shows its settings."""

import os
import pickle

from streamlit.testing.v1 import AppTest

from rnnviz.runtime.checkpoints import checkpoint_bytes, load_checkpoint_bytes
from rnnviz.runtime.runs import build_run
from rnnviz.settings import Settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNCHANGED = "Nothing was changed: the model and its history are as they were."


class RunsCode:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def train_page():
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=60)
    at.session_state["hidden"] = 4
    at.session_state["seq_len"] = 8
    at.switch_page("pages/1_Train.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at):
    return [str(e.value) for e in at.error]


def test_bad_files_change_nothing_and_a_good_one_replaces_the_model(tmp_path):
    at = train_page()
    at.button(key="rv_step").click().run()
    s = at.session_state["rv_session"]
    steps, history, settings = s.trainer.step, s.trainer.history.frame(), s.settings
    assert steps > 0
    dl = at.get("download_button")[0]
    assert dl.proto.label == "Download this model" and not dl.proto.disabled
    downloaded = at.session_state["rv_ckpt_bytes"][1]  # the bytes the button offers
    got_settings, _, got = load_checkpoint_bytes(downloaded)
    assert got_settings == settings and got.step == steps and got.history.frame().equals(history)

    def upload(name, data):  # the widget of the latest run (each run builds a new element tree)
        at.file_uploader(key="rv_ckpt_upload").set_value((name, data, "application/octet-stream"))
        at.run()
        assert not at.exception, [e.value for e in at.exception]

    for name, data, phrase in [
        ("random.pt", os.urandom(4000), "not a PyTorch file"),
        ("empty.pt", b"", "empty"),
        ("evil.pt", pickle.dumps(RunsCode(str(tmp_path / "ran"))), "contains code, not just numbers"),
    ]:
        upload(name, data)
        errs = errors(at)
        assert len(errs) == 1 and phrase in errs[0] and errs[0].endswith(UNCHANGED), errs
        assert not [b for b in at.button if b.key == "rv_ckpt_load"]
        s = at.session_state["rv_session"]
        assert s.trainer.step == steps and s.settings == settings and s.trainer.history.frame().equals(history)
    assert not os.path.exists(tmp_path / "ran")

    # a good file: a GRU with other sizes, trained 7 steps; loading it changes the sidebar too
    other = Settings(arch="gru", hidden=6, seq_len=9, batch=16, seed=5)
    tr = build_run(other)
    tr.run(n_steps=7)
    upload("gru.pt", checkpoint_bytes(tr, other))
    assert not errors(at) and any("trained for 7 steps" in str(m.value) for m in at.success)
    assert at.session_state["rv_session"].trainer.step == steps  # nothing changes before Load
    at.button(key="rv_ckpt_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    s = at.session_state["rv_session"]
    assert s.settings == other and s.trainer.step == 7 and s.trainer.history.frame().equals(tr.history.frame())
    assert at.selectbox(key="arch").value == "gru" and at.slider(key="hidden").value == 6
    assert at.slider(key="seq_len").value == 9 and at.session_state["seed"] == 5
    assert not [b for b in at.button if b.key == "rv_apply"]  # no "start a new model?" notice
    assert "trained for 7 steps" in " ".join(str(c.value) for c in at.caption)
    assert at.query_params.get("step") in ("7", ["7"])
