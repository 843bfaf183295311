"""A melody model: an LSTM (or GRU, RNN) that reads a tune note by note and predicts the next note.

Each note is one token, its pitch and its length together (see :mod:`rnnviz.data.tunes`: real tunes
from Ryan's Mammoth Collection and O'Neill's, all moved to C major / A minor). The model is the
package's :class:`~rnnviz.models.recurrent.SequenceModel` with an embedding in front: token ids [B, T] in, a score
for every possible next token [B, T, V] out.

- ``melody_job``: trains on windows of the training tunes (never on a held-out tune) as a job of the
  shared worker: a :class:`MelodyTask` and the package's :class:`~rnnviz.runtime.training.Trainer` (gradient
  clipped at 1), keyed by its settings and seed; the command line runs the same job here.
- ``evaluate``: next-note accuracy on the held-out tunes, against a bigram baseline (the note that
  most often followed the current note in the training tunes) and against always guessing the
  commonest note.
- ``generate``: continue a seed phrase one sampled note at a time, with a temperature and a seed.
- ``hidden_states``: the hidden state h_t after every note, for the picture under the piano roll.
- a small trained model ships in ``rnnviz/signals/melody.pt`` (about 300 KB), made by
  ``python -m rnnviz music --steps 3000 --save rnnviz/signals/melody.pt``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..data.tunes import REST, Tunes, load_tunes
from ..errors import ConfigError
from ..models.recurrent import ModelConfig, SequenceModel
from ..runtime.jobs import Job, Stage, stage_progress
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Task

MELODY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "melody.pt")
LIMITS = {"hidden": (4, 256), "embed": (2, 64), "window": (8, 256), "batch": (1, 256), "steps": (0, 20000)}
TEMPERATURE = (0.0, 2.0)
MAX_NOTES = 400
_LOCK = threading.Lock()  # torch's global RNG during model init


@dataclass(frozen=True)
class MelodyConfig:
    """arch: rnn, lstm or gru. hidden: units. embed: width of each note's learned vector. window: notes
    per training example. batch: examples per step. lr: Adam's learning rate. seed: weights and data."""

    arch: str = "lstm"
    hidden: int = 64
    embed: int = 32
    window: int = 64
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0

    def validate(self) -> MelodyConfig:
        if self.arch not in ("rnn", "lstm", "gru"):
            raise ConfigError(f"arch must be rnn, lstm or gru, got {self.arch!r}")
        for name, (lo, hi) in LIMITS.items():
            if name == "steps":
                continue
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be an integer from {lo} to {hi}, got {v!r}")
        if not 1e-5 <= float(self.lr) <= 1.0:
            raise ConfigError(f"lr must be from 1e-5 to 1, got {self.lr!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= 9999:
            raise ConfigError(f"seed must be an integer from 0 to 9999, got {self.seed!r}")
        return self


def build_model(cfg: MelodyConfig, vocab_size: int) -> SequenceModel:
    mc = ModelConfig(arch=cfg.arch, input_size=cfg.embed, hidden_size=cfg.hidden, output_size=vocab_size, vocab_size=vocab_size)
    return SequenceModel(mc, seed=cfg.seed)


def _stream(tunes: Tunes, which: tuple) -> np.ndarray:
    """The chosen tunes one after another, each opening with the start token."""
    return np.concatenate([tunes.tokens[i] for i in which])


class MelodyTask(Task):
    """The next note of a real tune, at every note of a window (many-to-many classification).

    Each example is ``window`` consecutive tokens of the training tunes, laid end to end (each tune opens
    with the start token); the target at every step is the token that follows. Held-out tunes are never in
    the stream. Worked example, window 4::

        inputs   start  G quarter  A eighth  B eighth
        targets  G quarter  A eighth  B eighth  C half
    """

    name, title, shape, loss = "melody", "The next note of a folk tune", "many-to-many", "ce"
    metric_name, higher_is_better = "accuracy", True
    summary = "guess the next note (pitch and length) of a real tune"

    def __init__(self, tunes: Tunes, window: int):
        V = len(tunes.vocab)
        self.data = _stream(tunes, tunes.train).astype(
            np.int16 if V < 2**15 else np.int64
        )  # small to send to the trainer process
        self.min_len = self.max_len = self.default_len = int(window)
        self.tokens = self.output_labels = tuple(tunes.token_name(t) for t in range(V))
        self.output_size = V
        self.baseline_loss, self.solved_loss = reference_losses(tunes)
        counts = bigram_counts(tunes)
        self.baseline_metric = float(counts.sum(0).max() / counts.sum())  # always the commonest note
        self.solved_metric = float(counts.max(1).sum() / counts.sum())  # the bigram rule, on the training tunes

    def _make(self, rng, B, T):
        starts = rng.integers(0, len(self.data) - T - 1, size=B)
        chunk = self.data[starts[:, None] + np.arange(T + 1)].astype(np.int64)  # [B, T+1]
        return chunk[:, :-1], chunk[:, 1:], np.ones((B, T)), {}  # predict each next token


def reference_losses(tunes: Tunes) -> tuple[float, float]:
    """(guess, bigram): the training loss (cross-entropy per note, nats) of guessing every note from how common
    it is, and of the bigram rule's odds (how often each note followed the current one), on the training tunes."""
    counts = bigram_counts(tunes).astype(np.float64)
    n = counts.sum()
    p = counts.sum(0) / n
    guess = float(-(p[p > 0] * np.log(p[p > 0])).sum())
    rows = counts.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(counts > 0, np.log(counts / np.where(rows > 0, rows, 1)), 0.0)
    return guess, float(-(counts * cond).sum() / n)


def check_steps(steps) -> int:
    lo, hi = LIMITS["steps"]
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not lo <= steps <= hi:
        raise ConfigError(f"steps must be an integer from {lo} to {hi}, got {steps!r}")
    return int(steps)


def melody_trainer(cfg: MelodyConfig, tunes: Tunes) -> Trainer:
    """An untrained melody model and the package's Trainer for it: Adam at cfg.lr on cfg.batch random windows
    of the training tunes a step, the gradient clipped at norm 1."""
    cfg.validate()
    task = MelodyTask(tunes, cfg.window)
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed, seq_len=cfg.window, heldout_size=8)
    return Trainer(build_model(cfg, len(tunes.vocab)), task, tcfg)


