"""What several test modules share: the pages of the site, and the site as each renderer builds it."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from explainer.paths import BUILD_DIR, PROJECT_ROOT
from explainer.site.sources import site_pages

# Quarto is the reference renderer, the built-in pandoc renderer its stand-in: the site tests run
# against both, and skip Quarto's half, saying why, where `quarto` is not installed.
RENDERERS = ["quarto", "pandoc"]
PAGES = site_pages()  # from _quarto.yml
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two colours, each "#rrggbb" or CSS "rgb(r, g, b)"."""
    def luminance(colour: str) -> float:
        values = [int(colour[i : i + 2], 16) for i in (1, 3, 5)] if colour.startswith("#") else \
            [int(v) for v in re.findall(r"\d+", colour)[:3]]
        red, green, blue = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in values))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.cache  # the committed notebooks do not change during a run
def chart_outputs() -> dict[str, dict]:
    """Each chart's stored notebook output (the one with Vega-Lite for JupyterLab), by its slug,
    with the notebook that shows it under ``"notebook"``."""
    import nbformat

    from explainer.chart_figure import JUPYTER_VEGALITE

    outputs = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                if JUPYTER_VEGALITE in output.get("data", {}):
                    slug = re.search(r'data-chart="([^"]+)"', output["data"]["text/markdown"]).group(1)
                    outputs[slug] = {**output, "notebook": path.name}
    return outputs


def chart_pages() -> dict[str, int]:
    """Every page that shows charts, with how many: the explainer shows them all, and each
    chart's notebook page shows it again among its outputs."""
    pages = {"index.html": len(chart_outputs())}
    for output in chart_outputs().values():
        page = f"notebooks/{Path(output['notebook']).stem}.html"
        pages[page] = pages.get(page, 0) + 1
    return pages


def _built_by(renderer: str) -> Path:
    """The site as ``renderer`` builds it: ``site/`` if ``make site`` last built it that way, else a
    build of its own in ``.build/test-sites/RENDERER`` (site/ is left alone)."""
    from explainer.build import freshness

    if freshness.is_fresh("site", renderer):
        return PROJECT_ROOT / "site"
    folder = BUILD_DIR / "test-sites" / renderer
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Under pytest-xdist each worker asks for the site: the first builds it, the others wait for it
    # and reuse it (a second build would swap the folder under the first worker's browser).
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    marker = folder.parent / f"{renderer}.built-in-run"
    with open(folder.parent / f"{renderer}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == run and folder.exists():
            return folder
        result = subprocess.run([sys.executable, "-m", "explainer", "site", "--renderer", renderer, "--output-dir",
                                 str(folder)], cwd=PROJECT_ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        marker.write_text(run)
    return folder


_SITES: dict[str, Path] = {}


def built_site(renderer: str) -> Path:
    """The site ``renderer`` builds, built at most once per session."""
    if renderer not in _SITES:
        _SITES[renderer] = _built_by(renderer)
    return _SITES[renderer]


def checksums(root: Path, folders=("site", "data", "notebooks")) -> dict[str, str]:
    """Every file under ``folders`` with its SHA-256, to show a failed build changed nothing."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }
