"""Many-to-one on real language: the sentiment task read word by word, and sentences written to test it.

The task (:class:`rnnviz.tasks.Sentiment`) trains on random sentences with one opinion word, where a
"not" right before it flips the meaning. :data:`TEST_SENTENCES` are ours, written for it by hand in
its vocabulary (nothing random): plain opinions, negated ones, and a "not" that touches nothing.
:func:`read_words` gives the model's answer after every word, as if the sentence ended there, so a
page can show "good" pushing the answer up and a "not" before it pulling it down.

    >>> words, known = split_words("The film was NOT good!")
    >>> words, known
    (['the', 'film', 'was', 'not', 'good'], [True, True, True, True, True])
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import ConfigError
from ..runtime.jobs import Job, Stage
from ..runtime.runs import build_run
from ..runtime.training import Trainer
from ..settings import Settings

# (sentence, positive?) in the task's own words; "not" flips only the word right after it.
TEST_SENTENCES: tuple[tuple[str, bool], ...] = (
    ("the film was good", True),
    ("the film was not good", False),
    ("the movie was bad", False),
    ("the movie was not bad", True),
    ("it was really fun", True),
    ("it was not fun", False),
    ("the acting was great", True),
    ("the acting was not great", False),
    ("the plot is boring", False),
    ("the plot is not boring", True),
    ("the story was awful", False),
    ("the story was not awful", True),
    ("not the plot and the acting was good", True),
    ("not the film it was bad", False),
    ("the movie is not a really fun film", True),
    ("it is a great movie and not the plot", True),
    ("a boring film", False),
    ("not awful", True),
    ("not good", False),
    ("the movie was really really awful", False),
)
# "not the movie is not a really fun film": the first not is a decoy; the second does not touch "fun"
# either (it sits before "a"), so the task's rule calls it positive, like the sentence above.

DEFAULT_SENTENCE = "the film was not good"
MAX_WORDS = 40
TRAIN = dict(arch="lstm", hidden=24, seq_len=8, batch=64, lr=1e-2, seed=0)
TRAIN_LENGTHS = (3, 4, 5, 6, 8, 10)  # the lengths it trains at, in turns (the test sentences have 2-8 words)
TRAIN_STEPS = 400


def split_words(sentence: str) -> tuple[list[str], list[bool]]:
    """The words of a sentence, lower case, punctuation dropped, and whether the task knows each."""
    from ..tasks import get_task

    vocab = set(get_task("sentiment").tokens)
    words = re.findall(r"[a-z']+", str(sentence).lower())
    return words, [w in vocab for w in words]


def reader_key(seed: int = 0, steps: int = TRAIN_STEPS, hidden: int = TRAIN["hidden"]) -> tuple:
    """The name of a reader's training (on the job board and in the process-wide cache)."""
    return ("sentiment-reader", int(seed), int(steps), int(hidden))


def reader_job(seed: int = 0, steps: int = TRAIN_STEPS, hidden: int = TRAIN["hidden"]) -> Job:
    """The reader's training as a job for the shared worker: an LSTM on the sentiment task, taking turns
    over TRAIN_LENGTHS (one stage of 50 steps at each length, all on one trainer) so it answers at the
    end of a short sentence as well as a long one. Its result is the trained Trainer (read-only from
    then on), also kept in the process-wide cache (:func:`reader_ready`). Deterministic for a seed."""
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= 10_000:
        raise ConfigError(f"steps must be a whole number from 1 to 10000, got {steps!r}")
    key = reader_key(seed, steps, hidden)
    settings = Settings(task="sentiment").replace(**{**TRAIN, "seed": seed, "hidden": hidden})

    def prepare() -> Trainer:
        return build_run(settings, eval_every=10_000, snapshot_every=10_000, heldout_size=256)

    def at_length(seq_len: int):
        def build(run: Trainer) -> Trainer:
            run.update(seq_len=seq_len)  # the next 50 steps at this length (the same trainer goes on)
            return run

        return build

    stages = []
    for turn, start in enumerate(range(0, steps, 50)):
        length = TRAIN_LENGTHS[turn % len(TRAIN_LENGTHS)]
        stages.append(Stage(f"words {length}", at_length(length), min(start + 50, steps)))

    def combine(run: Trainer, _stages) -> Trainer:
        run.update(seq_len=TRAIN["seq_len"])
        with _LOCK:
            _READERS.setdefault(key, run)
        return _READERS[key]

    return Job(key, "the sentiment reader", stages, combine, prepare=prepare)


