"""Charts say exactly what the tables say, carry their title, description and source, and their
exports and notebook outputs agree with one another.

The charts are drawn in notebooks 03 and 04 (nbval checks that the stored outputs are what the
code gives); these tests read what the notebooks exported and stored, as readers and other
programs get it."""

import base64
import json
import re

import pandas as pd
import pytest
import vl_convert as vlc

from explainer.chart_figure import JUPYTER_VEGALITE, accessible_svg, chart_slugs, with_fonts
from explainer.chart_theme import LAYOUTS, PALETTES
from explainer.paths import PROJECT_ROOT
from explainer.tables import read_table
from support import chart_outputs, contrast

DATA = PROJECT_ROOT / "data"
EXPORTS = DATA / "charts"
SLUGS = chart_slugs(EXPORTS)


def _spec(name: str) -> dict:
    return json.loads((EXPORTS / name).read_text(encoding="utf-8"))


def _rows(spec: dict) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows]


def test_every_chart_is_exported_and_shown_by_a_notebook():
    assert len(SLUGS) >= 3
    assert sorted(chart_outputs()) == SLUGS


def test_attack_bars_encode_the_table():
    attacks = read_table("attacks_by_country", DATA)
    rows = [r for r in _rows(_spec("attacks-by-country.vl.json")) if "country" in r]
    assert {r["country"]: r["attacks"] for r in rows} == dict(zip(attacks["country"], attacks["attacks"], strict=True))
    assert {r["claim_id"] for r in rows} == set(attacks["claim_id"])


def test_attacks_and_responses_encode_the_tables():
    attacks, responses = read_table("attacks_by_country", DATA), read_table("us_responses", DATA)
    rows = [r for r in _rows(_spec("attacks-and-responses.vl.json")) if "measure" in r]
    assert [r["count"] for r in rows] == [attacks["attacks"].sum(), len(responses)]


def test_timeline_keeps_spans_as_spans_and_gives_no_attack_a_date():
    events, attacks = read_table("events", DATA), read_table("attacks_by_country", DATA)
    rows = _rows(_spec("us-responses-timeline.vl.json"))
    drawn = {row["claim_id"]: row for row in rows if "claim_id" in row}
    for event in events[events["date"].map(lambda d: d.year) == 2021].itertuples():
        row = drawn[event.claim_id]
        assert row["start"] == event.date.isoformat()
        assert pd.Timestamp(row["end"]) - pd.Timestamp(event.date_end) == pd.Timedelta(days=1)  # the last day included
    band = next(row for row in rows if "no dates" in str(row.get("event", "")))
    assert band["start"] == attacks["period_start"].iloc[0].isoformat()  # one count over the period, never dates
    assert not any("attack" in str(r.get("event", "")).lower() for r in rows if r is not band and "start" in r
                   and r["start"] == r.get("end"))
    assert len(pd.read_csv(EXPORTS / "us-responses-timeline.csv")) == len(events), "every event is in the data table"
    for day in ("25 Feb", "28 Jun"):
        assert any(r.get("label") == day for r in rows), day


@pytest.mark.parametrize("slug", SLUGS)
def test_each_drawing_says_the_same_title_subtitle_source_and_description(slug):
    said = set()
    for layout in LAYOUTS:
        spec = _spec(f"{slug}.{layout}.vl.json")
        title, subtitle = " ".join(spec["title"]["text"]), " ".join(spec["title"]["subtitle"])
        footer = " ".join(next(r["source"] for r in _rows(spec) if "source" in r).split("\n"))
        assert spec["description"].startswith(f"{title}. ") and len(spec["description"]) > len(title) + 40
        assert footer.startswith("Source: ")
        said.add((title, subtitle, footer, spec["description"]))
    assert len(said) == 1, "the narrow and wide drawings word the chart differently"


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_drawing_has_its_width_its_glyphs_and_an_accessible_description(slug, layout):
    spec = _spec(f"{slug}.{layout}.vl.json")
    svg = (EXPORTS / f"{slug}.{layout}.svg").read_text(encoding="utf-8")
    root = re.match(r"<svg\b[^>]*>", svg).group()
    assert 'role="img"' in root and f'aria-label="{spec["description"]}"' in root.replace("&#x27;", "'")
    assert float(re.search(r'width="([\d.]+)"', root).group(1)) <= LAYOUTS[layout].width
    assert 'font-family="Explainer Sans"' in root and "@font-face{font-family:\"Explainer Sans\"" in svg
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 12


