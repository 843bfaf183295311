"""Figures that point at the lesson, export tables, and earlier runs kept by a session (issue 14)."""

import json

import numpy as np
import plotly.io as pio
import pytest

import rnnviz  # noqa: F401
from rnnviz.inspect import at_chance, history_frame, inspect_model
from rnnviz.plots.gates import gru_cell_diagram
from rnnviz.plots.marks import label_boxes, png_config, spread_labels
from rnnviz.plots.states import pca_path, state_heatmap
from rnnviz.plots.training import loss_figure
from rnnviz.runtime.runs import build_run
from rnnviz.runtime.session import PAST_RUNS, TrainingSession, compare_label
from rnnviz.settings import Settings
from rnnviz.tasks import get_task
from rnnviz.unroll import visible_steps

TINY = Settings(hidden=6, seq_len=16, batch=8)


@pytest.fixture(scope="module")
def insp():
    run = build_run(TINY)
    run.run(n_steps=3)
    return inspect_model(run.model, run.task, TINY.seq_len, TINY.seed)


def test_trace_to_frame_is_long_and_matches_the_arrays(insp):
    tr = insp.trace
    df = tr.to_frame()
    assert list(df.columns) == ["step", "unit", "layer", "quantity", "value"]
    assert set(df.quantity) == {"hidden", "cell", "input_gate", "forget_gate", "cell_candidate", "output_gate", "hidden_grad"}
    row = df[(df.quantity == "forget_gate") & (df.step == 5) & (df.unit == 2)]
    assert row.value.item() == pytest.approx(float(tr.gates["forget_gate"][0, 0, 5, 2]))
    assert len(df) == 7 * 16 * 6
    every = tr.to_frame(example=None)
    assert list(every.columns)[0] == "example" and len(every) == 8 * len(df)
    ex3 = every[(every.example == 3) & (every.quantity == "hidden") & (every.step == 15)].sort_values("unit")
    assert np.allclose(ex3.value, tr.hidden[0, 3, 15])


def test_key_steps_are_the_adding_markers_and_are_drawn(insp):
    for ex in range(3):
        marks = insp.key_steps(ex)
        x = insp.batch.x[ex].numpy()
        assert len(marks) == 2 and all(x[t, 1] == 1 for t in marks)
    fig = state_heatmap(insp.states("hidden"), insp.labels(0), "t", marks=insp.key_steps(0), marks_name=insp.key_steps_name)
    stars = [a for a in fig.layout.annotations if a.text == "★"]
    assert sorted(a.x for a in stars) == insp.key_steps(0)
    assert any("marked numbers" in (t.name or "") for t in fig.data)
    # the unrolled graph always draws them, however long the sequence
    shown = visible_steps(200, 3, 3, keep=[150, 40, 77])
    assert {40, 77, 150} <= set(shown) and None in shown


def test_the_default_unit_is_the_one_that_varies_most(insp):
    unit, why = insp.informative_unit("hidden")
    var = insp.trace.hidden[0].reshape(-1, 6).var(0)
    assert unit == int(np.argmax(var)) and f"unit {unit}" in why and "varies the most" in why


def test_pca_labels_do_not_overlap():
    rng = np.random.default_rng(0)
    coords = np.cumsum(rng.normal(size=(120, 2)) * 0.05, axis=0)
    coords[40:80] = coords[40] + rng.normal(size=(40, 2)) * 1e-3  # a tight cluster, where labels used to pile up
    kept = spread_labels(coords, [0, 119, 60, *range(0, 120, 15)])
    assert kept[:2] == [0, 119]
    box = label_boxes(coords)
    assert len(kept) >= 3
    for i, a in enumerate(kept):
        for b in kept[i + 1 :]:  # the two label boxes are apart across or up and down
            assert box[a, 1] <= box[b, 0] or box[b, 1] <= box[a, 0] or box[a, 3] <= box[b, 2] or box[b, 3] <= box[a, 2]
    fig = pca_path(coords, np.array([0.5, 0.2]), [str(t) for t in range(120)], highlight=60, marks=[45, 90])
    assert sum(bool(t) for t in fig.data[0].text) == len(spread_labels(coords, [0, 119, 60, 45, 90, *range(0, 120, 15)]))


def test_gru_cell_diagram_shows_the_real_numbers():
    fig = gru_cell_diagram(r=0.25, z=0.8, n=-0.5, h_prev=0.4, h=0.2 * -0.5 + 0.8 * 0.4, t=3, unit=1, label="★0.42")
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "+0.220" in texts and "update gate z" in texts and "reset gate r" in texts and "0.800" in texts


def test_history_frame_and_at_chance():
    run = build_run(TINY, eval_every=2)
    run.run(n_steps=4)
    df = history_frame(run.history)
    assert list(df.step) == [0, 1, 2, 3, 4] and df.heldout_loss.notna().sum() == 3 and np.isnan(df.loss[0])
    adding, first = get_task("adding"), get_task("first_symbol")
    assert at_chance(adding, 0.16) and not at_chance(adding, 0.02)
    assert at_chance(first, 0.27) and not at_chance(first, 0.6) and not at_chance(first, float("nan"))


