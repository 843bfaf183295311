"""A diagram drawn with plotly shapes and annotations, written out as one static SVG.

The Home page's two diagrams (the loop, the four wirings) have nothing to hover, zoom or move; as plotly
charts they made the browser fetch and start plotly.js (4.7 MB) before the first picture appeared. This
writes the same figure, from the same builder, as an SVG the browser draws at once.

It understands what such diagrams use, and refuses the rest (SvgError) rather than drawing it wrong:
rectangles, lines and paths (M, L, C, Q, Z in data coordinates) among the shapes; annotations with text
(``<b>`` and ``<br>`` inside) or with an arrow from (ax, ay) to (x, y) in data coordinates; the title;
and legend-only traces (a marker with no data), drawn as a legend row under the picture.
"""

from __future__ import annotations

import base64
import html
import re

import plotly.graph_objects as go

FONT = "Open Sans, verdana, arial, sans-serif"
TEXT = "#2a3f5f"  # plotly_white's text colour
LEGEND_ROW = 34


class SvgError(ValueError):
    """The figure holds something this writer does not draw."""


def _val(v, default):
    return default if v is None else v


def _lines(text: str) -> list[list[tuple[str, bool]]]:
    """Annotation text split into lines of (piece, bold) from plotly's ``<br>`` and ``<b>`` markup."""
    out = []
    for line in re.split(r"<br\s*/?>", text or ""):
        pieces, bold = [], False
        for part in re.split(r"(</?b>)", line):
            if part == "<b>":
                bold = True
            elif part == "</b>":
                bold = False
            elif part:
                if "<" in part:
                    raise SvgError(f"unsupported markup in {part!r}")
                pieces.append((html.unescape(part), bold))
        out.append(pieces)
    return out


def _text(x: float, y: float, text: str, size: float, color: str, anchor: str, valign: str) -> str:
    lines = _lines(text)
    lh = 1.3 * size
    first = {"middle": y - (len(lines) - 1) * lh / 2, "top": y + size * 0.5, "bottom": y - (len(lines) - 1) * lh - size * 0.5}
    y0 = first[valign]
    out = []
    for i, pieces in enumerate(lines):
        spans = "".join(f'<tspan font-weight="bold">{html.escape(p)}</tspan>' if b else html.escape(p) for p, b in pieces)
        out.append(
            f'<text x="{x:.1f}" y="{y0 + i * lh:.1f}" font-size="{size:g}" fill="{color}" text-anchor="{anchor}" '
            f'dominant-baseline="central" font-family="{FONT}">{spans}</text>'
        )
    return "".join(out)


