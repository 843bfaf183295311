"""Settings: one frozen value for everything the sidebar, a link or a command-line flag can set.

Every edge (the URL, the sidebar widgets, the CLI flags, a preset button) turns what it was given
into a :class:`Settings` here, and nowhere else: values are parsed, checked against one table of
fields (:data:`FIELDS`), and either refused (``strict=True``, the CLI) or replaced by the nearest
legal value with a note saying so (the web pages). Every name in the table is the one vocabulary
shared by the URL, the widgets, the CLI and the package.

    >>> s, notes = parse({"arch": "GRU", "seq_len": "5", "task": "copy"})
    >>> s.arch, s.seq_len, notes
    ('gru', 9, ['Copy after a delay needs a sequence length from 9 to 200; using 9.'])
    >>> what_changes(s, s.replace(lr=0.1))
    <Change.UPDATE_LIVE: 'update_live'>

Settings sit above the task registry and the model (they need the tasks' length limits and the
model's vocabularies) and below training, which builds a run from them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import Enum
from urllib.parse import urlencode

from .errors import ConfigError
from .models.recurrent import ARCHS, INITS, NONLINEARITIES
from .tasks import TASKS

MAX_SEQ = 200  # longest sequence a page or link may ask for (the CLI's limit too)
ARCH_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}


class Change(Enum):
    """What a change of settings does to a run that already exists."""

    KEEP = "keep"  # nothing that matters changed
    UPDATE_LIVE = "update_live"  # the run goes on with the new value (no new weights)
    REBUILD = "rebuild"  # the model must be built again (new weights)


@dataclass(frozen=True)
class Field:
    """One setting: its name (URL key, widget key, Settings attribute), how it is shown and checked.

    kind: "choice" (one of ``options``), "int" or "float" (from lo to hi; ``options`` are the values a
    widget offers), "bool", "scale" (None = as initialised, or a float from lo to hi), or "text" (what a
    student typed on an application page: printable characters, at most ``hi`` of them).
    effect: what changing it does to a trained run (:class:`Change`).
    section: where the sidebar shows it.
    """

    name: str
    label: str
    kind: str
    default: object
    options: tuple = ()
    lo: float = 0
    hi: float = 0
    effect: Change = Change.REBUILD
    section: str = "setup"
    help: str = ""
    labels: dict | None = None  # option -> words shown for it
    noun: str = ""  # how a sentence names it, if not by its label
    widget_key: str = ""  # an application page's field: the key of the page's own widget that shows it

    @property
    def widget(self) -> str:
        """The sidebar widget that shows it: selectbox, slider, select_slider, toggle or number."""
        if self.kind == "choice":
            return "selectbox"
        if self.kind == "bool":
            return "toggle"
        if self.options or self.kind != "int":
            return "select_slider"
        return "number" if self.hi - self.lo > 1000 else "slider"

    def widget_options(self, current) -> tuple:
        """The values a select_slider offers: the field's own, plus the current value if a link chose
        another legal one (so the widget can show it)."""
        opts = list(self.options)
        if current not in opts:
            opts.append(current)
        return tuple(sorted(opts, key=lambda v: -1e9 if v is None else v)) if self.kind != "choice" else tuple(opts)

    def show(self, value) -> str:
        """The value in words, as a widget or a note shows it."""
        if self.labels and value in self.labels:
            return self.labels[value]
        if self.kind == "scale" and value is None:
            return "as initialised"
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "text":
            return "“" + (value if len(value) <= 40 else value[:40] + "…") + "”"
        return f"{value:g}" if isinstance(value, float) else str(value)

    def url(self, value) -> str:
        """The value as it is written in a link."""
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "scale" and value is None:
            return "auto"
        return f"{value:g}" if isinstance(value, float) else str(value)

    def valid(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(str(o) for o in self.options)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "int":
            return f"a whole number from {int(self.lo)} to {int(self.hi)}"
        if self.kind == "scale":
            return f"auto or a number from {self.lo:g} to {self.hi:g}"
        if self.kind == "text":
            return f"text of at most {int(self.hi)} printable characters"
        return f"a number from {self.lo:g} to {self.hi:g}"

    def coerce(self, raw) -> object:
        """The value that raw (a string from a link or flag, or an already typed value) stands for.
        Raises ConfigError with a one-line reason when it stands for nothing legal."""
        bad = ConfigError(f"{self.name}={str(raw)[:30]!r} is not {self.valid()}")
        if self.kind == "choice":
            if raw in self.options:
                return raw
            by_name = {str(o).lower(): o for o in self.options}
            by_name.update({v.lower(): k for k, v in (self.labels or {}).items()})
            key = str(raw).strip().lower()
            if key in by_name:
                return by_name[key]
            raise bad
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            v = {"true": True, "1": True, "on": True, "yes": True, "false": False, "0": False, "off": False, "no": False}
            if str(raw).strip().lower() in v:
                return v[str(raw).strip().lower()]
            raise bad
        if self.kind == "text":
            if isinstance(raw, str) and len(raw) <= self.hi and raw.isprintable():
                return raw
            raise bad
        if self.kind == "scale" and (raw is None or str(raw).strip().lower() in ("auto", "none", "")):
            return None
        try:
            if isinstance(raw, bool):
                raise ValueError
            x = float(raw)
        except (TypeError, ValueError):
            raise bad from None
        if not math.isfinite(x):
            raise bad
        if self.kind == "int":
            if x != int(x):
                raise bad
            x = int(x)
        if not self.lo <= x <= self.hi:
            raise ConfigError(f"{self.name}={str(raw)[:30]!r} is out of range: {self.valid()}")
        return x

    def nearest(self, raw) -> object:
        """The legal value closest to raw, for a link that asked for too much (None if raw is junk)."""
        if self.kind == "text":  # the printable characters, cut to the longest text allowed
            return "".join(c for c in str(raw) if c.isprintable())[: int(self.hi)]
        if self.kind in ("int", "float", "scale"):
            try:
                x = float(raw)
            except (TypeError, ValueError):
                return None
            if not math.isfinite(x):
                return None
            x = min(max(x, self.lo), self.hi)
            return int(round(x)) if self.kind == "int" else x
        return None


_TASK_TITLES = {name: t.title for name, t in TASKS.items()}

FIELDS: tuple[Field, ...] = (
    Field(
        "arch",
        "Architecture",
        "choice",
        "lstm",
        ARCHS,
        labels=ARCH_NAMES,
        help="Vanilla RNN: one tanh layer. LSTM: a cell state guarded by gates. GRU: two gates, no cell.",
    ),
    Field(
        "task",
        "Task",
        "choice",
        "adding",
        tuple(TASKS),
        labels=_TASK_TITLES,
        help="What the network must learn. Each task tests memory differently.",
    ),
    Field(
        "seq_len",
        "Sequence length T",
        "int",
        50,
        lo=2,
        hi=MAX_SEQ,
        effect=Change.UPDATE_LIVE,
        help="How many time steps each example has. Longer = harder to remember the start. Changing it on a "
        "trained model goes on training at the new length (curriculum learning).",
    ),
    Field("hidden", "Hidden units H", "int", 32, lo=2, hi=128, help="Size of the hidden state h_t."),
    Field("layers", "Layers", "int", 1, lo=1, hi=3, help="Recurrent layers stacked on each other."),
    Field(
        "seed", "Seed", "int", 0, lo=0, hi=9999, help="Fixes the initial weights and the data: the same seed gives the same run."
    ),
    Field(
        "optimizer",
        "Optimizer",
        "choice",
        "adam",
        ("adam", "sgd"),
        section="training",
        labels={"adam": "Adam", "sgd": "SGD (plain gradient descent)"},
        help="Adam scales every step to about the learning rate, which hides exploding gradients; plain SGD "
        "steps in proportion to the gradient, so an exploding gradient throws the weights far.",
    ),
    Field(
        "lr",
        "Learning rate",
        "float",
        1e-2,
        (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0),
        lo=1e-5,
        hi=1.0,
        effect=Change.UPDATE_LIVE,
        section="training",
        help="How far each training step moves the weights.",
    ),
    Field(
        "batch",
        "Batch size",
        "int",
        64,
        (8, 16, 32, 64, 128, 256),
        lo=1,
        hi=512,
        effect=Change.UPDATE_LIVE,
        section="training",
        help="Examples per training step.",
    ),
    Field(
        "clip",
        "Clip the gradient",
        "bool",
        True,
        effect=Change.UPDATE_LIVE,
        section="training",
        noun="gradient clipping",
        help="Rescale the gradient when its norm exceeds the threshold (stops explosions).",
    ),
    Field(
        "clip_value",
        "Clip threshold",
        "float",
        1.0,
        (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
        lo=0.01,
        hi=100.0,
        effect=Change.UPDATE_LIVE,
        section="training",
        help="The largest gradient norm a step may use.",
    ),
    Field(
        "init",
        "Recurrent init",
        "choice",
        "default",
        INITS,
        section="recurrent",
        labels={"default": "PyTorch default (uniform)", "orthogonal": "orthogonal", "identity": "identity"},
        help="How W_hh starts: PyTorch's default uniform, a random orthogonal matrix, or the identity.",
    ),
    Field(
        "scale",
        "Recurrent scale (largest singular value of W_hh)",
        "scale",
        None,
        (None, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0),
        lo=0.0,
        hi=10.0,
        section="recurrent",
        help="Rescale W_hh so its largest singular value is this. Below 1 a tanh RNN's gradient must vanish.",
    ),
    Field(
        "nonlin",
        "RNN nonlinearity",
        "choice",
        "tanh",
        NONLINEARITIES,
        section="recurrent",
        help="Only for the vanilla RNN: tanh squashes to (−1, 1); relu does not saturate above 0.",
    ),
    Field(
        "forget_bias",
        "LSTM forget-gate bias",
        "float",
        1.0,
        (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0),
        lo=-10.0,
        hi=10.0,
        section="recurrent",
        help="Only for the LSTM: a positive bias starts the forget gate open, so memory is kept from the first step of training.",
    ),
)
BY_NAME = {f.name: f for f in FIELDS}
SECTIONS = {"setup": "Setup", "training": "Training", "recurrent": "Recurrent weights (gradient lab)"}


def seq_len_range(task: str) -> tuple[int, int]:
    """The sequence lengths a task accepts here: its own limits, at most MAX_SEQ."""
    t = TASKS[task]
    return int(t.min_len), int(min(getattr(t, "max_len", MAX_SEQ), MAX_SEQ))


@dataclass(frozen=True)
class Settings:
    """Everything a sidebar, a link or a CLI flag can set; see FIELDS for what each one means."""

    arch: str = "lstm"
    task: str = "adding"
    seq_len: int = 50
    hidden: int = 32
    layers: int = 1
    seed: int = 0
    optimizer: str = "adam"
    lr: float = 1e-2
    batch: int = 64
    clip: bool = True
    clip_value: float = 1.0
    init: str = "default"
    scale: float | None = None
    nonlin: str = "tanh"
    forget_bias: float = 1.0

    def replace(self, **changes) -> Settings:
        """A copy with these values (checked strictly: a bad value raises ConfigError)."""
        return parse({**self.as_dict(), **changes}, strict=True)[0]

    def as_dict(self) -> dict:
        return asdict(self)

    def query(self) -> dict[str, str]:
        """The link parameters that reproduce these settings (defaults left out)."""
        return {f.name: f.url(getattr(self, f.name)) for f in FIELDS if getattr(self, f.name) != f.default}

    def query_string(self) -> str:
        return urlencode(self.query())

    def key(self) -> tuple:
        """A hashable identity: equal settings give equal keys."""
        return tuple(getattr(self, f.name) for f in FIELDS)

    def model_keywords(self) -> dict:
        """The ModelConfig keywords these settings choose (the task adds input and output sizes)."""
        return dict(
            arch=self.arch,
            hidden_size=self.hidden,
            num_layers=self.layers,
            nonlinearity=self.nonlin,
            init=self.init,
            recurrent_scale=self.scale,
            forget_bias=self.forget_bias,
        )

    def train_keywords(self) -> dict:
        """The TrainConfig keywords these settings choose."""
        return dict(
            task=self.task,
            seq_len=self.seq_len,
            batch_size=self.batch,
            optimizer=self.optimizer,
            lr=self.lr,
            clip=self.clip,
            clip_value=self.clip_value,
            seed=self.seed,
        )

    def differences(self, other: Settings) -> list[str]:
        """The fields that differ, in words: ["architecture: LSTM → GRU", ...]."""
        out = []
        for f in FIELDS:
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out.append(f"{f.label.split(' (')[0].lower()}: {f.show(a)} → {f.show(b)}")
        return out

    def change_sentence(self, other: Settings) -> str:
        """The change from these settings to other's as one sentence: "You changed the architecture
        from LSTM to GRU and the hidden units H from 32 to 64." ("" if nothing changed)."""
        parts = []
        for f in FIELDS:
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                name = f.noun or f.label.split(" (")[0]
                name = name if name[:3].isupper() else name[0].lower() + name[1:]
                parts.append(f"the {name} from {f.show(a)} to {f.show(b)}")
        if not parts:
            return ""
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"You changed {joined}."

    def describe(self) -> str:
        """One line naming the model these settings build."""
        layers = f", {self.layers} layers" if self.layers > 1 else ""
        return f"{ARCH_NAMES[self.arch]}, H={self.hidden}{layers}, T={self.seq_len}, seed {self.seed}"


