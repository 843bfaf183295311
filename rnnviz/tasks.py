"""Toy sequence tasks: seeded batch generators that know their shape, loss, baseline and labels.

Every task turns (numpy Generator, batch size, sequence length) into a :class:`Batch` whose
targets live on the time axis: ``y`` is [B, T] class ids or [B, T, O] values, and ``mask`` [B, T]
marks the steps that count. A many-to-one task masks everything but the last step, a copy task
only the recall steps. The same seed always gives the same batches.

    >>> task = get_task("adding")
    >>> b = task.batch(4, 20, np.random.default_rng(0))
    >>> b.x.shape, b.y.shape, b.mask.shape
    (torch.Size([4, 20, 2]), torch.Size([4, 20, 1]), torch.Size([4, 20]))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .errors import TaskError
from .text import TEXT


@dataclass
class Batch:
    x: torch.Tensor  # [B, T] token ids (long) or [B, T, I] features (float32)
    y: torch.Tensor  # [B, T] class ids (long) or [B, T, O] targets (float32)
    mask: torch.Tensor  # [B, T] float32, 1 where the step is scored
    extra: dict = field(default_factory=dict)  # task-specific numpy arrays (e.g. legal next symbols)


class Task:
    """Base class: subclasses set the class attributes and implement ``_make``."""

    name = ""
    title = ""
    shape = ""  # "many-to-one", "many-to-many" or "one-to-many"
    loss = "mse"  # "mse" (regression) or "ce" (classification)
    metric_name = "MSE"
    higher_is_better = False
    baseline_loss = 0.0  # loss of the best input-blind guess (drawn as the chance line)
    baseline_metric = 0.0
    solved_metric = 0.0  # threshold on the metric that counts as solved
    solved_loss = 0.0  # loss at about that point (drawn as the solved line)
    min_len, max_len, default_len = 2, 400, 50
    input_size = 1  # features per step, or the embedding width when tokens is set
    output_size = 1
    tokens: tuple | None = None  # input vocabulary (symbol tasks)
    output_labels: tuple | None = None  # class names (classification)
    summary = ""

    # ----- public -------------------------------------------------------------------------
    def check_len(self, seq_len: int) -> int:
        if not isinstance(seq_len, (int, np.integer)) or not self.min_len <= seq_len <= self.max_len:
            raise TaskError(
                f"sequence length for {self.name} must be an integer from {self.min_len} to {self.max_len}, got {seq_len!r}"
            )
        return int(seq_len)

    def batch(self, batch_size: int, seq_len: int, rng: np.random.Generator) -> Batch:
        T = self.check_len(seq_len)
        x, y, mask, extra = self._make(rng, int(batch_size), T)
        x = torch.from_numpy(x.astype(np.int64) if self.tokens else x.astype(np.float32))
        y = torch.from_numpy(y.astype(np.int64) if self.loss == "ce" else y.astype(np.float32))
        return Batch(x, y, torch.from_numpy(mask.astype(np.float32)), extra)

    def example_batch(self, n: int, seq_len: int, seed: int) -> Batch:
        """The fixed batch of n examples that inspection shows (and compares) for a seed: drawn from
        its own generator [seed, 5], apart from the training, probe and held-out batches."""
        return self.batch(n, seq_len, np.random.default_rng([seed, 5]))

    def metric(self, output: torch.Tensor, batch: Batch) -> float:
        """Accuracy on scored steps (classification) or MSE on scored steps (regression)."""
        with torch.no_grad():
            m = batch.mask
            if self.loss == "ce":
                hit = (output.argmax(-1) == batch.y).float()
                return float((hit * m).sum() / m.sum().clamp_min(1))
            se = ((output - batch.y) ** 2).mean(-1)
            return float((se * m).sum() / m.sum().clamp_min(1))

    def is_solved(self, metric: float) -> bool:
        return metric >= self.solved_metric if self.higher_is_better else metric < self.solved_metric

    def step_labels(self, batch: Batch, i: int = 0) -> list[str]:
        """What example i's input is at each step, as short strings for an axis."""
        x = batch.x[i].numpy()
        if self.tokens:
            return [self.tokens[int(t)] for t in x]
        return [", ".join(f"{v:.2f}" for v in row) if row.size > 1 else f"{row[0]:.2f}" for row in x]

    def worked_example(self) -> str:
        """The worked example from the task's docstring (the indented block after 'Worked example')."""
        block = (type(self).__doc__ or "").split("Worked example")[-1].split("::", 1)[-1]
        lines = block.strip("\n").splitlines()
        keep = []
        for line in lines:
            if keep and line.strip() and not line.startswith("        "):
                break
            keep.append(line)
        return "\n".join(x[8:] if x.startswith("        ") else x.strip() for x in keep).strip()

    def describe(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "shape": self.shape,
            "loss": self.loss,
            "metric": self.metric_name,
            "baseline_loss": self.baseline_loss,
            "baseline_metric": self.baseline_metric,
            "solved_metric": self.solved_metric,
            "seq_len": [self.min_len, self.max_len, self.default_len],
            "summary": self.summary,
        }

    def _make(self, rng, B, T):
        raise NotImplementedError


