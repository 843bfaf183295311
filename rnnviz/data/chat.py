"""English question-and-answer pairs for the Chat page, read from the pinned ``chatterbot-corpus`` package.

Source: chatterbot-corpus 1.3.3 (Gunther Cox and contributors; https://github.com/gunthercox/chatterbot-corpus),
the English topic files ``chatterbot_corpus/data/english/*.yml`` (greetings, computers, science, humor, ...),
read from the installed package with PyYAML: nothing is downloaded. Terms: BSD 3-Clause licence, "Copyright (c)
2017, Gunther Cox"; its statements were written by the project's users.

How the files are read, and what is decided here:

- **Pairs.** A file holds conversations, each a list of statements; ChatterBot, whose corpus it is, trains on a
  conversation by taking each statement as the reply to the one before it. So do we: a conversation of n
  statements gives n - 1 (message, reply) pairs. Where a file lists one question and then several alternative
  answers (computers, emotion), this reading makes the first answer the question of the second: that is what the
  corpus says under its own format, and the page shows such pairs as they are.
- **Normalised text.** Lower case, curly quotes made straight, punctuation dropped; a word is a run of letters or
  digits with inner apostrophes kept ("don't" is one word): "Hello, how are you?" -> "hello how are you".
- **Left out, and counted** (:attr:`ChatCorpus.counts`): entries that are not a list of statements (``malformed``:
  one in trivia.yml, where a YAML slip ran a question and its answer together into one string); pairs with a side
  that has no words (``empty``); pairs with a
  side longer than ``MAX_WORDS`` words (``too_long``: the network writes at most that many); and repeats of a pair
  already read (``repeated``: the tech support file holds its 10 pairs 105 times).
- **Questions with several answers.** The same question (after normalising) with different answers becomes one
  :class:`Exchange` with all its answers, in the order the files give them. The network trains on every
  (question, answer) pair; a reply counts as exactly right if it equals any of the question's answers, and its
  word overlap is its best against any of them (:mod:`rnnviz.language.chat`).
- **Topic** of a question: the file it comes from ("tech_support.yml" -> "tech support"); a question found in
  several files takes the first file's (files in alphabetical order).
- **Split.** Questions, not pairs, are split, so a held-out question's answers are all unseen. Within each topic
  the questions are shuffled with a fixed seed and ``HELDOUT_SHARE`` of them (rounded) is held out, but at least
  one stays in training: every held-out question's topic is in training.

    >>> c = chat_corpus()
    >>> len(c.train) + len(c.heldout), sorted(c.topics)[:3]   # doctest: +SKIP
    (1087, ['ai', 'botprofile', 'coding'])
"""

from __future__ import annotations

import functools
import glob
import os
import re
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError

SOURCE = (
    "chatterbot-corpus 1.3.3 (Gunther Cox and contributors, github.com/gunthercox/chatterbot-corpus): the English "
    "topic files, read from the installed package"
)
TERMS = 'BSD 3-Clause licence, "Copyright (c) 2017, Gunther Cox"; the statements were contributed by the project\'s users.'
MAX_WORDS = 20  # a message or reply longer than this is left out (the network writes at most this many words)
HELDOUT_SHARE = 0.2  # of each topic's questions
SPLIT_SEED = 0  # the split is fixed: every training seed is scored on the same held-out questions

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"'})


def words(text: object) -> list[str]:
    """The normalised words of a statement: "Hello, how're you?" -> ['hello', "how're", 'you']."""
    return _WORD.findall(str(text).lower().translate(_QUOTES))


def normalise(text: object) -> str:
    """The words of a statement joined by single spaces ('' when it has none)."""
    return " ".join(words(text))


def corpus_dir() -> str:
    """Where the installed package keeps its English files."""
    try:
        import chatterbot_corpus
    except ImportError:
        raise ConfigError("the chatterbot-corpus package is not installed (pip install -r requirements.txt)") from None
    return os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data", "english")


def topic_of(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0].replace("_", " ")


