"""Shared page set-up: page config, sidebar controls bound to the URL, the session's run."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st
import torch

from ..inspect import Inspection, compare_archs, inspect_model
from ..model import ConfigError
from ..plots.style import ARCH_LABELS
from ..tasks import get_task
from ..training import Trainer, make_run
from .controls import (
    CONTROLS,
    DEFAULTS,
    differences,
    manual,
    model_kwargs,
    model_settings,
    read_manual,
    share_query,
    train_kwargs,
    url_notes,
    url_value,
)

PAGES = [
    ("app.py", "Home", "what this is and where to start"),
    ("pages/1_Train.py", "Train", "press Train and watch the loss, the metric and the gradient norm live"),
    ("pages/2_Hidden_states.py", "Hidden states", "what each hidden unit does at each step, and the path of h_t"),
    ("pages/3_Gates.py", "Gates", "LSTM and GRU gates opening and closing, and the LSTM cell as valves"),
    ("pages/4_Unrolled.py", "Unrolled", "the network unrolled over time with its real numbers (BPTT)"),
    ("pages/5_Gradients.py", "Gradients", "vanishing and exploding gradients, and how to cause and cure them"),
]
MAX_PARALLEL_TRAINING = 2  # one per core: a class of 30 shares the machine fairly
_TRAIN_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_TRAINING)


@dataclass
class Ctx:
    """What a page needs: the control values, the session's trainer and its settings."""
    values: dict
    run: Trainer
    run_values: dict                 # the settings the current model was built with
    pending: list = field(default_factory=list)  # model settings changed since the model was built

    @property
    def task(self):
        return self.run.task

    @property
    def arch(self) -> str:
        return self.run.model.cfg.arch

    def status_line(self) -> str:
        r, v = self.run, self.run_values
        what = "untrained (random initial weights)" if r.step == 0 else f"trained for {r.step:,} steps"
        T = self.inspect_len()
        shown = "" if T == r.cfg.seq_len else f" Examples shown here have length T={T}."
        return (f"Showing the session's {ARCH_LABELS[v['arch']]} on “{r.task.title}” (trained at T={r.cfg.seq_len}, "
                f"H={v['hidden']}, {v['layers']} layer{'s' * (v['layers'] > 1)}, seed {v['seed']}): {what}.{shown}")

    def inspection(self, seq_len: int | None = None, n: int = 8) -> Inspection:
        """The current model traced on a fixed example batch, memoised per model step."""
        T = self.inspect_len() if seq_len is None else seq_len
        key = (id(self.run), self.run.step, T, n)
        memo = st.session_state.get("rv_inspect")
        if memo is None or memo[0] != key:
            memo = (key, inspect_model(self.run.model, self.run.task, T, self.run_values["seed"], n))
            st.session_state["rv_inspect"] = memo
        return memo[1]

    def compare(self, steps: int) -> dict:
        """||dL/dh_t|| for RNN, LSTM and GRU built like the session's model, memoised per setting.
        Clipping is always on here, so the comparison never stops at an explosion."""
        v, T = self.run_values, self.inspect_len()
        key = (self.run.task.name, getattr(self.run.task, "text", None), T, steps,
               tuple(sorted((k, v[k]) for k in DEFAULTS)))
        memo = st.session_state.get("rv_compare")
        if memo is None or memo[0] != key:
            with st.spinner("Building and tracing three models…"):
                curves = compare_archs(self.run.task, T, v["seed"], v["hidden"], v["layers"], steps,
                                       model_kw=model_kwargs(v), **{**train_kwargs(v), "clip": True})
            memo = (key, curves)
            st.session_state["rv_compare"] = memo
        return memo[1]

    def inspect_len(self) -> int:
        """The slider's length when only it changed (weights do not depend on T), else the run's."""
        changed = {k for k in model_settings(self.values) if self.values[k] != self.run_values.get(k)}
        if changed <= {"seq_len"}:
            return self.run.task.clamp_len(self.values["seq_len"])
        return self.run_values["seq_len"]


