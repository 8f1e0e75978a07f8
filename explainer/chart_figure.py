"""A chart as readers get it: drawn for each layout and scheme, shown static first, exported.

Each chart is drawn twice (``LAYOUTS``: narrow for phones, wide) and coloured twice (light,
dark). On the site a ``<picture>`` picks the drawing for the reader's width and colour scheme
with no JavaScript, and never scales it down: every label stays at its drawn size (>= 12 px).
Each SVG carries the glyphs it uses (a subset of Explainer Sans), because an SVG shown as an
image cannot use the page's fonts. ``assets/charts.js`` swaps in the interactive Vega view, of
the same drawing, only when a reader asks for it.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import html
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from .chart_theme import FONT, FONT_FILES, LAYOUTS, PALETTES, SCHEMES, Layout, theme
from .fragments import data_table
from .paths import data_dir

# Relative to the notebooks' folder, where the outputs live: right in nbconvert's HTML beside the
# notebook; post-render rewrites it for each page of the site.
CHARTS_URL = "../data/charts"

# JupyterLab 4 draws Vega-Lite 3 to 5 with the Vega it ships (Vega-Lite 5.6 in JupyterLab 4.6), not
# Vega-Lite 6 as Altair writes: the notebook output names version 5, which draws our specs the same.
JUPYTER_VEGALITE = "application/vnd.vegalite.v5+json"
JUPYTER_VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Jupyter has no Explainer Sans: fall back to a sans-serif rather than the browser's serif default
JUPYTER_FONT = f'"{FONT}", "Source Sans 3", "Helvetica Neue", Arial, sans-serif'


@dataclass(kw_only=True, eq=False)
class ExplainerChart:
    """A chart with everything a reader needs beside it: title, subtitle, source, description,
    and the data table it was drawn from."""

    slug: str
    draw: Callable[[Layout], alt.TopLevelMixin]  # the chart in light colours, for one layout
    title: str
    subtitle: str
    source: str
    description: str
    table: pd.DataFrame  # what the chart encodes, as shown in the data-table alternative
    table_caption: str
    claim_ids: tuple[str, ...]  # the ledger rows behind every figure the chart shows
    _svgs: dict = field(default_factory=dict, repr=False)
    _drawings: dict = field(default_factory=dict, repr=False)  # vl-convert's SVGs, by spec

    def spec(self, layout: str = "wide", scheme: str = "light") -> dict:
        """The Vega-Lite spec of one drawing (a copy: callers may change it)."""
        return copy.deepcopy(self._spec(layout, scheme))

    @functools.cache  # noqa: B019 - drawn once for the SVG, the PNG, the export and the notebook output
    def _spec(self, layout: str, scheme: str) -> dict:
        spec = dict(self._drawn(self._fitted(layout)))  # a shallow copy: only its "config" is replaced
        if scheme != "light":  # marks set some colours directly: swap each for its dark counterpart
            text = json.dumps(spec)
            for role, colour in PALETTES["light"].items():
                text = text.replace(f'"{colour}"', f'"{PALETTES[scheme][role]}"')
            spec = json.loads(text)
        spec["config"] = theme(scheme, LAYOUTS[layout])
        return spec

    @functools.cache  # noqa: B019 - Altair validates each to_dict(): once per layout, for fitting and both schemes
    def _drawn(self, layout: Layout) -> dict:
        return self.draw(layout).to_dict()

    @functools.cache  # noqa: B019 - a chart lives as long as the notebook that draws it
    def _fitted(self, name: str) -> Layout:
        """The layout, narrowed by what axis labels and marks add around the views, so that the
        drawing is exactly as wide as the layout says (Vega-Lite sizes views, not the whole)."""
        layout = LAYOUTS[name]
        for _ in range(3):
            spec = {**self._drawn(layout), "config": theme("light", layout)}
            drawn = float(re.search(r'width="([\d.]+)"', self._vega_svg(spec)).group(1))
            if drawn <= LAYOUTS[name].width:
                return layout
            layout = dataclasses.replace(layout, width=layout.width - math.ceil(drawn - LAYOUTS[name].width))
        raise ValueError(f"{self.slug}: cannot fit the {name} drawing into {LAYOUTS[name].width} px")

    def _vega_svg(self, spec: dict) -> str:
        """vl-convert's SVG of ``spec``, drawn once: the fitted light drawing is the one measured
        last, and the PNG is this SVG rasterised."""
        key = json.dumps(spec, sort_keys=True)
        if key not in self._drawings:
            self._drawings[key] = vlc.vegalite_to_svg(spec)
        return self._drawings[key]

    def svg(self, layout: str = "wide", scheme: str = "light") -> str:
        if (layout, scheme) not in self._svgs:
            drawn = self._vega_svg(self._spec(layout, scheme))
            self._svgs[layout, scheme] = accessible_svg(with_fonts(drawn), self.title, self.description)
        return self._svgs[layout, scheme]

    @functools.cache  # noqa: B019 - drawn once for the notebook output and once for the export
    def png(self, layout: str = "wide", scheme: str = "light", scale: int = 2) -> bytes:
        # what vegalite_to_png does (it rasterises its SVG), without drawing the SVG again
        return vlc.svg_to_png(self._vega_svg(self._spec(layout, scheme)), scale=scale)

    def size(self, layout: str) -> tuple[int, int]:
        root = re.match(r"<svg\b[^>]*>", self.svg(layout)).group()
        return tuple(round(float(re.search(rf'\s{a}="([\d.]+)"', root).group(1))) for a in ("width", "height"))

    def file(self, layout: str, scheme: str, ext: str) -> str:
        return f"{self.slug}.{layout}{'.dark' if scheme == 'dark' else ''}.{ext}"

    def table_html(self) -> str:
        return data_table(self.table, self.table_caption, links={"claim": "claim"})

    def picture_html(self) -> str:
        """The static drawing for the reader's width and scheme, chosen by the browser (no script)."""
        sources = []
        for layout in LAYOUTS.values():
            width, height = self.size(layout.name)
            for scheme in reversed(SCHEMES):  # dark first: the first matching source wins
                media = layout.media + (" and (prefers-color-scheme: dark)" if scheme == "dark" else "")
                url = f"{CHARTS_URL}/{self.file(layout.name, scheme, 'svg')}"
                sources.append(f'<source media="{media}" srcset="{url}" width="{width}" height="{height}">')
        width, height = self.size("wide")
        fallback = f"{CHARTS_URL}/{self.file('wide', 'light', 'svg')}"
        alt_text = html.escape(f"{self.title}. {self.description}")
        return (f"<picture>{''.join(sources)}<img src=\"{fallback}\" width=\"{width}\" height=\"{height}\" "
                f'alt="{alt_text}" loading="lazy" decoding="async"></picture>')

    def figure_html(self) -> str:
        """The static-first figure: the picture, the source, the data table, and a button (made
        visible by ``charts.js``; its space is kept, so nothing moves) that swaps in the interactive view."""
        return (
            f'<figure class="explainer-chart" data-chart="{self.slug}">'
            f'<div class="chart-graphic">{self.picture_html()}</div>'
            f'<figcaption><span class="chart-source">{html.escape(self.source)}</span>'
            '<button type="button" class="chart-explore">Explore this chart</button>'
            f'<details class="chart-data"><summary>Data table: {html.escape(self.title)}</summary>'
            f"{self.table_html()}</details></figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        """What each client shows, from one output:

        - JupyterLab draws the Vega-Lite spec, interactively and trusted or not (its Vega renderer
          is safe and ranks before Markdown and images);
        - the PNG is for clients without Vega (GitHub, VS Code without the extension);
        - the Markdown, an HTML block, is the site's static-first figure: Quarto and nbconvert
          prefer it to images; there is no ``text/html``, which JupyterLab would rank first and
          sanitise into loose text in an untrusted notebook;
        - ``text/plain`` is the accessible description.
        """
        spec = self.spec("wide", "light")
        spec["$schema"] = JUPYTER_VEGALITE_SCHEMA
        spec["config"]["font"] = JUPYTER_FONT
        width, height = self.size("wide")
        data = {
            JUPYTER_VEGALITE: spec,
            "image/png": base64.b64encode(self.png("wide", "light", scale=1)).decode(),  # a fallback: kept light
            "text/markdown": self.figure_html(),
            "text/plain": f"{self.title}. {self.description}",
        }
        return data, {"image/png": {"width": width, "height": height}}

    def export(self, folder: Path | None = None) -> list[Path]:
        """Each drawing (narrow and wide, light and dark) as SVG, PNG at 2x and Vega-Lite; the
        chart's spec (``SLUG.vl.json``, the wide light drawing) and the CSV it was drawn from."""
        folder = folder or data_dir() / "charts"
        folder.mkdir(parents=True, exist_ok=True)
        texts = {
            f"{self.slug}.vl.json": _json(self.spec()),
            f"{self.slug}.csv": self.table.to_csv(index=False, lineterminator="\n"),
        }
        images = {}
        for layout in LAYOUTS:
            for scheme in SCHEMES:
                texts[self.file(layout, scheme, "svg")] = self.svg(layout, scheme)
                texts[self.file(layout, scheme, "vl.json")] = _json(self.spec(layout, scheme))
                images[self.file(layout, scheme, "png")] = self.png(layout, scheme)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        for name, data in images.items():
            (folder / name).write_bytes(data)
        return [folder / name for name in sorted([*texts, *images])]


def _json(spec: dict) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# Vega labels every mark for screen readers; inside an SVG with role="img" those labels are never
# read (an image's children are presentational), so the static chart drops them.
_MARK_ARIA = re.compile(r'\s(?:role|aria-label|aria-roledescription|aria-hidden|pointer-events)="[^"]*"')
_FONT_FAMILY = re.compile(r'\sfont-family="([^"]*)"')
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)


