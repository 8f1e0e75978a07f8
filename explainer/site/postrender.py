"""The last step of both renderers (``project: post-render`` in ``_quarto.yml``): make every page
load nothing from another origin and run only the scripts its Content-Security-Policy names.

- Quarto adds require.js and jQuery from a CDN to any page whose notebook outputs hold
  ``text/html`` (it cannot tell our static HTML from a JavaScript widget; see
  ``extractJupyterWidgetDependencies`` in Quarto's ``core/jupyter/widgets.ts``). Our outputs use
  neither, so those tags are removed, and only those: any other foreign script fails the build's
  link check.
- Chart pictures (their paths relative to notebooks/) get paths relative to each page, and a page
  that shows charts gets the script that offers their interactive view.
- The skip link (``include-before-body``), which Quarto places inside ``<main>``, moves to the top
  of ``<body>``.
- Quarto's leftover embed attributes go (one holds the build machine's absolute path).
- Quarto's page template is made valid HTML (the W3C Nu validator's errors, issue 13): its
  ``append-hash`` attribute (a build-time marker nothing reads in the browser) goes; the light,
  dark and spare copies of its stylesheets, which share one ``id`` each, name it as a class
  instead, and its colour-scheme script finds them by that class; its navbar toggle button loses
  ``role="menu"`` (it opens no menu: it is a button that shows the navigation); its navbar's parts
  come in the order they are shown, for the keyboard.
- A notebook page gets the description the built-in renderer gives it (its first paragraph), for
  search results and social cards; Quarto gives it none, and the site's description to its cards.
- A notebook's table output that scrolls sideways on a phone is made reachable by keyboard
  (WCAG 2.1.1, axe's scrollable-region-focusable), as the built-in renderer does in render.py.
- Each line of code records its indentation (``--indent``) and keeps it on its first line, so that
  a line wrapped on a phone continues deeper than it began (``assets/explainer.css``), under both
  renderers.
- Quarto's frame is cut to what the site uses: unused Bootstrap rules and icon glyphs go, its
  small stylesheets join Bootstrap's, its dark stylesheets are fetched only for a dark page
  (``quarto_weight.py``), and its scripts wait for the first paint (``quarto_scripts.py``); its
  search tells its own ``<mark>`` from the quotes' (same module).
- The two faces of the first view are preloaded from the top of ``<head>`` (a first visit then
  shows the site's typeface, not the reader's system font; see ``_PRELOADED_FACES``).
- The policy (``assets/head.html``) moves to the top of ``<head>``, ahead of every script, and its
  ``script-src`` gains the SHA-256 of each inline script and event handler on that page (Quarto's
  own, for its navbar, search and colour scheme), so they run without ``'unsafe-inline'``.

Quarto runs it as ``python -m explainer post-render`` with ``QUARTO_PROJECT_OUTPUT_DIR`` set;
the built-in renderer runs the same command on its staging folder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError
from ..fragments import NOTEBOOK_ID_PREFIX
from ..paths import PROJECT_ROOT
from .quarto_scripts import scripts_after_paint, search_marks_its_own
from .quarto_weight import lighter_head, slim_frame
from .sources import notebook_description, read_notebook

# Exactly what Quarto 1.x writes for "javascript widgets" (require.js, jQuery and the shim
# defining jQuery as an AMD module).
_WIDGET_TAGS = re.compile(
    r'<script src="https://cdn\.jsdelivr\.net/npm/(?:requirejs|jquery)@[^"]*"[^>]*></script>\n?'
    r"|<script type=\"application/javascript\">define\('jquery', \[\],function\(\) \{return window\.jQuery;\}\)</script>\n?"
)
# With `notebook-view: false` Quarto leaves these on each embed, the first one an absolute path of
# the machine that built the site (neither deterministic nor anyone's business).
_EMBED_ATTRIBUTES = re.compile(r' data-notebook(?:-title|-cellid)?="[^"]*"')
# Chart pictures in notebook outputs name their files from the notebooks' folder
# (``../data/charts/…``); each page needs them relative to itself.
_FROM_NOTEBOOKS = re.compile(r'\b(src|srcset)="\.\./(data/charts/[^"]*)"')
# Notebook outputs prefix their ids with the notebook's number, so that notebooks open side by side
# in JupyterLab never share one (``fragments.notebook_ids``); a page joins parts of several
# notebooks that link to one another, so the site drops the prefix.
_NOTEBOOK_IDS = re.compile(rf'\b(id="|href="#){NOTEBOOK_ID_PREFIX}')
_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">\n?')
_CHARSET = re.compile(r'<meta charset="utf-8">\n?', re.I)
# A page that shows charts loads the script that offers their interactive view (assets/charts.js),
# whichever source the charts came from: the explainer's embeds or a notebook's own outputs.
_CHART_FIGURE = re.compile(r'<figure class="explainer-chart\b')
_CHART_SCRIPT = re.compile(r'<script src="[^"]*assets/charts\.js"')
# Quarto places include-before-body (assets/before-body.html) inside <main>, after the navbar and
# the table of contents: its skip link goes back to the top of <body>, the keyboard's first stop.
_SKIP_LINK = re.compile(r'<a class="skip-link"[^>]*>[^<]*</a>\n?')
_BODY_START = re.compile(r"<body\b[^>]*>\n?")
# a social card's picture given relative to the site's root (no scheme, no "/", no "../")
_CARD_IMAGE = re.compile(r'(<meta (?:property="og:image"|name="twitter:image") content=)"(?![a-z]+:|/|\.\./)([^"]+)"')
_DESCRIPTION = re.compile(r'<meta name="description"')
# The faces every page shows in its first view (body text, bold headings), preloaded from the top
# of <head>: they start loading with the page instead of after its stylesheets, and Chrome holds
# the first paint for a preloaded `font-display: optional` face (briefly), so that a first visit
# shows the site's typeface rather than the reader's system font. Found beside fonts.css, whose
# link gives each page its path to them (relative, or from the root on the 404 page).
_PRELOADED_FACES = ("explainer-sans-400.woff2", "explainer-sans-700.woff2")
_FONTS_CSS = re.compile(r'<link [^>]*href="((?:[^"]*/)?)fonts\.css"')
_SOCIAL_DESCRIPTION = re.compile(r'(<meta (?:property="og:description"|name="twitter:description") content=)"[^"]*"')
_EXECUTABLE = {None, "", "text/javascript", "application/javascript", "module"}
# Quarto's stylesheet links that share an id (light, dark and a spare light copy of each).
_SHARED_IDS = ("quarto-bootstrap", "quarto-text-highlighting-styles")
_LINK_TAG = re.compile(r"<link\b[^>]*>")
_LINK_ID = re.compile(r' id="(' + "|".join(_SHARED_IDS) + r')"')
# Quarto's colour-scheme script, exactly as it finds those links by id, and the same by class.
_SCRIPT_BY_ID = [(f"link#{name}", f"link.{name}") for name in _SHARED_IDS] + [
    ('sheetNode.id === "quarto-bootstrap"', 'sheetNode.classList.contains("quarto-bootstrap")')]
_MENU_BUTTON = re.compile(r'(<button class="navbar-toggler"[^>]*?) role="menu"')
# Quarto's navbar, in the order its stylesheet shows it (flex `order`): the menu button (phones
# only), the site's title, the menu, the colour-scheme toggle, search. Its template writes search
# second and the menu button third, so the keyboard met search before the menu (WCAG 2.4.3).
_NAV_SEARCH = re.compile(r'[ \t]*<div id="quarto-search"[^>]*></div>\n?')
_NAV_TOGGLER = re.compile(r'[ \t]*<button class="navbar-toggler".*?</button>\n?', re.S)
_NAV_BRAND = re.compile(r'[ \t]*<div class="navbar-brand-container')
_NAV_TOOLS = re.compile(r'<div class="quarto-navbar-tools">')
_DIV_TAG = re.compile(r"<(/?)div\b[^>]*>\n?")


# Quarto's wrapper of a cell's output, which scrolls sideways (theme.scss) when a table is wider.
_OUTPUT_DISPLAY = re.compile(r'<div(?: id="[^"]*")? class="cell-output cell-output-display"[^>]*>')
_NEXT_CELL = re.compile(r'class="cell[ "-]')


def _keyboard_scrollable(markup: str) -> str:
    """Each output holding a pandas table becomes a focusable, labelled region."""

    def label(match: re.Match) -> str:
        following = _NEXT_CELL.search(markup, match.end())
        output = markup[match.end(): following.start() if following else len(markup)]
        if 'class="dataframe' not in output or "tabindex=" in match.group(0):
            return match.group(0)
        return match.group(0)[:-1] + ' tabindex="0" role="region" aria-label="Table output">'

    return _OUTPUT_DISPLAY.sub(label, markup)


def _valid_template(markup: str) -> str:
    """Quarto's page template without the markup the Nu validator rejects (the module's docstring)."""
    markup = markup.replace(' append-hash="true"', "")

    def link_class(match: re.Match) -> str:
        tag = match.group(0)
        shared = _LINK_ID.search(tag)
        if not shared:
            return tag
        tag = _LINK_ID.sub("", tag)
        if ' class="' in tag:
            return tag.replace(' class="', f' class="{shared.group(1)} ', 1)
        return tag[:-1] + f' class="{shared.group(1)}">'

    if sum(markup.count(f'id="{name}"') for name in _SHARED_IDS) > 1:
        markup = _LINK_TAG.sub(link_class, markup)
        for by_id, by_class in _SCRIPT_BY_ID:
            markup = markup.replace(by_id, by_class)
    return _navbar_in_shown_order(_MENU_BUTTON.sub(r"\1", markup))


def _div_end(markup: str, start: int) -> int | None:
    """Where the ``<div>`` opening at ``start`` ends (after its ``</div>`` and a newline): divs nest."""
    depth = 0
    for tag in _DIV_TAG.finditer(markup, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return None


def _navbar_in_shown_order(markup: str) -> str:
    """Quarto's navbar with its parts in the order they are shown (see ``_NAV_SEARCH``)."""
    search, tools = _NAV_SEARCH.search(markup), _NAV_TOOLS.search(markup)
    end = _div_end(markup, tools.start()) if search and tools and search.start() < tools.start() else None
    if end:
        markup = markup[: search.start()] + markup[search.end(): end] + search.group() + markup[end:]
    toggler, brand = _NAV_TOGGLER.search(markup), _NAV_BRAND.search(markup)
    if toggler and brand and brand.start() < toggler.start():
        markup = (markup[: brand.start()] + toggler.group() + markup[brand.start(): toggler.start()]
                  + markup[toggler.end():])
    return markup


