"""What is committed is what the pipeline produces, and a hand edit of a generated file is never
silently overwritten.

Each test breaks a copy of the project (``project_copy.copy_project``) and runs the real command on
it, as ``make test`` and ``make site`` do.
"""

import json
import re

import pytest

from explainer.build.generated import first_difference
from explainer.build.project_copy import copy_project, run_explainer
from support import checksums

ATTACKS = "data/attacks_by_country.csv"


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project", with_site=False)


def _errors(result) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def _the_one_error(project, *command) -> str:
    """Run ``command`` on the copy: it must fail with exactly one error line and change nothing."""
    before = checksums(project, ("data", "notebooks"))
    result = run_explainer(project, *command)
    errors = _errors(result)
    assert result.returncode == 1, result.stderr[-2000:]
    assert len(errors) == 1, errors
    assert checksums(project, ("data", "notebooks")) == before
    return errors[0]


def _commit_a_wrong_number(root):
    path = root / ATTACKS
    text = path.read_text(encoding="utf-8")
    assert "\nIraq,27," in text
    path.write_text(text.replace("\nIraq,27,", "\nIraq,28,"), encoding="utf-8")


def test_a_committed_wrong_number_fails_verification_naming_its_file(project):
    _commit_a_wrong_number(project)
    error = _the_one_error(project, "verify-committed")  # verifying changes nothing
    assert error.startswith(f"error: {ATTACKS}:2: row 1 (claim 'attacks-iraq'): attacks is 28, but the ledger gives 27")


