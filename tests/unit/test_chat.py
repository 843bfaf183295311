"""Chat: the corpus loader's counts and split, a tiny network that learns (its loss falls, its replies keep their
attention), retrieval, the scores on a hand-made example, the verdict, and the command line's JSON and refusals."""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.data.chat import HELDOUT_SHARE, MAX_WORDS, ChatCorpus, Exchange, chat_corpus, normalise, words
from rnnviz.errors import ConfigError
from rnnviz.language import chat as ch


def test_words_are_lower_case_without_punctuation_and_keep_apostrophes():
    assert words("Hello, how are you?") == ["hello", "how", "are", "you"]
    assert words("I don’t know... It's 1963!") == ["i", "don't", "know", "it's", "1963"]
    assert normalise("  ?!  ") == ""


def test_the_corpus_is_counted_and_split_by_topic_without_leaks():
    c = chat_corpus()
    n = c.counts
    assert n["read"] > 2000 and n["malformed"] == 1  # the trivia file's garbled entry
    assert n["read"] == n["empty"] + n["too_long"] + n["repeated"] + n["kept"]
    assert n["repeated"] > 1000  # the tech support file repeats its pairs
    assert n["train_pairs"] + n["heldout_pairs"] == n["kept"] == len(c.train_pairs) + sum(len(e.answers) for e in c.heldout)
    assert len(c.topics) == 21 and {"greetings", "computers", "science", "humor", "tech support"} <= set(c.topics)
    train_q = {e.question for e in c.train}
    assert not train_q & {e.question for e in c.heldout}  # a question is on one side only
    assert len(train_q) == len(c.train) and all(e.topic in c.topics for e in c.heldout)
    for e in c.train + c.heldout:
        assert 1 <= len(e.question.split()) <= MAX_WORDS and all(1 <= len(a.split()) <= MAX_WORDS for a in e.answers)
        assert len(set(e.answers)) == len(e.answers)
    for t in c.topics:  # stratified: about the share of each topic's questions held out, at least one kept
        k = sum(e.topic == t for e in c.train)
        h = sum(e.topic == t for e in c.heldout)
        assert k >= 1 and h == min(k + h - 1, round(HELDOUT_SHARE * (k + h)))
    assert any(len(e.answers) > 1 for e in c.train)
    again = chat_corpus.__wrapped__()  # read again, not from the cache: the same split
    assert again.heldout == c.heldout and again.train == c.train


def tiny_corpus() -> ChatCorpus:
    pairs = [
        ("hello", ("hi there",)),
        ("how are you", ("i am fine thank you", "very well")),
        ("what is your name", ("my name is bot",)),
        ("do you like music", ("i love music",)),
        ("what is a computer", ("a machine that computes",)),
        ("tell me a joke", ("why did the chicken cross the road",)),
    ]
    train = tuple(Exchange(q, a, "tiny") for q, a in pairs)
    held = (Exchange("how are you doing", ("i am fine",), "tiny"), Exchange("do you like songs", ("yes i love music",), "tiny"))
    return ChatCorpus(train, held, ("tiny",), {"kept": 9})


def test_a_tiny_network_learns_and_answers_with_attention():
    cfg = ch.ChatConfig(steps=150, hidden=16, embed=8, batch=8, lr=0.01)
    job = ch.chat_job(cfg, tiny_corpus())
    r = job.run_here().result
    loss = r.losses
    assert len(loss) == 150 and np.mean(loss[-10:]) < 0.5 * np.mean(loss[:10])
    assert r.network.scores["train"]["n"] == 6 and r.network.scores["heldout"]["n"] == 2
    assert r.network.scores["train"]["f1"] > 0.5  # it has learned most of its six answers
    rep = ch.reply(r.model, r.vocab, "Hello!")
    assert rep.message == ["hello"] and rep.unknown == []
    assert rep.attention.shape == (len(rep.rows), 1) and np.allclose(rep.attention.sum(1), 1, atol=1e-5)
    rep = ch.reply(r.model, r.vocab, "what is your favourite name")
    assert rep.unknown == ["favourite"] and rep.attention.shape[1] == 5
    assert set(rep.words) <= set(r.vocab.tgt)
    assert r.where(["hello"]) == ("train", ("hi there",)) and r.where(["nothing", "here"]) is None
    short = ch.ChatConfig(steps=20, hidden=16, embed=8, batch=8, lr=0.01)
    again = ch.chat_job(short, tiny_corpus()).run_here().result  # the seed decides everything
    assert again.losses == loss[:20]


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "Type a message"),
        ("   ", "Type a message"),
        ("?!?", "No words"),
        ("zzqx blorp", "never seen any"),
        ("hi " * 41, "41 words"),
    ],
)
def test_an_odd_message_gets_one_clear_error(text, says):
    vocab = ch.Vocab([("hi there", "hello")])
    with pytest.raises(ch.ChatInputError, match=says):
        ch.check_message(text, vocab)
    with pytest.raises(ch.ChatInputError, match="characters"):
        ch.check_message("a" * 401, vocab)


def test_retrieval_answers_with_a_training_answer():
    c = chat_corpus()
    ret = ch.Retrieval(c.train)
    given = ret.answer([e.question for e in c.heldout])
    answers = {e.answers[0] for e in c.train}
    assert all(g in answers for g in given)
    assert ret.answer([c.train[5].question]) == [c.train[5].answers[0]]  # a training question finds itself
    answer, near, cos = ret.lookup(["hello"])
    assert near == "hello" and cos == pytest.approx(1.0)