class _InlineCode(HTMLParser):
    """The text of each inline script that runs, and each event handler attribute's value."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [value or "" for name, value in attrs if name.startswith("on")]
        if tag == "script" and "src" not in attributes and (attributes.get("type") or "").lower() in _EXECUTABLE:
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data  # a script's text is raw: exactly the bytes the browser hashes


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _with_hashes(policy: str, scripts: list[str], handlers: list[str]) -> str:
    sources = [_sha256(text) for text in dict.fromkeys(scripts + handlers)]
    if handlers:
        sources.insert(0, "'unsafe-hashes'")  # allows exactly the hashed handlers, nothing else inline
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    directives = [f"{d} {' '.join(sources)}".strip() if d.split()[0] == "script-src" else d for d in directives]
    return "; ".join(directives)


# A line of highlighted code (pandoc's markup, under both renderers), and the spaces it starts with.
_CODE_LINE = re.compile(r'(<span id="cb\d+-\d+")(><a href="#cb\d+-\d+" aria-hidden="true" tabindex="-1"></a>)( +)')


def _indented_code_lines(markup: str) -> str:
    """Each indented line of code says by how much, and holds its leading spaces in a span that
    explainer.css draws as the line's padding (a wrapped line then continues deeper than it began)."""
    return _CODE_LINE.sub(lambda m: f'{m.group(1)} style="--indent: {len(m.group(3))}ch"{m.group(2)}'
                                    f'<span class="indent">{m.group(3)}</span>', markup)


