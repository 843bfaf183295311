"""Compare: RNN, LSTM, GRU, a causal CNN, a Transformer and a GRU with attention raced on the same task,
the shipped sweep over sequence lengths, and the article's comparison table with measured numbers."""

import pandas as pd
import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.compare.claims import claim_rows
from rnnviz.compare.race import LABELS, MEMORY, results_table
from rnnviz.compare.sweep import SIZES_FILE, SWEEP_FILE, cell_settings, find_cell, load
from rnnviz.models import COMPARE_ARCHS
from rnnviz.plots.compare import data_size_figure, race_figure, solve_rate_figure, steps_to_solve_figure
from rnnviz.settings import parse, seq_len_range
from rnnviz.tasks import get_task
from rnnviz.ui import classroom
from rnnviz.ui import compare as ui_cmp

RACE_TASKS = ("adding", "temporal_order", "first_symbol", "copy")
LENGTHS = (10, 20, 30, 50, 100, 150, 200)
BUDGETS = (100, 250, 500, 1000, 2000, 5000)

ctx = ui.page("Compare", "🏁", app="compare")
ss = st.session_state
linked = ss.pop("rv_linked_compare", None) or {}  # what this session's link asked for (its first visit only)
if any(f"cmp_{a}" in linked for a in COMPARE_ARCHS):  # the link names the models: one switch each
    ss["rv_cmp_models"] = [a for a in COMPARE_ARCHS if ss.get(f"cmp_{a}", True)]
ss.setdefault("rv_cmp_models", list(COMPARE_ARCHS))
ss.setdefault("rv_cmp_budget", 1000)
ss.setdefault("rv_cmp_x", "step")
st.title("Compare: six models race on one task")
st.markdown(
    "Pick some models and a task, then press **Start the race**. Every model gets the same training "
    "examples in the same order, starting from the same seed, and the server trains them in turns. "
    "Watch which curve drops below the green *solved* line first, and which never gets there. "
    "Each model stops as soon as it solves the task, or at the step budget."
)

# ----- the race -------------------------------------------------------------------------------
c1, c2, c3 = st.columns([3, 2, 2])
archs = c1.multiselect(
    "Models in the race",
    COMPARE_ARCHS,
    format_func=LABELS.get,
    key="rv_cmp_models",
    persist_state="session",
    help="All models have about the same number of weights (the vanilla RNN fewer: it has no gates).",
)
task_name = c2.selectbox(
    "Task",
    RACE_TASKS,
    format_func=lambda t: get_task(t).title,
    key="rv_cmp_task",
    persist_state="session",
    help="The adding problem needs memory of two marked numbers; the symbol tasks need memory of symbols.",
)
lo, hi = seq_len_range(task_name)
lengths = [T for T in LENGTHS if lo <= T <= hi]
if st.session_state.get("rv_cmp_len") not in lengths:
    st.session_state["rv_cmp_len"] = 50 if 50 in lengths else lengths[0]
seq_len = c3.select_slider(
    "Race sequence length T",
    lengths,
    key="rv_cmp_len",
    persist_state="session",
    help="Longer sequences put the important steps further back: harder to remember.",
)
budget = st.select_slider(
    "Step budget for each model",
    BUDGETS,
    key="rv_cmp_budget",
    persist_state="session",
    format_func=lambda v: f"{v:,} steps",
)
settings, notes = parse({"task": task_name, "seq_len": seq_len}, base=ctx.settings)
race_task = get_task(task_name)
st.caption(
    f"Each model: hidden size {settings.hidden}, {settings.layers} layer(s), seed {settings.seed}, batch "
    f"{settings.batch}, learning rate {settings.lr:g}, gradient clipping at {settings.clip_value:g} (change them "
    f"in the sidebar). Solved means a held-out {race_task.metric_name} "
    f"{'of at least' if race_task.higher_is_better else 'below'} {race_task.solved_metric:g} on 256 examples no "
    "model ever trains on, checked every 25 steps."
)
for a in COMPARE_ARCHS:  # the link's switches follow the box
    ss[f"cmp_{a}"] = a in archs
