"""Projector mode and the 1024x768 layout: one hook every page gets through ``ui.page()``.

- ``present`` (the sidebar toggle, ``?present=1`` in a link) collapses the sidebar, enlarges the type
  and thickens the lines, sizes figures for a 1024x768 or 1280x720 window, and shows the share link as a
  QR code so a class can open the same setup on their phones.
- In both modes the page's CSS keeps narrow windows legible (a slimmer sidebar, less padding, metric
  values and button labels that shrink or wrap instead of being cut), and every ``plotly_chart`` goes
  through :func:`rnnviz.plots.style.for_screen` (titles wrap, crowded ticks thin out in columns).
"""

from __future__ import annotations

import types

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ..plots.qr import qr_svg
from ..plots.style import for_screen
from .classroom import link_extras as class_extras

KEY = "present"  # the session-state key of the toggle, and the link parameter
_TRUE = {"1", "true", "on", "yes"}


def read_link() -> None:
    """On a session's first page, take projector mode from the link (``?present=1``)."""
    if KEY not in st.session_state:
        raw = st.query_params.get(KEY)
        st.session_state[KEY] = str(raw).strip().lower() in _TRUE if raw is not None else False


def on() -> bool:
    return bool(st.session_state.get(KEY, False))


def sidebar_state() -> str:
    return "collapsed" if on() else "auto"


def toggle() -> None:
    st.sidebar.toggle(
        "Projector mode",
        key=KEY,
        help="For a classroom projector: larger type and lines, the sidebar folded away, figures sized for "
        "1024x768, and a QR code of this setup for phones. Kept in the link as present=1.",
    )


# Narrow windows (a projector at 1024x768) in both modes; larger type in projector mode.
_CSS = """
<style>
@media (max-width: 1300px) {
  section[data-testid="stSidebar"][data-collapsed="false"] { width: 250px !important; min-width: 250px !important; }
  [data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; padding-top: 3rem; }
}
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; white-space: normal; }
[data-testid="stMetricValue"] { font-size: clamp(1.25rem, 2.4vw, 2.25rem); }
[data-testid="stMetricLabel"] p { white-space: normal; }
.katex-display { overflow-x: auto; overflow-y: hidden; }
@media (max-width: 1300px) { .katex-display > .katex { font-size: 0.85em !important; } }
[data-testid="stBaseButton-primary"] p, [data-testid="stBaseButton-secondary"] p {
  white-space: nowrap; overflow: visible; text-overflow: clip; }
[data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"] { min-width: fit-content; }
/* A progress bar jumps instead of gliding: its transition repainted the page for every frame, and 20 students'
   bars moving every second kept a browser core busy (measured: a page with a live bar took twice the CPU). */
[data-testid="stProgress"], [data-testid="stProgress"] * { transition: none !important; animation: none !important; }
/* Streamlit's animated "running" figure: it redrew the page for as long as a run lasted (3% of a core per
   page, measured); the Stop button beside it still says a run is going on. */
[data-testid="stStatusWidgetRunningIcon"] { display: none !important; }
</style>
"""
_PRESENT_CSS = """
<style>
html { font-size: 19px; }
[data-testid="stMainBlockContainer"] {
  max-width: 100%; padding-left: 1.25rem !important; padding-right: 1.25rem !important; padding-top: 2.5rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.1rem; line-height: 1.5; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
h1 { font-size: 2.2rem !important; }
[data-testid="stMetricValue"] { font-size: 1.7rem; }
</style>
"""


def style() -> None:
    """The page's CSS for narrow windows, and projector mode's on top when it is on."""
    st.html(_CSS + (_PRESENT_CSS if on() else ""))


def _narrow(dg: DeltaGenerator) -> bool:
    """Whether a chart drawn through dg sits in a column (half the page or less at 1024 px)."""
    try:
        return "column" in set(dg._active_dg._ancestor_block_types)
    except Exception:  # Streamlit's internals changed: treat it as full width
        return False


_ORIGINAL = DeltaGenerator.plotly_chart


def _plotly_chart(self, figure_or_data, *args, **kwargs):
    import plotly.graph_objects as go

    if isinstance(figure_or_data, go.Figure):
        figure_or_data = for_screen(figure_or_data, present=on(), narrow=_narrow(self))
    return _ORIGINAL(self, figure_or_data, *args, **kwargs)


def install() -> None:
    """Every ``plotly_chart`` call fits its figure to the screen (idempotent)."""
    if DeltaGenerator.plotly_chart is not _plotly_chart:
        DeltaGenerator.plotly_chart = _plotly_chart
        # st.plotly_chart was bound to the main container when streamlit was imported: bind it again
        st.plotly_chart = types.MethodType(_plotly_chart, st._main)


def link_extras() -> dict[str, str]:
    """The link parameters every link the app writes keeps: projector mode's (none when it is off) and the
    class this session is in (``class=CODE``, rnnviz.ui.classroom)."""
    return ({KEY: "1"} if on() else {}) | class_extras()


def qr_box(url: str) -> None:
    """The share link as a QR code, for phones in the room (projector mode only)."""
    if not on() or not url:
        return
    try:
        svg = qr_svg(url, "M" if len(url) <= 213 else "L", module=5)
    except ValueError:  # too long for a version-10 code: say so instead
        st.caption("This link is too long for a QR code; share it as text.")
        return
    a, b = st.columns([1, 2], vertical_alignment="center")
    a.image(svg)
    b.markdown("**Open this setup on your phone:** scan the code. It opens the same page with the same settings and seed.")


def phone_box(url: str) -> None:
    """In projector mode, a folded box at the top of the page with the QR code of this page's link."""
    if on() and url:
        with st.expander("Open this setup on your phone (QR code)", icon=":material/qr_code_2:"):
            qr_box(url)
