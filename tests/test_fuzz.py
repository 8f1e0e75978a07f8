"""Fuzzed annotations never crash: every damaged input ends in ``error:`` lines, never a traceback.

Hypothesis mutates the real annotation files, ``seeds/claims.yml``, ``seeds/article.yml`` and
``data/corrections.csv``:

* structurally: a node set to a value of any YAML type, deleted, duplicated (a list item, or a
  key given twice), or a key renamed (to another key, to nonsense, or to a number);
* textually: the file truncated, random bytes inserted or overwritten, a line dropped or doubled.

Each mutated set of files goes through what ``python -m explainer check`` (and the first step of
``make data``) runs before anything is executed or written: the schema, the ledger, the corrections
log and the tables rebuilt from the ledger compared with ``data/``. The only exception allowed out
is an InputError whose every line names a file (and, where it has one, the line). The cheapest
path, in process: the fuzzing runs well under the test suite's budget. A sample of the failures
is then run through the real command, ``python -m explainer build`` on a copy of the project,
which must print the same errors and leave ``site/``, ``data/`` and the notebooks unchanged.

The examples are derandomized (see conftest.py): CI runs the same inputs every time.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from explainer.build.project_copy import copy_project, run_explainer
from explainer.build.verify import verify_data
from explainer.claims import load_ledger
from explainer.errors import InputError
from explainer.inputs import check_corrections
from explainer.paths import PROJECT_ROOT
from explainer.seed import load_article
from explainer.tables import read_table, tables_from_ledger
from support import checksums

ANNOTATIONS = {"article.yml": "seeds", "claims.yml": "seeds", "corrections.csv": "data"}
ORIGINAL = {name: (PROJECT_ROOT / folder / name).read_bytes() for name, folder in ANNOTATIONS.items()}
SEED = PROJECT_ROOT / "seeds" / load_article().path.name
STORED = {name: read_table(name, PROJECT_ROOT / "data") for name in tables_from_ledger(load_ledger())}
TABLES = [f"{name}.csv" for name in STORED]  # a table that no longer agrees with the ledger
# An error line: the file (as given, or relative to the project), an optional line, a message.
ERROR_LINE = re.compile(r"^(?P<file>[^\n:]+?)(?::(?P<line>\d+))?: (?P<message>\S.*)$")
# Test budget: >= 500 fuzzed inputs in all (the bar), split across the strategies below.
EXAMPLES = {"claims": 200, "article": 110, "text": 150, "corrections": 60}


def check_inputs(folder: Path) -> InputError | None:
    """What `make check` does before anything runs, on the annotation files in ``folder``."""
    try:
        article = load_article(folder / "article.yml")
        ledger = load_ledger(folder / "claims.yml", article)
        check_corrections(folder / "corrections.csv", {claim.id for claim in ledger.claims})
        verify_data(ledger, PROJECT_ROOT / "data", stored=STORED)
    except InputError as error:
        return error
    return None


def assert_one_line_per_problem(error: InputError | None, folder: Path) -> None:
    if error is None:
        return
    lines = str(error).split("\n")
    assert 1 <= len(lines) <= 13, lines  # every violation of one file, at most 12 shown and a count
    for line in lines:
        assert len(line.splitlines()) == 1, line  # no other line break (\r, \x1c, \u2028...) inside
        match = ERROR_LINE.match(line)
        assert match, line
        named = Path(match["file"])
        # the file at fault: an annotation file, the seed file article.yml names, or a table
        assert named.name in (*ANNOTATIONS, *TABLES) or named.parent == folder, line
        assert "Traceback" not in line


@pytest.fixture(scope="module")
def folder():
    """One scratch folder whose annotation files each example overwrites (with the seed beside them)."""
    path = Path(tempfile.mkdtemp(prefix="fuzz-"))
    shutil.copyfile(SEED, path / SEED.name)
    yield path
    shutil.rmtree(path, ignore_errors=True)


_ON_DISK: dict[tuple[Path, str], bytes] = {}


def write_inputs(folder: Path, **changed: bytes) -> None:
    """The annotation files in ``folder``: the originals, except those ``changed`` (a file is only
    written when its bytes differ from what the last example left)."""
    for name, original in ORIGINAL.items():
        content = changed.get(name, original)
        if _ON_DISK.get((folder, name)) != content:
            (folder / name).write_bytes(content)
            _ON_DISK[(folder, name)] = content


# ---------------------------------------------------------------------------------------------
# Structural mutations of the YAML documents


class Pairs(list):
    """A mapping written as (key, value) pairs: lets a mutation give one key twice."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


