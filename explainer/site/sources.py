"""The built-in renderer's reading of its sources, checked as Quarto would check them: the pages
``_quarto.yml`` lists, their front matter, the ``embed`` shortcode, and notebooks with their stored
outputs reduced to what Quarto shows. Anything this renderer could not render as Quarto does fails
here, naming the file and line, before anything is written.
"""

from __future__ import annotations

import functools
import glob
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import yaml

from ..errors import InputError
from ..paths import PROJECT_ROOT, relative
from ..textfile import LineLoader, line_of_key, read_text
from .config import check_front_matter

SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)\s*(.*?)\s*>\}\}")


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
        front = yaml.load("\n" + match.group(1), Loader=LineLoader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise InputError(relative(path), f"malformed front matter: {error.problem}", line=mark.line + 1 if mark else 1) from None
    if not isinstance(front, dict):
        raise InputError(relative(path), "front matter must be a YAML mapping", line=2)
    check_front_matter(front, path)
    return front, text[match.end():], match.group(0).count("\n") + 1


# pandas writes one before each DataFrame's table in a notebook. ``scoped`` left HTML long ago, so
# the style would apply to the whole page, and the Nu validator rejects it. Quarto drops it too
# (its pandoc reads the table as a table), and so do we: its rules only align the index cells.
_SCOPED_STYLE = re.compile(r"<style scoped>.*?</style>\n?", re.S)


def without_scoped_styles(markup: str) -> str:
    return _SCOPED_STYLE.sub("", markup)


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
        return {"text/html": _markdown_html(_joined(data[chosen]))}
    return {chosen: data[chosen]} if chosen else {}


@functools.lru_cache(maxsize=64)  # a notebook is read once per page that embeds it: convert each output once
def _markdown_html(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "html5", format="markdown+smart", extra_args=["--wrap=none"])


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


def notebook_description(notebook: dict) -> str:
    """A notebook page's description under both renderers: the first paragraph after the notebook's
    title (its first cell's ``#`` heading), on one line, without Markdown's emphasis and code marks."""
    cells = notebook.get("cells") or [{"source": ""}]
    text = re.sub(r"\A\s*#\s+.*\n?", "", _joined(cells[0]["source"]))
    return " ".join(re.sub(r"[*`]", "", text.strip().split("\n\n")[0]).split())


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
    """A page's checked front matter (a title and a description required) and its body with every shortcode expanded:
    anything this renderer could not render as Quarto does fails here, naming the file and line."""
    front, body, first_line = split_front_matter(read_text(PROJECT_ROOT / source), source)
    if "title" not in front:
        raise InputError(relative(source), "front matter needs a title", line=1)
    if not str(front.get("description") or "").strip():
        raise InputError(relative(source), "front matter needs a description: the page's summary in search "
                                           "results and on social cards", line=1)
    return front, expand_shortcodes(body, source, first_line)


def check_page(source: Path) -> None:
    """What ``read_page`` refuses, whichever renderer runs (notebooks have no front matter to check)."""
    if source.suffix == ".qmd":
        read_page(source)


def as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def site_pages(config_path: Path | None = None) -> list[str]:
    """Every page of the site, as its address below the site's root (``notebooks/01-….html``):
    the one list of pages, read from ``_quarto.yml``, that tests and the benchmark go by."""
    from .config import load_config

    config = load_config(config_path or PROJECT_ROOT / "_quarto.yml")
    return [source.with_suffix(".html").as_posix() for source in page_sources(config)]


def page_sources(config: dict) -> list[Path]:
    """The pages ``project.render`` names; an entry that matches no file is an error, not a gap."""
    sources = []
    for pattern in config["project"]["render"]:
        matches = sorted(glob.glob(pattern, root_dir=PROJECT_ROOT))
        if not matches:
            raise InputError("_quarto.yml", f"project.render: {pattern!r} matches no file",
                             line=_line_of_entry(config["project"], "render", pattern))
        sources += [Path(p) for p in matches]
    return sources


def _line_of_entry(mapping: dict, key: str, entry: str) -> int | None:
    """The line of ``_quarto.yml`` that lists ``entry`` under ``key`` (else the key's own line)."""
    start = line_of_key(mapping, key)
    if start is None:
        return None
    lines = read_text(PROJECT_ROOT / "_quarto.yml").splitlines()
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    for number in range(start + 1, len(lines) + 1):  # the key's block: deeper lines, or "- " items beside it
        line = lines[number - 1]
        depth, text = len(line) - len(line.lstrip()), line.strip()
        if text and not text.startswith("#") and depth <= indent and not (depth == indent and text.startswith("- ")):
            break
        if text.removeprefix("-").strip().strip("'\"") == entry:
            return number
    return start


