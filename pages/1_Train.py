"""Train: Start / Pause / Step / Reset and live charts of the run."""
import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.plots.training import grad_norm_figure, loss_figure, metric_figure

ctx = ui.page("Train", "🏋️")
ss = st.session_state
st.title("Train")
task = ctx.task
st.markdown(f"**{task.title}** ({task.shape}): {task.summary}.")
with st.expander("What the task looks like", expanded=False):
    st.code(task.worked_example(), language=None)
    st.caption(f"Chance level: loss {task.baseline_loss:.3g}, {task.metric_name} {task.baseline_metric:.3g}. "
               f"Counted as solved when the {task.metric_name} is {'at least' if task.higher_is_better else 'below'} "
               f"{task.solved_metric:g}.")

if task.name == "charlm":
    ui.own_text(ctx)
cap = st.select_slider("Pause automatically after", options=[500, 1000, 2000, 3000, 5000, 10000, 20000],
                       value=ss.get("rv_cap", 3000), key="rv_cap_w", format_func=lambda v: f"{v:,} steps",
                       help="Training pauses by itself at this many steps (press Start to go on).")
ss["rv_cap"] = cap
running = bool(ss.get("rv_running")) and ctx.run.status != "diverged" and not ctx.pending
b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1, 2])
blocked = ctx.run.status == "diverged" or bool(ctx.pending)
if b1.button("Start", icon=":material/play_arrow:", type="primary", disabled=running or blocked,
             help="Train in short chunks; the charts update as it goes.", key="rv_start"):
    ss["rv_running"] = True
    if ctx.run.step >= cap:
        ss["rv_cap"] = ctx.run.step + cap
    st.rerun()
if b2.button("Pause", icon=":material/pause:", disabled=not running, help="Stop after the current chunk.", key="rv_pause"):
    ss["rv_running"] = False
    st.rerun()
if b3.button("Step", icon=":material/skip_next:", disabled=running or blocked,
             help="Train one chunk (about a quarter of a second) and stop.", key="rv_step"):
    ui.train_chunk(ctx.run)
if b4.button("Reset", icon=":material/restart_alt:",
             help="Throw this model away and start again from the same seed (same initial weights).",
             key="rv_reset"):
    ui.state.new_run(ctx.values)
    st.rerun()


@st.fragment(run_every=0.5 if running else None)
def live():
    run = ctx.run
    if ss.get("rv_running") and not ctx.pending:
        ui.train_chunk(run)
        if run.status == "diverged" or run.step >= ss.get("rv_cap", 3000):
            ss["rv_running"] = False
            st.rerun()
    h = run.history
    st.progress(min(1.0, run.step / max(1, ss.get("rv_cap", 3000))),
                text=f"{run.step:,} / {ss.get('rv_cap', 3000):,} steps")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("steps done", f"{run.step:,}")
    m2.metric("steps / s", f"{run.steps_per_second:.0f}" if run.seconds > 0 else "–")
    m3.metric("loss (last batch)", f"{h['loss'][-1]:.4g}" if h["loss"] else "–")
    m4.metric(task.metric_name, f"{h['metric'][-1]:.4g}" if h["metric"] else "–")
    if run.status == "diverged":
        st.error(f"**Training diverged.** {run.message} The charts below keep everything up to that point. "
                 "Turn on clipping or lower the learning rate in the sidebar (that starts a fresh model), "
                 "or press Reset to run the same experiment again.", icon=":material/error:")
    elif run.solved_at:
        st.success(f"Solved at step {run.solved_at:,}: the {task.metric_name} crossed {task.solved_metric:g}.",
                   icon=":material/check_circle:")
    if not h["step"]:
        st.info("No training yet. Press **Start** (or **Step** for one chunk).")
    c1, c2 = st.columns(2)
    c1.plotly_chart(loss_figure(h["step"], h["loss"], task.baseline_loss, task.solved_loss,
                                "cross-entropy, nats" if task.loss == "ce" else "mean squared error"), key="loss")
    c1.caption("Each point is one training batch. Below the grey dashed line the model beats an input-blind "
               "guess; below the green dotted line the task counts as solved.")
    c2.plotly_chart(metric_figure(h["step"], h["metric"], task.metric_name, task.baseline_metric,
                                  task.solved_metric, task.higher_is_better), key="metric")
    c2.caption(f"The task's own score: {task.metric_name}, "
               f"{'higher' if task.higher_is_better else 'lower'} is better.")
    st.plotly_chart(grad_norm_figure(h["step"], h["grad_norm"], h["clipped"],
                                     run.cfg.clip_value if run.cfg.clip else None), key="grad")
    n_clip = sum(h["clipped"])
    st.caption(f"The size of the whole gradient before clipping. Red crosses mark the {n_clip:,} steps where it "
               "exceeded the threshold and was scaled down. Spikes are the gradient exploding.")


live()
st.caption(ctx.status_line() + " Training runs while this page is open; the other pages show the model as it is "
           "when you open them, and it continues when you come back.")
