"""Shared test set-up.

Notebooks executed by nbval write their tables to ``EXPLAINER_DATA_DIR``; we point it at a
temporary copy of ``data/`` before any kernel starts, so running the tests never writes to the
project's own ``data/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from explainer.paths import PROJECT_ROOT

_SCRATCH = Path(tempfile.mkdtemp(prefix="explainer-tests-"))


def pytest_configure(config):
    scratch_data = _SCRATCH / "data"
    shutil.copytree(PROJECT_ROOT / "data", scratch_data)
    os.environ["EXPLAINER_DATA_DIR"] = str(scratch_data)


def pytest_unconfigure(config):
    shutil.rmtree(_SCRATCH, ignore_errors=True)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's inputs (seeds, data, notebooks, config) to break on purpose."""
    for name in ("seeds", "data", "notebooks"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


# What a build needs: the committed sources, the committed outputs, the generated vendor bundle.
PROJECT_FILES = ("_quarto.yml", "index.qmd", "data.qmd", "methods.qmd", "404.qmd", "CITATION.cff", "README.md")
PROJECT_FOLDERS = ("seeds", "data", "notebooks", "assets")


def copy_project(target: Path, with_site: bool = True) -> Path:
    """A whole copy of the project to build in (``EXPLAINER_PROJECT_ROOT``), site/ included."""
    for name in PROJECT_FILES:
        shutil.copyfile(PROJECT_ROOT / name, target / name)
    folders = (*PROJECT_FOLDERS, "site") if with_site else PROJECT_FOLDERS
    for name in folders:
        shutil.copytree(PROJECT_ROOT / name, target / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


def run_explainer(root: Path, *args: str, timeout: int = 600):
    """``python -m explainer ARGS`` on the copy of the project at ``root``."""
    env = {**os.environ, "EXPLAINER_PROJECT_ROOT": str(root)}
    env.pop("EXPLAINER_DATA_DIR", None)  # the copy's own data/
    return subprocess.run([sys.executable, "-m", "explainer", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)


def checksums(root: Path, folders=("site", "data", "notebooks")) -> dict[str, str]:
    """Every file under ``folders`` with its SHA-256, to show a failed build changed nothing."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }
