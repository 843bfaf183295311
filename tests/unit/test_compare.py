"""The Compare lab: a race in turns (same batches, same numbers however the turns fall, one share of
the worker), the sweep's cells (repeatable: a shipped cell re-run gives the file's numbers), data
sizes, the claim table, the command line's refusals, and the figures."""

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from rnnviz.cli import main
from rnnviz.compare.claims import claim_rows, longest_solved
from rnnviz.compare.race import Race, results_table
from rnnviz.compare.sweep import SWEEP_FILE, Cell, PooledTask, load, run_cell, summarise
from rnnviz.errors import ConfigError
from rnnviz.plots.compare import race_figure, solve_rate_figure, steps_to_solve_figure
from rnnviz.runtime.session import RUNS, Worker
from rnnviz.settings import parse


def tiny(task="adding", T=10, **kw):
    return parse({"task": task, "seq_len": T, "hidden": 8, **kw}, strict=True)[0]


def curves(race):
    return {r["arch"]: (r["curve"]["step"], r["curve"]["loss"]) for r in race.results()}


def test_racers_see_the_same_batches_and_turns_do_not_change_the_numbers():
    s = tiny()
    whole = Race.new(s, ["rnn", "cnn", "transformer"], budget=40, stop_when_solved=False).finish()
    rngs = [r.trainer.rng.bit_generator.state for r in whole.racers]
    assert rngs[0] == rngs[1] == rngs[2]  # every racer drew its 40 batches from the same stream
    turns = Race.new(s, ["rnn", "cnn", "transformer"], budget=40, stop_when_solved=False)
    turns.start()
    seen = []
    while not turns.done:
        turns.tick(seconds=0.0)  # one step per turn: the racers interleave step by step
        seen.append(sum(r.trainer.step for r in turns.racers))
    assert seen[:3] == [1, 2, 3]  # three turns, three different racers, one step each
    assert curves(turns) == curves(whole)
    assert turns.status == "done" and all(r["steps"] == 40 for r in turns.results())
    table = results_table(turns.results(), turns.task)
    assert list(table["model"]) == ["vanilla RNN", "causal CNN", "Transformer"]
    assert (table["parameters"] > 0).all()


def test_the_worker_trains_a_race_as_one_session_and_the_cache_ignores_it():
    w = Worker(threads=1, chunk=0.02)
    race = Race.new(tiny(), ["lstm", "gru_attention"], budget=30, stop_when_solved=False)
    race.start()
    w.submit(race)
    w.submit(race)  # a second submit is ignored: one place in the turn order
    assert w.running() == 1
    end = time.time() + 60
    while not race.done and time.time() < end:
        time.sleep(0.05)
    w.stop()
    assert race.done and race.status == "done"
    RUNS.put(race)  # what the worker does with a job that stopped: nothing to cache, no error
    assert curves(race) == curves(Race.new(tiny(), ["lstm", "gru_attention"], budget=30, stop_when_solved=False).finish())
    res = race.results()
    assert all(len(r["curve"]["seconds"]) == len(r["curve"]["step"]) for r in res)


def test_bad_race_arguments_are_refused():
    for archs in ([], ["rnn", "rnn"], ["lstm", "mamba"]):
        with pytest.raises(ConfigError):
            Race.new(tiny(), archs)
    for budget in (0, -1, 10**9, 2.5, True):
        with pytest.raises(ConfigError):
            Race.new(tiny(), ["rnn"], budget=budget)


@pytest.mark.parametrize("arch,seed", [("transformer", 0), ("gru_attention", 0)])
def test_a_shipped_sweep_cell_reruns_to_the_same_numbers(arch, seed):
    shipped = load(SWEEP_FILE)
    assert shipped is not None and shipped["command"].startswith("python -m rnnviz compare")
    want = next(c for c in shipped["cells"] if (c["arch"], c["seq_len"], c["seed"]) == (arch, 10, seed))
    assert want["solved"] and want["solved_at"] <= 200  # a small cell: solved early, so the rerun is short
    got = run_cell(shipped["task"], Cell(arch, 10, seed), budget=shipped["budget"])
    assert (got["solved_at"], got["steps"], got["params"]) == (want["solved_at"], want["steps"], want["params"])
    assert got["curve"]["step"] == want["curve"]["step"]
    np.testing.assert_allclose(got["curve"]["loss"], want["curve"]["loss"], rtol=1e-4)


