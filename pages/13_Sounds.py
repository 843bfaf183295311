"""Sounds: a GRU listens to a synthesised vowel frame by frame; how early does it know which one it is?"""

import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.plots.sounds import listening
from rnnviz.signals import sounds
from rnnviz.ui import jobs as ui_jobs
from rnnviz.ui import signals

ctx = ui.page("Sounds", "👂", explorer=False, app="sounds")
st.title("Sounds: recognising a vowel while it is heard")
st.markdown(
    "Speech recognition was one of the first big jobs for recurrent networks: sound arrives a slice at a time, and "
    "the network has to keep what it heard so far. Here, honestly scaled down, the sounds are five sung vowels "
    f"({', '.join(sounds.CLASSES)}) made from numbers, with noise on top. The clip is cut into short **frames** "
    f"(one every {1000 * sounds.HOP / sounds.RATE:g} ms); each frame becomes a column of loudness per frequency, "
    "the **spectrogram**. The network reads one column at a time and is trained to name the vowel at the end "
    "(many-to-one). Below we also read its answer at every frame, to see **how early it knows**. "
    "**Start here:** press play under *Listen with it*, then raise the noise and watch when the answer settles."
)
st.page_link(
    "pages/12_Recognise.py",
    label="For real recorded speech (nine speakers saying one vowel) and motion sensors, see **Recognise**",
    icon=":material/arrow_forward:",
)
st.caption(
    f"Sounds: {sounds.SOURCE}. No recordings are used or shipped. "
    "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages."
)

ss = st.session_state
signals.defaults(signals.SOUNDS)
linked = ss.pop("rv_linked_sounds", None) or {}  # what this session's link asked for (its first visit only)

job = signals.current(signals.SOUNDS)
with st.expander("The model: use the one that ships, or train your own", expanded=job is not None):
    c1, c2, c3 = st.columns(3)
    arch = c1.selectbox("Architecture", ["gru", "lstm", "rnn"], format_func=str.upper, key="so_arch", persist_state="session")
    steps = c2.slider(
        "Training steps", 20, 800, step=20, key="so_steps", persist_state="session", help="Each step hears 32 new clips."
    )
    seed = c3.number_input("Seed", 0, 9999, key="so_seed", persist_state="session")
    b1, b2 = st.columns(2)
    pressed = b1.button("Train a new model now", key="so_train", type="primary")
    if job is not None:
        b2.button("Go back to the shipped model", key="so_shipped", on_click=signals.use_shipped, args=(signals.SOUNDS,))
    st.caption(
        "Training runs on this server in turns with everyone else's (200 steps take about half a minute alone), then "
        f"the model is scored on {sounds.HELDOUT_CLIPS} held-out clips. A class pressing with the same choices shares one "
        "model, and the same architecture, steps and seed always train the same model. A model you trained comes back "
        "in a new browser session through this page's share link (at once if the server still has it, else trained "
        "again from its seed)."
    )
want = signals.key_for(signals.SOUNDS, arch, steps, seed)
if pressed or (linked.get("so_run") and (job is None or job.key != want)):
    job = (
        signals.start(signals.SOUNDS, arch, steps, seed) or job
    )  # a link with so_run: the same model, from the board or trained again
ss["so_run"] = job is not None and job.key == want  # the link says "trained" only for the model the choices give
signals.follow(signals.SOUNDS, job)

shown = signals.shown(signals.SOUNDS)
m = shown.model
if m is None:
    ui.share(ctx)
    st.stop()
who = "the model that ships with rnnviz" if shown.kind == "shipped" else "your own model"
sc = m.scores
line = f"**Showing {who}:** {m.cfg.arch.upper()}, {m.cfg.hidden} hidden units, trained for {m.step:,} steps."
if sc:
    line += (
        f" On {sc['clips']} held-out clips it names the vowel right **{100 * sc['accuracy']:.0f}%** of the time (guessing: "
        f"{100 * sc['chance']:.0f}%), and its answer stops changing after **{sc['settle_ms_median']:.0f} ms** "
        f"(median; frame {sc['settle_frame_median']:.0f} of {sc['frames']}), about {sc['settle_ms_after_onset_median']:.0f} ms "
        "after the vowel begins."
    )
with ui_jobs.result("sounds", job if shown.kind == "own" else None):
    st.markdown(line)
    if shown.kind == "own" and not ss["so_run"]:
        st.info("The choices above changed since this model was trained: press **Train a new model now** to train one with them.")

st.markdown("### Listen with it")
c1, c2, c3 = st.columns([2, 2, 1])
label = c1.selectbox(
    "Vowel", range(len(sounds.CLASSES)), format_func=lambda k: sounds.CLASSES[k], key="so_label", persist_state="session"
)
noise = c2.slider(
    "Noise",
    sounds.NOISE[0],
    sounds.NOISE[1],
    step=0.1,
    key="so_noise",
    persist_state="session",
    help="How loud the hiss is next to the vowel: 1 means as loud. It trained on noise from 0 to 1.5.",
)
clip = c3.number_input(
    "Clip number",
    0,
    9999,
    key="so_clip",
    persist_state="session",
    help="Each number is another voice: pitch, timing, formants.",
)
heard = sounds.listen(m.model, label, noise, clip)
st.audio(sounds.clip_audio(heard), format="audio/wav")
right = heard.answer == heard.label
settle_ms = heard.settle * 1000 * sounds.HOP / sounds.RATE
verdict = "right" if right else f"wrong: it was {sounds.CLASSES[heard.label]}"
st.markdown(
    f"After the whole clip it says **{sounds.CLASSES[heard.answer]}** ({verdict}). Its answer stopped changing at "
    f"**{settle_ms:.0f} ms** (frame {heard.settle}); the vowel began at {1000 * heard.onset:.0f} ms."
)
st.plotly_chart(
    listening(
        heard.spec,
        heard.hidden,
        heard.probs,
        sounds.band_hz(),
        1000 * sounds.HOP / sounds.RATE,
        sounds.CLASSES,
        heard.label,
        1000 * heard.onset,
        heard.settle,
        what="h_t" if m.cfg.arch != "lstm" else "h_t (not the cell c_t)",
    ),
    key="so_fig",
)
st.markdown(
    "**What to look for.** In the spectrogram (top), the bright horizontal bands are the vowel's **formants**, the "
    "frequencies the mouth makes ring: an *ee* has one very low and one very high, an *ah* two close together in the "
    "middle. Before the vowel starts there is only hiss, and the hidden state (middle) barely moves; when the bands "
    "arrive, the units switch within a few frames. In the bottom chart the right answer's line (thick) climbs as "
    "evidence piles up. Raise the noise: the bands fade into the hiss, the answer settles later, and sometimes on the "
    "wrong vowel. The shipped model's commonest mistakes on held-out clips: *ee* heard as *oo*, and *eh* heard as *aw*. "
    "Each pair shares its first, low formant; what tells them apart is the second one, higher up and fainter, and "
    "that is the first thing the hiss covers. Try *ee* at noise 1.5 and watch the *oo* line."
)

ui.share(ctx)
