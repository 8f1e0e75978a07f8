"""The explainer's three charts, drawn from the tidy tables only.

Each function returns an ``ExplainerChart`` (``chart_figure.py``: drawings, the static-first
figure, exports) whose ``draw`` gives the Altair chart for one layout (``chart_theme.LAYOUTS``):
titles and labels are wrapped and worded for the width they are drawn at; the data is the same.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from .chart_figure import ExplainerChart
from .chart_theme import LAYOUTS, PADDING, PALETTES, Layout, text_width, wrap
from .wording import at_precision, day, day_no_year

__all__ = ["ExplainerChart", "LAYOUTS", "PALETTES", "attacks_by_country_chart", "attacks_and_responses_chart",
           "responses_timeline_chart"]


def _inner(layout: Layout) -> int:
    return layout.width - 2 * PADDING


def _framed(chart, layout: Layout, title: str, subtitle: str, source_line: str, description: str, left: float = 0):
    """The chart under its title and subtitle and over its source line, all wrapped to the
    layout's width, described for screen readers. ``left`` is the width of the chart's left axis:
    Vega-Lite aligns the source line's view with the chart's view, not with its axis labels."""
    lines = wrap(source_line, layout.source, _inner(layout))
    footer = (
        alt.Chart(pd.DataFrame({"source": ["\n".join(lines)]}))
        .mark_text(align="left", baseline="top", fontSize=layout.source, lineBreak="\n", lineHeight=layout.source + 4,
                   color=PALETTES["light"]["muted"])
        .encode(x=alt.value(-round(left)), y=alt.value(0), text="source:N")
        .properties(width=round(_inner(layout) - left), height=len(lines) * (layout.source + 4))
    )
    heading = alt.Title(wrap(title, layout.title, _inner(layout), weight=700),
                        subtitle=wrap(subtitle, layout.subtitle, _inner(layout)))
    return alt.vconcat(chart, footer, spacing=10).properties(title=heading, description=f"{title}. {description}")


AXIS_GAP = 6


def left_axis(labels, layout: Layout, weight: int = 400) -> float:
    """The width of a left axis showing ``labels`` (no ticks)."""
    return max(text_width(str(label), layout.label, weight) for label in labels) + AXIS_GAP


def _labelled_bars(data: pd.DataFrame, category: str, value: str, value_title: str, layout: Layout,
                   tooltips: list[tuple[str, str]], text_colour: str | None = None, **channels) -> alt.LayerChart:
    """Horizontal bars, one per category in the table's order, each labelled with its value."""
    label_room = left_axis(data[category], layout)
    value_room = text_width(str(data[value].max()), layout.label, 700) + 10
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort=None, title=None,
                axis=alt.Axis(ticks=False, domain=False, labelLimit=0, labelPadding=AXIS_GAP)),
        x=alt.X(f"{value}:Q", title=value_title,
                axis=alt.Axis(format="d", tickMinStep=1, tickCount=4 if layout.name == "narrow" else 6)),
        tooltip=[alt.Tooltip(field, title=title) for field, title in tooltips],
        **channels,
    )
    label = {"color": text_colour} if text_colour else {}
    return (
        base.mark_bar(height={"band": 0.7})
        + base.mark_text(align="left", dx=4, fontWeight=700, **label).encode(text=f"{value}:Q")
    ).properties(width=round(_inner(layout) - label_room - value_room), height=44 * len(data))


def attacks_by_country_chart(attacks: pd.DataFrame, derived: pd.DataFrame) -> ExplainerChart:
    """Bars of reported attacks per country, largest first, each labelled with its count."""
    figures = derived.set_index("figure_id")
    total = int(figures.loc["total-attacks", "value"])
    share = figures.loc["largest-country-share", "value"]
    ordered = attacks.sort_values("attacks", ascending=False, ignore_index=True)
    start, end = ordered["period_start"].iloc[0], ordered["period_end"].iloc[0]
    title = f"{share:.0f}% of the {total} reported attacks on US interests this year were in {ordered['country'][0]}"
    subtitle = f"Reported attacks, {day_no_year(start)} – {day(end)}"
    source_line = f"Source: {ordered['source'].iloc[0]}, as reported on {day(end)}"
    counts = [f"{row.country}: {row.attacks} reported attacks" for row in ordered.itertuples()]
    description = (
        f"Horizontal bar chart. {'; '.join(counts)}; {total} in all, "
        f"from {day_no_year(start)} to {day(end)}. The article gives no dates or places for the attacks."
    )
    data = ordered[["country", "attacks", "claim_id"]]

    def draw(layout: Layout):
        bars = _labelled_bars(
            data, "country", "attacks", "Reported attacks", layout,
            tooltips=[("country:N", "Country"), ("attacks:Q", "Reported attacks"), ("claim_id:N", "Claim")],
        )
        return _framed(bars, layout, title, subtitle, source_line, description, left_axis(data["country"], layout))

    return ExplainerChart(
        slug="attacks-by-country", draw=draw, title=title, subtitle=subtitle, source=source_line,
        description=description,
        table=data.rename(columns={"country": "Country", "attacks": "Reported attacks", "claim_id": "claim"}),
        table_caption=f"Reported attacks on US interests by country, {day_no_year(start)} – {day(end)}",
        claim_ids=(*ordered["claim_id"], ordered["period_claim_id"].iloc[0]),
    )


