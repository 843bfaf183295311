r"""Translation with attention: number words to digits, by a GRU encoder-decoder.

The task (rules a student can check by hand; the same rules in words are in ``RULES``):

    "seven"                                      -> "7"
    "forty two"                                  -> "42"
    "three hundred and forty two"                -> "342"
    "two thousand and five"                      -> "2005"
    "twelve thousand three hundred"              -> "12300"
    "nine hundred thousand and one"              -> "900001"

Numbers go from 0 to 999,999 (at most ``MAX_DIGITS`` digits), so inputs are 1 to 11 words long and
outputs 1 to 6 digits. A training number is drawn by picking its digit count uniformly, then the number
uniformly among those with that many digits. One number in ten (chosen by a fixed hash of the number,
not by the seed) never appears in training: held-out inputs come only from those.

The model (Bahdanau, Cho & Bengio 2015, "Neural machine translation by jointly learning to align and
translate"), sizes as in ``ModelConfig``:

Symbols:
    x_1..x_S   the input words, embedded                                  [S, E]
    h_j        encoder state at word j: a bidirectional GRU's two states,
               forward (words 1..j) and backward (words j..S), side by side  [2H]
    s_i        decoder state before output token i (a GRU cell)           [H]
    y_i        output token i (a digit or the end mark)

.. math::
    s_0          = \tanh(W_0 [\overrightarrow{h}_S ; \overleftarrow{h}_1])      (the final encoder states)
    e_{ij}       = v^\top \tanh(W_a s_{i-1} + U_a h_j)                           (additive score)
    \alpha_{ij}  = \exp(e_{ij}) / \sum_{k=1}^{S} \exp(e_{ik})                   (sums to 1 over the input)
    c_i          = \sum_j \alpha_{ij} h_j                                        (context for token i)
    s_i          = \mathrm{GRUCell}([\mathrm{emb}(y_{i-1}) ; c_i], s_{i-1})
    p(y_i)       = \mathrm{softmax}(W_o [s_i ; c_i] + b_o)

Without attention the same network uses one fixed context for every token,
c_i = [\overrightarrow{h}_S ; \overleftarrow{h}_1] (Cho et al. 2014): everything the decoder knows about
the input must pass through that one vector of 2H numbers, the fixed-size bottleneck.

Training feeds the true previous token (teacher forcing); translating feeds the model's own previous
token and takes the most likely one each step (greedy decoding).

A second target (``TrainConfig(target="de")``, :mod:`rnnviz.language.german`) keeps the English words
and writes the German number word letter by letter instead of the digits: "ninety seven" ->
"siebenundneunzig". German puts the units before the tens, so the attention must cross (the letters of
"sieben" read "seven", the last English word, first); :func:`attention_by_piece` groups a translation's
attention rows by the German parts. Its numbers go from 0 to 9,999 (``DE_MAX_DIGITS``): the German words
are up to 42 letters long, against 6 digits, and the range keeps training to a few CPU minutes.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ..errors import ConfigError
from ..models.seq2seq import EOS, PAD, SOS, EncoderDecoder, teacher_forced_loss
from ..runtime.jobs import Job, JobView, Stage
from ..runtime.training import TrainConfig as TrainerConfig
from ..runtime.training import Trainer
from ..tasks import Batch as TaskBatch
from ..tasks import Task
from . import german as de

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split()
ONES += ["seventeen", "eighteen", "nineteen"]
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
WORDS = ONES + TENS[2:] + ["hundred", "thousand", "and"]
MAX_DIGITS = 6
MAX_INPUT_WORDS = 20  # what the page and translate() accept; the longest rule-made input has 11
END = "<end>"
SRC_VOCAB = ["<pad>", *WORDS]  # word -> id: index here
TGT_VOCAB = ["<pad>", "<start>", END, *"0123456789"]
SRC_ID = {w: i for i, w in enumerate(SRC_VOCAB)}
TGT_ID = {t: i for i, t in enumerate(TGT_VOCAB)}
MAX_OUT = MAX_DIGITS + 1  # the digits and the end mark
HELDOUT_EVERY = 10
HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED_MODELS = os.path.join(HERE, "translate_models.pt")
SHIPPED_RESULTS = os.path.join(HERE, "translate_models.json")

# the targets: what the decoder writes. "digits" is the page's first task; "de" the German number word.
TARGETS = ("digits", "de")
TARGET_TITLES = {"digits": "digits", "de": "German words"}
DE_VOCAB = ["<pad>", "<start>", END, *de.LETTERS]
DE_ID = {t: i for i, t in enumerate(DE_VOCAB)}
DE_MAX_DIGITS = 4  # 0 to 9,999: German words of up to 42 letters (65 below a million: a much slower decoder)
DE_STEPS, DE_BATCH, DE_LR, DE_HIDDEN, DE_EMBED = 1000, 128, 3e-3, 64, 16  # the German command line's defaults
DE_MAX_OUT = 66  # the longest German word below a million (65 letters) and the end mark: decoding's cap
TARGET_VOCAB = {"digits": TGT_VOCAB, "de": DE_VOCAB}
TARGET_ID = {"digits": TGT_ID, "de": DE_ID}
TARGET_MAX_OUT = {"digits": MAX_OUT, "de": DE_MAX_OUT}
SHIPPED = {  # the shipped models of each target, if any: (weights, results)
    "digits": (SHIPPED_MODELS, SHIPPED_RESULTS),
    "de": (os.path.join(HERE, "translate_de_models.pt"), os.path.join(HERE, "translate_de_models.json")),
}
DE_EXAMPLES = [  # the German target's examples: the crossing (97), hundreds, thousands, held-out long ones
    "ninety seven",
    "three hundred and forty two",
    "two thousand and five",
    "seven thousand seven hundred and twenty seven",
]
DE_SAMPLES = (97, 21, 342, 2005, 7727)  # always among the German result's samples (then held-out ones)
EXAMPLES = [  # the first is the page's default; the last two are held-out numbers that test the bottleneck
    "three hundred and forty two",
    "two thousand and five",
    "nine hundred and fifteen thousand two hundred and thirty eight",
    "four hundred and six thousand five hundred and ninety two",
]

RULES = """\
- **Up to twenty** every number has its own word: *zero, one, two, …, nineteen*.
- **Tens** are *twenty, thirty, …, ninety*; a tens word and a units word follow each other: 42 is *forty two*.
- **Hundreds**: the digit's word and *hundred*; if anything follows, it comes after *and*:
  300 is *three hundred*, 342 is *three hundred and forty two*, 305 is *three hundred and five*.
