"""The Recognise page's Streamlit glue: the archive sets (read once per process), the networks' training as
a job of the shared worker (single flight: a class pressing with the same choices shares one job), the
baselines (shipped results, or a live re-run in a process of its own) and the page's figures, built once
per process for a shared job. The work is in rnnviz.signals.recognise and rnnviz.signals.baselines."""

from __future__ import annotations

import streamlit as st

from ..data.archives import Archive, load_archive
from ..runtime.jobs import Job
from ..signals import baselines
from ..signals.recognise import ARCHS, RecogniseConfig, recognise_job, recognise_key
from . import jobs

SLOT = "recognise"  # the page's job slot
DEFAULT_ARCHS = ("rnn", "lstm", "gru")


@st.cache_resource(show_spinner="Reading the recordings…")
def _archive(name: str) -> Archive:
    return load_archive(name)


def archive(name: str) -> Archive:
    """A set, read once per process (read-only, shared by every session)."""
    return _archive(name)


def defaults() -> None:
    """Each choice's starting value, unless the link (or an earlier visit) set it."""
    start = dict(rc_data="basic_motions", rc_steps=400, rc_hidden=32, rc_seed=0, rc_example=0, rc_model="gru")
    for a in ARCHS:
        start[f"rc_net_{a}"] = a in DEFAULT_ARCHS
    for k, v in start.items():
        st.session_state.setdefault(k, v)


def chosen_archs() -> tuple[str, ...]:
    return tuple(a for a in ARCHS if st.session_state.get(f"rc_net_{a}"))


def config(data: str, archs: tuple[str, ...], steps: int, hidden: int, seed: int) -> RecogniseConfig:
    return RecogniseConfig(data=data, archs=archs, steps=int(steps), hidden=int(hidden), seed=int(seed))


def key_for(cfg: RecogniseConfig):
    """The job these choices ask for (None for choices no job can have)."""
    return jobs.key_or_none(recognise_key, cfg)


def start(cfg: RecogniseConfig) -> Job | None:
    """Ask the worker for these networks (the job already on the board if a classmate asked first; a finished
    one at once). On choices that cannot be trained the page says why and keeps what it shows."""
    return jobs.ask_checked(SLOT, cfg, recognise_key, recognise_job)


def current() -> Job | None:
    return jobs.current(SLOT)


# ----- the baselines ------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _shipped() -> dict | None:
    return baselines.shipped()


def shipped_baselines() -> dict | None:
    """The baselines' results that ship with rnnviz (read once per process)."""
    return _shipped()


def _live_run(data: str):
    return baselines.BaselineRun.current(data)


def _one_set(doc: dict | None, data: str) -> dict | None:
    """One set's results from a document (shipped or live): its methods with by_fraction as {fraction: accuracy}."""
    got = (doc or {}).get("sets", {}).get(data) if isinstance(doc, dict) else None
    if not isinstance(got, dict) or not got.get("methods"):
        return None
    fr = got.get("fractions", [])
    methods = {m: {**r, "by_fraction": dict(zip(fr, r.get("by_fraction", [])))} for m, r in got["methods"].items()}
    return {**got, "methods": methods}


def machine_words(doc: dict) -> str:
    m = doc.get("machine", {}) if isinstance(doc, dict) else {}
    cpu = m.get("processor") or m.get("machine") or "a CPU"
    return f"{cpu}, one thread"


def baseline_results(data: str) -> dict | None:
    """The baselines' results for a set: a live re-run's once it has finished on this server (``live`` True),
    else the shipped ones (``live`` False), else None."""
    run = _live_run(data)
    if run is not None:
        v = run.view()
        if v.status == "done" and v.result:
            got = _one_set(v.result, data)
            if got is not None:
                return {**got, "live": True, "when": "run on this server just now"}
    ship = shipped_baselines()
    got = _one_set(ship, data)
    if got is None:
        return None
    return {**got, "live": False, "when": f"measured {ship.get('date', '?')[:10]} on {machine_words(ship)}"}


def _plain(command: str) -> str:
    """The shipped command without the environment it was run in (an empty numba cache, to time compiling)."""
    return " ".join(w for w in command.split() if "=" not in w or w.startswith("--"))


def baseline_accuracies(base: dict | None) -> dict[str, float]:
    return {baselines.METHOD_SHORT[m]: r["accuracy"] for m, r in (base or {}).get("methods", {}).items()}


def baseline_area(data: str, base: dict | None) -> None:
    """Where the baselines' numbers come from, and a button that runs them again on this server, with its
    progress (in a process of its own: the page and everyone else's training carry on)."""
    ship = shipped_baselines()
    if base is not None:
        st.caption(
            f"Baselines ({base['when']}): fitted on the same training recordings, scored on the same test recordings. "
            + (f"Shipped with `{_plain(ship.get('command', ''))}`. " if ship and not base.get("live") else "")
            + baselines.INPUT_RULE
        )
        with st.expander("How the two baselines work"):
            for m in baselines.METHODS:
                st.markdown(f"**{baselines.METHOD_NAMES[m]}.** {baselines.METHOD_ABOUT[m]}")
    else:
        st.caption("The baselines' results are not shipped with this copy of rnnviz; run them here.")
    run = _live_run(data)
    running = run is not None and run.view().status == "running"
    if st.button(
        "Run the baselines again here",
        key="rc_baselines",
        icon=":material/replay:",
        disabled=running,
        help="Fits 1-NN DTW and MiniRocket on this server now, in a process of their own (tens of seconds; the first "
        "run also compiles MiniRocket's code).",
    ):
        baselines.BaselineRun.start(data)
        running = True

    @st.fragment(run_every=1.0 if running else None)
    def progress() -> None:
        r = _live_run(data)
        if r is None:
            return
        v = r.view()
        if v.status == "running":
            st.progress(min(1.0, max(0.0, v.progress)), text=f"Baselines: {v.words} · {v.seconds:.0f} s")
        elif v.status == "failed":
            st.error(f"The baselines could not run: {v.error}", icon=":material/error:")
        elif running:  # it finished since the page was drawn: draw the table again with its numbers
            st.rerun()

    progress()
