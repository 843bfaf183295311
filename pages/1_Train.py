"""Train: Start / Pause / Step / Reset and live charts of the run."""

import time

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.codegen import covered, script
from rnnviz.inspect import at_chance, history_frame
from rnnviz.plots.training import grad_norm_figure, loss_figure, metric_figure
from rnnviz.runtime.session import CAP_SIZES, DEFAULT_CAP, WORKER, Status
from rnnviz.ui import classroom
from rnnviz.ui import link as ui_link
from rnnviz.ui import run as ui_run
from rnnviz.ui.checkpoint import checkpoint_box
from rnnviz.ui.export import chart
from rnnviz.ui.upload import own_text

ctx = ui.page("Train", "🏋️")
session = ctx.session
task = ctx.task
st.title("Train")
st.markdown(f"**{task.title}** ({task.shape}): {task.summary}.")
with st.expander("What the task looks like", expanded=False):
    st.code(task.worked_example(), language=None)
    st.caption(
        f"Chance level: loss {task.baseline_loss:.3g}, {task.metric_name} {task.baseline_metric:.3g}. Counted as "
        f"solved when the {task.metric_name} on the held-out batch is "
        f"{'at least' if task.higher_is_better else 'below'} {task.solved_metric:g}."
    )
if task.name == "charlm":
    own_text()
checkpoint_box()


def _cap_changed():
    session.set_cap_size(st.session_state["rv_cap_w"])


def _event(name: str):
    session.handle(name)
    if name in ("start", "step"):
        classroom.trained_here(session)  # in a class: this run goes to the board (posted in the background)
    if name == "start":
        WORKER.submit(session)  # the process-wide worker trains it, in turns with every other session
    else:
        ui_run.remember()


if "rv_cap_w" not in st.session_state:
    st.session_state["rv_cap_w"] = DEFAULT_CAP
st.select_slider(
    "Pause automatically after",
    options=CAP_SIZES,
    key="rv_cap_w",
    format_func=lambda v: f"{v:,} steps",
    on_change=_cap_changed,
    persist_state="session",
    help="Training pauses by itself after this many steps; press Start to go on for as many again.",
)
if st.session_state["rv_cap_w"] != session.cap_size:  # a rebuilt session starts with the default budget
    session.set_cap_size(st.session_state["rv_cap_w"])
    ctx.refresh()
view = ctx.view  # what the notices above were drawn from: the buttons follow the same reading
blocked = view.diverged or bool(ctx.pending)
running = view.running
b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1, 2])
b1.button(
    "Start",
    icon=":material/play_arrow:",
    type="primary",
    disabled=running or blocked,
    key="rv_start",
    help="Train in short chunks; the charts update as it goes.",
    on_click=_event,
    args=("start",),
)
b2.button(
    "Pause",
    icon=":material/pause:",
    disabled=not running,
    key="rv_pause",
    help="Stop after the current chunk.",
    on_click=_event,
    args=("pause",),
)
b3.button(
    "Step",
    icon=":material/skip_next:",
    disabled=running or blocked,
    key="rv_step",
    help="Train one chunk (about a quarter of a second) and stop.",
    on_click=_event,
    args=("step",),
)
b4.button(
    "Reset",
    icon=":material/restart_alt:",
    key="rv_reset",
    on_click=_event,
    args=("reset",),
    help="Throw this model away and start again from the same seed (same initial weights).",
)

STATUS_WORDS = {
    Status.IDLE: "not started",
    Status.RUNNING: "training",
    Status.PAUSED: "paused",
    Status.AT_CAP: "paused at the step budget (press Start to go on)",
    Status.DIVERGED: "diverged (press Reset, or turn clipping on)",
}


# While the worker trains, redraw once a second, less often when the server trains many sessions:
# building the charts costs the server more than the training it shows (rnnviz.ui.run.redraw_seconds).
REDRAW_SECONDS = ui_run.redraw_seconds(WORKER.running())


