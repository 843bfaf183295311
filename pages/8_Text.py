"""Text: a character model that writes, what it expects next, the same word in two contexts, and a
sentiment reader that reads word by word."""

import os
import time

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.data.corpus import CORPORA, load_corpus, user_corpus
from rnnviz.errors import ConfigError
from rnnviz.language.charlm import bits, fit_text, read_text, stream
from rnnviz.language.context import context_view, repeated_words
from rnnviz.language.sentiment import TRAIN_STEPS, read_words, score_test_set
from rnnviz.plots.language import (
    bpc_figure,
    context_html,
    distance_figure,
    next_char_figure,
    prediction_figure,
    sentiment_figure,
    shown,
    states_side_by_side,
    stream_html,
    unit_pairs_figure,
)
from rnnviz.plots.states import activation_text_html
from rnnviz.plots.training import loss_figure
from rnnviz.runtime.jobs import JobStatus
from rnnviz.ui import jobs as ui_jobs
from rnnviz.ui import text as tx
from rnnviz.ui.upload import read_text_upload

ctx = ui.page("Text", "✍️", explorer=False, app="text")
ss = st.session_state
tx.defaults()
link_line = tx.from_link()  # a link's model (from the cache, or trained again by the worker) and reader
tx.adopt()  # the model a link asked for is trained: it replaces the one shown meanwhile
state = tx.state()
st.title("Text: a network that reads and writes one character at a time")
st.markdown(
    "A **character model** reads text one letter at a time and, after every letter, guesses the next one. "
    "Everything it knows about what came before has to fit in its hidden state h_t. Trained on enough text, it "
    "can write new text by feeding its own guesses back in. This page has **its own model** (the sidebar's "
    "settings belong to the model of the other pages). **Start here:** in *2. Let it write*, type a few words and "
    "let the shipped model go on; then in *4* see why the two “learning”s of the default sentence differ."
)

# ----- the model -------------------------------------------------------------------------------
st.header("1. The model", divider="gray")
if link_line:
    st.info(link_line, icon=":material/link:")
st.markdown(f"**Showing:** {state.origin()}, on **{state.corpus.title}**.")
st.caption(state.corpus.describe())
if state.shipped and tx.restoring()[1] is None:
    st.caption(
        "A new browser session starts from the shipped model. A model you train here comes back with this page's "
        "share link (in the sidebar): from the server's memory, or trained again from the same seed."
    )
NAMES = {
    "pydoc": "Python's language reference (large, about 200,000 characters)",
    "story": "The robot's notebook (a short story, 1,300 characters)",
    "upload": "Your own text (upload a file)",
}


def _train_new():
    """Read the choices as they are when the button is pressed (not as they were when it was drawn)."""
    ss = st.session_state
    corpus = ss.get("tx_upload_corpus") if ss["tx_corpus"] == "upload" else load_corpus(ss["tx_corpus"])
    if corpus is not None:
        tx.new_model(corpus, ss["tx_arch"], ss["tx_hidden"])


with st.expander("Train a model here", expanded=not state.shipped and state.trainer.step == 0):
    c1, c2, c3 = st.columns([3, 1, 1])
    which = c1.radio("Corpus", [*CORPORA, "upload"], format_func=NAMES.get, key="tx_corpus", persist_state="session")
    arch = c2.selectbox(
        "Cell",
        ["lstm", "gru", "rnn"],
        format_func=lambda a: {"lstm": "LSTM", "gru": "GRU", "rnn": "vanilla RNN"}[a],
        key="tx_arch",
        persist_state="session",
    )
    hidden = c3.select_slider("Hidden units", [32, 64, 128], key="tx_hidden", persist_state="session")
    corpus, why = None, ""
    if which == "upload":
        up = st.file_uploader(
            "A plain-text file (UTF-8, 201 to 200,000 characters)", type=["txt", "md", "csv"], key="tx_upload", max_upload_size=1
        )
        if up is not None:
            text, why = read_text_upload(up.getvalue())
            if text is not None:
                corpus = st.session_state["tx_upload_corpus"] = user_corpus(text, up.name)
                st.success(f"{up.name}: {len(text):,} characters, {len(set(text))} distinct; the last tenth is held out.")
            else:
                st.error(f"{why} Nothing was changed: the model on this page is as it was.")
    else:
        corpus = load_corpus(which)
    st.button(
        "Train a new model on this text",
        key="tx_train",
        type="primary",
        icon=":material/model_training:",
        disabled=corpus is None,
        on_click=_train_new,
        help=f"Starts from random weights and trains {tx.DEFAULT_STEPS:,} steps of 32 windows of 100 characters on the server.",
    )
    st.caption(
        f"Training runs on the server in turns with everyone else's; {tx.DEFAULT_STEPS:,} steps take a few minutes on "
        "the large corpus. The pictures below use the model as it is when you move one of their controls."
    )

