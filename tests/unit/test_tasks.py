"""Each task is deterministic under its seed and its targets are right on checked examples."""

import numpy as np
import pytest
import torch

from rnnviz.tasks import TASKS, TaskError, get_task


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("name", list(TASKS))
def test_deterministic_and_well_formed(name):
    t = get_task(name)
    T = t.default_len
    a, b = t.batch(5, T, rng(7)), t.batch(5, T, rng(7))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and torch.equal(a.mask, b.mask)
    c = t.batch(5, T, rng(8))
    assert not torch.equal(a.x, c.x)
    assert a.x.shape[:2] == (5, T) and a.mask.shape == (5, T) and a.mask.sum() > 0
    if t.tokens:
        assert a.x.dtype == torch.int64 and int(a.x.max()) < len(t.tokens)
    else:
        assert a.x.shape[2] == t.input_size
    if t.loss == "ce":
        assert a.y.dtype == torch.int64 and int(a.y.max()) < t.output_size
    assert len(t.step_labels(a)) == T
    assert t.shape in ("many-to-one", "many-to-many", "one-to-many")
    assert t.summary and t.__doc__ and "xample" in t.__doc__
    # the chance baseline is what an input-blind guess scores
    assert t.baseline_loss > t.solved_loss


@pytest.mark.parametrize("name", list(TASKS))
def test_length_is_bounded(name):
    t = get_task(name)
    for bad in (t.min_len - 1, t.max_len + 1, "ten", 3.5):
        with pytest.raises(TaskError):
            t.batch(2, bad, rng())


def test_adding_targets():
    b = get_task("adding").batch(50, 30, rng())
    vals, marks = b.x[..., 0], b.x[..., 1]
    assert torch.all(marks.sum(1) == 2)
    assert torch.all(marks[:, :15].sum(1) == 1)  # one marker in each half
    np.testing.assert_allclose(b.y[:, -1, 0], (vals * marks).sum(1), rtol=1e-6)
    assert torch.all(b.mask[:, :-1] == 0) and torch.all(b.mask[:, -1] == 1)
    # guessing 1.0 gives about the documented baseline
    big = get_task("adding").batch(20000, 10, rng(1))
    assert float(((big.y[:, -1, 0] - 1) ** 2).mean()) == pytest.approx(1 / 6, abs=0.01)


def test_first_symbol_and_temporal_order():
    t = get_task("first_symbol")
    b = t.batch(20, 12, rng())
    assert torch.equal(b.y[:, -1], b.x[:, 0]) and torch.all(b.x[:, 1:] >= 4)
    t = get_task("temporal_order")
    b = t.batch(30, 20, rng())
    for x, y in zip(b.x, b.y[:, -1]):
        rel = [t.tokens[i] for i in x.tolist() if t.tokens[i] in "XY"]
        assert t.output_labels[int(y)] == "".join(rel)


def test_copy_targets():
    t = get_task("copy")
    b = t.batch(10, 15, rng())
    assert torch.equal(b.y[:, -4:], b.x[:, :4])
    assert torch.all(b.x[:, 15 - 5] == 9)  # the cue
    assert b.mask.sum(1).tolist() == [4.0] * 10
    assert "".join(t.step_labels(b)[4:]) == "______:____"


def test_reber_strings_are_grammatical():
    t = get_task("reber")
    b = t.batch(20, 60, rng())
    for x, y, legal in zip(b.x, b.y, b.extra["legal"]):
        for t_ in range(60):
            assert legal[t_, y[t_]]  # the true next symbol is always legal
        s = "".join(t.tokens[i] for i in x.tolist())
        assert s.startswith("B") and s[1] in "TP" and s[2] == "B"
        # the embedded rule: an inner string's E is followed by the symbol at position 1
        first = s.split("E")
        assert s[s.index("E") + 1] == s[1]
        assert first
    # a model that always guesses a legal symbol scores 1.0
    logits = torch.from_numpy(b.extra["legal"].astype(np.float32))
    assert t.metric(logits, b) == 1.0


def test_anbn():
    t = get_task("anbn")
    b = t.batch(5, 30, rng())
    s = "".join(t.tokens[i] for i in b.x[0].tolist())
    for chunk in s.split("$")[:-1]:
        n = chunk.count("a")
        assert chunk == "a" * n + "b" * n
    onehot = torch.nn.functional.one_hot(b.y, 3).float()
    assert t.metric(onehot, b) == 1.0


def test_sines_and_waveform():
    b = get_task("sines").batch(4, 30, rng())
    assert float((b.x[:, 1:] - b.y[:, :-1]).std()) == pytest.approx(0.1, abs=0.03)  # the noise
    t = get_task("waveform")
    b = t.batch(8, 20, rng())
    assert torch.all(b.x[:, 1:] == 0) and torch.all(b.x[:, 0].sum(1) == 1)
    for x, y in zip(b.x, b.y):
        period = t.PERIODS[int(x[0].argmax())]
        np.testing.assert_allclose(y[:, 0], np.sin(2 * np.pi * np.arange(20) / period), atol=1e-6)
    assert t.step_labels(b)[0].startswith("period")


def test_sentiment_negation_rule():
    t = get_task("sentiment")
    b = t.batch(200, 8, rng())
    pos, neg = {"good", "great", "fun"}, {"bad", "boring", "awful"}
    for x, y in zip(b.x, b.y[:, -1]):
        words = [t.tokens[i] for i in x.tolist()]
        p = next(i for i, w in enumerate(words) if w in pos | neg)
        expected = (words[p] in pos) != (p > 0 and words[p - 1] == "not")
        assert int(y) == int(expected)
    # order matters: the same bag of words can carry either label
    assert 0.3 < float(b.y[:, -1].float().mean()) < 0.7


def test_charlm_builtin_and_own_text():
    t = get_task("charlm")
    b = t.batch(3, 20, rng())
    assert torch.equal(b.x[:, 1:], b.y[:, :-1])
    own = get_task("charlm", text="hello world, " * 10)
    assert set(own.tokens) == set("helo wrd,")
    with pytest.raises(TaskError):
        get_task("charlm", text="too short")
    with pytest.raises(TaskError):
        get_task("nope")