def _last_only(B, T):
    mask = np.zeros((B, T))
    mask[:, -1] = 1
    return mask


class Adding(Task):
    """The adding problem (Hochreiter & Schmidhuber 1997).

    Each step carries two numbers: a value drawn from U(0, 1) and a marker that is 1 at exactly
    two steps (one in each half of the sequence) and 0 elsewhere. The target, read at the last
    step, is the sum of the two marked values. Worked example, T = 6::

        values  0.3  0.9  0.1  0.5  0.7  0.2
        markers 0    1    0    0    1    0      ->  target 0.9 + 0.7 = 1.6

    Always guessing 1.0 gives MSE 1/6 = 0.167 (the variance of a sum of two uniforms).
    """

    name, title, shape, loss = "adding", "Adding problem", "many-to-one", "mse"
    metric_name = "MSE"
    baseline_loss = baseline_metric = 1 / 6
    solved_metric = solved_loss = 0.01
    min_len, max_len, default_len = 4, 400, 50
    input_size, output_size = 2, 1
    summary = "add the two marked numbers of a long sequence (many-to-one regression)"

    def _make(self, rng, B, T):
        vals = rng.random((B, T))
        marks = np.zeros((B, T))
        half = T // 2
        a = rng.integers(0, half, B)
        b = rng.integers(half, T, B)
        marks[np.arange(B), a] = 1
        marks[np.arange(B), b] = 1
        y = np.zeros((B, T, 1))
        y[:, -1, 0] = vals[np.arange(B), a] + vals[np.arange(B), b]
        return np.stack([vals, marks], -1), y, _last_only(B, T), {}

    def step_labels(self, batch, i=0):
        """The value at each step, with a star on the two marked ones: '0.42', '★0.87'."""
        x = batch.x[i].numpy()
        return [("★" if m > 0.5 else "") + f"{v:.2f}" for v, m in x]


class FirstSymbol(Task):
    """Remember the first symbol across a long lag (many-to-one classification).

    The first step is one of A, B, C, D; every later step is a distractor from w, x, y, z. At
    the last step the model must name the first symbol. Worked example, T = 6::

        input  C x w z z y   ->  target C

    Guessing gives accuracy 1/4 and cross-entropy ln 4 = 1.386.
    """

    name, title, shape, loss = "first_symbol", "Remember the first symbol", "many-to-one", "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(4), 0.25
    solved_metric, solved_loss = 0.99, 0.05
    min_len, max_len, default_len = 2, 400, 30
    input_size, output_size = 8, 4
    tokens = ("A", "B", "C", "D", "w", "x", "y", "z")
    output_labels = ("A", "B", "C", "D")
    summary = "name the first symbol after a run of distractors (many-to-one classification)"

    def _make(self, rng, B, T):
        first = rng.integers(0, 4, B)
        x = rng.integers(4, 8, (B, T))
        x[:, 0] = first
        y = np.zeros((B, T))
        y[:, -1] = first
        return x, y, _last_only(B, T), {}


