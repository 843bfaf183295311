"""Pages with models of their own fold the explorer's settings away in the sidebar, and the
explorer's model and settings survive a visit to them."""

import pytest
from appkit import go, new_app, session

APPLICATIONS = ["pages/7_Speed.py", "pages/9_Translate.py", "pages/10_Forecast.py", "pages/13_Sounds.py"]


@pytest.mark.parametrize("path", APPLICATIONS)
def test_application_page_folds_the_explorer_settings_and_keeps_the_model(path):
    at = go(new_app({"arch": "gru", "hidden": "16", "seq_len": "20"}), "pages/1_Train.py")
    at.button(key="rv_step").click().run()
    before = session(at)
    step = before.trainer.step
    assert step > 0
    go(at, path)
    labels = [e.label for e in at.sidebar.expander]
    assert "The explorer's model (not used on this page)" in labels, labels
    assert "Training" not in " ".join(labels)  # the explorer's own sections are inside, not beside it
    go(at, "pages/2_Hidden_states.py")
    s = session(at)
    assert s is before and s.trainer.step == step
    assert (s.settings.arch, s.settings.hidden, s.settings.seq_len) == ("gru", 16, 20)