def _widget(c, container):
    kw = dict(key=c.key, help=c.help or None, persist_state="session")
    if not manual(c):
        kw["bind"] = "query-params"
    if c.key not in st.session_state:
        kw["value" if c.kind != "selectbox" else "index"] = c.default if c.kind != "selectbox" else c.options.index(c.default)
    if c.kind == "selectbox":
        return container.selectbox(c.label, c.options, format_func=c.fmt or str, **kw)
    if c.kind == "slider":
        return container.slider(c.label, int(c.lo), int(c.hi), **kw)
    if c.kind == "select_slider":
        return container.select_slider(c.label, c.options, format_func=c.fmt or str, **kw)
    if c.kind == "toggle":
        return container.toggle(c.label, **kw)
    return container.number_input(c.label, int(c.lo), int(c.hi), step=1, **kw)


PAGE_ICONS = (":material/home:", ":material/model_training:", ":material/grid_on:", ":material/tune:",
              ":material/linear_scale:", ":material/trending_down:")


def _nav() -> None:
    """Our own page list (Streamlit's would call the home page "app", after the file name)."""
    for (path, label, _), icon in zip(PAGES, PAGE_ICONS):
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()


def _sidebar() -> dict:
    sb = st.sidebar
    _nav()
    sb.markdown("### Setup")
    values = {}
    for c in CONTROLS[:6]:
        values[c.key] = _widget(c, sb)
    with sb.expander("Training", expanded=True):
        for c in CONTROLS[6:11]:
            values[c.key] = _widget(c, st)
    with sb.expander("Recurrent weights (gradient lab)", expanded=False):
        for c in CONTROLS[11:]:
            values[c.key] = _widget(c, st)
    return values


def _share(values: dict) -> None:
    base = (st.context.url or "").split("?")[0]
    q = share_query(values)
    st.sidebar.markdown("**Share this setup**")
    st.sidebar.code(base + ("?" + q if q else ""), language=None, wrap_lines=True)
    st.sidebar.caption("The same link, opened anywhere, rebuilds the same model from the same seed: same "
                       "initial weights, same data, same curves.")


def _build(values: dict, text: str | None = None) -> Trainer:
    task = get_task(values["task"], text=text) if text else get_task(values["task"])
    T = task.clamp_len(values["seq_len"])
    return make_run(task, arch=values["arch"], hidden_size=values["hidden"], num_layers=values["layers"],
                    seed=int(values["seed"]), model_kw=model_kwargs(values), seq_len=T, snapshot_every=25,
                    **train_kwargs(values))


def new_run(values: dict) -> None:
    """Replace the session's model by a fresh one built from these settings."""
    ss = st.session_state
    ss["rv_run"] = _build(values, ss.get("rv_text") if values["task"] == "charlm" else None)
    ss["rv_run_values"] = dict(values)
    ss["rv_running"] = False
    ss.pop("rv_inspect", None)


MAX_UPLOAD = 1_000_000  # bytes


def read_text_upload(data: bytes) -> tuple[str | None, str]:
    """Check an uploaded file for the character model: (text, "") if usable, else (None, why)."""
    if len(data) > MAX_UPLOAD:
        return None, f"That file is {len(data):,} bytes; the limit is {MAX_UPLOAD:,}."
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "That file is not UTF-8 text (is it a PDF, a Word file or an image?)."
    try:
        get_task("charlm", text=text)
    except ConfigError as e:
        return None, str(e)[0].upper() + str(e)[1:] + "."
    return text, ""