def accessible_svg(svg: str, title: str, description: str) -> str:
    """Give the SVG root an accessible name and description, as screen readers expect of an image,
    and drop what only the interactive view uses."""
    svg = _MARK_ARIA.sub("", svg)
    fonts = set(_FONT_FAMILY.findall(svg))
    opening = re.match(r"<svg\b[^>]*>", svg)
    assert opening, "vl-convert returned no <svg> element"
    root = opening.group()[:-1]
    if len(fonts) == 1:  # one font for every text: say it once, on the root, for the texts to inherit
        svg = _FONT_FAMILY.sub("", svg)
        opening = re.match(r"<svg\b[^>]*>", svg)
        root = opening.group()[:-1] + f' font-family="{fonts.pop()}"'
    root += f' role="img" aria-label="{html.escape(title)}. {html.escape(description)}">'
    return root + f"<title>{html.escape(title)}</title><desc>{html.escape(description)}</desc>" + svg[opening.end() :]


def with_fonts(svg: str) -> str:
    """The SVG with the glyphs its texts use embedded as WOFF2 fonts: shown as an image, an SVG
    cannot load the page's fonts, and any other font would not fit the layout."""
    used: dict[int, set[str]] = {}
    for attributes, content in _TEXT.findall(svg):
        weight = 700 if re.search(r'font-weight="(?:bold|[6-9]00)"', attributes) else 400
        used.setdefault(weight, set()).update(html.unescape(re.sub(r"<[^>]+>", "", content)))
    faces = "".join(
        f'@font-face{{font-family:"{FONT}";font-weight:{weight};'
        f"src:url(data:font/woff2;base64,{_subset_woff2(weight, ''.join(sorted(chars)))}) format(\"woff2\")}}"
        for weight, chars in sorted(used.items())
    )
    opening = re.match(r"<svg\b[^>]*>", svg)
    return svg[: opening.end()] + f"<defs><style>{faces}</style></defs>" + svg[opening.end():]


@functools.cache
def _subset_woff2(weight: int, characters: str) -> str:
    from fontTools import subset

    options = subset.Options()
    options.flavor, options.hinting, options.layout_features = "woff2", False, ["kern", "liga"]  # woff2: brotli
    font = subset.load_font(str(FONT_FILES[weight]), options)
    font.recalcTimestamp = False  # the same bytes on every build
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters + " ")
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode()


def chart_slugs(folder: Path | None = None) -> list[str]:
    """Every chart the notebooks export, by its ``SLUG.vl.json``: the list that pages, tests and
    the benchmark go by, so that adding a chart means adding it to a notebook and a page."""
    folder = folder or data_dir() / "charts"
    return sorted(path.name.removesuffix(".vl.json") for path in folder.glob("*.vl.json") if path.name.count(".") == 2)
