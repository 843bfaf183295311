"""Handwritten digits as the four input/output shapes of a recurrent network: pictures in, words out.

The data are scikit-learn's bundled handwritten digits (:func:`sklearn.datasets.load_digits`): 1,797
images of 8x8 pixels, each pixel a count from 0 to 16, shipped inside scikit-learn (nothing is downloaded).
One fixed, seeded, stratified split keeps 450 images apart for testing; every model learns from the other
1,347 and is scored on those 450 only. The same images are used in four ways:

- **one-to-one** (:class:`PixelNet`): all 64 pixels in at once, one answer out. A small feed-forward
  network: with a single input and a single output there is no sequence, so nothing to carry over time.
- **many-to-one**: a recurrent network reads the image one row at a time (8 steps of 8 pixels) and
  answers after the last row (the usual :class:`~rnnviz.models.recurrent.SequenceModel`).
- **one-to-many** (:class:`Speller`): the image sets the decoder's first hidden state (one linear layer);
  the decoder then writes the digit's English name a letter a step ("seven", then an end mark), fed
  its previous letter: captioning in miniature. Trained with teacher forcing (the true previous letter
  goes in), tested greedily (its own likeliest letter goes in).
- **many-to-many**: the same row-by-row reader, trained to answer after every row; its accuracy after
  1, 2, ..., 8 rows says how early it knows.

It trains like every model of the app: :func:`digits_job` is a job of the shared worker with one stage per
shape (a :class:`~rnnviz.runtime.training.Trainer` on a task of this module), keyed by its settings and seed;
each model is scored on the test images as soon as it has trained (a partial result the page draws at once).

    python -m rnnviz digits --json
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError
from ..models import parameter_count
from ..models.recurrent import INIT_LOCK, ModelConfig, SequenceModel
from ..runtime.jobs import Job, Stage
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Batch, Task

SHAPES = ("one_to_one", "many_to_one", "one_to_many", "many_to_many")
SHAPE_LABELS = {
    "one_to_one": "one-to-one",
    "many_to_one": "many-to-one",
    "one_to_many": "one-to-many",
    "many_to_many": "many-to-many",
}
SHAPE_OF = {label: shape for shape, label in SHAPE_LABELS.items()}  # a stage's label -> its shape
ARCHS = ("rnn", "lstm", "gru")
ARCH_LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
GOALS = {"one_to_one": 0.95, "many_to_one": 0.95, "one_to_many": 0.90}  # held-out accuracy each shape should reach
MAX_STEPS = 3000
ROWS = COLS = 8  # an image is 8 rows of 8 pixels
PIXELS = ROWS * COLS
LEVELS = 16  # a pixel counts 0..16 "on" cells of a 4x4 block
TEST_SIZE = 450  # images kept apart for testing (the other 1,347 train)
SPLIT_SEED = 0  # the split is fixed: every training seed is scored on the same 450 images

NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LETTERS = tuple(sorted(set("".join(NAMES))))  # the 15 letters the names use
END = "·"  # the end mark: the speller writes it after the last letter
START = "^"  # what the speller is fed before its first letter
OUT_TOKENS = (END, *LETTERS)  # what the speller writes: id 0 is the end mark, letter i has id i + 1
IN_TOKENS = (START, *LETTERS)  # what it reads: id 0 is the start, a letter has the same id as when written
MAX_WRITE = max(len(n) for n in NAMES) + 1  # the longest name and its end mark: 6 steps

SOURCE = (
    "Optical Recognition of Handwritten Digits, E. Alpaydin and C. Kaynak (Bogazici University, July 1998), "
    "UCI Machine Learning Repository: the 1,797 images of its test part, as shipped inside scikit-learn "
    "(sklearn.datasets.load_digits)."
)
TERMS = (
    "scikit-learn is BSD-3-Clause licensed. Its own description of the data (DESCR) names the creator (E. Alpaydin), "
    "the date and the UCI source, and states no licence; the UCI repository lists the data set under CC BY 4.0 "
    "(use it freely, crediting the authors)."
)


# ----- the data --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigitsData:
    """The split: train_x [1347, 64] and test_x [450, 64] pixels scaled to 0..1 (float32), train_y and
    test_y the digits [n] (int64), test_images [450, 8, 8] the test pixels as shipped (0..16)."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    test_images: np.ndarray

    @property
    def train_rows(self) -> np.ndarray:
        """The training images as 8 steps of 8 pixels [n, 8, 8]."""
        return self.train_x.reshape(-1, ROWS, COLS)

    @property
    def test_rows(self) -> np.ndarray:
        return self.test_x.reshape(-1, ROWS, COLS)


