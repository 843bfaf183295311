"""Forecast a real time series with an RNN, an LSTM or a GRU, against the baselines a statistician would use.

The last ``horizon`` values of a series are held out; everything is fitted on the stretch before them
(the training stretch) and scored on them:

- the networks learn one step ahead from windows of ``window`` values of the training stretch,
  normalised with the training stretch's mean and spread only (the held-out values are never looked
  at), through the package's own :class:`~rnnviz.runtime.training.Trainer` and
  :class:`~rnnviz.models.recurrent.SequenceModel`. Several seeds give a band.
- baselines: **naive** (the last value), **seasonal naive** (the value one season earlier; the season
  comes from the data's frequency, see :class:`~rnnviz.data.series.Series`), and **ets**, statsmodels'
  Holt-Winters exponential smoothing (damped additive trend, additive season when there is one) fitted
  on the same training stretch.

Two kinds of forecast, each scored for every model:

- **iterated** (the ``scores``): standing at the end of the training stretch, forecast the whole
  horizon, each forecast fed back in as if it had happened. Nobody sees a held-out value.
- **one step ahead** (``one_step_scores``): for each held-out point, forecast it from the true values
  just before it (yesterday's real price to forecast today's).

MAE is the mean absolute error in the series' own unit. MASE (Hyndman & Koehler 2006) divides it by the
MAE of the naive one-step forecast *inside the training stretch*, mean |y_t - y_(t-1)|: below 1 means
better than "tomorrow is like today" was on the training data, and it compares across series.

    >>> from rnnviz.data.series import load
    >>> r = forecast(load("nile"), ForecastConfig(archs=("gru",), steps=30, hidden=8))
    >>> sorted(r.scores)
    ['ets', 'gru', 'naive', 'seasonal_naive']
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from ..data.series import MAX_CSV_BYTES, SERIES, STOCKS, Series, SeriesError, load, read_csv
from ..models.recurrent import ARCHS, ModelConfig, SequenceModel
from ..runtime.jobs import Job, Stage
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Task

BASELINES = ("naive", "seasonal_naive", "ets")
MODEL_NAMES = {
    "naive": "naive (last value)",
    "seasonal_naive": "seasonal naive (one season back)",
    "ets": "exponential smoothing (Holt-Winters)",
    "rnn": "vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
}
SAY = {  # in a sentence
    "naive": "naive forecast",
    "seasonal_naive": "seasonal naive forecast",
    "ets": "exponential smoothing",
    "rnn": "vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
}
LIMITS = {"window": (2, 200), "horizon": (1, 1000), "hidden": (2, 128), "steps": (0, 20_000), "seeds": (1, 10), "seed": (0, 9999)}
MIN_TRAIN_WINDOWS = 8  # the training stretch must hold at least this many windows (plus one target each)

# per series: (window, horizon); a CSV gets window 2 seasons (at least 12, at most 60) and horizon ~ 10%
DEFAULTS = {
    "sunspots": (22, 30),
    "co2": (60, 104),
    "elnino": (24, 48),
    "nile": (10, 20),
    "seattle_hourly": (48, 168),  # two days in, a week out
    "seattle_daily_max": (30, 120),  # a month in, the last four months of 2015 out
    "stock": (20, 250),
    **{f"stock_{k}": (12, 24) for k in STOCKS},  # a year of months in, the last two years out
}


def default_sizes(series: Series) -> tuple[int, int]:
    """(window, horizon) that suit the series: a built-in's own, or for a CSV two seasons (12-60 steps)
    and about a tenth of the series (5-200) held out."""
    if series.name in DEFAULTS:
        return DEFAULTS[series.name]
    n = len(series.values)
    window = int(min(60, max(12, 2 * series.season)))
    horizon = int(min(200, max(5, n // 10)))
    while window > 2 and n - horizon < window + MIN_TRAIN_WINDOWS + 1:
        window //= 2
    return window, horizon


@dataclass(frozen=True)
class ForecastConfig:
    """How to forecast. window: how many past values a network sees. horizon: how many values at the
    end are held out and forecast (None: the series' default; so is window). archs: the networks to
    train. hidden: units. steps: training steps per network and seed, batch windows each. seeds: how
    many seeds per network (the band); seed: the first. season: override the series' season length."""

    window: int | None = None
    horizon: int | None = None
    archs: tuple[str, ...] = ARCHS
    hidden: int = 32
    steps: int = 600
    batch: int = 32
    lr: float = 1e-2
    seeds: int = 1
    seed: int = 0
    season: int | None = None

    def resolve(self, series: Series) -> ForecastConfig:
        """This config with window, horizon and season filled in for the series, checked: raises
        SeriesError (one line) when the sizes do not fit the series."""
        w, h = default_sizes(series)
        c = replace(
            self,
            window=w if self.window is None else self.window,
            horizon=h if self.horizon is None else self.horizon,
            season=series.season if self.season is None else self.season,
        )
        for name, (lo, hi) in LIMITS.items():
            v = getattr(c, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not lo <= v <= hi:
                raise SeriesError(f"{name} must be a whole number from {lo} to {hi}, got {v!r}")
        if not c.archs or any(a not in ARCHS for a in c.archs):
            raise SeriesError(f"models must be some of {', '.join(ARCHS)}, got {', '.join(map(str, c.archs)) or 'none'}")
        n = len(series.values)
        if not 1 <= c.season <= n // 3:
            raise SeriesError(f"the season must be from 1 to {n // 3} steps for {n} values, got {c.season}")
        need = c.window + c.horizon + MIN_TRAIN_WINDOWS + 1
        if n < need:
            raise SeriesError(
                f"{series.title} has {n} values; a window of {c.window} and a horizon of {c.horizon} need at least {need}: "
                "make them smaller"
            )
        if c.season > 1 and n - c.horizon < 2 * c.season:
            raise SeriesError(f"the training stretch must hold two seasons ({2 * c.season} values); hold out fewer values")
        return c

    def to_dict(self) -> dict:
        return {**asdict(self), "archs": list(self.archs)}


def load_series(name: str, column: str | None = None, date_column: str | None = None) -> Series:
    """A built-in series by name (one of SERIES), or one column of a CSV file at that path."""
    import os

    if str(name).strip().lower() in SERIES:
        if column or date_column:
            raise SeriesError("--column and --date-column go with a CSV file, not a built-in series")
        return load(name)
    if not os.path.isfile(name):
        raise SeriesError(f"no series or file called {name!r}; choose one of {', '.join(SERIES)} or give a CSV file")
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)
    except OSError as e:
        raise SeriesError(f"cannot read {name}: {e.strerror}") from None
    return read_csv(data, column, date_column, name=os.path.basename(name))


# ----- scores ------------------------------------------------------------------------------


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual, np.float64) - np.asarray(forecast, np.float64))))


