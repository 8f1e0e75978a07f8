"""House theme, the explainer's charts, and how they are shown and exported.

Charts are drawn from the tidy tables only. Each is shown *static first*: an SVG rendered at
build time by vl-convert (no network, no JavaScript needed), inlined in a ``text/html`` output
that JupyterLab, Quarto and our own renderer all display as is. On the site, after first paint,
``assets/charts.js`` upgrades the static SVG to the interactive chart with tooltips, from the
exported Vega-Lite spec (``data/charts/SLUG.vl.json``) and a self-hosted bundle.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from .paths import data_dir
from .wording import at_precision, day, day_no_year

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
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _theme(variant: str) -> alt.theme.ThemeConfig:
    colours = PALETTES[variant]
    return {
        "config": {
            "background": colours["background"],
            "font": FONT,
            "padding": 12,
            "view": {"stroke": None},
            "title": {
                "anchor": "start",
                "fontSize": 17,
                "fontWeight": 700,
                "color": colours["text"],
                "subtitleFontSize": 13,
                "subtitleColor": colours["muted"],
                "subtitlePadding": 4,
                "offset": 14,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": colours["text"],
                "titleColor": colours["muted"],
                "titleFontWeight": 400,
                "gridColor": colours["grid"],
                "domainColor": colours["muted"],
                "tickColor": colours["muted"],
                "labelAngle": 0,
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": colours["text"],
                "titleColor": colours["muted"],
            },
            "text": {"fontSize": 12, "color": colours["text"]},
            "bar": {"color": colours["primary"]},
            "range": {"category": [colours["primary"], colours["accent"], colours["neutral"]]},
        }
    }


@alt.theme.register("explainer-light", enable=True)
def light_theme() -> alt.theme.ThemeConfig:
    return _theme("light")


@alt.theme.register("explainer-dark", enable=False)
def dark_theme() -> alt.theme.ThemeConfig:
    return _theme("dark")


def _source_footer(text: str, width: int) -> alt.Chart:
    """A one-line source note under the chart (Vega-Lite has no footer of its own)."""
    return (
        alt.Chart(pd.DataFrame({"source": [text]}))
        .mark_text(align="left", baseline="top", fontSize=11, color=PALETTES["light"]["muted"])
        .encode(x=alt.value(0), y=alt.value(0), text="source:N")
        .properties(width=width, height=14)
    )


def _titled_with_source(chart, title: str, subtitle: str, source_line: str, description: str, width: int):
    """The chart under its title and subtitle, over its source line, described for screen readers."""
    return alt.vconcat(chart, _source_footer(source_line, width), spacing=8).properties(
        title=alt.Title(title, subtitle=subtitle), description=f"{title}. {description}"
    )


@dataclass
class ExplainerChart:
    """A chart with everything a reader needs beside it: title, subtitle, source, description,
    and the data table it was drawn from."""

    slug: str
    chart: alt.TopLevelMixin
    title: str
    subtitle: str
    source: str
    description: str
    table: pd.DataFrame  # what the chart encodes, as shown in the data-table alternative
    table_caption: str
    claim_ids: tuple[str, ...]  # the ledger rows behind every figure the chart shows

    def spec(self) -> dict:
        return self.chart.to_dict()

    def svg(self, variant: str = "light") -> str:
        spec = self.spec()
        if variant != "light":
            # marks set some colours directly; swap each light colour for its counterpart
            text = json.dumps(spec)
            for role, colour in PALETTES["light"].items():
                text = text.replace(f'"{colour}"', f'"{PALETTES[variant][role]}"')
            spec = json.loads(text)
            spec["config"] = _theme(variant)["config"]
        return accessible_svg(vlc.vegalite_to_svg(spec), self.title, self.description)

    def png(self) -> bytes:
        return vlc.vegalite_to_png(self.spec(), scale=2)

    def table_html(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.table.columns)
        rows = []
        for row in self.table.itertuples(index=False):
            cells = [html.escape("" if pd.isna(v) else str(v)) for v in row]
            link = f'<a href="#claim-{cells[-1]}">{cells[-1]}</a>' if self.table.columns[-1] == "claim" else cells[-1]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells[:-1]) + f"<td>{link}</td></tr>")
        return (
            f'<table class="data-table"><caption>{html.escape(self.table_caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def figure_html(self) -> str:
        """The static-first figure: inline SVG, the source, the data table. The interactive layer
        fetches the spec (``data/charts/SLUG.vl.json``, see ``export``) only after first paint."""
        return (
            '<figure class="explainer-chart">'
            f'<div class="chart-graphic" data-chart="{self.slug}">{self.svg()}</div>'
            f'<figcaption><span class="chart-source">{html.escape(self.source)}</span>'
            f'<details class="chart-data"><summary>Data table: {html.escape(self.title)}</summary>'
            f"{self.table_html()}</details></figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.figure_html(), "text/plain": f"Chart: {self.title}"}

    def export(self, folder: Path | None = None) -> list[Path]:
        """Write the Vega-Lite JSON, SVG (light and dark), PNG at 2x and the CSV it was drawn from."""
        folder = folder or data_dir() / "charts"
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            f"{self.slug}.vl.json": json.dumps(self.spec(), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            f"{self.slug}.svg": self.svg("light"),
            f"{self.slug}.dark.svg": self.svg("dark"),
            f"{self.slug}.csv": self.table.to_csv(index=False, lineterminator="\n"),
        }
        written = []
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
            written.append(folder / name)
        (folder / f"{self.slug}.png").write_bytes(self.png())
        return [*written, folder / f"{self.slug}.png"]


# Vega labels every mark for screen readers; inside an SVG with role="img" those labels are never
# read (an image's children are presentational), so the static chart drops them.
_MARK_ARIA = re.compile(r'\s(?:role|aria-label|aria-roledescription|aria-hidden|pointer-events)="[^"]*"')
_FONT_FAMILY = re.compile(r'\sfont-family="([^"]*)"')


def accessible_svg(svg: str, title: str, description: str) -> str:
    """Give the SVG root an accessible name and description, as screen readers expect of an image,
    and drop what only the interactive view uses: the page's first paint carries every byte."""
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


