"""A resumable trainer that records what a classroom wants to see, one chunk at a time.

The trainer knows nothing of web pages: a page calls ``run(seconds=0.2)`` (or ``run(n_steps)``)
as often as it likes and redraws from ``history`` (a :class:`History`, with a pandas view) and
``snapshots`` (a :class:`Snapshots`). The same configs and seed give the same history, step for
step, however the steps are cut into chunks; a ``copy.deepcopy`` (``Trainer.clone()``) goes on
exactly as the original would.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..errors import CheckpointError, ConfigError
from ..models.recurrent import ModelConfig, SequenceModel, config_for_task, sequence_loss
from ..tasks import Batch, Task, get_task
from ..trace import grad_norm_per_step

OPTIMIZERS = ("adam", "sgd")
TRAIN_LIMITS = {
    "batch_size": (1, 1024),
    "snapshot_every": (1, 100_000),
    "probe_size": (1, 256),
    "eval_every": (1, 100_000),
    "heldout_size": (1, 4096),
}
LIVE = ("seq_len", "lr", "batch_size", "clip", "clip_value", "snapshot_every", "eval_every")  # Trainer.update


class Status(StrEnum):
    """Where a trainer stands. A str, so ``status == "diverged"`` holds for Status.DIVERGED."""

    READY = "ready"  # training can go on (nothing solved yet)
    SOLVED = "solved"  # a held-out evaluation counted as solved; training may go on
    DIVERGED = "diverged"  # the loss or gradient became NaN/inf; training refuses to go on


@dataclass
class TrainConfig:
    """How to train: task and its sequence length, optimiser, clipping, seed.

    clip: rescale the gradient when its total norm exceeds clip_value (Pascanu et al. 2013).
    snapshot_every: every so many steps, record ||dL/dh_t|| over t on a fixed probe batch.
    eval_every: every so many steps (and at step 0), score a fixed held-out batch of heldout_size
    examples (drawn from its own seeded generator, never from the training stream).
    """

    task: str = "adding"
    seq_len: int = 50
    batch_size: int = 64
    optimizer: str = "adam"
    lr: float = 1e-2
    clip: bool = True
    clip_value: float = 1.0
    seed: int = 0
    snapshot_every: int = 50
    probe_size: int = 8
    eval_every: int = 50
    heldout_size: int = 512

    def validate(self) -> TrainConfig:
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose adam or sgd")
        for name, (lo, hi) in TRAIN_LIMITS.items():
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer from {lo} to {hi}, got {v!r}")
        if not isinstance(self.seq_len, int) or isinstance(self.seq_len, bool) or self.seq_len < 1:
            raise ConfigError(f"seq_len must be a positive integer, got {self.seq_len!r}")
        if not (isinstance(self.lr, (int, float)) and 1e-6 <= self.lr <= 10):
            raise ConfigError(f"learning rate must be from 1e-6 to 10, got {self.lr!r}")
        if not (isinstance(self.clip_value, (int, float)) and 1e-3 <= self.clip_value <= 1e3):
            raise ConfigError(f"clip value must be from 0.001 to 1000, got {self.clip_value!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**31:
            raise ConfigError(f"seed must be an integer from 0 to {2**31 - 1}, got {self.seed!r}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def for_job(cls, task, *, batch_size: int, lr: float, seed: int, seq_len: int | None = None, heldout_size: int = 4):
        """How an application page's job trains ``task``: Adam, the gradient clipped at norm 1, and none of
        the explorer's live extras (no gradient snapshots, no periodic held-out score: the job scores the
        trained model once, on its own held-out data). ``seq_len`` defaults to the task's own length."""
        return cls(
            task=task.name,
            seq_len=task.default_len if seq_len is None else seq_len,
            batch_size=batch_size,
            lr=lr,
            clip=True,
            clip_value=1.0,
            seed=seed,
            snapshot_every=100_000,
            probe_size=1,
            eval_every=100_000,
            heldout_size=heldout_size,
        )


