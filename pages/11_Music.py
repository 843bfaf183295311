"""Music: a melody model trained on real folk tunes writes a tune you can hear, with its hidden state."""

import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.data.tunes import REST
from rnnviz.plots.music import accuracy_bars, piano_roll
from rnnviz.signals import music
from rnnviz.ui import jobs as ui_jobs
from rnnviz.ui import signals

ctx = ui.page("Music", "🎵", explorer=False, app="music")
st.title("Music: an RNN that writes folk tunes")
tunes = signals.tunes()
st.markdown(
    "A melody is a sequence, like a sentence: each note makes some next notes likely and others odd. "
    f"This network read **{len(tunes.train):,} real dance tunes** (reels, jigs, hornpipes) one note at a time and "
    "learned to guess the next note. Each note is one symbol: its pitch and its length together. To write a tune "
    "it starts from a few real notes (the *seed phrase*), picks a next note from its own guess, feeds that back "
    "in, and goes on. **Start here:** press play under *Write a tune*, then move the temperature and play again."
)
st.caption(
    f"Tunes: {tunes.source}. Licence: {tunes.licence}. Every tune was moved to C major (or A minor), so the model "
    f"learns the shapes of melodies rather than twelve copies of each. {len(tunes.heldout)} tunes (every tenth) are held "
    "out: the model never trains on them, and its score below is measured on them. "
    "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages."
)
ss = st.session_state
signals.defaults(signals.MUSIC)
linked = ss.pop("rv_linked_music", None) or {}  # what this session's link asked for (its first visit only)

job = signals.current(signals.MUSIC)
with st.expander("The model: use the one that ships, or train your own", expanded=job is not None):
    c1, c2, c3 = st.columns(3)
    arch = c1.selectbox("Architecture", ["lstm", "gru", "rnn"], format_func=str.upper, key="mu_arch", persist_state="session")
    steps = c2.slider(
        "Training steps",
        50,
        1500,
        step=50,
        key="mu_steps",
        persist_state="session",
        help="Each step reads 32 windows of 64 notes.",
    )
    seed = c3.number_input("Seed", 0, 9999, key="mu_seed", persist_state="session")
    b1, b2 = st.columns(2)
    pressed = b1.button("Train a new model now", key="mu_train", type="primary")
    if job is not None:
        b2.button("Go back to the shipped model", key="mu_shipped", on_click=signals.use_shipped, args=(signals.MUSIC,))
    st.caption(
        "Training runs on this server in turns with everyone else's (300 steps take about half a minute alone), and a "
        "class pressing with the same choices shares one model. The same architecture, steps and seed always train the "
        "same model. The shipped model is an LSTM trained the same way for longer. A model you trained comes back in a "
        "new browser session through this page's share link (at once if the server still has it, else trained again "
        "from its seed)."
    )
want = signals.key_for(signals.MUSIC, arch, steps, seed)
if pressed or (linked.get("mu_run") and (job is None or job.key != want)):
    job = (
        signals.start(signals.MUSIC, arch, steps, seed) or job
    )  # a link with mu_run: the same model, from the board or trained again
ss["mu_run"] = job is not None and job.key == want  # the link says "trained" only for the model the choices give
signals.follow(signals.MUSIC, job)

shown = signals.shown(signals.MUSIC)
m = shown.model
if m is None:
    ui.share(ctx)
    st.stop()