@pytest.mark.slow  # builds a project copy end to end
def test_a_hand_edited_chart_or_notebook_output_fails_verification_with_the_first_difference(project):
    """Files the ledger cannot rebuild in memory: the whole pipeline runs again in a scratch copy."""
    spec = project / "data" / "charts" / "attacks-by-country.vl.json"
    spec.write_text(spec.read_text(encoding="utf-8").replace('"Iraq"', '"Irak"', 1), encoding="utf-8")
    notebook = project / "notebooks" / "05-explainer-page-parts.ipynb"
    document = json.loads(notebook.read_text(encoding="utf-8"))
    outputs = [o for c in document["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "text/plain" in o.get("data", {})]
    plain = outputs[0]["data"]["text/plain"]
    outputs[0]["data"]["text/plain"] = [plain[0] + " (edited)", *plain[1:]] if isinstance(plain, list) else plain + " (edited)"
    notebook.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    result = run_explainer(project, "verify-committed")
    errors = _errors(result)
    assert result.returncode == 1, result.stderr[-2000:]
    assert len(errors) == 2, errors
    assert re.match(r"error: data/charts/attacks-by-country\.vl\.json:\d+: differs from what the pipeline produces "
                    r"from seeds/: first difference at column \d+: committed '.*Irak.*', the pipeline writes '.*Iraq.*'",
                    errors[0]), errors[0]
    assert re.match(r"error: notebooks/05-explainer-page-parts\.ipynb:\d+: differs .*\(edited\)", errors[1]), errors[1]


@pytest.mark.slow  # builds a project copy end to end
def test_the_build_refuses_to_overwrite_a_hand_edit_and_force_discards_it(project):
    original = (project / ATTACKS).read_bytes()
    _commit_a_wrong_number(project)
    error = _the_one_error(project, "build")
    assert error.startswith(f"error: {ATTACKS}: changed by hand since notebooks/02-tidy-tables.ipynb wrote it")
    assert "seeds/claims.yml" in error and "--force" in error  # the two ways out

    result = run_explainer(project, "data", "--force")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project / ATTACKS).read_bytes() == original


@pytest.mark.slow  # builds a project copy end to end
def test_make_check_names_a_hand_edited_chart_and_its_notebook(project):
    svg = project / "data" / "charts" / "attacks-by-country.wide.svg"
    svg.write_bytes(svg.read_bytes() + b"<!-- touched -->\n")
    error = _the_one_error(project, "check")
    assert error.startswith("error: data/charts/attacks-by-country.wide.svg: changed by hand since "
                                "notebooks/03-chart-attacks.ipynb wrote it")


@pytest.mark.slow  # runs the command line on a project copy, several times
def test_make_check_compares_the_tables_and_leaves_those_an_annotation_edit_outdates_to_make_data(project):
    original = (project / ATTACKS).read_bytes()
    _commit_a_wrong_number(project)
    assert _the_one_error(project, "check").startswith(f"error: {ATTACKS}:2: row 1 (claim 'attacks-iraq')")
    (project / ATTACKS).write_bytes(original)

    claims = project / "seeds" / "claims.yml"  # a valid edit: the quote still anchors
    text = claims.read_text(encoding="utf-8")
    assert "measure: When the US combat mission in Iraq ends\n" in text
    claims.write_text(text.replace("in Iraq ends\n", "in Iraq is to end\n", 1), encoding="utf-8")
    result = run_explainer(project, "check")
    assert result.returncode == 0, result.stderr[-2000:]
    assert ("5 tables in data agree with the ledger, 1 wait for `make data` (written by 01-claims-ledger, which has "
            "not run since what it is made from changed)") in result.stdout


@pytest.mark.slow  # runs the command line on a project copy
def test_a_notebook_run_again_after_a_change_of_its_code_is_not_taken_for_a_hand_edit_of_its_files(project):
    """The README's way to change a chart: edit its code in the notebook and run it (in JupyterLab,
    it writes its files in data/ itself). The build then runs it again rather than refusing."""
    chart = project / "data" / "charts" / "attacks-by-country.wide.svg"
    chart.write_bytes(chart.read_bytes() + b"<!-- as a run in JupyterLab would rewrite it -->\n")
    assert _the_one_error(project, "check").startswith(f"error: {chart.relative_to(project)}: changed by hand")
    _edit_a_stored_output(project / "notebooks" / "03-chart-attacks.ipynb", "import altair as alt", "import altair as  alt")
    result = run_explainer(project, "check")
    assert result.returncode == 0, result.stderr[-2000:]


def _edit_a_stored_output(notebook, old, new):
    text = notebook.read_text(encoding="utf-8")
    assert old in text
    notebook.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow  # runs the command line on a project copy, several times
def test_the_build_refuses_a_hand_edited_notebook_output_and_check_names_it(project):
    """The site shows a notebook's stored outputs: one edited by hand must not be published."""
    notebook = project / "notebooks" / "04-chart-timeline.ipynb"
    _edit_a_stored_output(notebook, "31 December 2021", "30 December 2021")
    for command in ("build", "check"):
        error = _the_one_error(project, command)
        assert error.startswith("error: notebooks/04-chart-timeline.ipynb: its stored outputs were changed since "
                                "the build ran it"), error
        assert "--force" in error


@pytest.mark.slow  # runs the command line on a project copy, several times
def test_outputs_rerun_after_a_change_of_code_are_not_taken_for_a_hand_edit(project):
    """Run again in JupyterLab after editing its code, a notebook's outputs differ too: the build
    re-runs it rather than refusing."""
    notebook = project / "notebooks" / "05-explainer-page-parts.ipynb"
    text = notebook.read_text(encoding="utf-8")
    assert text.count('"execution_count": 2,') == 2  # the cell's and its output's: run in another order
    notebook.write_text(text.replace('"execution_count": 2,', '"execution_count": 12,'), encoding="utf-8")
    refused = _the_one_error(project, "check")  # outputs alone changed: a hand edit
    assert refused.startswith("error: notebooks/05-explainer-page-parts.ipynb: its stored outputs were changed"), refused
    _edit_a_stored_output(notebook, "import json", "import  json")  # and the code (the same program)
    result = run_explainer(project, "check")
    assert result.returncode == 0, result.stderr[-2000:]


def test_first_difference_names_line_and_column_or_byte():
    assert first_difference(b"a\nb,27\n", b"a\nb,28\n") == (
        2, "first difference at column 4: committed 'b,27', the pipeline writes 'b,28'")
    assert first_difference(b"a\n", b"a\nb\n")[0] == 2
    assert first_difference(b"\x89PNG\x00\xff", b"\x89PNG\x00\xfe") == (
        None, "first difference at byte 5 (committed 6 bytes, the pipeline writes 6)")
