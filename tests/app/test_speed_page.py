"""The Speed and memory page draws the shipped measurements and measures a few points live."""

from appkit import go, new_app, text

from rnnviz.compare import speed


def test_speed_page_shows_the_shipped_measurements(monkeypatch):
    at = go(new_app(hidden=4, seq_len=12), "pages/7_Speed.py")
    shown = text(at)
    assert "CPU only" in shown and "python -m rnnviz speed" in shown
    assert len(at.get("plotly_chart")) == 5
    data = speed.load()
    assert f"{data['gru_kernel']['flops_per_step']['gru']:,} FLOPs" in shown  # the explanation quotes the file
    # measure here now: one row per (model, length), next to the file's number
    monkeypatch.setattr(speed, "step_time", lambda arch, T, *a, **k: 1.5)
    at.button(key="sp_live").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 12 and set(table["now_ms"]) == {1.5} and table["file_ms"].notna().all()
