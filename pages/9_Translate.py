"""Translate: number words to digits (or to German number words, letter by letter) by a GRU
encoder-decoder, with and without attention."""

import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.language import translate as tr
from rnnviz.plots.translate import accuracy_by_length, attention_heatmap, letters_heatmap, loss_curves
from rnnviz.ui import jobs as ui_jobs

ctx = ui.page("Translate", "🌐", explorer=False, app="translate")
ss = st.session_state
ss.setdefault("tr_target", "digits")
target = ss["tr_target"] if ss["tr_target"] in tr.TARGETS else "digits"  # what the decoder writes
german = target == "de"
st.title(
    "Translate: number words to German words, with and without attention"
    if german
    else "Translate: number words to digits, with and without attention"
)
st.radio(
    "Translate into",
    tr.TARGETS,
    horizontal=True,
    key="tr_target",
    persist_state="session",
    format_func=tr.TARGET_TITLES.get,
    help="Digits: 342. German words: the German number word, written letter by letter (dreihundertzweiundvierzig).",
)
if not german:
    st.markdown(
        "Translation is a **sequence-to-sequence** job: a sentence goes in, another comes out, and the two "
        "need not have the same length. Here the “language” is English number words and the translation is "
        "the number in digits. An **encoder** GRU reads the words; a **decoder** GRU writes the digits one at a "
        "time. Two versions learned the same task from the same examples with the same seed: one whose decoder "
        "only gets the encoder's **final state**, and one that may **look back at every input word** before it "
        "writes each digit (attention). **Start here:** press one of the example numbers under *Try it* and see "
        "where the attention model looks while it writes each digit."
    )
else:
    st.markdown(
        "Translation is a **sequence-to-sequence** job: a sentence goes in, another comes out, and the two "
        "need not have the same length. Here English number words go in and the German number word comes out. "
        "An **encoder** GRU reads the English words; a **decoder** GRU writes the German word one letter at a "
        "time. Two versions learn the same task from the same examples with the same seed: one whose decoder "
        "only gets the encoder's **final state**, and one that may **look back at every input word** before it "
        "writes each letter (attention)."
    )
    st.markdown(
        "**Into German.** The same English words go in; out comes the German number word, one letter at a time: "
        "*ninety seven* → *siebenundneunzig*. German says the units **before** the tens: *sieben-und-neunzig*, "
        "“seven-and-ninety”. So while the decoder writes the letters of *sieben* it must look at *seven*, the "
        "**last** English word, and only afterwards go back to *ninety* for *neunzig*: the attention has to cross "
        "over instead of running along the sentence. The German models learn the numbers 0 to 9,999 (words of up "
        "to 42 letters)."
    )
st.caption(
    (
        "Data: English number words that the app generates from the rules below with a fixed seed, and their German "
        "words from the Python package **num2words** (version 0.5.14, licence LGPL-2.1, "
        'github.com/savoirfairelinux/num2words), `num2words(n, lang="de")`, lower-cased: the German rules are the '
        "package's, not ours (nothing is downloaded). "
        if german
        else "Data: pairs of number words and digits that the app generates from the rules below with a fixed seed "
        "(nothing is downloaded). "
    )
    + "This page has its own models and choices; the sidebar's settings belong to the Train and inspection pages."
)


@st.cache_resource(show_spinner="Loading the shipped models…")
def shipped(target: str = "digits"):
    """The shipped models are only read (translated with), never trained: one copy serves every session."""
    weights, results = tr.SHIPPED[target]
    cfg, models = tr.load(weights)
    return cfg, models, tr.shipped_results(results)


digits_cfg = shipped()[0]  # the page's defaults (hidden units) come from the digits' shipped models
has_shipped = tr.has_shipped(target)
if has_shipped:
    cfg, shipped_models, shipped_result = shipped(target)
else:  # German without shipped models: the Train button's base is the command line's German defaults
    cfg, shipped_models, shipped_result = tr.default_config(target), None, None
linked = ss.pop("rv_linked_translate", None) or {}  # what this session's link asked for (its first visit only)
defaults = (("tr_text", tr.EXAMPLES[0]), ("tr_which", "shipped"), ("tr_steps", 300), ("tr_hidden", digits_cfg.hidden))
for k, v in (*defaults, ("tr_seed", 0)):
    ss.setdefault(k, v)

# ----- the models trained on this page: a job of the shared worker ----------------------------------
config = tr.page_config(ss["tr_steps"], ss["tr_seed"], ss["tr_hidden"], cfg)  # what the Train button trains with the choices now
slot = "translate" if target == "digits" else f"translate_{target}"  # each target's trained models stay apart