def naive_scale(train: np.ndarray) -> float:
    """MASE's denominator: the naive one-step forecast's MAE inside the training stretch,
    mean |y_t - y_(t-1)|."""
    return float(np.mean(np.abs(np.diff(np.asarray(train, np.float64)))))


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006): MAE / mean |y_t - y_(t-1)| on the training stretch."""
    scale = naive_scale(train)
    return mae(actual, forecast) / scale if scale > 0 else math.inf


# ----- baselines -----------------------------------------------------------------------------


def naive(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(iterated, one_step): the last training value repeated; the value just before each point."""
    full = np.concatenate([train, test])
    n = len(train)
    return np.full(len(test), float(train[-1])), full[n - 1 : -1].copy()


def seasonal_naive(train: np.ndarray, test: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """(iterated, one_step): the training stretch's last season repeated; the value one season before
    each point. With season 1 this is the naive forecast."""
    full = np.concatenate([train, test])
    n, m = len(train), int(season)
    k = np.arange(len(test))
    return train[n - m + (k % m)].astype(np.float64), full[n - m + k].astype(np.float64)


def ets(train: np.ndarray, test: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray, str]:
    """(iterated, one_step, description) of statsmodels' Holt-Winters exponential smoothing fitted on the
    training stretch: damped additive trend, additive season when season > 1. One step ahead reuses the
    fitted parameters and starting state unchanged over the whole series (nothing is refitted on the
    held-out values)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "add" if season > 1 else None
    kw = dict(trend="add", damped_trend=True, seasonal=seasonal, seasonal_periods=season if seasonal else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter: the fit is scored on held-out data either way
        fit = ExponentialSmoothing(np.asarray(train, np.float64), initialization_method="estimated", **kw).fit()
        p = fit.params
        known = dict(initial_level=p["initial_level"], initial_trend=p["initial_trend"])
        if seasonal:
            known["initial_seasonal"] = p["initial_seasons"]
        again = ExponentialSmoothing(
            np.concatenate([train, test]).astype(np.float64), initialization_method="known", **known, **kw
        ).fit(
            smoothing_level=p["smoothing_level"],
            smoothing_trend=p["smoothing_trend"],
            smoothing_seasonal=p["smoothing_seasonal"] if seasonal else None,
            damping_trend=p["damping_trend"],
            optimized=False,
        )
    iterated = np.asarray(fit.forecast(len(test)), np.float64)
    one_step = np.asarray(again.fittedvalues, np.float64)[len(train) :]
    what = f"Holt-Winters: damped additive trend{f', additive season of {season}' if seasonal else ', no season'}"
    return iterated, one_step, what


# ----- the networks ---------------------------------------------------------------------------


class WindowTask(Task):
    """Windows of a normalised series, one step ahead at every step (many-to-many regression).

    Each example is `window` consecutive values x_1..x_W of the training stretch; the target at step t
    is x_(t+1). The first quarter of each window is not scored (too little context yet). Worked example::

        window 4 of 12, 15, 11, 9, 14 (normalised):  inputs 12 15 11  9  ->  targets 15 11 9 14
    """

    name, title, shape, loss = "forecast", "One step ahead on a real series", "many-to-many", "mse"
    summary = "forecast the next value of a real series from a window of its past"

    def __init__(self, z: np.ndarray, window: int):
        self.z = np.asarray(z, np.float32)
        self.min_len = self.max_len = self.default_len = int(window)
        self.baseline_loss = self.baseline_metric = 1.0  # predicting the mean: variance of the normalised series

    def _make(self, rng, B, T):
        starts = rng.integers(0, len(self.z) - T, size=B)
        idx = starts[:, None] + np.arange(T + 1)[None, :]
        seg = self.z[idx]  # [B, T+1]
        mask = np.ones((B, T))
        mask[:, : T // 4] = 0
        return seg[:, :T, None], seg[:, 1:, None], mask, {}


def _windows(z: np.ndarray, ends: np.ndarray, window: int) -> torch.Tensor:
    """The windows z[e-window:e] for each end e, as [len(ends), window, 1] float32."""
    idx = ends[:, None] - window + np.arange(window)[None, :]
    return torch.from_numpy(z[idx].astype(np.float32))[:, :, None]


@torch.no_grad()
def predict(model: SequenceModel, z: np.ndarray, n_train: int, horizon: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(iterated, one_step) forecasts of z[n_train : n_train+horizon], normalised. one_step uses the true
    values before each point; iterated feeds its own forecasts back in."""
    model.eval()
    ends = np.arange(n_train, n_train + horizon)
    one_step = model(_windows(z, ends, window))[:, -1, 0].numpy().astype(np.float64)
    buf = list(z[n_train - window : n_train].astype(np.float32))
    iterated = []
    for _ in range(horizon):
        x = torch.tensor(buf[-window:], dtype=torch.float32)[None, :, None]
        nxt = float(model(x)[0, -1, 0])
        if not math.isfinite(nxt):
            nxt = float("nan")
        iterated.append(nxt)
        buf.append(nxt)
    model.train()
    return np.array(iterated), one_step


@dataclass
class NetForecast:
    """One network's forecasts over the horizon, in the series' unit: iterated and one_step [seeds, H]
    (one row per seed), their mean over seeds (what is scored) and the band (min and max over seeds);
    loss: each seed's training loss per step (normalised units)."""

    arch: str
    iterated: np.ndarray
    one_step: np.ndarray
    loss: list[list[float]]
    seconds: float

    @property
    def mean(self) -> np.ndarray:
        return self.iterated.mean(0)

    @property
    def one_step_mean(self) -> np.ndarray:
        return self.one_step.mean(0)


@dataclass
class ForecastResult:
    """Everything a page draws and the CLI prints: the series, the config used (resolved), where the
    training stretch ends (n_train), each model's forecasts (baselines as [H] arrays, networks as
    NetForecast), and scores / one_step_scores: {model: {"mae", "mase"}} on the held-out stretch."""

    series: Series
    config: ForecastConfig
    n_train: int
    baselines: dict[str, tuple[np.ndarray, np.ndarray]]
    nets: dict[str, NetForecast]
    ets_description: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    one_step_scores: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def train(self) -> np.ndarray:
        return self.series.values[: self.n_train]

    @property
    def test(self) -> np.ndarray:
        return self.series.values[self.n_train :]

    @property
    def scale(self) -> float:
        return naive_scale(self.train)

    def forecasts(self, kind: str = "iterated") -> dict[str, np.ndarray]:
        """{model: [H] forecast} for kind "iterated" or "one_step" (a network's mean over seeds)."""
        i = 0 if kind == "iterated" else 1
        out = {k: v[i] for k, v in self.baselines.items()}
        for a, n in self.nets.items():
            out[a] = n.mean if kind == "iterated" else n.one_step_mean
        return out

    def to_json(self) -> dict:
        def clean(d):
            return {m: {k: (v if math.isfinite(v) else None) for k, v in s.items()} for m, s in d.items()}

        return {
            "series": self.series.describe(),
            "config": self.config.to_dict(),
            "train_length": self.n_train,
            "heldout_length": len(self.test),
            "mase_scale": self.scale,
            "ets": self.ets_description,
            "scores": clean(self.scores),
            "one_step_scores": clean(self.one_step_scores),
            "seconds": {a: round(n.seconds, 2) for a, n in self.nets.items()},
        }


Progress = Callable[[float, str], None]


def series_fingerprint(series: Series) -> str:
    """A short name for a series' values (an uploaded one is known by its contents)."""
    import hashlib

    return series.name + ":" + hashlib.sha1(np.ascontiguousarray(series.values).tobytes()).hexdigest()[:12]


def net_trainer(arch: str, z_train: np.ndarray, cfg: ForecastConfig, seed: int) -> Trainer:
    """One network, untrained, that learns one step ahead on windows of the normalised training stretch
    (the package's Trainer: the worker trains it in turns, or :meth:`rnnviz.runtime.jobs.Job.run_here` here)."""
    task = WindowTask(z_train, cfg.window)
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=seed, seq_len=cfg.window, heldout_size=16)
    model = SequenceModel(ModelConfig(arch=arch, hidden_size=cfg.hidden), seed=seed)
    return Trainer(model, task, tcfg)


