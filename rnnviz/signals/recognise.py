"""Recognising recorded sequences: speech, motion sensors, a hand tracked in video, a day of power demand.

The networks read a recording step by step (a frame of speech, a tenth of a second of a smartwatch,
a video frame) and are trained many-to-one: only their answer after each sequence's own last step
counts. Every model here is causal (each answer depends on the steps so far only), so reading the
answer at every step shows what it would say had the recording stopped there: the class probabilities
step by step, the step from which the answer no longer changes ("answer settles"), and the accuracy
against the fraction of the sequence seen. The data are the UEA/UCR archive sets of
:mod:`rnnviz.data.archives`; the field's baselines (1-NN with dynamic time warping, MiniRocket) are in
:mod:`rnnviz.signals.baselines`.

It trains like every model of the app: :func:`recognise_job` is a job of the shared worker with one
stage per network (a :class:`~rnnviz.runtime.training.Trainer` on :class:`ArchiveTask`), keyed by its
settings and seed; each network is scored on the test split as soon as it has trained (a partial
result the page draws at once).

    python -m rnnviz recognise --data basic_motions --archs rnn,lstm,gru --json
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..data.archives import FRACTIONS, NAMES, Archive, check_name, load_archive, truncate
from ..errors import ConfigError
from ..models import build_model, parameter_count
from ..runtime.jobs import Job, Stage
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Task

ARCHS = ("rnn", "lstm", "gru", "cnn", "transformer")
ARCH_LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "cnn": "CNN", "transformer": "Transformer"}
ARCH_OF = {label: arch for arch, label in ARCH_LABELS.items()}  # a stage's label -> its architecture
RECURRENT = ("rnn", "lstm", "gru")
MAX_STEPS = 3000
_LOCK = threading.Lock()


class ArchiveTask(Task):
    """Name the class of a recorded sequence after its last step (many-to-one).

    Each training example is one sequence of the set's training split, drawn at random (the test split is
    never drawn). Input: the sequence's channels at each step, normalised with the training split's mean and
    spread, zeros after the sequence's own length; only the answer at the sequence's last real step is scored.
    Worked example, a smartwatch recording of 100 readings: steps 1-100 carry accelerometer and gyroscope
    x, y, z; the target at step 100 is "running"."""

    shape, loss = "many-to-one", "ce"
    metric_name, higher_is_better = "accuracy", True
    solved_metric = 0.9

    def __init__(self, name: str):
        a = load_archive(check_name(name))
        k = len(a.classes)
        self.name = f"archive:{a.name}"
        self.title = a.about.title
        self.summary = a.about.question
        self.input_size, self.output_size, self.output_labels = len(a.channels), k, a.classes
        self.min_len = self.max_len = self.default_len = a.max_len
        self.baseline_loss, self.baseline_metric = math.log(k), 1.0 / k
        self.solved_loss = 0.3
        self.x, self.y, self.lengths = a.train.x, a.train.y, a.train.lengths  # numpy: travels to the trainer process

    def _make(self, rng, B, T):
        idx = rng.integers(0, len(self.y), B)
        x = np.asarray(self.x[idx, :T])
        mask = np.zeros((B, T))
        mask[np.arange(B), np.minimum(self.lengths[idx], T) - 1] = 1  # the answer after the sequence's own last step
        return x, np.repeat(self.y[idx, None], T, 1), mask, {}


@dataclass(frozen=True)
class RecogniseConfig:
    """data: a set of rnnviz.data.archives; archs: the networks to train (each a stage); hidden: units
    (the CNN and Transformer get sizes of the same order); steps: Adam steps per network; batch: sequences
    per step; lr: Adam's; seed: weights and the order of the examples."""

    data: str = "basic_motions"
    archs: tuple[str, ...] = ("rnn", "lstm", "gru")
    hidden: int = 32
    steps: int = 300
    batch: int = 16
    lr: float = 3e-3
    seed: int = 0

    def validate(self) -> RecogniseConfig:
        check_name(self.data)
        if not self.archs or any(a not in ARCHS for a in self.archs) or len(set(self.archs)) != len(self.archs):
            raise ConfigError(f"networks must be one or more of {', '.join(ARCHS)} (each once), got {self.archs!r}")
        if not isinstance(self.hidden, int) or not 4 <= self.hidden <= 128:
            raise ConfigError(f"hidden must be an integer from 4 to 128, got {self.hidden!r}")
        if not isinstance(self.steps, int) or isinstance(self.steps, bool) or not 1 <= self.steps <= MAX_STEPS:
            raise ConfigError(f"steps must be an integer from 1 to {MAX_STEPS}, got {self.steps!r}")
        if not isinstance(self.batch, int) or not 1 <= self.batch <= 256:
            raise ConfigError(f"batch must be an integer from 1 to 256, got {self.batch!r}")
        if not 1e-5 <= float(self.lr) <= 1.0:
            raise ConfigError(f"lr must be from 1e-5 to 1, got {self.lr!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= 9999:
            raise ConfigError(f"seed must be an integer from 0 to 9999, got {self.seed!r}")
        return self


def network(arch: str, task: ArchiveTask, hidden: int, seed: int) -> torch.nn.Module:
    """A seeded network for the set: RNN/LSTM/GRU with ``hidden`` units, or the Compare lab's causal CNN /
    Transformer with width ``hidden``."""
    with _LOCK:
        return build_model(arch, task, hidden_size=hidden, seed=seed)


def trainer(cfg: RecogniseConfig, arch: str) -> Trainer:
    """An untrained network and the package's Trainer for it: Adam at cfg.lr on cfg.batch training sequences
    a step, the gradient clipped at norm 1. The worker trains it in turns (or :meth:`Job.run_here`, here)."""
    task = ArchiveTask(cfg.data)
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed)
    return Trainer(network(arch, task, cfg.hidden, cfg.seed), task, tcfg)


