"""Shared test set-up.

Notebooks executed by nbval write their tables to ``EXPLAINER_DATA_DIR``; we point it at a
temporary copy of ``data/`` before any kernel starts, so running the tests never writes to the
project's own ``data/``. nbval's kernels, like ``make data``'s, are forked warm (each notebook
still in a fresh kernel of its own, see explainer/build/kernels.py); EXPLAINER_WARM_KERNELS=0 starts
them the usual way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from explainer.paths import PROJECT_ROOT
from support import RENDERERS, built_site

_SCRATCH = Path(tempfile.mkdtemp(prefix="explainer-tests-"))

# Property tests draw the same examples on every run (CI is deterministic) and keep no example
# database (.hypothesis/ is never written); a failure prints the example that caused it.
settings.register_profile("explainer", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile("explainer")


def pytest_configure(config):
    scratch_data = _SCRATCH / "data"
    shutil.copytree(PROJECT_ROOT / "data", scratch_data)
    os.environ["EXPLAINER_DATA_DIR"] = str(scratch_data)
    from explainer.build import kernels

    kernels.install()


def pytest_collection_finish(session):
    """The warm kernels' parent imports while the other tests run, if nbval will want kernels.
    Under `--dist loadgroup`, each grouped test must carry its group in its id (pytest-xdist's way
    of grouping): if a pytest upgrade undoes that, say so rather than run the groups apart."""
    if getattr(session.config.option, "loadgroup", False):  # set in pytest-xdist's workers
        ungrouped = [item.nodeid for item in session.items
                     if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if ungrouped:
            raise pytest.UsageError(f"pytest-xdist could not group {ungrouped[0]} (and {len(ungrouped) - 1} more): "
                                    "this pytest and pytest-xdist do not work together (see pyproject.toml)")
    notebooks = sorted({item.path for item in session.items if item.path.suffix == ".ipynb"})
    if notebooks:
        from explainer.build import kernels

        kernels.start_for(notebooks)


def pytest_unconfigure(config):
    shutil.rmtree(_SCRATCH, ignore_errors=True)


@pytest.fixture
def annotations_copy(tmp_path: Path) -> Path:
    """A copy of the project's seeds, data and notebooks to break on purpose (in-process tests;
    ``tools.project_copy`` copies the whole project for end-to-end builds)."""
    for name in ("seeds", "data", "notebooks"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session", params=RENDERERS)
def renderer(request) -> str:
    if request.param == "quarto" and not shutil.which("quarto"):
        pytest.skip("Quarto is not installed: the Quarto half of the site tests is skipped (see README, Quarto)")
    return request.param


@pytest.fixture(scope="session")
def site(renderer) -> Path:
    return built_site(renderer)


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (which cannot download its own browsers here)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# Slow: anything that needs a built site, a browser, a project copy built end to end, or runs a
# notebook (nbval). `make test-fast` leaves them out. (`make test` runs nbval apart, with
# `--dist loadfile`, so that each notebook's cells run in order in one kernel on one worker.)
_SLOW_FIXTURES = {"site", "renderer", "browser", "built_copy", "hostile_site", "lab"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.suffix == ".ipynb" or fixtures & _SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
            renderer = getattr(item, "callspec", None) and item.callspec.params.get("renderer")
            if renderer and not item.get_closest_marker("xdist_group"):
                # one worker per renderer (`--dist loadgroup`): a page loaded once serves every
                # test that looks at it (test_browser's views), and each site is served once
                item.add_marker(pytest.mark.xdist_group(f"browser-{renderer}"))