race = ui_cmp.race()
running = race is not None and race.running
b1, b2, _ = st.columns([2, 2, 1])
pressed = b1.button("Start the race", type="primary", icon=":material/flag:", key="rv_cmp_start", disabled=running)
if pressed or (linked.get("cmp_run") and not ui_cmp.matches(race, settings, archs, budget)):
    err = ui_cmp.start(settings, archs, budget)  # a link with cmp_run: the same race, shared or run again
    if err:
        st.error(f"Cannot start: {err}", icon=":material/error:")
    else:
        if pressed:
            classroom.race_here(ui_cmp.race())  # in a class: each model of the race goes to the board
        st.rerun()
ss["cmp_run"] = ui_cmp.matches(race, settings, archs, budget)  # the link says "run" only for the race shown
if race is not None and not race.done:
    if running:
        b2.button("Pause", icon=":material/pause:", key="rv_cmp_pause", on_click=ui_cmp.pause)
    else:
        b2.button("Go on", icon=":material/play_arrow:", key="rv_cmp_resume", on_click=ui_cmp.resume)


st.caption(
    "A race with exactly these choices that already ran on this server is shown at once: training is repeatable, so "
    "it would draw the same curves again (only the seconds would differ). A class starting the same race shares one."
)
if race is not None:
    x = st.radio(
        "Horizontal axis",
        ("step", "seconds"),
        format_func={"step": "training steps", "seconds": "training seconds"}.get,
        horizontal=True,
        key="rv_cmp_x",
        persist_state="session",
    )


@st.fragment(run_every=ui_cmp.redraw_seconds() if running else None)
def live_race():
    """Redraws while the worker trains the race; it only reads it."""
    r = ui_cmp.race()
    if r is None:
        st.info(
            "No race yet: choose the models and press **Start the race**. A race you run comes back with this page's "
            "share link (in the sidebar), in a new browser session too.",
            icon=":material/flag:",
        )
        return
    if not ui_cmp.matches(r, settings, archs, budget):
        st.info("The choices above changed since this race was run: press **Start the race** to race them.")
    if running and not r.running:  # finished (or paused) since the page was drawn: redraw the buttons too
        st.rerun()
    results = r.results()
    t = r.task
    word = "finished" if r.done else ("racing" if r.running else "paused")
    st.progress(r.progress, text=f"Race {word}: {sum(q['steps'] for q in results):,} steps trained in all")
    x = ss.get("rv_cmp_x", "step")
    curves = [{"arch": q["arch"], "label": q["label"], **q["curve"]} for q in results]
    loss_name = "cross-entropy" if t.loss == "ce" else "mean squared error"
    st.plotly_chart(race_figure(curves, t.baseline_loss, t.solved_loss, loss_name, x=x), key="rv_cmp_race_fig")
    st.caption(
        "One line per model: its loss on the held-out examples, every 25 steps. Against steps, all models "
        "have seen exactly the same examples at the same point, so the curves compare how much each learns "
        "from the same data. Against seconds, a slow model (more arithmetic per step, or steps that must "
        "run one after another) falls behind even if it learns as much per step."
    )
    st.table(ui_cmp.readable(results_table(results, t)).set_index("model"))
    st.caption(
        "Steps to solve: the first held-out check below the solved line. Seconds to solve and steps per "
        "second count only that model's own training time (the models take turns, and the server trains "
        "other students' models too, so seconds are rougher than steps)."
    )


live_race()

# ----- the sweep ------------------------------------------------------------------------------
st.header("Solved against sequence length")
sw = load(SWEEP_FILE)
if sw is None:
    st.warning("The sweep's results file is missing; run the command below to make it.", icon=":material/warning:")
