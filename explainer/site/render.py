"""``make site`` without Quarto: render ``_quarto.yml``'s pages and notebooks with pandoc.

Supported, and nothing else: the config keys in ``config.py``; page front matter ``title``,
``subtitle``, ``description``, ``toc``, ``image``; Pandoc Markdown (raw HTML blocks included);
the ``{{< embed notebooks/NAME.ipynb#LABEL >}}`` shortcode; ``.ipynb`` pages rendered from their
stored outputs. Pages keep Quarto's landmarks so that the same browser tests hold for both.
The build renders into a temporary folder and replaces ``site/`` only when everything succeeded.
"""

from __future__ import annotations

import glob
import hashlib
import html
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import yaml

from ..errors import InputError
from ..paths import BUILD_DIR, PROJECT_ROOT, relative
from ..textfile import _LineLoader, read_text
from .config import check_front_matter
from .publish import log

SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)\s*(.*?)\s*>\}\}")
# What Quarto's theme and layout give a page, for this renderer's pages (navbar, grid, colours).
FRAME_CSS = "assets/standalone.css"
_OPTION_LINE = re.compile(r"^#\|.*\n?", re.M)
_TOC_TEMPLATE = "$if(toc)$$table-of-contents$$endif$\n<!--body-->\n$body$\n"


@dataclass
class Page:
    source: Path  # relative to the project root
    title: str
    subtitle: str | None
    description: str
    toc: bool
    body: str
    toc_html: str

    @property
    def output(self) -> Path:
        return self.source.with_suffix(".html")

    @property
    def prefix(self) -> str:
        """The way back to the site root from this page ('' or '../')."""
        return "../" * (len(self.source.parts) - 1)


def split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """The page's YAML header (lines counted in the page), its body, and the body's first line."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        return {}, text, 1
    try:
        # the leading newline stands for the opening `---`, so YAML's line numbers are the page's
        front = yaml.load("\n" + match.group(1), Loader=_LineLoader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise InputError(relative(path), f"malformed front matter: {error.problem}", line=mark.line + 1 if mark else 1) from None
    if not isinstance(front, dict):
        raise InputError(relative(path), "front matter must be a YAML mapping", line=2)
    check_front_matter(front, path)
    return front, text[match.end():], match.group(0).count("\n") + 1


def cell_outputs_html(notebook: Path, label: str, page: Path, line: int) -> str:
    """The outputs of the notebook cell labelled ``label``, as Quarto's embed shows them."""
    if not (PROJECT_ROOT / notebook).is_file():
        raise InputError(relative(page), f"embed: notebook {notebook} not found", line=line)
    node = read_notebook(PROJECT_ROOT / notebook)
    for cell in node["cells"]:
        if cell["cell_type"] == "code" and re.search(rf"^#\|\s*label:\s*{re.escape(label)}\s*$", cell["source"], re.M):
            parts = []
            for output in cell["outputs"]:
                if output["output_type"] == "error":
                    raise InputError(relative(page), f"embed: cell {label!r} of {notebook} holds an error", line=line)
                data = output.get("data", {})
                if "text/html" in data:
                    parts.append(without_scoped_styles(data["text/html"]))
                elif "image/svg+xml" in data:
                    parts.append(data["image/svg+xml"])
                elif output["output_type"] == "stream" or "text/plain" in data:
                    text = output.get("text") or data["text/plain"]
                    parts.append(f'<pre class="cell-output">{html.escape(text)}</pre>')
            if not parts:
                raise InputError(relative(page), f"embed: cell {label!r} of {notebook} has no outputs; run `make data`", line=line)
            return "".join(parts)
    raise InputError(relative(page), f"embed: no cell labelled {label!r} in {notebook}", line=line)


# The representation Quarto shows of a notebook output in HTML, by preference (its
# `displayDataMimeType`): a chart's output carries Vega-Lite for JupyterLab, a PNG and an HTML
# figure as Markdown; Quarto, like nbconvert, shows the Markdown.
QUARTO_HTML_PREFERENCE = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain")


def _as_quarto_shows(data: dict) -> dict:
    chosen = next((mime for mime in QUARTO_HTML_PREFERENCE if mime in data), None)
    if chosen == "text/markdown":  # as Quarto reads it into the page (pandoc's ipynb reader would drop it)
        markdown = _joined(data[chosen])
        return {"text/html": pypandoc.convert_text(markdown, "html5", format="markdown+smart", extra_args=["--wrap=none"])}
    return {chosen: data[chosen]} if chosen else {}


