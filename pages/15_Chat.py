"""Chat: a GRU encoder-decoder with attention trained on real question-and-answer pairs, which answers a message word
by word; scored on questions it never saw against a retrieval baseline."""

import numpy as np
import pandas as pd
import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.data.chat import HELDOUT_SHARE, MAX_WORDS, SOURCE, TERMS
from rnnviz.language import chat as ch
from rnnviz.plots import chat as plots
from rnnviz.ui import chat as uc
from rnnviz.ui import jobs as ui_jobs

ctx = ui.page("Chat", "💬", explorer=False, app="chat")
st.title("Chat: a network that answers in words")
st.markdown(
    "A chatbot built from a recurrent network reads a message and writes a reply, both as sequences of words: a "
    "sequence-to-sequence network, the same shape as the Translate page's. The **encoder**, a GRU read forwards and "
    "backwards, turns each word of the message into a state vector. The **decoder**, another GRU, then writes the "
    "reply one word per step: at each step it looks back over the message's states (**attention**: a weight for "
    "each message word, the weights adding up to 1), takes the likeliest next word, and is fed that word at the "
    "next step, until it writes the end mark. It has no rules, no facts and no memory of the conversation: "
    "everything it says, it learned from the pairs below. **Start here:** press **Train the network**, read the "
    "scores against the simple baseline, then type a message."
)
st.caption(
    "This page has its own network and choices; the sidebar's settings belong to the Train and inspection pages. "
    "Training runs on the server in turns with everyone else's, and a class asking for the same network shares it."
)
ss = st.session_state
uc.defaults()
linked = ss.pop("rv_linked_chat", None) or {}  # what this session's link asked for (its first visit only)
corpus = uc.corpus()
cnt = corpus.counts

# ----- the data -------------------------------------------------------------------------------------
st.markdown("### The data")
st.markdown(
    f"The English files of **chatterbot-corpus**, a collection of short exchanges on {len(corpus.topics)} topics "
    f"(greetings, computers, science, humour, trivia, …). Each file lists conversations; as ChatterBot, whose corpus "
    f"it is, reads them, each statement is the reply to the statement before it. That gives {cnt['read']:,} "
    f"(message, reply) pairs. Words are lower-cased and punctuation is dropped. Left out: "
    f"{cnt['repeated']:,} repeats of a pair already read, {cnt['too_long']} pairs with a side longer than {MAX_WORDS} "
    f"words, and {cnt['malformed']} {'entry' if cnt['malformed'] == 1 else 'entries'} garbled in the files themselves. "
    f"**{cnt['kept']:,} pairs** remain, on {cnt['train_questions'] + cnt['heldout_questions']:,} different questions."
)
most = max(corpus.train, key=lambda e: len(e.answers))
st.markdown(
    f"Some questions have several answers (*{most.question}* has {len(most.answers)}). The network learns from every "
    f"pair; a reply counts as right if it matches any of its question's answers. Questions, not pairs, are split: in each topic "
    f"{HELDOUT_SHARE:.0%} of the questions are **held out** ({cnt['heldout_questions']} in all, "
    f"{cnt['heldout_pairs']} pairs) and never trained on, and each topic keeps at least one question for training "
    f"({cnt['train_questions']} questions, {cnt['train_pairs']} pairs). The split is fixed, so every network is "
    "scored on the same held-out questions."
)
rows = {}
for side, group in (("training", corpus.train), ("held out", corpus.heldout)):
    for e in group:
        r = rows.setdefault(e.topic, {"topic": e.topic, "training": 0, "held out": 0, "example question": "", "its answer": ""})
        r[side] += 1
        if side == "training" and not r["example question"]:
            r["example question"], r["its answer"] = e.question, e.answers[0]
names = sorted(rows)
st.plotly_chart(
    ui.shared_figure(
        ("ch_topics", cnt["kept"]),
        lambda: plots.topics(names, [rows[t]["training"] for t in names], [rows[t]["held out"] for t in names]),
    ),
    key="ch_topics_fig",
)
with st.expander(f"The {len(rows)} topics: questions in training and held out, and an example of each"):
    st.dataframe(pd.DataFrame(sorted(rows.values(), key=lambda r: -r["training"])), hide_index=True, key="ch_topics")
st.caption(f"**Source:** {SOURCE}. **Terms:** {TERMS}")

# ----- training -------------------------------------------------------------------------------------
st.markdown("### Train the network")
t1, t2, t3, t4 = st.columns([2, 1, 1, 2])
steps = t1.select_slider(
    "Training steps",
    uc.STEPS,
    key="ch_steps",
    persist_state="session",
    help=f"Each step shows the network {ch.ChatConfig().batch} training pairs and nudges its weights.",
)
hidden = t2.selectbox(
    "Hidden units",
    uc.UNITS,
    key="ch_hidden",
    persist_state="session",
    help="Units in each direction of the encoder and in the decoder.",
)
seed = t3.number_input(
    "Seed", 0, 9999, key="ch_seed", persist_state="session", help="The starting weights and the order of the pairs."
)
cfg = uc.config(steps, hidden, seed)
want = uc.key_for(cfg)
t4.markdown("&nbsp;")
pressed = t4.button("Train the network", key="ch_train", type="primary", icon=":material/model_training:")
st.caption(
    f"The defaults ({uc.START['ch_steps']} steps, {uc.START['ch_hidden']} units) train in under a minute on a quiet "
    "server (the seconds it took are shown with the scores). More steps let it learn its training answers by heart; "
    "watch what that does to the held-out scores. "
    "Same choices, same seed: the same network, for everyone."
)
job, ss["ch_run"] = ui_jobs.asked(uc.SLOT, pressed, bool(linked.get("ch_run")), want, lambda: uc.start(cfg))
drawn = job.status if job is not None else None


def loss_charts(place, v, n: int) -> None:
    chance = float(np.log(len(v.ctx.vocab.tgt))) if v.ctx is not None else 7.0  # guessing among the words it can write
    ui_jobs.stage_losses(place, v, n, chance, None, "ch_loss", 1)  # no loss means "solved" for replies


@st.fragment(run_every=ui_jobs.live_every(drawn))
def live_training() -> None:
    ui_jobs.live(
        uc.SLOT,
        drawn,
        lambda v: "Training the chatbot",
        "ch",
        loss_charts,
        note="It is scored on the held-out questions as soon as it has trained; look at other pages meanwhile and come back.",
    )


if job is not None and not job.done:
    live_training()

result = None
if job is not None:
    v = job.view()
    if v.done:
        result = v.result
        if not ss["ch_run"]:
            st.info("The choices above changed since this network was trained: press **Train the network** to train it.")
else:
    st.info("No network yet: press **Train the network**.")


# ----- the scores -----------------------------------------------------------------------------------
def draw_scores(r: ch.ChatResult) -> None:
    st.markdown("### How good are its replies?")
    st.markdown(
        "Each reply is compared with the true answers of its question in two ways: **exact**, the share of replies "
        "that are one of the true answers word for word, and **word overlap** (token F1), which gives credit for the "
        "right words even in a different order or a different sentence: 0 when a reply shares no word with the "
        "answer, 1 when it has exactly the answer's words. The **baseline** is retrieval: find the training question "
        "most like the message (by shared words, rarer words counting more: TF-IDF cosine) and give that question's "
        "answer. It cannot say anything it has not seen."
    )
    table = pd.DataFrame(r.table())
    table["exact"] *= 100
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "exact": st.column_config.NumberColumn("exact answer", format="%.1f%%", help="Replies equal to a true answer."),
            "f1": st.column_config.NumberColumn(
                "word overlap (F1)", format="%.3f", help="Mean token F1 with the closest true answer."
            ),
            "n": st.column_config.NumberColumn("how many", format="%d", help="Questions scored."),
        },
        key="ch_scores",
    )
    st.plotly_chart(ui.shared_figure(("ch_bars", job.key), lambda: plots.scores(r.table())), key="ch_bars")
    st.markdown(r.verdict)
    st.caption(
        "Retrieval is exactly right on every training question by construction: the most similar training question "
        "is the question itself. Its held-out score is what looking up the nearest seen question is worth."
    )
    n = r.network
    st.caption(
        f"The network: {n.parameters:,} weights, {n.steps:,} steps in {n.train_seconds:.1f} s of training, final "
        f"training loss {n.final_loss:.2f}; it knows {len(r.vocab.src) - 2:,} words in messages and can write "
        f"{len(r.vocab.tgt) - 3:,}."
    )
    st.markdown("#### Sample replies")
    st.dataframe(
        pd.DataFrame(
            {
                "questions": "held out" if s["side"] == "heldout" else "training",
                "message": s["question"],
                "a true answer": s["answers"][0],
                "network": s["network"] or "(empty)",
                "network overlap": s["network_f1"],
                "retrieval": s["retrieval"],
                "retrieval overlap": s["retrieval_f1"],
            }
            for s in r.samples
        ),
        hide_index=True,
        column_config={
            "network overlap": st.column_config.NumberColumn(format="%.2f"),
            "retrieval overlap": st.column_config.NumberColumn(format="%.2f"),
        },
        key="ch_samples",
    )


