"""The ``chat`` subcommand of ``python -m rnnviz`` (the work is in rnnviz.language.chat; cli.py only wires it).

    python -m rnnviz chat --json                       # the Chat page's defaults: scores of both, sample replies
    python -m rnnviz chat --steps 3000 --hidden 128 --seed 1

Trains the job the Chat page hands to the shared worker (``chat_job``), run here, and scores the network and the
retrieval baseline on the held-out questions and the training questions. Progress goes to stderr. Bad values:
one line on stderr, exit status 2.
"""

from __future__ import annotations

import json
import sys
import time


def add_commands(sub) -> None:
    from .chat import MAX_STEPS, ChatConfig

    d = ChatConfig()
    p = sub.add_parser(
        "chat", help="a chatbot on chatterbot-corpus: GRU encoder-decoder with attention against retrieval, on held-out questions"
    )
    p.add_argument("--steps", type=int, default=d.steps, help=f"training steps (1-{MAX_STEPS:,}, default {d.steps})")
    p.add_argument(
        "--hidden", type=int, default=d.hidden, help=f"units per encoder direction and in the decoder (4-256, default {d.hidden})"
    )
    p.add_argument("--embed", type=int, default=d.embed, help=f"numbers per word (2-128, default {d.embed})")
    p.add_argument("--batch", type=int, default=d.batch, help=f"pairs per step (1-512, default {d.batch})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"Adam's learning rate (default {d.lr:g})")
    p.add_argument("--seed", type=int, default=d.seed, help="weights and the order of the pairs (0-9999; the split is fixed)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def config(a):
    from .chat import ChatConfig

    return ChatConfig(steps=a.steps, hidden=a.hidden, embed=a.embed, batch=a.batch, lr=a.lr, seed=a.seed).validate()


def run_command(a) -> int:
    from .chat import train_and_score

    cfg = config(a)
    last = [-1e9]

    def progress(step, steps, loss):
        if time.monotonic() - last[0] >= 2:
            last[0] = time.monotonic()
            print(f"rnnviz: chat: step {step:,} of {steps:,}, loss {loss:.3f}", file=sys.stderr, flush=True)

    r = train_and_score(cfg, progress)
    if a.json:
        print(json.dumps(r))
        return 0
    c = r["corpus"]
    print(
        f"{c['train_pairs']:,} training pairs ({c['train_questions']:,} questions), {c['heldout_questions']} held-out questions, "
        f"{c['topics']} topics"
    )
    for side, label in (("heldout", "held-out questions"), ("train", "training questions")):
        for method in ("network", "retrieval"):
            s = r[side][method]
            print(f"{label:>19}, {method:<9}: exact answer {s['exact']:.1%}, word overlap (F1) {s['f1']:.3f}")
    print(r["verdict"])
    for s in r["samples"]:
        print(f"[{s['side']}] {s['question']}\n    true:      {s['answers'][0]}")
        print(f"    network:   {s['network'] or '(nothing)'}\n    retrieval: {s['retrieval']}")
    n = r["network"]
    print(f"{n['parameters']:,} weights, {n['steps']:,} steps in {n['train_seconds']:.1f} s, {r['seconds']:.1f} s in all")
    return 0


__all__ = ["add_commands", "config", "run_command"]
