"""Digits: handwritten digits used in the four input/output shapes of a network (one-to-one, many-to-one,
one-to-many, many-to-many), each trained here and scored on images it never saw."""

import numpy as np
import pandas as pd
import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.plots import digits as plots
from rnnviz.signals.digits import (
    ARCH_LABELS,
    ARCHS,
    END,
    GOALS,
    NAMES,
    OUT_TOKENS,
    SHAPE_LABELS,
    SHAPES,
    SOURCE,
    TERMS,
    common_mixup,
    knows_at,
    write_names,
)
from rnnviz.ui import digits as ud
from rnnviz.ui import jobs as ui_jobs

ctx = ui.page("Digits", "✍️", explorer=False, app="digits")
st.title("Digits: pictures in, words out")
st.markdown(
    "What a recurrent network can do depends on what goes in and what comes out at each step. Here one small set of "
    "handwritten digits is put to work in all four ways: a single answer from a single picture, a picture read a "
    "row at a time, a picture turned into a word written letter by letter, and an answer after every row. "
    "**Start here:** look at the pictures, press **Train the models**, then compare the bars and read the "
    "*how early does it know* chart."
)
st.caption(
    "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages. "
    "Training runs on the server in turns with everyone else's, and a class asking for the same models shares them."
)
ss = st.session_state
ud.defaults()
linked = ss.pop("rv_linked_digits", None) or {}  # what this session's link asked for (its first visit only)
data = ud.data()
n_tr, n_te = len(data.train_y), len(data.test_y)

# ----- the pictures ---------------------------------------------------------------------------------
st.markdown("### The pictures")
st.markdown(
    "Each picture is one digit written by hand on a form, scanned at 32 × 32 dots and shrunk to **8 × 8 pixels**: "
    "a pixel counts how many of the 16 dots in its 4 × 4 patch were inked, from 0 to 16. "
    f"**{n_tr:,}** pictures are used for learning and "
    f"**{n_te}** are kept apart to test on, every digit in the same proportion on both sides. The split never "
    "changes, so every model and every seed is scored on the same test pictures."
)
c1, c2 = st.columns([4, 1])
look = int(
    c2.number_input(
        "Another example of each",
        0,
        9,
        key="dg_look",
        persist_state="session",
        help="Shows a different test picture of each digit.",
    )
)
c1.caption("White is no ink (0), black is a fully inked patch (16); hover over a pixel for its number.")
shown = [int(np.nonzero(data.test_y == d)[0][look]) for d in range(10)]
st.plotly_chart(
    ui.shared_figure(("dg_examples", look), lambda: plots.examples(data.test_images[shown], [str(d) for d in range(10)])),
    key="dg_examples",
)
st.caption(f"**Source:** {SOURCE} **Terms:** {TERMS}")
st.caption(
    "Forty-three people filled in forms for the original collection; these 1,797 pictures are the part written by "
    "13 of them, so the same hands appear in the learning and the test pictures here."
)

# ----- the four shapes ------------------------------------------------------------------------------
st.markdown("### Four ways to wire a network to a picture")
WHAT = {
    "one_to_one": "**One-to-one.** All 64 pixels go in at once and one answer comes out: which digit it is. There is "
    "one input and one output, so there is nothing to carry from step to step: this is a plain feed-forward network "
    "with one hidden layer, **no recurrence needed**. It is the yardstick for the other three.",
    "many_to_one": "**Many-to-one.** The recurrent network reads the picture like a text, one row of 8 pixels per "
    "step, top to bottom. Its hidden state has to keep what the earlier rows looked like, and only its answer after "
    "the eighth row counts.",
    "one_to_many": "**One-to-many.** The picture goes in once, turned into the network's first hidden state by a "
    "single linear layer. Then the network writes the digit's name in English, one letter per step, each step fed "
    "the letter before, and finishes with an end mark: a picture caption in miniature.",
    "many_to_many": "**Many-to-many.** The same row-by-row reader, but trained to give its answer after every row. "
    "Reading its answers after 1, 2, 3 … rows shows how early it knows the digit.",
}
for shape in SHAPES:
    a, b = st.columns([1, 5])
    a.checkbox(SHAPE_LABELS[shape], key=f"dg_{shape}", persist_state="session")
    b.markdown(WHAT[shape])
t1, t2, t3, t4, t5 = st.columns([1.3, 2, 1, 1, 2])
arch = t1.selectbox(
    "Recurrent cell",
    ARCHS,
    format_func=ARCH_LABELS.get,
    key="dg_arch",
    persist_state="session",
    help="The cell of the three recurrent shapes (the one-to-one network has none).",
)
steps = t2.select_slider(
    "Training steps (each shape)",
    ud.STEPS,
    key="dg_steps",
    persist_state="session",
    help="Each step shows a model 64 training pictures.",
)
hidden = t3.selectbox("Hidden units", ud.UNITS, key="dg_hidden", persist_state="session")
seed = t4.number_input("Seed", 0, 9999, key="dg_seed", persist_state="session")
shapes = ud.chosen_shapes()
cfg = ud.config(shapes, arch, steps, hidden, seed) if shapes else None
want = ud.key_for(cfg)
t5.markdown("&nbsp;")
pressed = t5.button(
    "Train the models",
    key="dg_train",
    type="primary",
    icon=":material/model_training:",
    disabled=not shapes,
)
if not shapes:
    st.info("Tick at least one shape to train.")
st.caption(
    "Every model trains on the same learning pictures with the same seed and is scored on the test pictures only. "
    "Same choices, same seed: the same models, for everyone."
)
job, ss["dg_run"] = ui_jobs.asked(ud.SLOT, pressed, bool(linked.get("dg_run")), want, lambda: ud.start(cfg))
drawn = job.status if job is not None else None


def loss_charts(place, v, n: int) -> None:
    ui_jobs.stage_losses(place, v, n, float(np.log(10)), 0.2, "dg_loss", columns=4)


@st.fragment(run_every=ui_jobs.live_every(drawn))
def live_training() -> None:
    ui_jobs.live(
        ud.SLOT,
        drawn,
        lambda v: f"Training {', '.join(v.steps)}",
        "dg",
        loss_charts,
        note="Each model is scored on the test pictures as soon as it has trained; look at other pages meanwhile and come back.",
    )


if job is not None and not job.done:
    live_training()


