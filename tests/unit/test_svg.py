"""The Home page's diagrams as static SVG: every box, arrow and label of the plotly figure is in the picture,
and what the writer cannot draw is refused, not drawn wrong."""

import base64
import re
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest

from rnnviz.plots.graph import shapes_figure
from rnnviz.plots.states import loop_figure
from rnnviz.plots.svg import SvgError, figure_svg, svg_img

NS = "{http://www.w3.org/2000/svg}"


def test_the_loop_and_the_four_wirings_keep_every_part():
    for fig, width in ((loop_figure(), 520), (shapes_figure(), 1100)):
        svg = figure_svg(fig, width)
        root = ET.fromstring(svg)  # well-formed XML
        assert root.get("data-rv-figure") and root.get("role") == "img"
        rects = [s for s in fig.layout.shapes if s.type == "rect"]
        arrows = [a for a in fig.layout.annotations if a.showarrow]
        legend = len(fig.data)
        assert len(root.findall(f"{NS}rect")) == len(rects) + legend
        assert len(root.findall(f"{NS}polygon")) == len(arrows)  # one head per arrow
        words = "".join(root.itertext())
        for a in fig.layout.annotations:
            for piece in re.split(r"<br>|</?b>", a.text or ""):
                assert piece in words
        assert re.sub(r"<[^>]+>", "", fig.layout.title.text) in words
    loop = ET.fromstring(figure_svg(loop_figure(), 520))
    assert len(loop.findall(f"{NS}path")) == 1  # the red loop back into h_t
    boxes = {float(r.get("y")) for r in loop.findall(f"{NS}rect")}
    assert len(boxes) == 3  # x_t, h_t and y_t one above the other


def test_what_it_cannot_draw_is_refused():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    fig.update_layout(xaxis=dict(range=[0, 3]), yaxis=dict(range=[0, 5]))
    with pytest.raises(SvgError):
        figure_svg(fig)
    with pytest.raises(SvgError):
        figure_svg(go.Figure())  # no fixed axis ranges


def test_the_page_gets_an_image_with_its_alt_text():
    svg = figure_svg(loop_figure(), 340)
    tag = svg_img(svg, "The loop", 340)
    assert tag.startswith("<img ") and 'alt="The loop"' in tag and 'data-rv-figure="The loop"' in tag
    data = re.search(r'base64,([^"]+)"', tag).group(1)
    assert base64.b64decode(data).decode() == svg