@functools.lru_cache(maxsize=1)
def read_files() -> tuple[tuple[str, tuple[tuple[str, ...], ...], int], ...]:
    """Every English file as (topic, its conversations as tuples of raw statements, how many of its entries are
    not lists of statements), files in alphabetical order."""
    import yaml

    out = []
    for path in sorted(glob.glob(os.path.join(corpus_dir(), "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        entries = doc.get("conversations") or ()
        convs = tuple(tuple("" if s is None else str(s) for s in c) for c in entries if isinstance(c, list))
        out.append((topic_of(path), convs, len(entries) - len(convs)))
    if not out:
        raise ConfigError(f"no English files found in {corpus_dir()}")
    return tuple(out)


@dataclass(frozen=True)
class Exchange:
    """One normalised question, its distinct answers (in the files' order) and its topic."""

    question: str
    answers: tuple[str, ...]
    topic: str


@dataclass(frozen=True)
class ChatCorpus:
    """The split: ``train`` and ``heldout`` exchanges (no question on both sides), the topics in training, and
    ``counts``: pairs read, left out (broken, empty, too_long, repeated), kept; questions and pairs each side."""

    train: tuple[Exchange, ...]
    heldout: tuple[Exchange, ...]
    topics: tuple[str, ...]
    counts: dict

    @property
    def train_pairs(self) -> list[tuple[str, str]]:
        """Every (question, answer) pair the network trains on."""
        return [(e.question, a) for e in self.train for a in e.answers]

    def summary(self) -> dict:
        return {**self.counts, "topics": len(self.topics), "max_words": MAX_WORDS, "heldout_share": HELDOUT_SHARE}


def exchanges(max_words: int = MAX_WORDS) -> tuple[list[Exchange], dict]:
    """Every question with its answers, and the counts of pairs read and left out (see the module's docstring)."""
    counts = dict(read=0, malformed=0, empty=0, too_long=0, repeated=0)
    answers: dict[str, list[str]] = {}
    topic: dict[str, str] = {}
    for name, convs, malformed in read_files():
        counts["malformed"] += malformed
        for conv in convs:
            for a, b in zip(conv, conv[1:]):
                counts["read"] += 1
                q, r = words(a), words(b)
                if not q or not r:
                    counts["empty"] += 1
                elif len(q) > max_words or len(r) > max_words:
                    counts["too_long"] += 1
                else:
                    q, r = " ".join(q), " ".join(r)
                    got = answers.setdefault(q, [])
                    topic.setdefault(q, name)
                    if r in got:
                        counts["repeated"] += 1
                    else:
                        got.append(r)
    out = [Exchange(q, tuple(a), topic[q]) for q, a in answers.items()]
    counts["kept"] = sum(len(e.answers) for e in out)
    return out, counts


@functools.lru_cache(maxsize=4)
def chat_corpus(seed: int = SPLIT_SEED, share: float = HELDOUT_SHARE, max_words: int = MAX_WORDS) -> ChatCorpus:
    """The corpus split into training and held-out questions, stratified by topic (see the module's docstring)."""
    if not 0 < share < 1:
        raise ConfigError(f"the held-out share must be between 0 and 1, got {share}")
    ex, counts = exchanges(max_words)
    by_topic: dict[str, list[Exchange]] = {}
    for e in ex:
        by_topic.setdefault(e.topic, []).append(e)
    rng = np.random.default_rng(seed)
    train, held = [], []
    for t in sorted(by_topic):
        group = by_topic[t]
        order = rng.permutation(len(group))
        n_held = min(len(group) - 1, int(round(share * len(group))))
        held_idx = set(order[:n_held].tolist())
        for i, e in enumerate(group):
            (held if i in held_idx else train).append(e)
    counts.update(
        train_questions=len(train),
        heldout_questions=len(held),
        train_pairs=sum(len(e.answers) for e in train),
        heldout_pairs=sum(len(e.answers) for e in held),
    )
    topics = tuple(sorted({e.topic for e in train}))
    return ChatCorpus(tuple(train), tuple(held), topics, counts)


__all__ = ["HELDOUT_SHARE", "MAX_WORDS", "SOURCE", "TERMS", "ChatCorpus", "Exchange", "chat_corpus", "normalise", "words"]
