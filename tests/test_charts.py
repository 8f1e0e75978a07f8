"""Charts say exactly what the tables say, carry their title, description and source, and
their exports agree with the spec."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from explainer import charts
from explainer.paths import PROJECT_ROOT
from explainer.tables import read_table

DATA = PROJECT_ROOT / "data"
EXPORTS = DATA / "charts"
SLUGS = ["attacks-by-country", "attacks-and-responses", "us-responses-timeline"]


@pytest.fixture(scope="module")
def built():
    attacks = read_table("attacks_by_country", DATA)
    responses = read_table("us_responses", DATA)
    events = read_table("events", DATA)
    derived = read_table("derived_figures", DATA)
    return {
        "attacks-by-country": (charts.attacks_by_country_chart(attacks, derived), attacks),
        "attacks-and-responses": (charts.attacks_and_responses_chart(attacks, responses, derived), responses),
        "us-responses-timeline": (charts.responses_timeline_chart(events, attacks, derived), events),
    }


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec["datasets"].values())


def test_attack_bars_encode_the_table(built):
    chart, attacks = built["attacks-by-country"]
    rows = next(d for d in _datasets(chart.spec()) if d and "country" in d[0])
    assert {r["country"]: r["attacks"] for r in rows} == dict(zip(attacks["country"], attacks["attacks"], strict=True))
    assert {r["claim_id"] for r in rows} == set(attacks["claim_id"])


def test_attacks_and_responses_encode_the_tables(built):
    chart, responses = built["attacks-and-responses"]
    attacks = read_table("attacks_by_country", DATA)
    rows = next(d for d in _datasets(chart.spec()) if d and "measure" in d[0])
    assert [r["count"] for r in rows] == [attacks["attacks"].sum(), len(responses)]


def test_timeline_keeps_spans_as_spans_and_gives_no_attack_a_date(built):
    chart, events = built["us-responses-timeline"]
    spec = chart.spec()
    rows = [row for data in _datasets(spec) for row in data]
    drawn = {row["claim_id"]: row for row in rows if "claim_id" in row}
    in_year = events[events["date"].map(lambda d: d.year) == 2021]
    for event in in_year.itertuples():
        row = drawn[event.claim_id]
        assert row["start"] == event.date.isoformat()
        assert pd.Timestamp(row["end"]) - pd.Timestamp(event.date_end) == pd.Timedelta(days=1)  # the span's last day included
    band = next(row for row in rows if "no dates" in str(row.get("event", "")))
    attacks = read_table("attacks_by_country", DATA)
    assert band["start"] == attacks["period_start"].iloc[0].isoformat()  # one count over the period, never dates
    assert not any("attack" in str(r.get("event", "")).lower() for r in rows if r is not band and "start" in r
                   and r["start"] == r.get("end"))
    assert len(chart.table) == len(events), "every event, 2020 included, is in the data table"
    for day in ("25 Feb", "28 Jun"):
        assert any(r.get("label") == day for r in rows), day


@pytest.mark.parametrize("slug", SLUGS)
def test_each_chart_has_title_subtitle_source_description(built, slug):
    chart, _ = built[slug]
    for layout in charts.LAYOUTS:
        spec = chart.spec(layout)
        assert " ".join(spec["title"]["text"]) == chart.title and " ".join(spec["title"]["subtitle"]) == chart.subtitle
        assert spec["description"].startswith(chart.title) and len(chart.description) > 40
        assert chart.source.startswith("Source: ")
        footer = next(row["source"] for data in _datasets(spec) for row in data if "source" in row)
        assert " ".join(footer.split("\n")) == chart.source


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("layout", ["narrow", "wide"])
def test_each_drawing_has_its_width_its_glyphs_and_an_accessible_description(built, slug, layout):
    chart, _ = built[slug]
    svg = chart.svg(layout)
    root = re.match(r"<svg\b[^>]*>", svg).group()
    assert 'role="img"' in root and "aria-label=" in root and f"<title>{chart.title}</title>" in svg
    assert float(re.search(r'width="([\d.]+)"', root).group(1)) <= charts.LAYOUTS[layout].width
    assert 'font-family="Explainer Sans"' in root and "@font-face{font-family:\"Explainer Sans\"" in svg
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 12


def test_figure_html_is_static_first(built):
    chart, _ = built["attacks-by-country"]
    markup = chart.figure_html()
    assert "<script" not in markup and "http" not in markup
    assert markup.count("<source ") == 4 and 'loading="lazy"' in markup and 'alt="' in markup
    assert f'data-chart="{chart.slug}"' in markup
    assert "<table" in markup and 'href="#claim-attacks-iraq"' in markup


@pytest.mark.parametrize("slug", SLUGS)
def test_exports_exist_and_agree_with_the_drawings(built, slug):
    chart, _ = built[slug]
    assert json.loads((EXPORTS / f"{slug}.vl.json").read_text(encoding="utf-8")) == chart.spec()
    for layout in charts.LAYOUTS:
        for scheme in ("light", "dark"):
            assert (EXPORTS / chart.file(layout, scheme, "svg")).read_text(encoding="utf-8") == chart.svg(layout, scheme)
            spec = json.loads((EXPORTS / chart.file(layout, scheme, "vl.json")).read_text(encoding="utf-8"))
            assert spec == chart.spec(layout, scheme)
            png = (EXPORTS / chart.file(layout, scheme, "png")).read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            assert int.from_bytes(png[16:20], "big") == pytest.approx(2 * chart.size(layout)[0], abs=2)  # PNG at 2x
    exported = pd.read_csv(EXPORTS / f"{slug}.csv")
    assert list(exported.columns) == list(chart.table.columns) and len(exported) == len(chart.table)


def test_theme_is_registered_with_light_and_dark_variants():
    import altair as alt

    assert {"explainer-light", "explainer-dark"} <= set(alt.theme.names())
    for palette in charts.PALETTES.values():
        assert len({palette["primary"], palette["accent"], palette["neutral"]}) == 3


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_theme_colours_meet_wcag_aa_contrast(variant):
    palette = charts.PALETTES[variant]
    background = _luminance(palette["background"])
    for role in ("text", "muted", "primary", "accent", "neutral"):
        colour = _luminance(palette[role])
        lighter, darker = max(colour, background), min(colour, background)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (variant, role)


def test_dark_svg_uses_the_dark_background():
    dark = Path(EXPORTS / "attacks-by-country.wide.dark.svg").read_text(encoding="utf-8")
    assert charts.PALETTES["dark"]["background"] in dark


def test_dark_svg_keeps_no_light_mark_colour():
    dark = Path(EXPORTS / "attacks-by-country.wide.dark.svg").read_text(encoding="utf-8")
    for role in ("muted", "primary", "text"):
        assert charts.PALETTES["light"][role] not in dark, role
