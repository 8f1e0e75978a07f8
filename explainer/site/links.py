"""Link integrity over a rendered site: every internal link, anchor, asset and download resolves,
and nothing the pages load comes from another origin.

The build runs this on the staged site before it replaces ``site/`` (a broken link fails the
build and publishes nothing); the tests run it on ``site/`` and on sites broken on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

# Elements and attributes that make the browser load something, as opposed to links a reader follows.
_LOADS = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src"),
          ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}
_FOLLOWS = {("a", "href"), ("area", "href")}
# A social card's picture: absolute once the site knows its address (website.site-url), else
# relative to the page, and then it must exist like any other.
_CARD_IMAGES = {("property", "og:image"), ("name", "twitter:image")}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass(frozen=True)
class Broken:
    file: str  # relative to the site's root
    line: int
    message: str
    url: str = ""  # the link as written in the page

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class _PageLinks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, int]] = []  # (kind, url, line)

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag, name) in _LOADS:
                if not (tag == "link" and dict(attrs).get("rel") in {"canonical", "alternate"}):
                    self.refs.append(("loads", value, line))
            elif (tag, name) in _FOLLOWS:
                self.refs.append(("follows", value, line))
        attributes = dict(attrs)
        if tag == "meta" and _CARD_IMAGES & set(attributes.items()) and attributes.get("content"):
            self.refs.append(("shows", attributes["content"], line))


def _parse(path: Path) -> _PageLinks:
    parser = _PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _stylesheet_refs(stylesheet: Path) -> list[tuple[str, str, int]]:
    """Every ``url(...)`` of a stylesheet: all of them make the browser load something."""
    lines = stylesheet.read_text(encoding="utf-8").splitlines()
    return [("loads", url, number) for number, text in enumerate(lines, 1) for url in _CSS_URL.findall(text)]


def broken_links(site: Path, base_path: str = "/") -> list[Broken]:
    """Every problem found (empty when the site is whole). ``base_path`` is where the site is
    published (the path of ``website.site-url``): Quarto's 404 page links from there."""
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html"))}
    refs = {page: parsed.refs for page, parsed in pages.items()}
    refs.update({stylesheet: _stylesheet_refs(stylesheet) for stylesheet in sorted(site.rglob("*.css"))})
    problems = []
    for source, found in refs.items():
        for kind, url, line in found:
            where = (source.relative_to(site).as_posix(), line)
            parts = urlsplit(url)
            if parts.scheme in {"mailto", "tel", "data"}:
                continue
            if parts.scheme or parts.netloc:
                if kind == "loads":
                    problems.append(Broken(*where, f"loads {url} from another origin"))
                continue  # a link to another site is the reader's choice to follow
            target = _resolve(source, parts.path, site, base_path) if parts.path else source
            if target is None or not target.is_file():
                problems.append(Broken(*where, f"{url} does not exist in the site", url))
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in pages[target].ids:
                problems.append(Broken(*where, f"{url} points at #{fragment}, which {target.relative_to(site).as_posix()} lacks",
                                       url))
    return problems


def _resolve(page: Path, url_path: str, site: Path, base_path: str = "/") -> Path | None:
    """The file a relative URL names, or None when it climbs out of the site."""
    if url_path.startswith("/"):
        if not url_path.startswith(base_path):
            return None
        relative_to_root = PurePosixPath(unquote(url_path[len(base_path):]))
    else:
        relative_to_root = PurePosixPath(page.parent.relative_to(site).as_posix()) / unquote(url_path)
    parts: list[str] = []
    for part in relative_to_root.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    target = site.joinpath(*parts) if parts else site
    return target / "index.html" if target.is_dir() else target
