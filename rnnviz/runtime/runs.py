"""Things built from settings and from several trainings: one run, a retrained run, a comparison of
architectures, the tiny RNN of the Unrolled page.

Above the trainer (it builds Trainers) and below the pages (they show what these return). Each
function is deterministic: the same Settings give the same numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from ..errors import ConfigError
from ..models import COMPARE_ARCHS, build_model
from ..models.recurrent import ARCHS, SequenceModel, config_for_task
from ..settings import ARCH_NAMES, BY_NAME, Settings
from ..tasks import Task, get_task
from ..trace import grad_norm_per_step
from .jobs import Job, Stage
from .training import TrainConfig, Trainer

MAX_STEPS = 1_000_000
# The recurrent options the gated cells keep at their defaults in compare_archs (a fair comparison).
RECURRENT_FIELDS = ("init", "scale", "nonlin", "forget_bias")


def text_key(text: str | None) -> str:
    """A short name for a charlm text (part of a run's or a job's key)."""
    return "" if text is None else hashlib.sha1(text.encode()).hexdigest()[:16]


def task_for(settings: Settings, text: str | None = None) -> Task:
    """The task these settings name; ``text`` is the charlm task's own text (ignored by other tasks)."""
    if text is not None and settings.task == "charlm":
        return get_task("charlm", text=text)
    return get_task(settings.task)


def _train_config(settings: Settings, trainer_kw: dict) -> TrainConfig:
    """TrainConfig(**settings.train_keywords(), **trainer_kw), refusing a keyword the settings own."""
    clash = sorted(set(trainer_kw) & set(settings.train_keywords()))
    if clash:
        raise ConfigError(f"{', '.join(clash)} come from the settings; change them there")
    try:
        return TrainConfig(**settings.train_keywords(), **trainer_kw)
    except TypeError:
        raise ConfigError(f"unknown trainer options {sorted(trainer_kw)}") from None


def build_run(settings: Settings, text: str | None = None, **trainer_kw) -> Trainer:
    """A fresh Trainer for these settings: the task (charlm with ``text`` if given), the model seeded
    with settings.seed, and TrainConfig(**settings.train_keywords(), **trainer_kw). trainer_kw holds
    only what Settings does not (snapshot_every, eval_every, probe_size, heldout_size)."""
    cfg = _train_config(settings, trainer_kw)
    task = task_for(settings, text)
    model = SequenceModel(config_for_task(task, **settings.model_keywords()), seed=settings.seed)
    return Trainer(model, task, cfg)


def build_compare_run(arch: str, settings: Settings, text: str | None = None, **trainer_kw) -> Trainer:
    """A fresh Trainer for any of COMPARE_ARCHS on these settings' task, length, hidden size, layers,
    seed, optimiser, learning rate and clipping (``settings.arch`` is ignored). "rnn", "lstm", "gru"
    are built as :func:`compare_settings` says (the RNN keeps the recurrent options, the gated cells
    use their defaults) but keep the settings' clipping; the others come from
    :func:`rnnviz.models.build_model`. trainer_kw: as for :func:`build_run`."""
    if arch not in COMPARE_ARCHS:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of {', '.join(COMPARE_ARCHS)}")
    if arch in ARCHS:
        return build_run(compare_settings(settings, arch).replace(clip=settings.clip), text, **trainer_kw)
    cfg = _train_config(settings, trainer_kw)
    task = task_for(settings, text)
    model = build_model(arch, task, hidden_size=settings.hidden, num_layers=settings.layers, seed=settings.seed)
    return Trainer(model, task, cfg)


def _check_steps(steps) -> int:
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not 0 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be a whole number from 0 to {MAX_STEPS}, got {steps!r}")
    return int(steps)