def finish_page(markup: str, name: str, depth: int = 0, files: dict[str, str] | None = None) -> str:
    """The page ``name``, ``depth`` folders below the site's root, finished. Files it needs written
    (Quarto's page script, moved out of it) are added to ``files``: path from the site's root, text."""
    markup = _EMBED_ATTRIBUTES.sub("", _WIDGET_TAGS.sub("", markup))
    markup = _indented_code_lines(_keyboard_scrollable(_valid_template(_NOTEBOOK_IDS.sub(r"\1", markup))))
    markup = scripts_after_paint(lighter_head(markup), {} if files is None else files)
    if depth != 1:
        markup = _FROM_NOTEBOOKS.sub(lambda m: f'{m.group(1)}="{"../" * depth}{m.group(2)}"', markup)
    skip_link, body = _SKIP_LINK.search(markup), _BODY_START.search(markup)
    if skip_link and body and skip_link.start() > body.end():  # Quarto's place for it, inside <main>
        markup = (markup[: body.end()] + skip_link.group() + markup[body.end(): skip_link.start()]
                  + markup[skip_link.end():])
    if _CHART_FIGURE.search(markup) and not _CHART_SCRIPT.search(markup):
        body_end = markup.rindex("</body>")
        markup = f'{markup[:body_end]}<script src="{"../" * depth}assets/charts.js" defer></script>\n{markup[body_end:]}'
    if depth:  # Quarto writes a social card's picture relative to the site's root, on every page
        markup = _CARD_IMAGE.sub(lambda m: f'{m.group(1)}"{"../" * depth}{m.group(2)}"', markup)
    policy = _POLICY.search(markup)
    if not policy:
        raise InputError(name, "no Content-Security-Policy meta tag: is assets/head.html in include-in-header?")
    markup = markup[: policy.start()] + markup[policy.end():]
    parser = _InlineCode()
    parser.feed(markup)
    content = re.sub(r"\s'(?:unsafe-hashes|sha256-[^']*)'", "", policy.group(1))  # idempotent: hash afresh
    tag = f'<meta http-equiv="Content-Security-Policy" content="{_with_hashes(content, parser.scripts, parser.handlers)}">\n'
    fonts = _FONTS_CSS.search(markup)
    if fonts and f'href="{fonts.group(1)}{_PRELOADED_FACES[0]}"' not in markup:  # not twice if run again
        tag += "".join(f'<link rel="preload" href="{fonts.group(1)}{face}" as="font" type="font/woff2" crossorigin>\n'
                       for face in _PRELOADED_FACES)
    charset = _CHARSET.search(markup)
    if not charset:
        raise InputError(name, 'no <meta charset="utf-8"> to put the Content-Security-Policy after')
    return markup[: charset.end()] + tag + markup[charset.end():]


