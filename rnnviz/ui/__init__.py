"""The only Streamlit code outside pages: the sidebar, the link, the session's run, its notices."""

import gc

from .page import Ctx, page, share, shared_figure, static_figure, static_picture
from .sidebar import PAGES

# Everything imported so far (torch, plotly, pandas, Streamlit: about a million objects) lives as long as
# the server: move it out of the garbage collector's sight, so a collection scans only what pages make.
gc.freeze()

__all__ = ["PAGES", "Ctx", "page", "share", "shared_figure", "static_figure", "static_picture"]
