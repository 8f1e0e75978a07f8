"""Skip a build step whose files are exactly as they were when it last succeeded.

A stamp (``.build/stamps/STEP.json``) holds one digest over every file the step reads *and*
writes, taken when the step last succeeded. If the digest is the same now, running the step
again would change nothing, so it is skipped; any edit, deleted output or new file makes it
run. This is what makes a no-op ``make site`` cost milliseconds: it uses the standard library
only, so it runs before pandas, Altair or nbformat are imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..paths import BUILD_DIR, PACKAGE_DIR, PROJECT_ROOT

# What each step reads and writes, as globs from the project root ("pkg:" globs from the package).
# The package's code is an input of both steps; requirements.txt stands for the installed libraries.
STEPS = {
    "data": ("seeds/*", "notebooks/*.ipynb", "data/**/*", "README.md", "requirements.txt", "pkg:*.py", "pkg:build/*.py"),
    "site": (
        "_quarto.yml", "*.qmd", "notebooks/*.ipynb", "data/**/*", "assets/**/*", "CITATION.cff",
        "requirements.txt", "site/**/*", "pkg:**/*.py", "pkg:site/*.html", "pkg:site/*.js", "pkg:site/quarto_schema/*",
    ),
}
# `verify-committed` rebuilds what `data` writes, from what `data` reads: the same files.
STEPS["verify"] = STEPS["data"]


def _files(patterns: tuple[str, ...]) -> list[tuple[str, Path]]:
    found = {}
    for pattern in patterns:
        base, glob = (PACKAGE_DIR, pattern[4:]) if pattern.startswith("pkg:") else (PROJECT_ROOT, pattern)
        for path in base.glob(glob):
            if path.is_file() and "__pycache__" not in path.parts:
                found[("pkg/" if base is PACKAGE_DIR else "") + path.relative_to(base).as_posix()] = path
    return sorted(found.items())


def digest(step: str) -> str:
    """One SHA-256 over the names and bytes of every file of ``step``."""
    total = hashlib.sha256()
    for name, path in _files(STEPS[step]):
        total.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def _stamp(step: str) -> Path:
    return BUILD_DIR / "stamps" / f"{step}.json"


def is_fresh(step: str, how: str = "") -> bool:
    """True if the step last succeeded, done ``how`` (the site's renderer), on exactly these files."""
    try:
        stamp = json.loads(_stamp(step).read_text(encoding="utf-8"))
        return stamp["how"] == how and stamp["digest"] == digest(step)
    except (OSError, ValueError, KeyError):
        return False


def record(step: str, how: str = "") -> None:
    """Call after the step succeeded: its files as they are now are the up-to-date state."""
    stamp = _stamp(step)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    partial = stamp.with_suffix(".tmp")
    partial.write_text(json.dumps({"digest": digest(step), "how": how}) + "\n", encoding="utf-8")
    os.replace(partial, stamp)
