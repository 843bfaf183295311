"""The ``recognise`` subcommand of ``python -m rnnviz`` (the work; cli.py only wires it).

    python -m rnnviz recognise --data gun_point --baselines            # 1-NN DTW and MiniRocket, one line each
    python -m rnnviz recognise --data all --baselines --save rnnviz/signals/results/recognise_baselines.json
                                                                       # (re)make the shipped results
    python -m rnnviz recognise --data japanese_vowels --baselines --methods dtw --limit 20 --json
    python -m rnnviz recognise --dataset japanese_vowels --json     # the networks and both baselines, one JSON object
    python -m rnnviz recognise --dataset basic_motions --archs gru,cnn --steps 800 --seed 1 --no-baselines

``--progress-lines`` prints progress as JSON lines on stdout (``{"progress": 0.42, "words": "..."}``) and the
result as the last line (``{"result": {...}}``): that is how the page follows a live re-run
(:class:`rnnviz.signals.baselines.BaselineRun`). Otherwise progress goes to stderr.
Bad values raise ConfigError (one line on stderr, exit status 2).
"""

from __future__ import annotations

import json
import os
import sys
import time

from ..errors import ConfigError


def add_commands(sub) -> None:
    from ..data.archives import NAMES
    from .baselines import METHODS

    r = sub.add_parser("recognise", help="recognise recorded sequences (speech, motion, video, power demand)")
    r.add_argument(
        "--dataset", "--data", dest="data", default="basic_motions", help=f"{', '.join(NAMES)}, or all (default basic_motions)"
    )
    r.add_argument("--limit", type=int, default=None, help="score only N test sequences, spread over the test split")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.add_argument(
        "--progress-lines", action="store_true", help='progress as JSON lines on stdout, then {"result": ...} (for the page)'
    )
    r.add_argument("--save", default=None, help="also write the results here (JSON, with the command, date and machine)")
    n = r.add_argument_group("the networks (the page's Train button, run here)")
    n.add_argument("--archs", default="rnn,lstm,gru", help="comma-separated, from rnn, lstm, gru, cnn, transformer")
    n.add_argument("--steps", type=int, default=400, help="training steps per network (1-3000, default 400)")
    n.add_argument("--hidden", type=int, default=32, help="hidden units (4-128, default 32)")
    n.add_argument("--seed", type=int, default=0)
    n.add_argument("--no-baselines", action="store_true", help="train and score the networks only")
    b = r.add_argument_group("the field's baselines (instead of networks)")
    b.add_argument("--baselines", action="store_true", help="run 1-NN DTW and MiniRocket from sktime on the same splits")
    b.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, from {', '.join(METHODS)} (default all)")


def run_command(a) -> int:
    if a.baselines:
        return cmd_baselines(a)
    return cmd_networks(a)


def cmd_networks(a) -> int:
    """Train the networks on each set from the seed and score them on its test split (the page's job, run here),
    then fit and score the baselines on the same splits (unless --no-baselines): one JSON object per set with
    ``dataset``, ``accuracy``, ``fit_seconds``, ``predict_ms``, ``early`` ({model: {fraction: accuracy}}) and
    ``early_90`` (the first fraction seen at which each model reaches 90% of its own final accuracy)."""
    from .baselines import run_baselines
    from .recognise import RecogniseConfig, train_and_score

    archs = tuple(x.strip() for x in str(a.archs).split(",") if x.strip())
    cfgs = [RecogniseConfig(data=n, archs=archs, steps=a.steps, hidden=a.hidden, seed=a.seed).validate() for n in _names(a.data)]
    if a.limit is not None:
        raise ConfigError("--limit applies to --baselines only")
    _check_save(a.save)
    out = {}
    last = [-1e9]
    for i, cfg in enumerate(cfgs):

        def progress(step, steps, loss, data=cfg.data):
            if time.monotonic() - last[0] >= 2:
                last[0] = time.monotonic()
                print(f"rnnviz: recognise {data}: step {step:,} of {steps:,}, loss {loss:.3f}", file=sys.stderr, flush=True)

        nets = train_and_score(cfg, progress)
        base = None if a.no_baselines else run_baselines(cfg.data, progress=_progress(False, i, len(cfgs)))
        out[cfg.data] = _combined(nets, base)
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
    if a.json:
        print(json.dumps(out if len(out) > 1 else next(iter(out.values()))))
    else:
        for data, r in out.items():
            for m, acc in r["accuracy"].items():
                half = r["early"][m].get("0.5")
                print(
                    f"{data}: {m} accuracy {acc:.3f} (half seen {half:.3f}; 90% of its final at {r['early_90'][m]:.0%} seen), "
                    f"fit {r['fit_seconds'][m]:.2f} s, {r['predict_ms'][m]:.3f} ms per sequence"
                )
    return 0