def matches(job) -> bool:
    """Whether this job trains what the steps, units and seed chosen now would train."""
    return job is not None and job.key == tr.translate_key(config)


def press() -> None:
    ss["tr_pressed"] = True


job = ui_jobs.current(slot)
if ss.pop("tr_pressed", False):
    job = ui_jobs.ask(slot, tr.translate_key(config), lambda: tr.translate_job(config))
    ss["tr_pick_mine"] = True  # show them once they are trained
elif linked.get("tr_run") and not matches(job):  # a link to trained models: the same ones, from the board or trained again
    job = ui_jobs.ask(slot, tr.translate_key(config), lambda: tr.translate_job(config))
ss["tr_run"] = matches(job)  # the link says "trained" only for the models the choices give
view = job.view() if job is not None else None  # one reading for the whole page run
mine = view.result if view is not None and view.done else None  # an Experiment: models, losses, result
if mine is not None and ss.pop("tr_pick_mine", False):
    ss["tr_which"] = "mine"

with st.expander("The rules of the task (what the models had to find out by themselves)", expanded=False):
    st.markdown(tr.RULES)
    st.markdown(
        "The models were never shown these rules: only pairs such as *three hundred and forty two → "
        + ("dreihundertzweiundvierzig" if german else "342")
        + "*. "
        f"One number in {tr.HELDOUT_EVERY} never appears in training; the accuracies below are measured on those."
    )

which = "shipped" if has_shipped else ("mine" if mine is not None else None)
if mine is not None and has_shipped:
    which = st.radio(
        "Models",
        ["shipped", "mine"],
        horizontal=True,
        key="tr_which",
        persist_state="session",
        format_func=lambda w: (
            f"shipped (trained {cfg.steps:,} steps each)"
            if w == "shipped"
            else f"trained here ({mine.config.steps:,} steps each, {mine.config.hidden} units, seed {mine.config.seed})"
        ),
    )
if which is None:
    models, result = None, None
else:
    models, result = (shipped_models, shipped_result) if which == "shipped" else (mine.models, mine.result)

st.markdown("#### Try it")


def use_example(sentence):
    ss["tr_text"] = sentence


examples = tr.DE_EXAMPLES if german else tr.EXAMPLES
st.caption("Type a number in words below, or start from an example (the button fills in its words):")
ex = st.columns(len(examples))
for i, (col, sentence) in enumerate(zip(ex, examples)):
    col.button(f"{tr.words_to_number(sentence):,}", key=f"tr_ex{i}", on_click=use_example, args=(sentence,), width="stretch")
text = st.text_input(
    "A number in words (0 to 999,999)",
    max_chars=300,
    key="tr_text",
    persist_state="session",
    help="For example “two thousand and five” or “nine hundred and eighty seven thousand six hundred and fifty four”.",
)
try:
    tr.check_source(text)
    shown = text
    ss["tr_last_ok"] = text
except tr.TranslateInputError as e:
    st.error(str(e), icon=":material/spellcheck:")
    shown = ss.get("tr_last_ok")
    if shown:
        st.caption(f"Below: the last sentence that could be translated, “{shown}”.")

top = 10**cfg.max_digits - 1  # the largest number the models shown learned
if german:
    st.caption(f"The German models learned the numbers 0 to {top:,}; larger ones have no German answer here.")
if shown and models is None:
    st.info(
        "There are no German models yet: press **Train both models** below (the server trains the model with "
        "attention, then the one without). Their German translations of this sentence, where the attention looks, "
        "and how often they are exactly right appear here once they are trained.",
        icon=":material/model_training:",
    )
