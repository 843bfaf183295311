"""The classroom paths that used to end in an exception or a false statement, one test each,
named after the path (issue: one settings value, one training session)."""

import time

from appkit import go, new_app, session, text

from rnnviz.runtime.session import RUNS, Status
from rnnviz.settings import DEFAULT

TINY = {"hidden": 4, "seq_len": 8}
INSPECTION_PAGES = ["pages/2_Hidden_states.py", "pages/3_Gates.py", "pages/4_Unrolled.py", "pages/5_Gradients.py"]


def test_pause_at_the_cap_then_start():
    at = go(new_app(**TINY, rv_cap_w=500), "pages/1_Train.py")
    for _ in range(30):
        at.button(key="rv_step").click().run()
        if session(at).status is Status.AT_CAP:
            break
    s = session(at)
    assert s.status is Status.AT_CAP and s.trainer.step == 500
    assert "500 / 500 steps" in at.get("progress")[0].proto.text
    at.button(key="rv_start").click().run()
    assert not at.exception and session(at).status is Status.RUNNING and session(at).cap == 1000


def test_link_copy_seq_len_5_then_step_then_another_architecture():
    at = go(new_app({"task": "copy", "seq_len": "5"}, hidden=4), "pages/1_Train.py")
    assert session(at).settings.seq_len == 9
    assert any("using 9" in str(w.value) for w in at.warning)
    at.button(key="rv_step").click().run()
    at.session_state["arch"] = "gru"
    at.run()
    at.button(key="rv_apply").click().run()
    assert session(at).settings.arch == "gru" and session(at).trainer.step == 0
    for path in INSPECTION_PAGES:
        go(at, path)


def explode(at):
    at.button(key="gp_explode").click().run()
    go(at, "pages/1_Train.py")
    for _ in range(20):
        at.button(key="rv_step").click().run()
        if session(at).diverged:
            return at
    raise AssertionError("the explode preset did not diverge")


def test_explode_preset_until_diverged_makes_no_claims_from_inf():
    at = explode(go(new_app(hidden=32), "pages/5_Gradients.py"))
    for path in INSPECTION_PAGES:
        go(at, path)
        words = text(at)
        assert "10^inf" not in words and "inf-fold" not in words and "nan" not in words.lower().split()
        assert sum("This run diverged" in str(e.value) for e in at.error) == 1, path
    assert "cannot be measured" in words


def test_two_presets_one_after_the_other_give_no_false_warnings():
    at = go(new_app(**TINY), "pages/5_Gradients.py")
    for name in ("vanish", "explode", "rescue", "healthy", "vanish"):
        at.button(key=f"gp_{name}").click().run()
        assert not at.exception and not at.warning, [w.value for w in at.warning]


def _until(cond, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_length_slider_while_training_keeps_training():
    at = go(new_app(**TINY), "pages/1_Train.py")
    at.button(key="rv_start").click().run()
    s = session(at)
    assert _until(lambda: s.trainer.step > 0)  # the worker trains it (in turns with other tests' sessions)
    at.slider(key="seq_len").set_value(12).run()
    assert s.status is Status.RUNNING and s.trainer.cfg.seq_len == 12 and not at.get("button") == []
    assert not at.button(key="rv_pause").disabled and at.button(key="rv_start").disabled
    assert _until(lambda: s.trainer.history.seq_len[-1:] == [12])  # and goes on at the new length
    go(at, "pages/1_Train.py")
    assert "curriculum" in text(at)


def test_vanish_preset_then_character_model_keeps_the_length():
    at = go(new_app(hidden=4), "pages/5_Gradients.py")
    at.button(key="gp_vanish").click().run()
    at.selectbox(key="task").set_value("charlm").run()
    assert not at.exception and session(at).settings.seq_len == 40 == at.session_state["seq_len"]


def test_gru_gates_page_speaks_of_the_gru():
    at = go(new_app(arch="gru", **TINY), "pages/3_Gates.py")
    words = text(at)
    assert "The candidate and the cell state" not in words and "trained LSTMs" not in words
    assert "update gate" in words


def test_reload_with_the_step_in_the_link_shows_the_same_model():
    at = go(new_app(**TINY), "pages/1_Train.py")
    at.button(key="rv_step").click().run()
    at.button(key="rv_step").click().run()
    s = session(at)
    steps, losses = s.trainer.step, list(s.trainer.history.loss)
    query = {**s.settings.query(), "step": str(steps)}
    assert at.query_params["step"] in (str(steps), [str(steps)])
    again = go(new_app(query), "pages/1_Train.py")  # a reload: a new session from the same link
    assert session(again).trainer.step == steps and session(again).trainer.history.loss == losses
    assert "restored" in text(again)
    RUNS.clear()  # another server: no saved copy, so it trains again from the seed
    third = go(new_app(query), "pages/2_Hidden_states.py")
    assert session(third).trainer.history.loss == losses and "training again" in text(third)


def test_junk_step_in_the_link_gets_a_note_and_an_untrained_model():
    at = go(new_app({"step": "lots", "hidden": "4"}), "pages/1_Train.py")
    assert session(at).trainer.step == 0 and any("step=" in str(w.value) for w in at.warning)


def test_changed_architecture_after_training_asks_with_two_choices():
    at = go(new_app(**TINY), "pages/2_Hidden_states.py")
    s = session(at)
    s.step(seconds=0.0)
    at.selectbox(key="arch").set_value("gru").run()
    assert "You changed the architecture" in text(at) and at.button(key="rv_apply") and at.button(key="rv_keep")
    at.button(key="rv_keep").click().run()
    assert at.session_state["arch"] == "lstm" and session(at) is s and "You changed the architecture" not in text(at)
    at.selectbox(key="arch").set_value("gru").run()
    at.button(key="rv_apply").click().run()
    assert session(at).settings.arch == "gru" and session(at).trainer.step == 0


def test_untrained_model_follows_the_sidebar_at_once():
    at = go(new_app(**TINY), "pages/2_Hidden_states.py")
    at.selectbox(key="arch").set_value("gru").run()
    assert session(at).settings.arch == "gru" and "You changed the architecture" not in text(at)
    assert session(at).settings == DEFAULT.replace(arch="gru", hidden=4, seq_len=8)


def test_train_page_held_out_score_is_the_clis_final_score(capsys):
    """'Solved' on the page means what it means in the CLI: the same held-out batch, the same numbers."""
    import json

    from rnnviz.cli import main

    at = go(new_app(task="first_symbol", hidden=4, seq_len=8, rv_cap_w=500), "pages/1_Train.py")
    for _ in range(40):
        at.button(key="rv_step").click().run()
        if session(at).status is Status.AT_CAP:
            break
    assert session(at).trainer.step == 500
    page = next(m.value for m in at.markdown if m.value.startswith("**Held-out now**"))
    args = ["train", "--task", "first_symbol", "--hidden", "4", "--seq-len", "8", "--steps", "500", "--json"]
    assert main(args) == 0
    final = json.loads(capsys.readouterr().out)["final"]
    ev = session(at).trainer.evaluate()
    assert (ev["loss"], ev["metric"], ev["solved"]) == (final["loss"], final["metric"], final["solved"])
    assert f"loss {final['loss']:.4g}" in page and ("**solved**" if final["solved"] else "**not solved**") in page
