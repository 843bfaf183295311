"""Each lesson's live figure: built from a real model made with the lesson's settings.

``FIGURES`` maps the name a lesson gives (``figure = "..."`` in lessons.toml) to a builder called as
``builder(settings, **figure_inputs)``. A builder returns a :class:`Shown`: a plotly figure (or HTML
or LaTeX lines), a table of live numbers, and a caption that says what to look for. Builders are
deterministic (seeded) so a page may memoise them per settings; the two that time things measure on
the machine they run on, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import torch

from ..compare import speed
from ..compare.timing import METHOD_SHORT, server_load, time_calls
from ..inspect import describe_change, inspect_model
from ..models import build_model, parameter_count
from ..models.recurrent import SequenceModel, config_for_task
from ..plots.gates import lstm_cell_diagram
from ..plots.gradients import grad_through_time
from ..plots.graph import shapes_figure, step_latex, unrolled_figure
from ..plots.lessons import cost_bars, length_lines
from ..plots.states import activation_text_html, loop_figure, state_heatmap
from ..runtime.runs import build_run, tiny_run
from ..runtime.session import WORKER
from ..settings import ARCH_NAMES, Settings
from ..tasks import get_task, visible_char
from ..unroll import node_values, step_numbers, visible_steps


@dataclass
class Shown:
    """What a lesson shows: a figure (or HTML, or LaTeX lines), live numbers, and what to look for."""

    figure: go.Figure | None = None
    html: str = ""
    latex: list[str] = field(default_factory=list)
    table: list[dict] = field(default_factory=list)
    caption: str = ""
    side_figure: go.Figure | None = None  # a small diagram drawn beside the main one


def _model(settings: Settings, task=None) -> tuple[SequenceModel, object]:
    task = task or get_task(settings.task)
    return SequenceModel(config_for_task(task, **settings.model_keywords()), seed=settings.seed), task


def context(settings: Settings, sentence: str, word: str) -> Shown:
    """The sentence fed one character at a time; the states after each copy of ``word`` compared."""
    text = sentence
    while len(text) < 60:  # the character task wants a text of 50 characters or more
        text += " " + sentence
    task = get_task("charlm", text=text)
    model, _ = _model(settings, task)
    ids = torch.tensor([[task.tokens.index(c) for c in sentence]])
    tr = model.trace(ids)
    h = tr.hidden[-1, 0]  # [T, H]
    ends, at = [], sentence.find(word)
    while at >= 0:
        ends.append(at + len(word) - 1)
        at = sentence.find(word, at + 1)
    labels = [visible_char(c) for c in sentence]
    fig = state_heatmap(
        h,
        labels,
        f"h_t after each character (untrained {ARCH_NAMES[settings.arch]}, H={settings.hidden})",
        highlight=ends[0],
        span=(ends[-1], ends[-1]),
        max_ticks=len(sentence),
    )
    n = len(word)
    first = float(np.linalg.norm(h[ends[0] - n + 1] - h[ends[-1] - n + 1]))
    diff = float(np.linalg.norm(h[ends[0]] - h[ends[-1]]))
    size = float(np.linalg.norm(h[ends[0]]))
    gap = f"distance between the states of the two “{word}”"
    table = [
        {"what is measured": f"{gap}, after the first letter “{word[0]}”", "value": f"{first:.3f}"},
        {"what is measured": f"{gap}, after the last letter “{word[-1]}” (the framed columns)", "value": f"{diff:.3f}"},
        {"what is measured": "length of the whole state vector h_t, for scale", "value": f"{size:.3f}"},
        {"what is measured": "the same distance for a network with no memory", "value": "0.000"},
    ]
    cap = (
        f"Rows are the {settings.hidden} hidden units, columns the characters. Black frame: the state right after the first "
        f"“{word}”; green frame: after the second. Same letters, yet the states differ, because each also carries what came "
        f"before. The difference is largest at the word's first letter ({first:.3f}) and smaller by its end ({diff:.3f}): "
        "an untrained network forgets quickly. Keeping the context for longer is what training, and the gates of lesson 7, add."
    )
    return Shown(figure=fig, table=table, caption=cap)


def loop_step(settings: Settings, units: int = 3, t: int = 3) -> Shown:
    """The loop diagram and one step of a tiny vanilla RNN with every number printed."""
    task = get_task(settings.task)
    T = max(settings.seq_len, t + 1)
    tiny = tiny_run(task, units, T, settings.seed)
    x = task.batch(1, T, np.random.default_rng(settings.seed)).x
    n = step_numbers(tiny, x, t)
    return Shown(
        side_figure=loop_figure(),
        latex=step_latex(n),
        caption=(
            f"A tiny untrained vanilla RNN with {units} units on the “{task.title}” task, step t={t}. Left to right: W_x "
            f"times the input, plus W_h times the previous state, plus the bias, gives the sum a; tanh squashes each "
            "number of a into (−1, 1), giving the new state h_t."
        ),
    )


def unrolled(settings: Settings, mode: str = "forward", lengths=()) -> Shown:
    """The unrolled graph of the settings' model (forward or backward), and parameters against T."""
    model, task = _model(settings)
    T = settings.seq_len
    insp = inspect_model(model, task, T, settings.seed, n=4)
    fig = unrolled_figure(visible_steps(T, 4, 3), node_values(insp, 0), insp.labels(0), mode, highlight=T - 1, T=T)
    table = []
    cfg = model.cfg
    per_step = cfg.hidden_size * cfg.num_layers * (2 if cfg.arch == "lstm" else 1)
    for L in lengths:
        m2, _ = _model(settings.replace(seq_len=max(L, 4)))
        table.append(
            {
                "sequence length T": f"{L:,}",
                "weights (parameters)": f"{parameter_count(m2):,}",
                "states kept for training (T × H)": f"{L * per_step:,}",
            }
        )
    if mode == "forward":
        cap = (
            f"The {ARCH_NAMES[settings.arch]} unrolled over T={T} steps (the middle is folded away). Every red arrow is the "
            "same matrix W_h, every green one the same W_x. Node colour: the size of h_t."
        )
    else:
        norms = insp.grad_norms()
        cap = (
            f"The same chain in the backward pass: each h_t is coloured by the size of the error that reaches it, "
            f"||dL/dh_t||, on a log scale. From the last step back to t=0 the gradient {describe_change(norms)}."
        )
    return Shown(figure=fig, table=table, caption=cap)


