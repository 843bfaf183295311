"""``python -m rnnviz compare``: the sweep of :mod:`rnnviz.compare.sweep`, headless.

One JSON object on stdout (``--json``) or one line per (model, length) otherwise; a progress line per
cell on stderr; bad arguments raise ConfigError (the command line prints one line, exit status 2).
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from ..errors import ConfigError
from .sweep import DEFAULT_BUDGET, MAX_TRAIN_SIZE, parse_list, sweep


def command_line(argv) -> str:
    """The command as a user would type it again (without --out, which only says where to save)."""
    args, raw = [], list(sys.argv[1:] if argv is None else argv)
    while raw:
        a = raw.pop(0)
        if a == "--out":
            raw = raw[1:]
        elif not a.startswith("--out="):
            args.append(a)
    return "python -m rnnviz " + " ".join(shlex.quote(a) for a in args)


def cmd_compare(a, argv=None) -> int:
    archs = [x.strip() for x in a.archs.split(",") if x.strip()]
    lengths = parse_list(a.lengths, "--lengths", 2, 200)
    sizes = parse_list(a.train_sizes, "--train-sizes", 1, MAX_TRAIN_SIZE) if a.train_sizes is not None else None
    budget = DEFAULT_BUDGET if a.steps is None else a.steps
    if not 2 <= a.hidden <= 128:
        raise ConfigError(f"--hidden must be from 2 to 128, got {a.hidden}")
    out_path = Path(a.out) if a.out else None
    if out_path is not None and not out_path.parent.is_dir():
        raise ConfigError(f"cannot write {a.out}: no such folder")

    def progress(i, n, c):
        size = f" N={c['train_size']}" if c.get("train_size") else ""
        how = f"solved at step {c['solved_at']}" if c["solved"] else f"not solved in {c['steps']} steps"
        if c["solved"] and c["steps"] > c["solved_at"]:
            how += f", trained on to step {c['steps']}"
        print(
            f"[{i}/{n}] {c['arch']} T={c['seq_len']} seed {c['seed']}{size}: {how} ({c['seconds']:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    def partial(result):
        try:
            out_path.write_text(json.dumps(result, indent=1, allow_nan=False) + "\n")
        except OSError as e:
            raise ConfigError(f"cannot write {a.out}: {e.strerror}") from None

    result = sweep(
        a.task,
        archs,
        lengths,
        a.seeds,
        budget=budget,
        train_sizes=sizes,
        hidden=a.hidden,
        progress=progress,
        command=command_line(argv),
        partial=partial if out_path is not None else None,
    )
    if a.json:
        print(json.dumps(result, allow_nan=False))
    else:
        for r in result["summary"]:
            size = f" N={r['train_size']}" if r["train_size"] else ""
            steps = r["median_steps_to_solve"]
            print(
                f"{r['arch']:14s} T={r['seq_len']:<4d}{size} solved {r['solved_seeds']}/{r['seeds']} seeds"
                + (f", median {steps:g} steps" if steps is not None else "")
            )
    return 0