def attacks_and_responses_chart(attacks: pd.DataFrame, responses: pd.DataFrame, derived: pd.DataFrame) -> ExplainerChart:
    """Two bars: all reported attacks this year against the US responses."""
    figures = derived.set_index("figure_id")
    total = int(figures.loc["total-attacks", "value"])
    per_response = figures.loc["attacks-per-us-response", "value"]
    end = attacks["period_end"].iloc[0]
    data = pd.DataFrame({
        "measure": ["Reported attacks", "US responses"],
        "count": [total, len(responses)],
        "claim_id": [figures.loc["total-attacks", "derived_from"].replace(";", " + "), "; ".join(responses["claim_id"])],
    })
    title = f"One US response for every {per_response:g} reported attacks"
    subtitle = f"Reported attacks in Iraq and Syria and US responses, {day_no_year(attacks['period_start'].iloc[0])} – {day(end)}"
    source_line = f"Source: {attacks['source'].iloc[0]}; responses as reported by Rudaw English, {day(end)}"
    description = (
        f"Bar chart comparing {total} reported attacks on US interests with {len(responses)} US responses "
        f"this year; the US responded once for every {per_response:g} reported attacks."
    )

    def draw(layout: Layout):
        bars = _labelled_bars(
            data, "measure", "count", "Count", layout,
            tooltips=[("measure:N", "Measure"), ("count:Q", "Count"), ("claim_id:N", "From claims")],
            text_colour=PALETTES["light"]["text"],
            color=alt.Color("measure:N", legend=None,
                            scale=alt.Scale(range=[PALETTES["light"]["primary"], PALETTES["light"]["accent"]])),
        )
        return _framed(bars, layout, title, subtitle, source_line, description, left_axis(data["measure"], layout))

    table = data.rename(columns={"measure": "Measure", "count": "Count", "claim_id": "From claims"})
    return ExplainerChart(
        slug="attacks-and-responses", draw=draw, title=title, subtitle=subtitle, source=source_line,
        description=description, table=table, table_caption="Reported attacks and US responses this year",
        claim_ids=(*attacks["claim_id"], attacks["period_claim_id"].iloc[0], *responses["claim_id"]),
    )


def _as_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _short(value: dt.date) -> str:
    return f"{value.day} {value:%b}"


