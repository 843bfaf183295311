"""Time series that ship offline, and a checked CSV reader, for the Forecast page and ``python -m rnnviz forecast``.

Four real series come with the pinned ``statsmodels`` package (``statsmodels.datasets``); their source and
licence are read from the installed package at load time, not copied here:

    >>> s = load("sunspots")
    >>> s.values.shape, str(s.dates[0])[:4], s.season
    ((309,), '1700', 11)

Seattle's weather (``seattle_hourly``, ``seattle_daily_max``; NOAA) and five companies' monthly share prices
(``stock_msft``, ``stock_amzn``, ``stock_ibm``, ``stock_goog``, ``stock_aapl``) come with the pinned
``vega_datasets`` package's local data; ``stock`` is a price series generated as a seeded random walk
(nothing to forecast: the lesson), and
:func:`read_csv`, which turns an uploaded CSV into a :class:`Series` or refuses it with one message
(a :class:`SeriesError`) and changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError

STOCKS = {"msft": "Microsoft", "amzn": "Amazon", "ibm": "IBM", "goog": "Google", "aapl": "Apple"}
WEATHER = ("seattle_hourly", "seattle_daily_max")
SERIES = ("sunspots", "co2", "elnino", "nile", *WEATHER, "stock", *(f"stock_{k}" for k in STOCKS))
BUILTIN = ("sunspots", "co2", "elnino", "nile", *WEATHER)  # the Forecast page's list (the prices are the stock lesson's)
MIN_VALUES = 30  # a CSV column shorter than this is refused (a window, a horizon and something to learn from)
MAX_VALUES = 20_000  # a longer one is refused (training windows are drawn from it live)
MAX_CSV_BYTES = 2_000_000


class SeriesError(ConfigError):
    """A series name, CSV file or column that cannot be used. One readable line."""


@dataclass(frozen=True)
class Series:
    """One univariate time series, evenly spaced, with where it comes from.

    values: float64 [N]. dates: datetime64[D] [N], or None (then the axis is the step number).
    unit: what a value is measured in. frequency: how often it is sampled, in words. season: the
    length of its repeating pattern in steps (1: none), used by the seasonal naive forecast and
    Holt-Winters; season_note says where that number comes from. source, licence: as the data's
    publisher states them (for statsmodels' data, read from the installed package). notes: what we
    did to the data (e.g. how missing weeks were filled). filled: bool [N], True where a value was
    filled in rather than measured.
    """

    name: str
    title: str
    values: np.ndarray
    dates: np.ndarray | None
    unit: str
    frequency: str
    season: int
    season_note: str
    source: str
    licence: str
    notes: tuple[str, ...] = ()
    filled: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def axis(self) -> np.ndarray:
        """What to draw on the x axis: the dates, or the step numbers 0..N-1."""
        return self.dates if self.dates is not None else np.arange(len(self.values))

    @property
    def axis_label(self) -> str:
        """The x axis' title: "year", "date", or what a step is for a series without dates."""
        if self.dates is None:
            return "trading day" if self.name == "stock" else "row of the file"
        return "year" if self.frequency == "yearly" else "date"

    def describe(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "length": len(self.values),
            "unit": self.unit,
            "frequency": self.frequency,
            "season": self.season,
            "first": str(self.dates[0]) if self.dates is not None else "0",
            "last": str(self.dates[-1]) if self.dates is not None else str(len(self.values) - 1),
            "source": self.source,
            "licence": self.licence,
            "notes": list(self.notes),
        }


# ----- statsmodels' datasets ----------------------------------------------------------------------


def _tidy(text) -> str:
    """statsmodels' SOURCE/NOTE strings as one paragraph each, reST markers dropped."""
    paras = [" ".join(p.split()) for p in str(text or "").replace("::", "").split("\n\n")]
    return " ".join(p for p in paras if p)


def _module(name: str):
    import importlib

    return importlib.import_module(f"statsmodels.datasets.{name}")


def _provenance(name: str) -> tuple[str, str]:
    """(source, licence) as the installed statsmodels states them, with where the copy came from."""
    import statsmodels

    m = _module(name)
    title = _tidy(getattr(m, "TITLE", name))
    source = f"{title}. {_tidy(m.SOURCE)} (Shipped with statsmodels {statsmodels.__version__} as statsmodels.datasets.{name}.)"
    licence = _tidy(getattr(m, "COPYRIGHT", "")) or "not stated by statsmodels"
    return source, licence


def _years(years) -> np.ndarray:
    return np.array([f"{int(y):04d}-01-01" for y in years], dtype="datetime64[D]")


def sunspots() -> Series:
    """Yearly mean sunspot number, 1700-2008 (309 values, NOAA's National Geophysical Data Center)."""
    df = _module("sunspots").load_pandas().data
    source, licence = _provenance("sunspots")
    return Series(
        "sunspots",
        "Sunspots per year, 1700-2008",
        df["SUNACTIVITY"].to_numpy(np.float64),
        _years(df["YEAR"]),
        "sunspot number",
        "yearly",
        11,
        "the solar cycle: sunspots rise and fall about every 11 years (9 to 14 in practice), not a calendar season",
        source,
        licence,
    )


def _fill_weekly(values: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Fill NaNs in a weekly series with seasonal-aware interpolation: a 53-week centred trend, the
    average shape of the year (by week of the year, from measured weeks only), and a straight line
    between the measured neighbours for whatever is left."""
    s = pd.Series(values)
    lin = s.interpolate(limit_direction="both")
    trend = lin.rolling(53, center=True, min_periods=27).mean()
    week = np.minimum((pd.DatetimeIndex(dates).dayofyear.to_numpy() - 1) // 7, 51)
    profile = (s - trend).groupby(week).mean()
    seasonal = profile.reindex(week).to_numpy()
    resid = (s - trend - seasonal).interpolate(limit_direction="both")
    out = values.copy()
    gap = np.isnan(values)
    out[gap] = (trend + seasonal + resid).to_numpy()[gap]
    return out


def co2() -> Series:
    """Weekly CO2 at Mauna Loa, March 1958 to December 2001 (2,284 weeks; missing weeks filled)."""
    df = _module("co2").load_pandas().data
    source, licence = _provenance("co2")
    raw = df["co2"].to_numpy(np.float64)
    dates = pd.DatetimeIndex(df.index).to_numpy().astype("datetime64[D]")
    gap = np.isnan(raw)
    runs, run = [], 0
    for g in gap:
        run = run + 1 if g else 0
        runs.append(run)
    note = (
        f"{int(gap.sum())} of {len(raw):,} weeks have no measurement (the longest gap is {max(runs)} weeks). Each missing "
        "week is filled with the usual shape of the year for that week (averaged over the measured years) on top of a "
        "53-week moving average, plus a straight line between the measured neighbours; filled weeks are marked."
    )
    return Series(
        "co2",
        "CO2 at Mauna Loa, weekly, 1958-2001",
        _fill_weekly(raw, dates),
        dates,
        "ppm",
        "weekly",
        52,
        "52 weeks in a year: CO2 rises and falls with the northern growing season",
        source,
        licence,
        (note,),
        gap,
    )


def elnino() -> Series:
    """Monthly sea surface temperature off Peru and Ecuador (Nino 1+2), 1950-2010 (732 months)."""
    df = _module("elnino").load_pandas().data
    source, licence = _provenance("elnino")
    months = [c for c in df.columns if c != "YEAR"]
    values = df[months].to_numpy(np.float64).reshape(-1)
    start = f"{int(df['YEAR'].iloc[0]):04d}-01"
    dates = (np.datetime64(start, "M") + np.arange(len(values))).astype("datetime64[D]")
    return Series(
        "elnino",
        "El Niño: sea temperature, monthly, 1950-2010",
        values,
        dates,
        "°C",
        "monthly",
        12,
        "12 months in a year",
        source,
        licence,
    )


def nile() -> Series:
    """Yearly flow of the Nile at Aswan, 1871-1970 (100 values)."""
    df = _module("nile").load_pandas().data
    source, licence = _provenance("nile")
    return Series(
        "nile",
        "The Nile's yearly flow at Aswan, 1871-1970",
        df["volume"].to_numpy(np.float64),
        _years(df["year"]),
        "×10⁸ m³ per year",
        "yearly",
        1,
        "yearly data with no repeating pattern, so the seasonal naive forecast is the naive one",
        source,
        licence,
    )


def stock(n: int = 1250, seed: int = 0, start: float = 100.0, daily: float = 0.015) -> Series:
    """A made-up share price: a geometric random walk with no drift (each trading day the price moves
    by a random percentage, mean 0, typical size `daily`), n days from `start`. Seeded: the same seed
    gives the same prices."""
    if not 50 <= n <= MAX_VALUES:
        raise SeriesError(f"the random walk's length must be from 50 to {MAX_VALUES:,}, got {n}")
    rng = np.random.default_rng([seed, 13])
    steps = rng.normal(0.0, daily, n - 1)
    values = start * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
    return Series(
        "stock",
        "A share price that is a random walk (made up)",
        np.round(values, 2),
        None,
        "dollars",
        "daily (trading days)",
        5,
        "5 trading days in a week (a random walk has no weekly pattern: the seasonal naive forecast is just another guess)",
        f"Generated by rnnviz: a random walk with no drift, each day's change a random {daily:.1%} or so up or down "
        f"(seed {seed}). No real company.",
        "Made up here; free to use.",
    )


# ----- vega_datasets' local data: Seattle's weather (NOAA) and five companies' share prices ---------------


def _vega(name: str) -> tuple[pd.DataFrame, str]:
    """One of vega_datasets' bundled files (read from the installed package, never downloaded) and the
    package's own description of it."""
    import vega_datasets
    from vega_datasets import local_data

    frame = getattr(local_data, name.replace("-", "_"))()
    about = _tidy(getattr(local_data, name.replace("-", "_")).description)
    about = about.replace("`NOAA data <", "NOAA data (").replace(">`_", ")")
    return frame, f"{about} (Shipped with vega_datasets {vega_datasets.__version__} as local_data.{name.replace('-', '_')}.)"


_NOAA_TERMS = "Public domain (NOAA, a US government agency); the package that ships it, vega_datasets, is MIT-licensed."


def _fahrenheit_to_celsius(f: np.ndarray) -> np.ndarray:
    return np.round((np.asarray(f, np.float64) - 32.0) * 5.0 / 9.0, 2)


def seattle_hourly() -> Series:
    """Seattle's temperature every hour of 2010 (8,760 hours; NOAA, via vega_datasets), in °C."""
    df, source = _vega("seattle-temps")
    when = pd.to_datetime(df["date"]).dt.floor("h")
    hours = pd.date_range(when.iloc[0], when.iloc[-1], freq="h")
    raw = pd.Series(df["temp"].to_numpy(np.float64), index=when).groupby(level=0).mean().reindex(hours)
    gap = raw.isna().to_numpy()
    values = raw.interpolate(limit_direction="both").to_numpy(np.float64)
    notes = ["The file gives degrees Fahrenheit; they are shown here in degrees Celsius, (°F − 32) × 5/9."]
    if gap.any():
        notes.append(
            f"{int(gap.sum())} of {len(values):,} hours {'has' if gap.sum() == 1 else 'have'} no reading in the file; "
            "each is filled with a straight line "
            "between the hours either side, and marked."
        )
    c = _fahrenheit_to_celsius(values)
    day_to_day = np.abs(c[24:] - c[:-24])
    highs = float(np.abs(np.diff(seattle_daily_max().values)).mean())
    notes.append(
        f"Look before you trust the name: the same hour on two days running differs by {day_to_day.mean():.2f} °C on "
        f"average and never by more than {day_to_day.max():.1f} °C, where real weather jumps by several degrees when "
        f"a front passes (the daily highs of 2012-2015 change by {highs:.1f} °C a day on average). These values "
        "behave like NOAA's hourly climate normals, a smooth average year, rather than what the thermometer read "
        "in 2010: forecasting them is forecasting the average day and the slow season."
    )
    return Series(
        "seattle_hourly",
        "Seattle's temperature, hourly, 2010",
        c,
        hours.to_numpy().astype("datetime64[h]"),
        "°C",
        "hourly",
        24,
        "24 hours in a day: it is warmer in the afternoon than at night (the year's season is far longer than the window)",
        source,
        _NOAA_TERMS,
        tuple(notes),
        gap if gap.any() else None,
    )


def seattle_daily_max() -> Series:
    """The highest temperature of each day in Seattle, 2012-2015 (1,461 days; NOAA, via vega_datasets), in °C."""
    df, source = _vega("seattle-weather")
    dates = pd.to_datetime(df["date"]).to_numpy().astype("datetime64[D]")
    return Series(
        "seattle_daily_max",
        "Seattle's daily highest temperature, 2012-2015",
        df["temp_max"].to_numpy(np.float64),
        dates,
        "°C",
        "daily",
        365,
        "a year of 365 days: summer is warm and winter is cool. The seasonal naive forecast says 'the same day last "
        "year'; Holt-Winters learns one value for each day of the year from the training years (the leap day of 2012 "
        "and 2016 counts as a day like the others, so the year drifts by a day after each)",
        source,
        _NOAA_TERMS,
        ("The file also has each day's lowest temperature, rain, wind and a weather word; this is the highest temperature.",),
    )


def company(key: str) -> str:
    """The company as the page names it: "Microsoft (MSFT)", but "IBM" alone."""
    name = STOCKS[key]
    return name if name.upper() == key.upper() else f"{name} ({key.upper()})"


def stock_prices(symbol: str) -> Series:
    """A real company's share price, one closing price a month, 2000-2010 (vega_datasets' stocks)."""
    key = str(symbol).strip().lower()
    if key not in STOCKS:
        raise SeriesError(f"unknown company {symbol!r}; choose one of {', '.join(STOCKS)}")
    df, source = _vega("stocks")
    rows = df[df["symbol"].str.lower() == key].sort_values("date")
    dates = pd.to_datetime(rows["date"]).to_numpy().astype("datetime64[D]")
    return Series(
        f"stock_{key}",
        f"{company(key)}: share price, monthly, {str(dates[0])[:4]}-{str(dates[-1])[:4]}",
        rows["price"].to_numpy(np.float64),
        dates,
        "dollars",
        "monthly",
        1,
        "share prices have no calendar season, so the seasonal naive forecast is the naive one",
        source,
        "vega_datasets is MIT-licensed; it does not say where the prices come from.",
        (
            "The package describes these as daily closing prices, but the file holds one price per month (dated the "
            "first of the month); this page uses them as monthly prices.",
        ),
    )


LOADERS = {
    "sunspots": sunspots,
    "co2": co2,
    "elnino": elnino,
    "nile": nile,
    "seattle_hourly": seattle_hourly,
    "seattle_daily_max": seattle_daily_max,
    "stock": stock,
    **{f"stock_{k}": (lambda k=k: stock_prices(k)) for k in STOCKS},
}


def load(name: str) -> Series:
    """The series called `name` (one of SERIES)."""
    key = str(name).strip().lower()
    if key not in LOADERS:
        raise SeriesError(f"unknown series {name!r}; choose one of {', '.join(SERIES)} or give a CSV file")
    return LOADERS[key]()


# ----- CSV --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read as text: its columns (strings, nothing converted yet), which of them hold
    numbers and which dates, for the pickers. Nothing is dropped or guessed."""

    frame: pd.DataFrame
    numeric: tuple[str, ...]
    dates: tuple[str, ...]
    header: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.frame.columns)


def _decode(data: bytes) -> str:
    if not isinstance(data, (bytes, bytearray)):
        raise SeriesError("expected the bytes of a CSV file")
    if len(data) > MAX_CSV_BYTES:
        raise SeriesError(f"that file is {len(data):,} bytes; the limit is {MAX_CSV_BYTES:,}")
    if not data.strip():
        raise SeriesError("that file is empty")
    if b"\x00" in data[:4096]:
        raise SeriesError("that file is not a CSV table (it holds binary data: is it a spreadsheet or an image?)")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SeriesError(
            f"that file is not UTF-8 text (byte {e.start + 1} cannot be read); save it as 'CSV UTF-8' and upload it again"
        ) from None


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def csv_table(data: bytes) -> CsvTable:
    """Read a CSV file's table for the column pickers. Raises SeriesError (one line) for an empty,
    binary, non-UTF-8 or ragged file, or one too long."""
    text = _decode(data)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    first = next(csv.reader([lines[0]], delimiter=sep))
    header = not all(_is_number(c.strip()) for c in first if c.strip())
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=0 if header else None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            skipinitialspace=True,
        )
    except pd.errors.ParserError as e:
        where = str(e).split("Error tokenizing data. C error: ")[-1].strip().rstrip(".")
        raise SeriesError(f"that file is not a table with the same number of columns on every line ({where})") from None
    except (pd.errors.EmptyDataError, ValueError, csv.Error):
        raise SeriesError("that file could not be read as a CSV table") from None
    if not header:
        frame.columns = [f"column {i + 1}" for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() or f"column {i + 1}" for i, c in enumerate(frame.columns)]
    if len(set(frame.columns)) != len(frame.columns):
        raise SeriesError("two columns of that file have the same name; give each column its own name")
    if len(frame) == 0:
        raise SeriesError("that file has a header but no rows of data")
    if len(frame) > MAX_VALUES:
        raise SeriesError(f"that file has {len(frame):,} rows; the limit is {MAX_VALUES:,} (use the most recent part)")
    frame = frame.apply(lambda c: c.str.strip())
    numeric, dates = [], []
    for c in frame.columns:
        col = frame[c][frame[c] != ""]
        if len(col) and pd.to_numeric(col, errors="coerce").notna().mean() >= 0.5:
            numeric.append(c)
        elif len(col) and pd.to_datetime(col, errors="coerce", format="mixed").notna().mean() >= 0.9:
            dates.append(c)
    if not numeric:
        raise SeriesError("no column of that file holds numbers; a series needs one column of numbers")
    # a column of whole years (1871, 1872, ...) named like a date may serve as the date column too
    datelike = [c for c in numeric if any(w in c.lower() for w in ("year", "date", "time"))]
    numeric = [c for c in numeric if c not in datelike] + datelike  # the values first, the years last
    return CsvTable(frame, tuple(numeric), tuple(dates + datelike), header)


def _line(table: CsvTable, row: int) -> int:
    """The line of the file that holds data row `row` (blank lines aside)."""
    return row + (2 if table.header else 1)


def _season_from_dates(dates: np.ndarray) -> tuple[int, str, str]:
    step = float(np.median(np.diff(dates).astype("timedelta64[h]").astype(np.float64))) / 24.0  # days
    for lo, hi, season, freq, note in (
        (0.03, 0.05, 24, "hourly", "24 hours in a day"),
        (0.9, 1.1, 7, "daily", "7 days in a week"),
        (6.5, 7.5, 52, "weekly", "52 weeks in a year"),
        (27.5, 31.5, 12, "monthly", "12 months in a year"),
        (88, 93, 4, "quarterly", "4 quarters in a year"),
        (360, 370, 1, "yearly", "yearly data: no calendar season, so the seasonal naive forecast is the naive one"),
    ):
        if lo <= step <= hi:
            return season, freq, note
    return 1, f"every {step:g} days", "no calendar season recognised from the dates"


def read_csv(data: bytes, column: str | None = None, date_column: str | None = None, name: str = "your file") -> Series:
    """A Series from one column of a CSV file (and an optional date column), or SeriesError with one
    line saying what is wrong: empty, binary, not UTF-8, ragged, not numbers, empty cells, too short,
    too long, dates that are not dates or not in order. Nothing is dropped or filled in silently."""
    table = csv_table(data)
    if column is None:
        if len(table.numeric) > 1:
            raise SeriesError(f"that file has several columns of numbers; pick one: {', '.join(table.numeric)}")
        column = table.numeric[0]
    if column not in table.columns:
        raise SeriesError(f"that file has no column {column!r}; its columns are {', '.join(table.columns)}")
    if date_column == column:
        raise SeriesError("the date column and the value column must be different columns")
    raw = table.frame[column]
    empty = np.flatnonzero((raw == "").to_numpy())
    if len(empty):
        lines = ", ".join(str(_line(table, i)) for i in empty[:5]) + (" …" if len(empty) > 5 else "")
        raise SeriesError(
            f"column {column!r} has {len(empty)} empty cell{'s' if len(empty) > 1 else ''} (line {lines}); "
            "fill them in or pick another column: missing values are not guessed"
        )
    nums = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero(nums.isna().to_numpy() | ~np.isfinite(nums.to_numpy(np.float64, na_value=np.nan)))
    if len(bad):
        i = bad[0]
        raise SeriesError(
            f"column {column!r} is not all numbers: line {_line(table, i)} holds {raw.iloc[i][:30]!r}"
            + (f" ({len(bad)} such cells)" if len(bad) > 1 else "")
        )
    values = nums.to_numpy(np.float64)
    if len(values) < MIN_VALUES:
        raise SeriesError(f"column {column!r} has {len(values)} values; a forecast needs at least {MIN_VALUES}")
    if np.ptp(values) == 0:
        raise SeriesError(f"column {column!r} holds the same number on every line; there is nothing to forecast")
    dates = None
    season, freq, note = 1, "one value per row", "no date column, so no season is assumed (you can set one)"
    if date_column:
        if date_column not in table.columns:
            raise SeriesError(f"that file has no column {date_column!r}; its columns are {', '.join(table.columns)}")
        dcol = table.frame[date_column]
        years = pd.to_numeric(dcol, errors="coerce")
        if years.notna().all() and (years == years.round()).all() and years.between(1, 9999).all():  # whole years
            parsed = pd.to_datetime(years.astype(int).astype(str).str.zfill(4) + "-01-01", errors="coerce")
        else:
            parsed = pd.to_datetime(dcol, errors="coerce", format="mixed")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if len(bad):
            i = bad[0]
            raise SeriesError(f"column {date_column!r} is not all dates: line {_line(table, i)} holds {dcol.iloc[i][:30]!r}")
        dates = parsed.to_numpy().astype("datetime64[D]")
        back = np.flatnonzero(np.diff(dates) <= np.timedelta64(0, "D"))
        if len(back):
            i = back[0] + 1
            raise SeriesError(
                f"the dates in {date_column!r} are not in order: line {_line(table, i)} ({dcol.iloc[i]}) "
                f"does not come after line {_line(table, i - 1)} ({dcol.iloc[i - 1]}); sort the file by date first"
            )
        season, freq, note = _season_from_dates(dates)
    return Series(
        name=name,
        title=f"{column} ({name})",
        values=values,
        dates=dates,
        unit=column,
        frequency=freq,
        season=season,
        season_note=note,
        source=f"Uploaded by you: {name}, column {column!r}" + (f", dates from {date_column!r}" if date_column else ""),
        licence="Yours: the file stays in this browser session only.",
    )