else:
    summ = pd.DataFrame([r for r in sw["summary"] if r.get("train_size") is None])
    task = get_task(sw["task"])
    st.markdown(
        f"Every model was trained on the **{task.title.lower()}** at each length from "
        f"{min(sw['lengths'])} to {max(sw['lengths'])}, from {len(sw['seeds'])} different seeds, with at most "
        f"{sw['budget']:,} training steps each. Look for the length where a model's row turns red: that is "
        "where its memory gives out within this budget."
    )
    st.plotly_chart(solve_rate_figure(summ), key="rv_cmp_rate")
    st.caption(
        f"Each square: in how many of the {len(sw['seeds'])} seeds the model solved the task at that length (green: "
        "all, red: none). Read a row from left to right to see where a model gives up."
    )
    st.plotly_chart(steps_to_solve_figure(summ, sw["budget"]), key="rv_cmp_steps")
    st.caption(
        "How many steps solving took (the median over the seeds that solved). A point missing means no seed "
        "solved it within the budget (the red dashed line). Rising lines: longer gaps take longer to learn."
    )
    rf = {c["arch"]: c["receptive_field"] for c in sw["cells"]}
    st.table(
        pd.DataFrame(
            {
                "model": [LABELS[a] for a in sw["archs"]],
                "how far back it can see": [MEMORY[a] for a in sw["archs"]],
                "receptive field (steps)": [str(rf[a]) if rf.get(a) else "the whole sequence" for a in sw["archs"]],
            }
        ),
        hide_index=True,
    )
    st.caption(
        "The CNN here has 7 levels, so its window reaches 255 steps back: more than the longest sequence (200). "
        "So its window is not what stops it at T=100 and 200; it runs out of training steps, because the two "
        "marked numbers must be carried up through all its levels before they can be added. With fewer levels "
        "the window itself would end, and no amount of training could reach further back. The recurrent models "
        "have no window at all: what limits them is how far back the gradient still reaches while they learn."
    )
    st.markdown("Made with this command (it takes about half an hour on one core), on " + sw["date"] + ":")
    st.code(sw["command"], language="bash", wrap_lines=True)

    # ----- re-run one cell ------------------------------------------------------------------
    st.subheader("Re-run one cell here")
    st.markdown(
        "Training is repeatable: the same model, length and seed give the same curve. Pick one cell of the "
        "sweep and train it again on this server; the step at which it counts as solved should match the file."
    )
    k1, k2, k3 = st.columns(3)
    c_arch = k1.selectbox("Model", sw["archs"], format_func=LABELS.get, key="rv_cmp_cell_arch", persist_state="session")
    c_len = k2.selectbox("Length T", sw["lengths"], key="rv_cmp_cell_len", persist_state="session")
    c_seed = k3.selectbox("Seed", sw["seeds"], key="rv_cmp_cell_seed", persist_state="session")
    cell_race = ui_cmp.race(ui_cmp.CELL_KEY)
    cell_wanted = cell_settings(sw["task"], int(c_len), int(c_seed)), [c_arch], int(sw["budget"])
    cell_pressed = st.button("Re-run this cell", icon=":material/replay:", key="rv_cmp_cell_go")
    if cell_pressed or (linked.get("cmp_cell_run") and not ui_cmp.matches(cell_race, *cell_wanted)):
        err = ui_cmp.start_cell(sw["task"], c_arch, int(c_len), int(c_seed), int(sw["budget"]))
        if err:
            st.error(f"Cannot re-run it: {err}", icon=":material/error:")
        cell_race = ui_cmp.race(ui_cmp.CELL_KEY)
    ss["cmp_cell_run"] = ui_cmp.matches(cell_race, *cell_wanted)
    cell_running = cell_race is not None and cell_race.running

    @st.fragment(run_every=ui_cmp.redraw_seconds() if cell_running else None)
    def live_cell():
        r = ui_cmp.race(ui_cmp.CELL_KEY)
        if r is None:
            return
        if cell_running and not r.running:  # it finished: draw the verdict and stop polling
            st.rerun()
        res = r.results()[0]
        s = r.settings
        st.progress(r.progress, text=f"{res['label']}, T={s.seq_len}, seed {s.seed}: step {res['steps']:,}")
        shipped = find_cell(sw, res["arch"], s.seq_len, s.seed)
        if r.done and shipped is not None:
            now = f"solved at step {res['solved_at']:,}" if res["solved"] else f"not solved in {res['steps']:,} steps"
            then = (
                f"solved at step {shipped['solved_at']:,}" if shipped["solved"] else f"not solved in {shipped['steps']:,} steps"
            )
            same = res["solved_at"] == shipped["solved_at"] and res["steps"] == shipped["steps"]
            (st.success if same else st.warning)(
                f"Now: {now}. In the file: {then}. " + ("The same, as it should be." if same else "Different.")
            )

    live_cell()

