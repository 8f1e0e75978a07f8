"""The schema of the annotation files: each violation is one line naming the file, the line, the key
path, and what was expected against what was found; the seed path cannot leave seeds/; anything
unforeseen is one line too."""

import os
import re
import sys

import pytest

from explainer import __main__ as cli
from explainer.claims import load_ledger
from explainer.errors import InputError, InputErrors
from explainer.inputs import check_corrections, read_corrections
from explainer.paths import PROJECT_ROOT
from explainer.seed import load_article

SEED_NAME = "000_25aa02f157537d21.txt"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1  # the line the edit starts on


def _load(root):
    return load_ledger(root / "seeds" / "claims.yml", load_article(root / "seeds" / "article.yml"))


def _lines(error: InputError) -> list[str]:
    return [str(e) for e in error.errors] if isinstance(error, InputErrors) else [str(error)]


# The mutations the issue found ending in a traceback, and the one line each must give instead.
CLAIMS_CASES = {
    "boolean-attribution-quote": (
        "    attribution_quote: US President Joe Biden said", "    attribution_quote: true",
        r"claims\[1\]\.attribution_quote \(claim 'combat-mission-end'\): expected text, found true \(a boolean\)"),
    "excluded-entry-a-string": (
        "excluded:\n", "excluded:\n  - just a string\n",
        r"excluded\[0\]: expected a mapping, found 'just a string' \(text\)"),
    "period-a-mapping": (
        "    period: attacks-period\n", "    period: {from: 2021-01-01}\n",
        r"claims\[7\]\.period \(claim 'attacks-iraq'\): expected text, found a mapping"),
    "event-a-number": (
        "    event: Biden and al-Kadhimi meet at the White House", "    event: 5",
        r"claims\[0\]\.event \(claim 'meeting-date'\): expected text, found 5 \(a number\)"),
    "key-given-twice": (
        "    kind: count\n", "    kind: count\n    kind: date\n",
        r"claims\[2\]\.kind: key 'kind' is given twice in this mapping"),
    "unknown-about-label": (
        "about: {country: Iraq}", "about: {contry: Iraq}",
        r"claims\[2\]\.about\.contry \(claim 'us-troops-in-iraq'\): unknown label: expected one of 'country', "
        r"'action' or 'location', found 'contry'"),
    "kind-not-allowed": (
        "    kind: count\n", "    kind: amount\n",
        r"claims\[2\]\.kind \(claim 'us-troops-in-iraq'\): expected one of 'count' or 'date', found 'amount'"),
    "occurrence-zero": (
        "    kind: count\n", "    kind: count\n    occurrence: 0\n",
        r"claims\[2\]\.occurrence \(claim 'us-troops-in-iraq'\): expected a whole number of at least 1, found 0"),
}


@pytest.mark.parametrize("case", CLAIMS_CASES, ids=list(CLAIMS_CASES))
def test_a_schema_violation_is_one_line_with_file_line_path_expected_and_found(annotations_copy, case):
    old, new, expected = CLAIMS_CASES[case]
    path = annotations_copy / "seeds" / "claims.yml"
    line = _edit(path, old, new)
    with pytest.raises(InputError) as error:
        _load(annotations_copy)
    lines = _lines(error.value)
    assert len(lines) == 1, lines
    assert re.fullmatch(rf"{re.escape(str(path))}:(\d+): {expected}.*", lines[0]), lines[0]
    reported = int(re.match(rf"{re.escape(str(path))}:(\d+)", lines[0])[1])
    assert line <= reported <= line + new.count("\n") + 1  # the edited key's own line


def test_every_violation_of_a_file_is_reported_in_line_order(annotations_copy):
    path = annotations_copy / "seeds" / "claims.yml"
    _edit(path, "    attribution_quote: US President Joe Biden said", "    attribution_quote: true")
    _edit(path, "    event: Biden and al-Kadhimi meet at the White House", "    event: 5")
    with pytest.raises(InputErrors) as error:
        _load(annotations_copy)
    lines = _lines(error.value)
    assert [re.search(r"claims\[\d\]\.\w+", line)[0] for line in lines] == ["claims[0].event", "claims[1].attribution_quote"]
    assert [e.line for e in error.value.errors] == sorted(e.line for e in error.value.errors)


def test_a_missing_key_names_the_claim(annotations_copy):
    path = annotations_copy / "seeds" / "claims.yml"
    _edit(path, '    figure: "2,500"\n', "")
    with pytest.raises(InputError, match=r"claims\[2\]\.figure \(claim 'us-troops-in-iraq'\): expected this required "
                                         r"key, found nothing \(missing key 'figure'\)"):
        _load(annotations_copy)


# ---------------------------------------------------------------------------------------------
# Dates


