"""The charts' house style: colours for light and dark, one shipped typeface, two layouts.

Chart text is laid out at build time by vl-convert with the typeface the site shows
(Explainer Sans, ``assets/fonts/``), and measured here with the same font files to wrap titles,
so no label depends on the fonts a reader has installed.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass

import altair as alt
import vl_convert as vlc

from .paths import PROJECT_ROOT

FONT_DIR = PROJECT_ROOT / "assets" / "fonts"
FONT = "Explainer Sans"
FONT_FILES = {400: FONT_DIR / "explainer-sans-400.ttf", 700: FONT_DIR / "explainer-sans-700.ttf"}
vlc.register_font_directory(str(FONT_DIR))

# At most three colours, distinguishable with colour-blindness (blue/orange/grey), each at
# WCAG AA contrast (>= 4.5:1) against its background, for text as well as marks.
PALETTES = {
    "light": {
        "background": "#ffffff",
        "text": "#1a1a1a",
        "muted": "#595959",
        "grid": "#e3e3e3",
        "primary": "#1f5a96",
        "accent": "#b34700",
        "neutral": "#6e6e6e",
    },
    "dark": {
        "background": "#16181c",
        "text": "#ececec",
        "muted": "#b4b4b4",
        "grid": "#3a3d42",
        "primary": "#7db4ea",
        "accent": "#f59e5b",
        "neutral": "#a3a3a3",
    },
}
SCHEMES = tuple(PALETTES)


@dataclass(frozen=True)
class Layout:
    """One drawing of a chart: its total width in CSS pixels (shown at 1:1, never scaled down)
    and its type sizes, all at least 12 px."""

    name: str
    width: int
    title: int
    subtitle: int
    label: int
    source: int
    media: str  # the CSS media query under which the site shows this drawing


PADDING = 12
# Widths fit the content column of both renderers' pages (measured by the browser tests): at a
# 320 px screen Quarto leaves 267 px for a chart; from 560 px on, at least 507 px (768 px, where
# Quarto's table of contents takes the margin, is the narrowest case).
LAYOUTS = {
    "narrow": Layout("narrow", width=264, title=16, subtitle=13, label=13, source=12, media="(max-width: 559.98px)"),
    "wide": Layout("wide", width=500, title=18, subtitle=14, label=13, source=12, media="(min-width: 560px)"),
}


def theme(scheme: str, layout: Layout) -> dict:
    colours = PALETTES[scheme]
    return {
        "background": colours["background"],
        "font": FONT,
        "padding": PADDING,
        "view": {"stroke": None},
        "title": {
            "anchor": "start", "fontSize": layout.title, "fontWeight": 700, "color": colours["text"],
            "subtitleFontSize": layout.subtitle, "subtitleColor": colours["muted"], "subtitlePadding": 4, "offset": 14,
        },
        "axis": {
            "labelFontSize": layout.label, "titleFontSize": layout.label, "labelColor": colours["text"],
            "titleColor": colours["muted"], "titleFontWeight": 400, "gridColor": colours["grid"],
            "domainColor": colours["muted"], "tickColor": colours["muted"], "labelAngle": 0,
        },
        "legend": {"labelFontSize": layout.label, "titleFontSize": layout.label, "labelColor": colours["text"],
                   "titleColor": colours["muted"]},
        "text": {"fontSize": layout.label, "color": colours["text"]},
        "bar": {"color": colours["primary"]},
        "range": {"category": [colours["primary"], colours["accent"], colours["neutral"]]},
    }


@alt.theme.register("explainer-light", enable=True)
def light_theme() -> alt.theme.ThemeConfig:
    return {"config": theme("light", LAYOUTS["wide"])}


@alt.theme.register("explainer-dark", enable=False)
def dark_theme() -> alt.theme.ThemeConfig:
    return {"config": theme("dark", LAYOUTS["wide"])}


@functools.cache
def _advances(weight: int) -> tuple[dict[str, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_FILES[weight])
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    return {chr(code): metrics[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def text_width(text: str, size: float, weight: int = 400) -> float:
    """The width of ``text`` in pixels as vl-convert lays it out (kerning aside, within 1%)."""
    advances, units = _advances(weight)
    return sum(advances.get(char, units // 2) for char in text) * size / units


def wrap(text: str, size: float, width: float, weight: int = 400) -> list[str]:
    """``text`` in as few lines as fit ``width`` pixels (Vega draws a list of strings as lines)."""
    for columns in range(len(text), 8, -1):
        lines = textwrap.wrap(text, columns)
        if all(text_width(line, size, weight) <= width for line in lines):
            return lines
    return textwrap.wrap(text, 8)