def shapes(settings: Settings) -> Shown:
    return Shown(
        figure=shapes_figure(),
        caption="Green: inputs, blue: outputs, the loop in between. Where the blue boxes are is what the task scores.",
    )


PALETTE = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e")


def gradient_scales(settings: Settings, scales=(0.5, 1.0, 2.0)) -> Shown:
    """||dL/dh_t|| of the same vanilla RNN with W_hh rescaled to each largest singular value."""
    curves, table = {}, []
    for k, s in enumerate(scales):
        st = settings.replace(arch="rnn", scale=float(s))
        model, task = _model(st)
        norms = inspect_model(model, task, st.seq_len, st.seed, n=8).grad_norms()
        curves[f"σ_max(W_hh) = {s:g}"] = (norms, PALETTE[k % len(PALETTE)])
        table.append({"largest singular value of W_hh": f"{s:g}", "from the last step back to t=0": describe_change(norms)})
    fig = grad_through_time(curves, f"||dL/dh_t|| of an untrained vanilla RNN, T={settings.seq_len}")
    cap = (
        "Log scale: each grid line down is ten times smaller. The same network three times, only W_hh rescaled. "
        "Below 1 the curve falls steadily towards t=0 (vanishing); at 2 it grows instead (exploding)."
    )
    return Shown(figure=fig, table=table, caption=cap)


def lstm_cell(settings: Settings, t: int = 10, unit: int = 0) -> Shown:
    model, task = _model(settings.replace(arch="lstm"))
    T = settings.seq_len
    t = min(t, T - 1)
    insp = inspect_model(model, task, T, settings.seed, n=2)
    v = insp.lstm_cell_values(t, unit)
    fig = lstm_cell_diagram(**v, t=t, unit=unit, label=insp.labels(0)[t])
    table = [{"gate": name, "value": f"{v[k]:.3f}"} for k, name in (("f", "forget f"), ("i", "input i"), ("o", "output o"))]
    table.append(
        {"gate": "cell: f·c_(t−1) + i·g", "value": f"{v['f']:.3f}·{v['c_prev']:.3f} + {v['i']:.3f}·{v['g']:.3f} = {v['c']:.3f}"}
    )
    cap = (
        f"Unit {unit} of an untrained LSTM at step t={t}. Untrained, the gates sit near the middle; the forget gate a "
        "little higher because it starts with a bias of +1."
    )
    return Shown(figure=fig, table=table, caption=cap)


