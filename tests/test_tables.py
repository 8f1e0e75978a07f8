"""Every table in data/ traces to the ledger, row by row, and the data package validates."""

import json

import pytest

from explainer.build.verify import verify_data
from explainer.claims import load_ledger
from explainer.errors import InputError
from explainer.paths import PROJECT_ROOT
from explainer.schema import TABLES
from explainer.tables import read_table, validate_datapackage

DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def claims():
    return read_table("claims", DATA).set_index("claim_id")


def test_committed_tables_agree_with_the_ledger():
    assert set(verify_data(load_ledger(), DATA)) == {
        "claims",
        "excluded_numbers",
        "attacks_by_country",
        "us_responses",
        "events",
        "derived_figures",
    }


def test_every_row_traces_to_a_claim_with_the_same_value(claims):
    attacks = read_table("attacks_by_country", DATA)
    for row in attacks.itertuples():
        claim = claims.loc[row.claim_id]
        assert (row.attacks, row.country, row.source) == (claim.value, claim.country, claim.attribution)
        period = claims.loc[row.period_claim_id]
        assert (row.period_start, row.period_end) == (period.date, period.date_end)
    for row in read_table("us_responses", DATA).itertuples():
        assert (row.date, row.action, row.location) == tuple(claims.loc[row.claim_id, ["date", "action", "location"]])
    events = read_table("events", DATA)
    for row in events.itertuples():
        claim = claims.loc[row.claim_id]
        assert (row.date, row.date_end, row.precision, row.event) == (
            claim.date,
            claim.date_end,
            claim.precision,
            claim.event,
        )
    assert set(events["claim_id"]) == set(claims.index[claims["event"].notna()])


def test_derived_figures_are_marked_and_computed_from_their_claims(claims):
    derived = read_table("derived_figures", DATA).set_index("figure_id")
    assert derived["derived"].all()
    for sources in derived["derived_from"]:
        assert set(sources.split(";")) <= set(claims.index)
    attack_claims = claims[claims["role"] == "attacks"]
    total = attack_claims["value"].sum()
    assert derived.loc["total-attacks", "value"] == total
    responses = claims.loc[claims["role"] == "us-response-count", "value"].iloc[0]
    assert derived.loc["attacks-per-us-response", "value"] == round(total / responses, 1)


def test_data_package_validates_and_describes_every_table():
    validate_datapackage(DATA)
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"]
    described = {r["path"] for r in package["resources"]}
    assert described == {f"{name}.csv" for name in TABLES}
    for resource in package["resources"]:
        header = (DATA / resource["path"]).read_text(encoding="utf-8").split("\n")[0].split(",")
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["path"]
        assert all(f.get("description") for f in resource["schema"]["fields"])


def test_an_edited_table_value_names_table_row_and_claim(tmp_path):
    for path in DATA.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    attacks = tmp_path / "attacks_by_country.csv"
    attacks.write_text(attacks.read_text(encoding="utf-8").replace("Syria,3,", "Syria,4,"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        verify_data(load_ledger(), tmp_path)
    message = str(error.value)
    assert "attacks_by_country.csv:3" in message
    assert "row 2 (claim 'attacks-syria'): attacks is 4, but the ledger gives 3" in message


def test_a_malformed_table_fails_the_package_validation(tmp_path):
    for path in [*DATA.glob("*.csv"), DATA / "datapackage.json"]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    attacks = tmp_path / "attacks_by_country.csv"
    attacks.write_text(attacks.read_text(encoding="utf-8").replace("Syria,3,", "Syria,-3,"), encoding="utf-8")
    with pytest.raises(InputError, match=r"attacks_by_country\.csv:3: fails the data package schema"):
        validate_datapackage(tmp_path)


def test_tables_are_tidy():
    for name in TABLES:
        table = read_table(name, DATA)
        key = TABLES[name].get("primaryKey")
        if key:
            assert not table.duplicated(key).any(), name
        assert list(table.columns) == [field["name"] for field in TABLES[name]["fields"]], name  # one column per variable
