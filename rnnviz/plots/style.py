"""Visual constants in one place: colours for gates, architectures and roles, and a base layout
sized to be read on a classroom projector."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

GATE_COLORS = {
    "input_gate": "#2ca02c",  # green: lets new content in
    "forget_gate": "#d62728",  # red: keeps or erases the old cell
    "cell_candidate": "#9467bd",  # purple: the proposed new content
    "output_gate": "#1f77b4",  # blue: shows the cell as h_t
    "reset_gate": "#ff7f0e",  # orange
    "update_gate": "#d62728",  # red: the GRU's keep-or-replace gate plays the forget role
    "candidate": "#9467bd",  # purple, as the LSTM candidate
    "cell": "#8c564b",  # brown: the LSTM cell state line
    "hidden": "#17becf",
}
GATE_LABELS = {
    "input_gate": "input gate i",
    "forget_gate": "forget gate f",
    "cell_candidate": "cell candidate g",
    "output_gate": "output gate o",
    "reset_gate": "reset gate r",
    "update_gate": "update gate z",
    "candidate": "candidate n",
    "cell": "cell state c",
    "hidden": "hidden state h",
}
ARCH_COLORS = {"rnn": "#7f7f7f", "lstm": "#1f77b4", "gru": "#ff7f0e"}
ARCH_LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
WEIGHT_COLORS = {"W_x": "#2ca02c", "W_h": "#d62728", "W_y": "#1f77b4"}
LINE = {
    "loss": "#1f77b4",
    "metric": "#2ca02c",
    "grad": "#9467bd",
    "baseline": "#7f7f7f",
    "solved": "#2ca02c",
    "clip": "#d62728",
    "sv": "#8c564b",
    "bound": "#d62728",
    "heldout": "#ff7f0e",
}
DIVERGING = "RdBu_r"  # signed activations: blue negative, white zero, red positive
FONT = dict(size=15)
# plotly_white's layout (white background, light grid), built once and without its per-trace-type
# defaults: naming the template by string makes plotly build and validate all of it again for
# every figure, and send it to the browser with every redraw (measured: 74 ms and 6.6 KB a small
# figure by name, 15 ms and 2.6 KB with this).
WHITE = go.layout.Template(layout=pio.templates["plotly_white"].layout)


def reference_line(
    fig: go.Figure, y: float, text: str, color: str, dash: str = "dash", above: bool = True, log: bool = False
) -> None:
    """A horizontal reference line with its label at the right end, just above or below it.
    (Plotly's own hline labels land in the wrong place on log axes, so the label is placed here.)"""
    shape, note = reference_parts(y, text, color, dash, above, log)
    fig.add_shape(shape)
    fig.add_annotation(note)


def layout_dict(title: str, x: str, y: str, height: int = 360) -> dict:
    """base_layout's settings as a plain dict (for :func:`quick_figure`)."""
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=18)),
        xaxis=dict(title=dict(text=x)),
        yaxis=dict(title=dict(text=y)),
        height=height,
        font=FONT,
        template=WHITE,
        margin=dict(l=70, r=30, t=60, b=110),
        hoverlabel=dict(font=dict(size=14)),  # no "font_size": without plotly's checks it would reach the browser as is
        legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0),
    )


def base_layout(fig: go.Figure, title: str, x: str, y: str, height: int = 360) -> go.Figure:
    fig.update_layout(layout_dict(title, x, y, height))
    return fig


def reference_parts(
    y: float, text: str, color: str, dash: str = "dash", above: bool = True, log: bool = False
) -> tuple[dict, dict]:
    """:func:`reference_line` as a (shape, annotation) pair of plain dicts (for :func:`quick_figure`)."""
    shape = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=dict(color=color, dash=dash, width=2))
    note = dict(
        x=1,
        xref="paper",
        xanchor="right",
        y=float(np.log10(y)) if log else y,
        yref="y",
        yanchor="bottom" if above else "top",
        yshift=2 if above else -2,
        text=text,
        showarrow=False,
        font=dict(color=color, size=13),
        bgcolor="rgba(255,255,255,0.7)",
    )
    return shape, note


