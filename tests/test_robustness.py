"""Robust under bad input: a wrong number cannot slip through, a failed build damages nothing,
and text from the seed is only ever shown, never run.

The property tests edit the seed at random (hypothesis); the end-to-end tests run the real
command (``python -m explainer build``, what ``make site`` runs) on a copy of the project and
compare checksums of ``site/``, ``data/`` and the notebooks before and after.
"""

import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explainer.build.project_copy import copy_project, run_explainer
from explainer.build.verify import verify_data
from explainer.claims import load_ledger
from explainer.errors import InputError
from explainer.paths import PROJECT_ROOT
from explainer.readings import NUMERIC_WORDS
from explainer.seed import load_article
from support import checksums

LEDGER = load_ledger()
ARTICLE = LEDGER.article
TEXT = ARTICLE.text
SEED_NAME = ARTICLE.path.name
# Every character some claim's quote covers, and which claim; where exclusions sit.
QUOTED = {i: c.id for c in LEDGER.claims for i in range(c.anchor.quote_start, c.anchor.quote_end)}
EXCLUDED = {i for e in LEDGER.exclusions for i in range(e.anchor.quote_start, e.anchor.quote_end)}
SOLELY_QUOTED = sorted(i for i, claim in QUOTED.items() if i not in EXCLUDED
                       and sum(c.anchor.quote_start <= i < c.anchor.quote_end for c in LEDGER.claims) == 1)
# Letters a reader could edit without touching a claim: outside every claimed sentence and
# every exclusion, and below the headline (which the metadata pins).
CLAIMED_SENTENCES = {i for c in LEDGER.claims for s in [ARTICLE.sentence_at(c.anchor.figure_start)]
                     for i in range(s.start, s.end)}
FREE_LETTERS = [i for i, ch in enumerate(TEXT) if ch.isalpha() and ch.isascii() and i > TEXT.index("\n")
                and i not in CLAIMED_SENTENCES and i not in EXCLUDED and i not in QUOTED]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds")
    for path in (PROJECT_ROOT / "seeds").iterdir():
        shutil.copyfile(path, folder / path.name)
    return folder


def _ledger_of(seeds, text: str):
    (seeds / SEED_NAME).write_text(text, encoding="utf-8")
    return load_ledger(seeds / "claims.yml", load_article(seeds / "article.yml"))


def _word_at(text: str, index: int) -> tuple[int, int]:
    start, end = index, index
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(position=st.sampled_from([i for i in SOLELY_QUOTED if TEXT[i].isdigit()]), digit=st.sampled_from("0123456789"))
def test_a_changed_digit_in_a_quote_fails_naming_its_claim(seeds, position, digit):
    assume(TEXT[position] != digit)
    edited = TEXT[:position] + digit + TEXT[position + 1:]
    with pytest.raises(InputError, match=rf"claim '{QUOTED[position]}'"):
        _ledger_of(seeds, edited)


@SLOW
@given(position=st.sampled_from([i for i in SOLELY_QUOTED if TEXT[i].isalpha()]),
       word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9))
def test_a_changed_word_in_a_quote_fails_naming_its_claim(seeds, position, word):
    start, end = _word_at(TEXT, position)
    assume(TEXT[start:end].lower() != word)
    edited = TEXT[:start] + word + TEXT[end:]
    with pytest.raises(InputError, match=rf"claim '{QUOTED[position]}'"):
        _ledger_of(seeds, edited)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.sampled_from(FREE_LETTERS), letter=st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_an_edit_touching_no_quote_and_no_number_passes_the_check(seeds, position, letter):
    edited = TEXT[:position] + letter + TEXT[position + 1:]
    start, end = _word_at(edited, position)
    assume(not NUMERIC_WORDS.search(edited[start:end]) and not NUMERIC_WORDS.search(TEXT[start:end]))
    ledger = _ledger_of(seeds, edited)
    assert [c.anchor for c in ledger.claims] == [c.anchor for c in LEDGER.claims]
    assert verify_data(ledger, PROJECT_ROOT / "data")  # every table still agrees with the ledger


def test_the_property_tests_have_room_to_work():
    assert len(SOLELY_QUOTED) > 200 and len(FREE_LETTERS) > 500
    assert {QUOTED[i] for i in SOLELY_QUOTED} == {c.id for c in LEDGER.claims}


# ---------------------------------------------------------------------------------------------
# Broken inputs, end to end: one line naming the file, exit status 1, nothing changed.


