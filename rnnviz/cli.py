"""Command line: the same work as the pages, headless, JSON out.

    python -m rnnviz tasks
    python -m rnnviz train --task adding --arch lstm --seq-len 50 --hidden 32 --steps 1500 --seed 0 --json
    python -m rnnviz train ... --save model.pt
    python -m rnnviz trace --load model.pt --out trace.npz
    python -m rnnviz translate --json      # number words to digits, GRU encoder-decoder with and without attention
    python -m rnnviz compare --task adding --archs rnn,lstm,gru,cnn,transformer,gru_attention \
        --lengths 10,20,50,100,200 --seeds 3 --json
    python -m rnnviz forecast --series sunspots --json
    python -m rnnviz music --json        (and sounds: see rnnviz/signals/music_cli.py)
    python -m rnnviz recognise --data all --baselines --json   (1-NN DTW, MiniRocket: rnnviz/signals/recognise_cli.py)
    python -m rnnviz text [--corpus NAME] --json
    python -m rnnviz chat --json         (a chatbot on chatterbot-corpus against retrieval: rnnviz/language/chatcli.py)
    python -m rnnviz speed --json > rnnviz/compare/results/speed.json   (progress on stderr)
    python -m rnnviz board --class CODE --json|--csv   (a class's posted runs: rnnviz/board/cli.py)

Bad input gets one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys

import numpy as np

from .errors import ConfigError

# flag destination -> Settings name: every setting goes through settings.parse(strict=True)
SETTING_FLAGS = {
    "arch": "arch",
    "task": "task",
    "seq_len": "seq_len",
    "hidden": "hidden",
    "layers": "layers",
    "seed": "seed",
    "optimizer": "optimizer",
    "lr": "lr",
    "batch": "batch",
    "clip": "clip_value",
    "init": "init",
    "recurrent_scale": "scale",
    "nonlinearity": "nonlin",
    "forget_bias": "forget_bias",
}


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + traceback
        raise CliError(message)


def _parser() -> argparse.ArgumentParser:
    from .models.recurrent import ARCHS
    from .settings import BY_NAME

    def opt(name):  # help text from the settings' table, the value checked by settings.parse
        f = BY_NAME[name]
        return dict(default=None, metavar=name.upper(), help=f"{f.label}: {f.valid()} (default {f.url(f.default)})")

    p = _Parser(prog="python -m rnnviz", description="Train and inspect small recurrent networks.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    sub.add_parser("tasks", help="list the tasks, one line each")
    t = sub.add_parser("train", help="train a model and print what happened")
    t.add_argument("--task", **opt("task"))
    t.add_argument("--arch", **opt("arch"))
    t.add_argument("--seq-len", **{**opt("seq_len"), "help": "sequence length (default: the task's)"})
    t.add_argument("--hidden", **opt("hidden"))
    t.add_argument("--layers", **opt("layers"))
    t.add_argument("--steps", type=int, default=500)
    t.add_argument("--batch", **opt("batch"))
    t.add_argument("--lr", **opt("lr"))
    t.add_argument("--optimizer", **opt("optimizer"))
    t.add_argument("--clip", **{**opt("clip_value"), "help": "clip the gradient norm at this value (default 1)"})
    t.add_argument("--no-clip", action="store_true", help="do not clip the gradient")
    t.add_argument("--seed", **opt("seed"))
    t.add_argument("--nonlinearity", **opt("nonlin"))
    t.add_argument("--init", **opt("init"))
    t.add_argument(
        "--recurrent-scale",
        **{**opt("scale"), "help": "rescale each W_hh block to this largest singular value (default: as initialised)"},
    )
    t.add_argument("--forget-bias", **opt("forget_bias"))
    t.add_argument("--text", default=None, help="a UTF-8 text file for the charlm task")
    t.add_argument("--snapshot-every", type=int, default=50)
    t.add_argument("--eval-every", type=int, default=50, help="score the held-out batch every so many steps")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.add_argument("--save", default=None, help="write a checkpoint here")
    r = sub.add_parser("trace", help="record a Trace of a checkpoint on a batch of its task")
    r.add_argument("--load", required=True)
    r.add_argument("--out", required=True, help="an .npz file")
    r.add_argument("--batch", type=int, default=8)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--arch", default=None, choices=ARCHS, help="refuse a checkpoint of another architecture")
    _translate_parser(sub)
    c = sub.add_parser("compare", help="race architectures over lengths and seeds (solved against length)")
    c.add_argument("--task", default="adding", help="the task (default adding)")
    c.add_argument("--archs", default="rnn,lstm,gru,cnn,transformer,gru_attention", help="comma-separated architectures")
    c.add_argument("--lengths", default="10,20,50,100,200", help="comma-separated sequence lengths")
    c.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1 (default 3)")
    c.add_argument("--steps", type=int, default=None, help="step budget per cell (default 1000)")
    c.add_argument("--hidden", type=int, default=32, help="hidden size (default 32)")
    c.add_argument("--train-sizes", default=None, help="comma-separated numbers of distinct training sequences")
    c.add_argument("--out", default=None, help="also write the JSON here, after every cell")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    f = sub.add_parser("forecast", help="forecast a real series with RNN, LSTM, GRU and baselines; score the held-out end")
    f.add_argument(
        "--series",
        required=True,
        help="sunspots, co2, elnino, nile, seattle_hourly, seattle_daily_max, stock (a made-up walk), "
        "stock_msft, stock_amzn, stock_ibm, stock_goog, stock_aapl, or the path of a CSV file",
    )
    f.add_argument("--column", default=None, help="the CSV column to forecast")
    f.add_argument("--date-column", default=None, help="the CSV column holding dates (optional)")
    f.add_argument("--window", type=int, default=None, help="past values a network sees (default: the series')")
    f.add_argument("--horizon", type=int, default=None, help="values held out at the end and forecast (default: the series')")
    f.add_argument("--season", type=int, default=None, help="season length in steps (default: from the data's frequency)")
    f.add_argument("--hidden", type=int, default=32)
    f.add_argument("--steps", type=int, default=600, help="training steps per network and seed")
    f.add_argument("--seeds", type=int, default=1, help="seeds per network (their mean forecast is scored)")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--json", action="store_true", help="print one JSON object")
    from .signals.music_cli import add_commands

    add_commands(sub)  # music, sounds
    from .signals.recognise_cli import add_commands as add_recognise

    add_recognise(sub)  # recognise
    from .signals.digits_cli import add_commands as add_digits

    add_digits(sub)  # digits
    from .language.chatcli import add_commands as add_chat

    add_chat(sub)  # chat
    from .board.cli import add_commands as add_board

    add_board(sub)  # board: a class's runs from the class board's database
    x = sub.add_parser("text", help="train the character model on a built-in corpus; bits per character and samples")
    x.add_argument("--corpus", default=None, help="pydoc (Python's language reference, the default) or story")
    x.add_argument("--steps", type=int, default=None, help="training steps (default 3000)")
    x.add_argument("--seed", type=int, default=0)
    x.add_argument("--json", action="store_true", help="print one JSON object")
    x.add_argument("--save", default=None, help="write the trained weights here (the format the Text page ships)")
    sp = sub.add_parser("speed", help="measure step time against T, streaming cost and the GRU kernel (JSON out)")
    sp.add_argument("--json", action="store_true", help="print the results as one JSON object (the default)")
    sp.add_argument("--out", default=None, help="write the JSON here instead of printing it")
    sp.add_argument("--archs", default=None, help="comma-separated models (default: all six)")
    sp.add_argument("--lengths", default=None, help="comma-separated sequence lengths (default 10,20,50,100,200,500)")
    sp.add_argument("--max-t", type=int, default=2000, help="how many steps to stream (default 2000)")
    sp.add_argument("--batch", type=int, default=32, help="batch size of the training steps (default 32)")
    sp.add_argument("--repeats", type=int, default=3, help="timed repeats per point, the best is kept (default 3)")
    return p


def _translate_parser(sub) -> None:
    from .language.translate import TARGETS, default_config

    d, g = default_config("digits"), default_config("de")  # --target de has defaults of its own

    def both(x, y) -> str:
        return f"(default {x}; {y} with --target de)" if x != y else f"(default {x})"

    t = sub.add_parser(
        "translate", help="number words to digits (or German words): train a GRU encoder-decoder with and without attention"
    )
    t.add_argument(
        "--target",
        choices=TARGETS,
        default="digits",
        help="what the decoder writes: digits (342), or de, the German number word letter by letter from num2words "
        "(dreihundertzweiundvierzig; numbers 0 to 9,999) (default digits)",
    )
    t.add_argument("--steps", type=int, default=None, help=f"training steps per model {both(d.steps, g.steps)}")
    t.add_argument("--hidden", type=int, default=None, help=f"GRU units per direction {both(d.hidden, g.hidden)}")
    t.add_argument("--batch", type=int, default=None, help=f"numbers per step {both(d.batch, g.batch)}")
    t.add_argument("--lr", type=float, default=None, help=f"Adam's learning rate {both(f'{d.lr:g}', f'{g.lr:g}')}")
    t.add_argument("--seed", type=int, default=None, help=f"seed of the weights and the data (default {d.seed})")
    t.add_argument("--test-size", type=int, default=None, help=f"held-out numbers to score {both(d.test_size, g.test_size)}")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.add_argument("--save", default=None, help="write both models here (.pt) and the results beside it (.json)")


def _finite(x):
    return x if not isinstance(x, float) or math.isfinite(x) else None


def _finite_list(xs):
    return [_finite(float(v)) for v in xs]


def cmd_tasks() -> int:
    from .tasks import TASKS, get_task

    for name in TASKS:
        t = get_task(name)
        print(f"{name:15s} {t.shape:13s} {t.summary}")
    return 0


def settings_from_args(a, text: str | None = None):
    """The Settings the train command's flags stand for (strict: a bad value raises ConfigError).
    The sequence length defaults to the task's own default length."""
    from . import settings
    from .runtime.runs import task_for

    values = {name: getattr(a, dest) for dest, name in SETTING_FLAGS.items() if getattr(a, dest) is not None}
    if a.no_clip:
        values["clip"] = False
    if "seq_len" not in values:  # the task's default length (for charlm, of the text in use)
        task_only, _ = settings.parse({"task": values.get("task", settings.DEFAULT.task)}, strict=False)
        values["seq_len"] = task_for(task_only, text).default_len
    return settings.parse(values, strict=True)[0]


