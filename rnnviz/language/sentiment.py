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
from ..runs import build_run
from ..settings import Settings
from ..training import Trainer

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


def train_reader(steps: int = TRAIN_STEPS, seed: int = 0, hidden: int = TRAIN["hidden"], progress=None) -> Trainer:
    """An LSTM trained on the sentiment task, taking turns over TRAIN_LENGTHS (50 steps at each) so it
    answers at the end of a short sentence as well as a long one. Deterministic for a seed."""
    s = Settings(task="sentiment").replace(**{**TRAIN, "seed": seed, "hidden": hidden})
    run = build_run(s, eval_every=10_000, snapshot_every=10_000, heldout_size=256)
    turn = 0
    while run.step < steps:
        run.update(seq_len=TRAIN_LENGTHS[turn % len(TRAIN_LENGTHS)])
        if run.run(n_steps=min(50, steps - run.step)) == 0:
            break
        turn += 1
        if progress:
            progress(run.step, steps)
    run.update(seq_len=TRAIN["seq_len"])
    return run


_READERS: dict[tuple, Trainer] = {}
_LOCK = threading.Lock()


def shared_reader(seed: int = 0, progress=None) -> Trainer:
    """train_reader(seed=seed), trained once per process and then shared read-only (it is never
    trained further, and the same seed always gives the same weights)."""
    key = (seed, TRAIN_STEPS)
    with _LOCK:
        if key not in _READERS:
            _READERS[key] = train_reader(seed=seed, progress=progress)
        return _READERS[key]


def reader_ready(seed: int = 0) -> bool:
    """Whether shared_reader(seed) is already trained in this process."""
    return (seed, TRAIN_STEPS) in _READERS


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