ui_jobs.own(state.session)  # someone is looking: the worker keeps training it (the heartbeat knows whose)
restore_job, _ = tx.restoring()
running = state.session.running
restoring = restore_job is not None and not restore_job.done


@st.fragment(run_every=ui_jobs.redraw_seconds() if running or restoring else None)
def live():
    s = state.session
    if s.running:
        ui_jobs.own(s)
    elif running:
        st.rerun()
    j, _ = tx.restoring()
    if j is not None:
        v = j.view()
        if v.done and restoring:  # the linked model is trained: draw the page with it
            st.rerun()
        ui_jobs.progress_line(v, "Training the model of this link again")
    if state.shipped:
        return
    tr = s.trainer
    with s.lock:
        h = tr.history.copy()
    st.progress(s.progress, text=f"{tr.step:,} / {s.cap:,} training steps")
    b1, b2, b3, _ = st.columns([1, 1, 2, 2])
    b1.button("Pause", key="tx_pause", disabled=not s.running, on_click=tx.pause, icon=":material/pause:")
    b2.button("Go on", key="tx_resume", disabled=s.running or tr.step >= s.cap, on_click=tx.resume, icon=":material/play_arrow:")
    b3.button("Back to the shipped model", key="tx_shipped", on_click=tx.use_shipped, icon=":material/undo:")
    if len(h):
        fig = loss_figure(h.step, h.loss, tr.task.baseline_loss, tr.task.solved_loss, "nats per character")
        fig.update_layout(title_text="Loss on the training batches")
        st.plotly_chart(fig, key="tx_loss")
        st.caption(
            f"The loss on each training batch, in nats per character (divide by 0.69 for bits). The grey line is "
            f"guessing all {len(tr.task.tokens)} characters equally often. Last batch: {h.loss[-1]:.2f} nats = "
            f"{bits(h.loss[-1]):.2f} bits per character."
        )


live()
if not running and (state.shipped or state.trainer.step > 0):
    with st.spinner("Measuring bits per character on the held-out text…"):
        bpc = state.bpc()
    c1, c2 = st.columns([3, 2])
    c1.plotly_chart(bpc_figure(bpc), key="tx_bpc")
    c2.markdown(
        "**Bits per character** is how surprised the model is by the next letter, on average: 1 bit is a fair "
        "coin's worth of doubt. The grey bar knows only how often each letter occurs. The orange bar is text the "
        "model **never trained on**: the gap to grey is what reading the letters before buys. If the blue bar "
        "(its own training text) is far below orange, it memorised instead of learning the language."
    )
    if state.shipped:
        c2.caption("Measured by `python -m rnnviz text --json` when the model was made (the same numbers as the command prints).")

model, tokens = state.model(), state.tokens

# ----- writing ---------------------------------------------------------------------------------
st.header("2. Let it write", divider="gray")


def write():
    """Not a fragment: its choices go into the page's link, which only a whole run redraws."""
    c1, c2, c3, c4, c5 = st.columns([3, 2, 1, 1, 1])
    prompt = c1.text_input("Start it with", key="tx_prompt", persist_state="session", max_chars=200)
    temp = c2.slider(
        "Temperature",
        0.0,
        2.0,
        step=0.1,
        key="tx_temp",
        persist_state="session",
        help="0: always the likeliest letter. 1: as the model believes. Above 1: wilder.",
    )
    top_k = c3.selectbox(
        "Top-k",
        [None, 1, 2, 3, 5, 10, 20],
        format_func=lambda k: "all" if k is None else str(k),
        key="tx_topk",
        persist_state="session",
        help="Draw only from the k likeliest letters.",
    )
    n = c4.select_slider("Letters", [50, 100, 200, 300, 500], key="tx_n", persist_state="session")
    seed = c5.number_input(
        "Seed", 0, 9999, key="tx_seed", persist_state="session", help="The same seed and settings write the same text."
    )
    fitted, note = fit_text(prompt, tokens)
    if note:
        st.info(note)
    key = (state.version, fitted, temp, top_k, n, seed)
    box = st.empty()
    memo = st.session_state.get("tx_written")
    if memo and memo[0] == key:
        written = memo[1]
        box.markdown(stream_html(fitted, written), unsafe_allow_html=True)
    else:
        written = ""
        for i, c in enumerate(stream(model, tokens, fitted, n, temp, top_k, seed)):
            written += c
            if i % 2 == 1 or i == n - 1:
                box.markdown(stream_html(fitted, written), unsafe_allow_html=True)
                time.sleep(0.01)
        st.session_state["tx_written"] = (key, written)
    st.caption(
        f"Wrote {len(written)} characters at temperature {temp:g}, top-k {'all' if top_k is None else top_k}, seed {seed}. "
        "Each letter is drawn from the model's guesses for the next one, then fed back in as input. At temperature 0 "
        "it always takes its top guess and soon repeats itself; higher temperatures take more risks and make more "
        "mistakes. It copies the style of its text (words, punctuation, quotes) without meaning anything."
    )


write()

# ----- reading a sentence ----------------------------------------------------------------------
st.header("3. What it expects next", divider="gray")
sentence = st.text_input("Type a sentence", key="tx_sentence", persist_state="session", max_chars=300)
fitted, note = fit_text(sentence, tokens)
if note:
    st.info(note)


def sentence_views(fitted: str) -> None:
    """Sections 3 and 4 for a sentence written in the model's letters."""
    reading = read_text(model, tokens, fitted)
    st.plotly_chart(next_char_figure(fitted, reading.top_chars, reading.top_probs), key="tx_next")
    st.caption(
        "Under each letter of your sentence, the five letters the model thinks most likely to come next, stacked by "
        "probability (hover for numbers). Green marks the letter that really came next. Inside a word the model is often "
        "sure; after a space it has to guess which word starts."
        + (" Only the first 60 positions are drawn." if len(fitted) > 60 else "")
    )
    st.markdown("#### The sentence coloured by one hidden unit")
    H = reading.hidden.shape[1]
    # set again each run: the slider is a new widget when the model's size changes, and would start from 0; a unit
    # of a bigger model (a link's, or the one before) becomes the last unit of this one
    st.session_state["tx_unit"] = min(max(int(st.session_state.get("tx_unit", 0)), 0), H - 1)
    unit = st.slider("Unit", 0, H - 1, key="tx_unit", persist_state="session")
    st.markdown(
        activation_text_html([shown(c) for c in fitted], reading.hidden[:, unit], f"h_t of unit {unit}"), unsafe_allow_html=True
    )
    st.caption(
        "Each letter is shaded by the value of one unit of h_t after reading it. Some units follow position in a "
        "word, some fire at spaces, some stay on inside quotes."
    )

    # ----- same word, different context -------------------------------------------------------------
    st.header("4. Same word, different context", divider="gray")
    if st.session_state.get("tx_word") not in repeated_words(fitted):
        st.session_state.pop("tx_word", None)  # a word chosen for an earlier sentence
    try:
        view = context_view(model, tokens, fitted, st.session_state.get("tx_word"))
    except ConfigError as e:
        view, why = None, str(e)
    if view is None:
        st.warning(why)
    else:
        words = list(repeated_words(view.sentence))
        if len(words) > 1:
            st.session_state["tx_word"] = view.word  # kept when the choices change with the sentence
            st.selectbox("Repeated word", words, key="tx_word", persist_state="session")
        n_occ = len(view.spans)
        labels = [f"“{view.word}” #{i + 1}" for i in range(n_occ)]
        st.markdown(
            f"The word **“{view.word}”** appears {n_occ} times. The network reads the same letters each time, but it arrives "
            "with a different past, and h_t is the only place that past can live. Here is h_t after the last letter of each one."
        )
        cols = st.columns(min(n_occ, 4))
        for i, (col, ctx_text, preds) in enumerate(zip(cols, view.contexts(), view.predictions)):
            col.markdown(f"**{labels[i]}**, after reading:")
            col.markdown(context_html(ctx_text, len(view.word)), unsafe_allow_html=True)
            col.markdown("Next letter: " + ", ".join(f"“{shown(c)}” {p:.2f}" for c, p in preds[:3]))
        m1, m2, m3 = st.columns(3)
        m1.metric("their distance", f"{view.distance:.2f}", help=f"Euclidean distance between the h_t of the two “{view.word}”s")
        m2.metric("random pairs", f"{view.typical_random:.2f}", help="The median distance between 300 random pairs of positions")
        m3.metric("random pairs closer", f"{view.percentile:.0f}%", help="The share of random pairs closer than the two")
        st.markdown(view.verdict())
        st.plotly_chart(states_side_by_side(view.states, labels, view.units), key="tx_states")
        st.caption(
            "The first rows are h_t at the end of each occurrence, one column per hidden unit (red positive, blue "
            "negative); the last row is their difference (magnified as its label says). If it were all white, the "
            "model would have forgotten everything "
            "before the word. Black boxes mark the units that differ most."
        )
        a, b = st.columns(2)
        a.plotly_chart(unit_pairs_figure(view.states[:2], labels[:2], view.units), key="tx_units")
        a.caption("The units that differ most, side by side. Try them with the Unit slider above to see where they switch.")
        b.plotly_chart(distance_figure(view.distance, view.random_distances, view.word), key="tx_dist")
        b.caption(
            "Grey: distances between the states at 300 random pairs of positions in the same sentence, the yardstick. "
            "The line: the two occurrences. The same word is not the same state: how far apart they are says how much "
            "of the earlier text the model still carries."
        )
        st.plotly_chart(prediction_figure(view.predictions, labels), key="tx_preds")
        st.caption(
            "What the model expects right after each occurrence. Different states can give different guesses: that is the "
            "context at work. (A small character model mostly expects a space or punctuation after a whole word; a bigger one "
            "would also differ in which word it expects next.)"
        )


