"""``python -m rnnviz text``: train the character model on a built-in corpus and report it.

Prints one JSON object (``--json``) with ``bpc`` (``heldout``, ``train``, ``unigram``) and
``samples``; progress goes to stderr, one line every tenth of the training. A bad corpus name or
number is a ConfigError, which the command line turns into one line and exit status 2.
"""

from __future__ import annotations

import json
import sys
import time

from ..errors import ConfigError
from .charlm import DEFAULT_STEPS, load_corpus, model_bytes, text_report


def run_text(corpus: str | None, steps: int | None, seed: int, as_json: bool, save: str | None) -> int:
    steps = DEFAULT_STEPS if steps is None else steps
    if not 0 <= steps <= 100_000:
        raise ConfigError(f"--steps must be from 0 to 100000, got {steps}")
    if not 0 <= seed <= 9999:
        raise ConfigError(f"--seed must be from 0 to 9999, got {seed}")
    if corpus is not None:
        load_corpus(corpus)  # a bad name fails here, before any training
    t0 = time.perf_counter()
    every = max(1, steps // 10)
    shown = [0]

    def progress(done: int, total: int, loss: float) -> None:
        if done - shown[0] >= every or done == total:
            shown[0] = done
            print(
                f"text: step {done:,}/{total:,}, loss {loss:.3f} nats, {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    report, run = text_report(corpus, steps, seed, progress)
    if save:
        try:
            with open(save, "wb") as f:
                f.write(model_bytes(run, load_corpus(report["corpus"]["name"]), report))
        except OSError as e:
            raise ConfigError(f"cannot write {save}: {e.strerror}") from None
    if as_json:
        print(json.dumps(report, allow_nan=False))
    else:
        b = report["bpc"]
        print(
            f"{report['corpus']['title']}: {report['steps']:,} steps in {report['seconds']:.0f} s; bits per character "
            f"held-out {b['heldout']:.3f}, training text {b['train']:.3f}, unigram baseline {b['unigram']:.3f}"
        )
        for s in report["samples"]:
            print("---\n" + s)
    return 0
