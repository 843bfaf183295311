"""Recorded sequences to recognise: sets from the UEA/UCR time-series classification archives that ship
inside sktime (read from the installed package with ``sktime.datasets``; nothing is downloaded).

    japanese_vowels  speech   nine men saying the vowel /ae/, 12 LPC cepstrum coefficients per frame,
                              7 to 29 frames: which speaker is it? (270 to train, 370 to test)
    basic_motions    sensors  a smartwatch's accelerometer and gyroscope (x, y, z each), 100 readings:
                              standing, walking, running or badminton? (40 + 40)
    gun_point        video    the x position of an actor's right hand, tracked frame by frame in video,
                              150 frames: drawing a replica gun, or pointing a finger? (50 + 150)
    italy_power      power    Italy's electricity demand hour by hour over one day (24 readings):
                              a day from October to March, or from April to September? (67 + 1029)

Each set comes as float32 arrays [n, T, channels] padded with zeros after each sequence's own length,
the lengths, class ids, class and channel names, and its description read from the archive file's
header. Values are normalised per channel with the mean and spread of the *training* split only (the
test split is scaled with the same numbers); ``raw`` keeps the values as recorded, for drawing.

Terms: the archives are free for research and teaching, citing them (Dau et al., "The UCR time series
archive", 2019; Bagnall et al., "The UEA multivariate time series classification archive", 2018) and
each set's origin (below); sktime itself is BSD-3-Clause. JapaneseVowels comes from the UCI Machine
Learning Repository (CC BY 4.0; Kudo, Toyama & Shimbo 1999).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..errors import ConfigError

ARCHIVE_TERMS = (
    "UEA/UCR time-series classification archives (Dau et al. 2019; Bagnall et al. 2018), free for research and "
    "teaching with citation, as shipped inside the sktime package (BSD-3-Clause)"
)


@dataclass(frozen=True)
class About:
    """What a set is, in our words: its key, sktime's problem name, the kind of recording, a title, the
    question a model answers, class and channel names, origin and terms, and what a step is."""

    name: str
    problem: str
    kind: str
    title: str
    question: str
    classes: tuple[str, ...]
    channels: tuple[str, ...]
    step: str  # what one time step is, e.g. "a frame of 6.4 ms"
    origin: str
    terms: str
    notes: str = ""


SETS: dict[str, About] = {
    "japanese_vowels": About(
        "japanese_vowels",
        "JapaneseVowels",
        "speech",
        "Japanese vowels: who is speaking?",
        "Nine men each said the vowel /ae/; from the sound alone, which of the nine is speaking?",
        tuple(f"speaker {k}" for k in range(1, 10)),
        tuple(f"cepstral coefficient {k}" for k in range(1, 13)),
        "one analysis frame of the recording",
        "UCI Machine Learning Repository, Japanese Vowels (Kudo, Toyama & Shimbo 1999), via the UEA archive",
        "CC BY 4.0 (UCI); archive citation requested",
        "Each frame is 12 LPC cepstrum coefficients, a compact description of the sound's spectrum (the shape of "
        "the speaker's vocal tract), not the waveform. Utterances are 7 to 29 frames long.",
    ),
    "basic_motions": About(
        "basic_motions",
        "BasicMotions",
        "sensors",
        "Basic motions: what is the wearer doing?",
        "A smartwatch recorded its wearer for 10 seconds: standing, walking, running or playing badminton?",
        ("badminton", "running", "standing", "walking"),
        ("accelerometer x", "accelerometer y", "accelerometer z", "gyroscope x", "gyroscope y", "gyroscope z"),
        "one reading, every tenth of a second",
        "UEA multivariate archive, BasicMotions (four students wearing a smartwatch, five recordings each)",
        "archive citation requested",
    ),
    "gun_point": About(
        "gun_point",
        "GunPoint",
        "video",
        "Gun or point: what does the hand do?",
        "A hand was tracked in video, frame by frame: did the actor draw a replica gun from a holster, or only point?",
        ("gun drawn", "finger pointed"),
        ("hand x",),
        "one video frame",
        "UCR archive, GunPoint (Ratanamahatana & Keogh; two actors, the x position of the right hand's centroid)",
        "archive citation requested",
        "The archive stores each recording already scaled to mean 0 and spread 1, so the curve's shape, not the "
        "pixel position, is what there is to learn. The archive numbers its classes 1 and 2; we name them in the "
        "order its description gives (gun drawn, then pointed).",
    ),
    "italy_power": About(
        "italy_power",
        "ItalyPowerDemand",
        "power",
        "Italy's power demand: winter or summer day?",
        "Italy's electricity demand, hour by hour for one day: is it a day from October to March, or from April to September?",
        ("October to March", "April to September"),
        ("demand",),
        "one hour",
        "UCR archive, ItalyPowerDemand (twelve months of Italy's hourly electricity demand, Keogh et al. 2006)",
        "archive citation requested",
        "Only 67 days to learn from and 1,029 to be tested on: a small-data problem. The archive numbers its classes "
        "1 and 2; class 1's days peak in the evening (lights on early), as October to March should.",
    ),
}
NAMES = tuple(SETS)


@dataclass(frozen=True)
class Split:
    """x [n, T, C] normalised float32, zero after each length; raw [n, T, C] as recorded (zero-padded);
    lengths [n] int64; y [n] int64 class ids."""

    x: np.ndarray
    raw: np.ndarray
    lengths: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Archive:
    """One set: about (names, origin), train and test splits, the training split's per-channel mean and std
    used to normalise both, and the archive file's own description (``header``)."""

    about: About
    train: Split
    test: Split
    mean: np.ndarray
    std: np.ndarray
    header: str

    @property
    def name(self) -> str:
        return self.about.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.about.classes

    @property
    def channels(self) -> tuple[str, ...]:
        return self.about.channels

    @property
    def max_len(self) -> int:
        return int(max(self.train.x.shape[1], self.test.x.shape[1]))

    @property
    def equal_length(self) -> bool:
        return bool((self.train.lengths == self.max_len).all() and (self.test.lengths == self.max_len).all())

    def source(self) -> str:
        return f"{self.about.origin}. Terms: {self.about.terms}; {ARCHIVE_TERMS}."