def retrain(
    settings: Settings,
    steps: int,
    text: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 25,
    **trainer_kw,
) -> Trainer:
    """build_run(settings, text) trained for exactly ``steps`` steps (fewer only if it diverges), in
    chunks of ``chunk`` steps, calling ``progress(done, steps)`` before the first chunk and after
    each one. The result is identical to the same run trained in any other chunks."""
    steps = _check_steps(steps)
    run = build_run(settings, text, **trainer_kw)
    done = 0
    if progress:
        progress(0, steps)
    while done < steps:
        n = run.run(n_steps=min(chunk, steps - done))
        done += n
        if progress:
            progress(done, steps)
        if n == 0:  # diverged: training cannot go on
            break
    return run


def compare_settings(settings: Settings, arch: str) -> Settings:
    """The settings compare_archs trains ``arch`` with: the same task, length, sizes, seed and
    optimiser, clipping always on (so no curve stops at an explosion); the RNN keeps the recurrent
    options (init, scale, nonlinearity) of ``settings``, the LSTM and GRU use their defaults."""
    changes: dict = {"arch": arch, "clip": True}
    if arch != "rnn":
        changes.update({name: BY_NAME[name].default for name in RECURRENT_FIELDS})
    return settings.replace(**changes)


COMPARE_N = 8  # examples the comparison traces (the task's example batch)


def compare_key(settings: Settings, steps: int, text: str | None = None, n: int = COMPARE_N) -> tuple:
    """The name of :func:`compare_job` for these settings: training is deterministic, so every student asking for
    the same comparison shares one job (the class's 20 presses of "Train each for 600 steps" train it once)."""
    return ("gradients-compare", settings.key(), text_key(text) if settings.task == "charlm" else "", _check_steps(steps), n)


def compare_job(settings: Settings, steps: int, text: str | None = None, n: int = COMPARE_N) -> Job:
    """The vanilla RNN, the LSTM and the GRU built from these settings (see :func:`compare_settings`), each
    trained ``steps`` steps as one stage of a job for the shared worker (in fair turns with everyone else's
    training), then traced on the task's example batch: the result is {arch: ||dL/dh_t|| over t, the mean over
    the same n examples, last layer}."""
    steps = _check_steps(steps)

    def build(s: Settings) -> Callable[[object], Trainer]:
        return lambda _ctx: build_run(s, text, snapshot_every=100_000, eval_every=100_000)

    def after(_ctx, stage: Stage) -> np.ndarray:
        run = stage.trainer
        b = run.task.example_batch(n, run.cfg.seq_len, run.cfg.seed)
        return grad_norm_per_step(run.model.trace(b.x, b.y, b.mask).hidden_grad)

    return Job(
        compare_key(settings, steps, text, n),
        f"Gradients: RNN, LSTM and GRU, {steps:,} steps each, seed {settings.seed}",
        [Stage(ARCH_NAMES[arch], build(compare_settings(settings, arch)), steps) for arch in ARCHS],
        combine=lambda _ctx, stages: {arch: st.piece for arch, st in zip(ARCHS, stages)},
        after=after,
    )


def compare_archs(settings: Settings, steps: int, text: str | None = None, n: int = COMPARE_N) -> dict[str, np.ndarray]:
    """||dL/dh_t|| over t (mean over the same n examples) for the vanilla RNN, the LSTM and the GRU built from
    these settings, each after ``steps`` training steps: :func:`compare_job` run here to its end (a page asks
    the shared worker for the same job instead). Returns {arch: [T] array}."""
    return compare_job(settings, steps, text, n).run_here().result


def tiny_run(task: Task, hidden: int, seq_len: int, seed: int) -> Trainer:
    """A vanilla tanh RNN small enough to print every weight: 2-4 units, inputs of at most 3 numbers."""
    inp = min(task.input_size, 3) if task.tokens else task.input_size
    cfg = TrainConfig(task=task.name, seq_len=seq_len, batch_size=32, lr=3e-2, seed=seed, snapshot_every=10_000)
    model = SequenceModel(config_for_task(task, arch="rnn", hidden_size=hidden, input_size=inp), seed=seed)
    return Trainer(model, task, cfg)
