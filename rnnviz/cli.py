"""Command line: the same work as the pages, headless, JSON out.

    python -m rnnviz tasks
    python -m rnnviz train --task adding --arch lstm --seq-len 50 --hidden 32 --steps 1500 --seed 0 --json
    python -m rnnviz train ... --save model.pt
    python -m rnnviz trace --load model.pt --out trace.npz

Bad input gets one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from .model import ARCHS, INITS, NONLINEARITIES, ConfigError


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + traceback
        raise CliError(message)


def _parser() -> argparse.ArgumentParser:
    from .tasks import TASKS
    p = _Parser(prog="python -m rnnviz", description="Train and inspect small recurrent networks.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    sub.add_parser("tasks", help="list the tasks, one line each")
    t = sub.add_parser("train", help="train a model and print what happened")
    t.add_argument("--task", default="adding", choices=list(TASKS))
    t.add_argument("--arch", default="lstm", choices=ARCHS)
    t.add_argument("--seq-len", type=int, default=None, help="sequence length (default: the task's)")
    t.add_argument("--hidden", type=int, default=32)
    t.add_argument("--layers", type=int, default=1)
    t.add_argument("--steps", type=int, default=500)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=1e-2)
    t.add_argument("--optimizer", default="adam", choices=("adam", "sgd"))
    t.add_argument("--clip", type=float, default=1.0, help="clip the gradient norm at this value")
    t.add_argument("--no-clip", action="store_true", help="do not clip the gradient")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--nonlinearity", default="tanh", choices=NONLINEARITIES)
    t.add_argument("--init", default="default", choices=INITS)
    t.add_argument("--recurrent-scale", type=float, default=None,
                   help="rescale each W_hh block to this largest singular value")
    t.add_argument("--forget-bias", type=float, default=1.0)
    t.add_argument("--text", default=None, help="a UTF-8 text file for the charlm task")
    t.add_argument("--snapshot-every", type=int, default=50)
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.add_argument("--save", default=None, help="write a checkpoint here")
    r = sub.add_parser("trace", help="record a Trace of a checkpoint on a batch of its task")
    r.add_argument("--load", required=True)
    r.add_argument("--out", required=True, help="an .npz file")
    r.add_argument("--batch", type=int, default=8)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--arch", default=None, choices=ARCHS, help="refuse a checkpoint of another architecture")
    return p


def _finite(x):
    return x if not isinstance(x, float) or math.isfinite(x) else None


def cmd_tasks() -> int:
    from .tasks import TASKS, get_task
    for name in TASKS:
        t = get_task(name)
        print(f"{name:15s} {t.shape:13s} {t.summary}")
    return 0


def cmd_train(a) -> int:
    import torch

    from .tasks import get_task
    from .training import checkpoint, make_run
    if a.steps < 0 or a.steps > 1_000_000:
        raise CliError(f"--steps must be from 0 to 1000000, got {a.steps}")
    opts = {}
    if a.text:
        if a.task != "charlm":
            raise CliError("--text only goes with --task charlm")
        try:
            with open(a.text, encoding="utf-8") as f:
                opts["text"] = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise CliError(f"cannot read {a.text} as UTF-8 text: {e.__class__.__name__}") from None
    task = get_task(a.task, **opts)
    seq_len = a.seq_len if a.seq_len is not None else task.default_len
    tr = make_run(task, arch=a.arch, hidden_size=a.hidden, num_layers=a.layers, seed=a.seed,
                  model_kw=dict(nonlinearity=a.nonlinearity, init=a.init, recurrent_scale=a.recurrent_scale,
                                forget_bias=a.forget_bias),
                  seq_len=seq_len, batch_size=a.batch, optimizer=a.optimizer, lr=a.lr, clip=not a.no_clip,
                  clip_value=a.clip, snapshot_every=a.snapshot_every)
    tr.run(n_steps=a.steps) if a.steps else None
    final = tr.summary()
    if a.save:
        try:
            torch.save(checkpoint(tr), a.save)
        except OSError as e:
            raise CliError(f"cannot write {a.save}: {e.strerror}") from None
    h = tr.history
    if a.json:
        out = {"model_config": tr.model.cfg.to_dict(), "train_config": tr.cfg.to_dict(),
               "task": task.describe(),
               "history": {"step": h["step"], "loss": [_finite(v) for v in h["loss"]],
                           "metric": [_finite(v) for v in h["metric"]],
                           "grad_norm": [_finite(v) for v in h["grad_norm"]], "clipped": h["clipped"],
                           "max_singular": h["max_singular"], "group_norms": h["group_norms"]},
               "snapshots": {"step": tr.snapshots["step"],
                             "grad_norm": [g.tolist() for g in tr.snapshots["grad_norm"]]},
               "final": {k: _finite(v) for k, v in final.items()}}
        print(json.dumps(out, allow_nan=False))
    else:
        print(f"{a.arch} on {task.name} (T={seq_len}): {final['status']} after {final['steps']} steps "
              f"in {final['seconds']:.1f}s; held-out loss {final['loss']:.4g}, {task.metric_name} "
              f"{final['metric']:.4g}, solved={final['solved']}" + (f"; {final['message']}" if final["message"] else ""))
    return 0


def cmd_trace(a) -> int:
    import torch

    from .training import load_checkpoint
    if not 1 <= a.batch <= 256:
        raise CliError(f"--batch must be from 1 to 256, got {a.batch}")
    try:
        obj = torch.load(a.load, weights_only=True)
    except FileNotFoundError:
        raise CliError(f"no such file: {a.load}") from None
    except Exception:  # torch.load raises many kinds on a file that is not a checkpoint
        raise CliError(f"{a.load} is not an rnnviz checkpoint") from None
    model, task, cfg = load_checkpoint(obj)
    if a.arch and a.arch != model.cfg.arch:
        raise CliError(f"{a.load} holds a {model.cfg.arch} model, not a {a.arch} one")
    b = task.batch(a.batch, cfg.seq_len, np.random.default_rng([a.seed, 4]))
    tr = model.trace(b.x, b.y, b.mask)
    arrays = tr.arrays()
    arrays.update(inputs=b.x.numpy(), targets=b.y.numpy(), mask=b.mask.numpy(), arch=np.array(tr.arch))
    try:
        np.savez(a.out, **arrays)
    except OSError as e:
        raise CliError(f"cannot write {a.out}: {e.strerror}") from None
    print(f"wrote {a.out}: {', '.join(sorted(arrays))}")
    return 0


def main(argv=None) -> int:
    try:
        a = _parser().parse_args(argv)
        if a.cmd == "tasks":
            return cmd_tasks()
        if a.cmd == "train":
            return cmd_train(a)
        return cmd_trace(a)
    except (CliError, ConfigError) as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
