"""Every claim's quote sits at its offsets, its value is what the quote says, and every number
of the article is either claimed or excluded with a reason."""

import re

import pytest
import yaml

from explainer.claims import closest_passage, load_ledger
from explainer.errors import InputError
from explainer.readings import read_count, read_date
from explainer.seed import load_article

# The figures the issue asks the ledger to hold, at least.
REQUIRED_CLAIMS = {
    "us-troops-in-iraq",
    "attacks-iraq",
    "attacks-syria",
    "us-responses-count",
    "us-response-february",
    "us-response-june",
    "january-2020-killings",
    "parliament-resolution",
    "combat-mission-end",
    "meeting-date",
    "vaccine-doses",
    "vaccine-delivery",
}


@pytest.fixture(scope="module")
def ledger():
    return load_ledger()


def test_required_claims_are_in_the_ledger(ledger):
    assert REQUIRED_CLAIMS <= {c.id for c in ledger.claims}


def test_quotes_and_figures_sit_at_their_offsets(ledger):
    text = ledger.article.path.read_text(encoding="utf-8")  # read independently of the loader
    for claim in ledger.claims:
        a = claim.anchor
        assert text[a.quote_start : a.quote_end] == claim.quote, claim.id
        assert text[a.figure_start : a.figure_end] == claim.figure, claim.id
        assert a.quote_start <= a.figure_start < a.figure_end <= a.quote_end, claim.id
        assert text.count(claim.quote) == 1, claim.id
        assert claim.quote in claim.sentence, claim.id


def test_values_are_what_the_quotes_say(ledger):
    text = ledger.article.text
    reference = ledger.article.reference_date
    for claim in ledger.claims:
        words = text[claim.anchor.figure_start : claim.anchor.figure_end]
        if claim.kind == "count":
            assert claim.value == read_count(words), claim.id
            assert claim.date is None
        else:
            reading = read_date(words, reference)
            assert (claim.date, claim.date_end, claim.precision) == (reading.start, reading.end, reading.precision)


def test_the_issue_examples(ledger):
    by_id = {c.id: c for c in ledger.claims}
    assert by_id["us-troops-in-iraq"].value == int("2500")
    assert by_id["vaccine-doses"].unit == "doses"
    assert by_id["attacks-syria"].figure == "three"
    assert by_id["us-responses-count"].figure == "twice"
    assert by_id["january-2020-killings"].precision == "month"
    assert by_id["parliament-resolution"].precision == "year"
    assert by_id["combat-mission-end"].date.isoformat() == "2021-12-31"
    assert by_id["dizayee-statement"].date.isoformat() == "2021-07-24"
    assert by_id["attacks-iraq"].attribution == "Data compiled by Rudaw English"


def test_every_exclusion_says_why(ledger):
    # that every number is claimed or excluded, load_ledger enforces (the fixture would fail);
    # test_an_unlisted_number_fails_the_coverage_check shows that it does
    assert ledger.exclusions and all(len(exclusion.reason) > 10 for exclusion in ledger.exclusions)


def _rewrite_claims(annotations_copy, edit):
    path = annotations_copy / "seeds" / "claims.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _load(annotations_copy, claims_path=None):
    article = load_article(annotations_copy / "seeds" / "article.yml")
    return load_ledger(claims_path or annotations_copy / "seeds" / "claims.yml", article)


def test_an_unlisted_number_fails_the_coverage_check(annotations_copy):
    _rewrite_claims(annotations_copy, lambda d: d["excluded"].pop(1))  # "their two nations"
    with pytest.raises(InputError, match=r"'two' in .* is neither a claim's figure nor excluded") as error:
        _load(annotations_copy)
    assert error.value.line == 2


def test_a_changed_figure_names_the_claim_and_the_closest_passage(annotations_copy):
    seed = annotations_copy / "seeds" / "000_25aa02f157537d21.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("2,500 US", "3,500 US"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        _load(annotations_copy)
    message = str(error.value)
    assert "claim 'us-troops-in-iraq'" in message
    assert "There are currently 2,500 US soldiers in Iraq." in message
    assert "There are currently 3,500 US soldiers in Iraq." in message


def test_an_ambiguous_quote_must_be_disambiguated(annotations_copy):
    def shorten(document):
        document["claims"][0]["quote"] = "on Monday"

    _rewrite_claims(annotations_copy, shorten)
    with pytest.raises(InputError, match="occurs 2 times"):
        _load(annotations_copy)


def test_a_hand_typed_figure_in_our_own_words_is_refused(annotations_copy):
    def type_in(document):
        document["claims"][0]["event"] = "Meeting of 2 leaders"

    _rewrite_claims(annotations_copy, type_in)
    with pytest.raises(InputError, match="carries a figure"):
        _load(annotations_copy)


def test_malformed_yaml_names_file_and_line(annotations_copy):
    path = annotations_copy / "seeds" / "claims.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    target = next(i for i, line in enumerate(lines) if line.strip().startswith("quote: There are currently"))
    lines[target] = lines[target].replace("quote:", "quote: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="malformed YAML") as error:
        _load(annotations_copy)
    assert error.value.path.endswith("claims.yml")
    assert error.value.line in (target + 1, target + 2)


def test_unknown_key_names_the_claim_and_line(annotations_copy):
    path = annotations_copy / "seeds" / "claims.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - id: us-troops-in-iraq\n", "  - id: us-troops-in-iraq\n    valeu: 2500\n"), encoding="utf-8"
    )
    line = text[: text.index("  - id: us-troops-in-iraq")].count("\n") + 2  # the line of `valeu:`
    with pytest.raises(InputError, match=r"claims\[2\]\.valeu \(claim 'us-troops-in-iraq'\): unknown key 'valeu'") as error:
        _load(annotations_copy)
    assert error.value.line == line


def test_closest_passage_finds_the_edited_sentence():
    text = "Alpha beta. There were 27 reported attacks on US interests. Gamma delta."
    assert closest_passage(text, "There were 28 reported attacks") == "There were 27 reported attacks"


def test_about_labels_come_from_the_sentence(ledger):
    for claim in ledger.claims:
        for value in claim.about.values():
            assert re.search(re.escape(value), claim.sentence, re.I), (claim.id, value)
