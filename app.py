"""rnnviz home page: what the explorer is, the loop, and where each page leads."""

import streamlit as st

import rnnviz  # noqa: F401  (sets one torch thread before torch loads)
from rnnviz import ui
from rnnviz.plots.graph import shapes_figure
from rnnviz.plots.states import loop_figure

ctx = ui.page("Home", "🔁")
st.title("rnnviz: look inside a recurrent network while it learns")
left, right = st.columns([3, 2])
with left:
    st.page_link(
        "pages/0_Lessons.py", label="**New here? Start with the lessons**: the topic one idea at a time", icon=":material/school:"
    )
    st.markdown(
        "A **recurrent neural network** reads a sequence one step at a time. At every step it mixes the new "
        "input x_t with a running summary of everything so far, the **hidden state** h_t, and may emit an "
        "output y_t. The same weights are used at every step, so the network is one small cell wrapped in a loop.\n\n"
        "Here a real PyTorch model trains on this server while you watch. Pick an architecture and a task in the "
        "sidebar, set the sequence length, press **Train**, and open the other pages to see what the model "
        "does inside: its hidden states, its gates, the loop unrolled over time, and how the learning signal "
        "(the gradient) fades or explodes as it travels back through the steps."
    )
    st.markdown("#### Try this first")
    st.markdown(
        "1. Leave the task on **Adding problem** and the length at 50, choose **LSTM**, open **Train** and press Start. "
        "The loss drops below the green *solved* line within a few seconds.\n"
        "2. Switch to **vanilla RNN**, start a new model and train again: the loss stays on the grey *chance* line.\n"
        "3. Open **Gradients** to see why: the RNN's gradient dies out long before it reaches the first steps."
    )
with right:
    ui.static_picture(loop_figure, 340)
    st.caption(
        "Green: the input x_t enters through the weights W_x. Red: the loop, where the previous state "
        "h_(t−1) comes back through W_h. Blue: the output leaves through W_y. The same three matrices are "
        "used at every step; unrolled, the loop becomes one copy of the cell per step (see Unrolled)."
    )
st.markdown("#### Pages")
for path, label, line, _ in ui.PAGES[1:]:
    c1, c2 = st.columns([1, 4])
    c1.page_link(path, label=label, icon=":material/arrow_forward:")
    c2.markdown(line)
st.markdown("#### Inputs and outputs")
ui.static_picture(shapes_figure, 820)
st.caption(
    "The same cell can read a whole sequence and answer once (many-to-one), answer at every step "
    "(many-to-many), or unfold a whole sequence from a single input (one-to-many). Every task in the sidebar "
    "says its shape; the Unrolled page draws an output node only where the task reads an answer."
)
st.markdown("#### Where RNNs stand")
st.markdown(
    "| | recurrent network (RNN, LSTM, GRU) | convolutional network over time | Transformer |\n"
    "|---|---|---|---|\n"
    "| how it sees order | one step after another, through its state | a window of neighbouring steps per layer | "
    "every pair of steps at once, with position codes |\n"
    "| memory of the past | whatever fits in h_t (and c_t) | as far back as its stacked windows reach | "
    "the whole context it is given |\n"
    "| training in parallel | no: step t waits for step t−1 | yes | yes |\n"
    "| cost per new step when generating | constant | grows with the window | grows with the context |\n"
    "| where it shines | streams, small devices, long or endless inputs | local patterns, audio | "
    "large-scale language and vision |"
)
st.caption("This explorer is about the first column: the loop, its state, and why its learning signal fades.")
st.info(ctx.status_line())
