"""Real folk tunes as (pitch, duration) notes, read from music21's corpus and shipped as a small file.

Source: two collections of dance tunes that ship, in ABC notation, in the corpus of the pinned
``music21`` package (10.5.1), and nothing else from that corpus (some of its other collections allow
only non-commercial use):

- *Ryan's Mammoth Collection* (Boston: Elias Howe, 1883): 1,050 reels, jigs and hornpipes
  (``music21/corpus/ryansMammoth``, ABC contributed by Ray Davies and others, credited in each file).
- *O'Neill's Music of Ireland* (Chicago, 1903; the "1850" tunes) (``music21/corpus/oneills1850``,
  ABC transcribed by Norbert Paap and others, credited in each file).

Licence: the printed collections are in the public domain (published before 1929); the ABC encodings
are distributed with music21 (BSD licence) with their encoders' permission, as music21's
``corpus/license.txt`` states. We ship only numbers derived from them (pitches and durations).

Parsing the ABC with music21 takes minutes, so the notes are parsed once by a command and kept in
``rnnviz/data/tunes.npz`` (a few hundred KB)::

    python -m rnnviz.data.tunes            # rebuild rnnviz/data/tunes.npz from music21's corpus

Each tune is transposed to one key signature with no sharps or flats (C major, or A minor; a modal
tune lands on the same white notes, e.g. D dorian), so a model learns the shape of melodies rather
than twelve copies of them. Every note is one token: its pitch (a MIDI number, or a rest) and its
length in quarter notes, rounded to a small set of lengths; pitches outside the range are moved by
octaves into it.

    >>> tunes = load_tunes()
    >>> tunes.titles[0], tunes.notes(0)[:3]   # doctest: +SKIP
    ('42d Highland Regiment -- Strathspey', [(76, 0.5), (72, 0.25), (69, 0.75)])
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TUNES_FILE = os.path.join(HERE, "tunes.npz")
COLLECTIONS = {
    "ryansMammoth": "Ryan's Mammoth Collection (1883)",
    "oneills1850": "O'Neill's Music of Ireland, the 1850 tunes",
}
SOURCE = (
    "Ryan's Mammoth Collection (1883) and O'Neill's 1850 tunes, in ABC notation from the corpus of music21 10.5.1; "
    "the printed collections are public domain, the ABC encodings ship with music21 with their encoders' permission"
)
LICENCE = "public domain (tunes published 1883 and 1903); ABC encodings distributed with music21 (BSD)"

REST = 0  # pitch value of a rest
LOW, HIGH = 57, 88  # A3 .. E6: pitches outside are moved by octaves into this range
DURATIONS = (0.25, 1 / 3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)  # quarter notes: 16th, triplet 8th, 8th, ...
TICKS = 12  # durations are stored as whole multiples of 1/12 of a quarter note
HELDOUT_EVERY = 10  # every 10th tune (by position in the file) is held out, never trained on
MIN_NOTES = 16
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def pitch_name(midi: int) -> str:
    """'C5' for 72 (middle C is C4 = 60), 'rest' for a rest."""
    if midi == REST:
        return "rest"
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def duration_name(q: float) -> str:
    names = {0.25: "1/16", 1 / 3: "1/8 triplet", 0.5: "1/8", 0.75: "dotted 1/8", 1.0: "1/4", 1.5: "dotted 1/4"}
    names |= {2.0: "1/2", 3.0: "dotted 1/2", 4.0: "whole"}
    return names.get(q, f"{q:g} beats")


def quantise_duration(quarters: float) -> float:
    """The nearest of DURATIONS (ratio distance: a 16th is as far from an 8th as a half from a whole)."""
    q = max(float(quarters), 1e-3)
    return min(DURATIONS, key=lambda d: abs(np.log(q / d)))


def fold_pitch(midi: int) -> int:
    """Move a pitch by octaves into LOW..HIGH (a rest stays a rest)."""
    if midi == REST:
        return REST
    while midi < LOW:
        midi += 12
    while midi > HIGH:
        midi -= 12
    return midi


def key_shift(sharps: int) -> int:
    """Semitones that move a key signature with this many sharps (flats negative) to none: the major
    key's tonic goes to C, so G major (1 sharp) moves down 7 or up 5; we pick the smaller move."""
    tonic = (7 * sharps) % 12  # pitch class of the major tonic: each sharp is a fifth up
    shift = -tonic
    return shift + 12 if shift < -6 else shift


