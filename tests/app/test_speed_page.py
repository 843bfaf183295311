"""The Speed and memory page draws the shipped measurements and measures a few points live, the same way."""

from appkit import go, new_app, text

from rnnviz.compare import speed, timing
from rnnviz.ui import compare as ui_cmp


def test_speed_page_shows_the_shipped_measurements(monkeypatch):
    at = go(new_app(hidden=4, seq_len=12), "pages/7_Speed.py")
    shown = text(at)
    assert "CPU only" in shown and "python -m rnnviz speed" in shown
    data = speed.load()
    assert len(at.get("plotly_chart")) == 5 + ("threads" in data)
    assert f"{data['gru_kernel']['flops_per_step']['gru']:,} FLOPs" in shown  # the explanation quotes the file
    assert "one CPU thread" in shown and "nothing runs in parallel" in shown
    if "threads" in data:  # one thread against two, and the published table beside it
        assert "Vaswani et al. (2017)" in shown
        published = at.table[-1].value  # the paper's table, beside the measurement
        assert list(published["layer"]) == ["Self-attention", "Recurrent", "Convolutional"]
        assert published["work per layer"][0] == "O(n²·d)" and published["operations one after another"][1] == "O(n)"
        t = data["threads"]["models"]["transformer"]["step_ms"]
        assert f"{t[0] / t[1]:.2f}x" in shown
    # measure here now: one row per (model, length), next to the file's number, with the ratio
    fake = timing.Timing(1.5, 1.4, 1.7, 3)
    monkeypatch.setattr(speed, "time_calls", lambda fns, *a, **k: dict.fromkeys(fns, fake))
    monkeypatch.setattr(ui_cmp, "server_load", lambda: timing.Load(5.0, 2, 3))
    at.button(key="sp_live").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 12 and set(table["now_ms"]) == {1.5} and table["file_ms"].notna().all()
    rnn50 = table[(table["model"] == "vanilla RNN") & (table["T"] == 50)].iloc[0]
    assert rnn50["ratio"] == round(1.5 / rnn50["file_ms"], 2)
    # a busy server is named, not left to contradict the file silently
    assert any("load average is 5.0 on 2 cores" in w.value and "3 models" in w.value for w in at.warning)
