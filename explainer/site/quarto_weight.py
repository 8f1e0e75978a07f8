"""What Quarto's page frame costs a first view, cut to what the site uses (post-render, Quarto only).

Quarto ships all of Bootstrap with every theme: about 500 KB of CSS per colour scheme, both
render-blocking, of which Lighthouse finds nine tenths unused; the full Bootstrap Icons stylesheet
(100 KB) and font (176 KB) for the four icons the site shows; and its scripts as blocking tags in
``<head>``. Here, after ``quarto render``:

- each stylesheet of ``site_libs/bootstrap/`` keeps only the rules whose classes and ids all occur
  somewhere in the site's pages or scripts (what PurgeCSS does, by the same rule: a name that
  occurs nowhere cannot be in the page, even when a script adds it; the one class name Quarto's
  scripts assemble from parts, its search's icons, is provided for);
- then each custom property (``--bs-…``) that no stylesheet of the site reads with ``var()`` and no
  page or script names is dropped, until none is left unread (Bootstrap declares some 400 on
  ``:root`` for each scheme, a quarter of what was left of each sheet);
- the icon font keeps only the glyphs of the icon rules left;
- Quarto's small stylesheets (its tooltips', the code highlighting's, the icons') join the
  Bootstrap stylesheet of their scheme, in the order the page had them: four requests fewer before
  the first paint. The light highlighting and tooltips, like the icons, are used whatever the
  scheme, since Quarto layers the dark sheets over the light ones;
- the dark stylesheets, which Quarto layers over the light ones, apply only when the system is
  dark, and are fetched only when the page is to be dark: a light reader's first paint neither
  waits for them nor shares the bandwidth with them. They stand in a ``<noscript>``, which applies
  them as they are without JavaScript; with it, a script (``dark_sheets.js``) writes them into the
  page when it opens dark, and otherwise adds them disabled, for Quarto's toggle to enable. A
  reader's own choice (the toggle, which Quarto keeps in ``localStorage``) lifts their condition.
  Quarto's spare light copies, which its script disables at once, apply only when the system is
  light: without JavaScript they would cover a dark system's dark sheets. For the same reason
  ``<body>`` loses the ``quarto-light`` class Quarto's template gives it (its script sets the
  scheme's class before the first paint).
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import tinycss2

from ..errors import InputError
from .quarto_scripts import inline_script

# Words of pages and scripts: every class or id they could name, as a string or in markup.
_WORD = re.compile(r"[A-Za-z_][\w-]*")
# In a selector: the arguments of :not(), :is(), :where(), :has() (optional or negated: a rule is
# kept whatever they name) and attribute selectors, then the class and id names that must occur.
_OPTIONAL_PART = re.compile(r":(?:not|is|where|has)\([^()]*(?:\([^()]*\)[^()]*)*\)|\[[^\]]*\]")
_NAME = re.compile(r"[.#](-?[A-Za-z_][\w-]*)")
_ICON_CODEPOINT = re.compile(r'content:\s*"\\([0-9a-fA-F]{1,6}) ?"')
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Quarto's small stylesheets, each merged into the Bootstrap sheet of its scheme (slim_frame), and
# their links, which the pages drop (lighter_head); with the line of Quarto's colour-scheme script
# that disables the spare copy of the highlighting sheet, which would find none.
# (file names in site_libs/, as regular expressions: Quarto names them by a hash of their content)
_MERGED_SHEETS = {
    r"bootstrap/bootstrap-(?!dark-)[\w-]*\.min\.css": [
        r"quarto-html/tippy\.css", r"quarto-html/quarto-syntax-highlighting-(?!dark-)[\w-]*\.css",
        r"bootstrap/bootstrap-icons\.css"],
    r"bootstrap/bootstrap-dark-[\w-]*\.min\.css": [r"quarto-html/quarto-syntax-highlighting-dark-[\w-]*\.css"],
}
_MERGED_LINK = re.compile(r'<link href="[^"]*site_libs/(?:quarto-html/tippy|quarto-html/quarto-syntax-highlighting[-\w]*'
                          r'|bootstrap/bootstrap-icons)\.css"[^>]*>\n?')
_SPARE_HIGHLIGHTING = re.compile(
    r"\n[ \t]*document\.querySelector\('link\.quarto-text-highlighting-styles\.quarto-color-scheme-extra'\)"
    r"\.rel = 'disabled-stylesheet';")
_DARK_SHEET = re.compile(r'<link\b(?=[^>]*\bquarto-color-alternate\b)[^>]*>')
_DARK_MEDIA = ' media="(prefers-color-scheme: dark)"'
# Quarto's spare light copies, after the dark sheets, win over them until its script disables them:
# without JavaScript, a dark system would get a light page with dark charts.
_SPARE_LIGHT_SHEET = re.compile(r'<link\b(?=[^>]*\bquarto-color-scheme-extra\b)(?![^>]*\bmedia=)[^>]*>')
_LIGHT_MEDIA = ' media="not all and (prefers-color-scheme: dark)"'
# Quarto's template marks <body> light; its script sets the scheme's class before the first paint.
# Without JavaScript the mark would be wrong on a dark system (assets/explainer.css reads it).
_STATIC_LIGHT_BODY = re.compile(r'(<body class="[^"]*?)\s*\bquarto-light\b')
# The script that fetches the dark sheets only when needed (it says how).
_DARK_SCRIPT = inline_script("dark_sheets.js")


def _words(folder: Path) -> set[str]:
    """The names the site's pages and Quarto's and our scripts could give an element (not the Vega
    bundle: a third-party chart library that styles nothing of Bootstrap's)."""
    words: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix in {".html", ".js"} and "vendor" not in path.parts:
            words.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def _occurs(name: str, words: set[str]) -> bool:
    # Quarto's search writes its result icons' classes as `bi-${icon}`, from bare icon names
    return name in words or (name.startswith("bi-") and name[3:] in words)


def _used(selectors: str, words: set[str]) -> bool:
    """Whether any selector of a rule could match: all of its classes and ids occur somewhere."""
    return any(
        all(_occurs(name, words) for name in _NAME.findall(_OPTIONAL_PART.sub("", selector)))
        for selector in selectors.split(",")
    )


def _holds_rules(rule) -> bool:
    """An @media, @supports or @layer block: rules inside a rule."""
    return rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"} and bool(rule.content)


def _cut_inside(rule, cut) -> bool:
    """Replace the rules inside ``rule`` (see :func:`_holds_rules`) with those ``cut`` keeps of
    them; whether any is left."""
    inner = cut(tinycss2.parse_rule_list(rule.content, skip_whitespace=True))
    rule.content = [node for child in inner for node in (child, tinycss2.ast.WhitespaceToken(0, 0, "\n"))]
    return bool(inner)


def _slim_rules(rules: list, words: set[str]) -> list:
    kept = []
    for rule in rules:
        if rule.type == "comment":
            if rule.value.startswith("!"):  # a licence
                kept.append(rule)
        elif rule.type == "qualified-rule":
            if _used(tinycss2.serialize(rule.prelude), words):
                kept.append(rule)
        elif _holds_rules(rule):
            if _cut_inside(rule, lambda inner: _slim_rules(inner, words)):
                kept.append(rule)
        elif rule.type != "whitespace":
            kept.append(rule)  # @font-face, @keyframes, @import...: kept as they are
    return kept


def _parsed(css: str, name: str) -> list:
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=False)
    errors = [rule for rule in rules if rule.type == "error"]
    if errors:  # cut blindly, a stylesheet we cannot parse could lose rules it needs
        raise InputError(name, f"cannot parse this stylesheet: {errors[0].message}", errors[0].source_line)
    return rules