# ----- reading a trained network -------------------------------------------------------------------
@torch.no_grad()
def step_probs(model: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    """Class probabilities after every step [n, T, classes] for sequences x [n, T, C] (causal models: the
    answer at step t is what the model says having seen steps 1..t)."""
    model.eval()
    out = model(torch.tensor(np.asarray(x, dtype=np.float32)))
    return torch.softmax(out, -1).numpy()


def at_steps(probs: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Each sequence's probabilities after its ``steps[i]``-th step: [n, classes]."""
    return probs[np.arange(len(probs)), np.asarray(steps) - 1]


def settle_step(probs: np.ndarray, length: int) -> int:
    """The first step (1-based) from which the top class never changes again up to ``length`` (it then is
    the final answer), for one sequence's probabilities [T, classes]."""
    top = probs[:length].argmax(-1)
    differs = np.nonzero(top != top[-1])[0]
    return int(differs[-1]) + 2 if len(differs) else 1


def confusion(y: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """[k, k] counts: rows the true class, columns the answer."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(y), np.asarray(pred)), 1)
    return m


@dataclass
class Scored:
    """One trained network on the test split: accuracy (full sequences), by_fraction {fraction: accuracy},
    confusion [k, k], settle [n] (step the answer settled), lengths [n], probs [n, T, k], parameters, train_seconds,
    predict_ms (per sequence), steps trained, final training loss, and the model itself."""

    arch: str
    accuracy: float
    by_fraction: dict
    confusion: np.ndarray
    settle: np.ndarray
    probs: np.ndarray
    parameters: int
    train_seconds: float
    predict_ms: float
    steps: int
    final_loss: float
    diverged: bool
    lengths: np.ndarray
    model: torch.nn.Module

    @property
    def settle_fraction(self) -> np.ndarray:
        """When each answer settled, as a fraction of its sequence [n]."""
        return self.settle / self.lengths

    def summary(self) -> dict:
        """The numbers without the arrays and the model (JSON)."""
        return {
            "arch": self.arch,
            "accuracy": round(self.accuracy, 4),
            "by_fraction": {f"{f:g}": round(v, 4) for f, v in self.by_fraction.items()},
            "confusion": self.confusion.tolist(),
            "settle_fraction_median": round(float(np.median(self.settle_fraction)), 3),
            "parameters": self.parameters,
            "train_seconds": round(self.train_seconds, 2),
            "predict_ms": round(self.predict_ms, 4),
            "steps": self.steps,
            "final_loss": None if math.isnan(self.final_loss) else round(self.final_loss, 4),
            "diverged": self.diverged,
        }


def score(model: torch.nn.Module, archive: Archive, arch: str, tr: Trainer | None = None) -> Scored:
    """A trained network on the set's test split: accuracy on whole sequences and on their first 10%..100%,
    confusion, when each answer settles, parameters and prediction time per sequence."""
    test = archive.test
    t0 = time.perf_counter()
    probs = step_probs(model, test.x)
    predict_ms = 1000 * (time.perf_counter() - t0) / max(1, len(test))
    final = at_steps(probs, test.lengths).argmax(-1)
    by_fraction = {}
    for f in FRACTIONS:
        seen = truncate(test.x, test.lengths, f)
        by_fraction[f] = float((at_steps(probs, seen).argmax(-1) == test.y).mean())
    settle = np.array([settle_step(probs[i], int(n)) for i, n in enumerate(test.lengths)], dtype=np.int64)
    loss = tr.history.loss[-1] if tr is not None and tr.history.loss else float("nan")
    return Scored(
        arch=arch,
        accuracy=float((final == test.y).mean()),
        by_fraction=by_fraction,
        confusion=confusion(test.y, final, len(archive.classes)),
        settle=settle,
        probs=probs.astype(np.float32),
        parameters=parameter_count(model),
        train_seconds=float(tr.seconds) if tr is not None else 0.0,
        predict_ms=predict_ms,
        steps=tr.step if tr is not None else 0,
        final_loss=float(loss),
        diverged=bool(tr is not None and tr.status.value == "diverged"),
        lengths=np.asarray(test.lengths),
        model=model,
    )


@torch.no_grad()
def hidden_states(model: torch.nn.Module, x: np.ndarray) -> np.ndarray | None:
    """A recurrent network's last-layer hidden state at every step of one sequence x [T, C]: [T, H];
    None for the CNN and the Transformer (they have no state carried from step to step)."""
    if not hasattr(model, "trace"):
        return None
    model.eval()
    tr = model.trace(torch.tensor(np.asarray(x, dtype=np.float32)[None]))
    return np.asarray(tr.hidden[-1][0], dtype=np.float32)


def at_chance(scored: dict, n_classes: int, n_test: int) -> list[str]:
    """The architectures whose test accuracy is within two test recordings of guessing (they learnt nothing)."""
    return [arch for arch, s in scored.items() if s.accuracy <= 1 / n_classes + 2 / n_test]


def reaches(early: dict, final: float, share: float = 0.9) -> float:
    """The first fraction of each sequence seen at which a model's accuracy reaches ``share`` of its own final
    accuracy (early: {fraction: accuracy}, fractions as numbers or strings); 1.0 if only at the end."""
    for f in sorted(early, key=float):
        if early[f] >= share * final:
            return float(f)
    return 1.0


def verdict(name: str, networks: dict[str, float], baselines: dict[str, str | float], n_classes: int) -> str:
    """Who won on the test split, in words, and why it is likely so. networks: {arch: accuracy};
    baselines: {method label: accuracy}. A difference of fewer than two test recordings is called a tie."""
    a = load_archive(name)
    n_te, n_tr = len(a.test), len(a.train)
    one = 1.0 / n_te  # one test recording, as a share
    chance = 1.0 / n_classes
    if not networks and not baselines:
        return ""
    parts = []
    best_net = max(networks.items(), key=lambda kv: kv[1]) if networks else None
    best_base = max(baselines.items(), key=lambda kv: kv[1]) if baselines else None
    if best_net is not None:
        parts.append(f"Best network: **{ARCH_LABELS[best_net[0]]}**, {100 * best_net[1]:.1f}% right")
    if best_base is not None:
        parts.append(f"best baseline: **{best_base[0]}**, {100 * best_base[1]:.1f}%")
    line = "; ".join(parts) + f" (guessing: {100 * chance:.0f}%; one test recording is {100 * one:.1f} points). "
    if best_net is None or best_base is None:
        return line
    gap = best_net[1] - best_base[1]
    if abs(gap) < 2 * one:
        return line + (
            "**A tie**: they differ by fewer than two test recordings. On data like this a network trained for a minute "
            "matches the field's established methods; neither is clearly better here."
        )
    if gap < 0:
        return line + (
            f"**The baseline won.** With only {n_tr} recordings to learn from, a method that compares whole shapes "
            "(dynamic time warping) or scores thousands of fixed random filters with a linear rule (MiniRocket) needs "
            "little data, while a network has to learn its own features from every example by gradient descent. More "
            "training steps, or a different seed, may narrow the gap; try them."
        )
    return line + (
        f"**The network won.** It learns which moments of a recording matter and keeps them in its state; with "
        f"{n_tr} recordings it found more than a fixed comparison of shapes. Check the chart below: a win at 100% "
        "may come with a later or earlier answer than the baselines'."
    )


# ----- the job ---------------------------------------------------------------------------------------
def recognise_key(cfg: RecogniseConfig) -> tuple:
    """The job's name: training is deterministic for the config (seed included)."""
    return ("recognise", cfg.validate())


def recognise_job(cfg: RecogniseConfig | None = None) -> Job:
    """Train each network of ``cfg.archs`` from the seed for ``cfg.steps`` steps, one stage each, and score it
    on the test split as soon as it is trained: a job for the shared worker. Its pieces and its result are
    {arch: Scored}. Raises ConfigError."""
    cfg = (cfg or RecogniseConfig()).validate()
    key = recognise_key(cfg)

    def prepare():
        return load_archive(cfg.data)

    def build_for(arch: str):
        return lambda _archive: trainer(cfg, arch)

    def after(archive: Archive, stage: Stage) -> Scored:
        return score(stage.trainer.model, archive, ARCH_OF[stage.label], stage.trainer)

    def combine(_archive, stages: list[Stage]) -> dict:
        return {ARCH_OF[s.label]: s.piece for s in stages}

    stages = [Stage(ARCH_LABELS[arch], build_for(arch), cfg.steps) for arch in cfg.archs]
    names = ", ".join(ARCH_LABELS[a] for a in cfg.archs)
    return Job(key, f"Recognise {cfg.data}: {names}, {cfg.steps:,} steps, seed {cfg.seed}", stages, combine, prepare, after)


def train_and_score(cfg: RecogniseConfig, progress: Callable | None = None) -> dict:
    """What ``python -m rnnviz recognise`` does for the networks: the page's job run here. progress(step,
    steps, loss) is called after every chunk of training."""
    t0 = time.time()
    job = recognise_job(cfg)

    def show(_fraction, _doing):
        for st in job.stages:
            if progress is not None and st.trainer is not None and not st.done and st.trainer.history.loss:
                progress(st.trainer.step, st.steps, st.trainer.history.loss[-1])
                return

    job.run_here(show)
    a = load_archive(cfg.data)
    return {
        "data": cfg.data,
        "config": {**cfg.__dict__, "archs": list(cfg.archs)},
        "seconds": round(time.time() - t0, 1),
        "chance": round(1 / len(a.classes), 4),
        "networks": {arch: s.summary() for arch, s in job.result.items()},
        "source": a.source(),
    }


__all__ = [
    "ARCHS",
    "FRACTIONS",
    "NAMES",
    "ArchiveTask",
    "RecogniseConfig",
    "recognise_job",
    "score",
    "train_and_score",
    "verdict",
]