def test_scores_on_a_hand_made_example():
    assert ch.token_f1("i am doing well", "i am well thank you") == pytest.approx(2 / 3)
    assert ch.token_f1("yes yes", "yes") == pytest.approx(2 * 0.5 * 1 / 1.5)  # repeats count once each
    assert ch.token_f1("", "yes") == 0 and ch.token_f1("no", "yes") == 0
    ex = [Exchange("q1", ("a b c", "d e"), "t"), Exchange("q2", ("x y",), "t")]
    s = ch.score_replies(["d e", "x z"], ex)
    assert s["exact"] == 0.5 and s["n"] == 2
    assert s["f1"] == pytest.approx((1.0 + 0.5) / 2)  # the best answer counts: 'd e' matches its second answer


def test_the_verdict_is_written_from_the_numbers():
    ret = {"train": {"exact": 1.0, "f1": 1.0, "n": 700}, "heldout": {"exact": 0.01, "f1": 0.1, "n": 180}}
    memorised = {"train": {"exact": 0.9, "f1": 0.95, "n": 700}, "heldout": {"exact": 0.02, "f1": 0.15, "n": 180}}
    v = ch.verdict(memorised, ret, 0.8)
    assert "90%" in v and "2%" in v and "memorised much" in v and "80%" in v and "more word overlap than retrieval" in v
    early = {"train": {"exact": 0.05, "f1": 0.2, "n": 700}, "heldout": {"exact": 0.0, "f1": 0.15, "n": 180}}
    v = ch.verdict(early, ret, 0.1)
    assert "not memorised" in v and "10%" in v and "more word overlap" in v
    by_heart = {**memorised, "train": {"exact": 0.999, "f1": 1.0, "n": 700}}
    assert "by heart" in ch.verdict(by_heart, ret, 0.3) and "99.9%" in ch.verdict(by_heart, ret, 0.3)
    v = ch.verdict(memorised, {**ret, "heldout": {"exact": 0.0, "f1": 0.3, "n": 180}}, 0.8)
    assert "less word overlap than retrieval (0.15 against 0.30)" in v


def test_config_limits():
    ch.ChatConfig().validate()
    for bad in (dict(steps=0), dict(hidden=3), dict(seed=-1), dict(lr=2.0), dict(batch=True)):
        with pytest.raises(ConfigError):
            ch.ChatConfig(**bad).validate()


def test_cli_json(capsys):
    assert main(["chat", "--steps", "3", "--hidden", "8", "--embed", "4", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    for side in ("heldout", "train"):
        for method in ("network", "retrieval"):
            assert set(r[side][method]) == {"exact", "f1", "n"} and 0 <= r[side][method]["f1"] <= 1
    assert r["train"]["retrieval"]["exact"] == 1.0 and r["heldout"]["network"]["n"] == r["corpus"]["heldout_questions"]
    assert r["network"]["steps"] == 3 and r["config"]["hidden"] == 8 and "chatterbot" in r["source"]
    assert "held-out" in r["verdict"] and len(r["samples"]) == ch.SAMPLES + 3
    assert {"question", "answers", "network", "retrieval", "network_f1", "retrieval_f1"} <= set(r["samples"][0])


@pytest.mark.parametrize("args", [["chat", "--steps", "0"], ["chat", "--hidden", "abc"], ["chat", "--seed", "10000"]])
def test_cli_bad_option_is_one_line_and_exit_2(args, capsys):
    try:
        code = main(args)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("rnnviz: error:")


def test_cli_bad_option_from_a_real_shell():
    p = subprocess.run([sys.executable, "-m", "rnnviz", "chat", "--lr", "5"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stdout == "" and len(p.stderr.strip().splitlines()) == 1 and "lr" in p.stderr


def test_the_figures_are_labelled():
    from rnnviz.plots import chat as plots

    alpha = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]], np.float32)
    fig = plots.attention(["hello", "there"], ["hi", "you", "(end)"], alpha)
    assert "Where the network looked" in fig.layout.title.text
    assert "message words" in fig.layout.xaxis.title.text and "reply words" in fig.layout.yaxis.title.text
    assert list(fig.layout.xaxis.ticktext) == ["hello", "there"] and list(fig.layout.yaxis.ticktext) == ["hi", "you", "(end)"]
    assert fig.data[0].zmin == 0 and fig.data[0].zmax == 1 and "attention" in fig.data[0].colorbar.title.text
    table = [
        {"questions": q, "method": m, "exact": e, "f1": f, "n": n}
        for q, n in (("held-out questions", 182), ("training questions", 727))
        for m, e, f in (("network", 0.005, 0.08), ("retrieval", 0.011, 0.1))
    ]
    fig = plots.scores(table)
    assert [d.name.split()[0] for d in fig.data] == ["network", "retrieval"] and "exact 0.5%" in fig.data[0].text[0]
    fig = plots.topics(["a", "b"], [3, 9], [1, 2])
    assert list(fig.data[0].y) == ["b", "a"] and list(fig.data[1].x) == [2, 1] and fig.layout.barmode == "stack"