def cmd_train(a) -> int:
    from .runtime.checkpoints import checkpoint_bytes
    from .runtime.runs import build_run

    if a.steps < 0 or a.steps > 1_000_000:
        raise CliError(f"--steps must be from 0 to 1000000, got {a.steps}")
    text = None
    if a.text:
        if (a.task or "").strip().lower() != "charlm":
            raise CliError("--text only goes with --task charlm")
        try:
            with open(a.text, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise CliError(f"cannot read {a.text} as UTF-8 text: {e.__class__.__name__}") from None
    s = settings_from_args(a, text)
    tr = build_run(s, text, snapshot_every=a.snapshot_every, eval_every=a.eval_every)
    task = tr.task
    tr.run(n_steps=a.steps) if a.steps else None
    final = tr.summary()
    if a.save:
        try:
            with open(a.save, "wb") as f:
                f.write(checkpoint_bytes(tr, s, text))
        except OSError as e:
            raise CliError(f"cannot write {a.save}: {e.strerror}") from None
    h = tr.history
    if a.json:
        out = {
            "model_config": tr.model.cfg.to_dict(),
            "train_config": tr.cfg.to_dict(),
            "task": task.describe(),
            "history": {
                "step": h.step,
                "loss": _finite_list(h.loss),
                "metric": _finite_list(h.metric),
                "grad_norm": _finite_list(h.grad_norm),
                "clipped": h.clipped,
                "max_singular": _finite_list(h.max_singular),
                "seq_len": h.seq_len,
                "group_norms": {g: _finite_list(v) for g, v in h.group_norms.items()},
                "heldout": {
                    "step": h.heldout_step,
                    "loss": _finite_list(h.heldout_loss),
                    "metric": _finite_list(h.heldout_metric),
                },
            },
            "snapshots": {
                "step": tr.snapshots.step,
                "seq_len": tr.snapshots.seq_len,
                "grad_norm": [[_finite_list(row) for row in g] for g in tr.snapshots.grad_norm],
            },
            "final": {k: _finite(v) for k, v in final.items()},
        }
        print(json.dumps(out, allow_nan=False))
    else:
        print(
            f"{s.arch} on {task.name} (T={s.seq_len}): {final['status']} after {final['steps']} steps "
            f"in {final['seconds']:.1f}s; held-out loss {final['loss']:.4g}, {task.metric_name} "
            f"{final['metric']:.4g}, solved={final['solved']}" + (f"; {final['message']}" if final["message"] else "")
        )
    return 0


def cmd_trace(a) -> int:
    from .runtime.checkpoints import MAX_BYTES, load_checkpoint_bytes

    if not 1 <= a.batch <= 256:
        raise CliError(f"--batch must be from 1 to 256, got {a.batch}")
    try:
        with open(a.load, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CliError(f"no such file: {a.load}") from None
    except OSError as e:
        raise CliError(f"cannot read {a.load}: {e.strerror}") from None
    _, _, run = load_checkpoint_bytes(data)  # CheckpointError (a ConfigError): one line
    model, task, cfg = run.model, run.task, run.cfg
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


def cmd_translate(a) -> int:
    from .language import translate as tr

    base = tr.default_config(a.target)  # a flag left out takes the target's default
    for name in ("steps", "hidden", "batch", "lr", "seed", "test_size"):
        if getattr(a, name) is None:
            setattr(a, name, getattr(base, name))
    cfg = dataclasses.replace(base, steps=a.steps, hidden=a.hidden, batch=a.batch, lr=a.lr, seed=a.seed, test_size=a.test_size)
    cfg = cfg.validate()
    exp = tr.run_experiment(cfg, tr.StderrProgress())  # the page's job, run here
    if a.save:
        try:
            flags = (
                f"--steps {a.steps} --hidden {a.hidden} --batch {a.batch} --lr {a.lr:g} --seed {a.seed} --test-size {a.test_size}"
            )
            flags = flags if a.target == "digits" else f"--target {a.target} {flags}"
            tr.save(exp, a.save, command=f"python -m rnnviz translate {flags} --json --save {a.save}")
        except OSError as e:
            raise CliError(f"cannot write {a.save}: {e.strerror}") from None
    r = exp.result
    if a.json:
        print(json.dumps(r, allow_nan=False))
    else:
        print(f"exact-match accuracy on held-out numbers (training median {r['train_median_words']:g} words):")
        print("words  " + "  ".join(f"{k:>12s}" for k in r["accuracy"]) + "  count")
        for L in r["count"]:
            print(f"{L:>5s}  " + "  ".join(f"{r['accuracy'][k][L]:12.3f}" for k in r["accuracy"]) + f"  {r['count'][L]:5d}")
    return 0


def cmd_forecast(a) -> int:
    from .signals.forecast import ForecastConfig, forecast, load_series, verdict

    series = load_series(a.series, a.column, a.date_column)
    cfg = ForecastConfig(a.window, a.horizon, hidden=a.hidden, steps=a.steps, seeds=a.seeds, seed=a.seed, season=a.season)
    marks = set()

    def progress(frac, what):  # one line on stderr every tenth of the way
        if int(frac * 10) not in marks:
            marks.add(int(frac * 10))
            print(f"rnnviz: forecast {series.name}: {frac:4.0%} {what}", file=sys.stderr, flush=True)

    r = forecast(series, cfg, progress)
    if a.json:
        print(json.dumps(r.to_json(), allow_nan=False))
    else:
        print(f"{series.title}: {r.n_train} values to train on, the last {len(r.test)} held out. MAE, MASE:")
        for m, s in r.scores.items():
            print(f"  {m:15s} {s['mae']:10.4g} {s['mase']:8.3f}")
        print("\n".join(v.replace("**", "") for v in verdict(r)))
    return 0


def cmd_text(a) -> int:
    from .language.textcli import run_text

    return run_text(a.corpus, a.steps, a.seed, a.json, a.save)


def cmd_speed(a, argv) -> int:
    from .compare.speed import run_command

    return run_command(a, "python -m rnnviz " + " ".join(argv if argv is not None else sys.argv[1:]))


def main(argv=None) -> int:
    try:
        a = _parser().parse_args(argv)
        if a.cmd == "tasks":
            return cmd_tasks()
        if a.cmd == "train":
            return cmd_train(a)
        if a.cmd == "translate":
            return cmd_translate(a)
        if a.cmd == "compare":
            from .compare.cli import cmd_compare

            return cmd_compare(a, argv)
        if a.cmd == "forecast":
            return cmd_forecast(a)
        if a.cmd in ("music", "sounds"):
            from .signals.music_cli import run_command

            return run_command(a)
        if a.cmd == "recognise":
            from .signals.recognise_cli import run_command as run_recognise

            return run_recognise(a)
        if a.cmd == "digits":
            from .signals.digits_cli import run_command as run_digits

            return run_digits(a)
        if a.cmd == "chat":
            from .language.chatcli import run_command as run_chat

            return run_chat(a)
        if a.cmd == "board":
            from .board.cli import run_command as run_board

            return run_board(a)
        if a.cmd == "text":
            return cmd_text(a)
        if a.cmd == "speed":
            return cmd_speed(a, argv)
        return cmd_trace(a)
    except (CliError, ConfigError) as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