def arch_cost(settings: Settings) -> Shown:
    """Recurrent weights and measured ms per training step of RNN, LSTM and GRU at the same size."""
    archs = ["rnn", "lstm", "gru"]
    runs = {a: build_run(settings.replace(arch=a)) for a in archs}
    params = [sum(p.numel() for name, p in runs[a].model.core.named_parameters()) for a in archs]
    load_before = server_load(WORKER.running())
    tm = time_calls({a: (lambda tr=runs[a]: tr.run(n_steps=1)) for a in archs}, repeats=8)
    load_after = server_load(WORKER.running())
    ms = [tm[a].median_ms for a in archs]
    ratio = params[2] / params[1]
    fig = cost_bars(archs, params, ms, f"Same size (H={settings.hidden}), same task, T={settings.seq_len}")
    table = [
        {"cell": ARCH_NAMES[a], "recurrent weights": f"{p:,}", "ms per training step": f"{m:.1f}", "spread": tm[a].spread()}
        for a, p, m in zip(archs, params, ms)
    ]
    rnn_vs_lstm = ms[0] / ms[1]
    why_rnn = (
        f" The vanilla RNN has the fewest weights yet took {rnn_vs_lstm:.1f}x the LSTM's time: PyTorch runs the LSTM's "
        "whole loop through time as one fused piece of code, but the plain RNN's as one small operation after another "
        "for every step, and at this size starting an operation costs more than the arithmetic inside it."
        if rnn_vs_lstm > 1
        else ""
    )
    cap = (
        f"The GRU has {ratio:.2f} of the LSTM's recurrent weights. The times were measured just now on this server "
        f"(batch {settings.batch}, one thread; {METHOD_SHORT.format(repeats=8)}); they depend on "
        "the code each cell runs (PyTorch's fused LSTM, rnnviz's compiled GRU loops, PyTorch's step-by-step RNN)." + why_rnn
    )
    busy = (load_after if load_after.busy else load_before).note()
    if busy:
        cap += " " + busy
    return Shown(figure=fig, table=table, caption=cap)


def length_cost(settings: Settings, lengths=(25, 50, 100, 200), archs=("lstm", "cnn", "transformer")) -> Shown:
    """Milliseconds for one forward and backward pass of each architecture at each length (measured on one
    thread, the app's one way), and a caption that says what one thread can and cannot show."""
    task = get_task(settings.task)
    B = 16
    models = {a: build_model(a, task, hidden_size=settings.hidden, seed=settings.seed) for a in archs}
    xs = {T: task.batch(B, T, np.random.default_rng(0)).x for T in lengths}
    # every (model, length) pair in the same rounds, so a burst of other work on the server hits them all alike
    load_before = server_load(WORKER.running())
    tm = time_calls(
        {(a, T): (lambda m=models[a], x=xs[T]: m(x).pow(2).mean().backward()) for a in archs for T in lengths}, repeats=5
    )
    load_after = server_load(WORKER.running())
    out = {a: [tm[(a, T)].median_ms for T in lengths] for a in archs}
    for m in models.values():
        m.zero_grad()
    fig = length_lines(
        lengths, out, "One forward + backward pass on one CPU thread, measured on this server", "milliseconds", hover_unit="ms"
    )
    table = [{"model": speed.LABELS[a], **{f"T={T}": f"{v:.1f} ms" for T, v in zip(lengths, out[a])}} for a in archs]
    T0, T1 = lengths[0], lengths[-1]
    growth = ", ".join(f"the {speed.LABELS[a]} {out[a][-1] / out[a][0]:.1f}x" for a in archs)
    fastest = min(archs, key=lambda a: out[a][-1])
    cap = (
        f"Batch of {B}, hidden size {settings.hidden}, each model with about the LSTM's number of weights; "
        f"{METHOD_SHORT.format(repeats=5)}. From T={T0} to T={T1} ({T1 / T0:.0f}x the steps) the time "
        f"grew: {growth}. Fastest at T={T1}: the {speed.LABELS[fastest]}. One thread does one operation at a "
        "time, so nothing here runs in parallel: the lines show each model's total work, not its waiting."
    )
    busy = (load_after if load_after.busy else load_before).note()
    if busy:
        cap += " " + busy
    gains = _thread_gains(archs)
    if gains:
        T, got = gains
        cap += (
            f" With a second thread (the Speed page's measurement at T={T}) the step got "
            + ", ".join(f"{g:.2f}x as fast for the {speed.LABELS[a]}" for a, g in got.items())
            + "."
        )
        loop = got.get("lstm")
        spread = max((g for a, g in got.items() if a != "lstm"), default=None)
        if loop is not None and spread is not None:
            cap += (
                " The models that work on all steps at once gained more than the loop: that is what parallel work buys "
                "on this server's two cores."
                if spread > loop
                else " Here the loop gained as much as the models that work on all steps at once, so this measurement "
                "does not show the difference (the Speed page says how it was made)."
            )
    return Shown(figure=fig, table=table, caption=cap)