def with_description(markup: str, description: str) -> str:
    """``markup`` with ``description`` as its page description (Quarto gives a notebook page none,
    and the site's description to social cards), unless it has one of its own."""
    if _DESCRIPTION.search(markup) or not description:
        return markup
    content = html.escape(description, quote=True)
    markup = _SOCIAL_DESCRIPTION.sub(lambda m: f'{m.group(1)}"{content}"', markup)
    viewport = markup.index("<meta name=\"viewport\"")
    return markup[:viewport] + f'<meta name="description" content="{content}">\n' + markup[viewport:]


def finish_site(folder: Path) -> int:
    """Apply ``finish_page`` to every page under ``folder``; the number of pages."""
    pages = sorted(folder.rglob("*.html"))
    files: dict[str, str] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        source = PROJECT_ROOT / page.relative_to(folder).with_suffix(".ipynb")
        if source.parent.name == "notebooks" and source.is_file():
            text = with_description(text, notebook_description(read_notebook(source)))
        finished = finish_page(text, str(page), len(page.relative_to(folder).parts) - 1, files)
        if finished != text:
            page.write_text(finished, encoding="utf-8")
    for path, text in files.items():
        (folder / path).write_text(text, encoding="utf-8")
    search_marks_its_own(folder)
    slim_frame(folder)
    return len(pages)
