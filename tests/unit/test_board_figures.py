"""The class board's figures: built from plain dicts for speed, valid when plotly checks them, one legend entry
per architecture, and students' nicknames shown as the plain text they typed."""

import math

import plotly.graph_objects as go

from rnnviz.plots.board import curve_owner, curves_figure, plain, solve_figure


def runs(n=60):
    out = []
    for i in range(n):
        for k, arch in enumerate(("rnn", "lstm", "gru")):
            steps = list(range(0, 3001, 50))
            loss = [0.17 * (0.999**s if arch != "rnn" else 1.0) for s in steps]
            loss[4] = None  # a missing score is a gap
            out.append(
                dict(
                    arch=arch,
                    nickname=f"Student {i + 1}",
                    seed=i,
                    seq_len=50,
                    step=steps,
                    loss=loss,
                    solved_step=None if arch == "rnn" else 1500 + 10 * k,
                )
            )
    return out


def test_the_curves_figure_is_valid_one_trace_per_architecture_and_thinned():
    fig = curves_figure(runs(), 0.1667, 0.01, "mean squared error", "Held-out loss of every run")
    checked = go.Figure(fig.to_dict())  # raises on any property plotly does not know
    assert [t.name for t in checked.data] == ["vanilla RNN (60 runs)", "LSTM (60 runs)", "GRU (60 runs)"]
    rnn = fig.data[0]
    assert len(rnn.x) == 60 * (30 + 1) and rnn.y.dtype == "float32"  # 30 points a run (of 61), a gap after each
    assert rnn.x[1] == 100 and math.isnan(rnn.x[30])  # every other score kept; the gap between runs
    assert rnn.text[0] == "Student 1, seed 0" and rnn.text[31] == "Student 2, seed 1"
    assert math.isnan(rnn.y[2]) and checked.layout.yaxis.type == "log"  # the missing score (step 200) is a gap


def test_a_click_on_a_line_names_the_run_it_belongs_to():
    """The board's click-for-a-link: every point of every trace maps back to the run whose text it carries."""
    rs = runs(4)
    rs.append(dict(arch="lstm", nickname="Short", seed=9, seq_len=50, step=[0, 50], loss=[0.2, 0.1], solved_step=None))
    fig = curves_figure(rs, 0.1667, 0.01, "mean squared error", "t")
    for t, trace in enumerate(fig.data):
        for p in range(len(trace.x)):
            owner = curve_owner(rs, t, p)
            if math.isnan(trace.x[p]):
                assert owner is None  # the gap between two runs
            else:
                assert f"{rs[owner]['nickname']}, seed {rs[owner]['seed']}" == trace.text[p]
    assert curve_owner(rs, 1, len(fig.data[1].x) - 2) == 12  # the last LSTM point: the short run added last
    assert curve_owner(rs, 3, 0) is None and curve_owner(rs, 0, 10**6) is None and curve_owner(rs, 0, -1) is None


def test_the_solve_figure_puts_unsolved_runs_in_a_row_at_the_top():
    fig = go.Figure(solve_figure([dict(r, step=3000) for r in runs(5)], "Steps to solve").to_dict())
    solved = [t for t in fig.data if t.marker.symbol == "circle"]
    hollow = [t for t in fig.data if t.marker.symbol == "circle-open"]
    assert sum(len(t.y) for t in solved) == 10 and sum(len(t.y) for t in hollow) == 5
    assert max(hollow[0].y) > max(max(t.y) for t in solved)
    assert list(fig.layout.xaxis.ticktext) == ["vanilla RNN", "LSTM", "GRU"]


def test_nicknames_are_plain_text_in_hover_and_never_markup_or_template():
    evil = "<a href='x'>%{y}</a>"
    assert plain(evil) == "&lt;a href=&#x27;x&#x27;&gt;&#37;{y}&lt;/a&gt;"
    fig = curves_figure([dict(runs(1)[1], nickname=evil)], 0.17, 0.01, "mse", "t")
    assert fig.data[0].text[0].startswith(plain(evil) + ", seed 0") and "%{text}" in fig.data[0].hovertemplate
    fig = solve_figure([dict(runs(1)[1], nickname=evil, step=3000)], "t")
    assert fig.data[0].customdata[0][0].startswith(plain(evil))
