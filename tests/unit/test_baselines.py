"""The field's baselines for the Recognise page (1-NN DTW, MiniRocket): scores, truncation, unequal lengths,
the command line, the shipped results and the live re-run in a child process."""

import time

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.data.archives import NAMES
from rnnviz.errors import ConfigError
from rnnviz.signals.baselines import FRACTIONS, METHODS, BaselineRun, hold_last, run_baselines, shipped


def wait(run, seconds=150):
    end = time.monotonic() + seconds
    while run.view().status == "running" and time.monotonic() < end:
        time.sleep(0.2)
    return run.view()


def test_hold_last_keeps_the_steps_seen_then_holds_the_last():
    x = np.array([[[1.0], [2.0], [3.0], [0.0]], [[5.0], [6.0], [7.0], [8.0]]], dtype=np.float32)
    out = hold_last(x, np.array([2, 4]))
    assert out.shape == (2, 1, 4) and out.dtype == np.float64  # sktime's layout [n, channels, steps]
    assert out[0, 0].tolist() == [1, 2, 2, 2]
    assert out[1, 0].tolist() == [5, 6, 7, 8]


def test_dtw_on_gun_point_is_well_above_chance_and_whole_equals_fraction_one():
    said = []
    r = run_baselines("gun_point", methods=("dtw",), limit=20, progress=lambda p, w: said.append((p, w)))
    m = r["methods"]["dtw"]
    assert r["test"] == 20 and r["chance"] <= 0.6
    assert m["accuracy"] >= 0.8  # two classes: chance is 0.5; the full test split gives about 0.91
    assert r["fractions"] == list(FRACTIONS) and len(m["by_fraction"]) == len(FRACTIONS)
    assert m["by_fraction"][-1] == m["accuracy"]  # all of each sequence seen: the same input, the same answers
    assert m["by_fraction_refit"][-1] == m["accuracy"] and len(m["by_fraction_refit"]) == len(FRACTIONS)
    assert np.array(m["confusion"]).shape == (2, 2) and np.array(m["confusion"]).sum() == 20
    assert m["size"] == 50 and m["fit_s"] >= 0 and m["predict_ms"] > 0 and m["numba_compiled_later"] == 0
    fractions = [p for p, _ in said]
    assert len(said) > 2 * len(FRACTIONS) and fractions == sorted(fractions) and fractions[-1] == 1.0


def test_unequal_lengths_run():
    r = run_baselines("japanese_vowels", methods=("dtw",), fractions=(0.5, 1.0), limit=9)
    assert not r["equal_length"] and r["length_min"] < r["max_len"]
    m = r["methods"]["dtw"]
    assert 0 <= m["by_fraction"][0] <= 1 and m["by_fraction"][1] == m["accuracy"] >= 0.5  # nine speakers


@pytest.mark.parametrize(
    "kw", [dict(methods=("knn",)), dict(limit=0), dict(fractions=(0.0,)), dict(fractions=(1.5,)), dict(methods=())]
)
def test_bad_arguments_raise_config_error(kw):
    with pytest.raises(ConfigError):
        run_baselines("gun_point", **kw)


@pytest.mark.parametrize(
    "args",
    [
        ["--data", "nope", "--baselines"],
        ["--data", "gun_point", "--baselines", "--methods", "dtw,knn"],
        ["--data", "gun_point", "--baselines", "--limit", "0"],
        ["--data", "gun_point", "--baselines", "--limit", "x"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args, capsys):
    assert main(["recognise", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: error:") and len(err.strip().splitlines()) == 1


def test_shipped_results_cover_every_set_and_method():
    doc = shipped()
    assert doc is not None
    assert "recognise --data all --baselines" in doc["command"] and doc["date"][:2] == "20"
    assert doc["machine"]["cpus"] >= 1 and doc["versions"]["sktime"]
    assert set(doc["sets"]) == set(NAMES)
    for r in doc["sets"].values():
        assert r["limit"] is None and r["test"] == r["test_total"]
        assert set(r["methods"]) == set(METHODS)
        for m in r["methods"].values():
            assert 0 <= m["accuracy"] <= 1 and all(0 <= a <= 1 for a in m["by_fraction"])
            assert m["by_fraction"][-1] == m["by_fraction_refit"][-1] == m["accuracy"]
            assert all(0 <= a <= 1 for a in m["by_fraction_refit"]) and m["numba_compiled_later"] == 0
            assert np.array(m["confusion"]).sum() == r["test"]


def test_live_run_in_a_child_process_finishes_with_a_result():
    # a one-channel set: univariate MiniRocket compiles in about 20 s on a fresh machine (the six-channel kind: 50 s)
    run = BaselineRun.start("italy_power", ["--limit", "4"])
    assert BaselineRun.start("italy_power") is run  # one at a time per set
    assert BaselineRun.current("italy_power") is run
    v = wait(run)
    assert v.status == "done", v.error
    assert v.progress == 1.0 and v.error == "" and v.seconds > 0
    r = v.result["sets"]["italy_power"]
    assert r["test"] == 4 and set(r["methods"]) == set(METHODS)
    assert r["methods"]["minirocket"]["size"] == 9996
    assert "--progress-lines" in v.result["command"] and v.result["machine"]["cpus"] >= 1


def test_live_run_that_fails_says_why_in_one_line():
    v = wait(BaselineRun.start("gun_point", ["--limit", "0"]), 60)
    assert v.status == "failed" and v.result is None
    assert v.error == "--limit must be at least 1, got 0"
