"""Where things live. Every module asks here instead of building paths of its own."""

from __future__ import annotations

import os
from pathlib import Path

# The package's own folder's parent, unless EXPLAINER_PROJECT_ROOT names another copy of the
# project (the tests build damaged copies this way, never touching the real one).
PROJECT_ROOT = Path(os.environ.get("EXPLAINER_PROJECT_ROOT") or Path(__file__).resolve().parent.parent).resolve()
PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PROJECT_ROOT / ".build"  # staging folders, caches and stamps; never published
SEEDS_DIR = PROJECT_ROOT / "seeds"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
ARTICLE_METADATA = SEEDS_DIR / "article.yml"
CLAIMS_FILE = SEEDS_DIR / "claims.yml"


def data_dir() -> Path:
    """The folder notebooks write tables to.

    ``make data`` points ``EXPLAINER_DATA_DIR`` at a staging folder so that a failed run never
    touches ``data/``; the tests point it at a temporary copy.
    """
    return Path(os.environ.get("EXPLAINER_DATA_DIR", PROJECT_ROOT / "data"))


def relative(path: Path) -> str:
    """A path as the user would type it from the project root, for error messages."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
