"""Shared test set-up.

Notebooks executed by nbval write their tables to ``EXPLAINER_DATA_DIR``; we point it at a
temporary copy of ``data/`` before any kernel starts, so running the tests never writes to the
project's own ``data/``. nbval's kernels, like ``make data``'s, are forked warm (each notebook
still in a fresh kernel of its own, see explainer/kernels.py); EXPLAINER_WARM_KERNELS=0 starts
them the usual way.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from explainer.paths import PROJECT_ROOT
from support import RENDERERS, built_site

_SCRATCH = Path(tempfile.mkdtemp(prefix="explainer-tests-"))


def pytest_configure(config):
    scratch_data = _SCRATCH / "data"
    shutil.copytree(PROJECT_ROOT / "data", scratch_data)
    os.environ["EXPLAINER_DATA_DIR"] = str(scratch_data)
    from explainer import kernels

    kernels.install()


def pytest_collection_finish(session):
    """The warm kernels' parent imports while the other tests run, if nbval will want kernels."""
    if any(item.path.suffix == ".ipynb" for item in session.items):
        from explainer import kernels

        kernels.start()


def pytest_unconfigure(config):
    shutil.rmtree(_SCRATCH, ignore_errors=True)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's inputs (seeds, data, notebooks, config) to break on purpose."""
    for name in ("seeds", "data", "notebooks"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def checksums(root: Path, folders=("site", "data", "notebooks")) -> dict[str, str]:
    """Every file under ``folders`` with its SHA-256, to show a failed build changed nothing."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session", params=RENDERERS)
def renderer(request) -> str:
    if request.param == "quarto" and not shutil.which("quarto"):
        pytest.skip("Quarto is not installed: the Quarto half of the site tests is skipped (see README, Quarto)")
    return request.param


@pytest.fixture(scope="session")
def site(renderer) -> Path:
    return built_site(renderer)
