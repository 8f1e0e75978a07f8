"""The house style that every chart shares; the charts themselves are drawn in notebooks 03 and 04.

A chart's notebook cell prepares its data, words its title and writes its Altair encodings in a
``draw(layout)`` function; ``ExplainerChart`` (``chart_figure.py``) then draws it for each layout
and scheme, shows it and exports it. What is here frames a chart the same way every time: a
title that states the finding, a subtitle, a source line and a description, all wrapped for the
width the chart is drawn at (``chart_theme.LAYOUTS``), with no label cut.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .chart_figure import ExplainerChart
from .chart_theme import LAYOUTS, PADDING, PALETTES, Layout, text_width, wrap

__all__ = ["AXIS_GAP", "ExplainerChart", "LAYOUTS", "Layout", "PALETTES", "framed", "inner_width", "left_axis",
           "longest_that_fits", "text_width"]

AXIS_GAP = 6  # between a left axis's labels and the view


def inner_width(layout: Layout) -> int:
    """The width a chart's views and titles share inside the drawing's padding."""
    return layout.width - 2 * PADDING


def left_axis(labels, layout: Layout, weight: int = 400) -> float:
    """The width of a left axis showing ``labels`` (no ticks), measured in the shipped font."""
    return max(text_width(str(label), layout.label, weight) for label in labels) + AXIS_GAP


def longest_that_fits(labels, room: float, layout: Layout, weight: int = 400) -> str:
    """The first of ``labels`` (longest first) that fits ``room`` pixels in the shipped font: a label
    drawn on a mark says as much as the mark has room for at this width. The last one is the fallback."""
    return next((label for label in labels if text_width(label, layout.label, weight) <= room), labels[-1])


def framed(chart, layout: Layout, *, title: str, subtitle: str, source: str, description: str, left: float = 0):
    """The chart under its title and subtitle and over its source line, all wrapped to the
    layout's width, described for screen readers. ``left`` is the width of the chart's left axis:
    Vega-Lite aligns the source line's view with the chart's view, not with its axis labels."""
    lines = wrap(source, layout.source, inner_width(layout))
    footer = (
        alt.Chart(pd.DataFrame({"source": ["\n".join(lines)]}))
        .mark_text(align="left", baseline="top", fontSize=layout.source, lineBreak="\n", lineHeight=layout.source + 4,
                   color=PALETTES["light"]["muted"])
        .encode(x=alt.value(-round(left)), y=alt.value(0), text="source:N")
        .properties(width=round(inner_width(layout) - left), height=len(lines) * (layout.source + 4))
    )
    heading = alt.Title(wrap(title, layout.title, inner_width(layout), weight=700),
                        subtitle=wrap(subtitle, layout.subtitle, inner_width(layout)))
    return alt.vconcat(chart, footer, spacing=10).properties(title=heading, description=f"{title}. {description}")
