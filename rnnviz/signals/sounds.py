"""Recognising sounds as they arrive: synthesised vowels, spectrogram frames and a many-to-one GRU.

The speech row of the RNN story, honestly scaled down. Each clip is a sung vowel made of numbers:
a voice-like buzz (a fundamental between 90 and 220 Hz and its harmonics, gliding a little, with a
slight vibrato) shaped by three resonances, the formants, that make an "ah" sound different from an
"ee". The formant frequencies are the averages for men's voices measured by Peterson & Barney (1952);
every clip moves them by up to 10% (speakers differ), starts after a random stretch of silence and has
white noise added at the chosen level. Nothing is recorded or downloaded: the same seed gives the same
clips.

The clip becomes a spectrogram with ``torch.stft`` (32 ms windows every 16 ms), each frame becomes one
input vector of 64 frequency bands, and a GRU reads the frames one by one. It is trained many-to-one:
only its answer after the last frame counts. Reading its readout at every frame anyway shows how early
it knows: the class probabilities frame by frame, and the frame from which its answer no longer changes.

It trains like every model of the app: :func:`sounds_job` is a job of the shared worker (a
:class:`~rnnviz.runtime.training.Trainer` on :class:`VowelTask`, gradient clipped at 1), keyed by its settings and
seed; the page hands it to the worker and the command line runs the same job here.

    python -m rnnviz sounds --json        # train from the seed, score on held-out clips
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import torch

from ..errors import ConfigError
from ..models.recurrent import ModelConfig, SequenceModel
from ..runtime.jobs import Job, Stage, stage_progress
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Task

RATE = 8000  # samples per second (telephone quality: enough for the formants)
SECONDS = 0.6
N_FFT, HOP = 256, 128  # 32 ms windows, a frame every 16 ms
BANDS = 64  # frequency bands per frame (pairs of STFT bins averaged), 0 .. 4 kHz
# Peterson & Barney (1952), average formants F1, F2, F3 of men's voices, Hz
VOWELS = {
    "ah (father)": (730, 1090, 2440),
    "ee (see)": (270, 2290, 3010),
    "oo (boot)": (300, 870, 2240),
    "eh (bed)": (530, 1840, 2480),
    "aw (saw)": (570, 840, 2410),
}
CLASSES = tuple(VOWELS)
NOISE = (0.0, 3.0)  # noise level: the noise's loudness relative to the vowel's (1 = as loud)
TRAIN_NOISE = 1.5  # training clips draw their noise level from 0 to this
SOURCE = (
    "synthesised here: vowel-like sounds from harmonics shaped by formants at the average frequencies of "
    "Peterson & Barney (1952), with random pitch, formant shifts, onset and white noise"
)
MAX_STEPS = 20000
MODEL_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sounds.pt")
_LOCK = threading.Lock()


def n_samples() -> int:
    return int(RATE * SECONDS)


def n_frames() -> int:
    return n_samples() // HOP + 1


def frame_seconds(frame: int | np.ndarray) -> np.ndarray:
    """Time of a frame's centre in seconds."""
    return np.asarray(frame) * HOP / RATE


@dataclass(frozen=True)
class Clips:
    """wave [n, samples] float32; label [n] class ids; onset [n] seconds of silence before the vowel;
    f0 [n] the voice's starting pitch in Hz; noise [n] the noise level of each clip."""

    wave: np.ndarray
    label: np.ndarray
    onset: np.ndarray
    f0: np.ndarray
    noise: np.ndarray


def _resonate(x: np.ndarray, hz: float, width: float) -> np.ndarray:
    """A two-pole resonator (one formant): boosts frequencies near ``hz``, ``width`` Hz wide."""
    from scipy.signal import lfilter

    r = np.exp(-np.pi * width / RATE)
    theta = 2 * np.pi * hz / RATE
    a = [1.0, -2 * r * np.cos(theta), r * r]
    return lfilter([1 - r], a, x)


def _vowel(rng: np.random.Generator, cls: int, noise: float) -> tuple[np.ndarray, float, float]:
    """A source-filter vowel (as in Klatt's synthesiser): a buzz at the voice's pitch, passed through
    three resonators at the vowel's formants; silence before the onset, noise over everything."""
    N = n_samples()
    t = np.arange(N) / RATE
    f0 = rng.uniform(90, 220)
    glide = rng.uniform(-0.1, 0.1)
    vib = 1 + 0.01 * np.sin(2 * np.pi * rng.uniform(4, 6) * t + rng.uniform(0, 2 * np.pi))
    freq = f0 * (1 + glide * t / SECONDS) * vib  # [N] Hz
    cycle = np.cumsum(freq) / RATE + rng.uniform()  # [N] periods elapsed
    buzz = 2 * (cycle % 1.0) - 1  # a sawtooth: every harmonic of the pitch, softer as they go up
    formants = np.array(VOWELS[CLASSES[cls]], dtype=np.float64) * rng.uniform(0.9, 1.1, 3)
    x = buzz
    for hz, width in zip(formants, (90.0, 110.0, 160.0)):
        x = _resonate(x, hz, width)
    onset = rng.uniform(0.02, 0.18)
    env = np.clip((t - onset) / 0.03, 0, 1)  # silence, then a 30 ms attack
    x = x * env
    x = x / (np.sqrt(np.mean(x[t > onset] ** 2)) + 1e-9) * 0.25
    x = x + rng.normal(0, 0.25 * noise, N)
    return x.astype(np.float32), onset, f0


