"""Hidden states: units x time heatmap, one step's h_t, the 2-D path, text coloured by a unit."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.plots.states import activation_text_html, pca_path, state_heatmap, step_bar
from rnnviz.ui.export import chart

ctx = ui.page("Hidden states", "🧠")
st.title("Hidden states")
st.caption(ctx.status_line())
insp = ctx.inspection()


@st.fragment
def view(insp):
    """Everything below redraws alone when one of its own controls moves (the trace is not recomputed)."""
    T = insp.seq_len
    L = ctx.trainer.model.cfg.num_layers
    c1, c2, c3 = st.columns(3)
    ex = c1.selectbox("Example", range(insp.batch.x.shape[0]), format_func=lambda i: f"example {i + 1}", key="hs_example")
    layer = c2.selectbox("Layer", range(L), index=L - 1, format_func=lambda k: f"layer {k + 1}", key="hs_layer") if L > 1 else 0
    which = "hidden"
    if ctx.arch == "lstm":
        which = c3.radio(
            "State",
            ["hidden", "cell"],
            horizontal=True,
            key="hs_which",
            format_func=lambda w: "h_t (hidden, what the cell shows)" if w == "hidden" else "c_t (cell, its memory)",
        )
    labels = insp.labels(ex)
    what = "h_t" if which == "hidden" else "c_t"
    st.markdown(f"**Target:** `{insp.target_text(ex)}`  **Model says:** `{insp.prediction_text(ex)}`")
    t = st.slider("Time step t", 0, T - 1, T - 1, key="hs_t", help="Pick a step to see its state vector and mark it below.")
    states = insp.states(which, layer, ex)
    marks, marks_name = insp.key_steps(ex), insp.key_steps_name
    chart(
        state_heatmap(
            states,
            labels,
            f"{what} of every unit at every step (layer {layer + 1}, example {ex + 1})",
            what=what,
            highlight=t,
            marks=marks,
            marks_name=marks_name,
        ),
        "heat",
        f"{which}-states-example-{ex + 1}",
        lambda: insp.frame(ex, [which]),
    )
    st.caption(
        (
            f"Gold dashed boxes and ★ mark {marks_name}, at steps {', '.join(map(str, marks))}: the inputs the answer "
            "depends on. Look for units that change colour right there and keep it afterwards. "
            if marks
            else ""
        )
        + "Each row is one hidden unit, each column one time step; red is positive, blue negative, white zero. "
        "A unit whose colour changes when a certain input arrives is reacting to it; a colour that persists "
        "across many columns is memory. "
        + ("h_t is squashed to (−1, 1)." if which == "hidden" else "c_t is not squashed and can grow past ±1.")
    )
    a, b = st.columns(2)
    chart(step_bar(states[t], t, labels[t], what), "bar", f"{which}-at-step-{t}", where=a)
    a.caption(f"The whole vector {what} at the chosen step: this is everything the network carries forward.")
    coords, ratio = insp.pca(layer, ex)
    chart(pca_path(coords, ratio, labels, highlight=t, marks=marks, marks_name=marks_name), "pca", "pca-path", where=b)
    b.caption(
        "The hidden state is a point in H-dimensional space that moves at every step. This shows its path "
        "flattened to the two directions in which it moves most (principal components)."
        + (" Gold stars: the marked steps; watch whether the path jumps there." if marks else "")
    )
    st.markdown("#### Find the units that are on for a stretch of input")
    f1, f2 = st.columns([3, 1])
    span = f1.slider(
        "Stretch of steps",
        0,
        T - 1,
        (max(0, T // 2 - 2), min(T - 1, T // 2 + 2)),
        key="hs_span",
        help="Select the steps you are curious about, e.g. a word or the marked numbers.",
    )
    thr = f2.slider(f"{what} above", -0.9, 0.9, 0.1, 0.05, key="hs_thr")
    found = insp.units_on(span[0], span[1], thr, which, layer, ex)
    if found:
        units = [u for u, _ in found]
        chart(
            state_heatmap(
                states[:, units],
                labels,
                f"Units with {what} > {thr:g} at every step from t={span[0]} to t={span[1]}, most specific first",
                what=what,
                units=units,
                span=span,
                marks=marks,
                marks_name=marks_name,
            ),
            "found",
            "units-on-for-a-stretch",
        )
        st.caption(
            "LSTMVis's question: which units switch on exactly here? Listed first are the units that are seldom on "
            "anywhere else ("
            + ", ".join(f"unit {u}: on at {100 * o:.0f}% of the other steps" for u, o in found[:3])
            + "). Try the stretch where a symbol you care about appears, then another example."
        )
    else:
        st.info(
            f"No unit has {what} above {thr:g} at every step from t={span[0]} to t={span[1]}: lower the threshold "
            "or shorten the stretch."
        )
    if insp.task.tokens:
        st.markdown("#### The input coloured by one unit")
        best, why = insp.informative_unit(which, layer)
        H = states.shape[1]
        unit = st.selectbox(
            "Unit",
            [-1, *range(H)],
            format_func=lambda u: "the most informative unit" if u == -1 else f"unit {u:d}",
            key="hs_unit",
        )
        auto = unit == -1
        unit = best if auto else unit
        st.markdown(activation_text_html(labels, states[:, unit], f"{what} of unit {unit}"), unsafe_allow_html=True)
        if auto:
            st.caption(f"Showing unit {best}: {why}.")
        st.caption(
            "Karpathy's char-rnn picture: each symbol is shaded by what one unit reads after seeing it. "
            "Try each unit: some track position, some fire on one symbol, some count."
        )


view(insp)