def _combined(nets: dict, base: dict | None) -> dict:
    """The networks' and the baselines' results side by side, keyed by model (rnn, lstm, ..., dtw, minirocket)."""
    from .recognise import reaches

    out = {"dataset": nets["data"], "chance": nets["chance"], "accuracy": {}, "fit_seconds": {}, "predict_ms": {}}
    out.update(early={}, early_90={}, parameters={}, confusion={})
    for arch, m in nets["networks"].items():
        out["accuracy"][arch] = m["accuracy"]
        out["fit_seconds"][arch] = m["train_seconds"]
        out["predict_ms"][arch] = m["predict_ms"]
        out["early"][arch] = m["by_fraction"]
        out["parameters"][arch] = m["parameters"]
        out["confusion"][arch] = m["confusion"]
    for method, m in (base or {}).get("methods", {}).items():
        out["accuracy"][method] = round(m["accuracy"], 4)
        out["fit_seconds"][method] = m["fit_s"]
        out["predict_ms"][method] = m["predict_ms"]
        out["early"][method] = {f"{f:g}": round(v, 4) for f, v in zip(base["fractions"], m["by_fraction"])}
        out["parameters"][method] = m["numbers"]
        out["confusion"][method] = m["confusion"]
    for k, acc in out["accuracy"].items():
        out["early_90"][k] = reaches(out["early"][k], acc)
    out["networks"] = nets
    if base is not None:
        out["baselines"] = {"input": base.get("input"), "versions": base.get("versions"), "seconds": base.get("seconds")}
    return out


def _check_save(path: str | None) -> None:
    """Refuse a --save path that cannot be written before the work, not after."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise ConfigError(f"cannot write {path}: no such folder, or not writable")


def _names(data: str) -> tuple[str, ...]:
    from ..data.archives import NAMES, check_name

    return NAMES if data == "all" else (check_name(data),)


def _methods(text: str) -> tuple[str, ...]:
    from .baselines import METHODS

    methods = tuple(m.strip() for m in str(text).split(",") if m.strip())
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise ConfigError(f"--methods takes {', '.join(METHODS)} (comma-separated), got {text!r}")
    return methods


def _command(a) -> str:
    """The command that made these numbers, rebuilt from the parsed flags."""
    parts = ["python -m rnnviz recognise", f"--data {a.data}", "--baselines"]
    if os.environ.get("NUMBA_CACHE_DIR"):  # where numba kept (or found) its compiled code: it decides compile_s
        parts.insert(0, f"NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}")
    if a.methods != "dtw,minirocket":
        parts.append(f"--methods {a.methods}")
    if a.limit is not None:
        parts.append(f"--limit {a.limit}")
    if a.json:
        parts.append("--json")
    if a.progress_lines:
        parts.append("--progress-lines")
    if a.save:
        parts.append(f"--save {a.save}")
    return " ".join(parts)


def _progress(lines: bool, part: int, parts: int):
    """progress(fraction, words) for set ``part`` of ``parts``: a JSON line on stdout, or (at most every 2 s)
    a line on stderr."""
    last = [-1e9]

    def show(p: float, words: str) -> None:
        done = (part + p) / parts
        if lines:
            print(json.dumps({"progress": round(done, 4), "words": words}), flush=True)
        elif time.monotonic() - last[0] >= 2 or p >= 1:
            last[0] = time.monotonic()
            print(f"{done:4.0%}  {words}", file=sys.stderr, flush=True)

    return show


def _summary(r: dict) -> list[str]:
    lines = []
    half = r["fractions"].index(0.5) if 0.5 in r["fractions"] else None
    for m in r["methods"].values():
        early = (
            f" (half seen: {m['by_fraction'][half]:.3f}; refitted on halves: {m['by_fraction_refit'][half]:.3f})"
            if half is not None
            else ""
        )
        lines.append(
            f"{r['name']}, {r['test']} test sequences: {m['short']} accuracy {m['accuracy']:.3f}{early}; "
            f"fit {m['fit_s']:.2f} s, predict {m['predict_ms']:.2f} ms per sequence, numba warm-up {m['compile_s']:.1f} s"
        )
    return lines


def cmd_baselines(a) -> int:
    from .baselines import document, run_baselines

    names = _names(a.data)
    methods = _methods(a.methods)
    if a.limit is not None and a.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {a.limit}")
    _check_save(a.save)
    sets = {}
    for i, name in enumerate(names):
        sets[name] = run_baselines(name, methods, progress=_progress(a.progress_lines, i, len(names)), limit=a.limit)
    doc = document(sets, _command(a))
    if a.save:
        tmp = f"{a.save}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, a.save)
    if a.progress_lines:
        print(json.dumps({"result": doc}), flush=True)
    elif a.json:
        print(json.dumps(doc))
    else:
        for r in sets.values():
            print("\n".join(_summary(r)))
    return 0