@dataclass
class Prepared:
    """What every network of a forecast job shares: the series cut at n_train, the baselines' forecasts
    (fitted on the training stretch) and the normalisation (the training stretch's mean and spread)."""

    series: Series
    config: ForecastConfig
    n_train: int
    baselines: dict[str, tuple[np.ndarray, np.ndarray]]
    ets_description: str
    z: np.ndarray
    mu: float
    sd: float


@dataclass
class SeedForecast:
    """One trained network's forecasts (series units) and its training loss: a piece of a forecast job."""

    arch: str
    seed: int
    iterated: np.ndarray
    one_step: np.ndarray
    loss: list[float]
    seconds: float


def prepare(series: Series, cfg: ForecastConfig) -> Prepared:
    """The baselines and the normalisation for a resolved config (a second or so: Holt-Winters' fit)."""
    y = np.asarray(series.values, np.float64)
    n_train = len(y) - cfg.horizon
    train, test = y[:n_train], y[n_train:]
    baselines = {"naive": naive(train, test), "seasonal_naive": seasonal_naive(train, test, cfg.season)}
    ets_it, ets_one, ets_what = ets(train, test, cfg.season)
    baselines["ets"] = (ets_it, ets_one)
    mu, sd = float(train.mean()), float(train.std()) or 1.0  # the training stretch only
    return Prepared(series, cfg, n_train, baselines, ets_what, (y - mu) / sd, mu, sd)


