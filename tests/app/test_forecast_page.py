"""The Forecast page: opens with its source stated, trains a tiny model, draws the forecast and the
scores table with the baselines, and runs the random-walk lesson."""

from appkit import go, new_app, text


def test_forecast_page_trains_tiny_models_and_shows_scores_and_the_stock_lesson():
    at = new_app(fc_steps=50, fc_seeds=2, fc_hidden=8, fc_series="nile", fc_arch="gru")
    go(at, "pages/10_Forecast.py")
    words = text(at)
    assert "Source:" in words and "Cobb" in words and "public domain" in words  # read from statsmodels
    assert at.session_state["fc_window"] == 10 and at.session_state["fc_horizon"] == 20  # the Nile's own sizes
    at.button(key="fc_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
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
    assert not at.exception, [e.value for e in at.exception]
    assert "No model beats the naive forecast" in text(at) or "beat naive on this walk" in text(at)