def _as_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _labelled_bars(data: pd.DataFrame, category: str, value: str, value_title: str, tooltips: list[tuple[str, str]],
                   text_colour: str | None = None, **channels) -> alt.LayerChart:
    """Horizontal bars, one per category in the table's order, each labelled with its value."""
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort=None, title=None, axis=alt.Axis(labelFontSize=13, ticks=False, domain=False)),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip(field, title=title) for field, title in tooltips],
        **channels,
    )
    label = {"color": text_colour} if text_colour else {}
    return (
        base.mark_bar(height={"band": 0.7})
        + base.mark_text(align="left", dx=4, fontWeight=700, **label).encode(text=f"{value}:Q")
    ).properties(width=420, height=110)


def attacks_by_country_chart(attacks: pd.DataFrame, derived: pd.DataFrame) -> ExplainerChart:
    """Bars of reported attacks per country, largest first, each labelled with its count."""
    figures = derived.set_index("figure_id")
    total = int(figures.loc["total-attacks", "value"])
    share = figures.loc["largest-country-share", "value"]
    ordered = attacks.sort_values("attacks", ascending=False, ignore_index=True)
    start, end = ordered["period_start"].iloc[0], ordered["period_end"].iloc[0]
    source = ordered["source"].iloc[0]
    title = f"{share:.0f}% of the {total} reported attacks on US interests this year were in {ordered['country'][0]}"
    subtitle = f"Reported attacks, {day_no_year(start)} – {day(end)}"
    source_line = f"Source: {source}, as reported on {day(end)}"
    counts = [f"{row.country}: {row.attacks} reported attacks" for row in ordered.itertuples()]
    description = (
        f"Horizontal bar chart. {'; '.join(counts)}; {total} in all, "
        f"from {day_no_year(start)} to {day(end)}. The article gives no dates or places for the attacks."
    )
    data = ordered[["country", "attacks", "claim_id"]]
    chart = _labelled_bars(
        data, "country", "attacks", "Reported attacks",
        tooltips=[("country:N", "Country"), ("attacks:Q", "Reported attacks"), ("claim_id:N", "Claim")],
    )
    composed = _titled_with_source(chart, title, subtitle, source_line, description, width=420)
    table = data.rename(columns={"country": "Country", "attacks": "Reported attacks", "claim_id": "claim"})
    return ExplainerChart(
        "attacks-by-country",
        composed,
        title,
        subtitle,
        source_line,
        description,
        table,
        f"Reported attacks on US interests by country, {day_no_year(start)} – {day(end)}",
        (*ordered["claim_id"], ordered["period_claim_id"].iloc[0]),
    )


def attacks_and_responses_chart(
    attacks: pd.DataFrame, responses: pd.DataFrame, derived: pd.DataFrame
) -> ExplainerChart:
    """Two bars: all reported attacks this year against the US responses."""
    figures = derived.set_index("figure_id")
    total = int(figures.loc["total-attacks", "value"])
    per_response = figures.loc["attacks-per-us-response", "value"]
    end = attacks["period_end"].iloc[0]
    data = pd.DataFrame(
        {
            "measure": ["Reported attacks", "US responses"],
            "count": [total, len(responses)],
            "claim_id": [
                figures.loc["total-attacks", "derived_from"].replace(";", " + "),
                "; ".join(responses["claim_id"]),
            ],
        }
    )
    title = f"One US response for every {per_response:g} reported attacks"
    subtitle = f"Reported attacks in Iraq and Syria and US responses, {day_no_year(attacks['period_start'].iloc[0])} – {day(end)}"
    source_line = f"Source: {attacks['source'].iloc[0]}; responses as reported by Rudaw English, {day(end)}"
    description = (
        f"Bar chart comparing {total} reported attacks on US interests with {len(responses)} US responses "
        f"this year; the US responded once for every {per_response:g} reported attacks."
    )
    chart = _labelled_bars(
        data, "measure", "count", "Count",
        tooltips=[("measure:N", "Measure"), ("count:Q", "Count"), ("claim_id:N", "From claims")],
        text_colour=PALETTES["light"]["text"],
        color=alt.Color(
            "measure:N", legend=None, scale=alt.Scale(range=[PALETTES["light"]["primary"], PALETTES["light"]["accent"]])
        ),
    )
    composed = _titled_with_source(chart, title, subtitle, source_line, description, width=420)
    table = data.rename(columns={"measure": "Measure", "count": "Count", "claim_id": "claim"})
    # rows cite several claims; the data table lists them as text rather than one link
    table = table.rename(columns={"claim": "From claims"})
    return ExplainerChart(
        "attacks-and-responses",
        composed,
        title,
        subtitle,
        source_line,
        description,
        table,
        "Reported attacks and US responses this year",
        (*attacks["claim_id"], attacks["period_claim_id"].iloc[0], *responses["claim_id"]),
    )


