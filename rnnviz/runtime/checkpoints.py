"""Checkpoints as bytes: a session's model, the settings it was built with and the trainer's state,
written by the Train page's download button and by ``python -m rnnviz train --save``, read back by
the upload box and by ``python -m rnnviz trace --load``.

A checkpoint is ``torch.save`` of a dict holding only tensors, dicts, lists, numbers, strings and
None, so ``torch.load(..., weights_only=True)`` reads it and nothing in a file can run code. Every
key of format 1 (:func:`rnnviz.runtime.training.checkpoint`) is still there, so an older rnnviz reads the
weights of a newer file; format 2 adds:

- ``settings``: ``Settings.as_dict()``, the one vocabulary of the sidebar, links and CLI flags;
- ``trainer``: what a :class:`~rnnviz.runtime.training.Trainer` needs to go on exactly as it would have:
  step count, history, snapshots, the optimiser's moments, the data stream's random state.

:func:`load_checkpoint_bytes` checks everything before it returns and raises
:class:`~rnnviz.errors.CheckpointError` with one readable line otherwise; the caller's session is
never touched by a file that fails. Above the runs (it builds a run from settings) and below the
session (which takes the loaded run).
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
import warnings
import zipfile

import numpy as np
import torch

from .. import settings as settings_mod
from ..errors import CheckpointError, ConfigError
from ..settings import ARCH_NAMES, Settings
from ..tasks import get_task
from .runs import build_run
from .training import History, Snapshots, Status, Trainer, checkpoint

FORMAT = "rnnviz-checkpoint-2"
OLD_FORMAT = "rnnviz-checkpoint-1"  # weights and configs only: loads with an empty history
MAX_BYTES = (
    16_000_000  # matches server.maxUploadSize (16 MB); the largest file (and the most unpacked bytes) a checkpoint may have
)
TRAINER_EXTRAS = ("snapshot_every", "eval_every", "probe_size", "heldout_size")  # TrainConfig, not Settings
_CODE_OPS = {"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "BUILD", "EXT1", "EXT2", "EXT4"}

MSG_EMPTY = "That file is empty (0 bytes), so it holds no model."
MSG_NOT_TORCH = "That file is not an rnnviz checkpoint: it is not a PyTorch file at all (rnnviz saves models as .pt files)."
MSG_TRUNCATED = (
    "That file is cut short or damaged: it begins like a PyTorch checkpoint but the rest is missing "
    "(was the download interrupted?)."
)
MSG_CODE = "This file contains code, not just numbers; rnnviz refuses to load it."
MSG_NOT_OURS = "That is a PyTorch file but not an rnnviz checkpoint (it has no rnnviz format tag)."


def file_name(settings: Settings, step: int) -> str:
    """The download's name: ``rnnviz-lstm-adding-step1200.pt``."""
    return f"rnnviz-{settings.arch}-{settings.task}-step{step}.pt"


# ----- writing ---------------------------------------------------------------------------------
def _history_state(h: History) -> dict:
    floats = ("loss", "metric", "grad_norm", "max_singular", "heldout_loss", "heldout_metric")
    ints = ("step", "seq_len", "heldout_step")
    out = {k: torch.tensor(getattr(h, k), dtype=torch.float64) for k in floats}
    out.update({k: torch.tensor(getattr(h, k), dtype=torch.int64) for k in ints})
    out["clipped"] = torch.tensor(h.clipped, dtype=torch.bool)
    out["group_norms"] = {g: torch.tensor(v, dtype=torch.float64) for g, v in h.group_norms.items()}
    return out


def trainer_state(trainer: Trainer) -> dict:
    """Everything besides the weights that the trainer needs to go on as it would have."""
    rng = trainer.rng.bit_generator.state
    s = trainer.snapshots
    return {
        "step": trainer.step,
        "seconds": float(trainer.seconds),
        "status": trainer.status.value,
        "message": trainer.message,
        "solved_at": trainer.solved_at,
        "history": _history_state(trainer.history),
        "snapshots": {
            "step": torch.tensor(s.step, dtype=torch.int64),
            "seq_len": torch.tensor(s.seq_len, dtype=torch.int64),
            "grad_norm": [torch.from_numpy(np.asarray(g, dtype=np.float32).copy()) for g in s.grad_norm],
        },
        "optimizer": {i: dict(st) for i, st in trainer.opt.state_dict()["state"].items()},  # not the live dicts
        # numpy's PCG64 state: two 128-bit integers, kept as decimal strings
        "rng": {
            "bit_generator": rng["bit_generator"],
            "state": str(rng["state"]["state"]),
            "inc": str(rng["state"]["inc"]),
            "has_uint32": int(rng["has_uint32"]),
            "uinteger": int(rng["uinteger"]),
        },
        "sv_vec": None if trainer._sv_vec is None else trainer._sv_vec.detach().clone(),
    }


