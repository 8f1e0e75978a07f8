"""The built-in renderer's build: every page of ``_quarto.yml`` rendered into a staging folder, with
the resources it names and its sitemap (``publish.py`` checks the stage and swaps it in)."""

from __future__ import annotations

import glob
import html
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import InputError
from ..paths import BUILD_DIR, PROJECT_ROOT
from ..textfile import read_text
from .frame import FRAME_CSS, FRAME_SCRIPT, page_html
from .page_cache import PageCache
from .publish import log
from .render import render_notebook, render_qmd
from .sources import Page, as_list, page_sources


def render_pages(config: dict, config_bytes: bytes, stage: Path, use_cache: bool = True) -> str:
    """Render every page of ``config`` into the empty folder ``stage``, with its resources and
    sitemap; a summary line. Pages whose inputs are unchanged since they were last rendered (the
    source, the notebooks it embeds, the config and this renderer) come from the page cache."""
    header_include, before_body = (
        "".join(read_text(PROJECT_ROOT / p) for p in as_list(config["format"]["html"].get(key)))
        for key in ("include-in-header", "include-before-body"))
    sources = page_sources(config)
    cache = PageCache(BUILD_DIR / "pages", config_bytes + header_include.encode() + before_body.encode())
    cached = {source: cache.get(source) if use_cache else None for source in sources}
    # two at a time: most of a page's time is pandoc's own process
    with ThreadPoolExecutor(max_workers=2) as pool:
        rendered = pool.map(_render, [source for source in sources if cached[source] is None])
        for number, source in enumerate(sources, 1):
            page = cached[source]
            if page is None:
                page = next(rendered)
                cache.put(page)
                log(f"page {number} of {len(sources)}: {source} … rendered")
            else:
                log(f"page {number} of {len(sources)}: {source} … unchanged, from the page cache")
            target = stage / page.output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page_html(config, page, header_include, before_body), encoding="utf-8")
    copied = _copy_resources(config, stage)
    _write_sitemap(config, sources, stage)
    cache.prune()
    return (f"{len(sources)} pages ({cache.rendered} rendered, {len(sources) - cache.rendered} from the cache) "
            f"and {copied} resources")


def _render(source: Path) -> Page:
    return render_notebook(source) if source.suffix == ".ipynb" else render_qmd(source)


def _copy_resources(config: dict, stage: Path) -> int:
    resources = as_list(config["project"].get("resources"))
    for pattern in resources:
        if not pattern.startswith("/"):
            # Quarto reads an unanchored glob as "at any depth" (.venv/ and site/ included)
            raise InputError("_quarto.yml", f"resource {pattern!r}: anchor it at the project root with a leading '/'")
    patterns = [FRAME_CSS, FRAME_SCRIPT, *(p[1:] for p in resources), *as_list(config["format"]["html"].get("css")),
                *as_list(config["website"].get("favicon"))]
    count = 0
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, root_dir=PROJECT_ROOT))
        if not matches:
            raise InputError("_quarto.yml", f"resource {pattern!r} matches no file; run `make data` first")
        for match in matches:
            if (PROJECT_ROOT / match).is_file():
                (stage / match).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(PROJECT_ROOT / match, stage / match)
                count += 1
    return count


def _write_sitemap(config: dict, sources: list[Path], stage: Path) -> None:
    site_url = (config["website"].get("site-url") or "").rstrip("/")
    if not site_url:
        return  # as Quarto: no sitemap without an absolute address
    urls = "".join(f"<url><loc>{html.escape(site_url)}/{s.with_suffix('.html').as_posix()}</loc></url>"
                   for s in sources if s.name != "404.qmd")
    (stage / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                                       f'schemas/sitemap/0.9">{urls}</urlset>\n', encoding="utf-8")
