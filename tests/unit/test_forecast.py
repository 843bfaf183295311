"""Forecasting: the offline series and their sources, the CSV reader's refusals, the baselines and scores
computed by hand, a tiny end-to-end forecast, the random-walk lesson and the command line."""

import importlib
import json

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.data.series import MAX_VALUES, Series, SeriesError, csv_table, load, read_csv, stock
from rnnviz.signals.forecast import (
    ForecastConfig,
    ets,
    forecast,
    mae,
    mase,
    naive,
    random_walk_verdict,
    score_table,
    seasonal_naive,
    verdict,
)

# ----- loaders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, n, first, last_year, season",
    [
        ("sunspots", 309, 5.0, "2008", 11),
        ("co2", 2284, 316.1, "2001", 52),
        ("elnino", 732, 23.11, "2010", 12),
        ("nile", 100, 1120.0, "1970", 1),
    ],
)
def test_each_builtin_series_loads_with_its_dates_and_the_packages_own_source(name, n, first, last_year, season):
    s = load(name)
    assert s.values.shape == (n,) and np.all(np.isfinite(s.values)) and s.values[0] == pytest.approx(first)
    assert len(s.dates) == n and np.all(np.diff(s.dates) > np.timedelta64(0, "D")) and str(s.dates[-1]).startswith(last_year)
    assert s.season == season
    m = importlib.import_module(f"statsmodels.datasets.{name}")
    assert " ".join(m.SOURCE.split()).split(" ")[0] in s.source  # read from the installed package
    assert "statsmodels" in s.source and "public domain" in s.licence.lower()
    assert " ".join(m.COPYRIGHT.split()) in s.licence


def test_seattles_weather_comes_from_vega_datasets_own_files_in_celsius():
    from vega_datasets import local_data

    h = load("seattle_hourly")
    raw = local_data.seattle_temps()
    assert h.season == 24 and h.frequency == "hourly" and h.unit == "°C"
    assert len(h) == 8760 and str(h.dates[0]).startswith("2010-01-01T00") and str(h.dates[-1]).startswith("2010-12-31T23")
    assert np.all(np.diff(h.dates) == np.timedelta64(1, "h"))  # evenly spaced: a missing hour is filled and marked
    assert int(h.filled.sum()) == 8760 - len(raw)
    assert h.values[0] == pytest.approx((raw["temp"].iloc[0] - 32) * 5 / 9, abs=0.01)
    assert 0 < h.values.min() < 6 and 20 < h.values.max() < 30  # a (smooth, average) Seattle year in °C, not °F
    assert "NOAA" in h.source and "vega_datasets 0.9.0" in h.source and "public domain" in h.licence.lower()
    d = load("seattle_daily_max")
    assert len(d) == 1461 and d.season == 365 and "same day last year" in d.season_note
    assert d.values[:2].tolist() == local_data.seattle_weather()["temp_max"].iloc[:2].tolist()
    july, january = d.values[181:212].mean(), d.values[:31].mean()
    assert july > january + 10  # the yearly season is there


@pytest.mark.parametrize("company, n", [("msft", 123), ("amzn", 123), ("ibm", 123), ("goog", 68), ("aapl", 123)])
def test_five_real_share_prices_are_monthly_closes(company, n):
    s = load(f"stock_{company}")
    assert len(s) == n and s.frequency == "monthly" and s.season == 1 and s.unit == "dollars"
    assert np.all((np.diff(s.dates) >= np.timedelta64(28, "D")) & (np.diff(s.dates) <= np.timedelta64(31, "D")))
    assert str(s.dates[-1]) == "2010-03-01" and np.all(s.values > 0)
    assert "one price per month" in s.notes[0]  # the package says daily; the file is monthly, and the page says so
    ForecastConfig().resolve(s)  # the default window and horizon fit even Google's shorter history


def test_co2_missing_weeks_are_filled_marked_and_plausible():
    s = load("co2")
    raw = importlib.import_module("statsmodels.datasets.co2").load_pandas().data["co2"].to_numpy()
    assert s.filled.sum() == np.isnan(raw).sum() == 59
    measured = ~s.filled
    assert np.array_equal(s.values[measured], raw[measured])  # measured weeks untouched
    for i in np.flatnonzero(s.filled):  # each filled week lies near the measured weeks around it
        near = raw[max(0, i - 30) : i + 30]
        near = near[np.isfinite(near)]
        assert near.min() - 2 <= s.values[i] <= near.max() + 2
    assert "59 of 2,284 weeks" in s.notes[0]


def test_stock_is_a_seeded_random_walk():
    a, b, c = stock(seed=3), stock(seed=3), stock(seed=4)
    assert np.array_equal(a.values, b.values) and not np.array_equal(a.values, c.values)
    assert a.values[0] == 100 and np.all(a.values > 0) and a.dates is None and "random walk" in a.source
    with pytest.raises(SeriesError):
        load("bitcoin")


