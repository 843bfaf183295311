"""The house rules that tools hold instead of review: import layers and formatting."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def test_imports_point_down_the_layers():
    p = subprocess.run([os.path.join(BIN, "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-1000:]


def test_code_is_ruff_formatted_and_clean():
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert fmt.returncode == 0, "run `ruff format .`:\n" + fmt.stdout[-2000:]
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout[-2000:]


def test_only_settings_clamps_the_sequence_length():
    """The sequence length is brought into range in one place (rnnviz/settings.py)."""
    hits = []
    for folder in ("rnnviz", "pages"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith(".py") and name != "settings.py":
                    text = open(os.path.join(dirpath, name), encoding="utf-8").read()
                    if "clamp_len" in text or "min(max(" in text and "seq_len" in text:
                        hits.append(os.path.join(dirpath, name))
    assert hits == []


def test_test_modules_have_names_of_their_own():
    """pytest imports test files by basename (no packages under tests/): two test_x.py in different
    tiers stop the whole run at collection, which a run of one tier alone does not show."""
    names = [
        f for _, _, files in os.walk(os.path.join(ROOT, "tests")) for f in files if f.startswith("test_") and f.endswith(".py")
    ]
    assert sorted({n for n in names if names.count(n) > 1}) == []