def test_an_impossible_date_fails_in_one_line_naming_the_claim(annotations_copy):
    for name in (SEED_NAME, "claims.yml"):  # the article and its annotation (figure and quote) agree
        path = annotations_copy / "seeds" / name
        text = path.read_text(encoding="utf-8")
        assert "February 25" in text
        path.write_text(text.replace("February 25", "February 30"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        _load(annotations_copy)
    assert _lines(error.value) == [str(error.value)]
    assert re.fullmatch(r".*claims\.yml:\d+: claim 'us-response-february': figure: 'on February 30' is not a real date "
                        r"\(day is out of range for month\)", str(error.value)), str(error.value)


@pytest.mark.parametrize(("written", "found"), [("2021-02-30", r"'2021-02-30' \(not a real date\)"),
                                                ("2021-07-26 10:00:00", r"2021-07-26 10:00:00 \(a date with a time\)"),
                                                ('"26 July 2021"', r"'26 July 2021' \(text\)")])
def test_a_reference_date_that_is_not_a_day_is_refused_with_its_line(annotations_copy, written, found):
    path = annotations_copy / "seeds" / "article.yml"
    line = _edit(path, "reference_date: 2021-07-26", f"reference_date: {written}")
    with pytest.raises(InputError, match=rf"article\.yml:{line}: reference_date: expected a date \(YYYY-MM-DD\), found {found}"):
        load_article(path)


# ---------------------------------------------------------------------------------------------
# The seed path


@pytest.mark.parametrize("file", ["../../../../etc/hostname", "/etc/hostname", "../seeds/" + SEED_NAME, "x" * 5000,
                                  "sub\\..\\..\\x", "."])
def test_the_seed_path_cannot_leave_seeds(annotations_copy, file):
    path = annotations_copy / "seeds" / "article.yml"
    line = _edit(path, f"file: {SEED_NAME}", f"file: {file!r}")
    with pytest.raises(InputError) as error:
        load_article(path)
    message = str(error.value)
    assert re.match(rf".*article\.yml:{line}: file: expected the name of a file in seeds/ \(relative, without '\.\.'\)",
                    message), message
    if os.path.exists("/etc/hostname"):
        hostname = open("/etc/hostname", encoding="utf-8").read().strip()
        assert not hostname or hostname not in message.replace(file[:57], "")  # the file was never read


def test_the_seed_path_must_be_a_file(annotations_copy):
    (annotations_copy / "seeds" / "folder").mkdir()
    path = annotations_copy / "seeds" / "article.yml"
    _edit(path, f"file: {SEED_NAME}", "file: folder")
    with pytest.raises(InputError, match=r"file: expected the name of a file in seeds/, found 'folder' .*not a regular file"):
        load_article(path)


def test_the_seed_path_cannot_leave_seeds_through_a_link(annotations_copy, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret first line\n", encoding="utf-8")
    (annotations_copy / "seeds" / "link.txt").symlink_to(outside)
    path = annotations_copy / "seeds" / "article.yml"
    _edit(path, f"file: {SEED_NAME}", "file: link.txt")
    with pytest.raises(InputError, match=r"file: expected a file inside seeds/, found 'link\.txt'.*link") as error:
        load_article(path)
    assert "Secret" not in str(error.value)


# ---------------------------------------------------------------------------------------------
# The corrections log


def test_a_well_formed_corrections_log_is_read(annotations_copy):
    log = annotations_copy / "data" / "corrections.csv"
    log.write_text('date,claim_id,action,reason\n2021-07-27,us-troops-in-iraq,corrected,"Typo, fixed"\n', encoding="utf-8")
    [(line, correction)] = read_corrections(log)
    assert line == 2 and correction.date.isoformat() == "2021-07-27" and correction.reason == "Typo, fixed"
    assert check_corrections(log, {"us-troops-in-iraq"}) == 1


@pytest.mark.parametrize(("row", "expected"), [
    ("2021-02-30,us-troops-in-iraq,corrected,Typo", r"row 1, column date: expected a real date \(YYYY-MM-DD\), found '2021-02-30'"),
    ("2021-07-27,us-troops-in-iraq,fixed,Typo", r"row 1, column action: expected one of 'corrected', 'added' or 'removed', found 'fixed'"),
    ("2021-07-27,us-troops-in-iraq,corrected", r"row 1: expected 4 cells \(date,claim_id,action,reason\), found 3"),
    ("2021-07-27,no-such-claim,corrected,Typo", r"row 1, column claim_id: expected the id of a claim in seeds/claims\.yml, "
                                                r"found 'no-such-claim'"),
])
def test_a_bad_corrections_row_names_its_line_and_column(annotations_copy, row, expected):
    log = annotations_copy / "data" / "corrections.csv"
    log.write_text(f"date,claim_id,action,reason\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"corrections\.csv:2: {expected}"):
        check_corrections(log, {"us-troops-in-iraq"})


# ---------------------------------------------------------------------------------------------
# The command line: one line per problem; a bug is one line too, its traceback on request


def test_an_unforeseen_error_is_one_line_with_how_to_report_it(monkeypatch, capsys):
    def broken():
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("explainer.build.verify.check", broken)
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: internal error: ZeroDivisionError: division by zero (this is a bug in the explainer")
    assert "--debug" in err

    assert cli.main(["check", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.splitlines()[-1].startswith("error: internal error:")


def test_a_python_without_the_projects_dependencies_is_told_to_use_the_environment(monkeypatch, capsys):
    def outside_the_venv():
        import importlib

        importlib.import_module("no_such_dependency")

    monkeypatch.setattr("explainer.build.verify.check", outside_the_venv)
    monkeypatch.setattr(sys, "prefix", "/usr")  # a system Python
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" not in err
    assert err.startswith("error: no_such_dependency is not installed for ") and ".venv/bin/python -m explainer" in err

    monkeypatch.setattr(sys, "prefix", str(PROJECT_ROOT / ".venv"))  # the project's own, behind its lock file
    assert cli.main(["check"]) == 1
    assert "environment is older than requirements.txt" in capsys.readouterr().err

    def a_bug_of_ours():  # a module of the package itself missing is a bug, not the environment
        raise ModuleNotFoundError("No module named 'explainer.gone'", name="explainer.gone")

    monkeypatch.setattr("explainer.build.verify.check", a_bug_of_ours)
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().err.startswith("error: internal error: ModuleNotFoundError")


def test_several_problems_print_one_error_line_each(monkeypatch, capsys):
    def several():
        raise InputErrors([InputError("seeds/claims.yml", "first\nproblem", line=3), InputError("seeds/claims.yml", "second")])

    monkeypatch.setattr("explainer.build.verify.check", several)
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == ["error: seeds/claims.yml:3: first problem", "error: seeds/claims.yml: second"]