# ----- building the shipped file from music21's corpus (slow: minutes) -----------------------------
def _scores(path: str):
    """Every tune in one ABC file as music21 scores (a file holds one tune or, O'Neill's, many)."""
    from music21 import converter, stream

    s = converter.parse(path, format="abc")
    if isinstance(s, stream.Opus):
        yield from s.scores
    else:
        yield s


def score_notes(score) -> tuple[int, list[tuple[int, int]], str]:
    """One parsed tune -> (key signature sharps, [(pitch as written, duration in 1/12 quarters)], key name).
    Grace notes are skipped, a chord counts as its top note, repeats are not expanded."""
    from music21 import key as m21key

    part = score.parts[0] if getattr(score, "parts", None) else score
    flat = part.flatten()
    keys = list(flat.getElementsByClass(m21key.KeySignature))
    sharps = int(keys[0].sharps) if keys else 0
    name = str(keys[0]) if keys else "C major"
    notes = []
    for n in flat.notesAndRests:
        if n.duration.isGrace or n.quarterLength <= 0:
            continue
        if n.isRest:
            p = REST
        elif n.isChord:
            p = max(x.midi for x in n.pitches)
        else:
            p = n.pitch.midi
        notes.append((int(p), max(1, round(float(Fraction(n.quarterLength)) * TICKS))))
    return sharps, notes, name.replace("<music21.key.Key of ", "").replace(">", "")


def transpose(notes: list[tuple[int, int]], sharps: int) -> list[tuple[int, int]]:
    """Written notes -> notes in C major / A minor, folded into LOW..HIGH."""
    shift = key_shift(sharps)
    return [(fold_pitch(p + shift) if p != REST else REST, d) for p, d in notes]


def corpus_files() -> list[tuple[str, str]]:
    """(collection, path) of every ABC file of the two collections, in a fixed order."""
    import music21

    root = os.path.join(os.path.dirname(music21.__file__), "corpus")
    out = []
    for coll in COLLECTIONS:
        d = os.path.join(root, coll)
        out += [(coll, os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".abc")]
    return out


def parse_file(coll: str, path: str) -> list[dict]:
    """The tunes of one ABC file as records (the rows of the shipped file)."""
    out = []
    for i, score in enumerate(_scores(path)):
        sharps, written, key_name = score_notes(score)
        notes = transpose(written, sharps)
        if sum(p != REST for p, _ in notes) < MIN_NOTES:
            continue
        title = (score.metadata.title if score.metadata and score.metadata.title else os.path.basename(path)).strip()
        out.append(
            dict(
                title=title,
                collection=coll,
                file=f"{coll}/{os.path.basename(path)}",
                index=i,
                key=key_name,
                shift=key_shift(sharps),
                pitch=[p for p, _ in notes],
                ticks=[d for _, d in notes],
            )
        )
    return out


def build(out: str = TUNES_FILE, limit: int | None = None, progress=None) -> int:
    """Parse every tune of both collections and write the shipped file; returns the number of tunes."""
    import warnings

    warnings.filterwarnings("ignore")
    records, seen = [], set()
    files = corpus_files()[:limit]
    for k, (coll, path) in enumerate(files):
        try:
            for r in parse_file(coll, path):
                # O'Neill's files overlap (two transcriptions of some numbers): keep a tune once, so that
                # no held-out tune is a copy of a training tune
                ids = ((coll, r["title"].lower()), tuple(r["pitch"][:32]))
                if not seen.intersection(ids):
                    records.append(r)
                seen.update(ids)
        except Exception as e:  # one unreadable ABC file should not stop the rest; say which
            print(f"skipped {path}: {type(e).__name__}: {e}"[:200], file=sys.stderr)
        if progress:
            progress(k + 1, len(files), len(records))
    lengths = np.array([len(r["pitch"]) for r in records], dtype=np.int32)
    np.savez_compressed(
        out,
        pitch=np.concatenate([r["pitch"] for r in records]).astype(np.uint8),
        ticks=np.concatenate([r["ticks"] for r in records]).astype(np.uint16),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32),
        title=np.array([r["title"] for r in records]),
        collection=np.array([r["collection"] for r in records]),
        files=np.array([r["file"] for r in records]),
        index=np.array([r["index"] for r in records], dtype=np.int16),
        key=np.array([r["key"] for r in records]),
        shift=np.array([r["shift"] for r in records], dtype=np.int8),
    )
    return len(records)


