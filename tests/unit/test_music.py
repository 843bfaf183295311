"""Tunes, melody model, synthesis and sounds: what a student would notice if it broke; their training as
jobs of the shared worker on the package's Trainer; their link fields."""

import io
import json
import os
import pickle
import time
import wave

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.data import tunes as T
from rnnviz.errors import ConfigError
from rnnviz.runtime.session import Worker
from rnnviz.runtime.training import Trainer
from rnnviz.settings import PAGE_FIELDS, page_query, page_values
from rnnviz.signals import audio, music, sounds

TINY_MELODY = music.MelodyConfig(hidden=8, embed=8, window=16, batch=8)
TINY_SOUNDS = sounds.SoundsConfig(hidden=8, batch=4)


@pytest.fixture(scope="module")
def tunes():
    return T.load_tunes()


# ----- tunes -----------------------------------------------------------------------------------
def test_tunes_are_real_many_and_tokens_valid(tunes):
    assert len(tunes) > 1500 and len(tunes.heldout) > 150
    assert set(tunes.train).isdisjoint(tunes.heldout) and len(tunes.train) + len(tunes.heldout) == len(tunes)
    assert {c for c in tunes.collections} == {"ryansMammoth", "oneills1850"}
    assert tunes.vocab[0] == T.START and 50 < len(tunes.vocab) < 400
    for p, q in tunes.vocab[1:]:
        assert p == T.REST or T.LOW <= p <= T.HIGH
        assert q in T.DURATIONS
    for tok in tunes.tokens:
        assert tok[0] == 0 and (tok[1:] > 0).all() and tok.max() < len(tunes.vocab)
        assert len(tok) > T.MIN_NOTES
    assert "Ryan" in tunes.source and "public domain" in tunes.licence


def test_every_tune_is_in_c_major_or_a_minor(tunes):
    """After transposition nearly every note is a white key (a few accidentals are part of the tunes)."""
    pitches = np.array([p for tok in tunes.tokens for p, _ in (tunes.vocab[t] for t in tok[1:]) if p != T.REST])
    white = np.isin(pitches % 12, [0, 2, 4, 5, 7, 9, 11]).mean()
    assert white > 0.95, white
    for sharps in range(-7, 8):
        shift = T.key_shift(sharps)
        assert (7 * sharps + shift) % 12 == 0 and -6 <= shift <= 5


def test_shipped_file_matches_a_fresh_parse_of_music21s_corpus():
    with np.load(T.TUNES_FILE) as z:
        files, index, offsets = list(z["files"]), list(z["index"]), z["offsets"]
        pitch, ticks = z["pitch"], z["ticks"]
    paths = dict((f"{c}/{os.path.basename(p)}", (c, p)) for c, p in T.corpus_files())
    for name in ("ryansMammoth/AcaciaReel.abc", "oneills1850/0731-0731.abc", "ryansMammoth/BanjoReel.abc"):
        recs = T.parse_file(*paths[name])
        assert recs
        for r in recs:
            k = next(i for i in range(len(files)) if files[i] == name and index[i] == r["index"])
            a, b = offsets[k], offsets[k + 1]
            assert pitch[a:b].tolist() == r["pitch"] and ticks[a:b].tolist() == r["ticks"], name


def test_encode_moves_foreign_notes_into_the_vocabulary(tunes):
    ids = tunes.encode([(40, 0.5), (72, 0.49), (100, 7.0)])
    assert (ids > 0).all() and ids.max() < len(tunes.vocab)
    assert tunes.vocab[ids[1]] == (72, 0.5) and T.LOW <= tunes.vocab[ids[0]][0] <= T.HIGH


