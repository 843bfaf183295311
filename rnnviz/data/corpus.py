"""Text corpora for the character model, all offline: a training part and a held-out part each.

Built in:

- ``story``: the short story about a robot and its notebook in :mod:`rnnviz.text`, about 1,600
  characters, written for rnnviz and placed in the public domain. Small enough to memorise, which is
  the point: its held-out part shows what memorising does not buy.
- ``pydoc``: the prose of Python's own language reference as it ships with every Python install
  (``pydoc_data.topics``, the text behind ``help("if")``). Source: the Python documentation, (c)
  Python Software Foundation, under the PSF License Agreement (Python Software Foundation License
  Version 2, https://docs.python.org/3/license.html). Cleaned here: only running prose is kept (no
  indented code, grammar rules or tables), one paragraph per line, typographic quotes and dashes
  made plain, and the characters limited to :data:`ALPHABET`. About 170,000 characters to train on
  and 16,000 held out (every tenth distinct paragraph, each paragraph kept once). The exact text
  depends on the Python version (3.11 here).

A user's own text becomes a corpus with :func:`user_corpus` (the upload itself is checked by the
page). Every corpus is split the same way for everyone: the held-out part is never trained on.

    >>> c = load_corpus("story")
    >>> c.name, len(c.train) > len(c.heldout) > 0
    ('story', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigError
from ..text import TEXT

ALPHABET = (
    " \n" + "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789" + ".,;:!?'\"()-_[]=/+<>%"
)  # the characters the pydoc corpus keeps after cleaning
MAX_TRAIN = 200_000  # characters; the character-model task takes at most 200,000
HELDOUT_SHARE = 0.1  # of a story or an upload (the pydoc corpus holds out whole topics)
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "…": "...", "\t": " "})


@dataclass(frozen=True)
class Corpus:
    """A text to train on and a held-out text from the same source that training never sees."""

    name: str
    title: str
    source: str  # where it comes from and its licence, in one sentence
    train: str
    heldout: str

    @property
    def chars(self) -> int:
        return len(self.train) + len(self.heldout)

    def describe(self) -> str:
        return (
            f"{self.title}: {len(self.train):,} characters to train on, {len(self.heldout):,} held out, "
            f"{len(set(self.train))} distinct characters. {self.source}"
        )


def _split(text: str, share: float = HELDOUT_SHARE) -> tuple[str, str]:
    """(train, held-out): the last ``share`` of the text, cut at a space or line break where one is near."""
    cut = int(len(text) * (1 - share))
    near = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
    if near > cut - 200 and near > 0:
        cut = near + 1
    return text[:cut], text[cut:]


def clean_paragraph(par: str) -> str:
    """One paragraph of the documentation as a line of plain prose ("" if it is not prose): headings'
    underlines dropped, lines joined, quotes and dashes made plain, characters outside ALPHABET removed."""
    lines = [ln for ln in par.split("\n") if ln.strip() and not re.fullmatch(r"\s*[*=\-~^#+]{3,}\s*", ln)]
    if not lines or min(len(ln) - len(ln.lstrip()) for ln in lines) >= 3:
        return ""  # code, grammar rules and quoted blocks are indented
    text = " ".join(ln.strip() for ln in lines).translate(_PLAIN)
    if "|" in text:  # a table
        return ""
    text = re.sub(r"^\* ", "- ", text).replace("*", "")
    text = "".join(c for c in text if c in ALPHABET and c != "\n")
    text = re.sub(r" {2,}", " ", text).strip()
    letters = sum(c.isalpha() or c == " " for c in text) / max(1, len(text))
    return text if len(text) >= 60 and letters >= 0.85 else ""


def _pydoc() -> Corpus:
    try:
        from pydoc_data.topics import topics
    except ImportError:  # a Python built without its documentation topics
        raise ConfigError("this Python has no pydoc_data.topics, so the pydoc corpus is not available") from None
    train: list[str] = []
    held: list[str] = []
    seen: set[str] = set()  # topics repeat paragraphs of one another: each is kept once, on one side
    size = 0
    for key in sorted(topics):
        for p in (clean_paragraph(p) for p in re.split(r"\n[ \t]*\n", topics[key])):
            if not p or p in seen:
                continue
            seen.add(p)
            if len(seen) % 10 == 5:  # every tenth distinct paragraph is held out
                held.append(p)
            elif size + len(p) + 1 <= MAX_TRAIN:
                train.append(p)
                size += len(p) + 1
    return Corpus(
        "pydoc",
        "Python's language reference",
        "Source: the prose of the Python documentation's language reference that ships with every Python "
        "(pydoc_data.topics), (c) Python Software Foundation, PSF License; cleaned to plain prose.",
        "\n".join(train) + "\n",
        "\n".join(held) + "\n",
    )


def _story() -> Corpus:
    train, held = _split(TEXT)
    return Corpus(
        "story",
        "The robot's notebook (short story)",
        "Source: a short story written for rnnviz (rnnviz/text.py), public domain.",
        train,
        held,
    )


CORPORA = {"pydoc": _pydoc, "story": _story}  # name -> loader; the first is the default
DEFAULT_CORPUS = "pydoc"
_CACHE: dict[str, Corpus] = {}


def corpus_names() -> tuple[str, ...]:
    return tuple(CORPORA)


def load_corpus(name: str) -> Corpus:
    """A built-in corpus by name (see CORPORA); ConfigError with the choices for any other name."""
    if not isinstance(name, str) or name not in CORPORA:
        raise ConfigError(f"unknown corpus {str(name)[:40]!r}; choose one of {', '.join(CORPORA)}")
    if name not in _CACHE:
        _CACHE[name] = CORPORA[name]()
    return _CACHE[name]


def user_corpus(text: str, title: str = "your text") -> Corpus:
    """A corpus from a user's own text (already checked by the upload): the last tenth held out."""
    if not isinstance(text, str) or len(text) < 60:
        raise ConfigError("your text must be at least 60 characters long")
    train, held = _split(text)
    return Corpus("upload", title[:60], "Source: the text you uploaded (kept in this browser session only).", train, held)
