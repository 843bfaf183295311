"""The character model on a corpus: train it, make it write, and read what it expects.

Training goes through the shared path (a :class:`~rnnviz.settings.Settings` with task ``charlm``,
:func:`rnnviz.runtime.runs.build_run`, the :class:`~rnnviz.runtime.training.Trainer`), so a page can hand the run to
the process-wide worker like the Train page does. What this module adds works on any trained
``SequenceModel`` and its vocabulary (``tokens``, the characters it knows, in id order):

- :func:`generate` / :func:`stream`: text from a prompt, with temperature and top-k, seeded (the same
  seed gives the same text); temperature 0 always takes the most likely character.
- :func:`read_text`: at every position of a typed text, the top-k next characters with their
  probabilities, the probability it gave the character that really came next, and h_t.
- :func:`bits_per_char`, :func:`unigram_bpc`, :func:`scores`: bits per character on the held-out text,
  on the training text, and for a model that knows only how often each character occurs.

    >>> run = build_text_run(load_corpus("story"), text_settings(hidden=16, seq_len=30))
    >>> _ = run.run(n_steps=5)
    >>> len(generate(run.model, run.task.tokens, "the sky", 20, temperature=0.8, seed=1))
    20
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..data.corpus import Corpus, load_corpus
from ..errors import ConfigError
from ..runtime.jobs import Job, Stage
from ..runtime.runs import build_run
from ..runtime.training import Trainer
from ..settings import Settings

# The command line's defaults (also the shipped model's): an LSTM of 128 units reading windows of
# 100 characters, 32 at a time; about 86,000 weights.
DEFAULTS = dict(arch="lstm", hidden=128, layers=1, seq_len=100, batch=32, lr=3e-3, seed=0)
DEFAULT_STEPS = 3000
MAX_GENERATE = 2000  # characters one call may write
TOP_K_MAX = 100
TEMPERATURE_MAX = 3.0
PIECE = 1000  # characters per piece when scoring a long text (pieces run side by side)


def bits(nats: float) -> float:
    """A loss in nats per character as bits per character."""
    return float(nats) / math.log(2)


def text_settings(**changes) -> Settings:
    """The Settings of a character model: DEFAULTS with ``changes`` (checked like any setting)."""
    return Settings(task="charlm").replace(**{**DEFAULTS, **changes})


def build_text_run(corpus: Corpus, settings: Settings | None = None) -> Trainer:
    """A fresh Trainer for the character model on the corpus's training text. The trainer's own
    held-out batch is drawn from that text too; :func:`scores` measures the real held-out text."""
    settings = settings or text_settings()
    if settings.task != "charlm":
        raise ConfigError("a text run needs task charlm")
    seq_len = min(settings.seq_len, len(corpus.train) - 1)
    if seq_len != settings.seq_len:
        settings = settings.replace(seq_len=seq_len)
    return build_run(settings, corpus.train, eval_every=250, snapshot_every=1000, heldout_size=64)


# ----- text <-> ids --------------------------------------------------------------------------
def fit_text(text: str, tokens: tuple[str, ...]) -> tuple[str, str]:
    """The text written with the characters the model knows: a character it does not know is swapped
    for its other case if the model knows that (a lower-case story has no "I"), else left out.
    Returns (fitted text, a sentence saying what changed, or "")."""
    known = set(tokens)
    out, swapped, dropped = [], set(), set()
    for c in str(text):
        if c in known:
            out.append(c)
        elif c.lower() in known:
            out.append(c.lower())
            swapped.add(c)
        elif c.upper() in known:
            out.append(c.upper())
            swapped.add(c)
        else:
            dropped.add(c)
    notes = []
    if swapped:
        notes.append("changed the case of " + ", ".join(f"“{c}”" for c in sorted(swapped)))
    if dropped:
        shown = ", ".join(f"“{c}”" if c.strip() else repr(c) for c in sorted(dropped)[:8])
        notes.append(f"left out {shown} (not in the training text)")
    return "".join(out), ("The model never saw every character you typed: it " + " and ".join(notes) + ".") if notes else ""


def encode(text: str, tokens: tuple[str, ...]) -> torch.Tensor:
    """Token ids [T] (long) of a text made only of known characters (see :func:`fit_text`)."""
    index = {c: i for i, c in enumerate(tokens)}
    try:
        return torch.tensor([index[c] for c in text], dtype=torch.long)
    except KeyError as e:
        raise ConfigError(f"the character {e.args[0]!r} is not in the model's vocabulary") from None


def _check_sampling(temperature: float, top_k: int | None) -> tuple[float, int | None]:
    try:
        temperature = float(temperature)
    except (TypeError, ValueError):
        raise ConfigError(f"temperature must be a number from 0 to {TEMPERATURE_MAX:g}") from None
    if not (math.isfinite(temperature) and 0 <= temperature <= TEMPERATURE_MAX):
        raise ConfigError(f"temperature must be from 0 to {TEMPERATURE_MAX:g}, got {temperature!r}")
    if top_k is not None and (not isinstance(top_k, (int, np.integer)) or isinstance(top_k, bool) or not 1 <= top_k <= TOP_K_MAX):
        raise ConfigError(f"top-k must be a whole number from 1 to {TOP_K_MAX}, or none, got {top_k!r}")
    return temperature, None if top_k is None else int(top_k)


def next_distribution(logits: np.ndarray, temperature: float, top_k: int | None) -> np.ndarray:
    """The probabilities the sampler draws from: softmax(logits / temperature) over the top_k most
    likely characters only (the rest get 0). Temperature 0 puts all the probability on the argmax."""
    logits = np.asarray(logits, dtype=np.float64)
    p = np.zeros_like(logits)
    if temperature == 0:
        p[int(np.argmax(logits))] = 1.0
        return p
    z = logits / temperature
    if top_k is not None and top_k < len(z):
        cut = np.sort(z)[-top_k]
        z = np.where(z >= cut, z, -np.inf)
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


@torch.no_grad()
def stream(
    model,
    tokens: tuple[str, ...],
    prompt: str,
    n: int,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 0,
) -> Iterator[str]:
    """Yield ``n`` generated characters one at a time after reading ``prompt`` (known characters only;
    an empty prompt starts from a line break, or a space). The same seed and settings give the same
    characters; temperature 0 takes the most likely character every time (top-k then changes nothing)."""
    temperature, top_k = _check_sampling(temperature, top_k)
    if not isinstance(n, (int, np.integer)) or not 0 <= n <= MAX_GENERATE:
        raise ConfigError(f"the number of characters to write must be from 0 to {MAX_GENERATE}")
    if not prompt:
        prompt = "\n" if "\n" in tokens else " " if " " in tokens else tokens[0]
    rng = np.random.default_rng([int(seed), 7])
    x = encode(prompt, tokens)[None]  # [1, T]
    out, state = model.core(model.encoder(x))  # [1, T, H]
    logits = model.readout(out[:, -1])[0]  # [V]
    for _ in range(int(n)):
        p = next_distribution(logits.numpy(), temperature, top_k)
        i = int(np.argmax(p)) if temperature == 0 else int(rng.choice(len(p), p=p))
        yield tokens[i]
        out, state = model.core(model.encoder(torch.tensor([[i]])), state)
        logits = model.readout(out[:, -1])[0]


def generate(model, tokens, prompt: str, n: int, temperature: float = 0.8, top_k: int | None = None, seed: int = 0) -> str:
    """The text :func:`stream` writes, as one string (without the prompt)."""
    return "".join(stream(model, tokens, prompt, n, temperature, top_k, seed))


# ----- reading a text ------------------------------------------------------------------------
@dataclass
class Reading:
    """What the model thinks at every position of a text.

    text: the text read (known characters only). top_chars [T, k], top_probs [T, k]: after reading
    text[:t+1], the k most likely next characters and their probabilities. actual_prob [T-1]: the
    probability it gave text[t+1], the character that really came next. hidden [T, H]: h_t of the
    last layer after each character (cell [T, H]: c_t, for an LSTM; else None).
    """

    text: str
    top_chars: list[list[str]]
    top_probs: np.ndarray
    actual_prob: np.ndarray
    hidden: np.ndarray
    cell: np.ndarray | None

    @property
    def bits(self) -> np.ndarray:
        """-log2 of the probability of each next character (the surprise, in bits) [T-1]."""
        return -np.log2(np.clip(self.actual_prob, 1e-12, 1.0))


@torch.no_grad()
def read_text(model, tokens: tuple[str, ...], text: str, k: int = 5) -> Reading:
    """Run the model over ``text`` (known characters only, at least one) with its explicit step
    equations (:meth:`SequenceModel.trace`) and keep what it predicts and carries at every position."""
    if not text:
        raise ConfigError("type at least one character")
    x = encode(text, tokens)[None]  # [1, T]
    tr = model.trace(x)
    logits = torch.from_numpy(tr.output[0])  # [T, V]
    probs = torch.softmax(logits.double(), -1).numpy()  # [T, V]
    k = min(k, probs.shape[1])
    order = np.argsort(-probs, axis=1)[:, :k]  # [T, k]
    ids = x[0].numpy()
    actual = probs[np.arange(len(ids) - 1), ids[1:]] if len(ids) > 1 else np.zeros(0)
    return Reading(
        text=text,
        top_chars=[[tokens[j] for j in row] for row in order],
        top_probs=np.take_along_axis(probs, order, 1).astype(np.float32),
        actual_prob=actual.astype(np.float32),
        hidden=tr.hidden[-1, 0].astype(np.float32),
        cell=None if tr.cell is None else tr.cell[-1, 0].astype(np.float32),
    )


# ----- bits per character ------------------------------------------------------------------
@torch.no_grad()
def bits_per_char(model, tokens: tuple[str, ...], text: str, piece: int = PIECE) -> float:
    """Average -log2 p(next character) over a text, in pieces of ``piece`` characters read side by
    side (each piece starts from a zero state). Characters the model does not know are left out."""
    fitted, _ = fit_text(text, tokens)
    ids = encode(fitted, tokens)
    if len(ids) < 2:
        raise ConfigError("the text is too short to score")
    n = max(1, (len(ids) - 1) // piece)
    total_bits, count = 0.0, 0
    starts = [i * piece for i in range(n)]
    ends = [(i + 1) * piece + 1 if i < n - 1 else len(ids) for i in range(n)]
    by_len: dict[int, list[int]] = {}
    for s, e in zip(starts, ends):
        by_len.setdefault(e - s, []).append(s)
    for length, ss in by_len.items():
        w = torch.stack([ids[s : s + length] for s in ss])  # [B, length]
        logits = model(w[:, :-1])  # [B, length-1, V]
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), w[:, 1:], reduction="sum")
        total_bits += float(nll) / math.log(2)
        count += w[:, 1:].numel()
    return total_bits / count


def unigram_bpc(train: str, heldout: str) -> float:
    """Bits per character on ``heldout`` for a model that knows only how often each character occurs
    in ``train`` (add-one smoothing over the characters of both): the baseline that ignores order."""
    chars = sorted(set(train) | set(heldout))
    counts = {c: 1.0 for c in chars}
    for c in train:
        counts[c] += 1
    total = sum(counts.values())
    return float(-sum(math.log2(counts[c] / total) for c in heldout) / max(1, len(heldout)))


def scores(model, tokens, corpus: Corpus, train_chars: int = 40_000) -> dict[str, float]:
    """{"heldout", "train", "unigram"} bits per character: the model on the held-out text, the model on
    (the first ``train_chars`` characters of) the training text, the unigram baseline on the held-out text."""
    return {
        "heldout": bits_per_char(model, tokens, corpus.heldout),
        "train": bits_per_char(model, tokens, corpus.train[:train_chars]),
        "unigram": unigram_bpc(corpus.train, corpus.heldout),
    }


# ----- a whole training, as the command line and the shipped model do it ---------------------
SAMPLE_PROMPTS = {"pydoc": ("The ", "If the ", "A class "), "story": ("the sky ", "the robot ", "on rainy days ")}
SAMPLE_CHARS = 200
SAMPLE_TEMPERATURE = 0.7


def train_text_model(
    corpus: Corpus, settings: Settings | None = None, steps: int = DEFAULT_STEPS, progress=None, chunk: int = 50
):
    """build_text_run(corpus, settings) trained for ``steps`` steps (fewer only if it diverges),
    calling ``progress(done, steps, loss)`` after each chunk."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not 0 <= steps <= 100_000:
        raise ConfigError(f"steps must be a whole number from 0 to 100000, got {steps!r}")
    run = build_text_run(corpus, settings)
    while run.step < steps:
        if run.run(n_steps=min(chunk, steps - run.step)) == 0:
            break
        if progress:
            progress(run.step, steps, run.history.loss[-1])
    return run