@pytest.fixture(scope="module")
def built_copy(tmp_path_factory):
    """A copy of the project with its built site, data and notebooks, as `make site` leaves them."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    result = run_explainer(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _raise_in_a_cell(root):
    path = root / "notebooks" / "02-tidy-tables.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    cell["source"] = ["raise ValueError('a deliberately broken cell')\n", *cell["source"]]
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


BROKEN_INPUTS = {
    "missing-seed": (lambda r: (r / "seeds" / SEED_NAME).unlink(), rf"seeds/{SEED_NAME}: file not found"),
    "missing-metadata": (lambda r: (r / "seeds" / "article.yml").unlink(), r"seeds/article\.yml: file not found"),
    "invalid-utf8": (lambda r: (r / "seeds" / SEED_NAME).write_bytes((r / "seeds" / SEED_NAME).read_bytes()
                                                                    .replace(b"ERBIL", b"ERB\xffL", 1)),
                     rf"seeds/{SEED_NAME}:\d+: invalid UTF-8"),
    "byte-order-mark": (lambda r: (r / "seeds" / "claims.yml").write_bytes(b"\xef\xbb\xbf" + (r / "seeds" / "claims.yml")
                                                                          .read_bytes()),
                        r"seeds/claims\.yml:1: .*byte-order mark"),
    "crlf": (lambda r: (r / "seeds" / "article.yml").write_bytes((r / "seeds" / "article.yml").read_bytes()
                                                                .replace(b"\n", b"\r\n")),
             r"seeds/article\.yml:1: .*CRLF"),
    "malformed-yaml": (lambda r: _replace(r / "seeds" / "claims.yml", "claims:", "claims: [unclosed"),
                       r"seeds/claims\.yml:\d+: malformed YAML"),
    "unknown-annotation-key": (lambda r: _replace(r / "seeds" / "claims.yml", "    kind: count", "    kind: count\n    colour: red"),
                               r"seeds/claims\.yml:\d+: claims\[\d+\]\.colour \(claim '[a-z-]+'\): unknown key 'colour'"),
    "unknown-quarto-key": (lambda r: _replace(r / "_quarto.yml", "  output-dir: site", "  output-dir: site\n  outptu: x"),
                           r"_quarto\.yml:7: project\.outptu: Quarto's schema"),
    "cell-raises": (_raise_in_a_cell,
                    r"notebooks/02-tidy-tables\.ipynb: cell \d+ raised ValueError: a deliberately broken cell"),
    "broken-link": (lambda r: _replace(r / "methods.qmd", "## Reproduce it", "See [the data](dta.qmd).\n\n## Reproduce it"),
                    r"methods\.qmd:\d+: dta\.(?:html|qmd) does not exist in the site \(in site/methods\.html:\d+\)"),
    "no-description": (lambda r: _replace(r / "methods.qmd", "\ndescription:", "\n# description:"),
                       r"methods\.qmd:1: front matter needs a description"),
    "undeclared-output": (lambda r: [(r / "data" / ".ipynb_checkpoints").mkdir(),  # JupyterLab's: not the build's business
                                     (r / "data" / ".ipynb_checkpoints" / "events-checkpoint.csv").write_text("x\n"),
                                     (r / "data" / "charts" / "stray.svg").write_text("<svg/>", encoding="utf-8")],
                          r"data/charts/stray\.svg: is in data/, but no notebook lists it in its metadata"),
    "unknown-shortcode": (lambda r: _replace(r / "methods.qmd", "## Reproduce it", "{{< video intro.mp4 >}}\n\n## Reproduce it"),
                          r"methods\.qmd:\d+: unknown shortcode \{\{< video >\}\}"),
}


@pytest.mark.xdist_group("built-copy")  # one worker builds the copy, not each
@pytest.mark.parametrize("case", BROKEN_INPUTS, ids=list(BROKEN_INPUTS))
def test_broken_input_fails_in_one_line_and_changes_nothing(built_copy, tmp_path, case):
    root = copy_project(tmp_path / "project")  # the built copy's inputs, site/ included
    shutil.rmtree(root / "site")
    shutil.copytree(built_copy / "site", root / "site")
    damage, expected = BROKEN_INPUTS[case]
    damage(root)
    before = checksums(root)  # after the damage: a broken notebook must stay as the author left it

    result = run_explainer(root, "build")

    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(errors) == 1 and re.search(expected, errors[0]), result.stderr[-2000:]
    assert checksums(root) == before, "a failed build changed site/, data/ or the notebooks"


# ---------------------------------------------------------------------------------------------
# Reproducible builds


@pytest.mark.xdist_group("built-copy")
def test_a_forced_rebuild_reproduces_every_file_byte_for_byte(built_copy, tmp_path):
    """Every notebook re-executed and every page re-rendered from scratch: the same bytes."""
    root = copy_project(tmp_path / "project", with_site=False)
    shutil.copytree(built_copy / "site", root / "site")
    before = checksums(root)
    result = run_explainer(root, "build", "--force")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ran 5, skipped 0" in result.stderr
    assert checksums(root) == before
    # what a user reads: the build's own progress lines, nothing from the kernels or the renderer
    stray = [line for line in (result.stdout + result.stderr).splitlines() if not re.match(r"\[(data|site|build)\] ", line)]
    assert stray == []