def test_shipped_sweep_is_complete_and_summarised():
    d = load(SWEEP_FILE)
    assert d["complete"] and d["date"] and "--seeds 3" in d["command"]
    n = len(d["archs"]) * len(d["lengths"]) * len(d["seeds"])
    assert len(d["cells"]) == n and len(d["summary"]) == n // len(d["seeds"])
    assert summarise(d["cells"]) == d["summary"]
    json.dumps(d, allow_nan=False)


def test_training_on_a_fixed_pool_of_sequences():
    s = tiny()
    from rnnviz.runtime.runs import task_for

    t = task_for(s)
    pooled = PooledTask(t, 5, 10, np.random.default_rng(0))
    b = pooled.batch(32, 10, np.random.default_rng(1))
    pool_rows = {tuple(r) for r in pooled.pool.x.reshape(5, -1).numpy().round(6)}
    assert {tuple(r) for r in b.x.reshape(32, -1).numpy().round(6)} <= pool_rows  # only the 5 sequences
    assert pooled.metric is not None and pooled.name == "adding"
    c = run_cell("adding", Cell("rnn", 10, 0, train_size=5), budget=30, hidden=8)
    assert c["train_size"] == 5 and c["steps"] == 30
    fresh = run_cell("adding", Cell("rnn", 10, 0), budget=30, hidden=8)
    assert c["curve"]["loss"][0] == fresh["curve"]["loss"][0]  # the same held-out batch, untrained
    assert c["curve"]["loss"][-1] != fresh["curve"]["loss"][-1]  # trained on other data


def _fake_sweep():
    cells = []
    for arch in ("rnn", "lstm", "cnn", "transformer"):
        for T in (10, 50):
            for seed in (0, 1):
                ok = arch != "rnn" or T == 10
                cells.append(
                    {
                        "arch": arch,
                        "seq_len": T,
                        "seed": seed,
                        "train_size": None,
                        "solved": ok and not (arch == "cnn" and T == 50 and seed == 1),
                        "solved_at": 100 * (1 + seed) if ok else None,
                        "solved_seconds": 1.0 if ok else None,
                        "final_metric": 0.005 if ok else 0.16,
                        "steps_per_second": 50.0,
                        "params": 100,
                        "receptive_field": 255 if arch == "cnn" else None,
                    }
                )
    for c in cells:
        if not c["solved"]:
            c["solved_at"] = c["solved_seconds"] = None
    return {
        "task": "adding",
        "archs": ["rnn", "lstm", "cnn", "transformer"],
        "lengths": [10, 50],
        "seeds": [0, 1],
        "budget": 300,
        "command": "python -m rnnviz compare …",
        "cells": cells,
        "summary": summarise(cells),
    }


def _fake_speed():
    fams = ("rnn", "lstm", "cnn", "transformer")
    parallel = {"lengths": [10, 50, 200], "models": {a: {"step_ms": [1.0, 2.0 + i, 10.0 + i]} for i, a in enumerate(fams)}}
    gains = {"rnn": 1.02, "lstm": 1.1, "cnn": 1.5, "transformer": 1.7}
    threads = {"threads": [1, 2], "models": {a: {"step_ms": [10.0, 10.0 / g]} for a, g in gains.items()}}
    return parallel, threads


