"""Quarto's scripts, fetched after the first paint (post-render, Quarto only).

Quarto's frame loads eleven scripts on every page (its navbar, search, tooltips, tabsets and
Bootstrap's menus: about 95 KB compressed) and runs its page script, some 15 KB inline at the end
of ``<body>``, at ``DOMContentLoaded``. None of it draws what the first paint shows, yet as
``<script defer>`` tags every one of them is fetched before it, competing with the stylesheets, the
font and the charts for a phone's bandwidth. Here:

- each ``<script src>`` of ``<head>`` that loads from ``site_libs/`` becomes a placeholder,
  ``<script type="text/x-after-paint" data-src="…">``, which the browser neither runs nor fetches;
- Quarto's page script (``quarto-html-after-body``) moves to a file named by its content in
  ``site_libs/quarto-html/`` (pages with the same script share the file, and a reader's cache) and
  leaves a placeholder where it was;
- a small inline script (``after_paint.js``) turns the placeholders back into scripts, in document
  order, once the page is parsed and has painted. The listeners they add for ``DOMContentLoaded``,
  and for the window's ``load`` and ``pageshow`` (Quarto's search scrolls to a result's first match
  on ``pageshow``), are held and called when the last has run, in the order they were added, if
  their event has passed; one that throws is reported and stops no other, as with the browser's own
  events. It marks ``<html>`` with ``data-scripts="ready"`` then. An element whose id is
  ``exports``, ``module`` or ``define`` (a heading "Exports") is hidden from them meanwhile: run
  after the body, the scripts' UMD wrappers would find it as a global of that name and register
  themselves on it instead of on ``window``.

Until then (a few hundred milliseconds on a phone) search is not there yet, and a press on the
navbar's menu button or a dropdown is held and given to it once Bootstrap has come. Without
JavaScript nothing changes: the frame's ``<noscript>`` styles apply as before.

Also here: Quarto's search script, taught to tell its own ``<mark>`` from the quotes' marked
figures (``search_marks_its_own``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import InputError

_HEAD_SCRIPT = re.compile(r'<script src="([^"]*site_libs/[^"]*)"( type="module")?(?: defer)?></script>')
_PAGE_SCRIPT = re.compile(r'<script id="quarto-html-after-body" type="application/javascript">(.*?)</script>', re.S)


def inline_script(name: str) -> str:
    """The script ``name`` of this folder as it is shipped inline in every page: without its
    comment lines (the file explains; each page need not)."""
    lines = Path(__file__).with_name(name).read_text(encoding="utf-8").splitlines(True)
    return "".join(line for line in lines if not line.lstrip().startswith("//"))


_LOADER = inline_script("after_paint.js")
PAGE_SCRIPT_FOLDER = "site_libs/quarto-html"


def _placeholder(src: str, module: bool = False) -> str:
    kind = ' data-type="module"' if module else ""
    return f'<script type="text/x-after-paint" data-src="{src}"{kind}></script>'


def scripts_after_paint(markup: str, files: dict[str, str]) -> str:
    """The page ``markup`` with Quarto's scripts loaded after the first paint; the page script's
    file is added to ``files`` (path from the site's root: text). A page without Quarto's scripts,
    or already done, is returned unchanged."""
    head_end = markup.find("</head>")
    if head_end < 0:
        return markup
    head, rest = markup[:head_end], markup[head_end:]
    first = _HEAD_SCRIPT.search(head)
    if not first:
        return markup
    # the way to the site's root as Quarto writes it on this page: "../" a folder down, "/" on the
    # 404 page (a host serves it at any missing address)
    to_root = first.group(1).split("site_libs/")[0]
    head = _HEAD_SCRIPT.sub(lambda m: _placeholder(m.group(1), bool(m.group(2))), head)
    page_script = _PAGE_SCRIPT.search(rest)
    if page_script:
        text = page_script.group(1)
        path = f"{PAGE_SCRIPT_FOLDER}/quarto-page-{hashlib.sha256(text.encode()).hexdigest()[:12]}.js"
        files[path] = text
        rest = rest[: page_script.start()] + _placeholder(to_root + path) + rest[page_script.end():]
    return f"{head}<script>\n{_LOADER}</script>\n{rest}"


# Quarto's search marks the matches of a result's query on its page with <mark> and scrolls to the
# first <mark> of the page; but our pages mark the figure in each quoted sentence with <mark> too,
# so a reader following a search result landed on a quote, and clearing the search unwrapped a
# quote's mark when it equalled the query. Its own marks get a class, and it looks for those only.
SEARCH_SCRIPT = "site_libs/quarto-search/quarto-search.js"
_SEARCH_MARKS = (
    ('  const el = document.createElement("mark");\n',
     '  const el = document.createElement("mark");\n  el.className = "quarto-search-match";\n'),
    ('function scrollToFirstVisibleMatch(mainEl) {\n  for (const mark of mainEl.querySelectorAll("mark")) {',
     'function scrollToFirstVisibleMatch(mainEl) {\n  for (const mark of mainEl.querySelectorAll("mark.quarto-search-match")) {'),
    ('node.tagName === "MARK" &&\n', 'node.tagName === "MARK" && node.classList.contains("quarto-search-match") &&\n'),
)


def search_marks_its_own(folder: Path) -> None:
    """Quarto's search script in the site ``folder`` made to tell its marks from ours (see above).
    Done once; a script that has neither the old nor the new text is refused by name."""
    script = folder / SEARCH_SCRIPT
    if not script.is_file():
        return  # the built-in renderer: no search
    text = script.read_text(encoding="utf-8")
    for old, new in _SEARCH_MARKS:
        if new in text:
            continue
        if text.count(old) != 1:
            raise InputError(str(script), f"Quarto's search script has changed: cannot find {old.strip()!r} "
                                          "to tell its marks from the quotes' (explainer/site/quarto_scripts.py)")
        text = text.replace(old, new)
    script.write_text(text, encoding="utf-8")
