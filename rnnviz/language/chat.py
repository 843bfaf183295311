"""A chatbot from a recurrent network: a GRU encoder-decoder with attention that answers a message word by word.

The data are the English question-and-answer pairs of chatterbot-corpus (:mod:`rnnviz.data.chat`: source, licence,
how the files are read and split). The network (:class:`~rnnviz.models.seq2seq.EncoderDecoder`, the Translate
page's model at this task's vocabularies) reads the message's words with a bidirectional GRU, then writes the
reply one word at a time, each step looking back over the message's words (attention) and fed the word it wrote
before; greedy decoding takes the likeliest word each step and stops at the end mark. Every reply keeps the
attention weights of each word it wrote (:class:`Reply`).

It is measured against a baseline that cannot generalise at all, **retrieval** (:class:`Retrieval`): find the
training question most like the message (TF-IDF cosine over words) and give that question's first answer.
Both are scored on the held-out questions (every one of them from a topic seen in training) and on the training
questions, by two numbers (:func:`score_replies`):

- **exact answer rate**: the share of replies that equal one of the question's true answers word for word;
- **word overlap**: token F1 between the reply and the true answer (the best over the question's answers): the
  words they share, counted with repeats, as a share of the reply's words (precision) and of the answer's
  (recall), combined as 2PR / (P + R). A reply with none of the answer's words scores 0, the same words 1.

A worked example of the overlap: reply "i am doing well" against answer "i am well thank you": 3 shared words,
P = 3/4, R = 3/5, F1 = 2 * 0.75 * 0.6 / 1.35 = 0.667.

The page trains it as a job of the shared worker (:func:`chat_job`: one stage, single flight on its settings);
the command line runs the same job here:

    python -m rnnviz chat --json
"""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ..data.chat import HELDOUT_SHARE, MAX_WORDS, SOURCE, SPLIT_SEED, TERMS, ChatCorpus, Exchange, chat_corpus, words
from ..errors import ConfigError
from ..models import parameter_count
from ..models.seq2seq import EOS, PAD, SOS, EncoderDecoder
from ..runtime.jobs import Job, Stage
from ..runtime.training import TrainConfig, Trainer
from ..tasks import Batch, Task

UNK = 1  # the input vocabulary's id for a word no training question has
END = "<end>"
MAX_OUT = MAX_WORDS + 1  # the longest training answer and the end mark: greedy decoding's cap
MAX_MESSAGE_WORDS = 40  # what reply() accepts (the longest training question has MAX_WORDS)
MAX_MESSAGE_CHARS = 400
MAX_STEPS = 10_000
STAGE = "GRU encoder-decoder with attention"  # the job's one stage
EXAMPLES = (  # the page's example buttons
    "hello",
    "what is your favorite book",
    "tell me a joke",
    "do you like football",
    "how are you today",
)
SAMPLES = 6  # held-out questions shown with both replies in the result (and 3 training ones)
BUCKETS = (0, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, MAX_OUT)  # a batch's answers have (lo, hi] words and end mark


class ChatInputError(ConfigError):
    """A message the network cannot read: empty, too long, or without one word it knows."""


