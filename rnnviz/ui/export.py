"""Export: every main figure with a PNG name for the chart toolbar's camera button and a CSV of the
data behind it, built only when the button is pressed."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ..plots.marks import png_config


def chart(fig, key: str, name: str, frame: Callable[[], pd.DataFrame] | None = None, where=st) -> None:
    """Draw ``fig`` (toolbar PNG named rnnviz-<name>.png) and, if ``frame`` is given, a button below it
    that downloads frame() as rnnviz-<name>.csv (frame is called only on a click)."""
    cfg = png_config(name)
    where.plotly_chart(fig, key=key, config=cfg)
    if frame is not None:
        where.download_button(
            "Data (CSV)",
            data=lambda: frame().to_csv(index=False).encode(),
            file_name=cfg["toImageButtonOptions"]["filename"] + ".csv",
            mime="text/csv",
            key=f"csv_{key}",
            icon=":material/download:",
            on_click="ignore",
            type="tertiary",
            help="The numbers behind this figure as a table (one row per step, unit or training step), for a "
            "spreadsheet or a notebook. The camera icon in the chart's toolbar saves the picture as a PNG.",
        )
