"""Tidy tables from the claims ledger: one observation per row, one variable per column.

Every row carries the id of the claim it comes from; derived figures name all of theirs.
Tables are written with the column order and types of ``schema.TABLES``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .claims import Ledger
from .errors import InputError
from .inputs import read_corrections
from .paths import data_dir, relative
from .schema import TABLES, column_names

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def claims_table(ledger: Ledger) -> pd.DataFrame:
    """The ledger as a table: one row per claim, in the annotation file's order."""
    rows = [
        {
            "claim_id": c.id,
            "measure": c.measure,
            "kind": c.kind,
            "value": c.value,
            "unit": c.unit,
            "date": c.date,
            "date_end": c.date_end,
            "precision": c.precision,
            "date_rule": c.date_rule,
            "figure": c.figure,
            "quote": c.quote,
            "quote_start": c.anchor.quote_start,
            "quote_end": c.anchor.quote_end,
            "figure_start": c.anchor.figure_start,
            "figure_end": c.anchor.figure_end,
            "sentence": c.sentence,
            "attribution": c.attribution,
            "attribution_quote": c.attribution_quote,
            "role": c.role,
            "event": c.event,
            "status": c.status,
            "period_claim_id": c.period,
            "country": c.about.get("country"),
            "action": c.about.get("action"),
            "location": c.about.get("location"),
        }
        for c in ledger.claims
    ]
    return typed(pd.DataFrame(rows), "claims")


def excluded_table(ledger: Ledger) -> pd.DataFrame:
    rows = [
        {
            "figure": e.figure,
            "quote": e.quote,
            "figure_start": e.anchor.figure_start,
            "figure_end": e.anchor.figure_end,
            "reason": e.reason,
        }
        for e in ledger.exclusions
    ]
    return typed(pd.DataFrame(rows), "excluded_numbers").sort_values("figure_start", ignore_index=True)


def attacks_by_country(claims: pd.DataFrame) -> pd.DataFrame:
    """Reported attacks per country, with the period they cover taken from the period claim."""
    periods = claims.set_index("claim_id")[["date", "date_end"]]
    table = (
        claims.loc[claims["role"] == "attacks"]
        # the period claim gives the span the count covers ("this year", to the reference date)
        .join(periods.rename(columns={"date": "period_start", "date_end": "period_end"}), on="period_claim_id")
        .rename(columns={"value": "attacks", "attribution": "source"})
    )
    return typed(table, "attacks_by_country")


def us_responses(claims: pd.DataFrame) -> pd.DataFrame:
    """Each dated US response; their number must equal the article's own count of responses."""
    table = claims.loc[claims["role"] == "us-response"].sort_values("date")
    stated = claims.loc[claims["role"] == "us-response-count"]
    for _, count in stated.iterrows():
        if count["value"] != len(table):
            raise InputError(
                "data/claims.csv",
                f"claim {count['claim_id']!r} says the US responded {count['value']} times, "
                f"but the ledger dates {len(table)} responses ({', '.join(table['claim_id'])})",
            )
    return typed(table, "us_responses")


def events(claims: pd.DataFrame) -> pd.DataFrame:
    """Every dated event, at its stated precision, in date order."""
    table = (
        claims.loc[claims["event"].notna()]
        .assign(is_us_response=lambda t: t["role"].eq("us-response").fillna(False))
        .sort_values(["date", "claim_id"])
    )
    return typed(table, "events")


