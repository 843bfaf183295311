"""The only Streamlit code outside pages: shared set-up, sidebar controls, URL, session state."""
from .state import PAGES, Ctx, own_text, page, train_chunk

__all__ = ["PAGES", "Ctx", "own_text", "page", "train_chunk"]