@functools.lru_cache(maxsize=4)
def load_digits_split(seed: int = SPLIT_SEED, test_size: int = TEST_SIZE) -> DigitsData:
    """scikit-learn's digits split into training and test images, stratified (each digit in the same
    proportion on both sides) and seeded: the same seed always keeps the same images apart. Pixels are
    divided by 16. Read from the copy scikit-learn ships; nothing is downloaded."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = d.data.astype(np.float32)  # [1797, 64] counts 0..16
    y = d.target.astype(np.int64)
    tr, te = train_test_split(np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed)
    arrays = (x[tr] / LEVELS, y[tr], x[te] / LEVELS, y[te], x[te].reshape(-1, ROWS, COLS))
    for a in arrays:
        a.setflags(write=False)  # shared by every session of the process
    return DigitsData(*arrays)


def name_ids(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the speller reads and writes for these digits [n]: (fed [n, 6]: the start and the name's
    letters; target [n, 6]: the letters and the end mark; mask [n, 6]: 1 where a target counts). Worked
    example, 2: fed "^ t w o", target "t w o ·", the last two steps padding."""
    n = len(digits)
    fed = np.zeros((n, MAX_WRITE), np.int64)
    target = np.zeros((n, MAX_WRITE), np.int64)
    mask = np.zeros((n, MAX_WRITE), np.float32)
    for i, d in enumerate(np.asarray(digits)):
        ids = [OUT_TOKENS.index(c) for c in NAMES[int(d)]]
        fed[i, 1 : len(ids) + 1] = ids
        target[i, : len(ids)] = ids
        mask[i, : len(ids) + 1] = 1  # the letters and the end mark
    return fed, target, mask


def spelled(ids) -> str:
    """The letters of written ids up to (not including) the first end mark."""
    out = []
    for i in ids:
        if int(i) == 0:
            break
        out.append(OUT_TOKENS[int(i)])
    return "".join(out)


# ----- the tasks (the trainer's training streams: training images only) ------------------------------
class _DigitsTask(Task):
    """Draws batches of training images at random (the test images are never drawn)."""

    loss = "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(10), 0.1
    solved_metric, solved_loss = 0.95, 0.2
    output_size, output_labels = 10, tuple(str(d) for d in range(10))

    def __init__(self, data: DigitsData):
        self.x, self.y = data.train_x, data.train_y  # numpy: travels to the trainer process

    def _draw(self, rng, B):
        idx = rng.integers(0, len(self.y), B)
        return self.x[idx], self.y[idx]


class PixelsTask(_DigitsTask):
    """Name the digit from all 64 pixels at once (one-to-one: one step in, one answer out). Worked example::

    x: 64 numbers from 0 to 1 (the image, row after row)  ->  target: 7
    """

    name, title, shape = "digits:pixels", "Digits from all pixels at once", "one-to-one"
    input_size = PIXELS
    min_len = max_len = default_len = 1
    summary = "name a handwritten digit from its 64 pixels"

    def _make(self, rng, B, T):
        x, y = self._draw(rng, B)
        return x[:, None, :], y[:, None], np.ones((B, 1)), {}