_Dumper.add_representer(Pairs, lambda dumper, pairs: dumper.represent_mapping("tag:yaml.org,2002:map", list(pairs)))


def dump(document) -> bytes:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200).encode("utf-8")


def node_paths(node, path=()):
    """Every node's path in a loaded document (the root excluded)."""
    found = []
    if isinstance(node, Pairs):  # already given a key twice: left as it is
        return found
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append((*path, key))
        found += node_paths(child, (*path, key))
    return found


def _scalars(node) -> list:
    if isinstance(node, dict):
        return [v for child in node.values() for v in _scalars(child)] + list(node)
    if isinstance(node, list):
        return [v for child in node for v in _scalars(child)]
    return [node]


DOCUMENTS = {name: yaml.safe_load(ORIGINAL[name]) for name in ("article.yml", "claims.yml")}
KNOWN = sorted({repr(v): v for doc in DOCUMENTS.values() for v in _scalars(doc)}.items())

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=40)
    | st.dates()
    | st.datetimes()
    | st.sampled_from([value for _, value in KNOWN])  # a value that belongs elsewhere in the files
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=8,
)
new_keys = st.sampled_from(sorted({k for doc in DOCUMENTS.values() for p in node_paths(doc) for k in p[-1:]
                                   if isinstance(k, str)})) | st.text(max_size=12) | st.integers() | st.booleans()


def parent_of(document, path):
    node = document
    for part in path[:-1]:
        node = node[part]
    return node


def mutate(document, data: st.DataObject) -> object:
    """One structural mutation of ``document`` (changed in place, and returned)."""
    paths = node_paths(document)
    if not paths:
        return data.draw(yaml_values)
    path = data.draw(st.sampled_from(paths), label="path")
    parent, key = parent_of(document, path), path[-1]
    operation = data.draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "rename"]), label="operation")
    if operation == "replace":  # half the time a value of the right type, taken from elsewhere, to get past the schema
        plausible = data.draw(st.booleans(), label="plausible")
        parent[key] = data.draw(st.sampled_from([v for _, v in KNOWN]) if plausible else yaml_values, label="value")
    elif operation == "delete":
        del parent[key]
    elif operation == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    elif operation == "duplicate":  # the key twice, the second time with a value of its own
        pairs = Pairs(parent.items())
        pairs.insert(list(parent).index(key) + 1, (key, data.draw(yaml_values | st.just(parent[key]), label="value")))
        return _replace(document, path[:-1], pairs)
    elif isinstance(parent, dict):  # rename: another key, nonsense, or not text at all
        new = data.draw(new_keys, label="new key")
        pairs = Pairs((new if k == key else k, v) for k, v in parent.items())
        return _replace(document, path[:-1], pairs)
    else:  # rename in a list: move the item instead
        parent.append(parent.pop(key))
    return document


def _replace(document, path, value):
    if not path:
        return value
    parent_of(document, path)[path[-1]] = value
    return document


def _structural(name: str, data: st.DataObject) -> bytes:
    document = copy.deepcopy(DOCUMENTS[name])
    for _ in range(data.draw(st.sampled_from([1, 1, 2, 3]), label="mutations")):  # mostly one: more get past the schema
        document = mutate(document, data)
        if isinstance(document, Pairs):  # a root with a key given twice stays as it is
            break
    return dump(document)


