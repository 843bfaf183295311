"""Forecast: a real time series, an RNN/LSTM/GRU against a statistician's baselines, and the stock lesson."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.data.series import STOCKS, company, stock
from rnnviz.models.recurrent import ARCHS
from rnnviz.plots.forecast import forecast_figure
from rnnviz.plots.style import ARCH_LABELS
from rnnviz.signals.forecast import ForecastConfig, default_sizes, random_walk_verdict, score_table, verdict
from rnnviz.ui import forecast as uf
from rnnviz.ui import jobs as ui_jobs

ctx = ui.page("Forecast", "📈", explorer=False, app="forecast")
st.title("Forecast a real time series")
st.markdown(
    "Weather, prices and sea temperatures are sequences, and forecasting them is a job RNNs are often given. "
    "Here a network learns from the past of a real series and forecasts a stretch at the end that it was never "
    "shown. Then the honest question: does it beat the simple rules a statistician would try first? "
    "**Start here:** pick a series, press **Train and forecast**, and compare the errors in the table."
)
st.caption(
    "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages. "
    "Training runs on the server while you look elsewhere, and a class asking for the same forecast shares one."
)
ss = st.session_state
for k, v in (("fc_arch", "lstm"), ("fc_seeds", 3), ("fc_steps", 300), ("fc_hidden", 32), ("fc_seed", 0)):
    ss.setdefault(k, v)

# ----- choose --------------------------------------------------------------------------------
left, right = st.columns([2, 3])
with left:
    series, why = uf.pick_series()
    arch = st.radio(
        "Network", ("rnn", "lstm", "gru"), format_func=ARCH_LABELS.get, horizontal=True, key="fc_arch", persist_state="session"
    )
linked = dict(ss.get("rv_linked_forecast") or {})  # what this session's link asked for (its first visit only)
uf.sizes_from_link(series)
if series is not None and ss.get("fc_sized_for") != uf.series_key(series):
    w, h = default_sizes(series)  # a new series starts from sizes that suit it
    ss.update(fc_window=min(w, 120), fc_horizon=min(h, 300), fc_sized_for=uf.series_key(series))
for k, v in (("fc_window", 20), ("fc_horizon", 30)):  # no series yet (a CSV still to come)
    ss.setdefault(k, v)
with right:
    c1, c2 = st.columns(2)
    window = c1.slider(
        "Window (past values the network sees)",
        2,
        120,
        key="fc_window",
        persist_state="session",
        help="Each forecast reads this many values.",
    )
    horizon = c2.slider(
        "Horizon (values held out at the end)",
        1,
        300,
        key="fc_horizon",
        persist_state="session",
        help="Forecast and scored; never trained on.",
    )
    c3, c4, c5, c6 = st.columns(4)
    seeds = c3.select_slider(
        "Seeds (the band)", (1, 2, 3, 4, 5), key="fc_seeds", persist_state="session", help="Train this many copies."
    )
    steps = c4.select_slider("Training steps", (50, 100, 200, 300, 600, 1000), key="fc_steps", persist_state="session")
    hidden = c5.select_slider("Hidden units", (8, 16, 32, 64), key="fc_hidden", persist_state="session")
    seed = c6.number_input(
        "First seed",
        0,
        9999,
        key="fc_seed",
        persist_state="session",
        help="The copies start from seeds this, this + 1, ...: the same seeds give the same forecast.",
    )
if why:
    st.error(f"{why[0].upper()}{why[1:]}. Nothing was changed: the last forecast is still shown below.")
if series is not None:
    uf.source_box(series)

cfg = ForecastConfig(window, horizon, archs=(arch,), hidden=hidden, steps=steps, seeds=seeds, seed=int(seed))
pressed = st.button("Train and forecast", type="primary", icon=":material/show_chart:", disabled=series is None, key="fc_go")
job = ui_jobs.current("forecast")
if pressed or (linked.get("fc_run") and series is not None and not uf.matches(job, series, cfg)):
    try:
        job = uf.start("forecast", series, cfg)  # a link with fc_run: the same forecast, from the board or made again
    except ValueError as e:
        ss["fc_run"] = False
        st.error(f"{str(e)[0].upper()}{str(e)[1:]}. Nothing was changed.")
ss["fc_run"] = uf.matches(job, series, cfg)  # the link says "made" only for the forecast the choices give


# ----- what happened ---------------------------------------------------------------------------
def draw_result(r, a: str, key) -> None:
    """The finished forecast: the figure, the table and the verdict."""
    k1, k2 = st.columns([3, 2])
    ss.setdefault("fc_kind", "iterated")
    ss.setdefault("fc_whole", False)
    kind = k1.radio(
        "Forecast shown",
        ("iterated", "one_step"),
        format_func={"iterated": "all at once from the end of the history", "one_step": "one step ahead, each day anew"}.get,
        horizontal=True,
        key="fc_kind",
        persist_state="session",
    )
    whole = k2.toggle("Show the whole history", key="fc_whole", persist_state="session")
    net = r.nets[a]
    band = (
        {a: (net.iterated.min(0), net.iterated.max(0))} if kind == "iterated" else {a: (net.one_step.min(0), net.one_step.max(0))}
    )
    show_last = None if whole else max(4 * r.config.horizon, 3 * r.config.season, 60)
    fig = ui.shared_figure(
        ("result", key, kind, whole),  # a class looking at one forecast builds its figure once
        lambda: forecast_figure(
            r.series.axis,
            r.series.values,
            r.n_train,
            r.forecasts(kind),
            band if r.config.seeds > 1 else None,
            title=r.series.title,
            unit=r.series.unit,
            kind=kind,
            show_last=show_last,
            filled=r.series.filled,
            x_title=r.series.axis_label,
        ),
    )
    st.plotly_chart(fig, key="fc_figure")
    st.caption(
        (
            "**All at once**: standing at the end of the history, each model forecasts the whole held-out stretch, "
            "feeding its own guesses back in as if they had happened. Errors pile up as it goes. "
            if kind == "iterated"
            else "**One step ahead**: for every held-out point, each model is shown the true values just before it "
            "and forecasts only the next one (yesterday's real value to forecast today). Much easier. "
        )
        + f"The thick line is the {ARCH_LABELS[a]}"
        + (
            f", the mean of {r.config.seeds} copies trained from different seeds; the shaded band spans them. "
            if r.config.seeds > 1
            else ". "
        )
        + "Dashed lines are the baselines; black is what really happened."
    )
    st.markdown("#### Who forecast best? Errors on the held-out stretch")
    table = score_table(r)
    st.dataframe(
        table,
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.3g") for c in table.columns if c.startswith("MA")},
    )
    st.caption(
        f"MAE: the average distance between forecast and truth, in {r.series.unit}. MASE divides it by how far "
        f"the series moves in one step on average in the history ({r.scale:.3g}): below 1 is better than "
        "“the next value equals this one” was on the data the models learned from. Lower is better in every column."
    )
    st.markdown("\n".join(f"- {line}" for line in verdict(r, kind)))
    st.caption(f"Exponential smoothing here: {r.ets_description}, fitted on the history only.")


drawn = job.status if job is not None else None  # what this run draws the job as (the live fragment redraws when it changes)


partial_n = {}  # how many pieces the partial figure drawn last had (a redraw without a new one draws nothing)


def draw_partial(place, v, n: int) -> None:
    """While the job trains: the forecasts it has so far (the baselines, then each network as its seeds
    finish); the figure is built once per new piece for the whole class."""
    if v.ctx is None:
        return
    p = v.ctx
    n_done = sum(q is not None for q in v.pieces.values())
    if partial_n.get("n") == n_done:
        return
    partial_n["n"] = n_done

    def build():
        forecasts, band = uf.partial(v, "iterated")
        return forecast_figure(
            p.series.axis,
            p.series.values,
            p.n_train,
            forecasts,
            band,
            title=p.series.title,
            unit=p.series.unit,
            show_last=max(4 * p.config.horizon, 3 * p.config.season, 60),
            filled=p.series.filled,
            x_title=p.series.axis_label,
        )

    with place.container():
        st.plotly_chart(ui.shared_figure(("partial", v.key, n_done), build), key=f"fc_partial_{n}")
        st.caption(
            "The baselines are ready; each network's forecast appears as soon as a copy has finished training "
            f"({n_done} of {len(v.steps)} so far)."
        )


@st.fragment(run_every=ui_jobs.live_every(drawn))
def live_forecast() -> None:
    """The job while it trains: progress, Pause / Go on and the partial forecast (rnnviz.ui.jobs.live)."""
    partial_n.clear()
    ui_jobs.live("forecast", drawn, lambda v: f"Forecasting with the {ARCH_LABELS[v.key[2].archs[0]]}", "fc", draw_partial)


if job is None:
    if series is not None:
        st.plotly_chart(
            forecast_figure(
                series.axis,
                series.values,
                uf.held_out_start(series, horizon),
                {},
                title=series.title,
                unit=series.unit,
                x_title=series.axis_label,
            ),
            key="fc_preview",
        )
        st.caption(
            "The shaded end is held out: press **Train and forecast** and every model forecasts it without having seen it."
        )
elif not job.done:
    live_forecast()
else:
    r = job.view().result
    if not uf.matches(job, series, cfg):
        st.info("The choices above changed since this forecast was made: press **Train and forecast** to redo it.")
    with ui_jobs.result("forecast", job):
        draw_result(r, next(iter(r.nets)), job.key)

# ----- the stock lesson ---------------------------------------------------------------------------
st.divider()
st.markdown("### The stock lesson: forecasting share prices")
st.markdown(
    "Share prices are the classic thing people hope a neural network will forecast. Start with a made-up price: "
    "every day it moves up or down by a random percentage, like a coin toss, with no memory of yesterday. "
    "That is a **random walk**. Then try five real companies' prices, one a month from 2000 to 2010: do they "
    "behave any differently?"
)
PRICES = {"walk": "A made-up random walk", **{k: f"{company(k)}: real prices" for k in STOCKS}}
s1, s2, s3 = st.columns([2, 1, 3])
ss.setdefault("fc_prices", "walk")
ss.setdefault("fc_walk_seed", 0)
prices = s1.selectbox("Prices", tuple(PRICES), format_func=PRICES.get, key="fc_prices", persist_state="session")
walk_seed = s2.number_input(
    "Walk seed",
    0,
    9999,
    key="fc_walk_seed",
    persist_state="session",
    help="A different seed draws a different walk.",
    disabled=prices != "walk",
)
walk = stock(seed=int(walk_seed)) if prices == "walk" else uf.builtin(f"stock_{prices}")
s3.caption(f"**Source:** {walk.source} **Terms:** {walk.licence} {' '.join(walk.notes)}")
walk_cfg = ForecastConfig(archs=ARCHS, hidden=hidden, steps=steps, seeds=seeds, seed=int(seed))
walk_pressed = st.button(
    "Train the three networks on these prices",
    icon=":material/casino:" if prices == "walk" else ":material/finance:",
    key="fc_walk_go",
    help="A vanilla RNN, an LSTM and a GRU, each with the steps, units, seeds and first seed chosen above.",
)
walk_job = ui_jobs.current("walk")
if walk_pressed or (linked.get("walk_run") and not uf.matches(walk_job, walk, walk_cfg)):
    walk_job = uf.start("walk", walk, walk_cfg)
ss["walk_run"] = uf.matches(walk_job, walk, walk_cfg)


walk_drawn = walk_job.status if walk_job is not None else None


@st.fragment(run_every=ui_jobs.live_every(walk_drawn))
def live_walk() -> None:
    ui_jobs.live("walk", walk_drawn, lambda v: "The stock lesson", "fc_walk")


live_walk()


def walk_area(j) -> None:
    v = j.view()
    w = v.result
    if not uf.matches(j, walk, walk_cfg):
        st.info("The choices above changed since this was trained: press the button to redo it.")
    step = "day" if w.series.name == "stock" else "month"
    bands = {a: (n.one_step.min(0), n.one_step.max(0)) for a, n in w.nets.items()} if w.config.seeds > 1 else None
    st.plotly_chart(
        forecast_figure(
            w.series.axis,
            w.series.values,
            w.n_train,
            w.forecasts("one_step"),
            bands,
            title=w.series.title,
            unit=w.series.unit,
            kind="one_step",
            show_last=100 if step == "day" else 60,
            x_title=w.series.axis_label,
            view=uf.first_days(w, 30) if step == "day" else None,
        ),
        key="fc_walk_figure",
    )
    st.caption(
        ("Zoomed in on the first 30 held-out days (double-click the chart to see them all). " if step == "day" else "")
        + f"Look closely: every forecast line is the black price shifted one {step} to the right. "
        f"Copying last {step}'s price is all any of them found."
    )
    st.markdown("\n".join(f"- {line}" for line in random_walk_verdict(w, "one_step")))
    walk_table = score_table(w, sort="one_step")
    st.dataframe(
        walk_table,
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.3g") for c in walk_table.columns if c.startswith("MA")},
    )


if walk_job is not None and walk_job.done:
    walk_area(walk_job)
st.markdown(
    "**Why nothing beats “tomorrow equals today” here.** Each day's move is drawn fresh, so nothing in the past "
    "says which way the next one goes. The best any forecaster can do is today's price, which is exactly the naive "
    "forecast. A network can at best learn to copy the last value; whatever else it picked up from the history is a "
    "pattern that was never there (it fitted noise), and that only adds error. If a model beats naive over the whole "
    "held-out stretch “all at once”, that is luck: draw another walk with a new seed and the winner changes. "
    "**Real prices behave the same way:** if last month's price told you which way this month's would go, traders "
    "would already have bought or sold on it, and the price would have moved. So the test for any forecast of real "
    "data is the same: check it against the naive forecast, with the luck band, before trusting it."
)

ui.share(ctx)