def checkpoint_dict(trainer: Trainer, settings: Settings, text: str | None = None) -> dict:
    """The checkpoint as a dict (format 2): format 1's keys plus ``settings`` and ``trainer``."""
    obj = checkpoint(trainer)
    obj.update(format=FORMAT, task_text=text or "", settings=settings.as_dict(), trainer=trainer_state(trainer))
    return obj


def checkpoint_bytes(trainer: Trainer, settings: Settings, text: str | None = None) -> bytes:
    """The checkpoint of a run built from ``settings`` (and ``text``, the user's own text for the
    character model) as the bytes of a .pt file."""
    buf = io.BytesIO()
    torch.save(checkpoint_dict(trainer, settings, text), buf)
    return buf.getvalue()


# ----- reading ---------------------------------------------------------------------------------
def _pickle_has_code(data: bytes) -> bool:
    """Whether these bytes parse as a pickle that names a function or class (what a pickle needs to
    run code). Only parses the opcodes, to the end of the pickle; never unpickles."""
    code = False
    try:
        for op, _, _ in pickletools.genops(io.BytesIO(data)):
            code = code or op.name in _CODE_OPS
    except Exception:  # not a pickle (text, random bytes, a broken pickle)
        return False
    return code


def _torch_load(data: bytes) -> object:
    """torch.load(weights_only=True) of the bytes, every failure turned into one CheckpointError."""
    if not data:
        raise CheckpointError(MSG_EMPTY)
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"That file is {len(data):,} bytes; a checkpoint may be at most {MAX_BYTES:,}.")
    if not data.startswith(b"PK\x03\x04"):  # torch.save writes a zip archive
        raise CheckpointError(MSG_CODE if _pickle_has_code(data) else MSG_NOT_TORCH)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise CheckpointError(MSG_TRUNCATED) from None
    if unpacked > MAX_BYTES:
        raise CheckpointError(f"That file unpacks to {unpacked:,} bytes; a checkpoint may hold at most {MAX_BYTES:,}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        # weights_only refuses every global it does not know: a function, a class, a numpy array
        if "GLOBAL" in str(e) or "global" in str(e):
            raise CheckpointError(MSG_CODE) from None
        raise CheckpointError(
            "That file holds Python objects that are not plain numbers, text or lists; rnnviz refuses to load it."
        ) from None
    except Exception:  # torch raises many kinds on a damaged archive
        raise CheckpointError(MSG_TRUNCATED) from None


def _bad(what: str) -> CheckpointError:
    return CheckpointError(f"The checkpoint's {what}.")


def _settings_from_old(obj: dict) -> dict:
    """Format 1 has no settings: they are read off its model and train configs."""
    m, t = obj.get("model_config"), obj.get("train_config")
    if not isinstance(m, dict) or not isinstance(t, dict):
        raise _bad("configuration is missing")
    pairs = {
        "arch": m.get("arch"),
        "hidden": m.get("hidden_size"),
        "layers": m.get("num_layers"),
        "nonlin": m.get("nonlinearity"),
        "init": m.get("init"),
        "scale": m.get("recurrent_scale"),
        "forget_bias": m.get("forget_bias"),
        "task": t.get("task"),
        "seq_len": t.get("seq_len"),
        "batch": t.get("batch_size"),
        "optimizer": t.get("optimizer"),
        "lr": t.get("lr"),
        "clip": t.get("clip"),
        "clip_value": t.get("clip_value"),
        "seed": t.get("seed"),
    }
    missing = [k for k, v in pairs.items() if v is None and k != "scale"]
    if missing:
        raise _bad(f"configuration lacks {', '.join(missing)}")
    return pairs


def _settings(raw) -> Settings:
    if not isinstance(raw, dict):
        raise _bad("settings are missing")
    missing = [f.name for f in settings_mod.FIELDS if f.name not in raw]
    if missing:
        raise _bad(f"settings lack {', '.join(missing)}")
    try:
        return settings_mod.parse(raw, strict=True)[0]
    except ConfigError as e:
        raise CheckpointError(f"The checkpoint's settings are not valid here: {e}.") from None


def _text(obj: dict, settings: Settings) -> str | None:
    text = obj.get("task_text") or None
    if settings.task != "charlm" or text is None:
        return None
    if not isinstance(text, str):
        raise _bad("text is not text")
    if text == get_task("charlm").text:
        return None  # the built-in text (format 1 stores it)
    return text


def _extras(obj: dict) -> dict:
    t = obj.get("train_config")
    if not isinstance(t, dict):
        return {}
    return {k: t[k] for k in TRAINER_EXTRAS if k in t}


def _shape(shape) -> str:
    return "×".join(str(n) for n in shape) or "a single number"


def _load_weights(trainer: Trainer, settings: Settings, sd) -> None:
    if not isinstance(sd, dict):
        raise _bad("weights are missing")
    want = trainer.model.state_dict()
    layers = f"{settings.layers} layer{'s' if settings.layers > 1 else ''}"
    model = f"the {ARCH_NAMES[settings.arch]} its settings describe (H={settings.hidden}, {layers})"
    extra = sorted(set(sd) - set(want))
    lacking = sorted(set(want) - set(sd))
    if extra or lacking:
        which = f"it lacks {lacking[0]}" if lacking else f"it has {str(extra[0])[:40]}, which that model has not"
        raise CheckpointError(f"The checkpoint's weights do not fit {model}: {which}.")
    for name, w in want.items():
        got = sd[name]
        if not isinstance(got, torch.Tensor) or not got.is_floating_point():
            raise CheckpointError(f"The checkpoint's weight {name} is not a tensor of numbers.")
        if tuple(got.shape) != tuple(w.shape):
            raise CheckpointError(
                f"The checkpoint's weights do not fit {model}: {name} is {_shape(got.shape)} in the file "
                f"but that model needs {_shape(w.shape)}."
            )
        if not bool(torch.isfinite(got).all()):
            raise CheckpointError(f"The checkpoint's weight {name} holds NaN or infinite numbers.")
    with torch.no_grad():
        trainer.model.load_state_dict({k: v.to(torch.float32) for k, v in sd.items()})


def _tensor(x, what: str, dtype, ndim: int = 1) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dim() != ndim:
        raise _bad(f"{what} is damaged")
    if x.dtype != dtype and not (dtype is torch.float64 and x.is_floating_point()):
        raise _bad(f"{what} is damaged")
    return x


def _history(raw, trainer: Trainer, step: int) -> History:
    if not isinstance(raw, dict) or not isinstance(raw.get("group_norms"), dict):
        raise _bad("training history is missing")
    h = History()
    for k in ("loss", "metric", "grad_norm", "max_singular", "heldout_loss", "heldout_metric"):
        setattr(h, k, [float(v) for v in _tensor(raw.get(k), f"history ({k})", torch.float64).tolist()])
    for k in ("step", "seq_len", "heldout_step"):
        setattr(h, k, [int(v) for v in _tensor(raw.get(k), f"history ({k})", torch.int64).tolist()])
    h.clipped = [bool(v) for v in _tensor(raw.get("clipped"), "history (clipped)", torch.bool).tolist()]
    groups = raw["group_norms"]
    if set(groups) != set(trainer.history.group_norms):
        raise _bad("history names other parameter groups than its model has")
    h.group_norms = {
        g: [float(v) for v in _tensor(groups[g], f"history ({g})", torch.float64).tolist()] for g in trainer.history.group_norms
    }
    lengths = {len(getattr(h, k)) for k in History.STEP_FIELDS} | {len(v) for v in h.group_norms.values()}
    if lengths != {step} or h.step != list(range(1, step + 1)):
        raise _bad(f"history does not cover its {step:,} steps")
    if not len(h.heldout_step) == len(h.heldout_loss) == len(h.heldout_metric):
        raise _bad("held-out history is damaged")
    return h


def _snapshots(raw, settings: Settings) -> Snapshots:
    if not isinstance(raw, dict) or not isinstance(raw.get("grad_norm"), list):
        raise _bad("gradient snapshots are missing")
    s = Snapshots(
        step=[int(v) for v in _tensor(raw.get("step"), "snapshots", torch.int64).tolist()],
        seq_len=[int(v) for v in _tensor(raw.get("seq_len"), "snapshots", torch.int64).tolist()],
    )
    if not len(s.step) == len(s.seq_len) == len(raw["grad_norm"]):
        raise _bad("gradient snapshots are damaged")
    for T, g in zip(s.seq_len, raw["grad_norm"]):
        g = _tensor(g, "gradient snapshots", torch.float64, ndim=2)
        if tuple(g.shape) != (settings.layers, T):
            raise _bad("gradient snapshots are damaged")
        s.grad_norm.append(g.to(torch.float32).numpy().copy())
    return s


def _optimizer(raw, trainer: Trainer) -> None:
    """Load the optimiser's per-parameter state (Adam's moments) from the file; its hyperparameters
    come from the settings, never from the file."""
    if not isinstance(raw, dict):
        raise _bad("optimizer state is missing")
    params = trainer._params
    allowed = {"adam": {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, "sgd": {"momentum_buffer"}}[trainer.cfg.optimizer]
    for i, st in raw.items():
        if not isinstance(i, int) or not 0 <= i < len(params) or not isinstance(st, dict) or not set(st) <= allowed:
            raise _bad(f"optimizer state does not fit a {trainer.cfg.optimizer} optimizer of this model")
        for k, v in st.items():
            want = () if k == "step" else tuple(params[i].shape)
            if not isinstance(v, torch.Tensor) or not v.is_floating_point() or tuple(v.shape) != want:
                raise _bad("optimizer state does not fit this model's weights")
            if not bool(torch.isfinite(v).all()):
                raise _bad("optimizer state holds NaN or infinite numbers")
    fresh = trainer.opt.state_dict()
    state = {i: {k: v.to(torch.float32) for k, v in st.items()} for i, st in raw.items()}
    trainer.opt.load_state_dict({"state": state, "param_groups": fresh["param_groups"]})


def _restore_trainer(trainer: Trainer, settings: Settings, raw) -> None:
    if not isinstance(raw, dict):
        raise _bad("training state is missing")
    step, seconds, status = raw.get("step"), raw.get("seconds"), raw.get("status")
    message, solved_at = raw.get("message"), raw.get("solved_at")
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= 10_000_000:
        raise _bad("step count is damaged")
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        raise _bad("training time is damaged")
    if status not in {s.value for s in Status} or not isinstance(message, str) or len(message) > 1000:
        raise _bad("training status is damaged")
    if solved_at is not None and (not isinstance(solved_at, int) or not 0 <= solved_at <= step):
        raise _bad("training status is damaged")
    history = _history(raw.get("history"), trainer, step)
    snapshots = _snapshots(raw.get("snapshots"), settings)
    _optimizer(raw.get("optimizer"), trainer)
    rng = raw.get("rng")
    try:
        state = {
            "bit_generator": rng["bit_generator"],
            "state": {"state": int(rng["state"]), "inc": int(rng["inc"])},
            "has_uint32": int(rng["has_uint32"]),
            "uinteger": int(rng["uinteger"]),
        }
        if state["bit_generator"] != type(trainer.rng.bit_generator).__name__:
            raise ValueError
        trainer.rng.bit_generator.state = state
    except (KeyError, TypeError, ValueError):
        raise _bad("random state is damaged") from None
    sv = raw.get("sv_vec")
    if sv is not None:
        H = settings.hidden
        if not isinstance(sv, torch.Tensor) or tuple(sv.shape) != (trainer._blocks, H, 1) or not bool(torch.isfinite(sv).all()):
            raise _bad("training state is damaged")
        trainer._sv_vec = sv.to(torch.float32)
    trainer.step, trainer.seconds, trainer.status = step, float(seconds), Status(status)
    trainer.message, trainer.solved_at = message, solved_at
    trainer.history, trainer.snapshots = history, snapshots


def load_checkpoint_bytes(data: bytes) -> tuple[Settings, str | None, Trainer]:
    """(settings, the user's own text or None, a Trainer ready to go on) from a checkpoint file's
    bytes; raises CheckpointError with one readable line when anything does not fit. A format-1
    file (weights and configs only) loads with its step count and an empty history."""
    obj = _torch_load(data)
    tag = obj.get("format") if isinstance(obj, dict) else None
    if not isinstance(tag, str) or not tag.startswith("rnnviz-checkpoint"):
        raise CheckpointError(MSG_NOT_OURS)
    if tag not in (FORMAT, OLD_FORMAT):
        raise CheckpointError(
            f"That checkpoint has the format {tag[:40]!r}; this rnnviz reads {OLD_FORMAT} and {FORMAT} "
            "(is it from a newer rnnviz?)."
        )
    settings = _settings(obj.get("settings") if tag == FORMAT else _settings_from_old(obj))
    text = _text(obj, settings)
    try:
        trainer = build_run(settings, text, **_extras(obj))
    except ConfigError as e:
        raise CheckpointError(f"The checkpoint cannot be rebuilt: {e}.") from None
    _load_weights(trainer, settings, obj.get("state_dict"))
    if tag == FORMAT:
        _restore_trainer(trainer, settings, obj.get("trainer"))
    else:
        steps = obj.get("steps", 0)
        if not isinstance(steps, int) or isinstance(steps, bool) or not 0 <= steps <= 10_000_000:
            raise _bad("step count is damaged")
        trainer.step = steps
    return settings, text, trainer


def describe(settings: Settings, trainer: Trainer) -> str:
    """One line on what a checkpoint holds, for the upload box."""
    what = "untrained" if trainer.step == 0 else f"trained for {trainer.step:,} steps"
    return f"{settings.describe()} on “{trainer.task.title}”, {what}"