def seed_forecast(p: Prepared, arch: str, seed: int, tr: Trainer) -> SeedForecast:
    """A trained network's forecasts of the held-out stretch, in the series' unit."""
    it, one = predict(tr.model, p.z, p.n_train, p.config.horizon, p.config.window)
    return SeedForecast(arch, seed, it * p.sd + p.mu, one * p.sd + p.mu, list(tr.history.loss), tr.seconds)


def assemble(p: Prepared, pieces: list[SeedForecast]) -> ForecastResult:
    """The result from the baselines and every network's pieces (seeds in order): scores of both kinds."""
    cfg = p.config
    nets = {}
    for a in cfg.archs:
        mine = [q for q in pieces if q.arch == a]
        nets[a] = NetForecast(
            a,
            np.stack([q.iterated for q in mine]),
            np.stack([q.one_step for q in mine]),
            [q.loss for q in mine],
            sum(q.seconds for q in mine),
        )
    r = ForecastResult(p.series, cfg, p.n_train, p.baselines, nets, p.ets_description)
    test, train = r.test, r.train
    for kind, target in (("iterated", r.scores), ("one_step", r.one_step_scores)):
        for m, f in r.forecasts(kind).items():
            ok = np.all(np.isfinite(f))
            target[m] = {"mae": mae(test, f) if ok else math.nan, "mase": mase(test, f, train) if ok else math.nan}
    return r