class RowsTask(_DigitsTask):
    """Name the digit from its rows read one per step: after the last row only (many-to-one) or after
    every row (many-to-many, ``every_row``). Worked example::

        step 1: the top row's 8 pixels, ..., step 8: the bottom row's  ->  target 7 (after step 8, or at every step)
    """

    input_size = COLS
    min_len = max_len = default_len = ROWS

    def __init__(self, data: DigitsData, every_row: bool):
        super().__init__(data)
        self.every_row = bool(every_row)
        self.shape = "many-to-many" if every_row else "many-to-one"
        self.name = f"digits:rows_{'each' if every_row else 'last'}"
        self.title = "Digits read row by row" + (", answered after every row" if every_row else "")
        self.summary = "name a handwritten digit while reading it a row at a time"

    def _make(self, rng, B, T):
        x, y = self._draw(rng, B)
        mask = np.ones((B, T)) if self.every_row else np.zeros((B, T))
        mask[:, -1] = 1
        return x.reshape(B, ROWS, COLS)[:, :T], np.repeat(y[:, None], T, 1), mask, {}


class NamesTask(_DigitsTask):
    """Write the digit's English name a letter a step from the image (one-to-many). The speller reads more
    than one tensor (the pixels, and the true letters so far for teacher forcing), so the task scores it
    itself (:meth:`forward_loss`, the trainer's hook); the trainer's metric is then the share of letters
    (end marks included) predicted right. Worked example::

        image of a 2  ->  fed "^ t w o", target "t w o ·"
    """

    name, title, shape = "digits:names", "Digits written out as words", "one-to-many"
    input_size, output_size = PIXELS, len(OUT_TOKENS)
    output_labels = OUT_TOKENS
    baseline_loss, baseline_metric = math.log(len(OUT_TOKENS)), 1 / len(OUT_TOKENS)
    solved_metric = 0.98
    min_len = max_len = default_len = MAX_WRITE
    summary = "write a handwritten digit's name, letter by letter"

    def batch(self, batch_size: int, seq_len: int, rng: np.random.Generator) -> Batch:
        self.check_len(seq_len)
        x, y = self._draw(rng, int(batch_size))
        fed, target, mask = name_ids(y)
        return Batch((torch.from_numpy(x), torch.from_numpy(fed)), torch.from_numpy(target), torch.from_numpy(mask))

    def forward_loss(self, model: Speller, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """(letter logits [B, 6, V] with teacher forcing, mean cross-entropy over the letters and end marks)."""
        pixels, fed = batch.x
        logits = model(pixels, fed)  # [B, T, V]
        per = F.cross_entropy(logits.transpose(1, 2), batch.y, reduction="none")  # [B, T]
        return logits, (per * batch.mask).sum() / batch.mask.sum().clamp_min(1)


# ----- the models ------------------------------------------------------------------------------------
class PixelNet(nn.Module):
    """One-to-one: 64 pixels -> ``hidden`` ReLU units -> 10 digit scores. No recurrence: one input, one
    output, nothing to remember between steps. Takes x [B, T, 64] (T = 1) and returns [B, T, 10]."""

    def __init__(self, hidden: int, seed: int = 0):
        super().__init__()
        with INIT_LOCK, torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.hidden = nn.Linear(PIXELS, hidden)
            self.readout = nn.Linear(hidden, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(torch.relu(self.hidden(x)))


class Speller(nn.Module):
    """One-to-many: the image sets the first hidden state, a recurrent decoder writes the name.

        h_0 = tanh(W_0 x + b_0)                 x: the 64 pixels, W_0 [H, 64]
        h_t = cell(e(c_(t-1)), h_(t-1))         c_0 the start mark, then the previous letter
        p_t = softmax(W_y h_t + b_y)            scores over the end mark and the 15 letters

    ``cell`` is an RNN, LSTM (its cell state starts at zero) or GRU with ``hidden`` units; e embeds each
    token in ``embed`` numbers. forward(pixels [B, 64], fed [B, T]) -> logits [B, T, V] (teacher forcing:
    ``fed`` holds the true previous letters); :meth:`write` decodes greedily (its own letters fed back)."""

    def __init__(self, arch: str, hidden: int, seed: int = 0, embed: int = 16):
        super().__init__()
        self.arch = arch
        with INIT_LOCK, torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.init = nn.Linear(PIXELS, hidden)  # W_0
            self.embed = nn.Embedding(len(IN_TOKENS), embed)
            self.core = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[arch](embed, hidden, batch_first=True)
            self.readout = nn.Linear(hidden, len(OUT_TOKENS))  # W_y

    def start_state(self, pixels: torch.Tensor):
        h0 = torch.tanh(self.init(pixels))[None]  # [1, B, H]
        return (h0, torch.zeros_like(h0)) if self.arch == "lstm" else h0

    def forward(self, pixels: torch.Tensor, fed: torch.Tensor) -> torch.Tensor:
        out, _ = self.core(self.embed(fed), self.start_state(pixels))  # [B, T, H]
        return self.readout(out)

    @torch.no_grad()
    def write(self, pixels: torch.Tensor, steps: int = MAX_WRITE) -> tuple[np.ndarray, np.ndarray]:
        """Greedy decoding: (written ids [B, steps], probabilities [B, steps, V]); each step is fed the
        letter written at the step before. Ids after the first end mark are what it would write on."""
        self.eval()
        state = self.start_state(pixels)
        prev = torch.zeros(len(pixels), 1, dtype=torch.long)  # the start mark
        ids, probs = [], []
        for _ in range(steps):
            out, state = self.core(self.embed(prev), state)
            p = torch.softmax(self.readout(out[:, 0]), -1)  # [B, V]
            prev = p.argmax(-1, keepdim=True)
            ids.append(prev[:, 0])
            probs.append(p)
        return torch.stack(ids, 1).numpy(), torch.stack(probs, 1).numpy()


def row_reader(arch: str, hidden: int, seed: int) -> SequenceModel:
    """The many-to-one and many-to-many reader: 8 pixels a step into an RNN/LSTM/GRU, 10 scores out at every step."""
    return SequenceModel(ModelConfig(arch=arch, input_size=COLS, hidden_size=hidden, output_size=10), seed=seed)


# ----- configuration and training --------------------------------------------------------------------
@dataclass(frozen=True)
class DigitsConfig:
    """shapes: which of SHAPES to train (each a stage); arch: the recurrent cell of the three recurrent
    shapes; hidden: units (the one-to-one network's hidden layer too); steps: Adam steps per shape;
    batch: images per step; lr: Adam's; seed: weights and the order of the images (the split is fixed)."""

    shapes: tuple[str, ...] = SHAPES
    arch: str = "gru"
    hidden: int = 64
    steps: int = 800
    batch: int = 64
    lr: float = 1e-2
    seed: int = 0

    def validate(self) -> DigitsConfig:
        if (
            not isinstance(self.shapes, tuple)
            or not self.shapes
            or any(s not in SHAPES for s in self.shapes)
            or len(set(self.shapes)) != len(self.shapes)
        ):
            raise ConfigError(f"shapes must be one or more of {', '.join(SHAPES)} (each once), got {self.shapes!r}")
        if self.arch not in ARCHS:
            raise ConfigError(f"arch must be one of {', '.join(ARCHS)}, got {self.arch!r}")
        if not isinstance(self.hidden, int) or isinstance(self.hidden, bool) or not 4 <= self.hidden <= 256:
            raise ConfigError(f"hidden must be an integer from 4 to 256, got {self.hidden!r}")
        if not isinstance(self.steps, int) or isinstance(self.steps, bool) or not 1 <= self.steps <= MAX_STEPS:
            raise ConfigError(f"steps must be an integer from 1 to {MAX_STEPS}, got {self.steps!r}")
        if not isinstance(self.batch, int) or isinstance(self.batch, bool) or not 1 <= self.batch <= 512:
            raise ConfigError(f"batch must be an integer from 1 to 512, got {self.batch!r}")
        if not isinstance(self.lr, (int, float)) or not 1e-5 <= float(self.lr) <= 1.0:
            raise ConfigError(f"lr must be from 1e-5 to 1, got {self.lr!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed <= 9999:
            raise ConfigError(f"seed must be an integer from 0 to 9999, got {self.seed!r}")
        return self


def model_for(cfg: DigitsConfig, shape: str) -> nn.Module:
    """A seeded, untrained model for one shape."""
    if shape == "one_to_one":
        return PixelNet(cfg.hidden, cfg.seed)
    if shape == "one_to_many":
        return Speller(cfg.arch, cfg.hidden, cfg.seed)
    return row_reader(cfg.arch, cfg.hidden, cfg.seed)


def task_for(shape: str, data: DigitsData) -> Task:
    if shape == "one_to_one":
        return PixelsTask(data)
    if shape == "one_to_many":
        return NamesTask(data)
    return RowsTask(data, every_row=shape == "many_to_many")


def trainer(cfg: DigitsConfig, shape: str, data: DigitsData | None = None) -> Trainer:
    """An untrained model for one shape and the package's Trainer for it: Adam at cfg.lr on cfg.batch
    training images a step, the gradient clipped at norm 1. The worker trains it in turns (or
    :meth:`Job.run_here`, here)."""
    task = task_for(shape, data if data is not None else load_digits_split())
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed)
    return Trainer(model_for(cfg, shape), task, tcfg)


# ----- scoring on the test images --------------------------------------------------------------------
@torch.no_grad()
def row_probs(model: nn.Module, rows: np.ndarray) -> np.ndarray:
    """A row reader's digit probabilities after every row [n, 8, 10] for images as rows [n, 8, 8]."""
    model.eval()
    return torch.softmax(model(torch.tensor(np.asarray(rows, np.float32))), -1).numpy()


@torch.no_grad()
def pixel_probs(model: PixelNet, x: np.ndarray) -> np.ndarray:
    """The one-to-one network's digit probabilities [n, 10] for images [n, 64]."""
    model.eval()
    return torch.softmax(model(torch.tensor(np.asarray(x, np.float32))[:, None]), -1)[:, 0].numpy()


def write_names(model: Speller, x: np.ndarray) -> tuple[list[str], np.ndarray]:
    """What the speller writes for images [n, 64]: (the names, probabilities [n, 6, V] at each step)."""
    ids, probs = model.write(torch.tensor(np.asarray(x, np.float32)))
    return [spelled(row) for row in ids], probs


def letter_scores(written: list[str], digits: np.ndarray) -> tuple[float, float]:
    """(exact: share of names written right letter for letter, end mark included; per_letter: share of the
    true names' letters and end marks written right at their place)."""
    exact = right = total = 0
    for w, d in zip(written, np.asarray(digits)):
        true = NAMES[int(d)] + END
        got = w + END
        exact += w == NAMES[int(d)]
        right += sum(a == b for a, b in zip(true, got))
        total += len(true)
    n = max(1, len(written))
    return exact / n, right / max(1, total)


def caption(probs: np.ndarray) -> str:
    """One image's written name from its step probabilities [steps, V]: the likeliest token at each step up
    to the first end mark (what greedy decoding wrote)."""
    return spelled(np.asarray(probs).argmax(-1))


@dataclass
class ShapeScore:
    """One trained model on the 450 test images. accuracy: the headline (digits named right; for one-to-many,
    names written exactly right); answers [n]: the digit each test image was given (one-to-many: the digit
    whose name was written, -1 for a word that is no digit's name); by_row [8]: accuracy after 1..8 rows
    and row_answers [n, 8]: each image's answer after each row (the row readers); exact, per_letter, written
    (one-to-many); parameters, train_seconds, steps, final training loss, whether it diverged, and the model."""

    shape: str
    accuracy: float
    answers: np.ndarray
    parameters: int
    train_seconds: float
    steps: int
    final_loss: float
    diverged: bool
    model: nn.Module
    by_row: list[float] | None = None
    row_answers: np.ndarray | None = None
    exact: float | None = None
    per_letter: float | None = None
    written: list[str] | None = None

    def summary(self) -> dict:
        """The numbers without the arrays and the model (JSON)."""
        out = {
            "accuracy": round(self.accuracy, 4),
            "parameters": self.parameters,
            "train_seconds": round(self.train_seconds, 2),
            "steps": self.steps,
            "final_loss": None if math.isnan(self.final_loss) else round(self.final_loss, 4),
            "diverged": self.diverged,
        }
        if self.by_row is not None:
            out["by_row"] = [round(v, 4) for v in self.by_row]
        if self.exact is not None:
            out["exact"] = round(self.exact, 4)
            out["per_letter"] = round(self.per_letter, 4)
        return out


def score(model: nn.Module, data: DigitsData, shape: str, tr: Trainer | None = None) -> ShapeScore:
    """A trained model of one shape on the test images."""
    torch.set_num_threads(1)
    by_row = row_answers = exact = per_letter = written = None
    if shape == "one_to_one":
        answers = pixel_probs(model, data.test_x).argmax(-1)
        accuracy = float((answers == data.test_y).mean())
    elif shape == "one_to_many":
        written, _ = write_names(model, data.test_x)
        answers = np.array([NAMES.index(w) if w in NAMES else -1 for w in written], np.int64)
        exact, per_letter = letter_scores(written, data.test_y)
        accuracy = exact
    else:
        probs = row_probs(model, data.test_rows)  # [n, 8, 10]
        row_answers = probs.argmax(-1)  # [n, 8]
        by_row = [float(v) for v in (row_answers == data.test_y[:, None]).mean(0)]
        answers = row_answers[:, -1]
        accuracy = by_row[-1]
    loss = tr.history.loss[-1] if tr is not None and tr.history.loss else float("nan")
    return ShapeScore(
        shape=shape,
        accuracy=accuracy,
        answers=np.asarray(answers),
        parameters=parameter_count(model),
        train_seconds=float(tr.seconds) if tr is not None else 0.0,
        steps=tr.step if tr is not None else 0,
        final_loss=float(loss),
        diverged=bool(tr is not None and tr.status.value == "diverged"),
        model=model,
        by_row=by_row,
        row_answers=row_answers,
        exact=exact,
        per_letter=per_letter,
        written=written,
    )


def knows_at(by_row: list[float], share: float = 0.9) -> int:
    """The first number of rows read (1..8) after which a reader's accuracy reaches ``share`` of its final one."""
    return next((k + 1 for k, a in enumerate(by_row) if a >= share * by_row[-1]), len(by_row))


def common_mixup(answers: np.ndarray, truth: np.ndarray) -> tuple[int, int, int, int] | None:
    """The commonest mistake in ``answers`` [n]: (true digit, digit answered, how often, test images of that
    digit); None when every answer is right."""
    wrong = np.asarray(answers) != np.asarray(truth)
    if not wrong.any():
        return None
    pairs = np.zeros((10, 10), np.int64)
    np.add.at(pairs, (np.asarray(truth)[wrong], np.asarray(answers)[wrong]), 1)
    t, a = np.unravel_index(int(pairs.argmax()), pairs.shape)
    return int(t), int(a), int(pairs[t, a]), int((np.asarray(truth) == t).sum())


def goals_met(scores: dict) -> dict:
    """{shape: whether its held-out accuracy reached GOALS[shape]} for the trained shapes that have a goal."""
    return {s: bool(scores[s].accuracy >= g) for s, g in GOALS.items() if s in scores}


# ----- the job ---------------------------------------------------------------------------------------
def digits_key(cfg: DigitsConfig) -> tuple:
    """The job's name: training is deterministic for the config (seed included)."""
    return ("digits", cfg.validate())


def digits_job(cfg: DigitsConfig | None = None) -> Job:
    """Train one model per shape of ``cfg.shapes`` from the seed for ``cfg.steps`` steps, one stage each, and
    score it on the test images as soon as it is trained: a job for the shared worker. Its pieces and its
    result are {shape: ShapeScore}. Raises ConfigError."""
    cfg = (cfg or DigitsConfig()).validate()
    key = digits_key(cfg)

    def prepare():
        return load_digits_split()

    def build_for(shape: str):
        return lambda data: trainer(cfg, shape, data)

    def after(data: DigitsData, stage: Stage) -> ShapeScore:
        return score(stage.trainer.model, data, SHAPE_OF[stage.label], stage.trainer)

    def combine(_data, stages: list[Stage]) -> dict:
        return {SHAPE_OF[s.label]: s.piece for s in stages}

    stages = [Stage(SHAPE_LABELS[s], build_for(s), cfg.steps) for s in cfg.shapes]
    names = ", ".join(SHAPE_LABELS[s] for s in cfg.shapes)
    title = f"Digits: {names} ({ARCH_LABELS[cfg.arch]}, {cfg.hidden} units), {cfg.steps:,} steps, seed {cfg.seed}"
    return Job(key, title, stages, combine, prepare, after)


def sample_captions(s: ShapeScore, data: DigitsData, n: int = 10) -> list[dict]:
    """The first test image of each digit (up to n) with what the speller wrote for it."""
    out = []
    for d in range(10):
        i = int(np.nonzero(data.test_y == d)[0][0])
        out.append({"image": i, "digit": d, "written": s.written[i], "right": s.written[i] == NAMES[d]})
    return out[:n]


def train_and_score(cfg: DigitsConfig, progress: Callable | None = None) -> dict:
    """What ``python -m rnnviz digits`` does: the page's job run here, summed up as one JSON-ready dict.
    progress(label, step, steps, loss) is called after every chunk of training."""
    torch.set_num_threads(1)
    t0 = time.time()
    job = digits_job(cfg)

    def show(_fraction, _doing):
        for st in job.stages:
            if progress is not None and st.trainer is not None and not st.done and st.trainer.history.loss:
                progress(st.label, st.trainer.step, st.steps, st.trainer.history.loss[-1])
                return

    job.run_here(show)
    scores: dict = job.result
    data = load_digits_split()
    out = {
        "accuracy": {s: round(v.accuracy, 4) for s, v in scores.items()},
        "goals": {s: GOALS[s] for s in scores if s in GOALS},
        "goals_met": goals_met(scores),
        "chance": 0.1,
    }
    if "many_to_many" in scores:
        out["many_to_many_by_row"] = [round(v, 4) for v in scores["many_to_many"].by_row]
    if "many_to_one" in scores:
        out["many_to_one_by_row"] = [round(v, 4) for v in scores["many_to_one"].by_row]
    if "one_to_many" in scores:
        s = scores["one_to_many"]
        out["one_to_many_exact"] = round(s.exact, 4)
        out["one_to_many_per_letter"] = round(s.per_letter, 4)
        out["captions"] = sample_captions(s, data)
    out.update(
        train_seconds={s: round(v.train_seconds, 2) for s, v in scores.items()},
        parameters={s: v.parameters for s, v in scores.items()},
        seconds=round(time.time() - t0, 1),
        seed=cfg.seed,
        steps=cfg.steps,
        hidden=cfg.hidden,
        arch=cfg.arch,
        batch=cfg.batch,
        lr=cfg.lr,
        split={"train": len(data.train_y), "test": len(data.test_y), "split_seed": SPLIT_SEED, "stratified": True},
        shapes={s: v.summary() for s, v in scores.items()},
        source=SOURCE,
        terms=TERMS,
    )
    return out


__all__ = [
    "GOALS",
    "NAMES",
    "SHAPES",
    "DigitsConfig",
    "DigitsData",
    "PixelNet",
    "ShapeScore",
    "Speller",
    "digits_job",
    "digits_key",
    "load_digits_split",
    "score",
    "train_and_score",
]