# ----- what the rest of the package uses -------------------------------------------------------------
@dataclass(frozen=True)
class Tunes:
    """Every tune as note tokens, the vocabulary, and the split by tune.

    tokens: one int array per tune (ids into ``vocab``). vocab: (pitch, quarters) per token id; id 0 is
    ``START`` (pitch -1), which begins every tune. titles, keys (the key as written), collections: per tune.
    heldout: indices of the held-out tunes (every HELDOUT_EVERY-th tune); train: the rest.
    """

    tokens: tuple
    vocab: tuple
    titles: tuple
    keys: tuple
    collections: tuple
    files: tuple
    train: tuple
    heldout: tuple
    source: str = SOURCE
    licence: str = LICENCE

    def notes(self, i: int) -> list[tuple[int, float]]:
        """Tune i as (pitch, quarters), without the start token."""
        return [self.vocab[t] for t in self.tokens[i][1:]]

    def token_name(self, t: int) -> str:
        p, q = self.vocab[t]
        return "start" if p < 0 else f"{pitch_name(p)} {duration_name(q)}"

    def encode(self, notes: list[tuple[int, float]]) -> np.ndarray:
        """Notes -> token ids (pitch folded, duration rounded; a note outside the vocabulary becomes the
        same pitch's nearest known length, else the nearest known pitch)."""
        index = {v: i for i, v in enumerate(self.vocab)}
        out = []
        for p, q in notes:
            p, q = fold_pitch(int(p)), quantise_duration(q)
            if (p, q) not in index:
                near = (
                    [v for v in self.vocab[1:] if v[0] == p] or [v for v in self.vocab[1:] if v[1] == q] or list(self.vocab[1:])
                )
                p, q = min(near, key=lambda v: (abs(v[0] - p), abs(np.log(v[1] / q))))
            out.append(index[(p, q)])
        return np.array(out, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.tokens)


START = (-1, 0.0)


@lru_cache(maxsize=2)
def load_tunes(path: str = TUNES_FILE) -> Tunes:
    """The shipped tunes (see the module docstring for the source, licence and how it was built)."""
    with np.load(path, allow_pickle=False) as z:
        pitch, ticks, offsets = z["pitch"].astype(np.int64), z["ticks"].astype(np.int64), z["offsets"]
        titles, keys, colls, files = (tuple(str(x) for x in z[k]) for k in ("title", "key", "collection", "files"))
    quarters = np.array([quantise_duration(t / TICKS) for t in range(int(ticks.max()) + 1)])
    q_idx = np.searchsorted(DURATIONS, quarters[ticks])  # [notes] index into DURATIONS
    codes, ids = np.unique(pitch * len(DURATIONS) + q_idx, return_inverse=True)  # sorted by pitch, then length
    vocab = (START, *((int(c // len(DURATIONS)), DURATIONS[c % len(DURATIONS)]) for c in codes))
    ids = ids.reshape(-1).astype(np.int64) + 1
    tokens = tuple(np.concatenate([[0], ids[offsets[i] : offsets[i + 1]]]) for i in range(len(titles)))
    held = tuple(i for i in range(len(titles)) if i % HELDOUT_EVERY == HELDOUT_EVERY - 1)
    train = tuple(i for i in range(len(titles)) if i % HELDOUT_EVERY != HELDOUT_EVERY - 1)
    return Tunes(tokens, vocab, titles, keys, colls, files, train, held)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(
        prog="python -m rnnviz.data.tunes", description="Rebuild the shipped tunes from music21's corpus."
    )
    p.add_argument("--out", default=TUNES_FILE)
    p.add_argument("--limit", type=int, default=None, help="only the first N files (a quick check)")
    a = p.parse_args(argv)
    t0 = time.time()

    def progress(k, n, found):
        if k % 25 == 0 or k == n:
            print(f"{k}/{n} files, {found} tunes, {time.time() - t0:.0f} s", file=sys.stderr)

    n = build(a.out, a.limit, progress)
    print(f"wrote {n} tunes to {a.out} ({os.path.getsize(a.out) / 1e3:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