@st.fragment(run_every=REDRAW_SECONDS if running else None)
def live(page_view):
    """Redraws while the worker trains; it only reads the session, once per redraw (``now``: status,
    step counter, verdict and charts all come from that one reading)."""
    began = time.perf_counter()
    now = session.view(history=True)
    if now.status is not page_view.status:
        # it stopped (at the cap, diverged, paused) since the page was drawn: draw the whole page again
        # from one reading, so the status line never says what the notices and buttons above do not
        st.rerun()
    if now.running:
        session.seen = time.monotonic()
    tr, h = session.trainer, now.history
    st.progress(now.progress, text=f"{now.step - now.round_start:,} / {now.cap_size:,} steps this round")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("steps done", f"{now.step:,}")
    m2.metric("steps / s", f"{now.steps_per_second:.0f}" if now.steps_per_second is not None else "–")
    m3.metric("loss (last batch)", f"{h.loss[-1]:.4g}" if len(h) else "–")
    ho = h.heldout_metric[-1] if h.heldout_metric else None
    m4.metric(
        f"held-out {task.metric_name}",
        f"{ho:.4g}" if ho is not None else "–",
        help="On a fixed batch of 512 examples the model never trains on, scored every 50 steps.",
    )
    # one status line, always present, so the charts below never move while training runs
    if now.solved_at:
        verdict = f"**Solved** at step {now.solved_at:,}: the held-out {task.metric_name} crossed {task.solved_metric:g}."
    elif len(h) and now.status is Status.AT_CAP and ho is not None and at_chance(task, ho):
        verdict = (
            f"**Not solved**: after its whole budget of {now.step:,} steps the held-out {task.metric_name} ({ho:.3g}) is "
            f"still at the chance line ({task.baseline_metric:.3g}). The model has learnt nothing that a guess "
            "without looking at the input could not do."
        )
    elif len(h) and now.status is Status.AT_CAP:
        verdict = f"**Not solved** in {now.step:,} steps: the held-out {task.metric_name} has not crossed {task.solved_metric:g}."
    elif not len(h):
        verdict = "No training yet. Press **Start** (or **Step** for one chunk)."
    else:
        goal = f"{'≥' if task.higher_is_better else '<'} {task.solved_metric:g}"
        verdict = f"Not solved yet: solved means a held-out {task.metric_name} {goal}."
    st.markdown(f"Status: **{STATUS_WORDS[now.status]}** · {verdict}")
    loss_name = "cross-entropy, nats" if task.loss == "ce" else "mean squared error"
    same = task.loss == "mse" and task.metric_name == "MSE"  # the metric would repeat the loss
    c1, c2 = st.columns(2)
    past_loss = session.past_curves("loss")
    chart(
        loss_figure(
            h.step,
            h.loss,
            task.baseline_loss,
            task.solved_loss,
            loss_name,
            heldout_steps=h.heldout_step,
            heldout_loss=h.heldout_loss,
            past=past_loss,
        ),
        "loss",
        "training-loss",
        lambda: history_frame(h),
        where=c1,
    )
    c1.caption(
        "Faint: the loss on each training batch (noisy). Bold orange: the loss on a fixed held-out batch of "
        "examples the model never trains on. Below the grey dashed line the model beats an input-blind "
        "guess; below the green dotted line the task counts as solved."
        + (
            " Dash-dotted: your earlier runs in this session (held-out loss), labelled with what they had that this "
            "run has not, so you can see both results on one chart."
            if past_loss
            else ""
        )
    )
    if same:
        chart(
            grad_norm_figure(h.step, h.grad_norm, h.clipped, tr.cfg.clip_value if tr.cfg.clip else None),
            "grad",
            "gradient-norm",
            lambda: history_frame(h),
            where=c2,
        )
        c2.caption(
            f"The size of the whole gradient before clipping; red crosses mark the {sum(h.clipped):,} steps "
            "where it exceeded the threshold and was scaled down. Spikes are the gradient exploding. (This "
            "task's score is its loss, so there is no separate metric chart.)"
        )
    else:
        chart(
            metric_figure(
                h.step,
                h.metric,
                task.metric_name,
                task.baseline_metric,
                task.solved_metric,
                task.higher_is_better,
                heldout_steps=h.heldout_step,
                heldout_metric=h.heldout_metric,
                past=session.past_curves("metric"),
            ),
            "metric",
            "task-metric",
            lambda: history_frame(h),
            where=c2,
        )
        c2.caption(
            f"The task's own score, {task.metric_name} ({'higher' if task.higher_is_better else 'lower'} is "
            "better): faint per training batch, bold on the held-out batch."
        )
        chart(
            grad_norm_figure(h.step, h.grad_norm, h.clipped, tr.cfg.clip_value if tr.cfg.clip else None), "grad", "gradient-norm"
        )
        st.caption(
            f"The size of the whole gradient before clipping; red crosses mark the {sum(h.clipped):,} steps "
            "where it exceeded the threshold and was scaled down. Spikes are the gradient exploding."
        )
    if running:
        ui_link.write(session.settings, now.step)
        ui_run.drawn(time.perf_counter() - began)


live(view)
if session.past:
    shown_past = session.past_curves()
    other = len(session.past) - len(shown_past)
    parts = []
    if shown_past:
        runs = "; ".join(f"{k + 1}. {label}" for k, (label, _, _) in enumerate(shown_past))
        parts.append(f"**Earlier runs on the charts** (dash-dotted, newest first): {runs}.")
    if other:
        runs = f"{other} earlier run is" if other == 1 else f"{other} earlier runs are"
        parts.append(f"{runs} on another task: kept but not drawn (another task has another loss).")
    parts.append("A run is kept here when you press Reset or start a new model after training.")
    st.markdown(" ".join(parts))
    st.button("Clear earlier runs", key="tr_clear_past", icon=":material/clear_all:", on_click=session.clear_past)
if not view.running and view.step and not view.diverged:
    ev = session.trainer.evaluate()
    st.markdown(
        f"**Held-out now** (step {view.step:,}, 512 examples never trained on): loss {ev['loss']:.4g}, "
        f"{task.metric_name} {ev['metric']:.4g}: **{'solved' if ev['solved'] else 'not solved'}**. "
        "This is the same score `python -m rnnviz train … --json` reports as `final` for these settings and steps."
    )
st.caption(
    ctx.status_line() + " Training goes on on the server while you look at the other pages (each shows the "
    "model as it was when you opened it or last moved one of its controls). It pauses by itself at the step "
    "budget, or when no page of yours has been open for two minutes."
)

st.markdown("#### Take it home as code")
why = covered(session.settings, session.text)
if why:
    st.info(f"Not available for these settings: {why}. It covers every other task.", icon=":material/code_off:")
else:
    steps = max(view.step, 200)
    code = script(session.settings, steps=steps, text=session.text)
    st.markdown(
        f"The same model, data and training as this page, as a short PyTorch script that needs only `numpy` and "
        f"`torch` (no rnnviz). It starts from the same seed, so it prints the same losses as this run, step for step; "
        f"it trains for {steps:,} steps (change `--steps`)."
        + (
            " You changed a setting while this run trained; the script uses the current settings from the first step, "
            "so its losses match a fresh run with these settings."
            if session.started not in (None, session.settings)
            else ""
        )
    )
    st.download_button(
        "Download the script (train_rnn.py)",
        data=code.encode(),
        file_name="train_rnn.py",
        mime="text/x-python",
        key="tr_code_download",
        icon=":material/download:",
        on_click="ignore",
    )
    with st.expander("Show the script", expanded=False):
        st.code(code, language="python")