who = "the model that ships with rnnviz" if shown.kind == "shipped" else "your own model"
with ui_jobs.result("music", job if shown.kind == "own" else None):
    st.markdown(f"**Showing {who}:** {m.cfg.arch.upper()}, {m.cfg.hidden} hidden units, trained for {m.step:,} steps.")
    if shown.kind == "own" and not ss["mu_run"]:
        st.info("The choices above changed since this model was trained: press **Train a new model now** to train one with them.")
    sc = m.scores
    if sc:
        left, right = st.columns([3, 2])
        left.plotly_chart(accuracy_bars(sc), key="mu_acc")
        better = "better than" if sc["accuracy"] > sc["bigram_accuracy"] else "no better than"
        right.markdown(
            f"On {sc['heldout_tunes']} tunes it never saw ({sc['heldout_notes']:,} notes), the network guesses the next note "
            f"exactly **{100 * sc['accuracy']:.1f}%** of the time, {better} the **bigram** baseline "
            f"(**{100 * sc['bigram_accuracy']:.1f}%**), which only looks at the current note and guesses the note that most "
            f"often came next in the training tunes. The pitch alone: {100 * sc['pitch_accuracy']:.1f}% against "
            f"{100 * sc['bigram_pitch_accuracy']:.1f}%."
        )
        right.caption(
            "Why the RNN can do better: its hidden state carries more than the last note (where we are in the bar, "
            "the phrase it is in, the notes of the last few beats). Why it is far from 100%: a good tune surprises."
        )

st.markdown("### Write a tune")
c1, c2, c3 = st.columns([3, 1, 1])
pick = c1.selectbox(
    "Seed phrase: the opening of a held-out tune",
    range(len(tunes.heldout)),
    format_func=lambda k: f"{tunes.titles[tunes.heldout[k]]} (in {tunes.keys[tunes.heldout[k]]} as written)",
    key="mu_tune",
    persist_state="session",
)
tune = tunes.heldout[pick]
n_seed = c2.slider("Seed notes", 1, 32, key="mu_nseed", persist_state="session")
length = c3.slider("Notes to write", 8, 200, step=8, key="mu_len", persist_state="session")
c1, c2, c3 = st.columns([3, 1, 1])
temp = c1.slider(
    "Temperature",
    0.0,
    2.0,
    step=0.05,
    key="mu_temp",
    persist_state="session",
    help="0: always the likeliest note (often loops). 1: pick notes as often as the model thinks they come. "
    "Above 1: more surprising picks, until it sounds random.",
)
gen_seed = c2.number_input(
    "Sampling seed", 0, 9999, key="mu_gseed", persist_state="session", help="The same seed writes the same tune."
)
bpm = c3.slider("Tempo (beats per minute)", 60, 240, step=10, key="mu_bpm", persist_state="session")

mel = music.melody(m.model, tunes, tune, n_seed, length, temp, gen_seed)
st.audio(music.melody_audio(mel, bpm), format="audio/wav")
st.caption(
    "Press play: the first notes (grey below) are the real tune's opening, the rest (blue) is the network's. "
    "The sound is made from numbers on the server (a few harmonics per note, fading like a plucked string)."
)
order = mel.units_by_pitch()
st.plotly_chart(
    piano_roll([p for p, _ in mel.notes], mel.onsets, mel.n_seed, list(mel.names), mel.hidden, rest=REST, order=order),
    key="mu_roll",
)
up, down = int(order[0]), int(order[-1])
st.caption(
    f"The units are sorted: at the top the ones that rise and fall with the melody, at the bottom the ones that do the "
    f"opposite. Unit {up} follows the pitch most closely in this tune (correlation {mel.pitch_corr[up]:+.2f}), unit {down} "
    f"mirrors it ({mel.pitch_corr[down]:+.2f}). Nobody told the network what a high note is: it found it useful."
)
st.markdown(
    "**What to look for.** Below the tune is what the network carries from note to note: one row per hidden unit "
    "(the LSTM's h_t, red positive, blue negative), one column per note, lined up with the notes above. Look for "
    "units that flip at every bar or every beat (the network counts time), the units at the top and bottom that "
    "follow the melody's height, and "
    "stripes that repeat when the tune repeats a phrase. Then play with the temperature: at 0 the tune soon repeats "
    "itself forever; around 0.8 to 1 it sounds like a plausible reel; at 2 it wanders with no key and no rhythm."
)

ui.share(ctx)
