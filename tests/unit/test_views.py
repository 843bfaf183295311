"""Package pieces behind the pages: graph layout, gradient summaries, inspection, figures."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from rnnviz.inspect import describe_change, inspect_model, orders_of_magnitude
from rnnviz.plots import gates, gradients, graph, states, training
from rnnviz.runtime.runs import compare_archs, tiny_run
from rnnviz.runtime.training import make_run
from rnnviz.settings import Settings, parse
from rnnviz.tasks import get_task
from rnnviz.unroll import node_values, step_numbers, visible_steps


def test_visible_steps_collapse_long_sequences():
    assert visible_steps(5) == [0, 1, 2, 3, 4]
    assert visible_steps(20) == [0, 1, 2, 3, None, 17, 18, 19]
    assert visible_steps(300, 2, 2) == [0, 1, None, 298, 299]
    assert visible_steps(20, keep=9) == [0, 1, 2, 3, None, 9, None, 17, 18, 19]
    assert visible_steps(20, keep=4) == [0, 1, 2, 3, 4, None, 17, 18, 19]


def test_orders_of_magnitude():
    assert orders_of_magnitude(np.array([1e-6, 1e-3, 1.0])) == pytest.approx(6)
    assert orders_of_magnitude(np.array([10.0, 1.0])) == pytest.approx(-1)
    assert describe_change(np.array([1e-6, 1e-3, 1.0])) == "shrinks about 10^6.0-fold (it has vanished)"
    assert describe_change(np.array([10.0, 1.0])).startswith("stays within a factor of")


@pytest.mark.parametrize("norms", [[np.inf, 1.0, 2.0], [1.0, np.nan, 3.0], [1e-3, 1.0, np.inf], [np.nan] * 3, [-np.inf, 1.0]])
def test_no_claim_from_numbers_that_overflowed(norms):
    n = np.array(norms)
    assert np.isnan(orders_of_magnitude(n))
    assert describe_change(n) == "cannot be measured: the numbers overflowed (the run diverged)"


def test_zero_gradients_make_no_false_claim():
    assert np.isnan(orders_of_magnitude(np.zeros(5)))
    assert describe_change(np.zeros(5)).startswith("cannot be measured")
    assert orders_of_magnitude(np.array([0.0, 1e-3, 1.0])) == np.inf  # vanished to exactly zero
    assert "vanished" in describe_change(np.array([0.0, 1e-3, 1.0]))
    assert "10^inf" not in describe_change(np.array([0.0, 1.0]))


def test_tiny_step_numbers_reproduce_the_trace():
    task = get_task("adding")
    run = tiny_run(task, 3, 12, seed=0)
    b = task.batch(1, 12, np.random.default_rng(0))
    n = step_numbers(run, b.x, 5)
    assert n.W_x.shape == (3, 2) and n.W_h.shape == (3, 3)
    np.testing.assert_allclose(np.tanh(n.pre), n.h, atol=1e-5)
    nxt = step_numbers(run, b.x, 6)
    np.testing.assert_allclose(nxt.h_prev, n.h, atol=1e-6)  # h_t becomes the next step's h_(t-1)
    assert len(graph.step_latex(n)) == 2 and r"\tanh" in graph.step_latex(n)[1]
    # token tasks get an embedding small enough to print
    assert tiny_run(get_task("copy"), 2, 12, 0).model.cfg.input_size == 3


def test_node_values_and_graph_figure():
    run = make_run("first_symbol", arch="gru", hidden_size=6, seq_len=30, batch_size=4)
    insp = inspect_model(run.model, run.task, 30, 0, n=4)
    v = node_values(insp, 0)
    assert v["h"].shape == (30,) and v["scored"].sum() == 1 and v["scored"][-1]  # many-to-one
    steps = visible_steps(30)
    for mode in ("forward", "backward"):
        fig = graph.unrolled_figure(steps, v, insp.labels(0), mode, highlight=29)
        assert isinstance(fig, go.Figure) and "Unrolled" in fig.layout.title.text
    names = [t.name for t in fig.data]
    assert any("W_h" in n for n in names) and any("W_x" in n for n in names)


def test_compare_archs_gives_three_curves():
    r = compare_archs(Settings(task="adding", seq_len=20, hidden=8), steps=0)
    assert set(r) == {"rnn", "lstm", "gru"} and all(v.shape == (20,) for v in r.values())


def _labelled(fig):
    assert fig.layout.title.text
    return fig


def test_figures_are_labelled():
    run = make_run("reber", arch="lstm", hidden_size=6, seq_len=15, batch_size=4, snapshot_every=2)
    run.run(n_steps=6)
    h = run.history
    insp = inspect_model(run.model, run.task, 15, 0, n=4)
    labels = insp.labels(0)
    figs = [
        training.loss_figure(h.step, h.loss, 1.9, 0.5, "nats"),
        training.metric_figure(h.step, h.metric, "rate", 0.3, 0.99),
        training.grad_norm_figure(h.step, h.grad_norm, h.clipped, 1.0),
        states.state_heatmap(insp.states(), labels, "h", highlight=3),
        states.step_bar(insp.states()[3], 3, labels[3]),
        states.pca_path(*insp.pca(), labels, highlight=2),
        gates.gate_heatmap(insp.states("forget_gate"), "forget_gate", labels),
        gates.saturation_figure(insp.saturation()),
        gates.lstm_cell_diagram(0.9, 0.1, 0.5, 0.7, 0.2, 0.23, 0.16, 3, 0, "B"),
        gradients.grad_through_time({"LSTM": (insp.grad_norms(), "#000")}, "g"),
        gradients.snapshot_heatmap(*run.snapshots.matrix()),
        gradients.singular_value_figure(h.step, h.max_singular),
        states.loop_figure(),
        graph.shapes_figure(),
    ]
    for f in figs:
        _labelled(f)
    heat = figs[3].data[0]
    assert heat.z.shape == (6, 15) and heat.colorbar.title.text == "h_t"
    assert figs[0].layout.xaxis.title.text == "training step" and figs[0].layout.yaxis.type == "log"
    html = states.activation_text_html(labels, insp.states()[:, 0], "h_t of unit 0")
    assert html.count("<span title=") == 15 and "h_t of unit 0" in html


def test_units_on_finds_the_specific_unit():
    from rnnviz.trace import units_on

    s = np.full((10, 4), -0.5)
    s[3:6, 1] = 0.8  # unit 1: on exactly at steps 3-5
    s[:, 2] = 0.9  # unit 2: always on (not specific)
    s[3:5, 3] = 0.7  # unit 3: on for only part of the stretch
    found = units_on(s, 3, 5, 0.5)
    assert [u for u, _ in found] == [1, 2]
    assert found[0][1] == 0.0 and found[1][1] == 1.0
    assert units_on(s, 0, 9, 0.95) == []


def test_worked_examples_are_shown():
    from rnnviz.tasks import TASKS, get_task

    for name in TASKS:
        ex = get_task(name).worked_example()
        assert ex and "target" in ex and "::" not in ex, name


def test_lstm_cell_values_obey_the_cell_equations():
    run = make_run("reber", arch="lstm", hidden_size=5, num_layers=2, seq_len=12, batch_size=4)
    insp = inspect_model(run.model, run.task, 12, 0, n=3)
    for t in (0, 7):
        v = insp.lstm_cell_values(t, unit=2, layer=1, example=1)
        assert v["c"] == pytest.approx(v["f"] * v["c_prev"] + v["i"] * v["g"], abs=1e-6)
        assert v["h"] == pytest.approx(v["o"] * np.tanh(v["c"]), abs=1e-6)
    assert insp.lstm_cell_values(0, 0)["c_prev"] == 0.0
    assert insp.finite


def test_inspection_finite_is_false_after_an_overflow():
    run = make_run("adding", arch="rnn", hidden_size=4, seq_len=8, batch_size=4)
    assert inspect_model(run.model, run.task, 8, 0, n=2).finite
    with torch.no_grad():
        run.model.core.weight_hh_l0.fill_(float("inf"))
    insp = inspect_model(run.model, run.task, 8, 0, n=2)
    assert not insp.finite
    assert describe_change(insp.grad_norms()).startswith("cannot be measured")
    # lengths are brought into a task's range in one place, settings.parse (with a note)
    assert parse({"task": "copy", "seq_len": 3})[0].seq_len == 9 and parse({"seq_len": 999})[0].seq_len == 200
