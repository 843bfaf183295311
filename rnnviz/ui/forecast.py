"""The Forecast page's Streamlit glue: the series picker (built-in or an uploaded CSV, checked before
anything changes), the forecast run with a progress bar, and a process-wide cache of finished forecasts
(deterministic for a series and config, so a class pressing the same button computes it once)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import streamlit as st

from ..data.series import BUILTIN, MAX_CSV_BYTES, Series, SeriesError, csv_table, load, read_csv
from ..signals.forecast import ForecastConfig, ForecastResult, forecast

_CACHE: OrderedDict = OrderedDict()  # (series key, config) -> ForecastResult, shared by every session
_LOCK = threading.Lock()
_KEEP = 32
OWN = "csv"  # the series selectbox's option for an uploaded file


@st.cache_resource(show_spinner=False)
def builtin(name: str) -> Series:
    """A built-in series, loaded once per process (read-only)."""
    return load(name)


def series_key(series: Series) -> str:
    """A short fingerprint of a series' values (an uploaded one is known by its contents)."""
    return series.name + ":" + hashlib.sha1(series.values.tobytes()).hexdigest()[:12]


def cached(series: Series, cfg: ForecastConfig) -> ForecastResult | None:
    with _LOCK:
        r = _CACHE.get((series_key(series), cfg))
        if r is not None:
            _CACHE.move_to_end((series_key(series), cfg))
        return r


def run_forecast(series: Series, cfg: ForecastConfig, label: str) -> ForecastResult:
    """The forecast for this series and config: from the cache, or computed now under a progress bar."""
    r = cached(series, cfg)
    if r is not None:
        return r
    bar = st.progress(0.0, text=f"{label}: starting…")

    def progress(frac: float, what: str) -> None:
        bar.progress(min(1.0, max(0.0, frac)), text=f"{label}: {what}")

    r = forecast(series, cfg, progress)
    bar.empty()
    with _LOCK:
        _CACHE[(series_key(series), cfg)] = r
        while len(_CACHE) > _KEEP:
            _CACHE.popitem(last=False)
    return r


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


def same_setup(series: Series | None, cfg: ForecastConfig, r: ForecastResult) -> bool:
    """Whether the page's current choices would give this result (same series, same config)."""
    if series is None or series_key(series) != series_key(r.series):
        return False
    try:
        return cfg.resolve(series) == r.config
    except SeriesError:
        return False


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
        f"({s.season_note}).  \n**Source:** {s.source}  \n**Licence:** {s.licence}" + (f"  \n**Gaps:** {extra}" if extra else "")
    )