if fitted:
    sentence_views(fitted)
else:
    st.warning("Type a sentence made of letters the model knows.")

# ----- sentiment ---------------------------------------------------------------------------------
st.header("5. Many-to-one: reading an opinion word by word", divider="gray")
st.markdown(
    "A second, smaller network reads a sentence **one word at a time** and answers once, at the end: positive or "
    "negative. It trained on the app's *Sentiment with negation* task, where a **not** right before the opinion word "
    "flips it. Below is what it would answer after each word, if the sentence stopped there."
)
reader = tx.reader()
reader_job = tx.reader_job_now()
reader_training = reader is None and reader_job is not None and reader_job.status in (JobStatus.RUNNING, JobStatus.PAUSED)
if reader is None:
    st.button(
        "Train the sentiment reader (a few seconds)",
        key="tx_sent_train",
        on_click=tx.ask_reader,
        disabled=reader_training,
        help=f"An LSTM of 24 units, {TRAIN_STEPS} steps, trained on the server once: the same reader for the whole class.",
    )

    @st.fragment(run_every=ui_jobs.redraw_seconds() if reader_training else None)
    def reader_progress():
        j = tx.reader_job_now()
        if j is None:
            return
        v = j.view()
        if v.done and reader_training:  # trained: draw the section with it
            st.rerun()
        step = max((a for a, _ in v.steps.values()), default=0)
        if v.status is JobStatus.FAILED:
            ui_jobs.progress_line(v, "Training the sentiment reader")
        else:
            st.progress(
                min(1.0, step / TRAIN_STEPS),
                text=f"Training the sentiment reader: step {step:,} of {TRAIN_STEPS:,} · {v.seconds:.0f} s",
            )

    reader_progress()
else:
    s_tokens = reader.task.tokens
    said = st.text_input("A sentence (use its words)", key="tx_sent", persist_state="session", max_chars=300)
    st.caption("Its words: " + ", ".join(sorted(s_tokens)) + ". Other words are shown in grey and skipped.")
    try:
        wr = read_words(reader.model, s_tokens, said)
    except ConfigError as e:
        st.warning(str(e))
    else:
        st.plotly_chart(sentiment_figure(wr.words, wr.positive, wr.known), key="tx_sentfig")
        st.markdown(f"**Its answer:** {wr.label} (P(positive) = {wr.final:.2f}).")
        st.caption(
            "Green: it would say positive here; red: negative. Watch the bar drop when “not” comes before "
            "“good”, or rise before “bad”."
        )
    with st.expander("Our test sentences (written for this task, never trained on)"):
        rows = score_test_set(reader.model, s_tokens)
        right = sum(r["right"] for r in rows)
        st.markdown(f"**{right} of {len(rows)} right.**")
        st.dataframe(
            [
                {
                    "sentence": r["sentence"],
                    "truth": r["truth"],
                    "P(positive)": round(r["p_positive"], 3),
                    "right": "✓" if r["right"] else "✗",
                }
                for r in rows
            ],
            hide_index=True,
        )

# ----- chatbots ------------------------------------------------------------------------------------
st.header("6. And chatbots?", divider="gray")
st.markdown(
    "Neural chatbots began with models like this one: predict the next piece of text, add it, predict again. The "
    "first neural conversation models and translators (around 2014 and 2015) were LSTMs that read and wrote one "
    "piece at a time, much like this page's model. (Older chatbots, such as ELIZA in 1966, followed hand-written "
    "rules.) Today's chatbots still write one piece at a time, but they are **Transformers**: they look at the whole "
    "conversation at once instead of squeezing it into one hidden state, they train in parallel, and they have "
    f"billions of weights where this model has {state.weights:,}."
)
if os.path.exists(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pages", "6_Compare.py")):
    st.page_link(
        "pages/6_Compare.py", label="Compare an RNN, an LSTM and a Transformer on the same task", icon=":material/compare_arrows:"
    )
else:
    st.markdown("The Compare page races an RNN, an LSTM and a Transformer on the same task.")

# ----- the link: the page's choices, the model shown, the reader -----------------------------------
ss["tx_run"], ss["tx_steps"] = tx.run_in_link(which, arch, int(hidden))
ss["tx_reader"] = reader is not None or reader_training
ui.share(ctx)