def _thread_gains(archs) -> tuple[int, dict[str, float]] | None:
    """(T, {arch: time on 1 thread / time on 2}) from the Speed page's shipped file, or None."""
    try:
        g = speed.load().get("threads")
    except speed.ResultsError:
        return None
    if not g:
        return None
    ms = {a: g["models"][a]["step_ms"] for a in archs if a in g["models"]}
    return (g["T"], {a: v[0] / v[-1] for a, v in ms.items()}) if ms else None


def activation_text(settings: Settings, steps: int = 150, unit: int | None = None) -> Shown:
    """A character model trained for a few steps; a text coloured by its liveliest unit."""
    tr = build_run(settings.replace(task="charlm"))
    tr.run(n_steps=steps)
    insp = inspect_model(tr.model, tr.task, min(settings.seq_len, 60), settings.seed, n=1)
    h = insp.states("hidden", -1, 0)
    u = int(np.argmax(h.std(0))) if unit is None else unit
    html = activation_text_html(insp.labels(0), h[:, u], f"h_t of unit {u}")
    ev = tr.evaluate()
    cap = (
        f"An {ARCH_NAMES[settings.arch]} trained for {steps} steps on the built-in story (held-out accuracy "
        f"{ev['metric']:.0%}; always guessing the commonest character gives {tr.task.baseline_metric:.0%}). Each character "
        f"is shaded by what unit {u}, the one that varies most on this window, holds after reading it."
    )
    return Shown(html=html, caption=cap)


def stream_cost(settings: Settings, lengths=(1, 100, 1000, 10000), hidden: int = 64) -> Shown:
    """Multiply-adds and numbers kept to produce one more step, after a context of n steps (counted)."""
    H = hidden
    lstm_ops = 4 * (H * H + H * H)  # four blocks on the input (size H) and on h_(t-1)
    lstm_mem = 2 * H  # h and c
    # one Transformer layer of width H: q, k, v, out projections (4 H^2), a 4H feed-forward (8 H^2),
    # attention over the n kept steps (scores and weighted sum: 2 n H); it keeps k and v for every step
    tf_ops = [4 * H * H + 8 * H * H + 2 * n * H for n in lengths]
    tf_mem = [2 * n * H for n in lengths]
    fig = length_lines(
        lengths,
        {"lstm": [lstm_ops] * len(lengths), "transformer": tf_ops},
        f"Work to produce one more step after n steps (width {H}, counted)",
        "multiply-adds per new step",
        log=True,
        hover_unit="multiply-adds",
    )
    fig.update_xaxes(title_text="steps already seen (n)")
    table = [
        {"steps seen": f"{n:,}", "LSTM numbers kept": f"{lstm_mem:,}", "Transformer numbers kept (keys, values)": f"{m:,}"}
        for n, m in zip(lengths, tf_mem)
    ]
    cap = (
        "Counted from the sizes of the matrices, for one layer of width "
        f"{H}: the LSTM's cost per new step is the same at every n; attention's grows with every step it must look back at."
    )
    return Shown(figure=fig, table=table, caption=cap)


FIGURES = {
    "context": context,
    "loop_step": loop_step,
    "unrolled": unrolled,
    "shapes": shapes,
    "gradient_scales": gradient_scales,
    "lstm_cell": lstm_cell,
    "arch_cost": arch_cost,
    "length_cost": length_cost,
    "activation_text": activation_text,
    "stream_cost": stream_cost,
}


def draw(lesson) -> Shown:
    """The lesson's figure, built from its main setup's settings."""
    return FIGURES[lesson.figure](lesson.setup.settings, **lesson.figure_inputs)