def forecast_key(series: Series, cfg: ForecastConfig) -> tuple:
    """The job's name: the series' values and the resolved config (training is deterministic for them)."""
    return ("forecast", series_fingerprint(series), cfg.resolve(series))


def forecast_job(series: Series, cfg: ForecastConfig | None = None) -> Job:
    """Everything :func:`forecast` does, as a job the worker trains in turns: first the baselines, then
    one stage per network and seed (each piece a :class:`SeedForecast`), then the scores. Raises
    SeriesError when the config does not fit the series."""
    cfg = (cfg or ForecastConfig()).resolve(series)
    runs = [(a, cfg.seed + k) for a in cfg.archs for k in range(cfg.seeds)]

    def build(a, seed):
        return lambda p: net_trainer(a, p.z[: p.n_train], cfg, seed)

    stages = [Stage(f"{MODEL_NAMES[a]}, seed {seed}", build(a, seed), cfg.steps) for a, seed in runs]
    seeds = {st.label: run for st, run in zip(stages, runs)}

    def after(p: Prepared, stage: Stage) -> SeedForecast:
        a, seed = seeds[stage.label]
        return seed_forecast(p, a, seed, stage.trainer)

    return Job(
        forecast_key(series, cfg),
        f"{series.title}: {', '.join(MODEL_NAMES[a] for a in cfg.archs)}",
        stages,
        combine=lambda p, done: assemble(p, [st.piece for st in done]),
        prepare=lambda: prepare(series, cfg),
        after=after,
    )