- **Thousands**: the number of thousands (itself 1 to 999, written by the rules above) and *thousand*, then the
  rest. If the rest is below 100 it comes after *and*: 2,005 is *two thousand and five*, 12,300 is
  *twelve thousand three hundred*, 987,654 is *nine hundred and eighty seven thousand six hundred and fifty four*.
- The translation is the number in digits, without commas or leading zeros, from 0 to 999,999.
"""


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise ConfigError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    return target


def target_text(n: int, target: str = "digits") -> str:
    """The right translation of the number n: its digits, or its German word."""
    return str(int(n)) if target == "digits" else de.german(n)


class TranslateInputError(ConfigError):
    """A sentence the translation models cannot read: empty, too long, or with words outside the task."""


# --- the task's rules -------------------------------------------------------------------------------


def _under_thousand(n: int) -> list[str]:
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
        if n:
            words.append("and")
    if n >= 20:
        words.append(TENS[n // 10])
        if n % 10:
            words.append(ONES[n % 10])
    elif n or not words:
        words.append(ONES[n])
    return words


def number_to_words(n: int) -> str:
    """0 <= n <= 999,999 in words by ``RULES``: 2005 -> 'two thousand and five'."""
    n = int(n)
    if not 0 <= n < 10**MAX_DIGITS:
        raise ConfigError(f"the task's numbers go from 0 to {10**MAX_DIGITS - 1:,}, not {n:,}")
    if n < 1000:
        return " ".join(_under_thousand(n))
    words = _under_thousand(n // 1000) + ["thousand"]
    rest = n % 1000
    if rest:
        words += (["and"] if rest < 100 else []) + _under_thousand(rest)
    return " ".join(words)


def words_to_number(text: str | list[str]) -> int | None:
    """The number these words stand for if they follow ``RULES`` exactly, else None (the inverse of
    ``number_to_words``: the rules are checked by writing the number back and comparing)."""
    words = tokenize(text) if isinstance(text, str) else list(text)
    value, part = 0, 0
    for w in words:
        if w in ONES:
            part += ONES.index(w)
        elif w in TENS[2:]:
            part += 10 * TENS.index(w)
        elif w == "hundred":
            part *= 100
        elif w == "thousand":
            value, part = part * 1000, 0
        elif w != "and":
            return None
    n = value + part
    if not 0 <= n < 10**MAX_DIGITS:
        return None
    return n if number_to_words(n).split() == words else None


def tokenize(text: str) -> list[str]:
    """Lower-cased words, hyphens and commas read as spaces: 'Forty-two' -> ['forty', 'two']."""
    return re.sub(r"[-,.;:!?]", " ", text.lower()).split()


def check_source(text: str) -> list[str]:
    """The words of a sentence the models can read, or one TranslateInputError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise TranslateInputError(f"Type a number in words, for example “{EXAMPLES[0]}”.")
    words = tokenize(text)
    if not words:
        raise TranslateInputError(f"No words found: type a number in words, for example “{EXAMPLES[0]}”.")
    if len(words) > MAX_INPUT_WORDS:
        raise TranslateInputError(
            f"That is {len(words)} words; the models read at most {MAX_INPUT_WORDS} (the longest number they learned has 11)."
        )
    unknown = [w for w in dict.fromkeys(words) if w not in SRC_ID or w == "<pad>"]
    if unknown:
        hints = []
        for w in unknown[:5]:
            close = difflib.get_close_matches(w, WORDS, n=1)
            hints.append(f"“{w}”" + (f" (did you mean “{close[0]}”?)" if close else ""))
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise TranslateInputError(
            f"The models only know the {len(WORDS)} number words of the task; unknown: {', '.join(hints)}{more}."
        )
    return words


