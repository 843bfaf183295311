"""The shared controls: one table that says each control's URL key, widget, range and default,
plus the checks that turn a junk URL into a visible note instead of an exception."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ARCHS, INITS, NONLINEARITIES
from ..plots.style import ARCH_LABELS
from ..tasks import TASKS

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
BATCHES = (8, 16, 32, 64, 128, 256)
CLIPS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
SCALES = ("auto", "0.25", "0.5", "0.75", "0.9", "1.0", "1.1", "1.5", "2.0", "3.0")
MAX_SEQ, MAX_HIDDEN = 200, 128


@dataclass
class Control:
    key: str
    label: str
    kind: str                  # selectbox, slider, select_slider, toggle, number
    default: object
    options: tuple = ()
    lo: float = 0
    hi: float = 0
    help: str = ""
    fmt: object = None
    group: str = "model"       # model (changing it needs a new model) or train (applies live)
    extra: dict = field(default_factory=dict)

    def parse(self, raw: str):
        """The value a URL string stands for, or None if it is not a valid value of this control."""
        try:
            if self.kind == "toggle":
                return {"true": True, "false": False}.get(raw.lower())
            if self.kind in ("slider", "number"):
                v = int(raw)
                return v if self.lo <= v <= self.hi else None
            if self.kind == "select_slider" and isinstance(self.default, (int, float)):
                v = float(raw)
                return type(self.default)(v) if v in self.options else None
            by_label = {(str(self.fmt(o)) if self.fmt else str(o)).lower(): o for o in self.options}
            by_label.update({str(o).lower(): o for o in self.options})
            return by_label.get(raw.lower())  # short name or label, any case
        except ValueError:
            return None

    def describe_valid(self) -> str:
        if self.kind in ("slider", "number"):
            return f"a whole number from {self.lo} to {self.hi}"
        if self.kind == "toggle":
            return "true or false"
        return "one of " + ", ".join(str(o) for o in self.options)


CONTROLS = [
    Control("arch", "Architecture", "selectbox", "lstm", ARCHS, fmt=lambda a: ARCH_LABELS[a],
            help="Vanilla RNN: one tanh layer. LSTM: a cell state guarded by gates. GRU: two gates, no cell."),
    Control("task", "Task", "selectbox", "adding", tuple(TASKS), fmt=lambda t: TASKS[t].title,
            help="What the network must learn. Each task tests memory differently."),
    Control("seq_len", "Sequence length T", "slider", 50, lo=2, hi=MAX_SEQ,
            help="How many time steps each example has. Longer = harder to remember the start."),
    Control("hidden", "Hidden units H", "slider", 32, lo=2, hi=MAX_HIDDEN, help="Size of the hidden state h_t."),
    Control("layers", "Layers", "slider", 1, lo=1, hi=3, help="Recurrent layers stacked on each other."),
    Control("seed", "Seed", "number", 0, lo=0, hi=9999,
            help="Fixes the initial weights and the data: the same seed gives the same run."),
    Control("optimizer", "Optimizer", "selectbox", "adam", ("adam", "sgd"),
            fmt=lambda o: {"adam": "Adam", "sgd": "SGD (plain gradient descent)"}[o],
            help="Adam scales every step to about the learning rate, which hides exploding gradients; "
                 "plain SGD steps in proportion to the gradient, so an exploding gradient throws the weights far."),
    Control("lr", "Learning rate", "select_slider", 1e-2, LRS, fmt=lambda v: f"{v:g}", group="train"),
    Control("batch", "Batch size", "select_slider", 64, BATCHES, group="train"),
    Control("clip", "Clip the gradient", "toggle", True, group="train",
            help="Rescale the gradient when its norm exceeds the threshold (stops explosions)."),
    Control("clip_value", "Clip threshold", "select_slider", 1.0, CLIPS, fmt=lambda v: f"{v:g}", group="train"),
    Control("init", "Recurrent init", "selectbox", "default", INITS,
            help="How W_hh starts: PyTorch's default uniform, a random orthogonal matrix, or the identity."),
    Control("scale", "Recurrent scale (largest singular value of W_hh)", "select_slider", "auto", SCALES,
            fmt=lambda v: "as initialised" if v == "auto" else v,
            help="Rescale W_hh so its largest singular value is this. Below 1 a tanh RNN's gradient must vanish."),
    Control("nonlin", "RNN nonlinearity", "selectbox", "tanh", NONLINEARITIES,
            help="Only for the vanilla RNN: tanh squashes to (−1, 1); relu does not saturate above 0."),
]
BY_KEY = {c.key: c for c in CONTROLS}
MODEL_KEYS = tuple(c.key for c in CONTROLS if c.group == "model")
DEFAULTS = {c.key: c.default for c in CONTROLS}


_TANH_RNN = dict(arch="rnn", nonlin="tanh", init="orthogonal", seq_len=40)
PRESETS = {  # the gradient lab's buttons: name -> (label, control values)
    "vanish": ("Make it vanish", {**_TANH_RNN, "scale": "0.5", "clip": True}),
    "healthy": ("Scale 1.0 (on the edge)", {**_TANH_RNN, "scale": "1.0", "clip": True}),
    # plain SGD: Adam's steps are about lr whatever the gradient's size, which hides the explosion
    "explode": ("Make it explode", {**_TANH_RNN, "scale": "2.0", "optimizer": "sgd", "lr": 0.1, "clip": False}),
    "rescue": ("Rescue with clipping", {**_TANH_RNN, "scale": "2.0", "optimizer": "sgd", "lr": 0.1, "clip": True,
                                        "clip_value": 1.0}),
}


def manual(c: Control) -> bool:
    """Selectboxes and toggles keep their URL parameter themselves. A bound selectbox writes its
    display label (arch=GRU, task=Copy+after+a+delay) and ignores the short name a teacher types
    (arch=gru); a bound toggle never writes false into the URL (both seen with Streamlit 1.67)."""
    return c.kind in ("selectbox", "toggle")


def url_value(c: Control, value) -> str:
    return str(value).lower() if c.kind == "toggle" else str(value)


def share_query(values: dict) -> str:
    """The query string that reproduces these settings (defaults left out), in the form each
    widget reads back."""
    from urllib.parse import urlencode
    parts = {}
    for c in CONTROLS:
        v = values[c.key]
        if v == c.default:
            continue
        if manual(c):
            parts[c.key] = url_value(c, v)
        elif c.kind == "select_slider":
            parts[c.key] = str(c.fmt(v)) if c.fmt else str(v)
        else:
            parts[c.key] = str(int(v))
    return urlencode(parts)


def read_manual(query: dict) -> dict:
    """{key: option} for the manually kept parameters in a URL that name a valid option (by its
    short name or its label, any case)."""
    out = {}
    for c in CONTROLS:
        raw = query.get(c.key)
        if not manual(c) or raw is None:
            continue
        if c.kind == "toggle":
            parsed = c.parse(str(raw))
            if parsed is not None:
                out[c.key] = parsed
            continue
        names = {str(o).lower(): o for o in c.options}
        names.update({str(c.fmt(o)).lower(): o for o in c.options} if c.fmt else {})
        if str(raw).lower() in names:
            out[c.key] = names[str(raw).lower()]
    return out


def model_kwargs(values: dict) -> dict:
    """The recurrent-weight settings as ModelConfig keywords."""
    scale = None if values["scale"] == "auto" else float(values["scale"])
    return dict(nonlinearity=values["nonlin"], init=values["init"], recurrent_scale=scale)


def train_kwargs(values: dict) -> dict:
    """The training settings as TrainConfig keywords (sequence length and seed apart)."""
    return dict(batch_size=values["batch"], optimizer=values["optimizer"], lr=values["lr"], clip=values["clip"],
                clip_value=values["clip_value"])


def url_notes(query: dict, values: dict) -> list[str]:
    """Notes for URL parameters that were junk, out of range or unknown (the widgets fell back)."""
    notes = []
    for key, raw in query.items():
        c = BY_KEY.get(key)
        if c is None:
            notes.append(f"Ignored the unknown link parameter “{key}”.")
            continue
        parsed = c.parse(str(raw))
        if parsed is None or parsed != values.get(key):
            shown = c.fmt(values[key]) if c.fmt else values[key]
            notes.append(f"Link parameter {key}={str(raw)[:30]!r} is not {c.describe_valid()}; using {shown}.")
    return notes


def model_settings(values: dict) -> dict:
    """The settings a model is built from (changing one means a new model)."""
    return {k: values[k] for k in MODEL_KEYS}


def differences(old: dict, new: dict) -> list[str]:
    out = []
    for k in MODEL_KEYS:
        if old.get(k) != new.get(k):
            c = BY_KEY[k]
            f = c.fmt or str
            out.append(f"{c.label.split(' (')[0].lower()}: {f(old.get(k))} → {f(new.get(k))}")
    return out