# ----- CSV -------------------------------------------------------------------------------------

GOOD = "date,sales,region\n" + "".join(f"{2020 + y}-{m:02d}-01,{10 + m % 12 + y},north\n" for y in range(3) for m in range(1, 13))


def test_a_good_csv_keeps_every_row_and_reads_its_dates_and_season():
    s = read_csv(GOOD.encode(), "sales", "date", name="shop.csv")
    assert len(s.values) == 36 and s.values[0] == 11 and s.values[-1] == 10 + 0 + 2
    assert s.season == 12 and s.frequency == "monthly" and str(s.dates[-1]) == "2022-12-01"
    t = csv_table(GOOD.encode())
    assert t.numeric == ("sales",) and "date" in t.dates and t.header
    headerless = "\n".join(str(v) for v in range(40)).encode()
    assert read_csv(headerless).values.tolist() == list(map(float, range(40)))
    years = csv_table(("year,flow\n" + "1900,3\n" * 40).encode())
    assert years.numeric == ("flow", "year") and years.dates == ("year",)  # the picker offers the values first
    semis = ("when;level\n" + "".join(f"{1900 + i};{i * 0.5}\n" for i in range(40))).encode()
    y = read_csv(semis, "level", "when")
    assert str(y.dates[0]) == "1900-01-01" and y.season == 1 and y.values[3] == 1.5


def _rows(values):
    return ("x\n" + "".join(f"{v}\n" for v in values)).encode()


BAD = {
    "empty": (b"", "empty"),
    "header only": (b"x,y\n", "no rows"),
    "non-numeric": (_rows([*range(20), "abc", *range(20)]), "not all numbers: line 22"),
    "too short": (_rows(range(10)), "has 10 values"),
    "too long": (_rows(range(MAX_VALUES + 1)), "limit is 20,000"),
    "missing values": (("x,y\n" + "1,1\n" * 20 + ",5\n" + "2,2\n" * 20).encode(), "1 empty cell (line 22)"),
    "wrong encoding": (("x\n" + "café\n" * 40).encode("latin-1"), "not UTF-8"),
    "junk": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 10, "binary"),
    "ragged": (b"a,b\n1,2\n3,4,5,6\n" + b"1,2\n" * 40, "same number of columns"),
}


@pytest.mark.parametrize("what", list(BAD))
def test_each_bad_csv_gets_one_clear_message_and_nothing_is_lost(what):
    data, words = BAD[what]
    kept = bytes(data)
    with pytest.raises(SeriesError) as e:
        col = "x" if what in ("non-numeric", "too short", "missing values", "wrong encoding") else None
        read_csv(data, col)
    msg = str(e.value)
    assert words in msg and "\n" not in msg and len(msg) < 220, msg
    assert data == kept  # the caller's bytes are untouched; a good file still reads after a bad one
    assert len(read_csv(GOOD.encode(), "sales").values) == 36


def test_csv_column_and_date_mistakes_are_named():
    with pytest.raises(SeriesError, match="pick one"):
        read_csv(("a,b\n" + "1,2\n" * 40).encode())
    with pytest.raises(SeriesError, match="no column 'z'"):
        read_csv(GOOD.encode(), "z")
    backwards = ("d,v\n" + "".join(f"20{30 - i:02d}-01-01,{i}\n" for i in range(30))).encode()
    with pytest.raises(SeriesError, match="not in order"):
        read_csv(backwards, "v", "d")


# ----- baselines and scores, by hand --------------------------------------------------------------


def test_baselines_and_mase_by_hand():
    train, test = np.array([1.0, 3.0, 2.0, 5.0]), np.array([4.0, 6.0])
    it, one = naive(train, test)
    assert it.tolist() == [5, 5] and one.tolist() == [5, 4]
    assert mae(test, it) == 1.0 and mae(test, one) == 1.5  # (|4-5| + |6-5|)/2 and (|4-5| + |6-4|)/2
    s_it, s_one = seasonal_naive(train, test, 2)
    assert s_it.tolist() == [2, 5] and s_one.tolist() == [2, 5]
    assert seasonal_naive(train, test, 1)[0].tolist() == it.tolist()  # season 1 is the naive forecast
    # MASE = MAE / mean |y_t - y_(t-1)| over the training stretch = 1.0 / ((2 + 1 + 3) / 3)
    assert mase(test, it, train) == pytest.approx(0.5)
    assert mase(test, test, train) == 0.0


def test_ets_follows_a_trend_and_a_season_from_the_training_stretch_only():
    t = np.arange(120, dtype=float)
    y = 10 + 0.5 * t + 3 * np.sin(2 * np.pi * t / 12)
    it, one, what = ets(y[:96], y[96:], 12)
    assert "season of 12" in what
    assert mae(y[96:], one) < 0.3 and mae(y[96:], it) < 1.0  # the naive forecast is off by ~6 here
    it2, _, _ = ets(y[:96], y[96:] + 100, 12)  # held-out values cannot change the iterated forecast
    assert np.allclose(it, it2)


