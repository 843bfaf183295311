"""Take it home as code: the current settings as a short standalone PyTorch script.

:func:`script` writes a script that needs only numpy and torch (no rnnviz): the task's data
generator, the model (the same layers built in the same order from the same seed, so the same
initial weights), the recurrent initialisation, the optimiser, the gradient clipping and the
training loop. It reproduces the app's training losses step for step (a test runs it and compares
them with :class:`rnnviz.runtime.training.Trainer` to within 1e-5).

    >>> from rnnviz.settings import Settings
    >>> code = script(Settings(arch="gru", task="adding", hidden=8), steps=200)
    >>> "import rnnviz" in code, "nn.GRU" in code
    (False, True)

Covered tasks are the keys of ``TASK_CODE``; :func:`covered` says why a task (or a text) is not.
"""

from __future__ import annotations

from .settings import ARCH_NAMES, Settings
from .tasks import TASKS, get_task

MAX_TEXT = 20_000  # the longest own text written into a script (the built-in one is about 1,300 characters)

# Each task's generator, line for line the same random draws as rnnviz.tasks (same order, same shapes).
TASK_CODE = {
    "adding": '''
def make_batch(rng, B, T):
    """The adding problem: each step is (value in [0, 1), marker); the target at the last step is the
    sum of the two marked values (one marker in each half)."""
    vals = rng.random((B, T))
    marks = np.zeros((B, T))
    half = T // 2
    a = rng.integers(0, half, B)
    b = rng.integers(half, T, B)
    marks[np.arange(B), a] = 1
    marks[np.arange(B), b] = 1
    y = np.zeros((B, T, 1))
    y[:, -1, 0] = vals[np.arange(B), a] + vals[np.arange(B), b]
    mask = np.zeros((B, T))
    mask[:, -1] = 1  # only the last step is scored
    return np.stack([vals, marks], -1), y, mask
''',
    "first_symbol": '''
def make_batch(rng, B, T):
    """Remember the first symbol: step 0 is one of A, B, C, D (ids 0-3), then distractors w, x, y, z
    (ids 4-7); the class at the last step is the first symbol."""
    first = rng.integers(0, 4, B)
    x = rng.integers(4, 8, (B, T))
    x[:, 0] = first
    y = np.zeros((B, T))
    y[:, -1] = first
    mask = np.zeros((B, T))
    mask[:, -1] = 1
    return x, y, mask
''',
    "temporal_order": '''
def make_batch(rng, B, T):
    """Temporal order: X or Y (ids 4, 5) early and late among distractors a-d (ids 0-3); the class at
    the last step is their order XX, XY, YX, YY."""
    x = rng.integers(0, 4, (B, T))
    p1 = rng.integers(0, max(1, int(0.3 * T)), B)
    p2 = rng.integers(T // 2, T, B)
    s1, s2 = rng.integers(0, 2, B), rng.integers(0, 2, B)
    x[np.arange(B), p1] = 4 + s1
    x[np.arange(B), p2] = 4 + s2
    y = np.zeros((B, T))
    y[:, -1] = 2 * s1 + s2
    mask = np.zeros((B, T))
    mask[:, -1] = 1
    return x, y, mask
''',
    "copy": '''
def make_batch(rng, B, T):
    """Copy after a delay: four letters a-h (ids 0-7), blanks (8), a cue (9), then the four letters
    must be replayed; only those last four steps are scored."""
    K = 4
    letters = rng.integers(0, 8, (B, K))
    x = np.full((B, T), 8)
    x[:, :K] = letters
    x[:, T - K - 1] = 9
    y = np.zeros((B, T))
    y[:, T - K :] = letters
    mask = np.zeros((B, T))
    mask[:, T - K :] = 1
    return x, y, mask
''',
    "reber": '''
REBER = {  # state -> (symbol, next state) choices; state 6 ends the inner string
    1: [("T", 2), ("P", 3)], 2: [("S", 2), ("X", 4)], 3: [("T", 3), ("V", 5)], 4: [("X", 3), ("S", 6)], 5: [("P", 4), ("V", 6)]
}
SYMBOLS = ("B", "T", "P", "S", "X", "V", "E")


def reber_string(rng):
    """One embedded Reber string: B, T or P, an inner Reber string, the same T or P, E."""
    branch = "T" if rng.random() < 0.5 else "P"
    out, state = ["B", branch, "B"], 1
    while state != 6:
        sym, state = REBER[state][int(rng.integers(0, 2))]
        out.append(sym)
    return out + ["E", branch, "E"]


def make_batch(rng, B, T):
    """Next-symbol prediction over a stream of embedded Reber strings (every step scored)."""
    x, y = np.zeros((B, T)), np.zeros((B, T))
    for b in range(B):
        seq = []
        while len(seq) < T + 1:
            seq.extend(reber_string(rng))
        ids = [SYMBOLS.index(s) for s in seq]
        x[b], y[b] = ids[:T], ids[1 : T + 1]
    return x, y, np.ones((B, T))
''',
    "anbn": '''
def make_batch(rng, B, T):
    """Counting: a stream of a^n b^n $ strings (ids 0, 1, 2), n from 1 to 8; predict the next symbol."""
    x, y = np.zeros((B, T)), np.zeros((B, T))
    for b in range(B):
        seq = []
        while len(seq) < T + 1:
            n = int(rng.integers(1, 9))
            seq += [0] * n + [1] * n + [2]
        x[b], y[b] = seq[:T], seq[1 : T + 1]
    return x, y, np.ones((B, T))
''',
    "sines": '''
def make_batch(rng, B, T):
    """Noisy sines: the input is a sum of two sines plus noise (sd 0.1); the target is the next clean value."""
    t = np.arange(T + 1)[None]
    w = rng.uniform(0.15, 0.6, (B, 2, 1))
    p = rng.uniform(0, 2 * np.pi, (B, 2, 1))
    s = 0.5 * np.sin(w * t[:, None] + p).sum(1)  # [B, T+1]
    x = s[:, :T] + rng.normal(0, 0.1, (B, T))
    return x[..., None], s[:, 1:, None], np.ones((B, T))
''',
    "waveform": '''
def make_batch(rng, B, T):
    """One-to-many: a one-hot class at step 0 names a period (4, 6, 9 or 14); draw that sine wave."""
    k = rng.integers(0, 4, B)
    x = np.zeros((B, T, 4))
    x[np.arange(B), 0, k] = 1
    period = np.array((4, 6, 9, 14))[k][:, None]
    y = np.sin(2 * np.pi * np.arange(T)[None] / period)[..., None]
    return x, y, np.ones((B, T))
''',
    "sentiment": '''
WORDS = {words}
FILLERS, POSITIVE, NEGATIVE = 12, (12, 13, 14), (15, 16, 17)  # word ids; "not" is id 18


def make_batch(rng, B, T):
    """Sentiment with negation: filler words with one opinion word; a "not" right before it flips it,
    a "not" elsewhere does nothing. The class (0 negative, 1 positive) is read at the last step."""
    x = rng.integers(0, FILLERS, (B, T))
    y = np.zeros((B, T))
    for b in range(B):
        p = int(rng.integers(1, T))
        positive = rng.random() < 0.5
        x[b, p] = (POSITIVE if positive else NEGATIVE)[int(rng.integers(0, 3))]
        negate = rng.random() < 0.5
        if negate:
            x[b, p - 1] = 18
        elif rng.random() < 0.5:  # a decoy "not" that does not touch the opinion word
            spots = [q for q in range(T) if q not in (p - 1, p)]
            if spots:
                x[b, spots[int(rng.integers(0, len(spots)))]] = 18
        y[b, -1] = int(positive != negate)
    mask = np.zeros((B, T))
    mask[:, -1] = 1
    return x, y, mask
''',
    "charlm": '''
TEXT = {text}
CHARS = sorted(set(TEXT))
IDS = np.array([CHARS.index(c) for c in TEXT])


def make_batch(rng, B, T):
    """Character language model: random windows of the text; the target is the window shifted by one."""
    starts = rng.integers(0, len(IDS) - T, B)
    win = np.stack([IDS[s : s + T + 1] for s in starts])
    return win[:, :T], win[:, 1:], np.ones((B, T))
''',
}