def read_notebook(path: Path) -> dict:
    """A notebook as plain JSON with each multi-line field joined into one string, each output
    reduced to the one representation Quarto shows.

    Plain ``json`` rather than nbformat: importing nbformat costs over a second (its schema
    validator), more than the whole incremental rebuild of a page is allowed.
    """
    try:
        node = json.loads(read_text(path))
    except ValueError as error:
        raise InputError(relative(path), f"not a readable notebook: {error}") from None
    if not isinstance(node, dict) or node.get("nbformat") != 4 or not isinstance(node.get("cells"), list):
        raise InputError(relative(path), "not a version 4 Jupyter notebook")
    for cell in node["cells"]:
        cell["source"] = _joined(cell.get("source", ""))
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _joined(output["text"])
            if "data" in output:
                output["data"] = {mime: _joined(value) for mime, value in _as_quarto_shows(output["data"]).items()}
    return node


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def expand_shortcodes(body: str, page: Path, first_line: int) -> str:
    """Replace each embed shortcode by a raw HTML block; refuse any other shortcode."""

    def replace(match: re.Match) -> str:
        line = first_line + body.count("\n", 0, match.start())
        name, argument = match.group(1), match.group(2)
        if name != "embed":
            raise InputError(relative(page), f"unknown shortcode {{{{< {name} >}}}}: the built-in renderer supports only embed",
                             line=line)
        target = re.fullmatch(r"([\w./-]+\.ipynb)#([\w-]+)", argument)
        if not target:
            raise InputError(relative(page), f"embed expects NOTEBOOK.ipynb#LABEL, not {argument!r}", line=line)
        notebook, label = Path(target.group(1)), target.group(2)
        # no "Source" link: as Quarto with `notebook-view: false`, the pages link their notebooks themselves
        markup = cell_outputs_html(notebook, label, page, line)
        return f"\n\n```{{=html}}\n<div class=\"quarto-embed-nb-cell\">{markup}</div>\n```\n\n"

    return SHORTCODE.sub(replace, body)


def read_page(source: Path) -> tuple[dict, str]:
    """A page's checked front matter (a title required) and its body with every shortcode expanded:
    anything this renderer could not render as Quarto does fails here, naming the file and line."""
    front, body, first_line = split_front_matter(read_text(PROJECT_ROOT / source), source)
    if "title" not in front:
        raise InputError(relative(source), "front matter needs a title", line=1)
    return front, expand_shortcodes(body, source, first_line)


def check_page(source: Path) -> None:
    """What ``read_page`` refuses, whichever renderer runs (notebooks have no front matter to check)."""
    if source.suffix == ".qmd":
        read_page(source)


def pandoc_html(text: str, source_format: str, toc: bool) -> tuple[str, str]:
    """Body HTML and table of contents from pandoc."""
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as template:
        template.write(_TOC_TEMPLATE)
    try:
        args = ["--template", template.name, "--toc-depth=2", "--wrap=none", "--syntax-highlighting=pygments"]
        if toc:
            args.append("--toc")
        converted = pypandoc.convert_text(text, "html5", format=source_format, extra_args=args)
    finally:
        os.unlink(template.name)
    toc_html, body = converted.split("<!--body-->", 1)
    return body.strip(), toc_html.strip()


def _site_links(markup: str) -> str:
    """Links to .qmd and .ipynb pages point at their rendered .html, as Quarto's do."""
    return re.sub(r'href="(?![a-z]+:|#|/)([^"#]*?)\.(?:qmd|ipynb)(#[^"]*)?"', r'href="\1.html\2"', markup)


def render_qmd(source: Path) -> Page:
    front, body = read_page(source)
    toc = front.get("toc", True)
    markup, toc_html = pandoc_html(body, "markdown", toc)
    return Page(source, front["title"], front.get("subtitle"), front.get("description", ""), toc, markup, toc_html)


def render_notebook(source: Path) -> Page:
    """A notebook page from its stored outputs (nothing executed), as Quarto renders .ipynb."""
    node = read_notebook(PROJECT_ROOT / source)
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
    description = re.sub(r"[*`]", "", cells[0]["source"].strip().split("\n\n")[0]) if cells else ""
    markup, toc_html = pandoc_html(json.dumps(node), "ipynb+smart", True)  # smart quotes, as Quarto
    return Page(source, title, None, description, True, _keyboard_scrollable(without_scoped_styles(markup)), toc_html)


# pandas writes one before each DataFrame's table in a notebook. ``scoped`` left HTML long ago, so
# the style would apply to the whole page, and the Nu validator rejects it. Quarto drops it too
# (its pandoc reads the table as a table), and so do we: its rules only align the index cells.
_SCOPED_STYLE = re.compile(r"<style scoped>.*?</style>\n?", re.S)


