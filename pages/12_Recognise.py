"""Recognise: real recorded speech, motion sensors, a hand tracked in video and a day of power demand,
classified step by step by RNN, LSTM, GRU (and a CNN and a Transformer) against the field's baselines."""

import numpy as np
import pandas as pd
import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.data.archives import NAMES, SETS
from rnnviz.plots import recognise as plots
from rnnviz.signals import baselines
from rnnviz.signals.recognise import ARCH_LABELS, ARCHS, RECURRENT, at_chance, hidden_states, reaches, verdict
from rnnviz.ui import jobs as ui_jobs
from rnnviz.ui import recognise as ur

KINDS = {"speech": "Speech", "sensors": "Motion sensors", "video": "Video", "power": "Power demand"}
LOOK = {
    "speech": "Each column is one frame; its 12 colours describe the shape of the sound's spectrum, which depends on the "
    "shape of the speaker's mouth and throat. The speakers say the same vowel, so the differences are small: a "
    "person could not tell them apart from this picture, and that is the point of learning it.",
    "sensors": "Standing barely moves any line. Walking swings the accelerometer in a steady rhythm; running does the "
    "same, faster and much harder. Badminton is bursts: long quiet stretches and sudden swings of the gyroscope.",
    "video": "Both motions lift the hand, hold it on the target and bring it back, so the curves look alike. The "
    "difference is in a few frames at each end: drawing the gun shows a small bump before the rise and a shelf after "
    "the fall (the hand at the holster); the empty hand that only pointed swings past its resting place on the way "
    "back. Small details in time, exactly what a method comparing whole shapes is good at.",
    "power": "Demand dips at night and climbs in the morning. The shape of the evening, when lights go on earlier in "
    "winter, is what separates the two halves of the year.",
}

ctx = ui.page("Recognise", "🎙️", explorer=False, app="recognise")
st.title("Recognise: speech, motion and video, recorded")
st.markdown(
    "Recognising what a sequence is, from speech to a smartwatch's readings, is a classic job for recurrent networks: "
    "they read the recording one step at a time and give their answer at the end (**many-to-one**). These are real "
    "recordings from the archives researchers test their methods on, and the networks face the methods the field "
    "measures itself against. **Start here:** pick a recording, look at the examples, press **Train the networks**, "
    "then read the table and the *how early does it know* chart."
)
st.caption(
    "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages. "
    "Training runs on the server in turns with everyone else's, and a class asking for the same networks shares them."
)
ss = st.session_state
ur.defaults()
linked = ss.pop("rv_linked_recognise", None) or {}  # what this session's link asked for (its first visit only)

data = st.selectbox(
    "Recording",
    NAMES,
    format_func=lambda n: f"{KINDS[SETS[n].kind]}: {SETS[n].title}",
    key="rc_data",
    persist_state="session",
)
a = ur.archive(data)
about = a.about
n_tr, n_te = len(a.train), len(a.test)
lengths = f"{a.max_len} steps" if a.equal_length else f"{int(a.train.lengths.min())} to {a.max_len} steps (lengths differ)"
st.markdown(
    f"**{about.question}** {len(a.classes)} classes ({', '.join(a.classes)}); {len(a.channels)} "
    f"channel{'s' if len(a.channels) > 1 else ''} per step, one step is {about.step}; {lengths}. "
    f"**{n_tr}** recordings to learn from, **{n_te}** kept apart to test on."
)
if about.notes:
    st.markdown(about.notes)
st.caption(f"**Source:** {a.source()}")

# ----- what the recordings look like --------------------------------------------------------------
st.markdown("### What the recordings look like")
k_show = min(len(a.classes), 4)
c1, c2 = st.columns([3, 1])
pick = c2.number_input(
    "Another example of each",
    0,
    9,
    key="rc_look",
    persist_state="session",
    help="Shows a different training recording of each class.",
)
shown_classes = list(range(k_show))
idx = []
for c in shown_classes:
    members = np.nonzero(a.train.y == c)[0]
    idx.append(int(members[int(pick) % len(members)]))
if len(a.classes) > k_show:
    c1.caption(f"The first {k_show} of the {len(a.classes)} classes, one training recording each.")
st.plotly_chart(
    ui.shared_figure(
        ("examples", data, int(pick)),
        lambda: plots.examples(
            about.kind, a.train.raw[idx], a.train.lengths[idx], [a.classes[a.train.y[i]] for i in idx], a.channels, "step"
        ),
    ),
    key="rc_examples",
)
st.caption(LOOK[about.kind])