def covered(settings: Settings, text: str | None = None) -> str:
    """ "" when :func:`script` can write these settings as a standalone script, else the reason in words."""
    if settings.task not in TASK_CODE:
        return f"the take-home script does not cover the task “{TASKS[settings.task].title}” yet"
    if settings.task == "charlm" and text is not None and len(text) > MAX_TEXT:
        return f"your own text is longer than {MAX_TEXT:,} characters, too long to write into a short script"
    return ""


def _init_code(s: Settings) -> str:
    """The recurrent initialisation lines these settings need (nothing for PyTorch's default RNN/GRU init)."""
    G = {"rnn": 1, "lstm": 4, "gru": 3}[s.arch]
    body = []
    if s.init == "orthogonal":
        body.append("nn.init.orthogonal_(blk)")
    elif s.init == "identity":
        body.append("blk.copy_(torch.eye(H))")
    if s.scale is not None:
        body.append(f"blk.mul_({s.scale!r} / torch.linalg.matrix_norm(blk, ord=2).clamp_min(1e-12))  # largest singular value")
    lines = []
    if body:
        lines += [
            f"        for blk in w.view({G}, H, H):  # one block per gate",
            *(f"            {b}" for b in body),
        ]
    if s.arch == "lstm":
        lines += [
            f"        getattr(core, f'bias_ih_l{{k}}')[H : 2 * H].fill_({s.forget_bias!r})  # forget-gate bias",
            "        getattr(core, f'bias_hh_l{k}')[H : 2 * H].zero_()",
        ]
    if not lines:
        return ""
    what = {"default": "PyTorch's default", "orthogonal": "orthogonal", "identity": "identity"}[s.init]
    return (
        "\n\n@torch.no_grad()\n"
        "def init_recurrent(core, layers, H):\n"
        f'    """W_hh starts as {what}'
        + (f", rescaled to largest singular value {s.scale:g}" if s.scale is not None else "")
        + (f"; the LSTM's forget gate starts with bias {s.forget_bias:g}" if s.arch == "lstm" else "")
        + '."""\n'
        "    for k in range(layers):\n"
        "        w = getattr(core, f'weight_hh_l{k}')  # [gates * H, H]\n" + "\n".join(lines) + "\n"
    )