MAX_LINK_STEPS = 20_000  # the most steps a link may ask a page to train again


def text_model_key(corpus: Corpus, settings: Settings, steps: int) -> tuple:
    """The name of a character model trained for ``steps`` steps (on the job board): a built-in corpus
    by name, its settings (the seed among them) and the steps."""
    return ("text-model", corpus.name, settings.key(), int(steps))


def text_model_job(corpus: Corpus, settings: Settings, steps: int, start: Trainer | None = None) -> Job:
    """build_text_run(corpus, settings) trained to ``steps`` steps, as a job of the shared worker (a link
    that names a model trained on a page: the same weights, retrained from the seed). ``start``: a copy of
    the same run at an earlier step to go on from (the process-wide cache's). Its result is the Trainer."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not 0 <= steps <= MAX_LINK_STEPS:
        raise ConfigError(f"steps must be a whole number from 0 to {MAX_LINK_STEPS}, got {steps!r}")
    label = f"{settings.arch.upper()} on {corpus.title}"
    stage = Stage(label, lambda _ctx: start if start is not None else build_text_run(corpus, settings), int(steps))
    return Job(text_model_key(corpus, settings, steps), label, [stage], lambda _ctx, stages: stages[0].trainer)


def samples(model, tokens, corpus_name: str, seed: int = 0) -> list[str]:
    """The prompts of SAMPLE_PROMPTS, each followed by SAMPLE_CHARS characters written at temperature
    SAMPLE_TEMPERATURE (seeded); a corpus without prompts of its own starts from a line break."""
    out = []
    for i, prompt in enumerate(SAMPLE_PROMPTS.get(corpus_name, ("",))):
        p, _ = fit_text(prompt, tokens)
        out.append(p + generate(model, tokens, p, SAMPLE_CHARS, SAMPLE_TEMPERATURE, None, seed + i))
    return out


def text_report(corpus_name: str | None = None, steps: int = DEFAULT_STEPS, seed: int = 0, progress=None) -> tuple[dict, Trainer]:
    """Train the character model with DEFAULTS on a built-in corpus and measure it: (report, run).
    The report holds the corpus, settings, steps, seconds, "bpc" (heldout, train, unigram) and
    "samples" (see :func:`samples`)."""
    from ..data.corpus import DEFAULT_CORPUS

    corpus = load_corpus(corpus_name or DEFAULT_CORPUS)
    settings = text_settings(seed=seed)
    run = train_text_model(corpus, settings, steps, progress)
    tokens = run.task.tokens
    report = {
        "corpus": {
            "name": corpus.name,
            "title": corpus.title,
            "source": corpus.source,
            "train_chars": len(corpus.train),
            "heldout_chars": len(corpus.heldout),
        },
        "settings": {
            **run.model.cfg.to_dict(),
            "seq_len": run.cfg.seq_len,
            "batch": run.cfg.batch_size,
            "lr": run.cfg.lr,
            "seed": seed,
        },
        "steps": run.step,
        "seconds": round(run.seconds, 1),
        "status": run.status.value,
        "bpc": {k: round(v, 4) for k, v in scores(run.model, tokens, corpus).items()},
        "samples": samples(run.model, tokens, corpus.name, seed),
    }
    return report, run


# ----- the shipped model -----------------------------------------------------------------------
MODEL_FORMAT = "rnnviz-charlm-1"


def model_bytes(run: Trainer, corpus: Corpus, report: dict) -> bytes:
    """The trained weights with what rebuilds them (weights only, float32, no optimiser state): the
    corpus name, the settings, the vocabulary, the steps, and the measured bpc and samples."""
    import io

    obj = {
        "format": MODEL_FORMAT,
        "corpus": corpus.name,
        "settings": {k: v for k, v in report["settings"].items()},
        "steps": int(run.step),
        "tokens": "".join(run.task.tokens),
        "bpc": dict(report["bpc"]),
        "samples": list(report["samples"]),
        "state_dict": {k: v.detach().clone() for k, v in run.model.state_dict().items()},
    }
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@dataclass
class TextModel:
    """A character model ready to use: its run (a Trainer; its step count is 0 for a loaded model),
    the corpus it learnt, where it comes from in words, and the steps it was trained for."""

    run: Trainer
    corpus: Corpus
    origin: str
    steps: int
    bpc: dict | None = None

    @property
    def model(self):
        return self.run.model

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.run.task.tokens


def load_model_bytes(data: bytes) -> TextModel:
    """A model saved by :func:`model_bytes`, rebuilt on its corpus. ConfigError (one line) if the
    file is not one, or if this Python's corpus has other characters than the one it was trained on."""
    import io

    try:
        obj = torch.load(io.BytesIO(data), weights_only=True)
    except Exception:
        raise ConfigError("not a saved character model") from None
    if not isinstance(obj, dict) or obj.get("format") != MODEL_FORMAT:
        raise ConfigError("not a saved character model")
    corpus = load_corpus(obj["corpus"])
    st = obj["settings"]
    settings = text_settings(
        arch=st["arch"],
        hidden=st["hidden_size"],
        layers=st["num_layers"],
        seq_len=st["seq_len"],
        batch=st["batch"],
        lr=st["lr"],
        seed=st["seed"],
    )
    run = build_text_run(corpus, settings)
    if "".join(run.task.tokens) != obj["tokens"]:
        raise ConfigError(
            "this Python's documentation has other characters than the shipped model learnt; train one here instead"
        )
    try:
        run.model.load_state_dict(obj["state_dict"])
    except (RuntimeError, KeyError):
        raise ConfigError("the saved weights do not fit the model they name") from None
    steps = int(obj["steps"])
    return TextModel(
        run, corpus, f"shipped with rnnviz: trained for {steps:,} steps with the command line's defaults", steps, obj.get("bpc")
    )


SHIPPED = Path(__file__).with_name("pretrained") / "pydoc-lstm128.pt"


def load_shipped() -> TextModel:
    """The model that ships with rnnviz (``python -m rnnviz text --save`` with the defaults)."""
    try:
        with open(SHIPPED, "rb") as f:
            return load_model_bytes(f.read())
    except OSError:
        raise ConfigError("the shipped character model is missing; train one here instead") from None
