"""Hidden states: units x time heatmap, one step's h_t, the 2-D path, text coloured by a unit."""
import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.plots.states import activation_text_html, pca_path, state_heatmap, step_bar

ctx = ui.page("Hidden states", "🧠")
st.title("Hidden states")
st.caption(ctx.status_line())
insp = ctx.inspection()
T = insp.seq_len
L = ctx.run.model.cfg.num_layers
c1, c2, c3 = st.columns(3)
ex = c1.selectbox("Example", range(insp.batch.x.shape[0]), format_func=lambda i: f"example {i + 1}", key="hs_example")
layer = c2.selectbox("Layer", range(L), index=L - 1, format_func=lambda k: f"layer {k + 1}", key="hs_layer") if L > 1 else 0
which = "hidden"
if ctx.arch == "lstm":
    which = c3.radio("State", ["hidden", "cell"], horizontal=True, key="hs_which",
                     format_func=lambda w: "h_t (hidden, what the cell shows)" if w == "hidden" else "c_t (cell, its memory)")
labels = insp.labels(ex)
what = "h_t" if which == "hidden" else "c_t"
st.markdown(f"**Target:** `{insp.target_text(ex)}`  **Model says:** `{insp.prediction_text(ex)}`")
t = st.slider("Time step t", 0, T - 1, T - 1, key="hs_t", help="Pick a step to see its state vector and mark it below.")
states = insp.states(which, layer, ex)
st.plotly_chart(state_heatmap(states, labels, f"{what} of every unit at every step (layer {layer + 1}, example {ex + 1})",
                              what=what, highlight=t), key="heat")
st.caption("Each row is one hidden unit, each column one time step; red is positive, blue negative, white zero. "
           "A unit whose colour changes when a certain input arrives is reacting to it; a colour that persists "
           "across many columns is memory. "
           + ("h_t is squashed to (−1, 1)." if which == "hidden" else "c_t is not squashed and can grow past ±1."))
a, b = st.columns(2)
a.plotly_chart(step_bar(states[t], t, labels[t], what), key="bar")
a.caption(f"The whole vector {what} at the chosen step: this is everything the network carries forward.")
coords, ratio = insp.pca(layer, ex)
b.plotly_chart(pca_path(coords, ratio, labels, highlight=t), key="pca")
b.caption("The hidden state is a point in H-dimensional space that moves at every step. This shows its path "
          "flattened to the two directions in which it moves most (principal components).")
if insp.task.tokens:
    st.markdown("#### The input coloured by one unit")
    unit = st.slider("Unit", 0, states.shape[1] - 1, 0, key="hs_unit")
    st.markdown(activation_text_html(labels, states[:, unit], f"{what} of unit {unit}"), unsafe_allow_html=True)
    st.caption("Karpathy's char-rnn picture: each symbol is shaded by what one unit reads after seeing it. "
               "Try each unit: some track position, some fire on one symbol, some count.")