def make_clips(n: int, seed: int, noise: float | None = None, label: int | None = None) -> Clips:
    """n clips from their own seed. noise: one level for all (None: each clip draws one from 0 to
    TRAIN_NOISE). label: one class for all (None: each clip draws one)."""
    if not 1 <= int(n) <= 4096:
        raise ConfigError(f"between 1 and 4096 clips, got {n!r}")
    if noise is not None and not NOISE[0] <= float(noise) <= NOISE[1]:
        raise ConfigError(f"noise level must be from {NOISE[0]:g} to {NOISE[1]:g}, got {noise!r}")
    if label is not None and not 0 <= int(label) < len(CLASSES):
        raise ConfigError(f"class must be 0 to {len(CLASSES) - 1}, got {label!r}")
    return draw_clips(np.random.default_rng([int(seed), 31]), int(n), noise, label)


def draw_clips(rng: np.random.Generator, n: int, noise: float | None = None, label: int | None = None) -> Clips:
    """n clips drawn from ``rng`` (make_clips' work; the training stream draws from the trainer's own generator)."""
    labels = rng.integers(0, len(CLASSES), n) if label is None else np.full(n, int(label))
    levels = rng.uniform(0, TRAIN_NOISE, n) if noise is None else np.full(n, float(noise))
    waves, onsets, f0s = [], [], []
    for c, lv in zip(labels, levels):
        w, o, f = _vowel(rng, int(c), float(lv))
        waves.append(w)
        onsets.append(o)
        f0s.append(f)
    return Clips(np.stack(waves), labels.astype(np.int64), np.array(onsets), np.array(f0s), levels.astype(np.float32))


def spectrogram(wave: np.ndarray) -> np.ndarray:
    """Waves [n, samples] (or one [samples]) -> log-magnitude frames [n, frames, BANDS] (float32), from
    ``torch.stft`` with a Hann window; pairs of bins are averaged into bands of 62.5 Hz."""
    w = torch.as_tensor(np.atleast_2d(wave), dtype=torch.float32)
    spec = torch.stft(w, N_FFT, HOP, window=torch.hann_window(N_FFT), return_complex=True).abs()  # [n, F, frames]
    spec = spec[:, : 2 * BANDS].reshape(w.shape[0], BANDS, 2, -1).mean(2)  # [n, BANDS, frames]
    feats = (torch.log10(spec + 1e-2) + 1.0) / 2.0
    out = feats.transpose(1, 2).numpy().astype(np.float32)  # [n, frames, BANDS]
    return out if np.ndim(wave) == 2 else out[0]


def band_hz() -> np.ndarray:
    """Centre frequency of each band in Hz [BANDS]."""
    return (np.arange(BANDS) * 2 + 0.5) * RATE / N_FFT


