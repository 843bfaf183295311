"""Gradients: vanishing and exploding gradients, caused on purpose and cured."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.inspect import curves_frame, describe_change, orders_of_magnitude
from rnnviz.plots.gradients import (
    arch_curves,
    grad_through_time,
    input_influence_figure,
    singular_value_figure,
    snapshot_heatmap,
)
from rnnviz.plots.style import ARCH_COLORS, ARCH_LABELS
from rnnviz.runtime.runs import compare_job, compare_key
from rnnviz.settings import PRESETS
from rnnviz.ui import jobs as ui_jobs
from rnnviz.ui import sidebar
from rnnviz.ui.export import chart


def apply_preset(name):
    """Set the sidebar to the preset (on top of what it shows now); the run follows as usual."""
    wanted, _ = sidebar.current()
    sidebar.put(wanted.replace(**PRESETS[name][1]))


CMP_SLOT = "gradients"  # the comparison's job in this browser session (rnnviz.ui.jobs)

ctx = ui.page("Gradients", "📉")
st.title("Gradients through time")
st.markdown(
    "To learn that something at step 3 matters for the answer at step 40, the error signal (the gradient) "
    "must travel back 37 steps. At each step back it is multiplied by W_h and by the slope of the "
    "nonlinearity. If those factors are below 1 it **vanishes** (shrinks geometrically, so the early steps "
    "never learn); if above 1 it can **explode** (training jumps around or breaks). How large the factor from W_h "
    "can be is its **largest singular value** σ_max: a singular value of a matrix says how much it stretches a "
    "vector along one direction, so σ_max is the most that multiplying by W_h can lengthen any vector."
)
cols = st.columns(len(PRESETS))
for c, (name, (label, _)) in zip(cols, PRESETS.items()):
    c.button(label, key=f"gp_{name}", on_click=apply_preset, args=(name,), use_container_width=True)
st.caption(
    "Presets set the sidebar (a vanilla tanh RNN, T=40; the recurrent weights are under “Recurrent weights”). "
    "*Vanish* and *Scale 1.0*: the adding problem with W_hh scaled to 0.5 or 1.0. *Explode*: the sines task with "
    "plain SGD at learning rate 0.5 and no clipping: press Start on the Train page and the loss shoots to infinity "
    "within a few dozen steps. *Rescue*: the very same run with clipping at 1.0: only the few steps whose gradient "
    "spikes are capped (red crosses on the Train page's gradient chart), and the loss falls below the green solved "
    "line within a few hundred steps (with the sidebar's default size and seed, at step 325). "
    "After a model has trained, confirm a switch with the button at the top."
)
st.markdown(
    "**Clipping cures explosion, not vanishing.** Clipping only ever makes a gradient *smaller*: when its size "
    "passes the threshold it is scaled down to the threshold. That stops one huge step from throwing the weights "
    "far away, but a gradient that has already faded to almost nothing stays almost nothing. Against vanishing "
    "you need another cell (the LSTM's and GRU's gates), recurrent weights that start near σ_max = 1, or shorter "
    "sequences. (Clipping acts on the training step after the gradient below has been computed: it can never "
    "lift the left end of these curves.)"
)
st.caption(ctx.status_line())
insp = ctx.inspection()


@st.fragment
def view(insp):
    """Everything below redraws alone when one of its own controls moves (the trace is not recomputed)."""
    ex = st.selectbox(
        "Example", ["mean of 8 examples"] + [f"example {i + 1}" for i in range(insp.batch.x.shape[0])], key="gr_example"
    )
    example = None if ex.startswith("mean") else int(ex.split()[-1]) - 1
    norms = insp.grad_norms(example=example)
    arch = ctx.arch
    marks = insp.key_steps(example) if example is not None else []
    marks_name = insp.key_steps_name
    chart(
        ctx.figure(
            "now",
            (example,),
            lambda: grad_through_time(
                {ARCH_LABELS[arch]: (norms, ARCH_COLORS[arch])},
                f"||dL/dh_t|| for the session's {ARCH_LABELS[arch]}",
                marks=marks,
                marks_name=marks_name,
            ),
        ),
        "g_now",
        "gradient-through-time",
        lambda: insp.gradient_frame(example),
    )
    if ctx.view.diverged:  # the page's one reading, as the notice at the top
        st.markdown(
            "From the last step back to t=0 the gradient **cannot be measured meaningfully: the run diverged**, "
            "so these weights were thrown far by the explosion and the curve says nothing about vanishing."
        )
    else:
        st.markdown(f"From the last step back to t=0 the gradient **{describe_change(norms)}**.")
        h = ctx.trainer.history
        sigma = h.max_singular[-1] if arch == "rnn" and len(h) else None
        if sigma is not None and sigma > 1 and orders_of_magnitude(norms) > 3:
            st.markdown(
                f"Its W_hh has σ_max = {sigma:.2g}, above 1, and still the gradient vanished: a σ_max above 1 only "
                "makes growth *possible*. Each step back also multiplies by tanh's slope, which is near 0 for a unit "
                "pushed close to −1 or +1, and large recurrent weights push the units there."
            )
    st.caption(
        "Log scale: each grid line down is ten times smaller. Values are absolute, never rescaled, so a "
        "vanished gradient really looks tiny (a straight falling line on this scale means geometric decay)."
        + (
            f" Gold dashed boxes and ★ mark {marks_name}: how much gradient is left there decides whether the model "
            "can learn from them."
            if marks
            else (
                f" Pick one example above to see {marks_name} marked (they sit at different steps in each example)."
                if marks_name and example is None
                else ""
            )
        )
    )
    labels = insp.labels(example if example is not None else 0)
    chart(
        ctx.figure(
            "inputs",
            (example,),
            lambda: input_influence_figure(
                insp.input_influence(example),
                labels,
                "Which inputs can still change the loss: ||dL/dx_t|| for each step",
                marks=marks,
                marks_name=marks_name,
            ),
        ),
        "g_in",
        "input-influence",
        lambda: insp.gradient_frame(example),
    )
    st.caption(
        "The same signal, one step further: how much nudging the input at step t would move the loss. Where the "
        "bars are tiny, the network cannot learn anything from those inputs, however important they are (for the "
        "adding problem, the two marked numbers, ★, may sit right there)."
        + (" Averaged over the 8 examples; the labels are example 1's." if example is None else "")
    )

    side_by_side()

    st.markdown("#### During training")
    snap_steps, snap_matrix = ctx.trainer.snapshots.matrix()
    if len(snap_steps) >= 2:
        chart(
            ctx.figure("snapshots", (), lambda: snapshot_heatmap(snap_steps, snap_matrix)), "g_heat", "gradient-during-training"
        )
        st.caption(
            "Each row is one snapshot during training (every 50 steps), each column a time step. Bright = large "
            "gradient. If the bright region spreads to the left as training goes on, the model is learning to "
            "carry the signal further back."
        )
    else:
        st.info("Train the model (Train page) to fill this chart: a snapshot of the gradient is taken every 50 steps.")
    h = ctx.trainer.history
    if len(h):
        chart(ctx.figure("sigma", (), lambda: singular_value_figure(h.step, h.max_singular)), "g_sv", "largest-singular-value")
        st.caption(
            "Pascanu, Mikolov & Bengio (2013): for a tanh RNN (γ = 1, the largest slope of tanh), if the largest "
            "singular value of W_hh stays below 1/γ the gradient must vanish; above it, explosion becomes possible "
            "(not certain). For LSTM and GRU the line is only a reference: their gates change the story. A σ_max "
            "well above 1 can still go with a vanishing gradient: each step back is also multiplied by tanh's slope, "
            "near 0 for units pushed close to −1 or +1, which is where large weights push them."
        )


def untrained_note(curves: dict) -> str:
    """Why untrained gated cells can lose their gradient faster than the vanilla RNN (said when they do)."""
    fall = {a: orders_of_magnitude(n) for a, n in curves.items()}
    faster = [ARCH_LABELS[a] for a in ("lstm", "gru") if a in fall and "rnn" in fall and fall[a] > fall["rnn"]]
    gated = (
        f"Here the {' and the '.join(faster)} lose{'s' if len(faster) == 1 else ''} it faster than the vanilla RNN: "
        "their gates start half open (the LSTM's forget gate near σ(1) ≈ 0.73, as its bias starts at 1; the GRU's "
        "update gate near σ(0) = 0.5), and the gradient along their memory is multiplied by that gate at every step "
        "back. "
        if faster
        else ""
    )
    return (
        "Untrained, nothing has taught any of them to carry the signal back yet. "
        + gated
        + "Train each for a few hundred steps and watch the GRU's and then the LSTM's curve flatten as the gates "
        "learn to stay open."
    )


def compared(steps: int) -> dict | None:
    """The comparison's curves: untrained at once (memoised, see Ctx.compare); trained, from a job of the shared
    worker (the class's presses with the same settings share one; it trains in turns with everyone else's
    models), or None while it trains, with its progress, Pause / Go on, drawn live until it is done."""
    if steps == 0:
        ui_jobs.let_go(ui_jobs.current(CMP_SLOT))
        ui_jobs.forget(CMP_SLOT)
        return ctx.compare()
    text = ctx.session.text
    job = ui_jobs.ask(CMP_SLOT, compare_key(ctx.settings, steps, text), lambda: compare_job(ctx.settings, steps, text))
    v = job.view()
    if v.done:
        return v.result
    drawn = v.status

    @st.fragment(run_every=ui_jobs.live_every(drawn))
    def training():
        ui_jobs.live(
            CMP_SLOT,
            drawn,
            lambda v: f"Training the RNN, the LSTM and the GRU ({steps:,} steps each)",
            "gr_cmp",
            note="The three train on the server in turns with everyone else's models; the same settings and steps "
            "give the same curves, so a class asking for them shares one training.",
        )

    training()
    return None


def side_by_side():
    """The three architectures compared (memoised for the whole process, see Ctx.compare; the figure per
    session by Ctx.figure, like the others here). Not a nested fragment of its own: measured with
    bench/latency.py, a nested fragment here answered 'Train each for' about twice as slowly at p50."""
    st.markdown("#### RNN, LSTM and GRU side by side")
    c1, c2 = st.columns([1, 3])
    steps = c1.select_slider(
        "Train each for",
        [0, 100, 300, 600],
        value=0,
        key="gr_cmp_steps",
        format_func=lambda s: "0 steps (as initialised)" if s == 0 else f"{s} steps",
    )
    curves = compared(steps)
    if curves is None:  # the three models are training (a job of the shared worker): the progress is drawn
        return
    chart(
        ctx.figure(
            "compare",
            (steps,),
            lambda: grad_through_time(
                arch_curves(curves), "Same task, same seed, same size: how far back each architecture's gradient reaches"
            ),
        ),
        "g_cmp",
        "rnn-lstm-gru-gradients",
        lambda: curves_frame(curves),
    )
    c2.markdown(
        "Back to t=0 the gradient of the "
        + "; of the ".join(f"**{ARCH_LABELS[a]}** {describe_change(n)}" for a, n in curves.items())
        + ". "
        + (untrained_note(curves) if steps == 0 else "")
    )
    st.caption(
        "The LSTM's cell state is updated by addition (c_t = f·c_(t−1) + i·g), so the gradient along it is "
        "multiplied only by the forget gate, which is near 1 when it keeps memory; the GRU's update gate does the "
        "same. The vanilla RNN multiplies by W_h and tanh' at every step: with σ_max(W_hh) below 1 its curve must fall "
        "at every step, and with a large W_hh it can grow instead. "
        "The RNN uses the recurrent weight settings from the sidebar; LSTM and GRU keep their defaults."
    )


view(insp)