def derived_figures(claims: pd.DataFrame, attacks: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """Totals and ratios computed from the claims, each naming the claims it uses."""
    by_id = claims.set_index("claim_id")
    counts = claims.loc[claims["role"] == "us-response-count"]
    _require(len(counts) == 1, f"the derived figures need exactly one claim with role 'us-response-count', "
                               f"found {len(counts)}")
    response_count = counts.iloc[0]
    _require(pd.notna(response_count["value"]) and response_count["value"] > 0,
             f"claim {response_count['claim_id']!r} (role 'us-response-count') must be a count of at least 1")
    _require(len(attacks) > 0 and attacks["attacks"].notna().all() and attacks["attacks"].sum() > 0,
             "the derived figures need claims with role 'attacks' that are counts, with at least one attack in all")
    _require(len(responses) > 0 and responses["date"].notna().all(),
             "the derived figures need claims with role 'us-response' that are dates")
    total = int(attacks["attacks"].sum())
    largest = attacks.sort_values("attacks", ascending=False).iloc[0]
    attack_ids = ";".join(attacks["claim_id"])
    first, last = responses["date"].min(), responses["date"].max()
    rows = [
        {
            "figure_id": "total-attacks",
            "label": "Reported attacks on US interests this year, all countries",
            "value": total,
            "unit": "attacks",
            "formula": " + ".join(attacks["claim_id"]),
            "derived_from": attack_ids,
        },
        {
            "figure_id": "largest-country-share",
            "label": f"Share of reported attacks that were in {largest['country']}",
            "value": round(100 * int(largest["attacks"]) / total, 1),
            "unit": "percent",
            "formula": f"100 × {largest['claim_id']} / total-attacks",
            "derived_from": attack_ids,
        },
        {
            "figure_id": "attacks-per-us-response",
            "label": "Reported attacks per US response",
            "value": round(total / int(response_count["value"]), 1),
            "unit": "attacks per response",
            "formula": f"total-attacks / {response_count['claim_id']}",
            "derived_from": f"{attack_ids};{response_count['claim_id']}",
        },
        {
            "figure_id": "days-between-us-responses",
            "label": "Days between the first and the last US response",
            "value": (last - first).days,
            "unit": "days",
            "formula": f"{responses['claim_id'].iloc[-1]} − {responses['claim_id'].iloc[0]}",
            "derived_from": ";".join(responses["claim_id"]),
        },
    ]
    assert set(";".join(r["derived_from"] for r in rows).split(";")) <= set(by_id.index)
    return typed(pd.DataFrame(rows).assign(derived=True), "derived_figures")


def _require(condition: bool, message: str) -> None:
    """The tables' assumptions about the ledger's roles, as an error naming the annotations."""
    if not condition:
        raise InputError("seeds/claims.yml", message)


def typed(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The schema's columns, in the schema's order, with nullable pandas types."""
    fields = TABLES[name]["fields"]
    table = table.reindex(columns=[f["name"] for f in fields]).reset_index(drop=True)
    for field in fields:
        column = table[field["name"]]
        if field["type"] == "date":
            table[field["name"]] = pd.to_datetime(column).dt.date
        else:
            table[field["name"]] = column.astype(_PANDAS_TYPES[field["type"]])
    return table


def table_path(name: str, folder: Path | None = None) -> Path:
    return (folder or data_dir()) / f"{name}.csv"


def write_table(table: pd.DataFrame, name: str) -> Path:
    """Write a table as CSV with the schema's columns; the same table always gives the same bytes."""
    path = table_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    typed(table, name).to_csv(path, index=False, lineterminator="\n")
    return path


def read_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    path = table_path(name, folder)
    if not path.exists():
        raise InputError(relative(path), "table not found; run `make data` first")
    if name == "corrections":  # kept by hand: its schema first, with lines and columns (inputs.Correction)
        read_corrections(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if list(raw.columns) != column_names(name):
        raise InputError(
            relative(path), f"columns {list(raw.columns)} differ from the schema's {column_names(name)}", line=1
        )
    for field in TABLES[name]["fields"]:
        if field["type"] == "boolean":
            raw[field["name"]] = raw[field["name"]].map({"True": True, "False": False})
    return typed(raw, name)


def datapackage(folder: Path | None = None) -> dict:
    """The Frictionless Data Package descriptor for every table, built from ``schema.TABLES``."""
    resources = []
    for name, table in TABLES.items():
        schema = {"fields": table["fields"]}
        if "primaryKey" in table:
            schema["primaryKey"] = table["primaryKey"]
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "title": table["title"],
                "description": table["description"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "us-iraq-combat-mission-explainer",
        "title": "Figures of Rudaw's report on the Biden–Kadhimi meeting, July 2021",
        "description": "Every figure of one Rudaw English article, each traced to its exact quote, as tidy tables.",
        "licenses": [LICENSE],
        "sources": [
            {
                "title": "Rudaw English: “Biden: US combat mission in Iraq will be over by end of year”",
                "path": "https://www.rudaw.net/english",
            }
        ],
        "resources": resources,
    }


def write_datapackage() -> Path:
    path = data_dir() / "datapackage.json"
    path.write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def validate_datapackage(folder: Path | None = None) -> None:
    """Validate every table against the package with Frictionless; raise InputError on the first error."""
    from frictionless import Package

    path = (folder or data_dir()) / "datapackage.json"
    report = Package(str(path)).validate()
    if not report.valid:
        task = next(t for t in report.tasks if not t.valid)
        error = task.errors[0]
        line = getattr(error, "row_number", None)
        raise InputError(
            relative(path.parent / task.name.replace("-", "_")) + ".csv",
            f"fails the data package schema: {error.message}",
            line=line,
        )


def tables_from_ledger(ledger: Ledger) -> dict[str, pd.DataFrame]:
    """Every generated table, rebuilt from the seed: what ``data/`` must hold."""
    claims = claims_table(ledger)
    attacks = attacks_by_country(claims)
    responses = us_responses(claims)
    return {
        "claims": claims,
        "excluded_numbers": excluded_table(ledger),
        "attacks_by_country": attacks,
        "us_responses": responses,
        "events": events(claims),
        "derived_figures": derived_figures(claims, attacks, responses),
    }
