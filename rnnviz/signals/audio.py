"""Sound as numbers: notes synthesised with numpy (a few harmonics under an envelope) and WAV bytes
that ``st.audio`` plays. No sound files ship; everything is computed here."""

from __future__ import annotations

import io
import wave

import numpy as np

RATE = 16000  # samples per second: plenty for melodies in the treble range


def midi_hz(midi: int | np.ndarray) -> np.ndarray:
    """MIDI note number -> frequency in Hz (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


def tone(hz: float, seconds: float, rate: int = RATE, harmonics: tuple[float, ...] = (1.0, 0.45, 0.25, 0.12)) -> np.ndarray:
    """One note: a sum of harmonics (amplitudes given for 1x, 2x, 3x... the frequency) with a quick
    attack and an exponential decay, like a plucked or struck string. float32 in [-1, 1]."""
    n = max(1, int(round(seconds * rate)))
    t = np.arange(n) / rate
    x = sum(a * np.sin(2 * np.pi * hz * (k + 1) * t) for k, a in enumerate(harmonics) if hz * (k + 1) < rate / 2)
    attack = min(n, int(0.012 * rate))
    env = np.exp(-3.0 * t / max(seconds, 1e-3))
    env[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
    release = min(n, int(0.015 * rate))
    env[n - release :] *= np.linspace(1.0, 0.0, release)
    return (x * env / sum(harmonics)).astype(np.float32)


def melody_wave(notes: list[tuple[int, float]], bpm: float = 120.0, rate: int = RATE, rest: int = 0) -> np.ndarray:
    """(MIDI pitch, length in quarter notes) -> one waveform; a pitch equal to ``rest`` is silence.
    A quarter note lasts 60/bpm seconds. Peak scaled to 0.9."""
    beat = 60.0 / float(bpm)
    parts = []
    for p, q in notes:
        sec = float(q) * beat
        parts.append(np.zeros(max(1, int(round(sec * rate))), np.float32) if p == rest else tone(float(midi_hz(p)), sec, rate))
    x = np.concatenate(parts) if parts else np.zeros(1, np.float32)
    peak = float(np.abs(x).max())
    return (x * (0.9 / peak) if peak > 0 else x).astype(np.float32)


def wav_bytes(x: np.ndarray, rate: int = RATE) -> bytes:
    """A mono float waveform in [-1, 1] as the bytes of a 16-bit PCM WAV file."""
    pcm = (np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
