"""Gates: LSTM and GRU gate heatmaps, the LSTM cell as valves at one step, gate saturation."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.plots.gates import gate_heatmap, gru_cell_diagram, lstm_cell_diagram, saturation_figure, unit_lines
from rnnviz.ui.export import chart

ctx = ui.page("Gates", "🚪")
st.title("Gates")
st.caption(ctx.status_line())
if ctx.arch == "rnn":
    st.info(
        "A vanilla RNN has **no gates**: at every step it overwrites its whole hidden state with "
        "h_t = tanh(W_x x_t + W_h h_(t−1) + b). There is no switch that says *keep this* or *ignore that*, "
        "which is why it forgets. LSTM and GRU add gates: numbers between 0 and 1, computed from the input "
        "and the state, that scale what is kept, written and shown."
    )
    st.markdown(
        "Switch the **Architecture** in the sidebar to LSTM or GRU to see gates at work "
        "(before training, the model is replaced at once; after training, confirm with the button above)."
    )
    st.stop()
insp = ctx.inspection()


@st.fragment
def view(insp):
    """Redraws alone when the example, layer or unit changes (the trace is not recomputed). The gate
    heatmaps live here; what moves with the time step t is the inner fragment ``step`` below, so moving
    t redraws two figures (the cell diagram and the unit's lines), not eight."""
    T, L = insp.seq_len, ctx.trainer.model.cfg.num_layers
    c1, c2 = st.columns(2)
    ex = c1.selectbox("Example", range(insp.batch.x.shape[0]), format_func=lambda i: f"example {i + 1}", key="g_example")
    layer = c2.selectbox("Layer", range(L), format_func=lambda k: f"layer {k + 1}", key="g_layer") if L > 1 else 0
    labels = insp.labels(ex)
    marks, marks_name = insp.key_steps(ex), insp.key_steps_name
    H = ctx.trainer.model.cfg.hidden_size
    best, why = insp.informative_unit("hidden", layer)
    unit = st.selectbox(
        "Unit shown in the cell diagram and step by step",
        [-1, *range(H)],
        format_func=lambda u: "the most informative unit" if u == -1 else f"unit {u:d}",
        key="g_unit_pick",
    )
    if unit == -1:
        unit = best
        st.caption(f"Showing unit {best}: {why} (measured on h_t).")
    if ctx.arch == "lstm":
        names = ["forget_gate", "input_gate", "cell_candidate", "output_gate", "cell"]
    else:
        st.markdown(
            "**GRU:** h_t = (1 − z_t) · n_t + z_t · h_(t−1). The **update gate z** decides how much of the old "
            "state to keep (z near 1: keep it, so memory passes through unchanged); the **reset gate r** decides "
            "how much of the old state the candidate n_t may look at."
        )
        names = ["update_gate", "reset_gate", "candidate"]
    g = {n: insp.states(n, layer, ex) for n in names}
    step(insp, ex, layer, unit, T)
    cols = st.columns(2)
    quantities = [n for n in names if n != "cell"] + (["cell"] if "cell" in names else [])
    for i, n in enumerate(names):
        fig = ctx.figure(
            "gate_heatmap",
            (n, ex, layer),
            lambda n=n: gate_heatmap(g[n], n, labels, marks=marks, marks_name=marks_name),
        )
        chart(fig, f"heat_{n}", f"{n}-example-{ex + 1}", lambda: insp.frame(ex, quantities), where=cols[i % 2])
    st.caption(
        (f"Gold dashed boxes and ★ mark {marks_name}: see which gates open or shut right there. " if marks else "")
        + "Rows are units, columns time steps. Gates run from 0 (white, closed) to 1 (full colour, open). "
        + (
            "The candidate and the cell state are signed: red positive, blue negative."
            if ctx.arch == "lstm"
            else "The candidate n_t is signed: red positive, blue negative. A GRU has no separate cell state: "
            "its memory is h_t itself."
        )
        + " These maps show every step at once and stay put while you move t: the step you chose is the dashed "
        "line in the unit's chart above."
    )
    st.markdown("#### Gate saturation")
    chart(ctx.figure("saturation", (layer,), lambda: saturation_figure(insp.saturation(layer))), "sat", "gate-saturation")
    st.caption(
        "One dot per unit and gate, over every step of all examples shown. Dots in the corner at the bottom left "
        "are gates that hover in between; dots along the axes are gates that act like switches (often shut, or "
        "often wide open). "
        + (
            "Karpathy, Johnson & Fei-Fei (2015) found trained LSTMs have many right-saturated forget gates: units "
            "that remember for a long time."
            if ctx.arch == "lstm"
            else "For a GRU, an update gate that is often wide open (z near 1) marks a unit that keeps its value for a "
            "long time: the GRU's way of remembering."
        )
    )


@st.fragment
def step(insp, ex, layer, unit, T):
    """The part that follows the time step t: the cell diagram at t and the unit's lines with t marked."""
    labels = insp.labels(ex)
    marks, marks_name = insp.key_steps(ex), insp.key_steps_name
    t = st.slider("Time step t", 0, T - 1, min(T - 1, T // 2), key="g_t")
    if ctx.arch == "lstm":
        chart(
            lstm_cell_diagram(**insp.lstm_cell_values(t, unit, layer, ex), t=t, unit=unit, label=labels[t]),
            "cell",
            f"lstm-cell-unit-{unit}-step-{t}",
        )
        st.caption(
            "The brown line is the cell state c, the LSTM's memory, running from the previous step (left) to "
            "this one (right). The forget valve scales the old memory, the input valve lets the candidate in, "
            "and the output valve decides how much of the memory becomes h_t. A forget gate near 1 and an input "
            "gate near 0 means: keep the memory untouched."
        )
        series = ("forget_gate", "input_gate", "output_gate", "cell", "hidden")
        caption = (
            "The same unit at every step. Watch for the moments the input gate opens (something is written) and "
            "the forget gate drops (something is erased), and how the cell state (dotted brown) holds its value "
            "in between."
        )
    else:
        chart(
            gru_cell_diagram(**insp.gru_cell_values(t, unit, layer, ex), t=t, unit=unit, label=labels[t]),
            "cell",
            f"gru-cell-unit-{unit}-step-{t}",
        )
        st.caption(
            "The GRU has no separate memory line: the state h itself runs from the previous step (left) to this "
            "one (right). The update valve z decides how much of the old state stays; the rest, 1 − z, is taken "
            "from the candidate n, which the reset valve r lets look at the past. Compare the LSTM: there the "
            "forget and input gates are two separate valves; here one gate z sets both, so the GRU needs three "
            "weight blocks instead of four."
        )
        series = ("update_gate", "reset_gate", "candidate", "hidden")
        caption = (
            "The same unit at every step. Where the update gate z is near 1 the unit keeps its old value (the "
            "dotted h_t line stays flat); where it drops, the candidate n_t replaces it."
        )
    chart(
        unit_lines(
            {n: insp.states(n, layer, ex)[:, unit] for n in series},
            labels,
            unit,
            highlight=t,
            marks=marks,
            marks_name=marks_name,
        ),
        "lines",
        f"unit-{unit}-gates",
    )
    st.caption(caption)


view(insp)