# --- data -------------------------------------------------------------------------------------------


def is_heldout(n) -> np.ndarray:
    """True for the one number in ten that training never sees (a fixed hash of the number)."""
    h = (np.asarray(n, dtype=np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    return (h >> np.uint64(16)) % np.uint64(HELDOUT_EVERY) == 0


def sample_numbers(rng: np.random.Generator, size: int, heldout: bool = False, max_digits: int = MAX_DIGITS) -> np.ndarray:
    """size numbers drawn as training draws them (digit count uniform, then the number uniform),
    all from the training part (heldout=False) or all from the held-out part."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < size:
        d = rng.integers(1, max_digits + 1, size=2 * size)
        lo = np.where(d == 1, 0, 10 ** (d - 1))
        n = lo + (rng.random(2 * size) * (10**d - lo)).astype(np.int64)
        out = np.concatenate([out, n[is_heldout(n) == heldout]])
    return out[:size]


def word_count(n: int) -> int:
    return len(number_to_words(n).split())


@dataclass
class Batch:
    src: torch.Tensor  # [B, S] word ids, padded with PAD
    src_len: torch.Tensor  # [B]
    tgt_in: torch.Tensor  # [B, T] <start> d1 d2 ... (teacher forcing input)
    tgt_out: torch.Tensor  # [B, T] d1 d2 ... <end>, padded with PAD
    numbers: np.ndarray  # [B]


def encode_words(sentences: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
    return _pad([[SRC_ID[w] for w in words] for words in sentences])


def _pad(rows: list[tuple[int, ...]] | list[list[int]], width: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows of ids padded with PAD into one [B, width] tensor (built in numpy, one copy), and their lengths."""
    lens = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    out = np.full((len(rows), int(lens.max()) if width is None else width), PAD, dtype=np.int64)
    for b, r in enumerate(rows):
        out[b, : len(r)] = r
    return torch.from_numpy(out), torch.from_numpy(lens)


@functools.lru_cache(maxsize=50_000)
def _ids(n: int, target: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """One number's word ids and its target's token ids (cached: training draws the same numbers again
    and again, and writing a number out, in German above all, costs more than a training step's share)."""
    ids_of = TARGET_ID[target]
    return tuple(SRC_ID[w] for w in number_to_words(n).split()), tuple(ids_of[c] for c in target_text(n, target))


def make_batch(numbers, target: str = "digits") -> Batch:
    """The words in; the target's tokens out (digits, or the German word's letters), then the end mark."""
    numbers = np.asarray(numbers, dtype=np.int64)
    target = check_target(target)
    pairs = [_ids(int(n), target) for n in numbers]
    src, src_len = _pad([p[0] for p in pairs])
    T = max(len(p[1]) for p in pairs) + 1
    tgt_in, _ = _pad([(SOS, *p[1]) for p in pairs], T)
    tgt_out, _ = _pad([(*p[1], EOS) for p in pairs], T)
    return Batch(src, src_len, tgt_in, tgt_out, numbers)


def heldout_numbers(seed: int, size: int = 2000, max_digits: int = MAX_DIGITS) -> np.ndarray:
    """Distinct held-out numbers drawn as training draws (so lengths are spread the same way)."""
    n = sample_numbers(np.random.default_rng([seed, 7]), 3 * size, heldout=True, max_digits=max_digits)
    return np.unique(n)[np.random.default_rng([seed, 8]).permutation(len(np.unique(n)))[:size]]


def training_median_words(seed: int, max_digits: int = MAX_DIGITS, size: int = 4000) -> float:
    """The median input length in words of what training draws."""
    n = sample_numbers(np.random.default_rng([seed, 9]), size, max_digits=max_digits)
    return float(np.median([word_count(x) for x in n]))


# --- the model --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelConfig:
    hidden: int = 32  # H: units per encoder direction and in the decoder
    embed: int = 16  # E: size of a word's and a digit's embedding
    attention: bool = True
    target: str = "digits"  # what the decoder writes: "digits" or "de" (German letters)

    def validate(self) -> ModelConfig:
        if not 2 <= self.hidden <= 256 or not 2 <= self.embed <= 128:
            raise ConfigError(f"hidden must be 2-256 and embed 2-128, got {self.hidden} and {self.embed}")
        check_target(self.target)
        return self


class Translator(EncoderDecoder):
    """Bidirectional GRU encoder -> GRU-cell decoder with additive attention (or a fixed context when
    ``cfg.attention`` is False; the attention layers then exist but are unused): the shared
    :class:`~rnnviz.models.seq2seq.EncoderDecoder` at the task's vocabularies and output length."""

    def __init__(self, cfg: ModelConfig, seed: int = 0):
        cfg = cfg.validate()
        V = len(TARGET_VOCAB[cfg.target])
        super().__init__(len(SRC_VOCAB), V, cfg.hidden, cfg.embed, cfg.attention, seed, TARGET_MAX_OUT[cfg.target])
        self.cfg = cfg


def decode_tokens(ids, target: str = "digits") -> list[str]:
    """Token ids -> their strings up to and including the end mark."""
    vocab = TARGET_VOCAB[target]
    out = []
    for i in ids:
        i = int(i)
        if i == PAD:
            break
        out.append(vocab[i])
        if i == EOS:
            break
    return out


def digits_of(tokens: list[str]) -> str:
    return "".join(t for t in tokens if t.isdigit() and len(t) == 1) if END in tokens else "".join(tokens) + "…"


def text_of(tokens: list[str], target: str = "digits") -> str:
    """What the decoder wrote: the digits, or the German letters ("…" appended when it never ended)."""
    if target == "digits":
        return digits_of(tokens)
    letters = "".join(t for t in tokens if len(t) == 1)
    return letters if END in tokens else letters + "…"


@dataclass
class Translation:
    words: list[str]
    tokens: list[str]  # output tokens, the end mark included when the model produced it
    text: str  # the digits or the German word ("…" appended when the model never ended)
    attention: np.ndarray | None  # [len(tokens), len(words)]; each row sums to 1 (None without attention)


def translate(model: Translator, text: str) -> Translation:
    words = check_source(text)
    model.eval()
    src, src_len = encode_words([words])
    ids, alpha = model.greedy(src, src_len)
    tokens = decode_tokens(ids[0], model.cfg.target)
    att = alpha[0, : len(tokens), : len(words)].numpy().astype(np.float32) if model.cfg.attention else None
    return Translation(words, tokens, text_of(tokens, model.cfg.target), att)


@dataclass
class PieceAttention:
    """The attention rows of one part of a German translation (*sieben*, *und*, *neunzig*)."""

    piece: str  # the part as the model wrote it
    english: str | None  # the English word it translates (None for "und", or a part that is no German word)
    start: int  # its first letter's row in the attention matrix
    rows: np.ndarray  # [letters, words] the attention rows of its letters
    weight: np.ndarray  # [words] their mean: where the part as a whole looked
    looks_at: int  # the input word with the largest mean weight (an index into the words)


def attention_by_piece(model: Translator, text_or_number) -> tuple[Translation, list[PieceAttention]]:
    """Translate with a German attention model and group the attention rows by the parts of the German
    word it wrote: for 97, "ninety seven" -> "siebenundneunzig", the rows of the six letters of "sieben"
    (which should look at "seven", the second word), of "und", and of "neunzig" (at "ninety")."""
    if model.cfg.target != "de" or not model.cfg.attention:
        raise ConfigError("attention_by_piece needs a German model with attention")
    text = number_to_words(text_or_number) if isinstance(text_or_number, (int, np.integer)) else text_or_number
    t = translate(model, text)
    word = t.text.rstrip("…")
    out = []
    for piece, a, b in de.pieces(word):
        rows = t.attention[a:b]
        weight = rows.mean(0)
        out.append(PieceAttention(piece, de.PIECE_ENGLISH.get(piece), a, rows, weight, int(weight.argmax())))
    return t, out


# --- training and measuring -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 1500
    batch: int = 64
    lr: float = 3e-3
    seed: int = 0
    hidden: int = 32
    embed: int = 16
    test_size: int = 2000
    max_digits: int = MAX_DIGITS
    target: str = "digits"  # "digits", or "de": the German number word, letter by letter

    def validate(self) -> TrainConfig:
        checks = [
            (0 <= self.steps <= 100_000, f"steps must be 0-100000, got {self.steps}"),
            (1 <= self.batch <= 1024, f"batch must be 1-1024, got {self.batch}"),
            (1e-5 <= self.lr <= 1.0, f"learning rate must be 1e-05 to 1, got {self.lr:g}"),
            (0 <= self.seed <= 9999, f"seed must be 0-9999, got {self.seed}"),
            (10 <= self.test_size <= 20_000, f"test size must be 10-20000, got {self.test_size}"),
            (1 <= self.max_digits <= MAX_DIGITS, f"max digits must be 1-{MAX_DIGITS}, got {self.max_digits}"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ConfigError(msg)
        ModelConfig(self.hidden, self.embed, target=self.target).validate()
        return self

    def model_config(self, attention: bool) -> ModelConfig:
        return ModelConfig(self.hidden, self.embed, attention, self.target)


def default_config(target: str = "digits") -> TrainConfig:
    """The command line's defaults for a target. German: numbers to 9,999 (words of up to 42 letters),
    larger batches and fewer steps (a step's cost is mostly the decoder's letters, one after another)."""
    if check_target(target) == "digits":
        return TrainConfig()
    return TrainConfig(
        steps=DE_STEPS, batch=DE_BATCH, lr=DE_LR, hidden=DE_HIDDEN, embed=DE_EMBED, max_digits=DE_MAX_DIGITS, target="de"
    )


def config_dict(cfg: TrainConfig) -> dict:
    """cfg as plain values; the digits' configs without the target (as they were before there was one)."""
    d = asdict(cfg)
    if cfg.target == "digits":
        d.pop("target")
    return d


PAGE_TEST_SIZE = 1000  # held-out numbers the page scores its own models on (the CLI's default: 2,000)


def page_config(steps: int, seed: int, hidden: int, shipped: TrainConfig) -> TrainConfig:
    """What the page's Train button trains: the student's steps, seed and hidden units, the shipped
    models' (or, without shipped models, :func:`default_config`'s) target, range, embedding size and
    batches, scored on PAGE_TEST_SIZE held-out numbers."""
    return TrainConfig(
        steps=int(steps),
        batch=shipped.batch,
        lr=shipped.lr,
        seed=int(seed),
        hidden=int(hidden),
        embed=shipped.embed,
        test_size=PAGE_TEST_SIZE,
        max_digits=shipped.max_digits,
        target=shipped.target,
    ).validate()


class NumberWords(Task):
    """The task's training stream for the shared :class:`~rnnviz.runtime.training.Trainer`.

    Each batch is ``batch_size`` numbers drawn as :func:`sample_numbers` draws them (never a held-out
    one): the words in, the digits and the end mark out. The translator reads more than one tensor (the
    word ids, how many words each sentence has, and the true digits so far for teacher forcing), so the
    task scores it itself (:meth:`forward_loss`, the trainer's hook): cross-entropy over the digits and
    the end mark, padding ignored. The trainer's metric is the share of those tokens predicted right.
    ``seq_len`` is unused: each number decides how many words it has. Worked example::

        2005: words in "two thousand and five", decoder fed "<start> 2 0 0 5", target "2 0 0 5 <end>"
    """

    name = "number_words"
    title = "Number words to digits"
    shape = "sequence-to-sequence"
    loss = "ce"
    metric_name = "token accuracy"
    higher_is_better = True
    solved_metric = 1.0
    min_len, max_len, default_len = 1, MAX_INPUT_WORDS, 11
    summary = "translate English number words into digits"

    def __init__(self, max_digits: int = MAX_DIGITS, target: str = "digits"):
        self.max_digits = int(max_digits)
        self.target = check_target(target)
        if target == "de":
            self.title = "Number words to German number words"
            self.summary = "translate English number words into German number words, letter by letter"

    def batch(self, batch_size: int, seq_len: int, rng: np.random.Generator) -> TaskBatch:
        self.check_len(seq_len)
        b = make_batch(sample_numbers(rng, int(batch_size), max_digits=self.max_digits), self.target)
        mask = (b.tgt_out != PAD).float()  # [B, T] the digits and the end mark
        return TaskBatch((b.src, b.src_len, b.tgt_in), b.tgt_out, mask, {"numbers": b.numbers})

    def forward_loss(self, model: Translator, batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits [B, T, V] with teacher forcing, mean cross-entropy over the tokens that are not padding)."""
        src, src_len, tgt_in = batch.x
        return teacher_forced_loss(model, src, src_len, tgt_in, batch.y)


KINDS = ("attention", "no_attention")
STAGES = {"attention": "with attention", "no_attention": "without attention"}  # a job's stage label per model
KIND_OF = {label: kind for kind, label in STAGES.items()}


def translator_trainer(cfg: TrainConfig, attention: bool) -> Trainer:
    """One of the two models, untrained, on the shared Trainer: Adam at cfg.lr on batches of cfg.batch
    numbers from the seeded stream [seed, 1], the gradient norm clipped at 1. No gradient snapshots (the
    translator has no ``trace``) and no held-out batches of the trainer's own: :func:`score` measures the
    finished model on the task's held-out numbers."""
    cfg.validate()
    task = NumberWords(cfg.max_digits, cfg.target)
    tcfg = TrainerConfig.for_job(task, batch_size=cfg.batch, lr=cfg.lr, seed=cfg.seed, heldout_size=16)
    return Trainer(Translator(cfg.model_config(attention), seed=cfg.seed), task, tcfg)


def predict_numbers(model: Translator, numbers, chunk: int = 500) -> list[str]:
    target = model.cfg.target
    out = []
    for i in range(0, len(numbers), chunk):
        b = make_batch(numbers[i : i + chunk], target)
        ids, _ = model.greedy(b.src, b.src_len)
        out += [text_of(decode_tokens(row, target), target) for row in ids]
    return out


def accuracy_by_length(model: Translator, numbers) -> tuple[dict[str, float], dict[str, int]]:
    """Exact-match accuracy (all digits, or the whole German word, right, then the end mark) by input
    length in words."""
    numbers = np.asarray(numbers)
    target = model.cfg.target
    right = np.array([p == target_text(n, target) for p, n in zip(predict_numbers(model, numbers), numbers)])
    lengths = np.array([word_count(n) for n in numbers])
    acc, count = {}, {}
    for L in sorted(set(lengths.tolist())):
        sel = lengths == L
        acc[str(L)], count[str(L)] = round(float(right[sel].mean()), 4), int(sel.sum())
    return acc, count


def long_accuracy(acc: dict[str, float], count: dict[str, int], median: float) -> float:
    """Accuracy over all held-out inputs longer than the training median (weighted by count)."""
    keys = [k for k in acc if int(k) > median]
    n = sum(count[k] for k in keys)
    return sum(acc[k] * count[k] for k in keys) / n if n else float("nan")


@dataclass
class Heldout:
    """What both models are scored on: cfg's held-out numbers, and the median input length (words) of
    what training draws; the numbers whose translations the result shows (German only)."""

    numbers: np.ndarray
    median: float
    samples: tuple = ()


def heldout(cfg: TrainConfig) -> Heldout:
    """Digits: cfg.test_size distinct held-out numbers drawn as training draws. German (a range small
    enough to score whole): every held-out number in the range (1,001 below 10,000), or a seeded
    cfg.test_size of them if there are more."""
    if cfg.target == "digits":
        numbers = heldout_numbers(cfg.seed, cfg.test_size, cfg.max_digits)
    else:
        numbers = np.arange(10**cfg.max_digits, dtype=np.int64)
        numbers = numbers[is_heldout(numbers)]
        if len(numbers) > cfg.test_size:
            numbers = np.sort(np.random.default_rng([cfg.seed, 7]).choice(numbers, cfg.test_size, replace=False))
    median = training_median_words(cfg.seed, cfg.max_digits)
    samples: tuple = ()
    if cfg.target == "de":  # the crossing's examples, then held-out numbers longer than the median
        fixed = [n for n in DE_SAMPLES if n < 10**cfg.max_digits]
        shuffled = np.random.default_rng([cfg.seed, 8]).permutation(numbers)
        long = [int(n) for n in shuffled if word_count(n) > median][:5]
        samples = tuple(dict.fromkeys(fixed + long))
    return Heldout(numbers, median, samples)


@dataclass
class Scores:
    """One model measured on the held-out numbers: exact-match accuracy and how many numbers there are,
    by input length in words; the accuracy on inputs longer than the training median; its size."""

    accuracy: dict[str, float]
    count: dict[str, int]
    long: float
    parameters: int
    outputs: dict = field(default_factory=dict)  # the Heldout's sample numbers -> what this model wrote


def score(model: Translator, h: Heldout) -> Scores:
    torch.set_num_threads(1)  # the same arithmetic wherever it is measured
    acc, count = accuracy_by_length(model, h.numbers)
    outputs = dict(zip(h.samples, predict_numbers(model, np.asarray(h.samples, dtype=np.int64)))) if h.samples else {}
    long = round(long_accuracy(acc, count, h.median), 4)
    return Scores(acc, count, long, sum(p.numel() for p in model.parameters()), outputs)


def assemble(cfg: TrainConfig, h: Heldout, scores: dict[str, Scores], seconds: float | None = None) -> dict:
    """The result the CLI prints (and the page draws) from each model's scores. The German target's
    adds its name and its samples: number, English words, the right German word, each model's."""
    top = 10**cfg.max_digits - 1
    task = "number words to digits (0 to 999,999)" if cfg.target == "digits" else f"number words to German words (0 to {top:,})"
    r = {
        "task": task,
        "accuracy": {k: s.accuracy for k, s in scores.items()},
        "count": next(iter(scores.values())).count,  # the same numbers for every model
        "train_median_words": h.median,
        "accuracy_longer_than_median": {k: s.long for k, s in scores.items()},
        "parameters": {k: s.parameters for k, s in scores.items()},
        "config": config_dict(cfg),
        "seconds": None if seconds is None else round(seconds, 1),
    }
    if cfg.target != "digits":
        r["target"] = cfg.target
        r["source"] = de.SOURCE
        r["samples"] = [
            {
                "number": int(n),
                "english": number_to_words(n),
                "german": target_text(n, cfg.target),
                "heldout": bool(is_heldout(n)),
                **{k: s.outputs.get(n) for k, s in scores.items()},
            }
            for n in h.samples
        ]
    return r


def measure(models: dict[str, Translator], cfg: TrainConfig, seconds: float | None = None) -> dict:
    """The result the CLI prints: exact-match accuracy by input length on cfg's held-out numbers."""
    h = heldout(cfg)
    return assemble(cfg, h, {kind: score(m, h) for kind, m in models.items()}, seconds)


@dataclass
class Experiment:
    """Both models trained from one config: the models, each one's training loss per step, and the result."""

    config: TrainConfig
    models: dict[str, Translator]
    losses: dict[str, list[float]] = field(default_factory=dict)
    result: dict = field(default_factory=dict)


def translate_key(cfg: TrainConfig) -> tuple:
    """The job's name: its config (training is deterministic for it; the seed is part of it)."""
    return ("translate", cfg.validate())


def translate_job(cfg: TrainConfig) -> Job:
    """Both models as a job of the shared worker: first the held-out numbers, then the model with
    attention, then the one without (same seed, same batches), each one scored as soon as it is trained
    (its piece: :class:`Scores`), then the :class:`Experiment`. The page hands it to the worker; the CLI
    runs it here (:func:`run_experiment`): the same numbers either way."""
    cfg.validate()

    def build(attention: bool):
        return lambda h: translator_trainer(cfg, attention)

    stages = [Stage(STAGES[k], build(k == "attention"), cfg.steps) for k in KINDS]

    def after(h: Heldout, stage: Stage) -> Scores:
        return score(stage.trainer.model, h)

    def combine(h: Heldout, done: list[Stage]) -> Experiment:
        models = {KIND_OF[s.label]: s.trainer.model.eval() for s in done}
        losses = {KIND_OF[s.label]: list(s.trainer.history.loss) for s in done}
        seconds = sum(s.trainer.seconds for s in done)  # training time (a busy server's waits left out)
        return Experiment(cfg, models, losses, assemble(cfg, h, {KIND_OF[s.label]: s.piece for s in done}, seconds))

    what = "" if cfg.target == "digits" else " into German"
    title = f"Translate{what}: both models, {cfg.steps:,} steps each, seed {cfg.seed}"
    return Job(translate_key(cfg), title, stages, combine, prepare=lambda: heldout(cfg), after=after)


def run_experiment(cfg: TrainConfig, progress=None) -> Experiment:
    """Train the model with and without attention (same seed, same batches) and measure both on the
    held-out numbers: :func:`translate_job` run here to its end. progress(kind, step, steps, loss) after
    every chunk of training (loss: the mean of the last 50 steps)."""
    torch.set_num_threads(1)
    job = translate_job(cfg)
    shown: dict[str, int] = {}

    def report(fraction: float, doing: str) -> None:
        for s in job.stages:
            if s.trainer is not None and s.step and shown.get(s.label) != s.step:
                shown[s.label] = s.step
                progress(KIND_OF[s.label], s.step, s.steps, float(np.mean(s.trainer.history.loss[-50:])))

    return job.run_here(report if progress else None).result


def partial_result(view: JobView) -> dict | None:
    """While a job trains: the result's scores for the models finished so far (None before the first),
    in the shape ``rnnviz.plots.translate.accuracy_by_length`` draws."""
    done = {KIND_OF[label]: p for label, p in view.pieces.items() if isinstance(p, Scores)}
    if not done or view.ctx is None:
        return None
    return {
        "accuracy": {k: s.accuracy for k, s in done.items()},
        "count": next(iter(done.values())).count,
        "train_median_words": view.ctx.median,
        "accuracy_longer_than_median": {k: s.long for k, s in done.items()},
    }


def losses_by_model(view: JobView) -> dict[str, list[float]]:
    """Each started model's training loss per step so far, by model kind (for ``loss_curves``)."""
    return {KIND_OF[label]: loss for label, loss in view.losses.items() if loss}


def progress_text(kind: str, step: int, steps: int, loss: float) -> str:
    return f"Training {STAGES[kind]}: step {step:,} of {steps:,}, loss {loss:.3f}"


class StderrProgress:
    """The command line's progress on stderr: each model at about every tenth of its steps and at its end."""

    def __init__(self):
        self.tenth: dict[str, int] = {}

    def __call__(self, kind: str, step: int, steps: int, loss: float) -> None:
        tenth = (10 * step) // max(1, steps)
        if step >= steps or tenth > self.tenth.get(kind, 0):
            self.tenth[kind] = tenth
            print("translate: " + progress_text(kind, step, steps, loss), file=sys.stderr, flush=True)


# --- saving and loading -----------------------------------------------------------------------------


def save(exp: Experiment, path: str, command: str) -> None:
    """Both models' weights and their configuration, for torch.load(weights_only=True); the results
    go beside them as JSON (same name, .json instead of .pt) with the command that made them."""
    payload = {
        "format": "rnnviz-translate-1",
        "config": config_dict(exp.config),
        "weights": {k: {n: t.detach().clone() for n, t in m.state_dict().items()} for k, m in exp.models.items()},
    }
    torch.save(payload, path)
    made = {"command": command}
    if exp.config.target != "digits":  # the German files say when they were made (the digits' never did)
        made["date"] = datetime.date.today().isoformat()
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump({**made, **exp.result}, f, indent=1)
        f.write("\n")


def load(path: str = SHIPPED_MODELS) -> tuple[TrainConfig, dict[str, Translator]]:
    """Both models of a file written by :func:`save` (a German file's config says target "de")."""
    try:
        payload = torch.load(path, weights_only=True)
        if payload.get("format") != "rnnviz-translate-1":
            raise ConfigError(f"{path} is not an rnnviz translation file")
        cfg = TrainConfig(**payload["config"]).validate()
        models = {}
        for kind in KINDS:
            m = Translator(cfg.model_config(kind == "attention"))
            m.load_state_dict(payload["weights"][kind])
            models[kind] = m.eval()
    except ConfigError:
        raise
    except Exception as e:  # torch.load's errors on a damaged file are of many kinds (struct.error, UnpicklingError...)
        raise ConfigError(f"cannot read {path}: {e.__class__.__name__}") from None
    return cfg, models


def shipped_results(path: str = SHIPPED_RESULTS) -> dict:
    with open(path) as f:
        return json.load(f)


def has_shipped(target: str) -> bool:
    """Whether the app ships trained models for this target (the digits' always; German's if made)."""
    return all(os.path.exists(p) for p in SHIPPED[check_target(target)])