# ----- train ----------------------------------------------------------------------------------------
st.markdown("### Train the networks")
cols = st.columns(len(ARCHS))
for col, arch in zip(cols, ARCHS):
    col.checkbox(ARCH_LABELS[arch], key=f"rc_net_{arch}", persist_state="session")
t1, t2, t3, t4 = st.columns([2, 1, 1, 2])
steps = t1.select_slider(
    "Training steps (each network)",
    (100, 200, 400, 800, 1500),
    key="rc_steps",
    persist_state="session",
    help="Each step shows a network 16 training recordings.",
)
hidden = t2.selectbox("Hidden units", (8, 16, 32, 64), key="rc_hidden", persist_state="session")
seed = t3.number_input("Seed", 0, 9999, key="rc_seed", persist_state="session")
archs = ur.chosen_archs()
cfg = ur.config(data, archs, steps, hidden, seed) if archs else None
want = ur.key_for(cfg) if cfg is not None else None
t4.markdown("&nbsp;")
pressed = t4.button("Train the networks", key="rc_train", type="primary", icon=":material/model_training:", disabled=not archs)
if not archs:
    st.info("Tick at least one network to train.")
st.caption(
    "The CNN (causal, dilated) and the Transformer (causal mask) are the Compare lab's models, sized like the others: "
    "every model here answers at each step from the steps so far, so the chart of answers step by step is what it "
    "would say had the recording stopped there. Same choices, same seed: the same networks, for everyone."
)
job, ss["rc_run"] = ui_jobs.asked(ur.SLOT, pressed, bool(linked.get("rc_run")), want, lambda: ur.start(cfg))
drawn = job.status if job is not None else None


def loss_charts(place, v, n: int) -> None:
    ui_jobs.stage_losses(place, v, n, float(np.log(len(a.classes))), 0.3, "rc_loss")


@st.fragment(run_every=ui_jobs.live_every(drawn))
def live_training() -> None:
    ui_jobs.live(
        ur.SLOT,
        drawn,
        lambda v: f"Training {', '.join(v.steps)}",
        "rc",
        loss_charts,
        note="Each network is scored on the test recordings as soon as it has trained; look at other pages meanwhile "
        "and come back.",
    )


if job is not None and not job.done:
    live_training()

# ----- results ------------------------------------------------------------------------------------
nets = {}  # arch -> Scored: the finished networks of this session's job (all of them once it is done)
if job is not None:
    v = job.view()
    pieces = v.result if v.done else v.pieces
    nets = {s.arch: s for s in (pieces or {}).values() if s is not None}
    if v.done and not ss["rc_run"]:
        st.info("The choices above changed since these networks were trained: press **Train the networks** to train them.")
base = ur.baseline_results(data)

st.markdown("### The networks against the field's best")
rows = []
for arch, s in nets.items():
    rows.append(
        {
            "model": ARCH_LABELS[arch],
            "kind": "network, trained here",
            "accuracy": 100 * s.accuracy,
            "training s": s.train_seconds,
            "ms per answer": s.predict_ms,
            "size": f"{s.parameters:,} weights",
            "settles at": 100 * float(np.median(s.settle_fraction)),
        }
    )
for m, r in (base or {}).get("methods", {}).items():
    rows.append(
        {
            "model": baselines.METHOD_SHORT[m],
            "kind": "baseline" + (", run here" if base.get("live") else ", shipped result"),
            "accuracy": 100 * r["accuracy"],
            "training s": r["fit_s"],
            "ms per answer": r["predict_ms"],
            "size": r["size_words"],
            "settles at": None,
        }
    )