@dataclass(frozen=True)
class SoundsConfig:
    """arch: rnn, lstm or gru; hidden: units; batch: clips per step; lr: Adam's; seed: weights and data."""

    arch: str = "gru"
    hidden: int = 32
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0

    def validate(self) -> SoundsConfig:
        if self.arch not in ("rnn", "lstm", "gru"):
            raise ConfigError(f"arch must be rnn, lstm or gru, got {self.arch!r}")
        if not isinstance(self.hidden, int) or not 2 <= self.hidden <= 128:
            raise ConfigError(f"hidden must be an integer from 2 to 128, got {self.hidden!r}")
        if not isinstance(self.batch, int) or not 1 <= self.batch <= 256:
            raise ConfigError(f"batch must be an integer from 1 to 256, got {self.batch!r}")
        if not 1e-5 <= float(self.lr) <= 1.0:
            raise ConfigError(f"lr must be from 1e-5 to 1, got {self.lr!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= 9999:
            raise ConfigError(f"seed must be an integer from 0 to 9999, got {self.seed!r}")
        return self


def build_model(cfg: SoundsConfig) -> SequenceModel:
    mc = ModelConfig(arch=cfg.arch, input_size=BANDS, hidden_size=cfg.hidden, output_size=len(CLASSES))
    with _LOCK:
        return SequenceModel(mc, seed=cfg.seed)


class VowelTask(Task):
    """Name the vowel at the end of a clip (many-to-one classification over spectrogram frames).

    Each example is one fresh clip from the training stream (a random vowel, pitch, onset and noise level
    from 0 to TRAIN_NOISE), drawn from the trainer's own generator: never one of the held-out clips, which
    come from :func:`make_clips` seeds. Input: one frame of BANDS frequency bands per step; only the answer
    after the last frame is scored. Worked example, 38 frames::

        frames 1-8: hiss only, frames 9-38: "ee" with hiss  ->  target at frame 38: ee (see)
    """

    name, title, shape, loss = "vowels", "Which vowel was sung", "many-to-one", "ce"
    metric_name, higher_is_better = "accuracy", True
    baseline_loss, baseline_metric = math.log(len(CLASSES)), 1 / len(CLASSES)  # an even guess
    solved_metric, solved_loss = 0.9, 0.3  # about nine clips in ten named right
    input_size, output_size, output_labels = BANDS, len(CLASSES), CLASSES
    min_len = max_len = default_len = n_frames()
    summary = "name the sung vowel after hearing the whole clip"

    def _make(self, rng, B, T):
        clips = draw_clips(rng, B)
        x = spectrogram(clips.wave)  # [B, frames, BANDS]
        mask = np.zeros((B, T))
        mask[:, -1] = 1  # many-to-one: only the last frame's answer counts
        return x, np.repeat(clips.label[:, None], T, 1), mask, {}


def check_steps(steps) -> int:
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not 0 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be an integer from 0 to {MAX_STEPS}, got {steps!r}")
    return int(steps)


def sounds_trainer(cfg: SoundsConfig) -> Trainer:
    """An untrained classifier and the package's Trainer for it: Adam at cfg.lr on cfg.batch fresh clips a
    step, the gradient clipped at norm 1. The worker trains it in turns (or :meth:`Job.run_here`, here)."""
    cfg.validate()
    task = VowelTask()
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed, heldout_size=8)
    return Trainer(build_model(cfg), task, tcfg)


HELDOUT_SEED = 7777  # held-out clips come from make_clips(seed=7777); training clips from the trainer's generator
HELDOUT_CLIPS = 500  # the page and the command line score a trained model on this many