def without_scoped_styles(markup: str) -> str:
    return _SCOPED_STYLE.sub("", markup)


_OUTPUT_DIV = re.compile(r'<div class="output (?:execute_result|display_data)"([^>]*)>')


def _keyboard_scrollable(markup: str) -> str:
    """Code and wide table outputs scroll sideways on a phone; make them reachable by keyboard
    (WCAG 2.1.1), as axe's scrollable-region-focusable rule asks."""
    markup = re.sub(r"<pre(?=[ >])", '<pre tabindex="0"', markup)

    def label_tables(match: re.Match) -> str:
        output = markup[match.end():].split('<div class="output', 1)[0]
        if 'class="dataframe"' not in output:
            return match.group(0)
        return match.group(0)[:-1] + ' tabindex="0" role="region" aria-label="Table output">'

    return _OUTPUT_DIV.sub(label_tables, markup)


def _nav(config: dict, page: Page) -> str:
    website = config["website"]
    items = []
    for item in website.get("navbar", {}).get("left", []):
        if "menu" in item:
            links = "".join(
                f'<li><a href="{page.prefix}{_target(sub["href"])}">{html.escape(sub["text"])}</a></li>' for sub in item["menu"])
            items.append(f'<li class="nav-item nav-menu"><details><summary>{html.escape(item["text"])}</summary>'
                         f"<ul>{links}</ul></details></li>")
        else:
            current = ' aria-current="page"' if Path(item["href"]) == page.source else ""
            items.append(f'<li class="nav-item"><a class="nav-link" href="{page.prefix}{_target(item["href"])}"{current}>'
                         f'{html.escape(item["text"])}</a></li>')
    return (f'<header id="quarto-header"><nav class="navbar" aria-label="Site">'
            f'<a class="navbar-brand" href="{page.prefix}index.html">{html.escape(website["title"])}</a>'
            f'<ul class="navbar-nav">{"".join(items)}</ul></nav></header>')


def _target(href: str) -> str:
    return str(Path(href).with_suffix(".html").as_posix())


def _social_meta(config: dict, page: Page) -> str:
    website = config["website"]
    site_url = (website.get("site-url") or "").rstrip("/")
    base = f"{site_url}/" if site_url else page.prefix
    tags = []
    og = website.get("open-graph")
    if og:
        image = (og.get("image") if isinstance(og, dict) else None)
        tags += [("property", "og:title", page.title), ("property", "og:description", page.description),
                 ("property", "og:type", "article"), ("property", "og:site_name", website["title"])]
        if image:
            tags.append(("property", "og:image", base + image))
        if site_url:
            tags.append(("property", "og:url", f"{site_url}/{page.output.as_posix()}"))
    card = website.get("twitter-card")
    if card:
        settings = card if isinstance(card, dict) else {}
        tags += [("name", "twitter:card", settings.get("card-style", "summary")), ("name", "twitter:title", page.title),
                 ("name", "twitter:description", page.description)]
        if settings.get("image"):
            tags.append(("name", "twitter:image", base + settings["image"]))
    return "".join(f'<meta {kind}="{name}" content="{html.escape(value)}">' for kind, name, value in tags)


def page_html(config: dict, page: Page, header_include: str) -> str:
    website, options = config["website"], config["format"]["html"]
    title = page.title if page.source.name == "index.qmd" else f"{page.title} – {website['title']}"
    subtitle = f'<p class="subtitle lead">{html.escape(page.subtitle)}</p>' if page.subtitle else ""
    toc = ""
    if page.toc and page.toc_html:
        toc = (f'<nav id="TOC" role="doc-toc" aria-labelledby="toc-title"><h2 id="toc-title">'
               f'{html.escape(options.get("toc-title", "Table of contents"))}</h2>{page.toc_html}</nav>')
    footer = website.get("page-footer", {})
    footer_html = "".join(f'<div class="nav-footer-{side}">{html.escape(footer[side])}</div>'
                          for side in ("left", "center", "right") if footer.get(side))
    stylesheets = [FRAME_CSS, *_as_list(options.get("css"))]
    css = "".join(f'<link rel="stylesheet" href="{page.prefix}{c}">' for c in stylesheets)
    if website.get("favicon"):
        css += f'<link rel="icon" href="{page.prefix}{website["favicon"]}">'
    return f"""<!DOCTYPE html>
<html lang="{options.get('lang', 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{header_include.strip()}
<title>{html.escape(title)}</title>
<meta name="description" content="{html.escape(page.description)}">
{_social_meta(config, page)}
{css}
</head>
<body>
<a class="skip-link" href="#quarto-document-content">Skip to content</a>
{_nav(config, page)}
<div id="quarto-content" class="page-columns">
<main class="content" id="quarto-document-content">
<header id="title-block-header"><h1 class="title">{html.escape(page.title)}</h1>{subtitle}</header>
{_site_links(page.body)}
</main>
{toc}
</div>
<footer class="footer"><div class="nav-footer">{footer_html}</div></footer>
</body>
</html>
"""


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def page_sources(config: dict) -> list[Path]:
    """The pages ``project.render`` names; an entry that matches no file is an error, not a gap."""
    sources = []
    for pattern in config["project"]["render"]:
        matches = sorted(glob.glob(pattern, root_dir=PROJECT_ROOT))
        if not matches:
            raise InputError("_quarto.yml", f"project.render: {pattern!r} matches no file")
        sources += [Path(p) for p in matches]
    return sources


