"""The ``music`` and ``sounds`` subcommands of ``python -m rnnviz`` (the work; cli.py only wires them).

    python -m rnnviz music --json                  # train a melody LSTM, held-out next-note accuracy vs bigram
    python -m rnnviz music --steps 3000 --save rnnviz/signals/melody.pt    # (re)make the shipped model
    python -m rnnviz sounds --json                 # train the vowel GRU, held-out accuracy and settle frame
    python -m rnnviz sounds --steps 2500 --save rnnviz/signals/sounds.pt   # (re)make the shipped model

Each trains the same job the page hands to the shared worker (``melody_job``, ``sounds_job``), run here.
Bad values raise ConfigError (one line on stderr, exit status 2). Progress goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time

from ..errors import ConfigError

COMMANDS = ("music", "sounds")


def add_commands(sub) -> None:
    m = sub.add_parser("music", help="train a melody model on real tunes; next-note accuracy against a bigram baseline")
    m.add_argument("--arch", default="lstm", help="rnn, lstm or gru (default lstm)")
    m.add_argument("--hidden", type=int, default=64)
    m.add_argument("--steps", type=int, default=1500)
    m.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("sounds", help="train a many-to-one classifier of synthesised vowels; accuracy and settle frame")
    s.add_argument("--arch", default="gru", help="rnn, lstm or gru (default gru)")
    s.add_argument("--hidden", type=int, default=32)
    s.add_argument("--steps", type=int, default=800)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--clips", type=int, default=500, help="held-out clips to score (1-4096)")
    for p in (m, s):
        p.add_argument("--save", default=None, help="write the trained model here (.pt)")
        p.add_argument("--json", action="store_true", help="print one JSON object")


def _progress(what: str):
    """progress(step, steps, loss) printing a line to stderr every 100 steps (and at the end)."""
    t0 = time.time()
    shown = [0]

    def show(k, n, loss):
        if k // 100 > shown[0] // 100 or (k == n and shown[0] != n):
            shown[0] = k
            print(f"{what}: step {k}/{n}, loss {loss:.3f}, {time.time() - t0:.0f} s", file=sys.stderr)

    return show


def _check_save(path: str | None) -> None:
    """Refuse a --save path that cannot be written before training, not after."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise ConfigError(f"cannot write {path}: no such folder, or not writable")


def run_command(a) -> int:
    _check_save(a.save)
    if a.cmd == "music":
        from .music import MelodyConfig, train_and_score

        out = train_and_score(MelodyConfig(arch=a.arch, hidden=a.hidden, seed=a.seed), a.steps, _progress("music"), a.save)
        sc = out["scores"]
        line = (
            f"{a.arch} after {a.steps} steps: next-note accuracy on {sc['heldout_tunes']} held-out tunes "
            f"({sc['heldout_notes']} notes) {sc['accuracy']:.3f}; bigram {sc['bigram_accuracy']:.3f}; "
            f"commonest note {sc['common_accuracy']:.3f} "
            f"(pitch alone: {sc['pitch_accuracy']:.3f} vs {sc['bigram_pitch_accuracy']:.3f})"
        )
    else:
        from .sounds import SoundsConfig, train_and_score

        if not 1 <= a.clips <= 4096:
            raise ConfigError(f"--clips must be from 1 to 4096, got {a.clips}")
        cfg = SoundsConfig(arch=a.arch, hidden=a.hidden, seed=a.seed)
        out = train_and_score(cfg, a.steps, _progress("sounds"), a.save, a.clips)
        sc = out["scores"]
        line = (
            f"{a.arch} after {a.steps} steps: accuracy on {sc['clips']} held-out clips {sc['accuracy']:.3f} "
            f"(chance {sc['chance']:.2f}); the answer settles at frame {sc['settle_frame_median']:.0f} of {sc['frames']} "
            f"(median, {sc['settle_ms_median']:.0f} ms, {sc['settle_ms_after_onset_median']:.0f} ms after the vowel starts)"
        )
    print(json.dumps(out) if a.json else line)
    return 0