@torch.no_grad()
def frame_probs(model: SequenceModel, waves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read the readout at every frame: (features [n, frames, BANDS], probabilities [n, frames, classes],
    hidden h_t [n, frames, H])."""
    model.eval()
    feats = spectrogram(np.atleast_2d(waves))
    tr = model.trace(torch.from_numpy(feats))
    probs = torch.softmax(torch.from_numpy(tr.output), -1).numpy()
    return feats, probs, tr.hidden[-1]


def settle_frame(probs: np.ndarray) -> np.ndarray:
    """For each clip [n, frames, classes]: the first frame from which the top class never changes again
    (it then equals the final answer)."""
    top = probs.argmax(-1)  # [n, frames]
    same = top == top[:, -1:]
    # the last frame where the answer differs from the final one, plus one
    differs = ~same
    last_diff = np.where(differs.any(1), differs.shape[1] - 1 - np.argmax(differs[:, ::-1], 1), -1)
    return last_diff + 1


@lru_cache(maxsize=4)
def heldout(n: int, noise: float | None = None, seed: int = HELDOUT_SEED) -> tuple[Clips, np.ndarray]:
    """The held-out clips and their spectrogram frames [n, frames, BANDS], made once per process (making
    500 clips takes seconds; every trained model is scored on the same ones). Read-only."""
    clips = make_clips(n, seed=seed, noise=noise)
    feats = spectrogram(clips.wave)
    for a in (clips.wave, clips.label, clips.onset, clips.f0, clips.noise, feats):
        a.flags.writeable = False
    return clips, feats


@torch.no_grad()
def evaluate(model: SequenceModel, n: int = HELDOUT_CLIPS, noise: float | None = None, seed: int = HELDOUT_SEED) -> dict:
    """Accuracy of the final answer on n held-out clips, per class, and when the answer settles (median
    over correctly classified clips, in frames, in ms from the start and in ms after the vowel began)."""
    clips, feats = heldout(int(n), None if noise is None else float(noise), int(seed))
    model.eval()
    probs = torch.softmax(model(torch.tensor(feats)), -1).numpy()  # the readout at every frame [n, frames, classes]
    pred = probs[:, -1].argmax(-1)
    right = pred == clips.label
    settle = settle_frame(probs)
    ms = frame_seconds(settle) * 1000
    after = ms - clips.onset * 1000
    per_class = {c: float(right[clips.label == k].mean()) for k, c in enumerate(CLASSES) if (clips.label == k).any()}
    ok = right if right.any() else np.ones_like(right)
    by_noise = {}
    for lo, hi in ((0, 0.5), (0.5, 1.0), (1.0, 1.5)):
        sel = (clips.noise >= lo) & (clips.noise < hi)
        if sel.any() and noise is None:
            by_noise[f"{lo:g}-{hi:g}"] = float(right[sel].mean())
    return {
        "accuracy": float(right.mean()),
        "chance": 1 / len(CLASSES),
        "clips": int(n),
        "per_class": per_class,
        "accuracy_by_noise": by_noise,
        "frames": n_frames(),
        "frame_ms": 1000 * HOP / RATE,
        "settle_frame_median": float(np.median(settle[ok])),
        "settle_ms_median": float(np.median(ms[ok])),
        "settle_ms_after_onset_median": float(np.median(after[ok])),
    }


@dataclass(frozen=True)
class Listening:
    """One clip as the model hears it: wave [samples]; spec [frames, BANDS]; hidden [frames, H];
    probs [frames, classes]; label, onset (s), noise; settle (frame); answer (class id)."""

    wave: np.ndarray
    spec: np.ndarray
    hidden: np.ndarray
    probs: np.ndarray
    label: int
    onset: float
    noise: float
    settle: int
    answer: int


def listen(model: SequenceModel, label: int, noise: float, seed: int) -> Listening:
    """Make one clip of this class and noise level from this seed and let the model listen to it."""
    clips = make_clips(1, seed=int(seed), noise=noise, label=label)
    feats, probs, hidden = frame_probs(model, clips.wave)
    return Listening(
        wave=clips.wave[0],
        spec=feats[0],
        hidden=hidden[0].astype(np.float32),
        probs=probs[0].astype(np.float32),
        label=int(label),
        onset=float(clips.onset[0]),
        noise=float(noise),
        settle=int(settle_frame(probs)[0]),
        answer=int(probs[0, -1].argmax()),
    )


def clip_audio(x: Listening) -> bytes:
    from .audio import wav_bytes

    peak = float(np.abs(x.wave).max()) or 1.0
    return wav_bytes(x.wave * (0.9 / peak), RATE)


def save(m: LoadedSounds, path: str) -> None:
    torch.save({"config": asdict(m.cfg), "step": m.step, "scores": m.scores or {}, "state": m.model.state_dict()}, path)


@dataclass
class LoadedSounds:
    """A trained classifier: the model, its config, the steps it trained and its held-out scores (the shipped
    one read from a file, or a job's result)."""

    model: SequenceModel
    cfg: SoundsConfig
    step: int
    scores: dict


def load(path: str = MODEL_FILE) -> LoadedSounds:
    obj = torch.load(path, weights_only=True)
    cfg = SoundsConfig(**obj["config"]).validate()
    model = build_model(cfg)
    model.load_state_dict(obj["state"])
    model.eval()
    return LoadedSounds(model, cfg, int(obj["step"]), dict(obj["scores"]))


def sounds_key(cfg: SoundsConfig, steps: int, clips: int = HELDOUT_CLIPS) -> tuple:
    """The job's name: training is deterministic for the config (seed included), the steps and the clips scored."""
    return ("sounds", cfg.validate(), check_steps(steps), int(clips))


def sounds_job(cfg: SoundsConfig | None = None, steps: int = 200, clips: int = HELDOUT_CLIPS) -> Job:
    """Train a classifier from the seed for ``steps`` steps, then score it on ``clips`` held-out clips: a job
    for the shared worker (one stage); its result is a :class:`LoadedSounds`. Raises ConfigError."""
    cfg = (cfg or SoundsConfig()).validate()
    key = sounds_key(cfg, steps, clips)
    if not 1 <= int(clips) <= 4096:
        raise ConfigError(f"between 1 and 4096 clips, got {clips!r}")
    label = f"{cfg.arch.upper()} vowel classifier"

    def build(_ctx) -> Trainer:
        return sounds_trainer(cfg)

    def combine(_ctx, stages: list[Stage]) -> LoadedSounds:
        tr = stages[0].trainer
        return LoadedSounds(tr.model, cfg, tr.step, evaluate(tr.model, int(clips)))

    return Job(key, f"Sounds: {label}, {key[2]:,} steps, seed {cfg.seed}", [Stage(label, build, key[2])], combine)


def train_and_score(
    cfg: SoundsConfig, steps: int, progress: Callable | None = None, save_to: str | None = None, n_eval: int = HELDOUT_CLIPS
) -> dict:
    """What ``python -m rnnviz sounds`` does: the page's job (:func:`sounds_job`) run here. progress(step,
    steps, loss) is called after every chunk of training."""
    t0 = time.time()
    job = sounds_job(cfg, steps, n_eval)
    job.run_here(stage_progress(job, progress))
    m = job.result
    if save_to:
        save(m, save_to)
    return {"config": asdict(cfg), "steps": steps, "seconds": round(time.time() - t0, 1), "source": SOURCE, "scores": m.scores}