# ----- the article's table, measured ----------------------------------------------------------
st.header("The article's table, measured")
st.markdown(
    "The article rates RNNs, CNNs and Transformers on three things. Here each rating sits next to a number "
    "we measured, and the run that number comes from. A rating is an opinion about big models on big data; "
    "a measurement is one small model on one task, so read them together, not as a verdict."
)
if sw is not None:
    t200 = parse({"task": "adding", "seq_len": 200}, base=ctx.settings)[0]
    fams = [a for a in ("rnn", "lstm", "cnn", "transformer") if a in sw["archs"]]
    sp = ui_cmp.speed_results()
    measured_now = st.button("Measure the step times now (a few seconds)", icon=":material/timer:", key="rv_cmp_time")
    if measured_now:
        before = ui_cmp.server_load()
        with st.spinner("Timing training steps of each model at T=200, in turns…"):
            ui_cmp.step_times(t200, fams)
        after = ui_cmp.server_load()
    times = ui_cmp.known_step_times(t200, fams)
    st.table(
        claim_rows(
            sw,
            times or None,
            parallel=sp["parallel"]["cpu"] if sp else None,
            threads=sp.get("threads") if sp else None,
        ),
        hide_index=True,
    )
    if measured_now:
        note = (after if after.busy else before).note()
        if note:
            st.warning(note, icon=":material/hourglass_top:")
    st.caption(
        "Step times are the Speed page's file: one training step (batch 32), timed on one thread with a warm-up, "
        "repeats in turns and the median; *Measure* times the same step here now and shows it as a ratio to the "
        "file. Sequential depth: how many computations must happen one after another to reach the last output: an "
        "RNN needs T of them (each step waits for the one before), the CNN one per level and the Transformer one "
        "per block. On one thread that cannot show (one thread does one thing at a time); *a second thread* is "
        "the Speed page's measurement of what running two things at once buys"
        + ("" if sp and sp.get("threads") else " (the shipped file has no such measurement yet, so that column is empty)")
        + ". *Does it agree?* is worked out from these numbers by a fixed rule: a model rated good at sequences "
        "should solve every length in every seed; a model rated parallel should gain more from the second thread "
        "than the recurrent ones."
    )

sz = load(SIZES_FILE)
if sz is not None:
    st.header("How much data does each model need?")
    s2 = pd.DataFrame([r for r in sz["summary"] if r.get("train_size") is not None])
    T2 = sz["lengths"][0]
    t2 = get_task(sz["task"])
    st.markdown(
        f"The same models, each trained for {sz['budget']:,} steps on a fixed set of distinct training sequences "
        f"(T={T2}, seed {sz['seeds'][0]}{' and others' if len(sz['seeds']) > 1 else ''}), then scored on 256 fresh "
        "examples it never saw. With few sequences a model can learn those by heart instead of learning the rule "
        "(add the two marked numbers): then it does well on its own examples and badly on new ones. Look at the "
        "left end: which models still get below the solved line with only 100 examples, and which end up no "
        "better than guessing (the grey line) or even worse?"
    )
    st.plotly_chart(data_size_figure(s2, t2.metric_name, t2.solved_metric, t2.baseline_metric), key="rv_cmp_sizes")
    st.code(sz["command"], language="bash", wrap_lines=True)

st.caption(ctx.status_line() + " The race and the sweep do not change that model.")
ui.share(ctx)