def forecast(series: Series, cfg: ForecastConfig | None = None, progress: Progress | None = None) -> ForecastResult:
    """Fit every baseline and train every network of cfg on the training stretch; forecast and score
    the held-out stretch. Deterministic for a config. progress(fraction, text) is called as it goes.
    The same job the page hands to the worker (:func:`forecast_job`), run here to its end."""
    torch.set_num_threads(1)
    job = forecast_job(series, cfg)
    if progress:
        progress(0.0, "fitting the baselines")
    job.run_here(progress)
    if progress:
        progress(1.0, "done")
    return job.result


# ----- what it means, in words ----------------------------------------------------------------


def _how_much(a: float, b: float) -> str:
    """How a compares with b in words: "12% smaller", "3.4 times larger"."""
    if b <= 0:
        return "not comparable"
    if a >= 2 * b:
        return f"{a / b:.1f} times larger"
    return f"{abs(a / b - 1):.0%} {'smaller' if a < b else 'larger'}"


def versus_naive(r: ForecastResult, model: str, kind: str = "one_step") -> tuple[float, float]:
    """(mean, standard error) over the held-out points of |model's error| - |naive's error| (a paired
    comparison, as in the Diebold-Mariano test). Negative: the model was closer. A mean within about two
    standard errors of 0 is a difference luck alone could make."""
    f = r.forecasts(kind)
    d = np.abs(r.test - f[model]) - np.abs(r.test - f["naive"])
    if not np.all(np.isfinite(d)):
        return math.nan, math.nan
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.inf
    return float(d.mean()), se


def random_walk_verdict(r: ForecastResult, kind: str = "one_step") -> list[str]:
    """For a random walk: for every model, whether it beat the naive forecast by more than luck could
    (mean paired difference below -2 standard errors), in plain sentences."""
    lines, winners = [], []
    for m in r.forecasts(kind):
        if m == "naive" or (m == "seasonal_naive" and r.config.season == 1):  # with no season it is the naive one
            continue
        mean, se = versus_naive(r, m, kind)
        if not math.isfinite(mean):
            lines.append(f"The {SAY[m]}: no usable forecast.")
            continue
        if mean < -2 * se:
            winners.append(m)
            word = "closer than naive by more than luck explains"
        elif mean < 0:
            word = "a hair closer than naive, well within luck"
        else:
            word = "further off than naive"
        lines.append(f"The {SAY[m]}: on average {abs(mean):.3g} {r.series.unit} {word} (luck alone: about ±{2 * se:.2g}).")
    real = r.series.name != "stock"
    if not winners:
        head = "**No model beats the naive forecast** by more than luck" + (
            f": on real prices too, “next {_step_word(r.series)} equals this one” is as good as it gets." if real else "."
        )
    elif real:
        head = (
            f"The {' and the '.join(SAY[m] for m in winners)} beat naive on these prices by more than two standard errors. "
            f"Before believing it, try the other companies: {len(lines)} models on five companies are many tries, and "
            "one of them clearing the two-standard-error line by luck is to be expected now and then."
        )
    else:
        head = (
            f"The {' and the '.join(SAY[m] for m in winners)} beat naive on this walk by more than two standard errors: "
            "with a made-up walk that happens sometimes (try another seed), but on average nothing can."
        )
    return [head, *lines]


def _step_word(series: Series) -> str:
    return {"monthly": "month", "daily": "day", "hourly": "hour", "weekly": "week", "yearly": "year"}.get(
        series.frequency, "value"
    )


