"""A working copy of the project, to build in without touching the real one.

The benchmark measures cold builds in one; the tests break one on purpose. The package's code
is shared: ``EXPLAINER_PROJECT_ROOT`` points the commands (and the kernels they start) at the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..paths import PROJECT_ROOT

# What a build reads: committed sources and outputs, plus the generated vendor bundle in assets/.
FILES = ("_quarto.yml", "index.qmd", "data.qmd", "methods.qmd", "404.qmd", "CITATION.cff", "README.md",
         "requirements.txt")
FOLDERS = ("seeds", "data", "notebooks", "assets")


def copy_project(target: Path, with_site: bool = True) -> Path:
    """Copy the project's inputs (and its built ``site/``, unless told not to) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(PROJECT_ROOT / name, target / name)
    for name in (*FOLDERS, "site") if with_site else FOLDERS:
        shutil.copytree(PROJECT_ROOT / name, target / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


def environment_for(root: Path) -> dict[str, str]:
    """The environment in which commands (and the kernels they start) work on the copy at ``root``."""
    env = {**os.environ, "EXPLAINER_PROJECT_ROOT": str(root)}
    env.pop("EXPLAINER_DATA_DIR", None)  # the copy's own data/
    return env


def run_explainer(root: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python -m explainer ARGS`` on the copy at ``root``, capturing its output."""
    return subprocess.run([sys.executable, "-m", "explainer", *args], cwd=root, env=environment_for(root),
                          capture_output=True, text=True, timeout=timeout)
