"""A rendered page in its frame: the page template (``page.html``, beside this module) filled with
the page's title, navigation, table of contents and body, as Quarto's website template does."""

from __future__ import annotations

import html
import re
from pathlib import Path
from string import Template

from .config import published_path
from .sources import Page, as_list

# What Quarto's theme and layout give a page, for this renderer's pages (navbar, grid, colours).
FRAME_CSS = "assets/standalone.css"
FRAME_SCRIPT = "assets/standalone.js"  # closes the navbar menu as menus close (it works without)
TEMPLATE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))


def _root(config: dict, page: Page) -> str:
    """The way from the page to the site's root. A host serves the 404 page at any missing address,
    at any depth: its links start from the site's root, as Quarto writes them (site-url's path, or /)."""
    return published_path(config) if page.source.name == "404.qmd" else page.prefix


def _nav(config: dict, page: Page, prefix: str) -> str:
    website = config["website"]
    items = []
    for item in website.get("navbar", {}).get("left", []):
        if "menu" in item:
            links = "".join(
                f'<li><a href="{prefix}{_target(sub["href"])}">{html.escape(sub["text"])}</a></li>' for sub in item["menu"])
            items.append(f'<li class="nav-item nav-menu"><details><summary>{html.escape(item["text"])}</summary>'
                         f"<ul>{links}</ul></details></li>")
        else:
            current = ' aria-current="page"' if Path(item["href"]) == page.source else ""
            items.append(f'<li class="nav-item"><a class="nav-link" href="{prefix}{_target(item["href"])}"{current}>'
                         f'{html.escape(item["text"])}</a></li>')
    return (f'<header id="quarto-header"><nav class="navbar" aria-label="Site">'
            f'<a class="navbar-brand" href="{prefix}index.html">{html.escape(website["title"])}</a>'
            f'<ul class="navbar-nav">{"".join(items)}</ul></nav></header>')


def _target(href: str) -> str:
    return str(Path(href).with_suffix(".html").as_posix())


def _social_meta(config: dict, page: Page, prefix: str) -> str:
    website = config["website"]
    site_url = (website.get("site-url") or "").rstrip("/")
    base = f"{site_url}/" if site_url else prefix
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


def page_html(config: dict, page: Page, header_include: str, before_body: str = "") -> str:
    website, options = config["website"], config["format"]["html"]
    title = f"{page.title} – {website['title']}"  # on every page, the home page too, as Quarto writes it
    subtitle = f'<p class="subtitle lead">{html.escape(page.subtitle)}</p>' if page.subtitle else ""
    toc = ""
    if page.toc and page.toc_html:
        toc = (f'<nav id="TOC" role="doc-toc" aria-labelledby="toc-title"><h2 id="toc-title">'
               f'{html.escape(options.get("toc-title", "Table of contents"))}</h2>{page.toc_html}</nav>')
    footer = website.get("page-footer", {})
    footer_html = "".join(f'<div class="nav-footer-{side}">{html.escape(footer[side])}</div>'
                          for side in ("left", "center", "right") if footer.get(side))
    stylesheets = [FRAME_CSS, *as_list(options.get("css"))]
    prefix = _root(config, page)
    head_links = "".join(f'<link rel="stylesheet" href="{prefix}{c}">' for c in stylesheets)
    if website.get("favicon"):
        head_links += f'<link rel="icon" href="{prefix}{website["favicon"]}">'
    if any("menu" in item for item in website.get("navbar", {}).get("left", [])):
        head_links += f'<script src="{prefix}{FRAME_SCRIPT}" defer></script>'
    return TEMPLATE.substitute(
        lang=options.get("lang", "en"), header_include=header_include.strip(), before_body=before_body.strip(),
        title=html.escape(title),
        description=html.escape(page.description), social_meta=_social_meta(config, page, prefix), stylesheets=head_links,
        navbar=_nav(config, page, prefix), heading=html.escape(page.title), subtitle=subtitle,
        body=_site_links(page.body, prefix if prefix.startswith("/") else ""),
        toc=toc, footer=footer_html,
    )


def _site_links(markup: str, root: str = "") -> str:
    """Links to .qmd and .ipynb pages point at their rendered .html, as Quarto's do; with ``root``
    (the 404 page), every relative link starts from the site's root."""
    markup = re.sub(r'href="(?![a-z]+:|#|/)([^"#]*?)\.(?:qmd|ipynb)(#[^"]*)?"', r'href="\1.html\2"', markup)
    if not root:
        return markup
    markup = re.sub(r'\b(href|src)="(?![a-z]+:|#|/)', rf'\1="{root}', markup)
    # a srcset lists several candidates ("a.svg 1x, b.svg 2x"): each URL is rooted
    return re.sub(r'\bsrcset="([^"]*)"', lambda m: 'srcset="' + _rooted_srcset(m[1], root) + '"', markup)


def _rooted_srcset(candidates: str, root: str) -> str:
    """Each candidate's URL rooted, read as HTML reads a srcset: a URL runs to the next whitespace
    (so a data: URL keeps its comma), then descriptors up to a comma."""
    rooted = []
    for url, descriptors in re.findall(r"\s*([^\s,][^\s]*?),*(?=\s|$)([^,]*),?", candidates):
        rooted.append((url if re.match(r"[a-z][a-z0-9+.-]*:|/|#", url) else root + url) + descriptors.rstrip())
    return ", ".join(rooted)