def test_claim_table_puts_a_measured_number_beside_every_claim():
    d = _fake_sweep()
    assert longest_solved(d, "rnn") == 10 and longest_solved(d, "lstm") == 50
    assert longest_solved(d, "cnn") == 10 and longest_solved(d, "cnn", every_seed=False) == 50
    parallel, threads = _fake_speed()
    df = claim_rows(d, step_times={"transformer": 0.026}, parallel=parallel, threads=threads)
    assert len(df) == 12 and set(df["feature"]) == {"Sequence handling", "Parallel processing", "Long-term memory"}

    def cell(f, m, col="we measured"):
        return df[(df["feature"] == f) & (df["model"] == m)][col].iloc[0]

    # the step time at each length from the Speed page's file; the live one as a ratio to it
    assert "T=10 1, T=50 5" in cell("Parallel processing", "Transformer")
    assert "now at T=200: 26 ms, 2.00x the file" in cell("Parallel processing", "Transformer")
    assert "a second thread: 1.70x as fast" in cell("Parallel processing", "Transformer")
    assert "1 step one after another" in cell("Parallel processing", "Transformer")
    assert "200 steps one after another" in cell("Parallel processing", "RNN (basic)")
    # the basic RNN and the LSTM differ where they really differ: the longest length solved in every seed
    assert "up to T=10" in cell("Sequence handling", "RNN (basic)") and "T=50 0/2" in cell("Sequence handling", "RNN (basic)")
    assert "up to T=50" in cell("Sequence handling", "RNN (LSTM, gated)")
    assert cell("Sequence handling", "RNN (basic)") != cell("Sequence handling", "RNN (LSTM, gated)")
    assert "T=10" in cell("Long-term memory", "RNN (basic)") and "T=50" in cell("Long-term memory", "RNN (LSTM, gated)")
    # ratings and measurements: agree where they do, and say where they do not
    agree = "does it agree?"
    assert cell("Sequence handling", "RNN (basic)", agree).startswith("not past T=10")
    assert cell("Sequence handling", "RNN (LSTM, gated)", agree).startswith("yes")
    assert cell("Long-term memory", "RNN (LSTM, gated)", agree).startswith("yes: T=50 against the basic RNN's T=10")
    assert cell("Parallel processing", "Transformer", agree).startswith("yes") and cell(
        "Parallel processing", "RNN (basic)", agree
    ).startswith("yes")
    threads["models"]["rnn"]["step_ms"] = [10.0, 5.0]  # the loop gains as much as attention: the table says so
    df = claim_rows(d, parallel=parallel, threads=threads)
    assert cell("Parallel processing", "RNN (basic)", agree).startswith("not here")
    assert df["the article says"].str.len().min() > 10 and df["the run behind it"].str.len().min() > 10
    df = claim_rows(d)  # no speed file: the sweep's own speed, and no verdict on parallelism from one thread
    assert "ms per training step at T=200" not in cell("Parallel processing", "Transformer")
    assert cell("Parallel processing", "Transformer", agree).startswith("cannot show on one thread")


def test_figures_one_trace_per_model():
    c = [
        {"arch": a, "label": a, "step": [0, 25], "loss": [0.2, 0.01], "seconds": [0, 1.0]}
        for a in ("rnn", "lstm", "gru", "cnn", "transformer", "gru_attention")
    ]
    fig = race_figure(c, 1 / 6, 0.01, "MSE")
    assert len(fig.data) == 6 and fig.layout.yaxis.type == "log"
    assert list(race_figure(c, 1 / 6, 0.01, "MSE", x="seconds").data[0].x) == [0, 1.0]
    summ = pd.DataFrame(_fake_sweep()["summary"])
    grid = solve_rate_figure(summ).data[0]
    assert list(grid.y) == ["vanilla RNN", "LSTM", "causal CNN", "Transformer"] and list(grid.x) == ["T=10", "T=50"]
    assert grid.text[0].tolist() == ["2/2", "0/2"] and grid.text[2].tolist() == ["2/2", "1/2"]
    f = steps_to_solve_figure(summ, 300)
    assert len(f.data) == 4 and list(f.data[0].x) == [10]  # the RNN solved only T=10: no point at T=50
    assert all(math.isfinite(v) for v in f.layout.yaxis.range)


@pytest.mark.parametrize(
    "args,words",
    [
        (["--lengths", "10,abc"], "--lengths"),
        (["--lengths", "500"], "from 2 to 200"),
        (["--archs", "rnn,mamba"], "unknown architecture"),
        (["--seeds", "0"], "--seeds"),
        (["--task", "nope"], "task"),
        (["--train-sizes", "0"], "--train-sizes"),
        (["--steps", "0"], "budget"),
        (["--out", "/no/such/dir/x.json"], "cannot write"),
    ],
)
def test_compare_command_refuses_bad_arguments_in_one_line(args, words, capsys):
    assert main(["compare", *args, "--json"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.strip().splitlines()) == 1 and words in out.err


def test_compare_command_prints_one_json_object(capsys):
    argv = [
        "compare",
        "--archs",
        "rnn,transformer",
        "--lengths",
        "10",
        "--seeds",
        "1",
        "--steps",
        "20",
        "--hidden",
        "8",
        "--json",
    ]
    assert main(argv) == 0
    out = capsys.readouterr()
    d = json.loads(out.out)
    assert d["command"] == "python -m rnnviz " + " ".join(argv)
    assert [c["arch"] for c in d["cells"]] == ["rnn", "transformer"] and d["complete"]
    assert out.err.count("\n") == 2 and "[2/2] transformer T=10 seed 0" in out.err
