"""The Forecast page's Streamlit glue: the series picker (built-in or an uploaded CSV, checked before
anything changes), the link's choices, and the forecast as a job of the shared worker (single flight:
a class pressing the same button shares one job and its result)."""

from __future__ import annotations

import streamlit as st

from ..data.series import BUILTIN, MAX_CSV_BYTES, Series, SeriesError, csv_table, load, read_csv
from ..runtime.jobs import Job
from ..signals.forecast import (
    ForecastConfig,
    ForecastResult,
    SeedForecast,
    default_sizes,
    forecast_job,
    forecast_key,
    series_fingerprint,
)
from . import jobs

OWN = "csv"  # the series selectbox's option for an uploaded file


@st.cache_resource(show_spinner=False)
def builtin(name: str) -> Series:
    """A built-in series, loaded once per process (read-only)."""
    return load(name)


def series_key(series: Series) -> str:
    """A short fingerprint of a series' values (an uploaded one is known by its contents)."""
    return series_fingerprint(series)


def start(slot: str, series: Series, cfg: ForecastConfig) -> Job:
    """The forecast job for this series and config (the one already on the board, or a new one for the
    worker): ``slot`` is "forecast" or "walk". Raises SeriesError when the sizes do not fit."""
    return jobs.ask(slot, forecast_key(series, cfg), lambda: forecast_job(series, cfg))


def matches(job: Job | None, series: Series | None, cfg: ForecastConfig) -> bool:
    """Whether the page's current choices would give this job's result (same series, same config)."""
    if job is None or series is None:
        return False
    try:
        return job.key == forecast_key(series, cfg)
    except SeriesError:
        return False


def partial(v, kind: str) -> tuple[dict, dict | None]:
    """While a job runs: (forecasts, band) from what it has so far: the baselines once they are fitted,
    each network as the mean of its finished seeds."""
    p = v.ctx
    if p is None:
        return {}, None
    i = 0 if kind == "iterated" else 1
    out = {k: f[i] for k, f in p.baselines.items()}
    band = {}
    done: list[SeedForecast] = [q for q in v.pieces.values() if q is not None]
    for a in p.config.archs:
        rows = [(q.iterated if kind == "iterated" else q.one_step) for q in done if q.arch == a]
        if rows:
            import numpy as np

            m = np.stack(rows)
            out[a] = m.mean(0)
            if len(rows) > 1:
                band[a] = (m.min(0), m.max(0))
    return out, band or None


def sizes_from_link(series: Series | None) -> None:
    """After the link filled the widgets: a link that named a series keeps its window and horizon (those it
    did not name take the series' own), instead of the series' defaults replacing them."""
    linked = st.session_state.pop("rv_linked_forecast", None)
    if not linked or series is None:
        return
    w, h = default_sizes(series)
    st.session_state.setdefault("fc_window", min(w, 120))
    st.session_state.setdefault("fc_horizon", min(h, 300))
    if "window" not in linked:
        st.session_state["fc_window"] = min(w, 120)
    if "horizon" not in linked:
        st.session_state["fc_horizon"] = min(h, 300)
    st.session_state["fc_sized_for"] = series_key(series)


def own_csv() -> tuple[Series | None, str]:
    """The uploader and its column pickers. Returns (series, "") when the file and the chosen columns
    make a usable series, (None, why) when they do not (why is "" while no file is chosen)."""
    up = st.file_uploader(
        "A CSV file: one value per row, optionally a date column",
        type=["csv", "txt", "tsv"],
        key="fc_upload",
        max_upload_size=MAX_CSV_BYTES // 1_000_000,
    )
    if up is None:
        return None, ""
    data = up.getvalue()
    try:
        table = csv_table(data)
    except SeriesError as e:
        return None, str(e)
    c1, c2, c3 = st.columns(3)
    column = c1.selectbox("Column to forecast", table.numeric, key="fc_column", persist_state="session")
    dates = [d for d in table.dates if d != column]
    date_col = c2.selectbox(
        "Date column",
        [*dates, "(none)"],
        key="fc_date",
        persist_state="session",
        help="Optional: dates give the x axis and the season.",
    )
    season = c3.number_input(
        "Season length (0: from the dates)",
        0,
        400,
        0,
        key="fc_season",
        persist_state="session",
        help="How many steps a repeating pattern takes: 12 for monthly data with a yearly pattern, 7 for daily data "
        "with a weekly one. 0 reads it from the dates (none without dates).",
    )
    try:
        s = read_csv(data, column, None if date_col == "(none)" else date_col, name=up.name)
    except SeriesError as e:
        return None, str(e)
    if season:
        from dataclasses import replace

        s = replace(s, season=int(season), season_note=f"set by you: {int(season)} steps")
    return s, ""


def held_out_start(series: Series, horizon: int) -> int:
    """Where the held-out stretch of `horizon` values starts (kept inside the series for a preview)."""
    return max(1, len(series.values) - max(1, int(horizon)))


def first_days(r: ForecastResult, n: int) -> tuple[int, int]:
    """The index range of a little history and the first n held-out values (a zoomed first view)."""
    return r.n_train - n // 2, r.n_train + n


def pick_series() -> tuple[Series | None, str]:
    """The series selectbox (and the CSV uploader when chosen): (series, why-not)."""
    options = [*BUILTIN, OWN]
    titles = {n: builtin(n).title for n in BUILTIN} | {OWN: "Your own CSV file…"}
    name = st.selectbox("Series", options, format_func=titles.get, key="fc_series", persist_state="session")
    if name == OWN:
        return own_csv()
    return builtin(name), ""


def source_box(s: Series) -> None:
    """Where the series comes from, its licence and what was done to it, in a caption."""
    extra = " ".join(s.notes)
    st.caption(
        f"**{s.title}** · {len(s.values):,} values, {s.frequency}, in {s.unit} · season: {s.season} "
        f"({s.season_note}).  \n**Source:** {s.source}  \n**Licence:** {s.licence}" + (f"  \n**Notes:** {extra}" if extra else "")
    )