def _serialized(rules: list) -> str:
    css = "\n".join(rule.serialize() for rule in rules) + "\n"
    # tinycss2 writes the characters its strings hold; written back as escapes, as they came, the
    # sheet stays ASCII (its encoding cannot matter) and its icons' codepoints stay readable.
    return _NON_ASCII.sub(lambda match: f"\\{ord(match.group()):x} ", css)


def slim_stylesheet(css: str, words: set[str], name: str) -> str:
    """The stylesheet without the rules no element of the site can match."""
    return _serialized(_slim_rules(_parsed(css, name), words))


def _without_properties(rules: list, unread) -> list:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            declarations = tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
            if all(d.type == "declaration" for d in declarations) and any(unread(d.name) for d in declarations):
                declarations = [d for d in declarations if not unread(d.name)]
                if not declarations:
                    continue  # a rule that only declared unread properties
                rule.content = tinycss2.parse_component_value_list(";".join(d.serialize() for d in declarations))
        elif _holds_rules(rule) and not _cut_inside(rule, lambda inner: _without_properties(inner, unread)):
            continue
        kept.append(rule)
    return kept


def drop_unread_properties(sheets: dict[str, str], words: set[str], also_read: str = "") -> dict[str, str]:
    """``sheets`` (name: CSS) without the custom properties that nothing reads: not ``var()`` in
    these sheets or in ``also_read`` (the site's other stylesheets), and not named in a page or a
    script (``words``: a script reads ``--bs-position`` by name). Repeated until nothing more goes,
    since a property read only by one that went is no longer read either."""
    reads = re.compile(r"var\(\s*(--[\w-]+)")
    read_before = None
    while True:
        read = set(reads.findall(also_read + "".join(sheets.values())))
        if read == read_before:  # the same properties read as by the last pass: it left none unread
            return sheets
        def unread(name: str, read=read) -> bool:
            return name.startswith("--") and name not in read and name[2:] not in words
        sheets = {name: _serialized(_without_properties(_parsed(css, name), unread)) for name, css in sheets.items()}
        read_before = read