def responses_timeline_chart(events: pd.DataFrame, attacks: pd.DataFrame, derived: pd.DataFrame) -> ExplainerChart:
    """Each dated event of the article on one time axis, at its stated precision: a day is a dot,
    a month or a year is a span. The attacks are not drawn: the article gives them no dates."""
    total_attacks = int(derived.set_index("figure_id").loc["total-attacks", "value"])
    data = events.assign(
        start=lambda t: t["date"].map(lambda d: d.isoformat()),
        # spans run to the end of their last day
        end=lambda t: t["date_end"].map(lambda d: (d + dt.timedelta(days=1)).isoformat()),
        when=lambda t: [at_precision(row.date, row.date_end, row.precision) for row in t.itertuples()],
        kind=lambda t: t["is_us_response"].map({True: "US response", False: "Other event"}),
    )[["event", "start", "end", "when", "precision", "status", "kind", "claim_id"]]
    responses = data[data["kind"] == "US response"]
    first_year, last_year = events["date"].min().year, events["date_end"].max().year
    times = {1: "once", 2: "twice"}.get(len(responses), f"{len(responses)} times")
    response_days = _as_list([day_no_year(d) for d in events.loc[events["is_us_response"], "date"]])
    title = f"The US has struck back {times} this year, on {response_days}"
    subtitle = f"US responses and the article's other dated events, {first_year}–{last_year}. Bars: dates given only to the month or year"
    reported_on = attacks["period_end"].iloc[0]  # the reference date: the counts run to it
    source_line = (
        f"Source: Rudaw English, {day(reported_on)}. "
        f"The article gives no dates for the {total_attacks} reported attacks, so none are drawn."
    )
    description = "Timeline. " + "; ".join(f"{row.when}: {row.event} ({row.status})" for row in data.itertuples()) + "."
    colour = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(
            domain=["US response", "Other event"], range=[PALETTES["light"]["accent"], PALETTES["light"]["primary"]]
        ),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )
    y = alt.Y(
        "event:N",
        sort=alt.SortField("start"),
        title=None,
        axis=alt.Axis(labelLimit=440, labelFontSize=12, ticks=False, domain=False),
    )
    x = alt.X(
        "start:T",
        title=None,
        # no explicit domain: Vega-Lite 6 merges a layered temporal domain badly (console warnings)
        scale=alt.Scale(type="utc", nice="month"),
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}),  # utc scale: utcFormat
    )
    tooltip = [
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("when:N", title="When"),
        alt.Tooltip("precision:N", title="Date given to the"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("claim_id:N", title="Claim"),
    ]
    base = alt.Chart(data).encode(y=y, color=colour, tooltip=tooltip)
    spans = (
        base.transform_filter("datum.precision == 'month' || datum.precision == 'year'")
        .mark_bar(height=10, opacity=0.85)
        .encode(x=x, x2="end:T")
    )
    days = (
        base.transform_filter("datum.precision == 'day' || datum.precision == 'week'")
        .mark_point(filled=True, size=90, opacity=1)
        .encode(
            x=x,
            shape=alt.Shape(
                "status:N",
                title=None,
                scale=alt.Scale(domain=["happened", "planned", "expected"], range=["circle", "diamond", "triangle-up"]),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
        )
    )
    chart = (spans + days).properties(width=300, height=alt.Step(26))
    composed = _titled_with_source(chart, title, subtitle, source_line, description, width=300)
    table = data[["when", "event", "precision", "status", "claim_id"]].rename(
        columns={
            "when": "When",
            "event": "Event",
            "precision": "Date given to the",
            "status": "Status",
            "claim_id": "claim",
        }
    )
    return ExplainerChart(
        "us-responses-timeline",
        composed,
        title,
        subtitle,
        source_line,
        description,
        table,
        "Dated events of the article, at the precision it gives them",
        (*events["claim_id"], *attacks["claim_id"]),
    )