def fuzz(examples: int) -> settings:
    """No shrinking: the failing example's draws are printed as they are (shrinking thousands of
    50 ms examples would take minutes)."""
    return settings(max_examples=examples, deadline=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@fuzz(EXAMPLES["claims"])
@given(data=st.data())
def test_structurally_mutated_claims_fail_in_error_lines(folder, data):
    write_inputs(folder, **{"claims.yml": _structural("claims.yml", data)})
    assert_one_line_per_problem(check_inputs(folder), folder)


@fuzz(EXAMPLES["article"])
@given(data=st.data())
def test_structurally_mutated_article_metadata_fails_in_error_lines(folder, data):
    write_inputs(folder, **{"article.yml": _structural("article.yml", data)})
    assert_one_line_per_problem(check_inputs(folder), folder)


# ---------------------------------------------------------------------------------------------
# Textual mutations: bytes, not structure


@st.composite
def damaged_bytes(draw, original: bytes) -> bytes:
    how = draw(st.sampled_from(["truncate", "insert", "overwrite", "drop-line", "double-line"]))
    position = draw(st.integers(0, len(original)))
    if how == "truncate":
        return original[:position]
    if how == "insert":
        return original[:position] + draw(st.binary(min_size=1, max_size=8)) + original[position:]
    if how == "overwrite":
        noise = draw(st.binary(min_size=1, max_size=8))
        return original[:position] + noise + original[position + len(noise):]
    lines = original.split(b"\n")
    index = min(position * len(lines) // max(len(original), 1), len(lines) - 1)
    if how == "drop-line":
        return b"\n".join(lines[:index] + lines[index + 1:])
    return b"\n".join(lines[: index + 1] + lines[index:])


@fuzz(EXAMPLES["text"])
@given(data=st.data())
def test_textually_damaged_annotations_fail_in_error_lines(folder, data):
    name = data.draw(st.sampled_from(["claims.yml", "article.yml"]), label="file")
    write_inputs(folder, **{name: data.draw(damaged_bytes(ORIGINAL[name]), label="bytes")})
    assert_one_line_per_problem(check_inputs(folder), folder)


cells = st.text(max_size=20) | st.sampled_from(["2021-02-30", "2021-07-26", "26/07/2021", "corrected", "added",
                                                 "removed", "us-troops-in-iraq", "no-such-claim", "", '"', "a,b"])


@st.composite
def corrections_logs(draw) -> bytes:
    """A log with rows of any cells, or the real (empty) log damaged byte by byte."""
    if draw(st.booleans()):
        return draw(damaged_bytes(ORIGINAL["corrections.csv"] + b"2021-07-27,us-troops-in-iraq,corrected,Typo\n"))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=6), max_size=4))
    header = draw(st.sampled_from(["date,claim_id,action,reason", "date,claim,action,reason", ""]))

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value

    return (header + "\n" + "".join(",".join(cell(c) for c in row) + "\n" for row in rows)).encode("utf-8")


@fuzz(EXAMPLES["corrections"])
@given(log=corrections_logs())
def test_damaged_corrections_log_fails_in_error_lines(folder, log):
    write_inputs(folder, **{"corrections.csv": log})
    assert_one_line_per_problem(check_inputs(folder), folder)


def test_the_fuzzing_budget_meets_the_bar():
    assert sum(EXAMPLES.values()) >= 500


def test_the_unmutated_files_pass(folder):
    write_inputs(folder)
    assert check_inputs(folder) is None  # so that a failure above is the mutation's doing


# ---------------------------------------------------------------------------------------------
# A sample of the failures, through the real command: same errors, nothing changed


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with a site/ (the built one if there is one: the test only needs files
    to stay unchanged)."""
    root = copy_project(tmp_path_factory.mktemp("project"), with_site=False)
    if (PROJECT_ROOT / "site").is_dir():
        shutil.copytree(PROJECT_ROOT / "site", root / "site")
    else:
        (root / "site").mkdir()
        (root / "site" / "index.html").write_text("<!doctype html><title>A built page</title>\n", encoding="utf-8")
    return root


@pytest.mark.slow  # builds a project copy end to end
@settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_sample_of_failures_prints_the_same_errors_and_changes_nothing(folder, project, data):
    name = data.draw(st.sampled_from(["claims.yml", "article.yml"]), label="file")
    mutated = _structural(name, data) if data.draw(st.booleans(), label="structural") else \
        data.draw(damaged_bytes(ORIGINAL[name]), label="bytes")
    write_inputs(folder, **{name: mutated})
    expected = check_inputs(folder)
    assume(expected is not None)
    target = project / ANNOTATIONS[name] / name
    target.write_bytes(mutated)
    before = checksums(project)
    try:
        result = run_explainer(project, "build")
    finally:
        target.write_bytes(ORIGINAL[name])
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    printed = [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]
    in_process = str(expected).split("\n")

    def normal(line: str) -> str:  # the same error, whichever folder the files were in
        return line.replace(str(folder) + "/", "").replace("seeds/", "").replace("data/", "")

    assert [normal(line) for line in printed] == [normal(line) for line in in_process]
    assert checksums(project) == before, "a failed build changed site/, data/ or the notebooks"