def quick_figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts without plotly's property checks (15x faster to build: the Train page
    redraws its charts for every training session on the server). Only for code whose figures a test
    builds again with the checks on (tests/unit/test_figures.py)."""
    return go.Figure(data=data, layout=layout, _validate=False)


# ---------------------------------------------------------------- fitting a figure to the screen
def _wrap_words(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


def wrap_title(text: str, width: int) -> str:
    """A title broken into lines of at most about ``width`` characters, at spaces (plotly does not
    wrap titles: a long one is cut at the edge of a narrow chart). A ``<sup>`` subtitle line, set
    smaller, wraps at a longer width."""
    out = []
    for part in (text or "").split("<br>"):
        if part.startswith("<sup>") and part.endswith("</sup>"):
            inner = _wrap_words(part[5:-6], int(width / 0.7))
            out.append("<br>".join(f"<sup>{x}</sup>" for x in inner))
        elif "<" in part:  # other markup: leave the line as it is
            out.append(part)
        else:
            out.append("<br>".join(_wrap_words(part, width)))
    return "<br>".join(out)


PRESENT_SCALE = 1.25  # projector mode: type this much larger
PRESENT_MAX_HEIGHT = 470  # projector mode: a figure and its title fit a 1280x720 or 1024x768 window


def for_screen(fig: go.Figure, present: bool = False, narrow: bool = False) -> go.Figure:
    """The figure fitted to where it is drawn, as a new figure (the original is left alone: static
    figures are shared). ``narrow``: it sits in a column (half the page or less at 1024 px): its title
    wraps sooner and a crowded list of time-step ticks is thinned. ``present``: projector mode, larger
    type, thicker lines, and a height that fits a 720-768 px tall window."""
    fig = go.Figure(fig.to_dict(), _validate=False)  # a copy; the original was validated when it was built (5x faster)
    lay = fig.layout
    scale = PRESENT_SCALE if present else 1.0
    title = lay.title.text if lay.title and lay.title.text else ""
    if title:
        size = (lay.title.font.size or 18) * scale
        per_line = int((34 if narrow else 66) * 18 / size)
        wrapped = wrap_title(title, per_line)
        lines = wrapped.count("<br>") + 1
        fig.update_layout(title=dict(text=wrapped, font=dict(size=size)))
        top = (lay.margin.t if lay.margin and lay.margin.t is not None else 60) + (lines - title.count("<br>") - 1) * size * 1.3
        fig.update_layout(margin=dict(t=max(top, size * 2.4 + (lines - 1) * size * 1.3)))
    budget = (45 if narrow else 100) / scale  # characters of tick labels a row can hold
    for ax in fig.select_xaxes():  # time-step ticks (step over input): thin them until they fit
        if ax.tickmode == "array" and ax.tickvals is not None and ax.ticktext is not None and len(ax.tickvals) > 1:
            need = sum(1 + max(len(x) for x in str(t).split("<br>")) for t in ax.ticktext)
            k = int(np.ceil(need / budget))
            if k > 1:
                ax.tickvals, ax.ticktext = ax.tickvals[::k], ax.ticktext[::k]
    for ax in fig.select_yaxes():  # a log axis spanning less than a decade labels 2..9: too many to read
        if ax.type == "log" and ax.nticks is None and ax.dtick is None:
            span = abs(ax.range[1] - ax.range[0]) if ax.range is not None else None
            if span is not None and 1.0 <= span <= 4.0:
                ax.dtick = 1  # one label a decade: plotly's 2 and 5 between them overlapped on a short chart
            else:
                ax.nticks = 6
    if present:
        base = lay.font.size if lay.font and lay.font.size else FONT["size"]
        fig.update_layout(font=dict(size=base * scale), hoverlabel=dict(font_size=16))
        for a in lay.annotations or ():
            if a.font and a.font.size:
                a.font.size = a.font.size * scale
        for tr in fig.data:
            line = getattr(tr, "line", None)
            if tr.type == "scatter" and line is not None:
                line.width = (line.width or 2) * 1.5
        if lay.height:  # taller with the type, so axis labels keep their spacing; not taller than a window
            fig.update_layout(height=min(lay.height * scale, max(PRESENT_MAX_HEIGHT, lay.height)))
    return fig


def attention_heat(z, text, customdata, hovertemplate: str, textsize: int, tickvals=(0, 0.25, 0.5, 0.75, 1)) -> go.Heatmap:
    """An attention matrix as a heatmap: weights 0-1 in greens on numeric axes (a word that appears twice keeps
    two columns), the weight written in each cell where ``text`` is given (None: no numbers), gaps between cells.
    Used by the Translate page (digits, German letters) and the Chat page."""
    return go.Heatmap(
        z=z,
        x=np.arange(z.shape[1], dtype=np.float32),
        y=np.arange(z.shape[0], dtype=np.float32),
        zmin=0,
        zmax=1,
        colorscale="Greens",
        text=text,
        texttemplate="%{text}" if text is not None else None,
        textfont=dict(size=textsize),
        customdata=customdata,
        colorbar=dict(title=dict(text="attention<br>weight", side="top"), thickness=14, tickvals=list(tickvals)),
        hovertemplate=hovertemplate,
        xgap=1,
        ygap=1,
    )
