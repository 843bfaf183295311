"""The take-home script: standalone (no rnnviz), and its losses are the app trainer's, step for step."""

import os
import re
import subprocess
import sys

import pytest

import rnnviz  # noqa: F401
from rnnviz.codegen import TASK_CODE, covered, script
from rnnviz.runtime.runs import build_run
from rnnviz.settings import Settings

STEPS = 4
CASES = [
    Settings(task="adding", arch="lstm", hidden=8, seq_len=20, batch=8),
    Settings(task="first_symbol", arch="gru", hidden=8, seq_len=10, batch=8, clip_value=0.1, layers=2),
    Settings(task="copy", arch="rnn", hidden=8, seq_len=12, batch=8, init="orthogonal", scale=2.0, optimizer="sgd", lr=0.1),
    Settings(task="temporal_order", arch="lstm", hidden=8, seq_len=12, batch=8, forget_bias=2.0, clip=False),
    Settings(task="sentiment", arch="rnn", hidden=8, seq_len=8, batch=8, init="identity", nonlin="relu"),
]

# Runs every script in one fresh interpreter (one torch start-up instead of five), as `python FILE --steps N`
# would, and fails if any of them imported rnnviz.
RUNNER = """
import runpy, sys
for path in sys.argv[1:]:
    print("=== " + path, flush=True)
    sys.argv = [path, "--steps", "STEPS", "--print-every", "1"]
    runpy.run_path(path, run_name="__main__")
assert not any(m.startswith("rnnviz") for m in sys.modules), "the script imported rnnviz"
""".replace("STEPS", str(STEPS))


def test_generated_scripts_reproduce_the_trainer_losses(tmp_path):
    paths = []
    for k, s in enumerate(CASES):
        p = tmp_path / f"train_{k}.py"
        p.write_text(script(s, steps=1000))
        paths.append(str(p))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, *paths], capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    blocks = out.stdout.split("=== ")[1:]
    assert len(blocks) == len(CASES)
    for s, block in zip(CASES, blocks):
        got = [float(v) for v in re.findall(r"loss (\S+)", block)]
        run = build_run(s)
        run.run(n_steps=STEPS)
        assert len(got) == STEPS, block
        assert got == pytest.approx(run.history.loss, abs=1e-5), (s.task, got, run.history.loss)


def test_every_task_is_covered_and_a_huge_own_text_is_refused():
    for task in ("adding", "first_symbol", "temporal_order", "copy", "reber", "anbn", "sines", "waveform", "sentiment"):
        assert task in TASK_CODE and covered(Settings(task=task)) == ""
    s = Settings(task="charlm", seq_len=20)
    assert covered(s) == "" and "TEXT = " in script(s)
    why = covered(s, text="x" * 30_000)
    assert "too long" in why
    with pytest.raises(ValueError):
        script(s, text="x" * 30_000)


def test_the_script_says_what_it_was_made_from():
    s = Settings(arch="rnn", clip=False, optimizer="sgd", lr=0.05, init="orthogonal", scale=1.5)
    code = script(s, steps=300)
    assert "import rnnviz" not in code and "from rnnviz" not in code
    assert "nn.RNN(" in code and "torch.optim.SGD(params, lr=0.05)" in code
    assert "no gradient clipping" in code and "nn.init.orthogonal_" in code and "1.5" in code
    assert "default=300" in code and s.query_string() in code
    compile(code, "train_rnn.py", "exec")