@pytest.mark.parametrize("slug", SLUGS)
def test_each_exported_drawing_is_its_exported_spec_drawn(slug):
    wide_light = _spec(f"{slug}.wide.vl.json")
    assert _spec(f"{slug}.vl.json") == wide_light
    title = " ".join(wide_light["title"]["text"])
    for layout in LAYOUTS:
        for suffix in ("", ".dark"):
            spec = _spec(f"{slug}.{layout}{suffix}.vl.json")
            drawn = accessible_svg(with_fonts(vlc.vegalite_to_svg(spec)), title, spec["description"][len(title) + 2:])
            svg = (EXPORTS / f"{slug}.{layout}{suffix}.svg").read_text(encoding="utf-8")
            assert drawn == svg, f"{slug}.{layout}{suffix}.svg is not its spec drawn"
            width = float(re.search(r'width="([\d.]+)"', svg).group(1))
            png = (EXPORTS / f"{slug}.{layout}{suffix}.png").read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            assert int.from_bytes(png[16:20], "big") == pytest.approx(2 * width, abs=2)  # PNG at 2x
    table = pd.read_csv(EXPORTS / f"{slug}.csv")
    assert len(table) >= 1 and len(table.columns) >= 2


@pytest.mark.parametrize("slug", SLUGS)
def test_each_notebook_output_shows_in_every_jupyter_client(slug):
    """JupyterLab draws the Vega-Lite (version 5: what it ships), interactive and safe untrusted;
    the PNG is the fallback; the Markdown is the site's figure; no text/html to be sanitised."""
    output = chart_outputs()[slug]
    data = output["data"]
    assert set(data) == {JUPYTER_VEGALITE, "image/png", "text/markdown", "text/plain"}
    spec = dict(data[JUPYTER_VEGALITE])
    assert spec.pop("$schema") == "https://vega.github.io/schema/vega-lite/v5.json"
    exported = _spec(f"{slug}.wide.vl.json")
    exported.pop("$schema")
    assert {**spec, "config": {}} == {**exported, "config": {}}
    assert spec["config"]["font"].startswith('"Explainer Sans"') and spec["config"]["font"].endswith("sans-serif")
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == output["metadata"]["image/png"]["width"]
    assert data["text/plain"] == spec["description"]
    figure = data["text/markdown"]
    assert figure.startswith("<figure") and "\n\n" not in figure  # one HTML block, in CommonMark as in pandoc
    assert "<script" not in figure and "http" not in figure and 'loading="lazy"' in figure
    assert figure.count("<source ") == 2 * len(LAYOUTS) and f'data-chart="{slug}"' in figure


def test_the_data_tables_link_their_claims_in_the_notebook():
    figure = chart_outputs()["attacks-by-country"]["data"]["text/markdown"]
    assert 'href="#nb03-claim-attacks-iraq"' in figure


def test_theme_is_registered_with_light_and_dark_variants():
    import altair as alt

    import explainer.chart_theme  # noqa: F401 - registers the themes

    assert {"explainer-light", "explainer-dark"} <= set(alt.theme.names())
    for palette in PALETTES.values():
        assert len({palette["primary"], palette["accent"], palette["neutral"]}) == 3


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_theme_colours_meet_wcag_aa_contrast(variant):
    palette = PALETTES[variant]
    for role in ("text", "muted", "primary", "accent", "neutral"):
        assert contrast(palette[role], palette["background"]) >= 4.5, (variant, role)


@pytest.mark.parametrize("slug", SLUGS)
def test_dark_drawings_use_the_dark_background_and_no_light_mark_colour(slug):
    for layout in LAYOUTS:
        dark = (EXPORTS / f"{slug}.{layout}.dark.svg").read_text(encoding="utf-8")
        assert PALETTES["dark"]["background"] in dark
        for role in ("muted", "primary", "text", "accent"):
            assert PALETTES["light"][role] not in dark, role