def test_png_button_is_named_after_the_figure():
    cfg = png_config("Hidden states, example 1")
    assert cfg["toImageButtonOptions"] == {"format": "png", "filename": "rnnviz-hidden-states--example-1", "scale": 2}


def test_a_session_keeps_its_last_runs_labelled_with_what_differed():
    s = TrainingSession.new(TINY.replace(arch="rnn"))
    s.trainer.run(n_steps=3)
    s.rebuild(TINY)  # a new architecture
    assert len(s.past) == 1 and s.past_curves()[0][0] == "vanilla RNN (now LSTM)"
    assert s.past_curves()[0][1] == [1, 2, 3]
    s.trainer.run(n_steps=2)
    s.apply(s.settings.replace(clip=False))  # a live change, then a fresh run with it
    s.reset()
    labels = [label for label, _, _ in s.past_curves()]
    assert labels == [
        "gradient clipping on (now off); changed while training",
        "vanilla RNN, gradient clipping on (now LSTM, off)",
    ]
    s.reset()  # an untrained run is not kept
    assert len(s.past) == 2
    for _ in range(PAST_RUNS + 1):
        s.trainer.run(n_steps=1)
        s.reset()
    assert len(s.past) == PAST_RUNS
    s.clear_past()
    assert s.past == ()
    assert compare_label(TINY, TINY) == "same settings"
    fig = loss_figure([1, 2], [1.0, 0.5], 0.17, 0.01, "mse", past=[("vanilla RNN (now LSTM)", [1, 2, 3], [0.3, 0.2, 0.1])])
    assert fig.data[0].name == "training loss (each batch)"  # the live run keeps its place
    assert fig.data[-1].name == "earlier run: vanilla RNN (now LSTM)" and fig.data[-1].line.dash == "dashdot"


def test_the_train_pages_quick_figures_pass_plotlys_checks_and_keep_their_lines():
    """The Train page's charts are built without plotly's property checks (rnnviz.plots.style.quick_figure):
    built again with the checks on they must be accepted, and show the same traces, lines and axes."""
    import plotly.graph_objects as go

    from rnnviz.plots.training import grad_norm_figure, metric_figure

    run = build_run(TINY)
    run.run(n_steps=60)
    h = run.history
    figs = [
        loss_figure(h.step, h.loss, 0.17, 0.01, "mse", heldout_steps=h.heldout_step, heldout_loss=h.heldout_loss, past=[]),
        metric_figure(h.step, h.metric, "accuracy", 0.5, 0.95, True, h.heldout_step, h.heldout_metric),
        metric_figure(h.step, h.metric, "MSE", 0.17, 0.01, False),
        grad_norm_figure(h.step, h.grad_norm, [True] * len(h), 1.0),
        loss_figure([], [], 0.17, 0.01, "mse"),
    ]
    for fig in figs:
        checked = go.Figure(fig.to_dict())  # raises ValueError on any unknown property or bad value
        # and what reaches the browser is what plotly would send for the checked figure (a "font_size"
        # shorthand, say, is expanded by the checks but would be sent as is without them)
        assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(checked, validate=False))
        assert [t.name for t in checked.data] == [t.name for t in fig.data]
        assert len(checked.layout.shapes) == len(fig.layout.annotations) >= 1
        assert checked.layout.title.text and checked.layout.xaxis.title.text == "training step"
    assert figs[0].layout.yaxis.type == "log" and figs[1].layout.yaxis.type is None
    assert [a.text for a in figs[0].layout.annotations] == ["chance: 0.17", "solved: 0.01"]
    assert figs[3].data[1].name == "clipped at this step" and figs[4].layout.xaxis.range == (0, 100)


def test_a_loss_chart_without_a_solved_line_draws_only_chance():
    """Tasks with no loss that means "solved" (the Chat page's replies) get the chance line and no solved line."""
    import json

    with_line = json.dumps(loss_figure([1, 2], [2.0, 1.0], 5.0, 0.2, "cross-entropy").to_dict())
    without = json.dumps(loss_figure([1, 2], [2.0, 1.0], 5.0, None, "cross-entropy").to_dict())
    assert "solved: 0.2" in with_line and "chance: 5" in with_line
    assert "solved" not in without and "chance: 5" in without


def test_earlier_runs_on_another_task_or_exploded_do_not_squash_the_live_curve():
    """A student walking the lessons: a sines run that exploded (loss 2.5e34) was drawn on the next task's charts and
    squashed the live run into a flat line at the bottom of a 10^34 axis."""
    s = TrainingSession.new(TINY.replace(task="sines"))
    s.trainer.run(n_steps=3)
    s.rebuild(TINY.replace(task="adding"))
    assert len(s.past) == 1 and s.past_curves() == []  # another task: kept, not drawn
    live = [0.2, 0.1, 0.05]
    exploded = ("explode", [1, 2, 3], [0.3, 5e3, 2.5e34])
    fig = loss_figure([1, 2, 3], live, 0.167, 0.01, "mean squared error", past=[exploded])
    lo, hi = fig.layout.yaxis.range
    assert hi < 4 and lo < -2  # the axis is the live run's (and the reference lines'), up to 100x above it
    assert any(t.name and "explode" in t.name for t in fig.data)  # the earlier run is still drawn