# ----- sound synthesis -------------------------------------------------------------------------
def test_melody_wave_and_wav_bytes():
    notes = [(69, 1.0), (T.REST, 0.5), (72, 0.5)]
    x = audio.melody_wave(notes, bpm=120, rest=T.REST)
    assert x.dtype == np.float32 and abs(len(x) - 1.0 * audio.RATE) <= 3  # 2 beats at 120 bpm = 1 s
    assert np.abs(x).max() <= 1.0 and np.abs(x).max() > 0.5
    rest = x[int(0.5 * audio.RATE) + 50 : int(0.75 * audio.RATE) - 50]
    assert np.abs(rest).max() == 0.0  # the rest is silent
    data = audio.wav_bytes(x)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, audio.RATE, len(x))
    # the pitch is right: the strongest frequency of the first note is 440 Hz
    first = x[: audio.RATE // 2]
    hz = np.fft.rfftfreq(len(first), 1 / audio.RATE)[np.abs(np.fft.rfft(first)).argmax()]
    assert abs(hz - 440) < 5


# ----- the melody model ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tunes):
    """A melody model trained 5 steps by its job, run here (a LoadedMelody)."""
    return music.melody_job(TINY_MELODY, 5).run_here().result


def test_generation_is_reproducible_with_a_seed(tiny, tunes):
    seed = tunes.tokens[tunes.heldout[0]][:9]
    a = music.generate(tiny.model, seed, 30, 1.2, seed=3)
    assert (a == music.generate(tiny.model, seed, 30, 1.2, seed=3)).all()
    assert (a != music.generate(tiny.model, seed, 30, 1.2, seed=4)).any()
    assert (a > 0).all() and a.max() < len(tunes.vocab)  # never the start token
    g0 = music.generate(tiny.model, seed, 10, 0.0, seed=1)
    assert (g0 == music.generate(tiny.model, seed, 10, 0.0, seed=2)).all()  # temperature 0: no chance involved
    with pytest.raises(ConfigError):
        music.generate(tiny.model, seed, 10, 5.0)


def test_melody_lines_up_notes_hidden_states_and_time(tiny, tunes):
    m = music.melody(tiny.model, tunes, tunes.heldout[1], 6, 20, 1.0, 0)
    assert len(m.notes) == 26 and m.n_seed == 6 and m.hidden.shape == (26, 8) and len(m.onsets) == 27
    assert list(m.notes[:6]) == tunes.notes(tunes.heldout[1])[:6]
    assert music.melody_audio(m, 150)[:4] == b"RIFF"


def test_shipped_melody_model_beats_the_bigram_on_held_out_tunes(tunes):
    loaded = music.load(tunes=tunes)
    sc = music.evaluate(loaded.model, tunes)
    assert sc["accuracy"] > sc["bigram_accuracy"] > sc["common_accuracy"]
    assert sc["accuracy"] == pytest.approx(loaded.scores["accuracy"], abs=1e-6)
    assert os.path.getsize(music.MELODY_FILE) < 1_000_000


# ----- sounds ----------------------------------------------------------------------------------
def test_sound_clips_are_reproducible_and_checked():
    a, b = sounds.make_clips(6, seed=1), sounds.make_clips(6, seed=1)
    assert np.array_equal(a.wave, b.wave) and np.array_equal(a.label, b.label)
    assert not np.array_equal(a.wave, sounds.make_clips(6, seed=2).wave)
    assert a.wave.shape == (6, sounds.n_samples()) and np.isfinite(a.wave).all()
    spec = sounds.spectrogram(a.wave)
    assert spec.shape == (6, sounds.n_frames(), sounds.BANDS)
    quiet = sounds.make_clips(1, seed=5, noise=0.0, label=1)
    onset = int(quiet.onset[0] * sounds.RATE)
    assert np.abs(quiet.wave[0, : onset - 10]).max() == 0 and np.abs(quiet.wave[0, onset + 400 :]).max() > 0.1
    for bad in (dict(n=0, seed=1), dict(n=2, seed=1, noise=9), dict(n=2, seed=1, label=7)):
        with pytest.raises(ConfigError):
            sounds.make_clips(**bad)


def test_settle_frame():
    p = np.zeros((2, 5, 3))
    p[0, :, 0] = 1  # always class 0: settled from frame 0
    p[1, :, 1] = 1
    p[1, 3:, 1], p[1, 3:, 2] = 0, 1  # changes its mind at frame 3
    assert sounds.settle_frame(p).tolist() == [0, 3]


def test_sounds_classifier_learns_on_a_tiny_run():
    # A high rate, so it learns in 100 steps (the job's Trainer, the gradient clipped at 1 as always). By 100
    # steps every run we tried was well above chance 0.2.
    cfg = sounds.SoundsConfig(hidden=16, seed=0, lr=2e-2)
    before = sounds.evaluate(sounds.sounds_trainer(cfg).model, 100)["accuracy"]
    m = sounds.sounds_job(cfg, 100, clips=100).run_here().result
    after = m.scores
    assert m.step == 100 and after == sounds.evaluate(m.model, 100)
    assert after["accuracy"] > 0.4 and after["accuracy"] > before + 0.2, (before, after)
    assert 0 <= after["settle_frame_median"] < sounds.n_frames()
    heard = sounds.listen(m.model, 1, 0.3, 4)
    assert heard.probs.shape == (sounds.n_frames(), len(sounds.CLASSES)) and heard.hidden.shape == (sounds.n_frames(), 16)
    assert np.allclose(heard.probs.sum(1), 1, atol=1e-5)


def test_held_out_clips_are_made_once_and_scores_agree_with_the_frame_by_frame_reading():
    m = sounds.load()
    a, b = sounds.heldout(40), sounds.heldout(40)
    assert a[0] is b[0] and not a[1].flags.writeable  # made once, shared read-only
    sc = sounds.evaluate(m.model, 40)
    _, probs, _ = sounds.frame_probs(m.model, sounds.make_clips(40, seed=sounds.HELDOUT_SEED).wave)
    assert sc["accuracy"] == pytest.approx(float((probs[:, -1].argmax(-1) == a[0].label).mean()))
    assert sc["settle_frame_median"] == float(np.median(sounds.settle_frame(probs)[probs[:, -1].argmax(-1) == a[0].label]))


# ----- training: the package's Trainer, as jobs of the shared worker ------------------------------
def test_the_tasks_make_the_batches_the_old_loops_trained_on(tunes):
    task = music.MelodyTask(tunes, 16)
    b = task.batch(4, 16, np.random.default_rng(0))
    assert b.x.shape == b.y.shape == (4, 16) and b.x.dtype == b.y.dtype == torch.int64 and bool((b.mask == 1).all())
    assert bool((b.x[:, 1:] == b.y[:, :-1]).all())  # each target is the next input: the next note
    held = set(np.concatenate([tunes.tokens[i] for i in tunes.heldout]).tolist())
    assert held and len(task.data) == sum(len(tunes.tokens[i]) for i in tunes.train)  # only the training tunes
    assert task.baseline_loss > task.solved_loss > 0 and task.solved_metric > task.baseline_metric
    v = sounds.VowelTask()
    b = v.batch(3, v.default_len, np.random.default_rng(0))
    assert b.x.shape == (3, sounds.n_frames(), sounds.BANDS) and b.y.shape == (3, sounds.n_frames())
    assert b.mask.sum() == 3 and bool((b.mask[:, -1] == 1).all())  # many-to-one: the last frame only
    assert bool((b.y == b.y[:, :1]).all()) and int(b.y.max()) < len(sounds.CLASSES)


def test_both_train_on_the_trainer_with_the_gradient_clipped_at_one(tunes):
    for tr in (music.melody_trainer(TINY_MELODY, tunes), sounds.sounds_trainer(TINY_SOUNDS)):
        assert isinstance(tr, Trainer) and tr.cfg.clip and tr.cfg.clip_value == 1.0 and tr.cfg.optimizer == "adam"
        tr.run(3)
        assert tr.step == 3 and all(g > 0 for g in tr.history.grad_norm)
        assert all(c == (g > 1.0) for c, g in zip(tr.history.clipped, tr.history.grad_norm))
        again = pickle.loads(pickle.dumps(tr))  # the trainer process gets it pickled
        tr.run(2)
        again.run(2)
        assert again.history.loss == tr.history.loss


def test_a_job_gives_the_same_model_however_its_turns_are_cut(tunes):
    a = music.melody_job(TINY_MELODY, 12).run_here(seconds=0.0)  # one step a turn
    b = music.melody_job(TINY_MELODY, 12).run_here(seconds=None)
    assert a.result.scores == b.result.scores and a.stages[0].trainer.history.loss == b.stages[0].trainer.history.loss
    assert a.key == b.key == music.melody_key(TINY_MELODY, 12) != music.melody_key(TINY_MELODY, 13)
    assert music.melody_key(TINY_MELODY, 12) != music.melody_key(
        music.MelodyConfig(hidden=8, embed=8, window=16, batch=8, seed=1), 12
    )
    c = sounds.sounds_job(TINY_SOUNDS, 4, clips=20).run_here(seconds=0.0)
    d = sounds.sounds_job(TINY_SOUNDS, 4, clips=20).run_here(seconds=None)
    assert c.result.scores == d.result.scores and c.key == sounds.sounds_key(TINY_SOUNDS, 4, 20)
    for bad in (-1, 20001, 2.5, True):
        with pytest.raises(ConfigError):
            music.melody_job(TINY_MELODY, bad)
        with pytest.raises(ConfigError):
            sounds.sounds_job(TINY_SOUNDS, bad)


def test_the_worker_trains_them_in_a_trainer_process_to_the_cli_numbers(tunes):
    here_m = music.melody_job(TINY_MELODY, 25).run_here().result
    here_s = sounds.sounds_job(TINY_SOUNDS, 6, clips=30).run_here().result
    jobs = [music.melody_job(TINY_MELODY, 25), sounds.sounds_job(TINY_SOUNDS, 6, clips=30)]
    w = Worker(threads=1, chunk=0.05, elsewhere=True)
    for j in jobs:
        j.start()
        w.submit(j)
    end = time.monotonic() + 180
    while not all(j.done for j in jobs):
        assert time.monotonic() < end and not any(j.error for j in jobs), [j.view() for j in jobs]
        time.sleep(0.05)
    w.stop()
    assert jobs[0].result.scores == here_m.scores and jobs[0].result.step == 25
    assert jobs[1].result.scores == here_s.scores and jobs[1].result.step == 6
    v = jobs[0].view()
    assert v.progress == 1.0 and len(v.losses["LSTM melody model"]) == 25


# ----- link fields ---------------------------------------------------------------------------------
def test_the_link_tables_fit_the_pages(tunes):
    mu = {f.name: f for f in PAGE_FIELDS["music"]}
    assert mu["mu_tune"].hi == len(tunes.heldout) - 1  # the seed phrase by its place among the held-out tunes
    so = {f.name: f for f in PAGE_FIELDS["sounds"]}
    assert [so["so_vowel"].labels[k] for k in range(5)] == [c.split()[0] for c in sounds.CLASSES]
    assert (mu["mu_steps"].hi, so["so_steps"].hi) == (1500, 800)
    assert all(f.name.startswith("mu_") for f in mu.values()) and all(f.name.startswith("so_") for f in so.values())


def test_link_round_trip_and_junk():
    choices = dict(mu_arch="gru", mu_steps=450, mu_seed=7, mu_run=True, mu_tune=12, mu_notes=5, mu_length=96)
    choices.update(mu_temp=1.25, mu_sample=3, mu_tempo=200)
    q = page_query("music", choices)
    assert q["mu_arch"] == "gru" and q["mu_run"] == "true" and q["mu_temp"] == "1.25"
    assert page_values("music", q) == (choices, [])
    assert page_query("music", {"mu_arch": "lstm", "mu_steps": 300, "mu_temp": 0.8}) == {}  # defaults stay out
    snd = dict(so_arch="lstm", so_steps=100, so_seed=2, so_run=True, so_vowel=1, so_noise=1.5, so_clip=42)
    assert page_values("sounds", page_query("sounds", snd)) == (snd, [])
    v, notes = page_values("sounds", {"so_vowel": "EE", "so_noise": "9", "so_steps": "abc", "so_arch": "cnn"})
    assert v == {"so_vowel": 1, "so_noise": 3.0, "so_steps": 200, "so_arch": "gru"} and len(notes) == 3
    v, notes = page_values("music", {"mu_tune": "999", "mu_temp": "-1", "mu_run": "maybe", "mu_seed": "1e9"})
    assert v == {"mu_tune": 269, "mu_temp": 0.0, "mu_run": False, "mu_seed": 9999} and len(notes) == 4


# ----- command line ------------------------------------------------------------------------------
def test_cli_music_and_sounds(capsys):
    assert main(["music", "--steps", "3", "--hidden", "8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["config", "steps", "seconds", "tunes", "source", "scores"]
    assert {"accuracy", "bigram_accuracy", "heldout_tunes"} <= set(out["scores"])
    job = music.melody_job(music.MelodyConfig(hidden=8), 3).run_here()  # the page's job: the same numbers
    assert out["scores"] == job.result.scores and out["config"]["hidden"] == 8
    assert main(["sounds", "--steps", "2", "--hidden", "8", "--clips", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["config", "steps", "seconds", "source", "scores"] and out["scores"]["clips"] == 20
    assert out["scores"] == sounds.sounds_job(sounds.SoundsConfig(hidden=8), 2, clips=20).run_here().result.scores
    assert main(["sounds", "--steps", "2", "--hidden", "8", "--clips", "20"]) == 0
    assert "held-out clips" in capsys.readouterr().out
    assert main(["music", "--arch", "transformer", "--steps", "1"]) == 2
    assert main(["sounds", "--clips", "0"]) == 2
    assert main(["music", "--steps", "1", "--save", "/no/such/folder/m.pt"]) == 2
    assert main(["sounds", "--steps", "99999"]) == 2
    assert capsys.readouterr().err.count("rnnviz: error:") == 4


def test_a_saved_model_loads_with_its_scores(tmp_path, tunes, tiny):
    music.save(tiny, str(tmp_path / "m.pt"))
    back = music.load(str(tmp_path / "m.pt"), tunes)
    assert back.step == tiny.step and back.scores == tiny.scores and back.cfg == tiny.cfg
    assert music.evaluate(back.model, tunes)["accuracy"] == tiny.scores["accuracy"]
    s = sounds.sounds_job(TINY_SOUNDS, 2, clips=10).run_here().result
    sounds.save(s, str(tmp_path / "s.pt"))
    back = sounds.load(str(tmp_path / "s.pt"))
    assert (back.step, back.scores, back.cfg) == (2, s.scores, TINY_SOUNDS)


def test_units_that_follow_the_pitch_are_found():
    t = np.arange(40)
    pitches = 60 + (t % 8)
    hidden = np.stack([np.sin(t), (pitches - 63.5) / 4, -(pitches - 63.5) / 4 + 0.01 * np.cos(t)], 1)
    r = music.pitch_correlation(hidden, pitches)
    assert r[1] == pytest.approx(1.0) and r[2] < -0.99 and abs(r[0]) < 0.5
