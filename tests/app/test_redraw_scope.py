"""Issue 10, latency: moving a slider rebuilds only the figures that depend on it. The gate heatmaps stay
as they were when the time step t moves; the Gradients page's own figures stay when 'Train each for' moves.
(AppTest reruns the whole script, so this checks the page-level memo; the browser reruns only the fragment.)"""

import json

import pytest
from appkit import go, new_app, wait_jobs

import rnnviz.plots.gates as gates
import rnnviz.plots.gradients as gradients

TINY = {"hidden": 4, "seq_len": 12}


def counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def wrapper(*a, **k):
        calls.append(a[1] if len(a) > 1 else None)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def titles(at):
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize("arch, gates_drawn", [("lstm", 5), ("gru", 3)])
def test_moving_t_on_gates_keeps_the_heatmaps(monkeypatch, arch, gates_drawn):
    built = counting(monkeypatch, gates, "gate_heatmap")
    at = go(new_app(**TINY, arch=arch), "pages/3_Gates.py")
    assert len(built) == gates_drawn and len(at.get("plotly_chart")) == gates_drawn + 3
    at.slider(key="g_t").set_value(2).run()
    assert not at.exception and len(built) == gates_drawn  # t moved: no heatmap rebuilt
    assert any("at step t=2 " in t for t in titles(at))  # ...but the cell diagram follows t
    at.slider(key="g_t").set_value(7).run()
    assert len(built) == gates_drawn and any("at step t=7 " in t for t in titles(at))
    at.selectbox(key="g_example").set_value(3).run()  # another example: its own heatmaps
    assert not at.exception and len(built) == 2 * gates_drawn
    go(at, "pages/1_Train.py").button(key="rv_step").click().run()  # one training step: the model changed
    assert len(built) == 2 * gates_drawn
    go(at, "pages/3_Gates.py")  # drawn again from the new trace
    assert len(built) == 3 * gates_drawn and "trained for" in " ".join(c.value for c in at.caption)


def test_train_each_for_rebuilds_only_the_comparison(monkeypatch):
    built = counting(monkeypatch, gradients, "grad_through_time")
    at = go(new_app(**TINY), "pages/5_Gradients.py")
    assert len(built) == 2  # the session's curve and the three architectures
    at.select_slider(key="gr_cmp_steps").set_value(100).run()
    assert not at.exception and len(built) == 2  # the three train as a job of the shared worker: progress first
    assert any("Training the RNN, the LSTM and the GRU" in p.text for p in at.get("progress"))
    wait_jobs(at)
    assert len(built) == 3
    assert built[-1].startswith("Same task, same seed")
    at.select_slider(key="gr_cmp_steps").set_value(0).run()  # back: the comparison is kept too
    assert len(built) == 3
