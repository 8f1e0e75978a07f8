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


def test_timeline_draws_each_event_at_its_precision_and_no_attack(built):
    chart, events = built["us-responses-timeline"]
    rows = next(d for d in _datasets(chart.spec()) if d and "event" in d[0])
    assert [r["claim_id"] for r in rows] == list(events["claim_id"])
    for row, event in zip(rows, events.itertuples(), strict=True):
        assert row["start"] == event.date.isoformat()
        assert pd.Timestamp(row["end"]) - pd.Timestamp(event.date_end) == pd.Timedelta(
            days=1
        )  # span covers the last day
        assert row["precision"] == event.precision
    assert not any("attack" in r["event"].lower() for r in rows), "the article dates no attack"
    spec = json.dumps(chart.spec())
    assert "datum.precision == 'month' || datum.precision == 'year'" in spec  # spans for months and years


@pytest.mark.parametrize("slug", ["attacks-by-country", "attacks-and-responses", "us-responses-timeline"])
def test_each_chart_has_title_subtitle_source_description(built, slug):
    chart, _ = built[slug]
    spec = chart.spec()
    assert spec["title"]["text"] == chart.title and spec["title"]["subtitle"] == chart.subtitle
    assert spec["description"].startswith(chart.title) and len(chart.description) > 40
    assert chart.source.startswith("Source: ")
    assert chart.source in json.dumps(spec, ensure_ascii=False)


@pytest.mark.parametrize("slug", ["attacks-by-country", "attacks-and-responses", "us-responses-timeline"])
def test_svg_carries_labels_and_accessible_description(built, slug):
    chart, _ = built[slug]
    svg = chart.svg()
    root = re.match(r"<svg\b[^>]*>", svg).group()
    assert 'role="img"' in root and "aria-label=" in root
    assert f"<title>{chart.title}</title>" in svg
    assert "<desc>" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert chart.title in texts and chart.source in texts
    if slug == "attacks-by-country":
        assert {"Iraq", "Syria", "27", "3"} <= set(texts)


def test_figure_html_is_static_first(built):
    chart, _ = built["attacks-by-country"]
    markup = chart.figure_html()
    assert markup.count("<svg") == 1 and "<script src" not in markup and "http" not in markup.split("<svg")[0]
    assert "<script" not in markup  # the interactive layer fetches data/charts/SLUG.vl.json after first paint
    assert f'data-chart="{chart.slug}"' in markup
    assert "<table" in markup and 'href="#claim-attacks-iraq"' in markup


@pytest.mark.parametrize("slug", ["attacks-by-country", "attacks-and-responses", "us-responses-timeline"])
def test_exports_exist_and_agree_with_the_spec(built, slug):
    chart, _ = built[slug]
    for ext in ("vl.json", "svg", "dark.svg", "png", "csv"):
        assert (EXPORTS / f"{slug}.{ext}").stat().st_size > 0
    assert json.loads((EXPORTS / f"{slug}.vl.json").read_text(encoding="utf-8")) == chart.spec()
    assert (EXPORTS / f"{slug}.svg").read_text(encoding="utf-8") == chart.svg()
    exported = pd.read_csv(EXPORTS / f"{slug}.csv")
    assert list(exported.columns) == list(chart.table.columns) and len(exported) == len(chart.table)
    png = (EXPORTS / f"{slug}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    svg_width = float(re.search(r'width="([\d.]+)"', chart.svg()).group(1))
    assert width == pytest.approx(2 * svg_width, abs=2)  # PNG at 2x


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
    dark = Path(EXPORTS / "attacks-by-country.dark.svg").read_text(encoding="utf-8")
    assert charts.PALETTES["dark"]["background"] in dark


def test_dark_svg_keeps_no_light_mark_colour():
    dark = Path(EXPORTS / "attacks-by-country.dark.svg").read_text(encoding="utf-8")
    for role in ("muted", "primary", "text"):
        assert charts.PALETTES["light"][role] not in dark, role
