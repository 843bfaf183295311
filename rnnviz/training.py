"""A resumable trainer that records what a classroom wants to see, one chunk at a time.

The trainer knows nothing of web pages: a page calls ``run(seconds=0.2)`` (or ``run(n_steps)``)
as often as it likes and redraws from ``history`` and ``snapshots``. The same configs and
seed give the same history, step for step.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .cells import GATE_BLOCKS
from .model import ConfigError, ModelConfig, SequenceModel, sequence_loss
from .tasks import Task, get_task
from .trace import grad_norm_per_step

OPTIMIZERS = ("adam", "sgd")
TRAIN_LIMITS = {"batch_size": (1, 1024), "snapshot_every": (1, 100_000), "probe_size": (1, 256)}


@dataclass
class TrainConfig:
    """How to train: task and its sequence length, optimiser, clipping, seed.

    clip: rescale the gradient when its total norm exceeds clip_value (Pascanu et al. 2013).
    snapshot_every: every so many steps, record ||dL/dh_t|| over t on a fixed probe batch.
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

    def validate(self) -> TrainConfig:
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose adam or sgd")
        for name, (lo, hi) in TRAIN_LIMITS.items():
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer from {lo} to {hi}, got {v!r}")
        if not (isinstance(self.lr, (int, float)) and 1e-6 <= self.lr <= 10):
            raise ConfigError(f"learning rate must be from 1e-6 to 10, got {self.lr!r}")
        if not (isinstance(self.clip_value, (int, float)) and 1e-3 <= self.clip_value <= 1e3):
            raise ConfigError(f"clip value must be from 0.001 to 1000, got {self.clip_value!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2 ** 31:
            raise ConfigError(f"seed must be an integer from 0 to {2 ** 31 - 1}, got {self.seed!r}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def param_groups(model: SequenceModel) -> dict[str, list[str]]:
    """Parameter names by the group whose gradient norm is charted."""
    groups: dict[str, list[str]] = {"encoder": [], "W_ih": [], "W_hh": [], "bias": [], "readout": []}
    for name, _ in model.named_parameters():
        if name.startswith("encoder"):
            groups["encoder"].append(name)
        elif name.startswith("readout"):
            groups["readout"].append(name)
        elif "weight_ih" in name:
            groups["W_ih"].append(name)
        elif "weight_hh" in name:
            groups["W_hh"].append(name)
        else:
            groups["bias"].append(name)
    return {g: n for g, n in groups.items() if n}


class Trainer:
    """Trains one model on one task in resumable chunks and keeps a full history.

    history (lists, one entry per step): step, loss, metric, grad_norm (before clipping),
    clipped (bool), max_singular (largest singular value of the last layer's W_hh, over gate
    blocks), and group_norms {group: [...]}. snapshots: step [n] and grad_norm [n][L][T].
    status: "ready", "solved" (once the metric crosses the task's threshold; training may go
    on), or "diverged" (the loss or gradient became NaN/inf; training refuses to go on).
    """

    def __init__(self, model: SequenceModel, task: Task, cfg: TrainConfig, threads: int | None = 1):
        if threads:
            torch.set_num_threads(threads)
        self.model, self.task, self.cfg = model, task, cfg.validate()
        task.check_len(cfg.seq_len)
        self.rng = np.random.default_rng([cfg.seed, 1])
        self.probe = task.batch(cfg.probe_size, cfg.seq_len, np.random.default_rng([cfg.seed, 2]))
        params = list(model.parameters())
        if cfg.optimizer == "adam":
            self.opt = torch.optim.Adam(params, lr=cfg.lr)
        else:
            self.opt = torch.optim.SGD(params, lr=cfg.lr)
        names = [n for n, _ in model.named_parameters()]
        self._params = params
        self._groups = {g: [names.index(n) for n in ns] for g, ns in param_groups(model).items()}
        self._w_hh = getattr(model.core, f"weight_hh_l{model.cfg.num_layers - 1}")
        self._blocks = GATE_BLOCKS[model.cfg.arch]
        self._sv_vec = None
        self.history: dict = {"step": [], "loss": [], "metric": [], "grad_norm": [], "clipped": [],
                              "max_singular": [], "group_norms": {g: [] for g in self._groups}}
        self.snapshots: dict = {"step": [], "grad_norm": []}
        self.step = 0
        self.seconds = 0.0
        self.status = "ready"
        self.message = ""
        self.solved_at: int | None = None

    def update(self, **changes) -> None:
        """Change settings that do not touch the weights (lr, batch_size, clip, clip_value,
        snapshot_every) between chunks; the optimiser keeps its state."""
        allowed = {"lr", "batch_size", "clip", "clip_value", "snapshot_every"}
        if set(changes) - allowed:
            raise ConfigError(f"cannot change {sorted(set(changes) - allowed)} on a running trainer")
        new = TrainConfig(**{**self.cfg.to_dict(), **changes}).validate()
        self.cfg = new
        for g in self.opt.param_groups:
            g["lr"] = new.lr

    # ----- one step -----------------------------------------------------------------------
    @torch.no_grad()
    def _max_singular(self, iters: int = 2) -> float:
        """Largest singular value of the last layer's W_hh (max over gate blocks).

        Power iteration on W^T W, warm-started from the previous step's vector: weights move a
        little per step, so two iterations track the exact value (checked against an SVD in the
        tests) at a tenth of an SVD's cost. Exact on the first call and at every snapshot."""
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
        """Record ||dL/dh_t|| over t (every layer, mean over the probe batch) at this step."""
        tr = self.model.trace(self.probe.x, self.probe.y, self.probe.mask)
        norms = [grad_norm_per_step(tr.hidden_grad, layer=k) for k in range(tr.hidden.shape[0])]
        self.snapshots["step"].append(self.step)
        self.snapshots["grad_norm"].append(np.stack(norms).astype(np.float32))  # [L, T]

    @property
    def steps_per_second(self) -> float:
        return self.step / self.seconds if self.seconds > 0 else 0.0

    def snapshot_matrix(self, layer: int = -1) -> np.ndarray:
        """||dL/dh_t|| of one layer from every snapshot, [n_snapshots, T] (for a heatmap)."""
        return np.stack([g[layer] for g in self.snapshots["grad_norm"]])

    def train_step(self) -> bool:
        """One optimisation step. Returns False (and sets status) if training cannot go on."""
        if self.status == "diverged":
            return False
        cfg, h = self.cfg, self.history
        if self.step % cfg.snapshot_every == 0 and (not self.snapshots["step"] or self.snapshots["step"][-1] != self.step):
            self.snapshot()
        batch = self.task.batch(cfg.batch_size, cfg.seq_len, self.rng)
        out = self.model(batch.x)
        loss = sequence_loss(out, batch.y, batch.mask)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self._params]
        norms = torch.stack(torch._foreach_norm(grads))
        total = float(norms.norm())
        loss_v = float(loss.detach())
        if not (math.isfinite(loss_v) and math.isfinite(total)):
            self.status = "diverged"
            what = "loss" if not math.isfinite(loss_v) else "gradient norm"
            self.message = (f"Training stopped at step {self.step + 1}: the {what} became "
                            f"{'NaN' if math.isnan(loss_v if what == 'loss' else total) else 'infinite'}. "
                            "The gradient exploded; try clipping or a lower learning rate.")
            return False
        clipped = cfg.clip and total > cfg.clip_value
        if clipped:
            torch._foreach_mul_(grads, cfg.clip_value / (total + 1e-6))
        self.opt.step()
        self.step += 1
        h["step"].append(self.step)
        h["loss"].append(loss_v)
        h["metric"].append(self.task.metric(out, batch))
        h["grad_norm"].append(total)
        h["clipped"].append(bool(clipped))
        h["max_singular"].append(self._max_singular())
        gn = norms.tolist()
        for g, idx in self._groups.items():
            h["group_norms"][g].append(math.sqrt(sum(gn[i] ** 2 for i in idx)))
        if self.solved_at is None and self.task.is_solved(h["metric"][-1]):
            self.solved_at = self.step
            self.status = "solved"
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

    def evaluate(self, batch_size: int = 512) -> dict:
        """Loss and metric on a fixed held-out batch (the same one every call)."""
        b = self.task.batch(batch_size, self.cfg.seq_len, np.random.default_rng([self.cfg.seed, 3]))
        with torch.no_grad():
            out = self.model(b.x)
            loss = float(sequence_loss(out, b.y, b.mask))
        metric = self.task.metric(out, b)
        return {"loss": loss, "metric": metric, "solved": bool(self.task.is_solved(metric))}

    def summary(self) -> dict:
        ev = self.evaluate() if self.status != "diverged" else {"loss": float("nan"), "metric": float("nan"), "solved": False}
        return {**ev, "steps": self.step, "seconds": round(self.seconds, 3), "status": self.status,
                "solved_at": self.solved_at, "message": self.message}


def make_run(task: str | Task = "adding", arch: str = "lstm", hidden_size: int = 32, num_layers: int = 1,
             seed: int = 0, model_kw: dict | None = None, **train_kw) -> Trainer:
    """Build task, model and trainer from plain values in one call (the CLI and pages use it)."""
    t = get_task(task) if isinstance(task, str) else task
    cfg = TrainConfig(task=t.name, seed=seed, **train_kw)
    mcfg = t.model_config(arch=arch, hidden_size=hidden_size, num_layers=num_layers, **(model_kw or {}))
    return Trainer(SequenceModel(mcfg, seed=seed), t, cfg)


def checkpoint(trainer: Trainer) -> dict:
    """A dict of tensors and plain values that torch.load(..., weights_only=True) accepts."""
    text = getattr(trainer.task, "text", None)
    return {"format": "rnnviz-checkpoint-1", "model_config": trainer.model.cfg.to_dict(),
            "train_config": trainer.cfg.to_dict(), "steps": trainer.step,
            "task_text": text if text is not None else "",
            "state_dict": trainer.model.state_dict()}


def load_checkpoint(obj: dict) -> tuple[SequenceModel, Task, TrainConfig]:
    """Rebuild model, task and train config from :func:`checkpoint`'s dict."""
    if not isinstance(obj, dict) or obj.get("format") != "rnnviz-checkpoint-1":
        raise ConfigError("not an rnnviz checkpoint")
    try:
        mcfg = ModelConfig(**obj["model_config"])
        tcfg = TrainConfig(**obj["train_config"]).validate()
    except (KeyError, TypeError):
        raise ConfigError("the checkpoint's configuration is incomplete or unknown") from None
    text = obj.get("task_text") or None
    task = get_task(tcfg.task, text=text) if text else get_task(tcfg.task)
    model = SequenceModel(mcfg)
    try:
        model.load_state_dict(obj["state_dict"])
    except (RuntimeError, KeyError, TypeError):
        raise ConfigError("the checkpoint's weights do not match its architecture") from None
    return model, task, tcfg