def render_pages(config: dict, config_bytes: bytes, stage: Path, use_cache: bool = True) -> str:
    """Render every page of ``config`` into the empty folder ``stage``, with its resources and
    sitemap; a summary line. Pages whose inputs are unchanged since they were last rendered (the
    source, the notebooks it embeds, the config and this renderer) come from the page cache."""
    header_include = "".join(read_text(PROJECT_ROOT / p) for p in _as_list(config["format"]["html"].get("include-in-header")))
    sources = page_sources(config)
    cache = PageCache(BUILD_DIR / "pages", config_bytes + header_include.encode())
    for number, source in enumerate(sources, 1):
        page = cache.get(source) if use_cache else None
        if page is None:
            page = render_notebook(source) if source.suffix == ".ipynb" else render_qmd(source)
            cache.put(page)
            log(f"page {number} of {len(sources)}: {source} … rendered")
        else:
            log(f"page {number} of {len(sources)}: {source} … unchanged, from the page cache")
        target = stage / page.output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(config, page, header_include), encoding="utf-8")
    copied = _copy_resources(config, stage)
    _write_sitemap(config, sources, stage)
    cache.prune()
    return (f"{len(sources)} pages ({cache.rendered} rendered, {len(sources) - cache.rendered} from the cache) "
            f"and {copied} resources")


class PageCache:
    """Rendered page bodies, keyed by a digest of everything that shapes them."""

    def __init__(self, folder: Path, shared_inputs: bytes):
        self.folder, self.rendered = folder, 0
        self.keys: dict[Path, str] = {}  # each page of this build and its cache key
        here = Path(__file__).parent  # the renderer's code and the Quarto schema it checks pages against
        renderer = b"".join(p.read_bytes() for p in sorted([*here.glob("*.py"), *here.glob("quarto_schema/*.gz")]))
        self.shared = hashlib.sha256(shared_inputs + renderer + importlib.metadata.version("pypandoc-binary").encode())

    def _key(self, source: Path) -> str:
        if source in self.keys:
            return self.keys[source]
        digest = self.shared.copy()
        text = (PROJECT_ROOT / source).read_bytes()
        digest.update(source.as_posix().encode() + b"\0" + text)
        for notebook in sorted(set(re.findall(rb"embed\s+([\w./-]+\.ipynb)#", text))):
            path = PROJECT_ROOT / notebook.decode()
            digest.update(notebook + (path.read_bytes() if path.exists() else b"missing"))
        self.keys[source] = digest.hexdigest()
        return self.keys[source]

    def get(self, source: Path) -> Page | None:
        key = self._key(source)
        try:
            fields = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Page(source=source, **fields)

    def put(self, page: Page) -> None:
        self.rendered += 1
        key = self._key(page.source)
        self.folder.mkdir(parents=True, exist_ok=True)
        fields = {name: getattr(page, name) for name in ("title", "subtitle", "description", "toc", "body", "toc_html")}
        partial = self.folder / f"{key}.tmp"
        partial.write_text(json.dumps(fields), encoding="utf-8")
        os.replace(partial, self.folder / f"{key}.json")

    def prune(self) -> None:
        used = set(self.keys.values())
        for entry in self.folder.glob("*.json"):
            if entry.stem not in used:
                entry.unlink()


def _copy_resources(config: dict, stage: Path) -> int:
    resources = _as_list(config["project"].get("resources"))
    for pattern in resources:
        if not pattern.startswith("/"):
            # Quarto reads an unanchored glob as "at any depth" (.venv/ and site/ included)
            raise InputError("_quarto.yml", f"resource {pattern!r}: anchor it at the project root with a leading '/'")
    patterns = [FRAME_CSS, *(p[1:] for p in resources), *_as_list(config["format"]["html"].get("css")),
                *_as_list(config["website"].get("favicon"))]
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