def verdict(r: ForecastResult, kind: str = "iterated") -> list[str]:
    """Plain sentences: which model forecast the held-out stretch best, and for each network whether
    it beat the best baseline or lost to it (and to which), by how much."""
    scores = r.scores if kind == "iterated" else r.one_step_scores
    ok = {m: s["mae"] for m, s in scores.items() if math.isfinite(s["mae"])}
    lines = []
    if not ok:
        return ["No model produced a usable forecast."]
    best = min(ok, key=ok.get)
    unit = r.series.unit
    lines.append(f"Best on the held-out stretch: the **{SAY[best]}**, off by {ok[best]:.3g} {unit} on average.")
    base = {m: v for m, v in ok.items() if m in BASELINES}
    if not base:
        return lines
    bb = min(base, key=base.get)
    for a in r.nets:
        if a not in ok:
            lines.append(f"The {SAY[a]} diverged while training: no forecast to score.")
            continue
        same = r.config.season == 1  # the seasonal naive forecast is the naive one: name it once
        beaten = [SAY[m] for m in BASELINES if m in base and base[m] < ok[a] and not (same and m == "seasonal_naive")]
        if not beaten:
            lines.append(
                f"The {SAY[a]} beat every baseline: its error is {_how_much(ok[a], base[bb])} than the best of them ({SAY[bb]})."
            )
        else:
            lines.append(
                f"**The {SAY[a]} loses** to the {' and the '.join(beaten)}: its error is "
                f"{_how_much(ok[a], base[bb])} than the {SAY[bb]}'s."
            )
    lo, hi = float(r.train.min()), float(r.train.max())
    above, below = int((r.test > hi).sum()), int((r.test < lo).sum())
    if above or below:
        lines.append(
            f"{above + below} of the {len(r.test)} held-out values lie {'above' if above else 'below'} anything in the training "
            f"stretch ({lo:.4g} to {hi:.4g} {unit}). A network trained on values in that range has never seen such values "
            "and tends to bend back towards it, while exponential smoothing carries the trend on by construction."
        )
    elif any(a in ok and ok[a] > base[bb] for a in r.nets):
        season, window = r.config.season, r.config.window
        if season > window and bb in ("seasonal_naive", "ets"):
            lines.append(
                f"Why: each network reads {window} values at a time, and the season is {season} values long. It cannot tell "
                "where in the season it stands, so forecasting far ahead it drifts towards the average, while the "
                "seasonal rules look exactly one season back. The one-step forecasts, which only need the last few "
                "values, are a fairer race."
            )
        elif kind == "iterated" and len(r.test) > 2 * window:
            lines.append(
                f"Why: all at once, each guess is fed back in for {len(r.test)} steps, and a network's small errors "
                "compound, while a seasonal rule repeats a shape that does not drift. Compare the one-step forecasts too."
            )
        else:
            lines.append(
                f"A network is not automatically better than a simple rule: with {len(r.train):,} values to learn from, "
                "a rule that fits the series' shape (a trend, a season) is hard to beat."
            )
    return lines


TABLE_NAMES = {
    "naive": "naive",
    "seasonal_naive": "seasonal naive",
    "ets": "exponential smoothing",
    "rnn": "vanilla RNN (network)",
    "lstm": "LSTM (network)",
    "gru": "GRU (network)",
}


def score_table(r: ForecastResult, sort: str = "iterated"):
    """A pandas table, one row per model, best first by the MAE of `sort` ("iterated" or "one_step"):
    MAE and MASE of the forecast made all at once (iterated) and of the one-step-ahead forecasts."""
    import pandas as pd

    rows = []
    for m in r.scores:
        rows.append(
            {
                "model": TABLE_NAMES[m],
                "MAE all at once": r.scores[m]["mae"],
                "MASE all at once": r.scores[m]["mase"],
                "MAE one step": r.one_step_scores[m]["mae"],
                "MASE one step": r.one_step_scores[m]["mase"],
            }
        )
    key = "MAE all at once" if sort == "iterated" else "MAE one step"
    return pd.DataFrame(rows).sort_values(key, na_position="last").reset_index(drop=True)
