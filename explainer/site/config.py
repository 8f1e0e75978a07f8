"""``_quarto.yml`` and page front matter, checked against exactly what our renderer supports.

Quarto accepts far more than this. Our renderer refuses any key it does not implement, with the
file and line, rather than silently producing a site that differs from Quarto's.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError
from ..paths import relative
from ..textfile import line_of_key, read_yaml, without_lines
from . import quarto_yaml

# Quarto features the built-in renderer does not have: accepted when turned off, as it renders them.
QUARTO_FEATURES_OFF = ("anchor-sections",)
# Nested dicts describe sub-keys; None means "a value of any shape we handle".
SUPPORTED_CONFIG = {
    "project": {"type": None, "output-dir": None, "pre-render": None, "post-render": None, "render": None, "resources": None},
    "website": {
        "title": None, "description": None, "site-url": None, "favicon": None, "repo-url": None,
        "open-graph": None, "twitter-card": None,
        "navbar": {"left": None, "right": None},
        "page-footer": {"left": None, "center": None, "right": None},
    },
    # theme and respect-user-color-scheme are Quarto's only (the built-in renderer has its own frame,
    # assets/standalone.css); notebook-view must be false (see load_config).
    "format": {"html": {"theme": None, "respect-user-color-scheme": None, "css": None, "toc": None, "toc-title": None,
                        "lang": None, "include-in-header": None, "include-before-body": None, "notebook-view": None, "code-overflow": None,
                        **dict.fromkeys(QUARTO_FEATURES_OFF)}},
}
SUPPORTED_FRONT_MATTER = {"title", "subtitle", "description", "toc", "image"}


def _check(mapping: dict, allowed: dict, path: Path, where: str) -> None:
    for key, value in mapping.items():
        if key == "__line__":
            continue
        if key not in allowed:
            raise InputError(relative(path), f"{where}{key}: not supported by the built-in renderer "
                             f"(supported here: {', '.join(allowed)})", line=line_of_key(mapping, key))
        if isinstance(allowed[key], dict):
            if not isinstance(value, dict):
                raise InputError(relative(path), f"{where}{key}: expected a mapping", line=line_of_key(mapping, key))
            _check(value, allowed[key], path, f"{where}{key}.")


def check_with_quarto(document: dict, schema_id: str, path: Path) -> None:
    """Refuse what Quarto itself would refuse, naming the key and the line (see quarto_yaml)."""
    found = quarto_yaml.check(without_lines(document), schema_id)
    if found:
        first = found[0]
        raise InputError(relative(path), f"{first.where}: Quarto's schema ({schema_id}) expects it to {first.expected}",
                         line=_line_of(document, first.path))


def _line_of(document, key_path: tuple) -> int | None:
    """The line of the last key on the way to ``key_path`` that the document holds."""
    line, node = document.get("__line__"), document
    for part in key_path:
        if isinstance(node, dict) and part in node:
            line, node = line_of_key(node, part) or line, node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = node.get("__line__", line) if isinstance(node, dict) else line
        else:
            break
    return line


def load_config(path: Path) -> dict:
    config = read_yaml(path)
    check_with_quarto(config, "project-config", path)
    _check(config, SUPPORTED_CONFIG, path, "")
    project = config.get("project", {})
    if project.get("type") != "website":
        raise InputError(relative(path), "project.type must be website", line=project.get("__line__"))
    html_options = config.get("format", {}).get("html", {})
    if html_options.get("notebook-view", True) is not False:
        raise InputError(relative(path), "format.html.notebook-view must be false: pages link their notebooks "
                         "themselves (the built-in renderer makes no notebook previews)",
                         line=line_of_key(html_options, "notebook-view") or html_options.get("__line__"))
    for key in QUARTO_FEATURES_OFF:
        if html_options.get(key, False) is not False:
            raise InputError(relative(path), f"format.html.{key} must be false: the built-in renderer has no such feature",
                             line=line_of_key(html_options, key))
    for item in _nav_items(config):
        unknown = set(item) - {"href", "text", "menu", "__line__"}
        if unknown:
            raise InputError(relative(path), f"navbar item: unsupported key {sorted(unknown)[0]!r}", line=item.get("__line__"))
    return config


def _nav_items(config: dict):
    navbar = config.get("website", {}).get("navbar", {})
    for side in ("left", "right"):
        for item in navbar.get(side) or []:
            yield item
            yield from item.get("menu", [])


def check_front_matter(front: dict, path: Path) -> None:
    check_with_quarto(front, "front-matter", path)
    for key in front:
        if key != "__line__" and key not in SUPPORTED_FRONT_MATTER:
            raise InputError(relative(path), f"front matter key {key!r} is not supported by the built-in renderer "
                             f"(supported: {', '.join(sorted(SUPPORTED_FRONT_MATTER))})", line=line_of_key(front, key))


def published_path(config: dict) -> str:
    """The path the site is published under ("/" unless ``website.site-url`` has one)."""
    path = urlsplit(config.get("website", {}).get("site-url") or "").path.strip("/")
    return f"/{path}/" if path else "/"