def train_reader(steps: int = TRAIN_STEPS, seed: int = 0, hidden: int = TRAIN["hidden"], progress=None) -> Trainer:
    """:func:`reader_job` trained here, to its end (the command line, tests): the same weights as the
    page's reader. ``progress(step, steps)`` after each chunk."""
    job = reader_job(seed, steps, hidden)
    report = None
    if progress:

        def report(_fraction: float, _doing: str) -> None:
            progress(job.ctx.step if job.ctx is not None else 0, steps)

    return job.run_here(report).result


_READERS: dict[tuple, Trainer] = {}
_LOCK = threading.Lock()


def shared_reader(seed: int = 0, progress=None) -> Trainer:
    """train_reader(seed=seed), trained once per process and then shared read-only (it is never
    trained further, and the same seed always gives the same weights)."""
    key = reader_key(seed)
    with _LOCK:
        if key in _READERS:
            return _READERS[key]
    return train_reader(seed=seed, progress=progress)  # its job keeps it in _READERS


def cached_reader(seed: int = 0) -> Trainer | None:
    """The reader for this seed if this process has trained it already (else None: nothing is trained)."""
    with _LOCK:
        return _READERS.get(reader_key(seed))


def reader_ready(seed: int = 0) -> bool:
    """Whether shared_reader(seed) is already trained in this process."""
    return cached_reader(seed) is not None


@dataclass
class WordReading:
    """The answer after each word. words: what was typed (lower case); known: whether the task knows
    each word (unknown words are skipped: the model never saw them). positive [n]: the probability of
    "positive" after each known word (NaN at an unknown one). final: after the last known word."""

    words: list[str]
    known: list[bool]
    positive: np.ndarray

    @property
    def final(self) -> float:
        vals = self.positive[~np.isnan(self.positive)]
        return float(vals[-1]) if len(vals) else float("nan")

    @property
    def label(self) -> str:
        return "positive" if self.final >= 0.5 else "negative"


@torch.no_grad()
def read_words(model, tokens: tuple[str, ...], sentence: str) -> WordReading:
    """The model's answer after each word of ``sentence`` (see :class:`WordReading`). ConfigError if no
    word is one the task knows, or the sentence is too long."""
    words, known = split_words(sentence)
    if len(words) > MAX_WORDS:
        raise ConfigError(f"That sentence has {len(words)} words; keep it to {MAX_WORDS}.")
    ids = [tokens.index(w) for w, k in zip(words, known) if k]
    if not ids:
        raise ConfigError("None of those words is one the sentiment model knows; use words from its list.")
    out = model(torch.tensor([ids]))  # [1, T, 2]
    p = torch.softmax(out[0].double(), -1)[:, 1].numpy()  # [T] probability of "positive"
    positive = np.full(len(words), np.nan)
    positive[np.flatnonzero(known)] = p
    return WordReading(words, known, positive)


def score_test_set(model, tokens) -> list[dict]:
    """Every test sentence with its label, the model's probability of "positive", and whether it is right."""
    rows = []
    for sentence, pos in TEST_SENTENCES:
        r = read_words(model, tokens, sentence)
        rows.append(
            {
                "sentence": sentence,
                "truth": "positive" if pos else "negative",
                "p_positive": r.final,
                "right": (r.final >= 0.5) == pos,
            }
        )
    return rows