# ----- results ------------------------------------------------------------------------------------
def draw_results(scores: dict, key, arch_used: str) -> None:
    """The bars, the table, how early it knows, and one test picture through every model (key: names the shared
    figures; arch_used: the recurrent cell they were trained with)."""
    labels = {SHAPE_LABELS[s]: v.accuracy for s, v in scores.items()}
    goals = {SHAPE_LABELS[s]: g for s, g in GOALS.items() if s in scores}
    notes = {
        "one-to-one": "digit named right from all pixels at once",
        "many-to-one": "digit named right after reading all 8 rows",
        "one-to-many": "name written exactly right, letter for letter",
        "many-to-many": "digit named right after the last row",
    }
    st.plotly_chart(ui.shared_figure(("dg_bars", key), lambda: plots.accuracy_by_shape(labels, goals, 0.1, notes)), key="dg_bars")
    met = [SHAPE_LABELS[s] for s, g in GOALS.items() if s in scores and scores[s].accuracy >= g]
    missed = [SHAPE_LABELS[s] for s, g in GOALS.items() if s in scores and scores[s].accuracy < g]
    if met and not missed:
        st.markdown("Every shape reached its goal line (the dotted marks) on pictures it never trained on.")
    elif missed:
        st.markdown(
            f"Below the goal line: **{', '.join(missed)}**. More training steps or more hidden units usually close the "
            "gap; a different seed shows how much luck there is in one run."
        )
    rows = []
    for s, v in scores.items():
        ins = {"one_to_one": "64 pixels, once", "one_to_many": "64 pixels, once"}.get(s, "8 rows of 8 pixels")
        outs = {
            "one_to_one": "one digit",
            "many_to_one": "one digit, after row 8",
            "one_to_many": "a name, letter by letter",
            "many_to_many": "a digit after every row",
        }[s]
        rows.append(
            {
                "shape": SHAPE_LABELS[s],
                "in": ins,
                "out": outs,
                "network": "feed-forward" if s == "one_to_one" else ARCH_LABELS[arch_used],
                "accuracy": 100 * v.accuracy,
                "weights": v.parameters,
                "training s": v.train_seconds,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "accuracy": st.column_config.NumberColumn(
                "test accuracy",
                format="%.1f%%",
                help="Share of the test pictures answered right (one-to-many: names written exactly right).",
            ),
            "weights": st.column_config.NumberColumn(format="%d", help="Numbers the model learnt."),
            "training s": st.column_config.NumberColumn(format="%.1f", help="Seconds of training on one CPU thread."),
        },
        key="dg_table",
    )
    if "one_to_one" in scores and "many_to_one" in scores:
        a1, a2 = scores["one_to_one"].accuracy, scores["many_to_one"].accuracy
        st.markdown(
            f"The feed-forward network gets **{100 * a1:.1f}%** seeing everything at once; the recurrent reader gets "
            f"**{100 * a2:.1f}%** seeing one row at a time and keeping the rows so far in its hidden state. A picture "
            "this small fits in one input, so the loop is not needed here, and it costs time: the reader takes 8 steps "
            "one after another where the feed-forward network takes one. Recurrence earns its keep when the input "
            "arrives in pieces, or is too long to take in at once."
        )
    if "one_to_many" in scores:
        v = scores["one_to_many"]
        st.markdown(
            f"The speller wrote **{100 * v.exact:.1f}%** of the names exactly right, and **{100 * v.per_letter:.1f}%** "
            "of all letters (end marks included) at the right place."
        )

    # how early does it know
    curves = {}
    if "many_to_many" in scores:
        curves["many-to-many (trained to answer after every row)"] = scores["many_to_many"].by_row
    if "many_to_one" in scores:
        curves["many-to-one, asked early (trained for row 8 only)"] = scores["many_to_one"].by_row
    if curves:
        st.plotly_chart(ui.shared_figure(("dg_rows", key), lambda: plots.accuracy_by_row(curves, 0.1)), key="dg_rows")
        if "many_to_many" in scores:
            mm = scores["many_to_many"]
            early = 3
            line = (
                f"The many-to-many reader is right **{100 * mm.by_row[early - 1]:.0f}%** of the time after the top "
                f"{early} rows and reaches 90% of its final accuracy after **{knows_at(mm.by_row)}** of 8 rows. "
            )
            mix = common_mixup(mm.row_answers[:, early - 1], data.test_y)
            if mix is not None:
                t, said_, n, of = mix
                line += (
                    f"After {early} rows its commonest mistake is taking {'an' if t == 8 else 'a'} **{t}** for "
                    f"{'an' if said_ == 8 else 'a'} **{said_}** ({n} of the {of} test "
                    f"{t}s): to the reader their top rows look alike, and the strokes that tell them apart are still to come."
                )
            st.markdown(line)
        st.caption(
            "Each point is the accuracy on all test pictures when the model has read only the top rows. The "
            "many-to-one reader was never asked for an early answer while learning, so its early answers show "
            "what scoring every step adds."
        )

    # one test picture through every model
    st.markdown("#### One test picture, every model")
    ss["dg_image"] = min(int(ss.get("dg_image", 0)), n_te - 1)
    i = int(
        st.number_input(
            f"Test picture (0 to {n_te - 1})",
            0,
            n_te - 1,
            key="dg_image",
            persist_state="session",
            help="Pictures the models never trained on.",
        )
    )
    truth = int(data.test_y[i])
    p1, p2 = st.columns([2, 3])
    p1.plotly_chart(plots.image(data.test_images[i], f"Test picture {i}: a handwritten {truth}"), key="dg_image_fig")
    said = []
    for s, v in scores.items():
        if s == "one_to_many":
            continue
        ans = int(v.answers[i])
        mark = "✓" if ans == truth else "✗"
        line = f"- **{SHAPE_LABELS[s]}** says **{ans}** {mark}"
        if v.row_answers is not None and s == "many_to_many":
            line += " (after each row: " + ", ".join(str(int(x)) for x in v.row_answers[i]) + ")"
        said.append(line)
    if "one_to_many" in scores:
        word = scores["one_to_many"].written[i]
        mark = "✓" if word == NAMES[truth] else f"✗ (it is *{NAMES[truth]}*)"
        said.insert(0, f"- **one-to-many** writes “**{word or '(nothing)'}**” {mark}")
    p2.markdown("\n".join(said))
    if "one_to_many" in scores:
        _, probs = write_names(scores["one_to_many"].model, data.test_x[i : i + 1])
        word = scores["one_to_many"].written[i]
        p2.plotly_chart(plots.letter_probs(probs[0], OUT_TOKENS, word, END, NAMES[truth]), key="dg_letters")
        p2.caption(
            "Each column is one writing step, each row a letter it could write; the number is how likely it thought "
            "that letter was. It writes the likeliest (red square), feeds it back in as the next step's input, and "
            "stops at the end mark. Names that start alike (*two* and *three*, *four* and *five*, *six* and *seven*) "
            "share their first letter, so the choice between them falls at the second step: look there for doubt."
        )


if job is not None:
    v = job.view()
    if v.done:
        if not ss["dg_run"]:
            st.info("The choices above changed since these models were trained: press **Train the models** to train them.")
        st.markdown("### Results on the test pictures")
        with ui_jobs.result("digits", job):
            draw_results(v.result, job.key, job.key[1].arch)
    elif v.pieces:
        st.markdown("### Results so far")
        draw_results({s.shape: s for s in v.pieces.values() if s is not None}, (job.key, len(v.pieces)), job.key[1].arch)
else:
    st.info("No results yet: press **Train the models**.")

ui.share(ctx)
