"""Generated files: never silently overwrite a hand edit, and check that what is committed is what
the pipeline produces.

* ``refuse_hand_edits``: before ``make data`` runs anything, every file a notebook writes must be
  exactly as that notebook last wrote it (the digests in the notebook's ``explainer.output_hashes``
  metadata). A file changed by hand since is refused, naming it and its notebook, with the two ways
  out: make the change in the annotations, or ``--force`` to discard the edit. So is a notebook
  whose stored outputs (what its page shows) differ from those the build recorded
  (``explainer.cell_outputs_hash``) while nothing it is made from changed.
* ``verify_committed`` (``python -m explainer verify-committed``, the first step of ``make test``):
  ``data/``, its charts, the notebooks with their outputs and the README must be byte for byte
  what the pipeline produces from ``seeds/``. The tables are first compared cell by cell with the
  ledger (fast, and it names the row and the claim), then the whole pipeline runs, forced, in a
  scratch copy that starts from the seeds and the hand-kept files only, and every file is compared.
  Nothing of the project is written (except a stamp in ``.build/``, so that an unchanged project is
  not verified twice).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, InputErrors
from ..paths import BUILD_DIR, PROJECT_ROOT, relative
from . import freshness, progress

if TYPE_CHECKING:
    from .pipeline import Notebook

# Files in data/ that people keep by hand: no notebook writes them (no notebook lists them in `writes`).
HAND_KEPT = ("data/corrections.csv",)
_ERROR_LINE = re.compile(r"^error: (?:(?P<path>[^\s:]+)(?::(?P<line>\d+))?: )?(?P<message>.*)$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _recorded_outputs(nb: Notebook) -> dict[str, str]:
    """The digests of the files the notebook wrote when it last ran (from its own metadata)."""
    try:
        metadata = json.loads(nb.path.read_text(encoding="utf-8"))["metadata"]
        return dict(metadata.get("explainer", {}).get("output_hashes", {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: discover() has already refused a damaged notebook


def hand_edits(notebooks: list[Notebook]) -> list[tuple[str, Notebook]]:
    """Generated files that differ from what their notebook last wrote, though the notebook's code
    and inputs did not change (a missing file is not an edit: the build writes it again). When they
    did change (its code was edited, and it may have been run again in JupyterLab, writing its
    files), the build runs it again: what differs then is not a hand edit."""
    import nbformat

    from .pipeline import ran_on_these_inputs

    edited = []
    for nb in notebooks:
        recorded = _recorded_outputs(nb)
        changed = [name for name in nb.writes if name in recorded and (PROJECT_ROOT / name).is_file()
                   and _digest(PROJECT_ROOT / name) != recorded[name]]
        if changed and ran_on_these_inputs(nb, nbformat.read(nb.path, as_version=4)):
            edited += [(name, nb) for name in changed]
    return edited


def edited_notebook_outputs(notebooks: list[Notebook]) -> list[Notebook]:
    """Notebooks whose stored outputs differ from what the build recorded, though nothing they are
    made from changed. (Run again in JupyterLab after a change of code or annotations, a notebook's
    outputs differ too; then the build re-runs it, and what it writes is what the notebook makes.)"""
    import nbformat

    from .pipeline import cell_outputs_hash, ran_on_these_inputs

    edited = []
    for nb in notebooks:
        node = nbformat.read(nb.path, as_version=4)
        recorded = node.metadata.get("explainer", {})
        if ("cell_outputs_hash" in recorded and cell_outputs_hash(node) != recorded["cell_outputs_hash"]
                and ran_on_these_inputs(nb, node)):
            edited.append(nb)
    return edited


def refuse_hand_edits(notebooks: list[Notebook]) -> None:
    """Raise, naming each generated file changed by hand since the last build and its notebook,
    and each notebook whose stored outputs were."""
    force = "run `make data FORCE=1` (`python -m explainer data --force`)"
    problems = [
        InputError(
            name,
            f"changed by hand since {relative(nb.path)} wrote it at the last build, and the build would "
            "overwrite it: make the change in the annotations (seeds/claims.yml, seeds/article.yml) and build "
            f"again, or {force} to discard the hand edit",
        )
        for name, nb in hand_edits(notebooks)
    ] + [
        InputError(
            relative(nb.path),
            "its stored outputs were changed since the build ran it, though its code and inputs were not, and the "
            "site shows them as stored: change the code or the annotations (seeds/claims.yml, seeds/article.yml) "
            f"and build again, or {force} to re-run it and discard the change",
        )
        for nb in edited_notebook_outputs(notebooks)
    ]
    if problems:
        raise InputErrors(problems) if len(problems) > 1 else problems[0]


# ---------------------------------------------------------------------------------------------
# The committed state


def _compared_files(root: Path) -> set[str]:
    found = {p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.is_file()}
    found |= {p.relative_to(root).as_posix() for p in (root / "notebooks").glob("*.ipynb")}
    return found | {"README.md"}


def _shorten(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def first_difference(committed: bytes, produced: bytes) -> tuple[int | None, str]:
    """Where two versions of a file first differ: (line, description) for text, byte for binary."""
    try:
        ours, theirs = committed.decode("utf-8").split("\n"), produced.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        offset = next((i for i, (a, b) in enumerate(zip(committed, produced, strict=False)) if a != b),
                      min(len(committed), len(produced)))
        return None, (f"first difference at byte {offset} (committed {len(committed)} bytes, "
                      f"the pipeline writes {len(produced)})")
    for number, (a, b) in enumerate(zip(ours, theirs, strict=False), 1):
        if a != b:
            column = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            start = max(0, column - 40)
            return number, (f"first difference at column {column + 1}: committed {_shorten(a[start:])!r}, "
                            f"the pipeline writes {_shorten(b[start:])!r}")
    number = min(len(ours), len(theirs)) + 1
    if len(ours) > len(theirs):
        return number, f"committed has {len(ours) - len(theirs)} more lines, from {_shorten(ours[number - 1])!r}"
    return number, f"the pipeline writes {len(theirs) - len(ours)} more lines, from {_shorten(theirs[number - 1])!r}"


def _pipeline_errors(stderr: str) -> list[InputError]:
    errors = []
    for line in stderr.splitlines():
        if match := _ERROR_LINE.match(line):
            errors.append(InputError(match["path"], f"the pipeline fails on the committed inputs: {match['message']}",
                                     line=int(match["line"]) if match["line"] else None))
    return errors or [InputError(None, f"the pipeline fails on the committed inputs: {stderr.strip()[-500:]}")]


def rebuild_and_compare(scratch: Path) -> list[InputError]:
    """Run the whole pipeline, forced, on the seeds and hand-kept files in ``scratch``; every
    difference with the project's files, one error each (in path order)."""
    from .project_copy import copy_project, run_explainer

    root = copy_project(scratch / "project", with_site=False)
    shutil.rmtree(root / "data")
    for name in HAND_KEPT:
        if (PROJECT_ROOT / name).exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PROJECT_ROOT / name, root / name)
    result = run_explainer(root, "data", "--force")
    if result.returncode != 0:
        return _pipeline_errors(result.stderr)
    how = "run `make data` (`make data FORCE=1` over a hand edit) and commit what it changes"
    problems = []
    for name in sorted(_compared_files(PROJECT_ROOT) | _compared_files(root)):
        ours, theirs = PROJECT_ROOT / name, root / name
        if not theirs.exists():
            problems.append(InputError(name, f"is committed, but the pipeline does not produce it: remove it, or "
                                             f"declare it in a notebook's `writes` ({how})"))
        elif not ours.exists():
            problems.append(InputError(name, f"the pipeline produces it, but it is not committed ({how})"))
        elif (committed := ours.read_bytes()) != (produced := theirs.read_bytes()):
            line, where = first_difference(committed, produced)
            problems.append(InputError(name, f"differs from what the pipeline produces from seeds/: {where} ({how})",
                                       line=line))
    return problems


def verify_committed() -> str:
    """Check the committed state (see the module's docstring); a one-line summary, or InputErrors."""
    from ..claims import load_ledger
    from .verify import check_corrections, verify_data

    if freshness.is_fresh("verify"):
        return "up to date: these exact files were verified before"
    ledger = load_ledger()
    check_corrections(ledger, PROJECT_ROOT / "data")
    tables = verify_data(ledger, PROJECT_ROOT / "data")
    progress.say("verify", f"{len(tables)} tables agree with the ledger; rebuilding everything from seeds/ "
                           "in a scratch copy to compare")
    BUILD_DIR.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="verify-", dir=BUILD_DIR))
    try:
        problems = rebuild_and_compare(scratch)
        compared = len(_compared_files(PROJECT_ROOT))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if problems:
        raise InputErrors(problems) if len(problems) > 1 else problems[0]
    freshness.record("verify")
    # the files as they are in the working tree: on a clean checkout (CI), what is committed
    return (f"the {compared} files of data/, notebooks/ and the README, as they are now, are exactly what the "
            "pipeline produces from seeds/")