def own_text(ctx: Ctx) -> None:
    """Upload a text for the character model; a bad file changes nothing and says why."""
    ss = st.session_state
    with st.expander("Train on your own text", expanded=False):
        st.markdown("Upload a plain-text file (UTF-8, 50 characters to 200,000, at most 200 distinct characters). "
                    "It stays in this browser session only: a shared link uses the built-in text.")
        up = st.file_uploader("Text file", type=["txt", "md", "csv"], key="rv_upload")
        if up is not None:
            text, why = read_text_upload(up.getvalue())
            if text is None:
                st.error(f"{why} Nothing was changed: the model and its history are as they were.")
            else:
                n = len(set(text))
                st.success(f"{up.name}: {len(text):,} characters, {n} distinct.")
                if st.button("Start a new model on this text", key="rv_use_text", type="primary"):
                    ss["rv_text"] = text
                    new_run(ctx.values)
                    st.rerun()
        if ss.get("rv_text") and ctx.run.task.text == ss["rv_text"]:
            st.caption(f"Training on your text ({len(ss['rv_text']):,} characters).")
            if st.button("Back to the built-in text", key="rv_builtin"):
                ss.pop("rv_text")
                new_run(ctx.values)
                st.rerun()


def train_chunk(run: Trainer, seconds: float = 0.25) -> int:
    """One chunk of training, sharing the machine's cores with other sessions."""
    if not _TRAIN_SLOTS.acquire(timeout=1.0):
        return 0  # the machine is busy: skip this tick, try again on the next
    try:
        torch.set_num_threads(1)
        return run.run(seconds=seconds)
    finally:
        _TRAIN_SLOTS.release()


def page(title: str, icon: str = "🔁") -> Ctx:
    """Call first on every page: page config, shared controls, URL checks, the session's model."""
    st.set_page_config(page_title=f"{title} · rnnviz", page_icon=icon, layout="wide")
    torch.set_num_threads(1)
    raw_query = {k: st.query_params.get(k) for k in st.query_params}  # before bound widgets tidy it
    if not st.session_state.get("rv_url_read"):  # a link just opened: it sets the selectboxes
        for k, v in read_manual(raw_query).items():
            st.session_state[k] = v
    st.session_state["rv_url_read"] = True
    values = _sidebar()
    for c in CONTROLS:  # the address bar always shows the selectboxes' settings
        if manual(c) and values[c.key] != c.default:
            st.query_params[c.key] = url_value(c, values[c.key])
        elif manual(c):
            st.query_params.pop(c.key, None)
    ss = st.session_state
    notes = url_notes(raw_query, values)
    task = get_task(values["task"])
    if not task.min_len <= values["seq_len"] <= task.max_len:
        T = task.clamp_len(values["seq_len"])
        notes.append(f"{task.title} needs a sequence length from {task.min_len} to {task.max_len}; using {T}.")
    for n in notes:
        st.warning(n, icon=":material/link:")
    run = ss.get("rv_run")
    if run is None:
        try:
            new_run(values)
        except ConfigError as e:  # every control is bounded, so this is a bug guard, not a path
            st.error(f"Could not build that model: {e}. Back to the defaults.")
            new_run(DEFAULTS)
        run = ss["rv_run"]
    run_values = ss["rv_run_values"]
    pending = differences(model_settings(run_values), model_settings(values))
    diverged_and_changed = run.status == "diverged" and any(values[k] != run_values.get(k) for k in DEFAULTS)
    if (pending and run.step == 0) or diverged_and_changed:
        new_run(values)  # nothing trained yet, or a dead run the user is changing: nothing to lose
        run, run_values, pending = ss["rv_run"], ss["rv_run_values"], []
    else:
        live = {"lr": values["lr"], "batch_size": values["batch"], "clip": values["clip"],
                "clip_value": values["clip_value"]}
        if any(getattr(run.cfg, k) != v for k, v in live.items()):
            run.update(**live)
            run_values.update({k: values[k] for k in ("lr", "batch", "clip", "clip_value")})
    _share(values)
    ctx = Ctx(values, run, run_values, pending)
    if pending:
        with st.container(border=True):
            st.markdown(f"**The settings changed since this model was trained** ({'; '.join(pending)}). "
                        f"The pages keep showing the model trained for {run.step:,} steps until you start a new one.")
            if st.button("Start a new model with the new settings", key="rv_apply", type="primary"):
                new_run(values)
                st.rerun()
    return ctx