elif shown:
    out = {kind: tr.translate(m, shown) for kind, m in models.items()}
    truth = tr.words_to_number(shown)
    right = None if truth is None or truth > top else tr.target_text(truth, target)  # the right translation
    a, b, c = st.columns(3)

    def verdict(t):
        if right is None:
            return None
        return "right" if t.text == right else "wrong"

    for col, kind, label in ((a, "attention", "With attention"), (b, "no_attention", "Without attention")):
        t = out[kind]
        col.metric(label, t.text, verdict(t), delta_color="normal" if verdict(t) == "right" else "inverse", delta_arrow="off")
    if truth is None:
        c.metric("By the rules", "—")
        c.caption("These words are not how the rules write a number, so there is no right answer; the models still try.")
    elif right is None:
        c.metric("By the rules", "—")
        c.caption(f"{truth:,} is beyond the German models' numbers (0 to {top:,}): they never learned it; they still try.")
    else:
        c.metric("By the rules", right)
        c.caption(
            "Neither model saw this number while training: it is one of the held-out numbers."
            if tr.is_heldout(truth)
            else "This number can come up in training (one number in ten never does)."
        )
    att = out["attention"]
    if german:
        _, parts = tr.attention_by_piece(models["attention"], shown)
        letters = [("end" if t == tr.END else t) for t in att.tokens]
        st.plotly_chart(
            letters_heatmap(
                att.words,
                letters,
                att.attention,
                [(p.piece, p.start, p.start + len(p.piece)) for p in parts],
                [p.looks_at for p in parts],
                f"Where the attention model looked while writing “{att.text}”",
            ),
            key="tr_heat",
        )
        named = [p for p in parts if p.english is not None]
        if named:
            st.caption(
                "Which English word each part of the German word looked at most: "
                + "; ".join(
                    f"*{p.piece}* → *{att.words[p.looks_at]}*"
                    + (" ✓" if att.words[p.looks_at] == p.english else f" (it translates *{p.english}*)")
                    for p in named
                )
                + "."
            )
        st.caption(
            "Each column is one letter the decoder wrote (and **end** when it decided it was done), each row one input "
            "word; the German word's parts are named above, with the English word each part looked at most. The numbers "
            "in a column are the attention weights: how much of each word's encoder state went into that letter; every "
            "column adds up to 1. **The crossing:** for 97 (*ninety seven*) the letters of *sieben* light up the row of "
            "*seven*, the second word, and only then do the letters of *neunzig* go up to *ninety*, the first: the "
            "bright cells jump back instead of running down the sentence, because German says the units first. *und* "
            "has no English word of its own (English's *and* comes after *hundred*, where German has none). The model "
            "without attention has no such matrix: it must keep both words in its one summary and bring them out in "
            "the other order."
        )
    else:
        st.plotly_chart(
            attention_heatmap(
                att.words, att.tokens, att.attention, f"Where the attention model looked while writing “{att.text}”"
            ),
            key="tr_heat",
        )
        st.caption(
            "Each row is one token the decoder wrote (a digit, or **<end>** when it decided it was done), each column one "
            "input word. The numbers in a row are the attention weights: how much of each word's encoder state went into "
            "that token; every row adds up to 1. Look for the diagonal-like path: the digit for the hundreds of thousands "
            "looks at the first words, later digits at later words. A **0** has no word of its own: it usually looks at the "
            "word that makes room for it (*thousand*, *hundred* or *and*; try 2,005). The end mark often spreads its "
            "attention, since no single word says “stop”. The model without attention has no such matrix: it gets the "
            "same single summary for every digit."
        )

if result is not None:
    st.markdown("#### Why attention helps with longer inputs")
    H = result["config"]["hidden"]  # the units of the models shown
    st.markdown(
        "Without attention, the encoder must squeeze the whole sentence into its final state: a fixed list of numbers "
        f"({2 * H} here, {H} from each reading direction), whether the sentence has one word or "
        + ("seven" if german else "eleven")
        + ". That single vector is a **bottleneck**: the longer the input, the more has to fit through it, and the "
        "harder it is for training to find a way to pack it. With attention the decoder keeps every word's encoder "
        "state and, for each "
        + ("letter" if german else "digit")
        + ", takes a weighted average of them, with weights it computes from what it is about to write. "
        "It does not have to remember the start of the sentence: it can look there again. The figure below measures it."
    )
    st.plotly_chart(accuracy_by_length(result), key="tr_acc")
    long = result["accuracy_longer_than_median"]
    st.caption(
        (
            "Exactly right means the whole German word, every letter, and the end in the right place. "
            if german
            else "Exactly right means every digit and the end in the right place. "
        )
        + f"Inputs longer than the training median "
        f"({result['train_median_words']:g} words): **{100 * long['attention']:.1f}%** right with attention, "
        f"**{100 * long['no_attention']:.1f}%** without, after {result['config']['steps']:,} training steps each "
        f"({result['parameters']['attention']:,} parameters each; the model without attention leaves its attention "
        "layers unused). Hover a point for how many held-out numbers it averages; lengths with fewer than 10 of "
        "them (there are only a few dozen numbers of one to three words) are left out."
        + (f" Shipped results, made by `{result['command']}`." if which == "shipped" and "command" in result else "")
    )
    if german and long["no_attention"] >= long["attention"] - 0.01:
        st.caption(
            "Here the two models are about as good: below 10,000 an input has at most seven words, and these models' "
            f"final state ({2 * H} numbers) has room for them. The bottleneck shows on longer inputs (the digits task "
            "goes to eleven words) or with smaller models: try fewer hidden units or steps below and compare."
        )