def script(settings: Settings, steps: int = 1000, text: str | None = None) -> str:
    """A standalone PyTorch script that trains the model these settings describe for ``steps`` steps
    (``--steps`` changes it) and prints the loss. Raises ValueError for settings :func:`covered` refuses."""
    why = covered(settings, text)
    if why:
        raise ValueError(why)
    s = settings
    task = get_task(s.task, text=text) if (s.task == "charlm" and text is not None) else get_task(s.task)
    data = TASK_CODE[s.task]
    if s.task == "sentiment":
        data = data.replace("{words}", repr(task.tokens))
    if s.task == "charlm":
        data = data.replace("{text}", repr(task.text))
    tokens = task.tokens is not None
    core_cls = {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}[s.arch]
    core_extra = f"nonlinearity={s.nonlin!r}, " if s.arch == "rnn" else ""
    if tokens:
        vocab = "len(CHARS)" if s.task == "charlm" else str(len(task.tokens))
        encoder = f"nn.Embedding({vocab}, INPUT_SIZE)  # each symbol id -> a learnt vector"
    else:
        encoder = "nn.Identity()  # the inputs are numbers already"
    out_size = "len(CHARS)" if s.task == "charlm" else str(task.output_size)
    init = _init_code(s)
    init_call = "        init_recurrent(self.core, LAYERS, HIDDEN)\n" if init else ""
    if task.loss == "ce":
        loss_code = "    per_step = F.cross_entropy(out.transpose(1, 2), y, reduction='none')  # [B, T]"
        to_y = "torch.from_numpy(y.astype(np.int64))"
    else:
        loss_code = "    per_step = ((out - y) ** 2).mean(-1)  # [B, T] squared error"
        to_y = "torch.from_numpy(y.astype(np.float32))"
    to_x = "torch.from_numpy(x.astype(np.int64))" if tokens else "torch.from_numpy(x.astype(np.float32))"
    opt = f"torch.optim.Adam(params, lr={s.lr!r})" if s.optimizer == "adam" else f"torch.optim.SGD(params, lr={s.lr!r})"
    if s.clip:
        clip = (
            f"        if total > {s.clip_value!r}:  # gradient clipping: rescale the whole gradient to norm {s.clip_value:g}\n"
            "            for g in grads:\n"
            f"                g.mul_({s.clip_value!r} / (total + 1e-6))\n"
        )
    else:
        clip = "        # no gradient clipping (it was off in the app)\n"
    header = (
        f'"""{ARCH_NAMES[s.arch]} on "{task.title}", written by rnnviz for these settings:\n'
        f"    {s.describe()}; {s.optimizer} lr {s.lr:g}, batch {s.batch}, clipping "
        + (f"at {s.clip_value:g}" if s.clip else "off")
        + f"\nLink: ?{s.query_string()}\n\n"
        "Needs only numpy and torch. It builds the same initial weights and draws the same training data as the\n"
        "app (same seed), so its losses match the app's Train page step for step. Run: python train_rnn.py --steps 500\n"
        '"""\n'
    )
    return f"""{header}
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED, SEQ_LEN, BATCH = {s.seed}, {s.seq_len}, {s.batch}
INPUT_SIZE, HIDDEN, LAYERS = {task.input_size}, {s.hidden}, {s.layers}
{data}

class Model(nn.Module):
    \"\"\"encoder -> {ARCH_NAMES[s.arch]} -> a linear readout at every step.\"\"\"

    def __init__(self):
        super().__init__()
        torch.manual_seed(SEED)  # the same seed gives the same initial weights
        self.encoder = {encoder}
        self.core = {core_cls}({core_extra}input_size=INPUT_SIZE, hidden_size=HIDDEN, num_layers=LAYERS, batch_first=True)
        self.readout = nn.Linear(HIDDEN, {out_size})
{init_call}
    def forward(self, x):
        h, _ = self.core(self.encoder(x))  # h_t of the last layer at every step [B, T, H]
        return self.readout(h)  # [B, T, outputs]
{init}

def loss_fn(out, y, mask):
    \"\"\"The mean loss over the scored steps (mask = 1).\"\"\"
{loss_code}
    return (per_step * mask).sum() / mask.sum().clamp_min(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default={steps})
    ap.add_argument("--print-every", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = Model()
    params = list(model.parameters())
    opt = {opt}
    rng = np.random.default_rng([SEED, 1])  # the training data stream
    for step in range(1, args.steps + 1):
        x, y, mask = make_batch(rng, BATCH, SEQ_LEN)
        x, y, mask = {to_x}, {to_y}, torch.from_numpy(mask.astype(np.float32))
        loss = loss_fn(model(x), y, mask)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        with torch.no_grad():
            total = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])))
        if not (np.isfinite(loss.item()) and np.isfinite(total)):
            print(f"step {{step}}: the loss or gradient became NaN or infinite (the gradient exploded)")
            break
{clip}        opt.step()
        if step == 1 or step % args.print_every == 0 or step == args.steps:
            print(f"step {{step}} loss {{loss.item():.8f}} grad_norm {{total:.4g}}")


if __name__ == "__main__":
    main()
"""
