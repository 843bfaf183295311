"""Same word, different context: what h_t holds at the end of each occurrence of a repeated word.

In "I am learning machine learning" the two "learning"s are spelt the same, yet the network reads
each after a different past, and h_t is the only place that past can live. For any sentence this
finds the repeated words, the hidden state after the last letter of each occurrence, how far apart
those states are compared with random pairs of positions in the same sentence, the units that
differ most, and what the model expects next at each.

    >>> repeated_words("I am learning machine learning")
    {'learning': [(5, 13), (22, 30)]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .charlm import Reading, fit_text, read_text

DEFAULT_SENTENCE = "I am learning machine learning"
MAX_SENTENCE = 300  # characters a typed sentence may have


def repeated_words(sentence: str) -> dict[str, list[tuple[int, int]]]:
    """Each word that occurs more than once (case-insensitive, letters and digits), with the
    (start, end) character span of every occurrence, end exclusive; in order of first occurrence."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for m in re.finditer(r"[A-Za-z0-9']+", sentence):
        spans.setdefault(m.group().lower(), []).append((m.start(), m.end()))
    return {w: s for w, s in spans.items() if len(s) > 1}


@dataclass
class ContextView:
    """The comparison for one repeated word (see the module docstring).

    positions: index of the last letter of each occurrence (h_t is read there). states [n, H]: h_t
    at those positions. distance: Euclidean distance between the first two occurrences' states.
    random_distances [m]: distances between the states at random pairs of different positions of the
    same sentence (the yardstick). units [k]: the units whose values differ most between the first
    two occurrences, largest difference first. predictions: per occurrence, the top-5 next
    characters with their probabilities. reading: the whole sentence as the model read it.
    """

    sentence: str
    word: str
    spans: list[tuple[int, int]]
    positions: list[int]
    states: np.ndarray
    distance: float
    random_distances: np.ndarray
    units: np.ndarray
    predictions: list[list[tuple[str, float]]]
    reading: Reading
    note: str = ""

    @property
    def percentile(self) -> float:
        """The share of random pairs (0 to 100) whose states are closer than the two occurrences'."""
        if not len(self.random_distances):
            return float("nan")
        return float(100 * np.mean(self.random_distances < self.distance))

    @property
    def typical_random(self) -> float:
        """The median distance between random pairs of positions."""
        return float(np.median(self.random_distances)) if len(self.random_distances) else float("nan")

    def verdict(self) -> str:
        """What the distance means, in one or two sentences for a student."""
        w, p, d = f"“{self.word}”", self.percentile, self.distance
        if d < 1e-6:
            return f"The two {w}s left exactly the same state: this model carries nothing from before the word."
        if p < 20:
            return (
                f"The two {w}s are closer than {100 - p:.0f}% of random pairs: right after a word, h_t is mostly about "
                f"that word's own letters. But they are not equal (distance {d:.2f}): the difference is the earlier "
                "context the network still carries, and it is what lets the two predictions differ."
            )
        return (
            f"The two {w}s are as far apart as {p:.0f}% of random pairs would be: the network carries much more than the "
            "word itself, so what came before changes h_t a lot."
        )

    def contexts(self, width: int = 24) -> list[str]:
        """The text before and including each occurrence (at most ``width`` characters), what the
        network had read when it reached the word's last letter."""
        return [self.sentence[max(0, e - width) : e] for _, e in self.spans]


def context_view(
    model, tokens: tuple[str, ...], sentence: str, word: str | None = None, pairs: int = 300, seed: int = 0, units: int = 8
) -> ContextView:
    """The context comparison for ``word`` (default: the first repeated word) in ``sentence``.

    The sentence is first written with the characters the model knows (:func:`fit_text`; the note
    says what changed). Raises ConfigError with a sentence a student can act on when the sentence is
    empty, too long, or repeats no word."""
    if not isinstance(sentence, str) or not sentence.strip():
        raise ConfigError("Type a sentence in which a word appears twice, e.g. “I am learning machine learning”.")
    if len(sentence) > MAX_SENTENCE:
        raise ConfigError(f"That sentence has {len(sentence)} characters; keep it under {MAX_SENTENCE}.")
    fitted, note = fit_text(sentence, tokens)
    reps = repeated_words(fitted)
    if not reps:
        raise ConfigError(
            "No word appears twice in that sentence, so there is nothing to compare. Repeat a word, "
            "e.g. “the bank of the river and the bank on the corner”."
        )
    word = (word or next(iter(reps))).lower()
    if word not in reps:
        raise ConfigError(f"“{word}” does not appear twice; choose one of: {', '.join(reps)}.")
    spans = reps[word]
    reading = read_text(model, tokens, fitted)
    pos = [e - 1 for _, e in spans]
    h = reading.hidden  # [T, H]
    states = h[pos]
    distance = float(np.linalg.norm(states[0] - states[1]))
    rng = np.random.default_rng(seed)
    T = len(fitted)
    if T > 1:
        i = rng.integers(0, T, pairs)
        j = (i + rng.integers(1, T, pairs)) % T  # never the same position
        rand = np.linalg.norm(h[i] - h[j], axis=1).astype(np.float32)
    else:
        rand = np.zeros(0, np.float32)
    diff = np.abs(states[0] - states[1])
    top = np.argsort(-diff)[: min(units, len(diff))]
    preds = [[(c, float(p)) for c, p in zip(reading.top_chars[t], reading.top_probs[t])] for t in pos]
    return ContextView(fitted, word, spans, pos, states, distance, rand, top, preds, reading, note)