def responses_timeline_chart(events: pd.DataFrame, attacks: pd.DataFrame, derived: pd.DataFrame) -> ExplainerChart:
    """The year so far on one time axis: the reported attacks as one undated count over the
    period they cover, the two US strikes on their days, the other events as quiet context, and
    the planned end of the combat mission. Spans stay spans (a week, a month); no attack gets a date."""
    total_attacks = int(derived.set_index("figure_id").loc["total-attacks", "value"])
    period_start, reference = attacks["period_start"].iloc[0], attacks["period_end"].iloc[0]
    year = reference.year
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts = ", ".join(f"{row.country} {row.attacks}" for row in attacks.itertuples())
    events = events.assign(
        start=lambda t: t["date"].map(dt.date.isoformat),
        end=lambda t: t["date_end"].map(lambda d: (d + dt.timedelta(days=1)).isoformat()),  # spans end after their last day
        when=lambda t: [at_precision(row.date, row.date_end, row.precision) for row in t.itertuples()],
    )
    responses = events[events["is_us_response"]]
    shown = events[(events["date"] >= first) & (events["date_end"] <= last)]
    strike_days = _as_list([day_no_year(d) for d in responses["date"]])
    times = {1: "once", 2: "twice"}.get(len(responses), f"{len(responses)} times")
    title = f"The US struck back {times}, on {strike_days}, as {total_attacks} attacks were reported"
    subtitle = (f"Reported attacks on US interests ({counts}) and US strikes, {day_no_year(period_start)} – "
                f"{day(reference)}, with the other dated events of {year}")
    source_line = (f"Source: Rudaw English, {day(reference)}. The article gives no dates for the attacks. "
                   f"{len(events) - len(shown)} earlier events are in the table.")
    description = (
        f"Timeline of {year}. A band from {day_no_year(period_start)} to {day_no_year(reference)}: {total_attacks} "
        f"reported attacks ({counts}), dates not given. US strikes on {strike_days}. Other events: "
        + "; ".join(f"{row.when}: {row.event} ({row.status})" for row in shown[~shown["is_us_response"]].itertuples())
        + "."
    )
    band = pd.DataFrame({
        "start": [period_start.isoformat()], "end": [(reference + dt.timedelta(days=1)).isoformat()],
        "event": [f"{total_attacks} reported attacks on US interests ({counts}); the article gives no dates"],
        "when": [f"{day_no_year(period_start)} – {day(reference)}"], "status": ["happened"],
        "claim_id": ["; ".join([*attacks["claim_id"], attacks["period_claim_id"].iloc[0]])],
    })
    marks = shown.assign(kind=shown["is_us_response"].map({True: "strike", False: "other"}),
                         label=shown["date"].map(_short))[["start", "end", "when", "event", "status", "precision",
                                                             "claim_id", "kind", "label"]]

    def draw(layout: Layout):
        narrow = layout.name == "narrow"
        rows = ["Attacks", "US strikes", "Other"] if narrow else ["Reported attacks", "US strikes", "Other events"]
        row_room = left_axis(rows, layout, weight=700)
        y = alt.Y("row:N", title=None, sort=rows, scale=alt.Scale(domain=rows),
                  axis=alt.Axis(ticks=False, domain=False, labelLimit=0, labelFontWeight=700, labelPadding=AXIS_GAP))
        months = [1, 4, 7, 10] if narrow else [1, 3, 5, 7, 9, 11]
        # the scale and axis are declared once, on a layer without x2: Vega-Lite 6 otherwise parses
        # the domain twice and warns of a conflict
        x = alt.X("start:T", title=None, scale=alt.Scale(type="utc", domain=[f"{first}", f"{last + dt.timedelta(days=1)}"]),
                  axis=alt.Axis(format="%b", values=[alt.DateTime(year=year, month=m, date=1, utc=True) for m in months],
                                grid=True, tickSize=4, labelAlign="left", labelFlush=False, labelPadding=4))
        tooltip = [alt.Tooltip("event:N", title="What"), alt.Tooltip("when:N", title="When"),
                   alt.Tooltip("status:N", title="Status"), alt.Tooltip("claim_id:N", title="Claim")]
        colours = PALETTES["light"]
        attacks_band = alt.Chart(band.assign(row=rows[0])).mark_bar(height=18, color=colours["primary"], opacity=0.3).encode(
            x="start:T", x2="end:T", y=y, tooltip=tooltip)
        band_label = alt.Chart(band.assign(row=rows[0], label="30 reported, undated" if narrow else
                                           f"{total_attacks} reported attacks, no dates given")).mark_text(
            align="left", dx=4, fontWeight=700).encode(x="start:T", y=y, text="label:N")
        strikes = marks[marks["kind"] == "strike"].assign(row=rows[1])
        strike_dots = alt.Chart(strikes).mark_point(filled=True, size=140, shape="triangle-down",
                                                    color=colours["accent"], opacity=1).encode(x=x, y=y, tooltip=tooltip)
        strike_labels = alt.Chart(strikes).mark_text(dy=-16, fontWeight=700, color=colours["accent"]).encode(
            x="start:T", y=y, text="label:N")
        others = marks[marks["kind"] == "other"].assign(row=rows[2])
        spans = alt.Chart(others[others["precision"] != "day"]).mark_bar(height=10, color=colours["neutral"]).encode(
            x="start:T", x2="end:T", y=y, tooltip=tooltip)
        dots = alt.Chart(others[others["precision"] == "day"]).mark_point(size=60, color=colours["neutral"], opacity=1).encode(
            x="start:T", y=y, tooltip=tooltip,
            fill=alt.condition("datum.status == 'planned'", alt.value("transparent"), alt.value(colours["neutral"])))
        notes = pd.DataFrame({
            "start": [reference.isoformat(), last.isoformat()], "row": [rows[2]] * 2,
            "label": ["Meeting" if narrow else f"Meeting, {_short(reference)}",
                      "Planned end" if narrow else "Combat mission ends (planned)"],
            "align": ["right", "right"], "dy": [-14, 14],
        })
        note_marks = [alt.Chart(notes.iloc[[i]]).mark_text(align="right", dx=4 if i else -6, dy=int(notes["dy"][i]),
                                                           color=colours["muted"]).encode(x="start:T", y=y, text="label:N")
                      for i in range(len(notes))]
        layered = alt.layer(strike_dots, attacks_band, band_label, strike_labels, spans, dots, *note_marks).properties(
            width=round(_inner(layout) - row_room), height=alt.Step(46))
        return _framed(layered, layout, title, subtitle, source_line, description, row_room)

    table = events[["when", "event", "precision", "status", "claim_id"]].rename(columns={
        "when": "When", "event": "Event", "precision": "Date given to the", "status": "Status", "claim_id": "claim"})
    return ExplainerChart(
        slug="us-responses-timeline", draw=draw, title=title, subtitle=subtitle, source=source_line,
        description=description, table=table,
        table_caption="Dated events of the article, at the precision it gives them",
        claim_ids=(*events["claim_id"], *attacks["claim_id"], attacks["period_claim_id"].iloc[0]),
    )