if rows:
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "accuracy": st.column_config.NumberColumn(
                "test accuracy", format="%.1f%%", help="Share of the test recordings named right (never trained on)."
            ),
            "training s": st.column_config.NumberColumn(
                format="%.2f", help="Seconds of training (networks) or fitting (baselines) on one CPU thread."
            ),
            "ms per answer": st.column_config.NumberColumn(
                format="%.3f", help="Milliseconds to answer one test recording (all of them at once, divided)."
            ),
            "size": st.column_config.TextColumn(help="Weights learnt (networks, MiniRocket) or numbers stored (DTW)."),
            "settles at": st.column_config.NumberColumn(
                format="%.0f%%",
                help="Median over the test recordings: the share of a recording read when the answer stopped changing.",
            ),
        },
        key="rc_table",
    )
    st.markdown(verdict(data, {a_: s.accuracy for a_, s in nets.items()}, ur.baseline_accuracies(base), len(a.classes)))
    stuck = at_chance(nets, len(a.classes), n_te)
    if stuck:
        st.info(
            f"{' and '.join(ARCH_LABELS[x] for x in stuck)} learnt nothing useful in {nets[stuck[0]].steps:,} steps: "
            "no better than guessing. The answer comes "
            f"after {a.max_len} steps, and the gradient that should teach it which early steps mattered fades on the "
            "way back through them (the Gradients page shows this happening). Try more steps, a GRU, or the CNN.",
            icon=":material/trending_down:",
        )
else:
    st.info("No results yet: press **Train the networks**.")
ur.baseline_area(data, base)

# ----- how early does it know ------------------------------------------------------------------------
if nets or base:
    curves = {arch: (ARCH_LABELS[arch], s.by_fraction) for arch, s in nets.items()}
    for m, r in (base or {}).get("methods", {}).items():
        curves[m] = (baselines.METHOD_SHORT[m], {float(f): acc for f, acc in r["by_fraction"].items()})
    st.plotly_chart(plots.accuracy_by_fraction(curves, 1 / len(a.classes)), key="rc_fraction")
    finals = {arch: s.accuracy for arch, s in nets.items()}
    finals.update({m: r["accuracy"] for m, r in (base or {}).get("methods", {}).items()})
    when = [f"{label} at **{100 * reaches(curves[k][1], finals[k]):.0f}%**" for k, (label, _) in curves.items()]
    st.markdown("Each model reaches 90% of its own final accuracy having seen: " + ", ".join(when) + ".")
    st.caption(
        "Each model is given only the first part of every test recording (10%, 20%, … all of it). A network reads "
        "step by step, so its answer after the first 30% is exactly what it says having read that much. The baselines "
        "compare whole recordings, so they get the part seen with its last value held to the full length (dotted lines)."
    )

# ----- one recording, step by step ----------------------------------------------------------------
if nets:
    st.markdown("### One recording, step by step")
    n1, n2 = st.columns(2)
    if ss.get("rc_model") not in nets:
        ss["rc_model"] = next(iter(nets))
    arch = n1.selectbox("Network", list(nets), format_func=ARCH_LABELS.get, key="rc_model", persist_state="session")
    ss["rc_example"] = min(int(ss.get("rc_example", 0)), n_te - 1)
    ex = int(
        n2.number_input(
            f"Test recording (0 to {n_te - 1})",
            0,
            n_te - 1,
            key="rc_example",
            persist_state="session",
            help="Recordings the networks never trained on.",
        )
    )
    s = nets[arch]
    length = int(a.test.lengths[ex])
    truth = int(a.test.y[ex])
    answer = int(s.probs[ex, length - 1].argmax())
    settle = int(s.settle[ex])
    right = "right" if answer == truth else f"wrong: it was {a.classes[truth]}"
    st.markdown(
        f"After all {length} steps the {ARCH_LABELS[arch]} says **{a.classes[answer]}** ({right}). Its answer stopped "
        f"changing at step **{settle}** of {length} ({100 * settle / length:.0f}% of the recording)."
    )
    st.plotly_chart(
        plots.step_answers(s.probs[ex], length, a.classes, truth, settle, ARCH_LABELS[arch], "step"), key="rc_steps_fig"
    )
    if arch in RECURRENT:
        h = hidden_states(s.model, a.test.x[ex, :length])
        st.plotly_chart(plots.hidden(h, length, ARCH_LABELS[arch], "step"), key="rc_hidden_fig")
        st.caption(
            "Each row is one hidden unit, each column one step: this is everything the network carries from one step "
            "to the next. Units that switch and then hold their colour are remembering something they read."
        )
    else:
        st.caption(
            f"The {ARCH_LABELS[arch]} carries no state from step to step (it looks back over the steps at every answer), "
            "so it has no hidden-state picture; tick an RNN, LSTM or GRU to see one."
        )
    st.plotly_chart(plots.confusion(s.confusion, a.classes, ARCH_LABELS[arch]), key="rc_confusion")
    st.caption("Rows are what the recording really was, columns what the network answered; the diagonal is right.")

ui.share(ctx)