def subset_icon_font(font: Path, stylesheets: list[str]) -> None:
    """Keep the icon font's glyphs that the stylesheets' ``content`` still names."""
    from fontTools import subset

    # Bootstrap Icons' font has two stray bytes in its glyph-name table, which fontTools reports on
    # every load; the subset drops that table's names altogether.
    logging.getLogger("fontTools.ttLib.tables._p_o_s_t").setLevel(logging.ERROR)
    codepoints = {int(code, 16) for css in stylesheets for code in _ICON_CODEPOINT.findall(css)}
    options = subset.Options()
    options.flavor, options.hinting = "woff", False  # the stylesheet names it as WOFF
    options.ignore_missing_unicodes = True  # idempotent: a second pass finds the glyphs it kept
    typeface = subset.load_font(str(font), options)
    typeface.recalcTimestamp = False  # the same bytes on every build
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(typeface)
    typeface["post"].formatType = 3.0  # no glyph names: nothing reads them, and a second pass reloads it cleanly
    buffer = io.BytesIO()
    subset.save_font(typeface, buffer, options)
    font.write_bytes(buffer.getvalue())


def merge_small_sheets(site_libs: Path) -> None:
    """Each of Quarto's small stylesheets put at the top of its scheme's Bootstrap sheet, in page
    order, and removed (no page links it: ``lighter_head``). Done once: a second pass finds none."""
    files = sorted(path.relative_to(site_libs).as_posix() for path in site_libs.rglob("*.css"))
    for target, sources in _MERGED_SHEETS.items():
        found = [name for pattern in sources for name in files if re.fullmatch(pattern, name)]
        targets = [name for name in files if re.fullmatch(target, name)]
        if not found:
            continue
        if len(targets) != 1:
            raise InputError(str(site_libs), f"expected one stylesheet {target} to merge {found[0]} into, found {len(targets)}")
        merged = "".join((site_libs / name).read_text(encoding="utf-8") + "\n" for name in found)
        (site_libs / targets[0]).write_text(merged + (site_libs / targets[0]).read_text(encoding="utf-8"), encoding="utf-8")
        for name in found:
            (site_libs / name).unlink()


def slim_frame(folder: Path) -> None:
    """Cut Quarto's stylesheets and icon font in ``folder`` (a rendered site) to what it uses."""
    bootstrap = folder / "site_libs" / "bootstrap"
    if not bootstrap.is_dir():
        return  # the built-in renderer: no Quarto frame
    merge_small_sheets(bootstrap.parent)
    words = _words(folder)
    sheets = {str(sheet): slim_stylesheet(sheet.read_text(encoding="utf-8"), words, str(sheet))
              for sheet in sorted(bootstrap.glob("*.css"))}
    others = "".join(path.read_text(encoding="utf-8", errors="replace") for path in sorted(folder.rglob("*.css"))
                     if bootstrap not in path.parents and "vendor" not in path.parts)
    sheets = drop_unread_properties(sheets, words, others)
    for sheet, css in sheets.items():
        Path(sheet).write_text(css, encoding="utf-8")
    font = bootstrap / "bootstrap-icons.woff"
    if font.is_file():
        subset_icon_font(font, list(sheets.values()))


def lighter_head(markup: str) -> str:
    """A page's ``<head>`` without links to the stylesheets merged into Bootstrap's, and with its
    dark stylesheets conditional (the module docstring says why each is safe). Pages without them
    are returned unchanged."""
    head_end = markup.find("</head>")
    head, rest = markup[:head_end], markup[head_end:]
    head, merged = _MERGED_LINK.subn("", head)
    if merged:
        rest = _SPARE_HIGHLIGHTING.sub("", rest, count=1)
    sheets = list(_DARK_SHEET.finditer(head))
    if sheets and " media=" not in sheets[0].group():
        tags = "".join(match.group()[:-1] + _DARK_MEDIA + ">" for match in sheets)
        block = f'<noscript id="quarto-dark-sheets">{tags}</noscript>\n<script>\n{_DARK_SCRIPT}</script>'
        head = _DARK_SHEET.sub(lambda match: block if match.end() == sheets[-1].end() else "", head)
        head = _SPARE_LIGHT_SHEET.sub(lambda match: match.group()[:-1] + _LIGHT_MEDIA + ">", head)
        rest = _STATIC_LIGHT_BODY.sub(r"\1", rest, count=1)
    return head + rest