st.markdown("#### Train both models yourself")
st.markdown(
    "Train both versions from their seed, on the same batches, and watch which one gets there first. "
    "Try few steps: attention reads long numbers well long before the final-state model does. The server trains "
    "them while you read on or visit other pages, and a class asking for the same steps, units and seed shares one training."
)
t1, t2, t3 = st.columns([2, 1, 1])
t1.select_slider("Training steps for each model", [100, 200, 300, 500, 800, 1000, 1500], key="tr_steps", persist_state="session")
t2.select_slider(
    "Hidden units",
    [8, 16, 32, 64],
    key="tr_hidden",
    persist_state="session",
    help=f"GRU units in each reading direction and in the decoder (the shipped models have {digits_cfg.hidden}). Without "
    "attention, the decoder's whole view of the sentence is twice this many numbers.",
)
t3.number_input("Seed", 0, 9999, key="tr_seed", persist_state="session")
st.button("Train both models", key="tr_train", type="primary", icon=":material/model_training:", on_click=press)
drawn = view.status if view is not None else None  # what the page around the fragment was drawn for


def partial_charts(place, v, n: int) -> None:
    """While both models train: each model's loss so far, and the scores of the model that is done."""
    losses = tr.losses_by_model(v)
    part = tr.partial_result(v)
    with place.container():
        if losses:
            st.plotly_chart(loss_curves(losses), key=f"tr_loss_live_{n}")
        if part is not None:
            st.plotly_chart(accuracy_by_length(part), key=f"tr_acc_partial_{n}")
            st.caption(
                "Scored on the held-out numbers as soon as it finished training: "
                + ", ".join(f"{tr.STAGES[k]} {100 * x:.1f}% right" for k, x in part["accuracy_longer_than_median"].items())
                + f" on inputs longer than {part['train_median_words']:g} words. The other model is still training."
            )


def training_what(v) -> str:
    c = v.key[1]
    into = "" if c.target == "digits" else " into German"
    return f"Both models{into}, {c.steps:,} steps each, {c.hidden} units, seed {c.seed}"


@st.fragment(run_every=ui_jobs.live_every(drawn))
def training_area() -> None:
    """The job while it trains (rnnviz.ui.jobs.live); the trained models' curves once done."""
    v = ui_jobs.live(slot, drawn, training_what, "tr", partial_charts)
    if v is None and not has_shipped:
        st.caption(
            "No German models have been trained in this browser session yet: press **Train both models**. "
            "To get models trained earlier back, open the share link of the page that showed them: it trains them "
            "again from the same seed (at once if the server still has them)."
        )
        return
    if v is None:
        st.caption(
            "Nothing has been trained in this browser session yet, so the page shows the shipped models. "
            "To get models trained earlier back, open the share link of the page that showed them: it trains them "
            "again from the same seed (at once if the server still has them)."
        )
        return
    if not v.done:
        return
    j = ui_jobs.current(slot)
    e = v.result
    if not matches(j):
        st.info("The choices above changed since these models were trained: press **Train both models** to train them.")
    with ui_jobs.result("translate", j):
        st.plotly_chart(loss_curves(e.losses), key="tr_loss")
        long = e.result["accuracy_longer_than_median"]
        st.caption(
            f"Trained here: {e.config.steps:,} steps each, {e.config.hidden} units, from seed {e.config.seed}, scored on "
            f"{e.config.test_size:,} "
            f"held-out numbers: on inputs longer than {e.result['train_median_words']:g} words "
            f"**{100 * long['attention']:.1f}%** right with attention, **{100 * long['no_attention']:.1f}%** without. "
            f"The loss is how surprised the decoder was by the right next {'letter' if german else 'digit'}, averaged "
            "over recent steps (log scale). "
            + (
                "With **Models** at the top set to “trained here”, the translations and the accuracy figure above use these "
                "models; “shipped” goes back. "
                if has_shipped
                else "The translations and the accuracy figure above use these models. "
            )
            + "The share link brings them back in another browser."
        )


training_area()

st.markdown("#### The hybrid, and where it led")
compare = [p for p in ui.PAGES if p[1].startswith("Compare")]
st.markdown(
    "Attention on top of a recurrent network is the hybrid that made neural translation work (Bahdanau, Cho and "
    "Bengio, 2015). Its next step dropped the recurrence and kept only attention: the Transformer, which reads "
    "all words at once and now runs most language models and chatbots. "
    + (
        "The **Compare** lab races a GRU with attention against the plain RNN, LSTM, GRU, a convolutional network "
        "and a Transformer on the same tasks."
        if compare
        else "The Compare lab races these architectures on the same tasks."
    )
)
if compare:
    st.page_link(compare[0][0], label="Compare lab", icon=":material/arrow_forward:")

ui.share(ctx)