def check_name(name) -> str:
    if name not in SETS:
        raise ConfigError(f"unknown data set {name!r}; choose one of {', '.join(NAMES)}")
    return str(name)


def _ts_file(problem: str, split: str) -> str:
    import sktime

    return os.path.join(os.path.dirname(sktime.__file__), "datasets", "data", problem, f"{problem}_{split.upper()}.ts")


def _header(problem: str) -> str:
    """The archive file's own description: its comment lines, joined."""
    lines = []
    with open(_ts_file(problem, "train"), encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("#"):
                break
            lines.append(line[1:].strip())
    return " ".join(x for x in lines if x).strip()


def _read(problem: str, split: str) -> tuple[list[np.ndarray], np.ndarray]:
    """sktime's reader: a list of [T_i, C] float arrays and the labels as strings."""
    from sktime.datasets import load_UCR_UEA_dataset

    X, y = load_UCR_UEA_dataset(problem, split=split, return_type="nested_univ")
    seqs = [np.stack([np.asarray(X.iloc[i, c], dtype=np.float64) for c in range(X.shape[1])], 1) for i in range(len(X))]
    return seqs, np.asarray(y).astype(str)


def _pad(seqs: list[np.ndarray], T: int) -> np.ndarray:
    out = np.zeros((len(seqs), T, seqs[0].shape[1]), dtype=np.float32)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def _class_ids(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Labels to ids in the order of the About's class names (sorted archive labels: numbers as numbers)."""
    keys = sorted(set(labels), key=lambda s: (0, int(s)) if s.lstrip("-").isdigit() else (1, s))
    index = {k: i for i, k in enumerate(keys)}
    return np.array([index[v] for v in labels], dtype=np.int64), keys


@cache
def load_archive(name: str) -> Archive:
    """One set, read once per process (arrays read-only). Raises ConfigError for an unknown name."""
    about = SETS[check_name(name)]
    tr_seqs, tr_lab = _read(about.problem, "train")
    te_seqs, te_lab = _read(about.problem, "test")
    if any(np.isnan(s).any() for s in tr_seqs + te_seqs):
        raise ConfigError(f"{about.problem} has missing values, which this loader does not fill")
    tr_y, keys = _class_ids(tr_lab)
    te_index = {k: i for i, k in enumerate(keys)}
    te_y = np.array([te_index[v] for v in te_lab], dtype=np.int64)
    if len(keys) != len(about.classes):
        raise ConfigError(f"{about.problem}: expected {len(about.classes)} classes, the file has {len(keys)}")
    if tr_seqs[0].shape[1] != len(about.channels):
        raise ConfigError(f"{about.problem}: expected {len(about.channels)} channels, the file has {tr_seqs[0].shape[1]}")
    T = max(len(s) for s in tr_seqs + te_seqs)
    every = np.concatenate(tr_seqs, 0)  # every real step of the training split [sum T_i, C]
    mean, std = every.mean(0), every.std(0)
    std = np.where(std > 1e-8, std, 1.0)

    def split(seqs, y) -> Split:
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        raw = _pad(seqs, T)
        x = _pad([(s - mean) / std for s in seqs], T)
        for a in (raw, x, lengths, y):
            a.flags.writeable = False
        return Split(x, raw, lengths, y)

    return Archive(
        about, split(tr_seqs, tr_y), split(te_seqs, te_y), mean.astype(np.float32), std.astype(np.float32), _header(about.problem)
    )


FRACTIONS = tuple(round(0.1 * k, 1) for k in range(1, 11))  # the parts of a sequence seen: 10%, 20%, ... all of it


def truncate(x: np.ndarray, lengths: np.ndarray, fraction: float) -> np.ndarray:
    """How many steps of each sequence a reader has seen at ``fraction`` of it (at least one): [n] int64."""
    if not 0 < float(fraction) <= 1:
        raise ConfigError(f"fraction must be above 0 and at most 1, got {fraction!r}")
    return np.maximum(1, np.ceil(np.asarray(lengths) * float(fraction) - 1e-9)).astype(np.int64)


def describe(name: str) -> dict:
    """The set in numbers and words (for the CLI and the page): sizes, lengths, classes, channels, source."""
    a = load_archive(name)
    return {
        "name": a.name,
        "problem": a.about.problem,
        "kind": a.about.kind,
        "question": a.about.question,
        "train": len(a.train),
        "test": len(a.test),
        "length_min": int(min(a.train.lengths.min(), a.test.lengths.min())),
        "length_max": a.max_len,
        "classes": list(a.classes),
        "channels": list(a.channels),
        "train_per_class": np.bincount(a.train.y, minlength=len(a.classes)).tolist(),
        "test_per_class": np.bincount(a.test.y, minlength=len(a.classes)).tolist(),
        "source": a.source(),
    }