DEFAULT = Settings()


def parse(values: dict, strict: bool = False, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from raw values (link strings, widget values, CLI flags), on top of ``base``.

    Unknown keys are ignored with a note. A bad value raises ConfigError if strict, else falls back
    (to the nearest legal value, or the base's value) with a note. The sequence length is then
    brought into the task's range, again with a note (or an error if strict).
    """
    base = base or DEFAULT
    notes: list[str] = []
    out = base.as_dict()
    for key, raw in values.items():
        f = BY_NAME.get(key)
        if f is None:
            if strict:
                raise ConfigError(f"unknown setting {key!r}")
            notes.append(f"Ignored the unknown link parameter “{str(key)[:30]}”.")
            continue
        if isinstance(raw, (list, tuple)):  # a repeated URL parameter: the last one counts
            raw = raw[-1] if raw else ""
        try:
            out[key] = f.coerce(raw)
        except ConfigError:
            if strict:
                raise
            near = f.nearest(raw)
            out[key] = near if near is not None else getattr(base, key)
            notes.append(f"Link parameter {key}={str(raw)[:30]!r} is not {f.valid()}; using {f.show(out[key])}.")
    lo, hi = seq_len_range(out["task"])
    if not lo <= out["seq_len"] <= hi:
        title = TASKS[out["task"]].title
        msg = f"{title} needs a sequence length from {lo} to {hi}"
        if strict:
            raise ConfigError(f"{msg}, got {out['seq_len']}")
        out["seq_len"] = min(max(out["seq_len"], lo), hi)
        notes.append(f"{msg}; using {out['seq_len']}.")
    return Settings(**out), notes


def from_query(query: dict) -> tuple[Settings, list[str]]:
    """Settings from a link's parameters, with a note for each one that was junk (never raises).
    Parameters that are not settings but known to the app (see LINK_EXTRAS, and every application
    page's own fields, PAGE_FIELDS) are left to the caller."""
    keys = page_keys()
    return parse({k: v for k, v in query.items() if k not in LINK_EXTRAS and k not in keys})


LINK_EXTRAS = ("step", "present", "page", "lesson", "class", "me")  # link parameters that are not settings
# (me: a student's place in their class, kept only in their own address bar: rnnviz/ui/classroom.py)


_TANH_RNN = dict(task="adding", arch="rnn", nonlin="tanh", init="orthogonal", seq_len=40)
# Vanish and Scale 1.0 train as the sidebar does by default: after Explode or Rescue (plain SGD at lr 0.5) they put
# the optimiser and learning rate back, or a student walking the presets in order keeps SGD without being told.
_DEFAULT_TRAINING = {name: BY_NAME[name].default for name in ("optimizer", "lr")}
# Explode and rescue differ only in clipping. Found by experiment (sines, T=40, hidden 32, batch 64, seeds
# 0, 1, 2): without clipping plain SGD at lr 0.5 diverges by step 16-20; clipped at 1.0 the same run reaches
# the solved line at step 250-375, with 2-4% of its steps clipped (tests/unit/test_presets.py checks seed 0).
_SPIKY = {**_TANH_RNN, "task": "sines", "scale": 1.0, "optimizer": "sgd", "lr": 0.5}
PRESETS = {  # the gradient lab's buttons: name -> (label, settings it changes)
    "vanish": ("Make it vanish", {**_TANH_RNN, **_DEFAULT_TRAINING, "scale": 0.5, "clip": True}),
    "healthy": ("Scale 1.0 (on the edge)", {**_TANH_RNN, **_DEFAULT_TRAINING, "scale": 1.0, "clip": True}),
    # plain SGD: Adam's steps are about lr whatever the gradient's size, which hides the explosion
    "explode": ("Make it explode", {**_SPIKY, "clip": False}),
    "rescue": ("Rescue with clipping", {**_SPIKY, "clip": True, "clip_value": 1.0}),
}


def what_changes(old: Settings, new: Settings) -> Change:
    """What going from ``old`` to ``new`` does to a run built from ``old``: KEEP if nothing differs,
    UPDATE_LIVE if only settings that a running trainer can take changed (learning rate, batch size,
    clipping, sequence length), REBUILD if any setting that shapes or seeds the model changed."""
    changed = [f for f in FIELDS if getattr(old, f.name) != getattr(new, f.name)]
    if not changed:
        return Change.KEEP
    if all(f.effect is Change.UPDATE_LIVE for f in changed):
        return Change.UPDATE_LIVE
    return Change.REBUILD


def live_changes(old: Settings, new: Settings) -> dict:
    """The TrainConfig keywords that differ between two settings, for ``Trainer.update``."""
    a, b = old.train_keywords(), new.train_keywords()
    return {k: v for k, v in b.items() if a[k] != v}


assert {f.name for f in fields(Settings)} == set(BY_NAME), "FIELDS and Settings must list the same names"


# ----- the application pages' own choices in a link ---------------------------------------------
# The explorer's keys (FIELDS, and step) keep their meaning on every page, so each application page's
# choices take names of their own. One table per page, parsed by page_values and written by
# page_query, with the same rules as the explorer's: junk is replaced by the nearest legal value (or
# the default) with one note. ``default`` None: the page decides (Forecast's window and horizon
# depend on the series); such a field is always written.

_ARCH3 = ("rnn", "lstm", "gru")
PAGE_FIELDS: dict[str, tuple[Field, ...]] = {
    "forecast": (
        Field(
            "series",
            "Series",
            "choice",
            "sunspots",
            ("sunspots", "co2", "elnino", "nile", "seattle_hourly", "seattle_daily_max"),  # data.series.BUILTIN
            widget_key="fc_series",
        ),
        Field("network", "Network", "choice", "lstm", _ARCH3, labels=ARCH_NAMES, widget_key="fc_arch"),
        Field("window", "Window", "int", None, lo=2, hi=120, widget_key="fc_window"),
        Field("horizon", "Horizon", "int", None, lo=1, hi=300, widget_key="fc_horizon"),
        Field("fc_steps", "Training steps", "int", 300, (50, 100, 200, 300, 600, 1000), lo=1, hi=1000, widget_key="fc_steps"),
        Field("fc_seeds", "Seeds", "int", 3, (1, 2, 3, 4, 5), lo=1, hi=5, widget_key="fc_seeds"),
        Field("fc_units", "Hidden units", "int", 32, (8, 16, 32, 64), lo=8, hi=64, widget_key="fc_hidden"),
        Field("fc_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="fc_seed"),
        Field("fc_shown", "Forecast shown", "choice", "iterated", ("iterated", "one_step"), widget_key="fc_kind"),
        Field("fc_whole", "Show the whole history", "bool", False, widget_key="fc_whole"),
        Field("fc_run", "Forecast made", "bool", False),
        Field("prices", "Prices", "choice", "walk", ("walk", "msft", "amzn", "ibm", "goog", "aapl"), widget_key="fc_prices"),
        Field("walk_seed", "Walk seed", "int", 0, lo=0, hi=9999, widget_key="fc_walk_seed"),
        Field("walk_run", "Walk forecast made", "bool", False),
    ),
}

# The Translate page (pages/9_Translate.py): the sentence typed, which models translate it (the shipped
# ones or the two trained on the page), the Train button's steps, hidden units and seed, and whether both
# models were trained with them (a link with tr_run gets the same models again: from the server, or trained anew).
PAGE_FIELDS["translate"] = (
    Field("tr_text", "A number in words", "text", "three hundred and forty two", hi=300, widget_key="tr_text"),
    Field(
        "tr_target",
        "Translate into",
        "choice",
        "digits",
        ("digits", "de"),
        labels={"digits": "digits", "de": "German words"},
        widget_key="tr_target",
    ),
    Field("tr_which", "Models", "choice", "shipped", ("shipped", "mine"), widget_key="tr_which"),
    Field(
        "tr_steps", "Training steps", "int", 300, (100, 200, 300, 500, 800, 1000, 1500), lo=100, hi=1500, widget_key="tr_steps"
    ),
    Field("tr_units", "Hidden units", "int", 32, (8, 16, 32, 64), lo=8, hi=64, widget_key="tr_hidden"),
    Field("tr_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="tr_seed"),
    Field("tr_run", "Both models trained", "bool", False),
)

# The Text page (pages/8_Text.py): the character model's corpus and size, whether a model trained here is
# shown and for how many steps (rebuilt from seed 0), the writing and reading choices, the sentiment reader.
# An uploaded text does not travel in a link: "upload" only says the student had chosen one.
PAGE_FIELDS["text"] = (
    Field("tx_corpus", "Corpus", "choice", "pydoc", ("pydoc", "story", "upload"), widget_key="tx_corpus"),
    Field("tx_arch", "Cell", "choice", "lstm", ("lstm", "gru", "rnn"), labels=ARCH_NAMES, widget_key="tx_arch"),
    Field("tx_hidden", "Hidden units", "int", 128, (32, 64, 128), lo=32, hi=128, widget_key="tx_hidden"),
    Field("tx_run", "A model trained here is shown", "bool", False),
    Field("tx_steps", "Its training steps", "int", 0, lo=0, hi=20_000),
    Field("tx_prompt", "Start it with", "text", "The ", hi=200, widget_key="tx_prompt"),
    Field("tx_temp", "Temperature", "float", 0.7, lo=0.0, hi=2.0, widget_key="tx_temp"),
    Field("tx_topk", "Top-k", "choice", None, (None, 1, 2, 3, 5, 10, 20), labels={None: "all"}, widget_key="tx_topk"),
    Field("tx_letters", "Letters", "int", 200, (50, 100, 200, 300, 500), lo=50, hi=500, widget_key="tx_n"),
    Field("tx_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="tx_seed"),
    Field("tx_sentence", "Sentence", "text", "I am learning machine learning", hi=300, widget_key="tx_sentence"),
    Field("tx_unit", "Unit", "int", 0, lo=0, hi=127, widget_key="tx_unit"),
    Field("tx_word", "Repeated word", "text", "", hi=60, widget_key="tx_word"),
    Field("tx_reader", "Sentiment reader trained", "bool", False),
    Field("tx_sent", "Sentiment sentence", "text", "the film was not good", hi=300, widget_key="tx_sent"),
)

# The Compare page (pages/6_Compare.py): which models race (one switch each), the race's task, length,
# budget and axis, whether a race was run (the same race again: shared, or run from the same seed), and
# the sweep cell to re-run. The models' sizes, seed and optimiser are the explorer's keys.
PAGE_FIELDS["compare"] = (
    *(Field(f"cmp_{a}", f"{a} in the race", "bool", True) for a in ("rnn", "lstm", "gru", "cnn", "transformer", "gru_attention")),
    Field(
        "cmp_task",
        "Race task",
        "choice",
        "adding",
        ("adding", "temporal_order", "first_symbol", "copy"),
        widget_key="rv_cmp_task",
    ),
    Field("cmp_len", "Race sequence length", "int", 50, (10, 20, 30, 50, 100, 150, 200), lo=10, hi=200, widget_key="rv_cmp_len"),
    Field(
        "cmp_budget", "Step budget", "int", 1000, (100, 250, 500, 1000, 2000, 5000), lo=100, hi=5000, widget_key="rv_cmp_budget"
    ),
    Field("cmp_x", "Horizontal axis", "choice", "step", ("step", "seconds"), widget_key="rv_cmp_x"),
    Field("cmp_run", "Race run", "bool", False),
    Field(
        "cmp_cell_arch",
        "Sweep cell model",
        "choice",
        "rnn",
        ("rnn", "lstm", "gru", "cnn", "transformer", "gru_attention"),
        widget_key="rv_cmp_cell_arch",
    ),
    Field("cmp_cell_len", "Sweep cell length", "int", 10, (10, 20, 50, 100, 200), lo=10, hi=200, widget_key="rv_cmp_cell_len"),
    Field("cmp_cell_seed", "Sweep cell seed", "int", 0, (0, 1, 2), lo=0, hi=2, widget_key="rv_cmp_cell_seed"),
    Field("cmp_cell_run", "Sweep cell re-run", "bool", False),
)

# The Music page (pages/11_Music.py): the model to train (architecture, steps, seed) and whether the page
# shows it (a link with mu_run gets the same model again: from the server, or trained anew from the seed),
# and the tune it writes: the seed phrase (by its place among the 270 held-out tunes, 0-269), how many of
# its notes, how many notes to write, temperature, sampling seed and tempo.
PAGE_FIELDS["music"] = (
    Field("mu_arch", "Architecture", "choice", "lstm", _ARCH3, labels=ARCH_NAMES, widget_key="mu_arch"),
    Field("mu_steps", "Training steps", "int", 300, lo=50, hi=1500, widget_key="mu_steps"),
    Field("mu_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="mu_seed"),
    Field("mu_run", "A model trained here is shown", "bool", False),
    Field("mu_tune", "Seed phrase (held-out tune)", "int", 0, lo=0, hi=269, widget_key="mu_tune"),
    Field("mu_notes", "Seed notes", "int", 8, lo=1, hi=32, widget_key="mu_nseed"),
    Field("mu_length", "Notes to write", "int", 48, lo=8, hi=200, widget_key="mu_len"),
    Field("mu_temp", "Temperature", "float", 0.8, lo=0.0, hi=2.0, widget_key="mu_temp"),
    Field("mu_sample", "Sampling seed", "int", 0, lo=0, hi=9999, widget_key="mu_gseed"),
    Field("mu_tempo", "Tempo (beats per minute)", "int", 150, lo=60, hi=240, widget_key="mu_bpm"),
)

# The Sounds page (pages/13_Sounds.py): the model to train and whether the page shows it (so_run, as on
# Music), and the clip it listens to: the vowel (0-4, or its name: ah, ee, oo, eh, aw), noise and clip number.
PAGE_FIELDS["sounds"] = (
    Field("so_arch", "Architecture", "choice", "gru", _ARCH3, labels=ARCH_NAMES, widget_key="so_arch"),
    Field("so_steps", "Training steps", "int", 200, lo=20, hi=800, widget_key="so_steps"),
    Field("so_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="so_seed"),
    Field("so_run", "A model trained here is shown", "bool", False),
    Field(
        "so_vowel",
        "Vowel",
        "choice",
        0,
        (0, 1, 2, 3, 4),
        labels={0: "ah", 1: "ee", 2: "oo", 3: "eh", 4: "aw"},
        widget_key="so_label",
    ),
    Field("so_noise", "Noise", "float", 0.3, lo=0.0, hi=3.0, widget_key="so_noise"),
    Field("so_clip", "Clip number", "int", 0, lo=0, hi=9999, widget_key="so_clip"),
)


# The Recognise page (pages/12_Recognise.py): the recording set, which networks train (one switch each),
# their steps, hidden units and seed, whether they were trained (rc_run: the same networks again, from the
# server or trained anew), which example of each class is drawn, the network looked at and its test recording.
PAGE_FIELDS["recognise"] = (
    Field(
        "rc_data",
        "Recording",
        "choice",
        "basic_motions",
        ("basic_motions", "japanese_vowels", "gun_point", "italy_power"),
        widget_key="rc_data",
    ),
    *(
        Field(f"rc_{a}", f"{a} trained", "bool", a in ("rnn", "lstm", "gru"), widget_key=f"rc_net_{a}")
        for a in ("rnn", "lstm", "gru", "cnn", "transformer")
    ),
    Field("rc_steps", "Training steps", "int", 400, (100, 200, 400, 800, 1500), lo=100, hi=1500, widget_key="rc_steps"),
    Field("rc_units", "Hidden units", "int", 32, (8, 16, 32, 64), lo=8, hi=64, widget_key="rc_hidden"),
    Field("rc_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="rc_seed"),
    Field("rc_run", "Networks trained", "bool", False),
    Field("rc_look", "Example drawn", "int", 0, lo=0, hi=9, widget_key="rc_look"),
    Field("rc_model", "Network looked at", "choice", "gru", ("rnn", "lstm", "gru", "cnn", "transformer"), widget_key="rc_model"),
    Field("rc_example", "Test recording", "int", 0, lo=0, hi=1028, widget_key="rc_example"),
)

# The Digits page (pages/14_Digits.py): which of the four shapes train (one switch each), the recurrent cell,
# steps, hidden units and seed, whether they were trained (dg_run: the same models again, from the server or
# trained anew), which example of each digit is drawn, and the test image written out.
PAGE_FIELDS["digits"] = (
    *(
        Field(f"dg_{s}", f"{s.replace('_', '-')} trained", "bool", True, widget_key=f"dg_{s}")
        for s in ("one_to_one", "many_to_one", "one_to_many", "many_to_many")
    ),
    Field("dg_arch", "Recurrent cell", "choice", "gru", _ARCH3, labels=ARCH_NAMES, widget_key="dg_arch"),
    Field("dg_steps", "Training steps", "int", 800, (100, 200, 400, 800, 1500), lo=100, hi=1500, widget_key="dg_steps"),
    Field("dg_units", "Hidden units", "int", 64, (16, 32, 64, 128), lo=16, hi=128, widget_key="dg_hidden"),
    Field("dg_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="dg_seed"),
    Field("dg_run", "Models trained", "bool", False),
    Field("dg_look", "Example drawn", "int", 0, lo=0, hi=9, widget_key="dg_look"),
    Field("dg_image", "Test image", "int", 0, lo=0, hi=449, widget_key="dg_image"),
)

# The Chat page (pages/15_Chat.py): the network's training steps, hidden units and seed, whether it was trained
# (ch_run: the same network again, from the server or trained anew), and the message typed to it.
PAGE_FIELDS["chat"] = (
    Field("ch_steps", "Training steps", "int", 800, (100, 200, 400, 800, 1500, 3000), lo=100, hi=3000, widget_key="ch_steps"),
    Field("ch_units", "Hidden units", "int", 64, (16, 32, 64, 128), lo=16, hi=128, widget_key="ch_hidden"),
    Field("ch_seed", "Seed", "int", 0, lo=0, hi=9999, widget_key="ch_seed"),
    Field("ch_run", "Network trained", "bool", False),
    Field("ch_msg", "Message", "text", "hello", hi=400, widget_key="ch_msg"),
)

# The Class page (pages/16_Class.py): the teacher's key, only in the teacher's own link to the page (the class
# code itself, class=CODE, is in LINK_EXTRAS: every link keeps it; rnnviz/ui/classroom.py checks both).
PAGE_FIELDS["class"] = (Field("key", "Teacher key", "text", "", hi=64, widget_key="rv_class_key"),)


def page_keys() -> set[str]:
    """Every application page's link keys (none of them is an explorer setting)."""
    return {f.name for fs in PAGE_FIELDS.values() for f in fs}


def page_values(page: str, query: dict) -> tuple[dict, list[str]]:
    """An application page's choices from a link: {field name: value} for its fields present in the
    query (others are left to the page's defaults), and a note for each junk one (never raises)."""
    out: dict = {}
    notes: list[str] = []
    for f in PAGE_FIELDS.get(page, ()):
        if f.name not in query:
            continue
        raw = query[f.name]
        if isinstance(raw, (list, tuple)):  # a repeated URL parameter: the last one counts
            raw = raw[-1] if raw else ""
        try:
            v = f.coerce(raw)
        except ConfigError:
            near = f.nearest(raw)
            if near is None and f.default is None:
                notes.append(f"Link parameter {f.name}={str(raw)[:30]!r} is not {f.valid()}; ignored.")
                continue
            v = near if near is not None else f.default
            notes.append(f"Link parameter {f.name}={str(raw)[:30]!r} is not {f.valid()}; using {f.show(v)}.")
        if f.options and f.kind == "int" and v not in f.options:  # a widget that offers only these values
            near = min(f.options, key=lambda o: (abs(o - v), o))
            notes.append(f"Link parameter {f.name}={v} is not one of {', '.join(map(str, f.options))}; using {near}.")
            v = near
        out[f.name] = v
    return out, notes


def page_query(page: str, values: dict) -> dict[str, str]:
    """The link parameters that reproduce a page's choices: each field's value unless it is the default."""
    q = {}
    for f in PAGE_FIELDS.get(page, ()):
        if f.name in values and values[f.name] is not None and (f.default is None or values[f.name] != f.default):
            q[f.name] = f.url(values[f.name])
    return q