# ----- end to end ------------------------------------------------------------------------------


def test_a_tiny_forecast_scores_every_model_and_says_who_lost():
    s = load("nile")
    cfg = ForecastConfig(window=8, horizon=12, archs=("gru", "rnn"), hidden=8, steps=25, seeds=2)
    r = forecast(s, cfg)
    assert set(r.scores) == set(r.one_step_scores) == {"naive", "seasonal_naive", "ets", "gru", "rnn"}
    assert r.n_train == 88 and r.nets["gru"].iterated.shape == (2, 12)
    for sc in r.scores.values():
        assert sc["mase"] == pytest.approx(sc["mae"] / np.mean(np.abs(np.diff(s.values[:88]))))
    assert r.scores["naive"]["mae"] == pytest.approx(np.mean(np.abs(s.values[88:] - s.values[87])))
    text = " ".join(verdict(r))
    best_base = min(r.scores[m]["mae"] for m in ("naive", "seasonal_naive", "ets"))
    assert ("GRU loses" in text) == (r.scores["gru"]["mae"] > best_base)
    assert list(score_table(r)["model"])[0] in text or "Best" in text
    again = forecast(s, cfg)
    assert again.scores == r.scores  # one thread, seeded: the same numbers


def test_no_model_beats_naive_on_a_random_walk():
    r = forecast(stock(n=400), ForecastConfig(horizon=150, archs=("lstm",), hidden=8, steps=60))
    lines = random_walk_verdict(r)
    assert lines[0].startswith("**No model beats the naive forecast**"), lines
    assert r.one_step_scores["naive"]["mae"] <= min(s["mae"] for s in r.one_step_scores.values()) + 0.02


def test_real_prices_get_a_verdict_about_real_prices():
    r = forecast(load("stock_ibm"), ForecastConfig(archs=("gru",), hidden=8, steps=40))
    lines = random_walk_verdict(r)
    assert "walk" not in lines[0] and "seed" not in lines[0]
    if lines[0].startswith("**No model"):
        assert "next month equals this one" in lines[0]
    else:
        assert "five companies" in lines[0]
    assert any(line.startswith("The GRU") for line in lines[1:])


def test_sizes_that_do_not_fit_the_series_are_refused_in_one_line():
    with pytest.raises(SeriesError, match="need at least"):
        ForecastConfig(window=60, horizon=50).resolve(load("nile"))
    with pytest.raises(SeriesError, match="window must be"):
        ForecastConfig(window=0).resolve(load("nile"))


# ----- command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (["--series", "jupiter"], "no series or file called 'jupiter'"),
        (["--series", "nile", "--window", "0"], "window must be"),
        (["--series", "nile", "--steps", "many"], "invalid int value"),
        (["--series", "nile", "--column", "x"], "go with a CSV file"),
        (["--series", "nile", "--horizon", "95"], "need at least"),
    ],
)
def test_forecast_cli_bad_arguments_get_one_line_and_exit_2(args, words, capsys):
    assert main(["forecast", *args, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and err.count("\n") == 0 and "Traceback" not in err


def test_forecast_cli_on_a_csv_prints_one_json_object_with_every_score(tmp_path, capsys):
    path = tmp_path / "flow.csv"
    path.write_text("year,flow,note\n" + "".join(f"{1900 + i},{100 + 10 * np.sin(i / 3):.3f},ok\n" for i in range(60)))
    assert (
        main(
            [
                "forecast",
                "--series",
                str(path),
                "--column",
                "flow",
                "--date-column",
                "year",
                "--steps",
                "15",
                "--hidden",
                "8",
                "--json",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    obj = json.loads(out)
    assert set(obj["scores"]) == {"naive", "seasonal_naive", "ets", "rnn", "lstm", "gru"}
    for s in obj["scores"].values():
        assert set(s) == {"mae", "mase"} and all(isinstance(v, float) for v in s.values())
    assert obj["series"]["source"].startswith("Uploaded by you: flow.csv") and "%" in err  # progress on stderr


def test_the_verdict_explains_a_loss_when_the_held_out_values_leave_the_training_range():
    t = np.arange(80, dtype=float)
    rising = Series("line", "A rising line", 10 + 2 * t + np.sin(t), None, "m", "one per row", 1, "none", "made up", "ours")
    r = forecast(rising, ForecastConfig(window=8, horizon=15, archs=("rnn",), hidden=4, steps=10))
    text = " ".join(verdict(r))
    assert r.scores["ets"]["mae"] < r.scores["rnn"]["mae"] and "vanilla RNN loses" in text
    assert "15 of the 15 held-out values lie above anything in the training stretch" in text