class TemporalOrder(Task):
    """Temporal order (Hochreiter & Schmidhuber 1997): which of X and Y came first?

    Two relevant symbols, each X or Y, appear at random steps (one in the first 30% of the
    sequence, one after the middle) among distractors a, b, c, d; the class at the last step is
    their order: XX, XY, YX or YY. Worked example, T = 8::

        input  a Y c b d X a c   ->  target YX
    """

    name, title, shape, loss = "temporal_order", "Temporal order", "many-to-one", "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(4), 0.25
    solved_metric, solved_loss = 0.99, 0.05
    min_len, max_len, default_len = 6, 400, 30
    input_size, output_size = 8, 4
    tokens = ("a", "b", "c", "d", "X", "Y")
    output_labels = ("XX", "XY", "YX", "YY")
    summary = "tell the order of two far-apart symbols X/Y among distractors (many-to-one)"

    def _make(self, rng, B, T):
        x = rng.integers(0, 4, (B, T))
        p1 = rng.integers(0, max(1, int(0.3 * T)), B)
        p2 = rng.integers(T // 2, T, B)
        s1, s2 = rng.integers(0, 2, B), rng.integers(0, 2, B)
        x[np.arange(B), p1] = 4 + s1
        x[np.arange(B), p2] = 4 + s2
        y = np.zeros((B, T))
        y[:, -1] = 2 * s1 + s2
        return x, y, _last_only(B, T), {}


class Copy(Task):
    """Copy / delayed recall (many-to-many classification).

    Four letters from a..h are shown first, then blanks (_), then a cue (:) just before the
    last four steps, during which the model must replay the letters in order.
    Only those four steps are scored. Worked example, T = 12::

        input   c a h e _ _ _ : _ _ _ _
        target  . . . . . . . . c a h e   (dots: not scored)
    """

    name, title, shape, loss = "copy", "Copy after a delay", "many-to-many", "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(8), 1 / 8
    solved_metric, solved_loss = 0.99, 0.05
    K = 4
    min_len, max_len, default_len = 9, 400, 20
    input_size, output_size = 10, 8
    tokens = tuple("abcdefgh") + ("_", ":")
    output_labels = tuple("abcdefgh")
    summary = "replay four letters after a delay and a cue (many-to-many, scored at the end)"

    def _make(self, rng, B, T):
        K = self.K
        letters = rng.integers(0, 8, (B, K))
        x = np.full((B, T), 8)
        x[:, :K] = letters
        x[:, T - K - 1] = 9
        y = np.zeros((B, T))
        y[:, T - K :] = letters
        mask = np.zeros((B, T))
        mask[:, T - K :] = 1
        return x, y, mask, {}


# Reber grammar: state -> list of (symbol, next state); state 6 emits E and ends.
_REBER = {
    1: [("T", 2), ("P", 3)],
    2: [("S", 2), ("X", 4)],
    3: [("T", 3), ("V", 5)],
    4: [("X", 3), ("S", 6)],
    5: [("P", 4), ("V", 6)],
}
_RB = ("B", "T", "P", "S", "X", "V", "E")


def _reber_string(rng) -> list[tuple[str, frozenset]]:
    """One embedded Reber string as (symbol, set of legal next symbols) pairs."""
    out = []
    branch = "T" if rng.random() < 0.5 else "P"
    out.append(("B", frozenset("TP")))
    out.append((branch, frozenset("B")))
    out.append(("B", frozenset("TP")))
    state = 1
    while state != 6:
        sym, nxt = _REBER[state][int(rng.integers(0, 2))]
        state = nxt
        legal = frozenset("E") if state == 6 else frozenset(s for s, _ in _REBER[state])
        out.append((sym, legal))
    out.append(("E", frozenset(branch)))  # only memory of the second symbol tells which
    out.append((branch, frozenset("E")))
    out.append(("E", frozenset("B")))  # the stream goes on with the next string
    return out


class Reber(Task):
    """Embedded Reber grammar, next-symbol prediction over a stream of strings (many-to-many).

    Strings are B, then T or P, then an inner Reber string, then the same T or P again, then E.
    Most next symbols have two legal choices; the one after the inner string's E is fixed by
    the second symbol of the string, possibly many steps back. The metric is the share of steps
    where the model's top guess is a legal next symbol. Worked example (one string)::

        input   B T B T X S E T E
        target  T B T X S E T E B   (the last T must match the second symbol)
    """

    name, title, shape, loss = "reber", "Embedded Reber grammar", "many-to-many", "ce"
    metric_name, higher_is_better = "legal-prediction rate", True
    baseline_loss, baseline_metric = math.log(7), 0.30
    solved_metric, solved_loss = 0.99, 0.55
    min_len, max_len, default_len = 8, 400, 40
    input_size, output_size = 8, 7
    tokens = output_labels = _RB
    summary = "predict the next symbol of a grammar with a long-range rule (many-to-many)"

    def _make(self, rng, B, T):
        idx = {s: i for i, s in enumerate(_RB)}
        x = np.zeros((B, T))
        y = np.zeros((B, T))
        legal = np.zeros((B, T, 7), bool)
        for b in range(B):
            seq = []
            while len(seq) < T + 1:
                seq.extend(_reber_string(rng))
            for t in range(T):
                x[b, t] = idx[seq[t][0]]
                y[b, t] = idx[seq[t + 1][0]]
                for s in seq[t][1]:
                    legal[b, t, idx[s]] = True
        return x, y, np.ones((B, T)), {"legal": legal}

    def metric(self, output, batch):
        guess = output.argmax(-1).numpy()  # [B, T]
        ok = np.take_along_axis(batch.extra["legal"], guess[..., None], -1)[..., 0]
        return float(ok.mean())


class CountingAnBn(Task):
    """Counting: next-symbol prediction on a stream of a^n b^n strings (many-to-many).

    Each string is n a's, then n b's, then $, with n from 1 to 8. While reading a's the next
    symbol is a guess, but once the first b arrives the rest is fixed: exactly n b's and then $.
    The metric is accuracy on those determined steps. Worked example::

        input   a a a b b b $ a b
        target  a a b b b $ a b $    (determined from the first b on: b b $ a . $)
    """

    name, title, shape, loss = "anbn", "Counting a^n b^n", "many-to-many", "ce"
    metric_name, higher_is_better = "accuracy on determined steps", True
    baseline_loss, baseline_metric = math.log(3), 1 / 3
    solved_metric, solved_loss = 0.99, 0.35
    N = 8
    min_len, max_len, default_len = 4, 400, 40
    input_size, output_size = 4, 3
    tokens = output_labels = ("a", "b", "$")
    summary = "count a's, then predict when the b's must stop (many-to-many)"

    def _make(self, rng, B, T):
        x = np.zeros((B, T))
        y = np.zeros((B, T))
        det = np.zeros((B, T), bool)
        for b in range(B):
            seq, d = [], []
            while len(seq) < T + 1:
                n = int(rng.integers(1, self.N + 1))
                seq += [0] * n + [1] * n + [2]
                d += [False] * n + [True] * (n + 1)  # after each b and after $, next is fixed
            x[b] = seq[:T]
            y[b] = seq[1 : T + 1]
            det[b] = d[:T]
        return x, y, np.ones((B, T)), {"determined": det}

    def metric(self, output, batch):
        hit = (output.argmax(-1) == batch.y).numpy()
        det = batch.extra["determined"]
        return float(hit[det].mean()) if det.any() else 0.0


class Sines(Task):
    """Forecast a noisy sum of two sines one step ahead (many-to-many regression).

    The input is s_t plus Gaussian noise (sd 0.1), where s_t = 0.5 sin(w1 t + p1) + 0.5 sin(w2
    t + p2) with random frequencies and phases per example; the target at step t is the clean
    s_{t+1}. Worked example (first steps)::

        input   0.12  0.31  0.36  0.52 ...
        target  0.27  0.41  0.50  0.55 ...

    Always predicting 0 gives MSE 0.25 (the signal's variance).
    """

    name, title, shape, loss = "sines", "Noisy sines forecasting", "many-to-many", "mse"
    metric_name = "MSE"
    baseline_loss = baseline_metric = 0.25
    solved_metric = solved_loss = 0.02
    min_len, max_len, default_len = 4, 400, 50
    input_size, output_size = 1, 1
    summary = "predict the next value of a noisy sum of two sine waves (time series)"

    def _make(self, rng, B, T):
        t = np.arange(T + 1)[None]
        w = rng.uniform(0.15, 0.6, (B, 2, 1))
        p = rng.uniform(0, 2 * np.pi, (B, 2, 1))
        s = 0.5 * np.sin(w * t[:, None] + p).sum(1)  # [B, T+1]
        x = s[:, :T] + rng.normal(0, 0.1, (B, T))
        return x[..., None], s[:, 1:, None], np.ones((B, T)), {}


class Waveform(Task):
    """One-to-many: draw a sine wave whose period is given once, at the first step.

    The first input is a one-hot class (period 4, 6, 9 or 14 steps); every later input is zero.
    The target at step t is sin(2 pi t / period). Worked example, class 0 (period 4)::

        input   [1,0,0,0] 0 0 0 0 ...
        target  0.00  1.00  0.00  -1.00  0.00 ...

    Always predicting 0 gives MSE 0.5.
    """

    name, title, shape, loss = "waveform", "Waveform from its class", "one-to-many", "mse"
    metric_name = "MSE"
    baseline_loss = baseline_metric = 0.5
    solved_metric = solved_loss = 0.02
    PERIODS = (4, 6, 9, 14)
    min_len, max_len, default_len = 2, 400, 30
    input_size, output_size = 4, 1
    summary = "generate a whole sine wave from one class given at the start (one-to-many)"

    def _make(self, rng, B, T):
        k = rng.integers(0, 4, B)
        x = np.zeros((B, T, 4))
        x[np.arange(B), 0, k] = 1
        period = np.array(self.PERIODS)[k][:, None]
        y = np.sin(2 * np.pi * np.arange(T)[None] / period)[..., None]
        return x, y, np.ones((B, T)), {"period": period[:, 0]}

    def step_labels(self, batch, i=0):
        x = batch.x[i].numpy()
        return [f"period {self.PERIODS[int(x[0].argmax())]}"] + ["0"] * (len(x) - 1)


_FILL = ("the", "movie", "film", "was", "is", "and", "plot", "acting", "it", "a", "story", "really")
_POS, _NEG = ("good", "great", "fun"), ("bad", "boring", "awful")


class Sentiment(Task):
    """Tiny sentiment with negation, where word order matters (many-to-one classification).

    A sentence of filler words holds one opinion word (good, great, fun / bad, boring, awful).
    A "not" right before it flips the meaning; a "not" anywhere else does nothing. So
    "the movie was not good" is negative but "not the plot , it was good" is positive, and a
    bag of words cannot tell them apart. Worked example, T = 6::

        input  the movie was not bad film   ->  target positive
    """

    name, title, shape, loss = "sentiment", "Sentiment with negation", "many-to-one", "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(2), 0.5
    solved_metric, solved_loss = 0.98, 0.06
    min_len, max_len, default_len = 3, 100, 8
    input_size, output_size = 8, 2
    tokens = _FILL + _POS + _NEG + ("not",)
    output_labels = ("negative", "positive")
    summary = "tell positive from negative when 'not' may flip the word after it (many-to-one)"

    def _make(self, rng, B, T):
        idx = {w: i for i, w in enumerate(self.tokens)}
        x = rng.integers(0, len(_FILL), (B, T))
        y = np.zeros((B, T))
        for b in range(B):
            p = int(rng.integers(1, T))
            positive = rng.random() < 0.5
            x[b, p] = idx[(_POS if positive else _NEG)[int(rng.integers(0, 3))]]
            negate = rng.random() < 0.5
            if negate:
                x[b, p - 1] = idx["not"]
            elif rng.random() < 0.5:  # a decoy "not" that does not touch the opinion word
                spots = [q for q in range(T) if q not in (p - 1, p)]
                if spots:
                    x[b, spots[int(rng.integers(0, len(spots)))]] = idx["not"]
            y[b, -1] = int(positive != negate)
        return x, y, _last_only(B, T), {}


def visible_char(c: str) -> str:
    """A character as it can be seen on an axis: space as ␣, newline as ⏎, tab as ⇥."""
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(c, c)


class CharLM(Task):
    """Character-level language model (char-rnn): predict each next character of a text.

    Batches are random windows of the text; the target is the same window shifted by one.
    The built-in text is a short story written for rnnviz; pass ``text=`` for your own
    (at least 50 characters, at most 200 distinct ones). Worked example::

        input   t h e   s k y
        target  h e   s k y _    (each step predicts the next character)
    """

    name, title, shape, loss = "charlm", "Character language model", "many-to-many", "ce"
    metric_name, higher_is_better = "accuracy", True
    solved_metric = 0.6
    min_len, default_len = 2, 50
    input_size = 16
    summary = "predict the next character of a small built-in (or your own) text (many-to-many)"

    def __init__(self, text: str | None = None):
        text = TEXT if text is None else text
        if not isinstance(text, str) or len(text) < 50:
            raise TaskError("the text for charlm must be at least 50 characters long")
        if len(text) > 200_000:
            raise TaskError("the text for charlm must be at most 200,000 characters long")
        chars = sorted(set(text))
        if len(chars) > 200:
            raise TaskError(f"the text for charlm has {len(chars)} distinct characters; at most 200")
        self.text = text
        self.tokens = self.output_labels = tuple(chars)
        self.ids = np.array([chars.index(c) for c in text])
        self.output_size = len(chars)
        self.max_len = min(400, len(text) - 1)
        self.default_len = min(self.default_len, self.max_len)
        counts = np.bincount(self.ids, minlength=len(chars)) / len(self.ids)
        self.baseline_loss = float(math.log(len(chars)))
        self.baseline_metric = float(counts.max())  # always guessing the commonest character
        self.solved_loss = 1.2

    def _make(self, rng, B, T):
        starts = rng.integers(0, len(self.ids) - T, B)
        win = np.stack([self.ids[s : s + T + 1] for s in starts])
        return win[:, :T], win[:, 1:], np.ones((B, T)), {}

    def step_labels(self, batch, i=0):
        return [visible_char(self.tokens[int(v)]) for v in batch.x[i]]


TASKS = {t.name: t for t in (Adding, FirstSymbol, TemporalOrder, Copy, Reber, CountingAnBn, Sines, Waveform, Sentiment, CharLM)}


def get_task(name: str, **options) -> Task:
    """A task instance by registry name; options go to the task (e.g. ``text=`` for charlm)."""
    if name not in TASKS:
        raise TaskError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    try:
        return TASKS[name](**options)
    except TypeError:
        raise TaskError(f"task {name} takes no options {sorted(options)}") from None
