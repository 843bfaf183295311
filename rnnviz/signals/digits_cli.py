"""The ``digits`` subcommand of ``python -m rnnviz`` (the work is in rnnviz.signals.digits; cli.py only wires it).

    python -m rnnviz digits --json                             # all four shapes, one JSON object
    python -m rnnviz digits --shapes one_to_many --steps 400 --seed 1
    python -m rnnviz digits --arch lstm --hidden 32

Trains the job the Digits page hands to the shared worker (``digits_job``), run here, and scores each model
on the 450 held-out images. Progress goes to stderr. Bad values: one line on stderr, exit status 2.
"""

from __future__ import annotations

import json
import sys
import time


def add_commands(sub) -> None:
    from .digits import ARCHS, MAX_STEPS, SHAPES, DigitsConfig

    d = DigitsConfig()
    p = sub.add_parser("digits", help="handwritten digits as the four input/output shapes: held-out accuracy of each")
    p.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, from {', '.join(SHAPES)} (default all)")
    p.add_argument("--arch", default=d.arch, help=f"the recurrent shapes' cell: {', '.join(ARCHS)} (default {d.arch})")
    p.add_argument("--steps", type=int, default=d.steps, help=f"training steps per shape (1-{MAX_STEPS}, default {d.steps})")
    p.add_argument("--hidden", type=int, default=d.hidden, help=f"hidden units (4-256, default {d.hidden})")
    p.add_argument("--seed", type=int, default=d.seed, help="weights and the order of the training images (0-9999)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def config(a):
    from .digits import DigitsConfig

    shapes = tuple(s.strip() for s in str(a.shapes).split(",") if s.strip())
    return DigitsConfig(shapes=shapes, arch=str(a.arch), steps=a.steps, hidden=a.hidden, seed=a.seed).validate()


def run_command(a) -> int:
    from .digits import NAMES, SHAPE_LABELS, train_and_score

    cfg = config(a)
    last = [-1e9]

    def progress(label, step, steps, loss):
        if time.monotonic() - last[0] >= 2:
            last[0] = time.monotonic()
            print(f"rnnviz: digits {label}: step {step:,} of {steps:,}, loss {loss:.3f}", file=sys.stderr, flush=True)

    r = train_and_score(cfg, progress)
    if a.json:
        print(json.dumps(r))
        return 0
    for shape, acc in r["accuracy"].items():
        goal = r["goals"].get(shape)
        aim = f" (goal {goal:.0%}: {'met' if r['goals_met'][shape] else 'not met'})" if goal is not None else ""
        print(f"{SHAPE_LABELS[shape]}: {acc:.1%} of the 450 test images right{aim}, {r['train_seconds'][shape]:.1f} s")
    if "many_to_many_by_row" in r:
        rows = ", ".join(f"{k + 1}: {v:.0%}" for k, v in enumerate(r["many_to_many_by_row"]))
        print(f"many-to-many, accuracy after each row read: {rows}")
    if "captions" in r:
        print(f"one-to-many: names exactly right {r['one_to_many_exact']:.1%}, letters right {r['one_to_many_per_letter']:.1%}")
        print("  " + "; ".join(f"{c['digit']} ({NAMES[c['digit']]}) -> {c['written'] or '(nothing)'}" for c in r["captions"]))
    print(f"{r['seconds']:.1f} s in all, seed {r['seed']}, {r['steps']:,} steps per shape")
    return 0


__all__ = ["add_commands", "config", "run_command"]
