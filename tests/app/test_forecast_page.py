"""The Forecast page: opens with its source stated, trains a tiny model, draws the forecast and the
scores table with the baselines, and runs the random-walk lesson."""

from appkit import go, new_app, text, wait_jobs


def test_forecast_page_trains_tiny_models_and_shows_scores_and_the_stock_lesson():
    at = new_app(fc_steps=50, fc_seeds=2, fc_hidden=8, fc_series="nile", fc_arch="gru")
    go(at, "pages/10_Forecast.py")
    words = text(at)
    assert "Source:" in words and "Cobb" in words and "public domain" in words  # read from statsmodels
    assert at.session_state["fc_window"] == 10 and at.session_state["fc_horizon"] == 20  # the Nile's own sizes
    at.button(key="fc_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wait_jobs(at)  # the worker trains it; the page only reads
    table = at.dataframe[0].value
    assert set(table["model"]) == {"naive", "seasonal naive", "exponential smoothing", "GRU (network)"}
    assert "Best on the held-out stretch" in text(at)
    at.radio(key="fc_kind").set_value("one_step").run()
    assert not at.exception and "One step ahead" in text(at)
    at.slider(key="fc_window").set_value(12).run()  # a changed choice keeps the old forecast, and says so
    assert "changed since this forecast" in text(at) and len(at.dataframe) == 1
    at.slider(key="fc_horizon").set_value(95).run()
    at.button(key="fc_go").click().run()  # sizes that do not fit: one message, the old forecast stays
    assert any("need at least" in e.value for e in at.error) and len(at.dataframe) == 1
    at.button(key="fc_walk_go").click().run()
    wait_jobs(at)
    assert "No model beats the naive forecast" in text(at) or "beat naive on this walk" in text(at)


def test_a_forecast_link_sets_the_choices_and_brings_the_same_forecast_back():
    q = dict(series="nile", network="rnn", window="8", horizon="15", fc_steps="50", fc_seeds="1", fc_units="8", fc_seed="3")
    at = new_app(query={**q, "fc_run": "1"})
    go(at, "pages/10_Forecast.py")
    ss = at.session_state
    assert (ss["fc_series"], ss["fc_arch"], ss["fc_window"], ss["fc_horizon"]) == ("nile", "rnn", 8, 15)
    assert (ss["fc_steps"], ss["fc_seeds"], ss["fc_hidden"], ss["fc_seed"]) == (50, 1, 8, 3)
    wait_jobs(at)  # the link named a made forecast: the page asked the worker for it without a press
    first = at.dataframe[0].value
    assert "vanilla RNN (network)" in set(first["model"])
    assert {k: at.query_params[k] for k in q} == q and at.query_params["fc_run"] == "true"
    again = new_app(query={**q, "fc_run": "1"})  # a second browser: the same numbers, from the same job
    go(again, "pages/10_Forecast.py")
    wait_jobs(again)
    assert again.dataframe[0].value.equals(first)


def test_junk_in_a_forecast_link_gets_one_note_and_legal_values():
    at = new_app(query={"series": "mars", "window": "-4", "fc_steps": "250", "fc_run": "maybe"})
    go(at, "pages/10_Forecast.py")
    notes = " ".join(w.value for w in at.warning)
    assert "series='mars'" in notes and "window='-4'" in notes and "fc_steps=250" in notes
    ss = at.session_state
    assert ss["fc_series"] == "sunspots" and ss["fc_window"] == 2 and ss["fc_steps"] == 200
    assert not at.dataframe  # no forecast was asked for: nothing trains


def test_asking_for_another_forecast_lets_the_first_one_go():
    from rnnviz.runtime.jobs import JobStatus

    at = new_app(fc_steps=1000, fc_seeds=5, fc_hidden=64, fc_series="sunspots", fc_seed=41)
    go(at, "pages/10_Forecast.py")
    at.button(key="fc_go").click().run()
    first = at.session_state["rv_jobs"]["forecast"]
    at.number_input(key="fc_seed").set_value(42).run()
    at.button(key="fc_go").click().run()
    from rnnviz.runtime.jobs import JOBS

    assert at.session_state["rv_jobs"]["forecast"] != first
    assert JOBS.get(first).status is JobStatus.PAUSED  # nobody else watched it: it stops taking turns
    JOBS.get(at.session_state["rv_jobs"]["forecast"]).pause()


def test_weather_and_real_share_prices_from_a_link():
    q = dict(series="seattle_daily_max", fc_steps="50", fc_seeds="1", fc_units="8", prices="ibm", walk_run="1")
    at = new_app(query=q)
    go(at, "pages/10_Forecast.py")
    words = text(at)
    assert "NOAA" in words and "same day last year" in words  # the source and how the yearly season is handled
    assert at.session_state["fc_window"] == 30 and at.session_state["fc_horizon"] == 120
    assert "IBM" in words and "one price per month" in words  # the real prices' source and what the file holds
    assert at.selectbox(key="fc_prices").value == "ibm" and at.number_input(key="fc_walk_seed").disabled
    wait_jobs(at)  # the link named a trained lesson: the three networks train on IBM's prices
    table = at.dataframe[0].value
    assert {"vanilla RNN (network)", "LSTM (network)", "GRU (network)", "naive"} <= set(table["model"])
    lesson = text(at)
    assert "next month equals this one" in lesson or "five companies" in lesson
    assert "shifted one month to the right" in lesson
    at.selectbox(key="fc_series").set_value("seattle_hourly").run()
    assert not at.exception and "climate normals" in text(at)  # the page says what the hourly file really is