def _arrow(x0, y0, x1, y1, color: str, width: float) -> str:
    """A line from (x0, y0) to (x1, y1), pixels, with a filled head at (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    n = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / n, dy / n
    length, half = 3.2 * width + 4, 1.6 * width + 2
    bx, by = x1 - ux * length, y1 - uy * length
    head = f"{x1:.1f},{y1:.1f} {bx - uy * half:.1f},{by + ux * half:.1f} {bx + uy * half:.1f},{by - ux * half:.1f}"
    return (
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{color}" stroke-width="{width:g}"/>'
        f'<polygon points="{head}" fill="{color}"/>'
    )


def figure_svg(fig: go.Figure, width: int = 600, label: str | None = None) -> str:
    """The figure as an SVG string, ``width`` pixels wide at its natural size (it scales with its column);
    the figure's height and margins are kept. ``label`` is read out by screen readers (default: the title)."""
    lay = fig.layout
    height = int(_val(lay.height, 400))
    m = lay.margin
    ml, mr, mt, mb = (int(_val(v, d)) for v, d in ((m.l, 80), (m.r, 80), (m.t, 100), (m.b, 80)))
    xr, yr = lay.xaxis.range, lay.yaxis.range
    if xr is None or yr is None:
        raise SvgError("both axes need a fixed range")
    legend = [t for t in fig.data if not [v for v in (t.x or ()) if v is not None]]
    if len(legend) != len(fig.data):
        raise SvgError("only legend-only traces (no data) can be drawn")
    extra = LEGEND_ROW if legend else 0
    pw, ph = width - ml - mr, height - mt - mb

    def px(x: float) -> float:
        return ml + (x - xr[0]) / (xr[1] - xr[0]) * pw

    def py(y: float) -> float:
        return mt + (yr[1] - y) / (yr[1] - yr[0]) * ph

    parts = []
    for s in lay.shapes:
        if s.xref not in (None, "x") or s.yref not in (None, "y"):
            raise SvgError(f"shape in {s.xref}/{s.yref} coordinates")
        line = s.line
        stroke_w = _val(line.width, 2)
        stroke = f' stroke="{_val(line.color, "#444")}" stroke-width="{stroke_w:g}"' if stroke_w else ""
        fill = _val(s.fillcolor, "none")
        op = f' opacity="{s.opacity:g}"' if s.opacity is not None else ""
        if s.type == "rect":
            x0, x1 = sorted((px(s.x0), px(s.x1)))
            y0, y1 = sorted((py(s.y0), py(s.y1)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="{fill}"{stroke}{op}/>'
            )
        elif s.type == "line":
            parts.append(f'<line x1="{px(s.x0):.1f}" y1="{py(s.y0):.1f}" x2="{px(s.x1):.1f}" y2="{py(s.y1):.1f}"{stroke}{op}/>')
        elif s.type == "path":
            out = []
            for cmd, nums in re.findall(r"([MLCQZmlcqz])([^MLCQZmlcqz]*)", s.path):
                if cmd.islower() and cmd != "z":
                    raise SvgError("relative path commands are not drawn")
                vals = [float(v) for v in re.split(r"[\s,]+", nums.strip()) if v]
                pts = " ".join(f"{px(vals[i]):.1f},{py(vals[i + 1]):.1f}" for i in range(0, len(vals), 2))
                out.append(f"{cmd.upper()} {pts}".strip())
            parts.append(f'<path d="{" ".join(out)}" fill="{fill}"{stroke}{op}/>')
        else:
            raise SvgError(f"shape type {s.type!r}")
    base = lay.font.size or 12
    for a in lay.annotations:
        if a.showarrow:
            if a.axref != "x" or a.ayref != "y" or a.text:
                raise SvgError("only arrows between two points in data coordinates, without text")
            parts.append(_arrow(px(a.ax), py(a.ay), px(a.x), py(a.y), _val(a.arrowcolor, "#444"), _val(a.arrowwidth, 1)))
            continue
        if a.xref not in (None, "x") or a.yref not in (None, "y"):
            raise SvgError(f"annotation in {a.xref}/{a.yref} coordinates")
        anchor = {"left": "start", "right": "end"}.get(a.xanchor, "middle")
        valign = {"top": "top", "bottom": "bottom"}.get(a.yanchor, "middle")
        font = a.font
        parts.append(_text(px(a.x), py(a.y), a.text, _val(font.size, base), _val(font.color, TEXT), anchor, valign))
    title = lay.title.text or ""
    if title:
        size = _val(lay.title.font.size, 17)
        parts.append(_text(ml + 0.02 * width, mt / 2, title, size, TEXT, "start", "middle"))
    x = ml
    for t in legend:
        color = t.marker.color or "#444"
        parts.append(f'<rect x="{x:.1f}" y="{height + 8:.1f}" width="14" height="14" fill="{color}"/>')
        parts.append(_text(x + 20, height + 15, t.name or "", 13, TEXT, "start", "middle"))
        x += 34 + 7.2 * len(t.name or "")
    name = html.escape(label or re.sub(r"<[^>]+>", " ", title).strip() or "diagram", quote=True)
    total = height + extra
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" width="{width}" height="{total}" role="img" '
        f'aria-label="{name}" data-rv-figure="{name}" style="background:white">'
        f"<title>{name}</title>" + "".join(parts) + "</svg>"
    )


def svg_img(svg: str, alt: str, width: int) -> str:
    """An ``<img>`` tag showing the SVG (as a data URI): pages sanitise inline SVG away, not images. It carries
    the alt text and the mark ``data-rv-figure`` (benchmarks time its arrival like a plotly figure's)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    name = html.escape(alt, quote=True)
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="{name}" data-rv-figure="{name}" '
        f'style="width:100%;max-width:{width}px;height:auto;display:block">'
    )