if result is not None:
    with ui_jobs.result("chat", job):
        draw_scores(result)

# ----- talk to it -----------------------------------------------------------------------------------
st.markdown("### Talk to it")


def use_example(text: str) -> None:
    ss["ch_msg"] = text


st.caption("Type a message below, or start from an example:")
cols = st.columns([len(t) + 8 for t in ch.EXAMPLES])  # wider for longer labels: none is cut on a projector
for i, (col, text) in enumerate(zip(cols, ch.EXAMPLES)):
    col.button(text, key=f"ch_ex{i}", on_click=use_example, args=(text,), width="stretch")
message = st.text_input(
    "Type a message",
    max_chars=ch.MAX_MESSAGE_CHARS,
    key="ch_msg",
    persist_state="session",
    help=f"Plain English, at most {ch.MAX_MESSAGE_WORDS} words. Punctuation and capitals are ignored.",
)
if result is None:
    st.info("Train the network first (above); its reply to this message and where it looked appear here.", icon=":material/chat:")
else:
    try:
        words, unknown = ch.check_message(message, result.vocab)
        shown = message
        ss["ch_last_ok"] = message
    except ch.ChatInputError as e:
        st.error(str(e), icon=":material/chat_error:")
        shown = ss.get("ch_last_ok")
        if shown:
            st.caption(f"Below: the reply to the last message it could read, “{shown}”.")
    if shown:
        rep = ch.reply(result.model, result.vocab, shown)
        if rep.unknown:
            st.warning(
                "Never seen in a training question, so read as one “unknown word”: "
                + ", ".join(f"“{w}”" for w in rep.unknown)
                + ".",
                icon=":material/help:",
            )
        with st.chat_message("user"):
            st.markdown(" ".join(rep.message))
        fresh = ss.get("ch_drawn") != (job.key, shown)
        uc.write_reply(rep.words, animate=fresh)
        ss["ch_drawn"] = (job.key, shown)
        place = result.where(rep.message)
        answer, near, cos = result.baseline.lookup(rep.message)
        if place is not None:
            side, answers = place
            truth = "“" + "”, “".join(answers[:3]) + "”" + (f" and {len(answers) - 3} more" if len(answers) > 3 else "")
            its = f"its answer is {truth}" if len(answers) == 1 else f"its {len(answers)} answers are {truth}"
            got = rep.text in answers
            if side == "train":
                said = "The reply is " + (
                    "that answer, word for word: recalled." if len(answers) == 1 else "one of them, word for word: recalled."
                )
                st.markdown(f"This message is a **training question**: {its}. " + (said if got else "The reply is none of them."))
            else:
                said = "The reply is " + ("that answer" if len(answers) == 1 else "one of them") + ", word for word."
                st.markdown(
                    f"This message is a **held-out question** (never trained on); {its}. "
                    + (said if got else "The reply is not " + ("it." if len(answers) == 1 else "one of them."))
                )
        else:
            st.markdown("This message is not in the corpus: there is no true answer to compare with.")
        st.markdown(
            f"Retrieval would answer “{answer}”, the answer of the training question “{near}” (cosine {cos:.2f})."
            if cos > 0
            else f"Retrieval finds no training question sharing a word with it and falls back on the first one's answer, "
            f"“{answer}”."
        )
        if rep.words or rep.ended:
            across = [f"{w} (unknown)" if w in rep.unknown else w for w in rep.message]
            down = [w if w != ch.END else "(end)" for w in rep.rows]
            st.plotly_chart(plots.attention(across, down, rep.attention), key="ch_attention")
            st.caption(
                "Each row is one word of the reply, in the order it was written; each column one word of the message. "
                "A cell's number is the share of attention the decoder gave that message word while choosing that reply "
                "word (each row adds up to 1; darker is more). The last row, *(end)*, is the step where it chose to stop."
            )
        if not rep.ended:
            st.caption(f"It wrote {ch.MAX_OUT} words without the end mark; the reply is cut there.")

ui.share(ctx)
