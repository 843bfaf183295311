"""Lessons as data: one lesson per idea of the topic, in the order a class meets them.

The lessons live in ``lessons.toml`` beside this file (text, the settings a set-up button opens, the
page it opens, "try this" prompts, one check-yourself question); :func:`load` reads and checks them
and :mod:`rnnviz.lessons.figures` draws each lesson's live figure. ``pages/0_Lessons.py`` only shows
them. A lesson may point at a page that other work adds later (:data:`PLANNED_PAGES`): its button
appears once the page file exists.

    >>> ls = load()
    >>> ls[0].title, ls[0].setups[0].page
    ('Why sequences need memory', 'pages/2_Hidden_states.py')
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache

from ..errors import ConfigError
from ..settings import Settings, parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # the project root: where app.py and pages/ live
SOURCE = os.path.join(HERE, "lessons.toml")
PLANNED_PAGES = (
    "pages/6_Compare.py",
    "pages/7_Speed.py",
    "pages/8_Text.py",
    "pages/9_Translate.py",
    "pages/10_Forecast.py",
    "pages/11_Music.py",
    "pages/13_Sounds.py",
)


@dataclass(frozen=True)
class Setup:
    """A set-up button: the page it opens and the settings it opens it with (defaults for the rest)."""

    label: str
    page: str
    settings: Settings

    @property
    def available(self) -> bool:
        """Whether the page exists in this checkout (a planned page may not yet)."""
        return os.path.exists(os.path.join(ROOT, self.page))

    def query(self) -> dict[str, str]:
        return self.settings.query()


@dataclass(frozen=True)
class Try:
    do: str
    look: str


@dataclass(frozen=True)
class Question:
    ask: str
    choices: tuple[str, ...]
    answer: int
    why: str

    def check(self, choice: int) -> bool:
        return choice == self.answer


@dataclass(frozen=True)
class Lesson:
    number: int  # 1-based, as ?lesson=N says it
    title: str
    idea: str
    text: str
    figure: str
    figure_inputs: dict
    setups: tuple[Setup, ...]
    tries: tuple[Try, ...]
    question: Question

    @property
    def setup(self) -> Setup:
        """The main set-up button (the first); its settings also build the lesson's figure."""
        return self.setups[0]

    @property
    def available_setups(self) -> tuple[Setup, ...]:
        return tuple(s for s in self.setups if s.available)


def _need(d: dict, key: str, kind, where: str):
    if key not in d or not isinstance(d[key], kind):
        raise ConfigError(f"{where}: {key!r} is missing or not a {getattr(kind, '__name__', kind)}")
    return d[key]


def _lesson(n: int, d: dict) -> Lesson:
    where = f"lesson {n}"
    setups = []
    for s in _need(d, "setups", list, where):
        page = _need(s, "page", str, where)
        if not (page == "app.py" or os.path.exists(os.path.join(ROOT, page)) or page in PLANNED_PAGES):
            raise ConfigError(f"{where}: page {page!r} neither exists nor is planned")
        settings = parse(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in s.get("settings", {}).items()}, strict=True
        )[0]
        setups.append(Setup(_need(s, "label", str, where), page, settings))
    if not setups:
        raise ConfigError(f"{where}: no set-up button")
    q = _need(d, "question", dict, where)
    choices = tuple(_need(q, "choices", list, where))
    answer = _need(q, "answer", int, where)
    if len(choices) < 2 or not 0 <= answer < len(choices) or len(set(choices)) != len(choices):
        raise ConfigError(f"{where}: the question needs distinct choices and one right answer among them")
    from .figures import FIGURES  # the builders, checked by name

    figure = _need(d, "figure", str, where)
    if figure not in FIGURES:
        raise ConfigError(f"{where}: no figure builder named {figure!r}")
    return Lesson(
        number=n,
        title=_need(d, "title", str, where),
        idea=_need(d, "idea", str, where),
        text=_need(d, "text", str, where).strip(),
        figure=figure,
        figure_inputs=dict(d.get("figure_inputs", {})),
        setups=tuple(setups),
        tries=tuple(Try(_need(t, "do", str, where), _need(t, "look", str, where)) for t in d.get("try", [])),
        question=Question(_need(q, "ask", str, where), choices, answer, _need(q, "why", str, where)),
    )


@cache
def load(path: str = SOURCE) -> tuple[Lesson, ...]:
    """Every lesson, checked: settings parse strictly, pages exist or are planned, figures are known,
    each question has one right answer. Raises ConfigError naming the lesson that is wrong."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{os.path.basename(path)} is not valid TOML: {e}") from None
    return tuple(_lesson(i + 1, d) for i, d in enumerate(data.get("lesson", [])))


def lesson_number(raw, count: int) -> tuple[int, str]:
    """The lesson a link's ``lesson=`` names (1..count), with a note when it names none (never raises)."""
    if raw is None or raw == "":
        return 1, ""
    try:
        n = int(str(raw).strip())
        if not 1 <= n <= count:
            raise ValueError
        return n, ""
    except ValueError:
        return 1, f"Link parameter lesson={str(raw)[:30]!r} is not a lesson number from 1 to {count}; showing lesson 1."


__all__ = ["PLANNED_PAGES", "Lesson", "Question", "Setup", "Try", "lesson_number", "load"]
