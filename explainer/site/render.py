"""``make site`` without Quarto: render ``_quarto.yml``'s pages and notebooks with pandoc.

Supported, and nothing else: the config keys in ``config.py``; page front matter ``title``,
``subtitle``, ``description``, ``toc``, ``image``; Pandoc Markdown (raw HTML blocks included);
the ``{{< embed notebooks/NAME.ipynb#LABEL >}}`` shortcode; ``.ipynb`` pages rendered from their
stored outputs. Pages keep Quarto's landmarks so that the same browser tests hold for both.

The parts: ``sources.py`` reads and checks the pages, this module turns each into a body and a
table of contents, ``page_cache.py`` keeps them between builds, ``frame.py`` puts a body in the page
template (``page.html``), and ``build.py`` renders the whole site into a staging folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pypandoc

from ..errors import InputError
from ..paths import PROJECT_ROOT, relative
from .sources import Page, notebook_description, read_notebook, read_page, without_scoped_styles

_OPTION_LINE = re.compile(r"^#\|.*\n?", re.M)
_TOC_TEMPLATE = "$if(toc)$$table-of-contents$$endif$\n<!--body-->\n$body$\n"


def _through_template(text: str, to: str, source_format: str, template: str, *args: str) -> str:
    """pandoc's output for ``text`` through ``template`` (pandoc takes templates from files only)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as file:
        file.write(template)
    try:
        return pypandoc.convert_text(text, to, format=source_format, extra_args=["--template", file.name, "--wrap=none", *args])
    finally:
        os.unlink(file.name)


def pandoc_html(text: str, source_format: str, toc: bool) -> tuple[str, str]:
    """Body HTML and table of contents from pandoc."""
    args = ["--toc-depth=2", "--syntax-highlighting=pygments", *(["--toc"] if toc else [])]
    toc_html, body = _through_template(text, "html5", source_format, _TOC_TEMPLATE, *args).split("<!--body-->", 1)
    return body.strip(), toc_html.strip()


_TITLES_TEMPLATE = "$title$\n<!--part-->\n$subtitle$\n<!--part-->\n$description$\n"


def as_quarto_reads(front: dict, source: Path) -> tuple[str, str | None, str]:
    """Title, subtitle and description as plain text, read as Quarto reads them: as Markdown, with
    smart quotes ("Rudaw's" becomes "Rudaw’s"), without Markdown's marks or raw HTML. One pandoc call."""
    document = "---\n" + json.dumps({key: front.get(key) or "" for key in ("title", "subtitle", "description")}) + "\n---\n"
    parts = [part.strip() for part in _through_template(document, "plain", "markdown", _TITLES_TEMPLATE).split("<!--part-->")]
    if len(parts) != 3 or not parts[0]:
        raise InputError(relative(source), "front matter: the title, subtitle or description reads as empty or holds "
                                           "'<!--part-->' (the title must have text)", line=1)
    title, subtitle, description = parts
    return title, subtitle or None, description


def render_qmd(source: Path) -> Page:
    front, body = read_page(source)
    toc = front.get("toc", True)
    markup, toc_html = pandoc_html(body, "markdown", toc)
    return Page(source, *as_quarto_reads(front, source), toc, markup, toc_html)


def render_notebook(source: Path) -> Page:
    """A notebook page from its stored outputs (nothing executed), as Quarto renders .ipynb."""
    node = read_notebook(PROJECT_ROOT / source)
    description = notebook_description(node)
    cells = node["cells"]
    first = cells[0]["source"] if cells else ""
    heading = re.match(r"#\s+(.+)\n?", first)
    # the heading's text as pandoc (and so Quarto) reads it: smart quotes, no Markdown marks
    title = pypandoc.convert_text(heading.group(1), "plain", format="markdown", extra_args=["--wrap=none"]).strip() \
        if heading else source.stem
    if heading:
        cells[0]["source"] = first[heading.end():]
    for cell in cells:
        if cell["cell_type"] == "code":
            cell["source"] = _OPTION_LINE.sub("", cell["source"])  # Quarto hides cell options
    markup, toc_html = pandoc_html(json.dumps(node), "ipynb+smart", True)  # smart quotes, as Quarto
    return Page(source, title, None, description, True, _keyboard_scrollable(without_scoped_styles(markup)), toc_html)


_OUTPUT_DIV = re.compile(r'<div class="output (?:execute_result|display_data)"([^>]*)>')


def _keyboard_scrollable(markup: str) -> str:
    """Wide table outputs scroll sideways on a phone; make them reachable by keyboard (WCAG 2.1.1),
    as axe's scrollable-region-focusable rule asks. Code wraps instead (standalone.css, as Quarto's
    ``code-overflow: wrap``): pandoc's ``tabindex`` on it would be a keyboard stop with nothing to
    scroll, which Quarto's pages do not have."""
    markup = re.sub(r'<pre tabindex="0"(?=[ >])', "<pre", markup)

    def label_tables(match: re.Match) -> str:
        output = markup[match.end():].split('<div class="output', 1)[0]
        if 'class="dataframe"' not in output:
            return match.group(0)
        return match.group(0)[:-1] + ' tabindex="0" role="region" aria-label="Table output">'

    return _OUTPUT_DIV.sub(label_tables, markup)