# ----- words and ids ---------------------------------------------------------------------------------
def _ordered(counter: collections.Counter) -> tuple[str, ...]:
    return tuple(w for w, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


class Vocab:
    """The network's words: ``src``, the input's (id 0 padding, 1 unknown, then every word of a training question,
    the commonest first), and ``tgt``, the output's (0 padding, 1 start, 2 end, then every word of a training
    answer, the commonest first)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        q = collections.Counter(w for a, _ in pairs for w in a.split())
        r = collections.Counter(w for _, b in pairs for w in b.split())
        self.src = ("<pad>", "<unk>", *_ordered(q))
        self.tgt = ("<pad>", "<start>", END, *_ordered(r))
        self.src_id = {w: i for i, w in enumerate(self.src)}
        self.tgt_id = {w: i for i, w in enumerate(self.tgt)}

    def knows(self, word: str) -> bool:
        return self.src_id.get(word, UNK) > UNK

    def encode(self, question_words: list[str]) -> list[int]:
        return [self.src_id.get(w, UNK) for w in question_words]

    def said(self, ids) -> list[str]:
        """Output ids up to (not including) the end mark, as words."""
        out = []
        for i in ids:
            i = int(i)
            if i in (PAD, EOS):
                break
            out.append(self.tgt[i])
        return out


def pair_arrays(pairs: list[tuple[str, str]], vocab: Vocab) -> dict[str, np.ndarray]:
    """The training pairs as padded id arrays: src [N, S], src_len [N], tgt_in [N, T] (the start mark and the
    answer), tgt_out [N, T] (the answer and the end mark), with S = T - 1 = MAX_WORDS. Worked example:
    "how are you" -> "i am fine": src "how are you", tgt_in "<start> i am fine", tgt_out "i am fine <end>"."""
    n = len(pairs)
    src = np.zeros((n, MAX_WORDS), np.int64)
    src_len = np.zeros(n, np.int64)
    tgt_in = np.zeros((n, MAX_OUT), np.int64)
    tgt_out = np.zeros((n, MAX_OUT), np.int64)
    for k, (q, a) in enumerate(pairs):
        qi, ai = vocab.encode(q.split()), [vocab.tgt_id[w] for w in a.split()]
        src[k, : len(qi)] = qi
        src_len[k] = len(qi)
        tgt_in[k, : len(ai) + 1] = [SOS, *ai]
        tgt_out[k, : len(ai) + 1] = [*ai, EOS]
    return dict(src=src, src_len=src_len, tgt_in=tgt_in, tgt_out=tgt_out)


class ChatPairs(Task):
    """The training stream for the shared Trainer: batches of training (question, answer) pairs drawn at random
    (a held-out question is never drawn). The network reads more than one tensor (the question's ids, its length,
    and the true answer so far for teacher forcing), so the task scores it itself (:meth:`forward_loss`):
    cross-entropy over the answer's words and the end mark. The trainer's metric is the share of those predicted
    right. ``seq_len`` is unused: each pair decides its lengths. Worked example::

        "how are you" -> fed "<start> i am fine", target "i am fine <end>"
    """

    name = "chat"
    title = "Answer a message, word by word"
    shape = "sequence-to-sequence"
    loss = "ce"
    metric_name = "word accuracy"
    higher_is_better = True
    solved_metric = 1.0
    min_len = max_len = default_len = MAX_WORDS
    summary = "answer an English message with a reply written word by word"

    def __init__(self, arrays: dict[str, np.ndarray], out_words: int):
        self.a = arrays  # numpy: travels to the trainer process
        self.output_size = out_words
        self.baseline_loss = math.log(out_words)
        n_out = (arrays["tgt_out"] != PAD).sum(1)  # [N] answer words and the end mark
        self.buckets = [np.flatnonzero((n_out > lo) & (n_out <= hi)) for lo, hi in zip(BUCKETS, BUCKETS[1:])]
        self.buckets = [b for b in self.buckets if len(b)]
        sizes = np.array([len(b) for b in self.buckets], np.float64)
        self.weights = sizes / sizes.sum()

    def batch(self, batch_size: int, seq_len: int, rng: np.random.Generator) -> Batch:
        """batch_size pairs of about the same answer length: a bucket of answer lengths drawn in proportion to
        its pairs, then pairs drawn from it at random (so every training pair is as likely as any other). The
        decoder runs as many steps as the batch's longest answer: random batches of all lengths ran about
        three times as many steps as these, most of them on padding."""
        self.check_len(seq_len)
        a = self.a
        bucket = self.buckets[int(rng.choice(len(self.buckets), p=self.weights))]
        idx = bucket[rng.integers(0, len(bucket), int(batch_size))]
        S = int(a["src_len"][idx].max())
        T = int((a["tgt_out"][idx] != PAD).sum(1).max())
        src = torch.from_numpy(a["src"][idx, :S].copy())
        tgt_in = torch.from_numpy(a["tgt_in"][idx, :T].copy())
        tgt_out = torch.from_numpy(a["tgt_out"][idx, :T].copy())
        mask = (tgt_out != PAD).float()
        return Batch((src, torch.from_numpy(a["src_len"][idx].copy()), tgt_in), tgt_out, mask)

    def forward_loss(self, model: EncoderDecoder, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits [N, V] of the N answer words and end marks in the batch, their mean cross-entropy). Only those
        steps are read out: the readout over some 1,600 words is most of a step's cost, and padding is most of a
        batch's steps (each batch is as long as its longest answer)."""
        src, src_len, tgt_in = batch.x
        keep = batch.y != PAD  # [B, T]
        logits = model.out(model.features(src, src_len, tgt_in)[keep])  # [N, V]
        return logits, F.cross_entropy(logits, batch.y[keep])

    def metric(self, output: torch.Tensor, batch: Batch) -> float:
        """The share of the answer words and end marks predicted right (output: forward_loss's logits [N, V])."""
        with torch.no_grad():
            return float((output.argmax(-1) == batch.y[batch.y != PAD]).float().mean())


# ----- configuration and the model --------------------------------------------------------------------
@dataclass(frozen=True)
class ChatConfig:
    """steps: Adam steps; hidden: units per encoder direction and in the decoder; embed: numbers per word;
    batch: pairs per step; lr: Adam's; seed: the weights and the order of the pairs (the split is fixed)."""

    steps: int = 800
    hidden: int = 64
    embed: int = 32
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0

    def validate(self) -> ChatConfig:
        def whole(v) -> bool:
            return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

        if not whole(self.steps) or not 1 <= self.steps <= MAX_STEPS:
            raise ConfigError(f"steps must be an integer from 1 to {MAX_STEPS:,}, got {self.steps!r}")
        if not whole(self.hidden) or not 4 <= self.hidden <= 256:
            raise ConfigError(f"hidden must be an integer from 4 to 256, got {self.hidden!r}")
        if not whole(self.embed) or not 2 <= self.embed <= 128:
            raise ConfigError(f"embed must be an integer from 2 to 128, got {self.embed!r}")
        if not whole(self.batch) or not 1 <= self.batch <= 512:
            raise ConfigError(f"batch must be an integer from 1 to 512, got {self.batch!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 1e-5 <= float(self.lr) <= 1.0:
            raise ConfigError(f"lr must be from 1e-05 to 1, got {self.lr!r}")
        if not whole(self.seed) or not 0 <= self.seed <= 9999:
            raise ConfigError(f"seed must be an integer from 0 to 9999, got {self.seed!r}")
        return self


def build_model(cfg: ChatConfig, vocab: Vocab) -> EncoderDecoder:
    """A seeded, untrained network at these vocabularies (attention on; at most MAX_OUT words written)."""
    return EncoderDecoder(len(vocab.src), len(vocab.tgt), cfg.hidden, cfg.embed, True, cfg.seed, MAX_OUT)


def trainer(cfg: ChatConfig, data: ChatData) -> Trainer:
    """The untrained network on the package's Trainer: Adam at cfg.lr on cfg.batch training pairs a step (the
    seeded stream [seed, 1]), the gradient norm clipped at 1."""
    task = ChatPairs(pair_arrays(data.corpus.train_pairs, data.vocab), len(data.vocab.tgt))
    tcfg = TrainConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed, heldout_size=16)
    return Trainer(build_model(cfg, data.vocab), task, tcfg)


# ----- replies ---------------------------------------------------------------------------------------
@dataclass
class Reply:
    """The network's answer to one message: its words as read (``unknown``: those no training question has,
    read as the unknown word), the reply's words (``ended``: whether it wrote the end mark before the cap), and
    ``attention`` [len(rows), len(message)]: row i is how it spread its attention over the message's words while
    writing ``rows[i]`` (the reply's words, then the end mark if written; each row sums to 1)."""

    message: list[str]
    unknown: list[str]
    words: list[str]
    ended: bool
    attention: np.ndarray

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def rows(self) -> list[str]:
        return [*self.words, END] if self.ended else list(self.words)


def check_message(text: object, vocab: Vocab) -> tuple[list[str], list[str]]:
    """(the message's words, those the network never saw in a question), or one ChatInputError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ChatInputError(f"Type a message, for example “{EXAMPLES[0]}”.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ChatInputError(f"That message has {len(text):,} characters; the network reads at most {MAX_MESSAGE_CHARS}.")
    ws = words(text)
    if not ws:
        raise ChatInputError("No words found in that message: the network reads letters and digits, not punctuation or symbols.")
    if len(ws) > MAX_MESSAGE_WORDS:
        raise ChatInputError(
            f"That message has {len(ws)} words; the network reads at most {MAX_MESSAGE_WORDS} "
            f"(the questions it learned from have at most {MAX_WORDS})."
        )
    unknown = list(dict.fromkeys(w for w in ws if not vocab.knows(w)))
    if len(unknown) == len(set(ws)):
        shown = ", ".join(f"“{w}”" for w in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise ChatInputError(
            f"The network has never seen any of these words in a training question ({shown}), so it has nothing to go on."
        )
    return ws, unknown


def reply(model: EncoderDecoder, vocab: Vocab, text: str) -> Reply:
    """Answer one message greedily, keeping the attention of every word written. Raises ChatInputError."""
    ws, unknown = check_message(text, vocab)
    model.eval()
    src = torch.tensor([vocab.encode(ws)])
    ids, alpha = model.greedy(src, torch.tensor([len(ws)]), MAX_OUT)
    ids = ids[0].tolist()
    said = vocab.said(ids)
    ended = EOS in ids
    n_rows = len(said) + (1 if ended else 0)
    att = alpha[0, :n_rows, : len(ws)].numpy().astype(np.float32)
    return Reply(ws, unknown, said, ended, att)


@torch.no_grad()
def replies(model: EncoderDecoder, vocab: Vocab, questions: list[str], chunk: int = 256) -> list[str]:
    """The network's reply to each (normalised) question, greedily, in batches."""
    model.eval()
    out: list[str] = []
    for i in range(0, len(questions), chunk):
        part = [q.split() for q in questions[i : i + chunk]]
        S = max(len(p) for p in part)
        src = torch.zeros(len(part), S, dtype=torch.long)
        for b, p in enumerate(part):
            src[b, : len(p)] = torch.tensor(vocab.encode(p))
        ids, _ = model.greedy(src, torch.tensor([len(p) for p in part]), MAX_OUT)
        out += [" ".join(vocab.said(row)) for row in ids.tolist()]
    return out


# ----- the baseline ----------------------------------------------------------------------------------
class Retrieval:
    """The answer of the most similar training question: TF-IDF vectors of the training questions' words
    (scikit-learn's TfidfVectorizer on the normalised words, idf smoothed, rows scaled to length 1) and the
    cosine with the message's. Ties and a message sharing no word with any question go to the first question
    in training order. It can only ever give an answer it has seen."""

    def __init__(self, train: tuple[Exchange, ...]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.questions = [e.question for e in train]
        self.answers = [e.answers[0] for e in train]
        self.vectorizer = TfidfVectorizer(analyzer=str.split)
        self.matrix = self.vectorizer.fit_transform(self.questions)  # [n_train, words], rows of length 1

    def nearest(self, questions: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each (normalised) question: the index of the most similar training question, and the cosine."""
        sim = (self.vectorizer.transform(questions) @ self.matrix.T).toarray()  # [n, n_train]
        best = sim.argmax(1)
        return best, sim[np.arange(len(questions)), best]

    def answer(self, questions: list[str]) -> list[str]:
        best, _ = self.nearest(questions)
        return [self.answers[int(i)] for i in best]

    def lookup(self, message_words: list[str]) -> tuple[str, str, float]:
        """(its answer, the training question it found, their cosine) for one message's words."""
        best, sim = self.nearest([" ".join(message_words)])
        return self.answers[int(best[0])], self.questions[int(best[0])], float(sim[0])


# ----- scores ----------------------------------------------------------------------------------------
def token_f1(reply_text: str, answer: str) -> float:
    """Word overlap: the F1 of the words two texts share, counted with repeats (see the module's docstring)."""
    r, a = reply_text.split(), answer.split()
    shared = sum((collections.Counter(r) & collections.Counter(a)).values())
    if not shared:
        return 0.0
    p, q = shared / len(r), shared / len(a)
    return 2 * p * q / (p + q)


def score_replies(given: list[str], exchanges: tuple[Exchange, ...] | list[Exchange]) -> dict:
    """{exact: share of replies equal to one of their question's answers, f1: mean best token F1, n: questions}."""
    if not exchanges:
        return {"exact": float("nan"), "f1": float("nan"), "n": 0}
    exact = [g in e.answers for g, e in zip(given, exchanges)]
    f1 = [max(token_f1(g, a) for a in e.answers) for g, e in zip(given, exchanges)]
    return {"exact": float(np.mean(exact)), "f1": float(np.mean(f1)), "n": len(exchanges)}


def copied_share(given: list[str], answers: set[str]) -> float:
    """The share of replies that are some training answer word for word."""
    return float(np.mean([g in answers for g in given])) if given else float("nan")


@dataclass
class ChatData:
    """What a job prepares once: the split, the vocabulary, the retrieval baseline and its replies and scores."""

    corpus: ChatCorpus
    vocab: Vocab
    retrieval: Retrieval
    retrieval_replies: dict  # "heldout" / "train" -> the replies, in the corpus's order
    retrieval_scores: dict  # "heldout" / "train" -> score_replies

    @property
    def train_answers(self) -> set[str]:
        return {a for e in self.corpus.train for a in e.answers}


def prepare(corpus: ChatCorpus | None = None) -> ChatData:
    corpus = corpus if corpus is not None else chat_corpus()
    vocab = Vocab(corpus.train_pairs)
    ret = Retrieval(corpus.train)
    given = {side: ret.answer([e.question for e in getattr(corpus, side)]) for side in ("heldout", "train")}
    scores = {side: score_replies(given[side], getattr(corpus, side)) for side in given}
    return ChatData(corpus, vocab, ret, given, scores)


@dataclass
class NetworkScore:
    """The trained network on both sides: its replies and scores, the share of held-out replies copied from a
    training answer, its size, training time and final loss (the mean of its last 50 steps)."""

    replies: dict
    scores: dict
    copied: float
    parameters: int
    train_seconds: float
    steps: int
    final_loss: float
    diverged: bool


def score_network(model: EncoderDecoder, data: ChatData, tr: Trainer | None = None) -> NetworkScore:
    torch.set_num_threads(1)
    given = {side: replies(model, data.vocab, [e.question for e in getattr(data.corpus, side)]) for side in ("heldout", "train")}
    scores = {side: score_replies(given[side], getattr(data.corpus, side)) for side in given}
    loss = tr.history.loss[-50:] if tr is not None and tr.history.loss else []
    return NetworkScore(
        replies=given,
        scores=scores,
        copied=copied_share(given["heldout"], data.train_answers),
        parameters=parameter_count(model),
        train_seconds=float(tr.seconds) if tr is not None else 0.0,
        steps=tr.step if tr is not None else 0,
        final_loss=float(np.mean(loss)) if loss else float("nan"),
        diverged=bool(tr is not None and tr.status.value == "diverged"),
    )


# ----- what the numbers say --------------------------------------------------------------------------
def _pct(v: float) -> str:
    """A share as a percentage with one decimal, without a trailing .0: 0.857 -> '85.7%', 0.9 -> '90%'."""
    return f"{100 * v:.1f}".removesuffix(".0") + "%"


def verdict(net: dict, ret: dict, copied: float) -> str:
    """One paragraph, from the measured numbers, on what the network learned and what it only memorised.
    net and ret: {"train": score_replies, "heldout": score_replies}; copied: the share of held-out replies that
    are a training answer word for word."""
    tr, ho = net["train"], net["heldout"]
    parts = [
        f"On the questions it trained on, the network gives a true answer word for word {_pct(tr['exact'])} of the time "
        f"(word overlap {tr['f1']:.2f}); on the {ho['n']} held-out questions, {_pct(ho['exact'])} (overlap {ho['f1']:.2f})."
    ]
    gap = tr["f1"] - ho["f1"]
    if tr["exact"] >= 0.95 and gap >= 0.2:
        parts.append("It has learned its training answers by heart, and little of that carries over to new questions.")
    elif tr["exact"] >= 0.5 and gap >= 0.2:
        parts.append("It has memorised much of its training answers, and little of that carries over to new questions.")
    elif tr["exact"] < 0.5 and gap >= 0.2:
        parts.append("It has not yet learned even its training answers by heart, and new questions fare worse still.")
    elif gap < 0.2:
        parts.append("Its training and held-out scores are close: it has not memorised the training answers.")
    parts.append(
        f"{_pct(copied)} of its held-out replies are a training answer copied word for word"
        + (
            ": it mostly recalls a stored answer rather than composing a new one."
            if copied >= 0.5
            else "; the others are strings of words that are no training answer as a whole (every word it can write comes "
            "from a training answer)."
        )
    )
    diff = ho["f1"] - ret["heldout"]["f1"]
    if abs(diff) < 0.01:
        cmp = f"about the same word overlap as retrieval ({ret['heldout']['f1']:.2f})"
    elif diff > 0:
        cmp = f"more word overlap than retrieval ({ho['f1']:.2f} against {ret['heldout']['f1']:.2f})"
    else:
        cmp = f"less word overlap than retrieval ({ho['f1']:.2f} against {ret['heldout']['f1']:.2f})"
    parts.append(
        f"On held-out questions it has {cmp}, which only looks up the nearest training question and gives its answer "
        f"(exactly right {_pct(ret['heldout']['exact'])} of the time)."
    )
    return " ".join(parts)


# ----- the job ---------------------------------------------------------------------------------------
@dataclass
class ChatResult:
    """A trained network and what was measured: the model and vocabulary (for replies), both methods' scores on
    both sides, the verdict, and sample replies."""

    config: ChatConfig
    model: EncoderDecoder
    vocab: Vocab
    network: NetworkScore
    retrieval: dict  # "heldout" / "train" -> score_replies
    samples: list[dict] = field(default_factory=list)
    corpus: dict = field(default_factory=dict)
    losses: list[float] = field(default_factory=list)
    baseline: Retrieval | None = None  # for a message typed on the page
    seen: dict = field(default_factory=dict)  # normalised question -> ("train" or "heldout", its answers)

    def where(self, message_words: list[str]) -> tuple[str, tuple[str, ...]] | None:
        """("train" or "heldout", the true answers) if the message is a question of the corpus, else None."""
        return self.seen.get(" ".join(message_words))

    @property
    def verdict(self) -> str:
        return verdict(self.network.scores, self.retrieval, self.network.copied)

    def table(self) -> list[dict]:
        """The scores side by side: one row per method and side."""
        rows = []
        for side, label in (("heldout", "held-out questions"), ("train", "training questions")):
            for method, s in (("network", self.network.scores[side]), ("retrieval", self.retrieval[side])):
                rows.append({"questions": label, "method": method, "exact": s["exact"], "f1": s["f1"], "n": s["n"]})
        return rows


def samples(data: ChatData, net: NetworkScore, seed: int = SPLIT_SEED, n: int = SAMPLES) -> list[dict]:
    """n held-out questions (a fixed choice: the same for every training seed) and 3 training ones, each with its
    true answers, the network's reply, retrieval's reply and the best word overlap of each."""
    out = []
    for side, k in (("heldout", n), ("train", 3)):
        ex = getattr(data.corpus, side)
        pick = sorted(np.random.default_rng([seed, 11]).choice(len(ex), min(k, len(ex)), replace=False).tolist())
        for i in pick:
            e, mine, theirs = ex[i], net.replies[side][i], data.retrieval_replies[side][i]
            out.append(
                {
                    "side": side,
                    "topic": e.topic,
                    "question": e.question,
                    "answers": list(e.answers),
                    "network": mine,
                    "network_f1": round(max(token_f1(mine, a) for a in e.answers), 3),
                    "retrieval": theirs,
                    "retrieval_f1": round(max(token_f1(theirs, a) for a in e.answers), 3),
                }
            )
    return out


def chat_key(cfg: ChatConfig) -> tuple:
    """The job's name: training is deterministic for the config (the seed is part of it)."""
    return ("chat", cfg.validate())


def chat_job(cfg: ChatConfig | None = None, corpus: ChatCorpus | None = None) -> Job:
    """The network as a job of the shared worker: prepare the split, the vocabulary and the retrieval baseline's
    scores, train the network for cfg.steps steps, score it on both sides (its piece: :class:`NetworkScore`),
    then the :class:`ChatResult`. corpus: another split (a test's tiny one); its default is the page's."""
    cfg = (cfg or ChatConfig()).validate()

    def after(data: ChatData, stage: Stage) -> NetworkScore:
        return score_network(stage.trainer.model, data, stage.trainer)

    def combine(data: ChatData, done: list[Stage]) -> ChatResult:
        s = done[0]
        net = s.piece
        return ChatResult(
            cfg,
            s.trainer.model.eval(),
            data.vocab,
            net,
            data.retrieval_scores,
            samples(data, net),
            data.corpus.summary(),
            list(s.trainer.history.loss),
            data.retrieval,
            {e.question: (side, e.answers) for side in ("train", "heldout") for e in getattr(data.corpus, side)},
        )

    stages = [Stage(STAGE, lambda data: trainer(cfg, data), cfg.steps)]
    title = f"Chat: a GRU encoder-decoder with attention ({cfg.hidden} units), {cfg.steps:,} steps, seed {cfg.seed}"
    return Job(chat_key(cfg), title, stages, combine, prepare=lambda: prepare(corpus), after=after)


def _r(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


def summary(r: ChatResult, seconds: float | None = None) -> dict:
    """The result as JSON-ready values (what ``python -m rnnviz chat --json`` prints)."""

    def rounded(s: dict) -> dict:
        return {"exact": _r(s["exact"]), "f1": _r(s["f1"]), "n": s["n"]}

    net = r.network
    return {
        "heldout": {"network": rounded(net.scores["heldout"]), "retrieval": rounded(r.retrieval["heldout"])},
        "train": {"network": rounded(net.scores["train"]), "retrieval": rounded(r.retrieval["train"])},
        "copied_from_training": _r(net.copied),
        "verdict": r.verdict,
        "samples": r.samples,
        "network": {
            "parameters": net.parameters,
            "train_seconds": round(net.train_seconds, 2),
            "steps": net.steps,
            "final_loss": _r(net.final_loss),
            "diverged": net.diverged,
            "input_words": len(r.vocab.src) - 2,
            "output_words": len(r.vocab.tgt) - 3,
        },
        "config": {k: getattr(r.config, k) for k in ("steps", "hidden", "embed", "batch", "lr", "seed")},
        "corpus": {**r.corpus, "split_seed": SPLIT_SEED, "heldout_share": HELDOUT_SHARE},
        "seconds": None if seconds is None else round(seconds, 1),
        "source": SOURCE,
        "terms": TERMS,
    }


def train_and_score(cfg: ChatConfig, progress: Callable | None = None, corpus: ChatCorpus | None = None) -> dict:
    """What ``python -m rnnviz chat`` does: the page's job run here, summed up as one JSON-ready dict.
    progress(step, steps, loss) after every chunk of training (loss: the mean of the last 50 steps)."""
    torch.set_num_threads(1)
    t0 = time.time()
    job = chat_job(cfg, corpus)

    def report(_fraction, _doing):
        s = job.stages[0]
        if progress is not None and s.trainer is not None and s.trainer.history.loss and not s.done:
            progress(s.trainer.step, s.steps, float(np.mean(s.trainer.history.loss[-50:])))

    job.run_here(report)
    return summary(job.result, time.time() - t0)


__all__ = [
    "EXAMPLES",
    "ChatConfig",
    "ChatData",
    "ChatInputError",
    "ChatResult",
    "Reply",
    "Retrieval",
    "Vocab",
    "chat_job",
    "chat_key",
    "reply",
    "score_replies",
    "token_f1",
    "train_and_score",
]
