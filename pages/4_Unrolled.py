"""Unrolled: the loop and the unrolled graph with real values, forward and backward."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.plots.graph import step_latex, unrolled_figure
from rnnviz.plots.states import loop_figure
from rnnviz.runtime.runs import tiny_run
from rnnviz.ui.classroom import escape
from rnnviz.ui.export import chart
from rnnviz.unroll import node_frame, node_values, step_numbers, visible_steps

ctx = ui.page("Unrolled", "🔗")
st.title("The loop, unrolled through time")
st.caption(ctx.status_line())
insp = ctx.inspection()


@st.fragment
def view(insp):
    """Everything below redraws alone when one of its own controls moves (the trace is not recomputed)."""
    T = insp.seq_len
    a, b = st.columns([1, 3])
    with a:
        st.plotly_chart(ui.static_figure(loop_figure), key="loop")
        st.caption("Rolled up: one cell and a loop. Unrolled (right): one copy per step, sharing the weights.")
    with b:
        c1, c2, c3 = st.columns(3)
        mode = c1.radio(
            "Colour h_t by",
            ["forward", "backward"],
            horizontal=True,
            key="u_mode",
            format_func=lambda m: "activation (forward)" if m == "forward" else "gradient (backward)",
        )
        ex = c2.selectbox("Example", range(insp.batch.x.shape[0]), format_func=lambda i: f"example {i + 1}", key="u_example")
        show = c3.slider(
            "Steps drawn at each end",
            2,
            8,
            4,
            key="u_show",
            help="Long sequences are drawn as the first and last steps with a gap between.",
        )
        t = st.slider("Highlight step t", 0, T - 1, T - 1, key="u_t")
        marks = insp.key_steps(ex)
        steps = visible_steps(T, head=show, tail=show, keep=[t, *marks])
        labels = insp.labels(ex)
        values = node_values(insp, ex)
        chart(
            unrolled_figure(steps, values, labels, mode, highlight=t, T=T, marks=marks, marks_name=insp.key_steps_name),
            "graph",
            f"unrolled-{mode}-example-{ex + 1}",
            lambda: node_frame(values, labels),
        )
    if marks:
        st.caption(
            f"Gold input nodes with ★ are {insp.key_steps_name} (steps {', '.join(map(str, marks))}): they are always "
            "drawn, however long the sequence, because the answer depends on them. In the backward view, see how "
            "much gradient is left when it gets back to them."
        )
    if mode == "forward":
        st.caption(
            "Forward pass: information flows left to right. Every green arrow is the same matrix W_x, every red "
            "arrow the same W_h, every blue arrow the same W_y: unrolling copies the cell, not the weights. Blue "
            "output nodes appear only where the task reads an answer (at the end for many-to-one tasks)."
        )
    else:
        st.caption(
            "Backward pass (backpropagation through time): the error starts at the scored outputs and flows right "
            "to left along the red W_h arrows. Each step back multiplies it by W_h and by the slope of tanh, so in "
            "a vanilla RNN it usually fades: dark nodes on the left received almost no learning signal."
        )
        st.markdown(
            "**One matrix, many copies, one sum.** Unrolling makes a copy of W_h for every step, but they are all the "
            "same matrix. Backpropagation computes a gradient for each copy (how the loss would change if W_h were "
            "changed at that step only), and the update of W_h is **the sum of these gradients over all steps**. "
            "A copy far to the left whose gradient has vanished adds almost nothing to that sum: that is why the "
            "network cannot learn from early inputs."
        )
        st.latex(
            r"\frac{\partial L}{\partial W_h} = \sum_{t=0}^{T-1} \frac{\partial L}{\partial h_t}\,"
            r"\frac{\partial h_t}{\partial W_h^{(t)}} \quad\text{(the copy of } W_h \text{ used at step } t\text{)}"
        )
    st.markdown(f"#### Step t={t} with every number")
    H = st.select_slider("Units in the tiny model", [2, 3, 4], value=3, key="u_tiny_h")
    ss = st.session_state
    key = (ctx.task.name, H, T, ctx.settings.seed)
    if ss.get("u_tiny_key") != key:
        ss["u_tiny_key"], ss["u_tiny"] = key, tiny_run(ctx.task, H, T, ctx.settings.seed)
    tiny = ss["u_tiny"]
    st.markdown(
        f"A full model has too many numbers to print, so this panel uses a **tiny vanilla RNN of its own "
        f"({H} units)** on the same task and example, "
        f"{'untrained' if tiny.step == 0 else f'trained for {tiny.step} steps'}."
    )
    if st.button("Train the tiny model for 200 steps", key="u_tiny_train"):
        tiny.run(n_steps=200)
        st.rerun()
    n = step_numbers(tiny, insp.batch.x[ex : ex + 1], t)
    for line in step_latex(n):
        st.latex(line)
    st.caption(
        f"Read it left to right: the input x_{t} ({escape(labels[t])}) is mixed by W_x, the previous state h_{t - 1} by "
        "W_h, the bias b is added to give a, and tanh squashes each number of a into (−1, 1). "
        "Move the step slider and watch h_t "
        "become the next step's h_(t−1)."
    )


view(insp)