# ----- scores ----------------------------------------------------------------------------------
def bigram_counts(tunes: Tunes, which: tuple | None = None) -> np.ndarray:
    """counts[a, b]: how often token b followed token a in the chosen (default: training) tunes."""
    V = len(tunes.vocab)
    counts = np.zeros((V, V), dtype=np.int64)
    for i in tunes.train if which is None else which:
        t = tunes.tokens[i]
        np.add.at(counts, (t[:-1], t[1:]), 1)
    return counts


def bigram_predict(counts: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """The commonest follower of each previous token (the commonest note overall if never seen)."""
    overall = int(counts.sum(0).argmax())
    best = counts.argmax(1)
    best[counts.sum(1) == 0] = overall
    return best[prev]


@torch.no_grad()
def predict_tune(model: SequenceModel, tokens: np.ndarray) -> np.ndarray:
    """The model's guess for every next token of one tune [T-1] (it sees the tune up to each note)."""
    model.eval()
    out = model(torch.from_numpy(np.asarray(tokens[:-1], dtype=np.int64))[None])  # [1, T-1, V]
    return out[0].argmax(-1).numpy()


def evaluate(model: SequenceModel, tunes: Tunes, which: tuple | None = None, counts: np.ndarray | None = None) -> dict:
    """Next-note accuracy over every note of the held-out tunes (a note counts as right only if both
    its pitch and its length are right), for the model, the bigram baseline and the commonest note;
    also the pitch alone."""
    which = tunes.heldout if which is None else which
    counts = bigram_counts(tunes) if counts is None else counts
    common = int(counts.sum(0).argmax())
    pitch = np.array([p for p, _ in tunes.vocab])
    hits = {"model": 0, "bigram": 0, "common": 0, "model_pitch": 0, "bigram_pitch": 0}
    n = 0
    for i in which:
        t = tunes.tokens[i]
        truth = t[1:]
        m = predict_tune(model, t)
        b = bigram_predict(counts, t[:-1])
        hits["model"] += int((m == truth).sum())
        hits["bigram"] += int((b == truth).sum())
        hits["common"] += int((truth == common).sum())
        hits["model_pitch"] += int((pitch[m] == pitch[truth]).sum())
        hits["bigram_pitch"] += int((pitch[b] == pitch[truth]).sum())
        n += len(truth)
    return {
        "accuracy": hits["model"] / n,
        "bigram_accuracy": hits["bigram"] / n,
        "common_accuracy": hits["common"] / n,
        "pitch_accuracy": hits["model_pitch"] / n,
        "bigram_pitch_accuracy": hits["bigram_pitch"] / n,
        "heldout_tunes": len(which),
        "heldout_notes": n,
    }


# ----- generation and inspection -----------------------------------------------------------------
@torch.no_grad()
def generate(model: SequenceModel, seed_tokens: np.ndarray, n: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
    """Continue ``seed_tokens`` (starting with the start token) by ``n`` sampled tokens; returns the
    new tokens only. temperature 0 always takes the likeliest note; 1 samples the model's own odds;
    higher flattens them (more surprising). The same seed gives the same tune. The start token is never
    sampled (a tune does not restart in the middle)."""
    if not 0 <= n <= MAX_NOTES:
        raise ConfigError(f"a generated tune has 0 to {MAX_NOTES} notes, got {n!r}")
    lo, hi = TEMPERATURE
    if not lo <= float(temperature) <= hi:
        raise ConfigError(f"temperature must be from {lo:g} to {hi:g}, got {temperature!r}")
    model.eval()
    rng = np.random.default_rng([int(seed), 23])
    x = torch.from_numpy(np.asarray(seed_tokens, dtype=np.int64))[None]  # [1, T]
    out, state = model.core(model.encoder(x))
    logits = model.readout(out[:, -1])[0]  # [V]
    new = []
    for _ in range(n):
        logits = logits.double().clone()
        logits[0] = -np.inf  # not the start token
        if temperature <= 1e-6:
            tok = int(logits.argmax())
        else:
            p = torch.softmax(logits / float(temperature), -1).numpy()
            tok = int(rng.choice(len(p), p=p / p.sum()))
        new.append(tok)
        out, state = model.core(model.encoder(torch.tensor([[tok]])), state)
        logits = model.readout(out[:, -1])[0]
    return np.array(new, dtype=np.int64)


@torch.no_grad()
def hidden_states(model: SequenceModel, tokens: np.ndarray) -> np.ndarray:
    """h_t of the last layer after reading each token [T, H] (for an LSTM, h_t, not the cell c_t)."""
    model.eval()
    tr = model.trace(torch.from_numpy(np.asarray(tokens, dtype=np.int64))[None])
    return tr.hidden[-1, 0]


@dataclass(frozen=True)
class Melody:
    """A seed phrase and its continuation, ready to draw and play. notes: (pitch, quarters) for every
    note (seed first); n_seed: how many are the seed; hidden [n_notes, H]: h_t after each note;
    onsets [n_notes + 1]: start of each note in quarter notes (the last entry is the end);
    pitch_corr [H]: how closely each unit rises and falls with the pitch over this tune (correlation
    over the notes that are not rests; 0 for a unit that does not move)."""

    notes: tuple
    names: tuple
    n_seed: int
    hidden: np.ndarray
    onsets: np.ndarray
    temperature: float
    seed: int
    pitch_corr: np.ndarray

    def units_by_pitch(self) -> np.ndarray:
        """Unit ids, the unit that follows the melody's height most closely first, the most opposed last."""
        return np.argsort(-self.pitch_corr, kind="stable")


def pitch_correlation(hidden: np.ndarray, pitches: np.ndarray) -> np.ndarray:
    """Correlation of each unit [T, H] with the pitch [T] over the notes that sound (rests left out)."""
    keep = pitches != REST
    h, p = hidden[keep].astype(np.float64), pitches[keep].astype(np.float64)
    if len(p) < 3 or p.std() == 0:
        return np.zeros(hidden.shape[1])
    hc, pc = h - h.mean(0), p - p.mean()
    den = np.sqrt((hc**2).sum(0) * (pc**2).sum())
    return np.where(den > 0, (hc * pc[:, None]).sum(0) / np.where(den > 0, den, 1), 0.0)


def melody(model: SequenceModel, tunes: Tunes, tune: int, seed_notes: int, n: int, temperature: float, seed: int) -> Melody:
    """Take the opening ``seed_notes`` notes of tune number ``tune`` as the seed phrase, continue it by
    ``n`` notes, and trace the hidden state over the whole thing."""
    if not 0 <= int(tune) < len(tunes):
        raise ConfigError(f"there is no tune number {tune!r}")
    toks = tunes.tokens[int(tune)]
    k = int(min(len(toks) - 1, max(1, seed_notes)))
    seed_toks = toks[: k + 1]  # start token + k notes
    new = generate(model, seed_toks, n, temperature, seed)
    allt = np.concatenate([seed_toks, new])
    h = hidden_states(model, allt)[1:]  # after each note (not after the start token)
    notes = tuple(tunes.vocab[t] for t in allt[1:])
    q = np.array([d for _, d in notes], dtype=np.float64)
    return Melody(
        notes=notes,
        names=tuple(tunes.token_name(t) for t in allt[1:]),
        n_seed=k,
        hidden=h.astype(np.float32),
        onsets=np.concatenate([[0.0], np.cumsum(q)]),
        temperature=float(temperature),
        seed=int(seed),
        pitch_corr=pitch_correlation(h, np.array([p for p, _ in notes])),
    )


def melody_audio(m: Melody, bpm: float = 120.0) -> bytes:
    from .audio import melody_wave, wav_bytes

    return wav_bytes(melody_wave(list(m.notes), bpm, rest=REST))


# ----- saving, loading, the shipped model, the job ---------------------------------------------
def save(m: LoadedMelody, path: str) -> None:
    torch.save(
        {
            "config": asdict(m.cfg),
            "vocab_size": m.model.cfg.vocab_size,
            "step": m.step,
            "scores": m.scores or {},
            "state": m.model.state_dict(),
        },
        path,
    )


@dataclass
class LoadedMelody:
    """A trained melody model: the model, its config, the steps it trained and its held-out scores (the
    shipped one read from a file, or a job's result)."""

    model: SequenceModel
    cfg: MelodyConfig
    step: int
    scores: dict


def load(path: str = MELODY_FILE, tunes: Tunes | None = None) -> LoadedMelody:
    tunes = tunes or load_tunes()
    obj = torch.load(path, weights_only=True)
    cfg = MelodyConfig(**obj["config"]).validate()
    if obj["vocab_size"] != len(tunes.vocab):
        raise ConfigError(f"{path} was trained on another set of tunes ({obj['vocab_size']} tokens, now {len(tunes.vocab)})")
    with _LOCK:
        model = build_model(cfg, obj["vocab_size"])
    model.load_state_dict(obj["state"])
    model.eval()
    return LoadedMelody(model, cfg, int(obj["step"]), dict(obj["scores"]))


def melody_key(cfg: MelodyConfig, steps: int) -> tuple:
    """The job's name: training is deterministic for the config (seed included) and the steps."""
    return ("music", cfg.validate(), check_steps(steps))


def melody_job(cfg: MelodyConfig | None = None, steps: int = 300) -> Job:
    """Train a melody model from the seed for ``steps`` steps, then score it on the held-out tunes: a job for
    the shared worker (the tunes, then one stage); its result is a :class:`LoadedMelody`. Raises ConfigError."""
    cfg = (cfg or MelodyConfig()).validate()
    key = melody_key(cfg, steps)
    label = f"{cfg.arch.upper()} melody model"

    def build(tunes: Tunes) -> Trainer:
        return melody_trainer(cfg, tunes)

    def combine(tunes: Tunes, stages: list[Stage]) -> LoadedMelody:
        tr = stages[0].trainer
        return LoadedMelody(tr.model, cfg, tr.step, evaluate(tr.model, tunes))

    return Job(
        key, f"Music: {label}, {key[2]:,} steps, seed {cfg.seed}", [Stage(label, build, key[2])], combine, prepare=load_tunes
    )


def train_and_score(cfg: MelodyConfig, steps: int, progress: Callable | None = None, save_to: str | None = None) -> dict:
    """What ``python -m rnnviz music`` does: the page's job (:func:`melody_job`) run here. progress(step,
    steps, loss) is called after every chunk of training."""
    t0 = time.time()
    job = melody_job(cfg, steps)
    job.run_here(stage_progress(job, progress))
    m, tunes = job.result, job.ctx
    if save_to:
        save(m, save_to)
    return {
        "config": asdict(cfg),
        "steps": steps,
        "seconds": round(time.time() - t0, 1),
        "tunes": {"train": len(tunes.train), "heldout": len(tunes.heldout), "vocab": len(tunes.vocab)},
        "source": tunes.source,
        "scores": m.scores,
    }
