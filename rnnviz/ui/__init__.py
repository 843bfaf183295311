"""The only Streamlit code outside pages: the sidebar, the link, the session's run, its notices."""

from .page import Ctx, page, static_figure
from .sidebar import PAGES

__all__ = ["PAGES", "Ctx", "page", "static_figure"]
