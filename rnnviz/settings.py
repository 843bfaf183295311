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
from .model import ARCHS, INITS, NONLINEARITIES
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
    widget offers), "bool", or "scale" (None = as initialised, or a float from lo to hi).
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
    Parameters that are not settings but known to the app (see LINK_EXTRAS) are left to the caller."""
    return parse({k: v for k, v in query.items() if k not in LINK_EXTRAS})


LINK_EXTRAS = ("step", "present", "page", "lesson")  # link parameters that are not settings


_TANH_RNN = dict(arch="rnn", nonlin="tanh", init="orthogonal", seq_len=40)
PRESETS = {  # the gradient lab's buttons: name -> (label, settings it changes)
    "vanish": ("Make it vanish", {**_TANH_RNN, "scale": 0.5, "clip": True}),
    "healthy": ("Scale 1.0 (on the edge)", {**_TANH_RNN, "scale": 1.0, "clip": True}),
    # plain SGD: Adam's steps are about lr whatever the gradient's size, which hides the explosion
    "explode": ("Make it explode", {**_TANH_RNN, "scale": 2.0, "optimizer": "sgd", "lr": 0.1, "clip": False}),
    "rescue": (
        "Rescue with clipping",
        {**_TANH_RNN, "scale": 2.0, "optimizer": "sgd", "lr": 0.1, "clip": True, "clip_value": 1.0},
    ),
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