@dataclass
class History:
    """What happened at every training step (lists of equal length, one entry per step) and at every
    held-out evaluation (the heldout_* lists, one entry per evaluation).

    step: the step number after the update (1, 2, ...). loss, metric: on that step's training batch.
    grad_norm: total gradient norm before clipping. clipped: whether the step was clipped.
    max_singular: largest singular value of the last layer's W_hh (max over gate blocks; NaN for a
    model without a recurrent core).
    seq_len: the sequence length the step trained at. group_norms: {group: [...]} gradient norm of
    each parameter group (encoder, W_ih, W_hh, bias, readout; their root sum of squares is grad_norm).
    heldout_step, heldout_loss, heldout_metric: the fixed held-out batch scored at step 0 and every
    eval_every steps (NaN where the model's outputs were not finite).
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    max_singular: list[float] = field(default_factory=list)
    seq_len: list[int] = field(default_factory=list)
    group_norms: dict[str, list[float]] = field(default_factory=dict)
    heldout_step: list[int] = field(default_factory=list)
    heldout_loss: list[float] = field(default_factory=list)
    heldout_metric: list[float] = field(default_factory=list)

    STEP_FIELDS = ("step", "loss", "metric", "grad_norm", "clipped", "max_singular", "seq_len")

    def __len__(self) -> int:
        return len(self.step)

    def copy(self) -> History:
        """A copy whose lists no longer grow (for drawing while training goes on elsewhere)."""
        plain = {f: list(getattr(self, f)) for f in (*self.STEP_FIELDS, "heldout_step", "heldout_loss", "heldout_metric")}
        return History(**plain, group_norms={g: list(v) for g, v in self.group_norms.items()})

    def frame(self) -> pd.DataFrame:
        """One row per training step: step, loss, metric, grad_norm, clipped, max_singular, seq_len,
        and norm_<group> for each parameter group."""
        cols = {k: getattr(self, k) for k in self.STEP_FIELDS}
        cols.update({f"norm_{g}": v for g, v in self.group_norms.items()})
        df = pd.DataFrame(cols)
        return df.astype({"step": "int64", "clipped": "bool", "seq_len": "int64"})

    def heldout_frame(self) -> pd.DataFrame:
        """One row per held-out evaluation: step, loss, metric."""
        df = pd.DataFrame({"step": self.heldout_step, "loss": self.heldout_loss, "metric": self.heldout_metric})
        return df.astype({"step": "int64", "loss": "float64", "metric": "float64"})


@dataclass
class Snapshots:
    """||dL/dh_t|| over t on the probe batch, recorded every snapshot_every steps (and at the first
    step at a new sequence length). grad_norm: float32 arrays [L, T], one per snapshot."""

    step: list[int] = field(default_factory=list)
    seq_len: list[int] = field(default_factory=list)
    grad_norm: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.step)

    def matrix(self, layer: int = -1, seq_len: int | None = None) -> tuple[list[int], np.ndarray]:
        """(steps, [n, T] matrix of ||dL/dh_t|| of one layer) for the snapshots taken at sequence length
        seq_len (default: the most recent snapshot's length), for a heatmap. Empty if none match."""
        if seq_len is None:
            if not self.seq_len:
                return [], np.zeros((0, 0), np.float32)
            seq_len = self.seq_len[-1]
        idx = [i for i, T in enumerate(self.seq_len) if T == seq_len]
        if not idx:
            return [], np.zeros((0, seq_len), np.float32)
        return [self.step[i] for i in idx], np.stack([self.grad_norm[i][layer] for i in idx])


def param_groups(model: nn.Module) -> dict[str, list[str]]:
    """Parameter names by the group whose gradient norm is charted: encoder, W_ih, W_hh, bias (the
    recurrent core's biases), readout; any other top-level module of a Compare-lab model (a CNN's
    convs, a Transformer's layers, the attention's query and key) is a group of its own name."""
    groups: dict[str, list[str]] = {"encoder": [], "W_ih": [], "W_hh": [], "bias": [], "readout": []}
    for name, _ in model.named_parameters():
        top = name.split(".")[0]
        if top in ("encoder", "readout"):
            groups[top].append(name)
        elif top != "core":
            groups.setdefault(top, []).append(name)
        elif "weight_ih" in name:
            groups["W_ih"].append(name)
        elif "weight_hh" in name:
            groups["W_hh"].append(name)
        else:
            groups["bias"].append(name)
    return {g: n for g, n in groups.items() if n}


_NAN = float("nan")
_KEEP = 4  # fixed batches and evaluations kept per trainer (a curriculum visits few lengths at once)


def _put(cache: dict, key, value) -> None:
    """Store value under key, dropping the oldest entries beyond _KEEP. Every cached value can be
    rebuilt exactly (each fixed batch has its own seeded generator), so dropping one changes nothing."""
    cache[key] = value
    while len(cache) > _KEEP:
        cache.pop(next(iter(cache)))


class Trainer:
    """Trains one model on one task in resumable chunks and keeps a full history.

    history: a :class:`History` (per step, and per held-out evaluation). snapshots: a
    :class:`Snapshots`. status: a :class:`Status`: READY, SOLVED (from the first held-out
    evaluation whose metric counts as solved, at step ``solved_at``; training may go on) or
    DIVERGED (the loss or gradient became NaN/inf; ``message`` says so and training refuses to go on).

    Held-out scores and snapshots use their own fixed batches and never touch the training data
    stream or the weights, so the same seed gives the same history whatever the chunking.
    """

    def __init__(self, model: nn.Module, task: Task, cfg: TrainConfig, threads: int | None = 1):
        if threads:
            torch.set_num_threads(threads)
        self.model, self.task, self.cfg = model, task, cfg.validate()
        task.check_len(cfg.seq_len)
        self.rng = np.random.default_rng([cfg.seed, 1])
        params = list(model.parameters())
        if cfg.optimizer == "adam":
            self.opt = torch.optim.Adam(params, lr=cfg.lr)
        else:
            self.opt = torch.optim.SGD(params, lr=cfg.lr)
        names = [n for n, _ in model.named_parameters()]
        self._params = params
        self._groups = {g: [names.index(n) for n in ns] for g, ns in param_groups(model).items()}
        core = getattr(model, "core", None)  # a fused nn.RNN/LSTM/GRU, or None (a CNN, a Transformer)
        n_layers = getattr(core, "num_layers", 0)
        self._w_hh = getattr(core, f"weight_hh_l{n_layers - 1}", None) if n_layers else None
        self._blocks = self._w_hh.shape[0] // self._w_hh.shape[1] if self._w_hh is not None else 0  # gate blocks
        self._sv_vec = None
        self._probes: dict[int, Batch] = {}  # seq_len -> probe batch (snapshots)
        self._heldout: dict[int, Batch] = {}  # seq_len -> held-out batch (evaluation)
        self._evals: dict[tuple[int, int], dict] = {}  # (step, seq_len) -> evaluate()'s result
        self.history = History(group_norms={g: [] for g in self._groups})
        self.snapshots = Snapshots()
        self.step = 0
        self.seconds = 0.0
        self.status = Status.READY
        self.message = ""
        self.solved_at: int | None = None

    def clone(self) -> Trainer:
        """An independent copy (weights, optimiser state, data stream, history) that trains on
        exactly as this one would. The task is shared (tasks are never changed)."""
        return copy.deepcopy(self, {id(self.task): self.task})

    def update(self, **changes) -> None:
        """Change settings that do not touch the weights between chunks: seq_len, lr, batch_size,
        clip, clip_value, snapshot_every, eval_every. The optimiser keeps its state; later steps
        (and the probe and held-out batches) use the new sequence length (curriculum learning)."""
        bad = sorted(set(changes) - set(LIVE))
        if bad:
            raise ConfigError(f"cannot change {', '.join(bad)} on a running trainer; build a new run")
        new = TrainConfig(**{**self.cfg.to_dict(), **changes}).validate()
        self.task.check_len(new.seq_len)
        self.cfg = new
        for g in self.opt.param_groups:
            g["lr"] = new.lr

    # ----- fixed batches ---------------------------------------------------------------------
    def _probe(self, seq_len: int) -> Batch:
        if seq_len not in self._probes:
            rng = np.random.default_rng([self.cfg.seed, 2])
            _put(self._probes, seq_len, self.task.batch(self.cfg.probe_size, seq_len, rng))
        return self._probes[seq_len]

    @property
    def probe(self) -> Batch:
        """The fixed batch snapshots trace, at the current sequence length."""
        return self._probe(self.cfg.seq_len)

    def heldout_batch(self, seq_len: int | None = None) -> Batch:
        """The fixed held-out batch (heldout_size examples from the seeded generator [seed, 3]), built
        once per sequence length."""
        T = self.cfg.seq_len if seq_len is None else seq_len
        if T not in self._heldout:
            rng = np.random.default_rng([self.cfg.seed, 3])
            _put(self._heldout, T, self.task.batch(self.cfg.heldout_size, T, rng))
        return self._heldout[T]

    # ----- measures --------------------------------------------------------------------------
    @torch.no_grad()
    def _max_singular(self, iters: int = 2) -> float:
        """Largest singular value of the last layer's W_hh (max over gate blocks).

        Power iteration on W^T W, warm-started from the previous step's vector: weights move a
        little per step, so two iterations track the exact value (checked against an SVD in the
        tests) at a tenth of an SVD's cost. Exact on the first call and at every snapshot. NaN for a
        model without a recurrent core (a CNN, a Transformer)."""
        if self._w_hh is None:
            return _NAN
        H = self._w_hh.shape[1]
        w = self._w_hh.view(self._blocks, H, H)
        if self._sv_vec is None or self.step % self.cfg.snapshot_every == 0:
            _, s, vh = torch.linalg.svd(w)
            self._sv_vec = vh[:, 0, :, None].clone()  # [G, H, 1] top right singular vectors
            return float(s[:, 0].max())
        v = self._sv_vec
        for _ in range(iters):
            v = w.transpose(1, 2) @ (w @ v)
            v = v / v.norm(dim=1, keepdim=True).clamp_min(1e-30)
        self._sv_vec = v
        return float((w @ v).norm(dim=1).max())

    def snapshot(self) -> None:
        """Record ||dL/dh_t|| over t (every layer, mean over the probe batch) at this step. Nothing is
        recorded for a model without ``trace`` (the Compare-lab models of :mod:`rnnviz.models`)."""
        if not hasattr(self.model, "trace"):
            return
        p = self.probe
        tr = self.model.trace(p.x, p.y, p.mask)
        norms = [grad_norm_per_step(tr.hidden_grad, layer=k) for k in range(tr.hidden.shape[0])]
        self.snapshots.step.append(self.step)
        self.snapshots.seq_len.append(self.cfg.seq_len)
        self.snapshots.grad_norm.append(np.stack(norms).astype(np.float32))  # [L, T]

    def evaluate(self) -> dict:
        """{"loss", "metric", "solved"} on the fixed held-out batch at the current step and sequence
        length; memoised, so asking twice costs nothing. A model whose outputs are not finite (a
        diverged run) scores NaN and is not solved."""
        key = (self.step, self.cfg.seq_len)
        if key not in self._evals:
            b = self.heldout_batch()
            with torch.no_grad():
                out, loss_t = self._forward(b)
                ok = bool(torch.isfinite(out).all())
                loss = float(loss_t) if ok else _NAN
                metric = float(self.task.metric(out, b)) if ok else _NAN
            if not (math.isfinite(loss) and math.isfinite(metric)):
                loss = metric = _NAN
            solved = bool(math.isfinite(metric) and self.task.is_solved(metric))
            _put(self._evals, key, {"loss": loss, "metric": metric, "solved": solved})
        return dict(self._evals[key])

    def _record_heldout(self) -> None:
        ev = self.evaluate()
        h = self.history
        h.heldout_step.append(self.step)
        h.heldout_loss.append(ev["loss"])
        h.heldout_metric.append(ev["metric"])
        if ev["solved"] and self.solved_at is None:
            self.solved_at = self.step
            if self.status is not Status.DIVERGED:
                self.status = Status.SOLVED

    @property
    def steps_per_second(self) -> float:
        return self.step / self.seconds if self.seconds > 0 else 0.0

    # ----- one step ---------------------------------------------------------------------------
    def _forward(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """The model's output on a batch and its loss: ``model(batch.x)`` scored by ``sequence_loss``, or
        the task's own ``forward_loss(model, batch)`` when it has one (a sequence-to-sequence task, whose
        model reads more than ``batch.x``: the Translate page's encoder-decoder)."""
        own = getattr(self.task, "forward_loss", None)
        if own is not None:
            return own(self.model, batch)
        out = self.model(batch.x)
        return out, sequence_loss(out, batch.y, batch.mask)

    def train_step(self) -> bool:
        """One optimisation step. Returns False (and sets status) if training cannot go on."""
        if self.status is Status.DIVERGED:
            return False
        cfg, h, snaps = self.cfg, self.history, self.snapshots
        if self.step == 0 and not h.heldout_step:
            self._record_heldout()  # the untrained model's score, where every curve starts
        last = (snaps.step[-1], snaps.seq_len[-1]) if snaps.step else None
        new_len = last is not None and last[1] != cfg.seq_len  # the first step at a new length
        if (self.step % cfg.snapshot_every == 0 or new_len) and last != (self.step, cfg.seq_len):
            self.snapshot()
        batch = self.task.batch(cfg.batch_size, cfg.seq_len, self.rng)
        out, loss = self._forward(batch)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self._params]
        with torch.no_grad():
            norms = torch.stack([torch.linalg.vector_norm(g) for g in grads])  # [n_params]
            total = float(torch.linalg.vector_norm(norms))
        loss_v = float(loss.detach())
        if not (math.isfinite(loss_v) and math.isfinite(total)):
            self.status = Status.DIVERGED
            what = "loss" if not math.isfinite(loss_v) else "gradient norm"
            self.message = (
                f"Training stopped at step {self.step}: the next step's {what} became "
                f"{'NaN' if math.isnan(loss_v if what == 'loss' else total) else 'infinite'}. "
                "The gradient exploded; try clipping or a lower learning rate."
            )
            return False
        clipped = cfg.clip and total > cfg.clip_value
        if clipped:
            coef = cfg.clip_value / (total + 1e-6)
            with torch.no_grad():
                for g in grads:
                    g.mul_(coef)
        self.opt.step()
        self.step += 1
        h.step.append(self.step)
        h.loss.append(loss_v)
        h.metric.append(float(self.task.metric(out, batch)))
        h.grad_norm.append(total)
        h.clipped.append(bool(clipped))
        h.max_singular.append(self._max_singular())
        h.seq_len.append(cfg.seq_len)
        gn = norms.tolist()
        for g, idx in self._groups.items():
            h.group_norms[g].append(math.sqrt(sum(gn[i] ** 2 for i in idx)))
        if self.step % cfg.eval_every == 0:
            self._record_heldout()
        return True

    def run(self, n_steps: int | None = None, seconds: float | None = None) -> int:
        """Train for n_steps, or until `seconds` of wall time have passed (whichever comes first;
        at least one step). Returns how many steps were taken."""
        if n_steps is None and seconds is None:
            raise ValueError("give n_steps or seconds")
        t0 = time.perf_counter()
        done = 0
        while n_steps is None or done < n_steps:
            if not self.train_step():
                break
            done += 1
            if seconds is not None and time.perf_counter() - t0 >= seconds:
                break
        self.seconds += time.perf_counter() - t0
        return done

    # ----- training elsewhere (another process) ---------------------------------------------
    def mark(self) -> tuple:
        """Where the history and the snapshots end now; :meth:`delta` sends what came after."""
        return (len(self.history), len(self.history.heldout_step), len(self.snapshots))

    def fingerprint(self) -> tuple:
        """Equal for two copies of one run at the same point (step, settings, history length): a copy
        kept in another process may train on for this one only while the fingerprints agree."""
        return (self.step, tuple(sorted(self.cfg.to_dict().items())), self.mark())

    def delta(self, mark: tuple) -> dict:
        """Everything a chunk of training changed since ``mark``: weights, optimiser state, data
        stream, the new history and snapshots, counters and status (plain values and tensors, for
        pickling). :meth:`apply_delta` on a copy taken at ``mark`` makes it equal to this trainer."""
        n, nh, ns = mark
        h, s = self.history, self.snapshots
        return {
            "model": {k: v.detach().clone() for k, v in self.model.state_dict().items()},
            "opt": self.opt.state_dict(),
            "rng": self.rng.bit_generator.state,
            "history": {f: getattr(h, f)[n:] for f in History.STEP_FIELDS},
            "heldout": {f: getattr(h, f)[nh:] for f in ("heldout_step", "heldout_loss", "heldout_metric")},
            "group_norms": {g: v[n:] for g, v in h.group_norms.items()},
            "snapshots": (s.step[ns:], s.seq_len[ns:], s.grad_norm[ns:]),
            "scalars": {k: getattr(self, k) for k in ("step", "seconds", "status", "message", "solved_at", "_sv_vec")},
        }

    def apply_delta(self, d: dict) -> None:
        """Take a chunk trained elsewhere (see :meth:`delta`); the weights are copied in place, so
        references to the parameters (the optimiser's, a page's) stay valid."""
        with torch.no_grad():
            self.model.load_state_dict(d["model"])
        self.opt.load_state_dict(d["opt"])
        self.rng.bit_generator.state = d["rng"]
        h, s = self.history, self.snapshots
        for f, v in (d["history"] | d["heldout"]).items():
            getattr(h, f).extend(v)
        for g, v in d["group_norms"].items():
            h.group_norms.setdefault(g, []).extend(v)
        for lst, v in zip((s.step, s.seq_len, s.grad_norm), d["snapshots"]):
            lst.extend(v)
        for k, v in d["scalars"].items():
            setattr(self, k, v)

    def summary(self) -> dict:
        """evaluate() at this step plus steps, seconds, status (a plain string), solved_at, message."""
        if self.status is Status.DIVERGED:
            ev = {"loss": _NAN, "metric": _NAN, "solved": False}
        else:
            ev = self.evaluate()
        return {
            **ev,
            "steps": self.step,
            "seconds": round(self.seconds, 3),
            "status": self.status.value,
            "solved_at": self.solved_at,
            "message": self.message,
        }


def make_run(
    task: str | Task = "adding",
    arch: str = "lstm",
    hidden_size: int = 32,
    num_layers: int = 1,
    seed: int = 0,
    model_kw: dict | None = None,
    **train_kw,
) -> Trainer:
    """Build task, model and trainer from plain values in one call (tests and benchmarks; the app and
    the CLI build from a Settings with :func:`rnnviz.runtime.runs.build_run`)."""
    t = get_task(task) if isinstance(task, str) else task
    cfg = TrainConfig(task=t.name, seed=seed, **train_kw)
    mcfg = config_for_task(t, arch=arch, hidden_size=hidden_size, num_layers=num_layers, **(model_kw or {}))
    return Trainer(SequenceModel(mcfg, seed=seed), t, cfg)


def checkpoint(trainer: Trainer) -> dict:
    """A dict of tensors and plain values that torch.load(..., weights_only=True) accepts."""
    text = getattr(trainer.task, "text", None)
    return {
        "format": "rnnviz-checkpoint-1",
        "model_config": trainer.model.cfg.to_dict(),
        "train_config": trainer.cfg.to_dict(),
        "steps": trainer.step,
        "task_text": text if text is not None else "",
        "state_dict": trainer.model.state_dict(),
    }


def load_checkpoint(obj: dict) -> tuple[SequenceModel, Task, TrainConfig]:
    """Rebuild model, task and train config from :func:`checkpoint`'s dict (or the format-2 dict of
    :mod:`rnnviz.runtime.checkpoints`, which keeps every key of format 1). Raises CheckpointError."""
    if not isinstance(obj, dict) or obj.get("format") not in ("rnnviz-checkpoint-1", "rnnviz-checkpoint-2"):
        raise CheckpointError("not an rnnviz checkpoint")
    try:
        mcfg = ModelConfig(**obj["model_config"])
        tcfg = TrainConfig(**obj["train_config"]).validate()
    except (KeyError, TypeError, ConfigError):
        raise CheckpointError("the checkpoint's configuration is incomplete or unknown") from None
    text = obj.get("task_text") or None
    task = get_task(tcfg.task, text=text) if text else get_task(tcfg.task)
    try:
        model = SequenceModel(mcfg)
        model.load_state_dict(obj["state_dict"])
    except (RuntimeError, KeyError, TypeError, ConfigError):
        raise CheckpointError("the checkpoint's weights do not match its architecture") from None
    return model, task, tcfg
