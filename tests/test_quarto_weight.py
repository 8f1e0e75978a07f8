"""Quarto's frame cut to what the site uses (explainer/site/quarto_weight.py, quarto_scripts.py), on small inputs.
The browser suite checks the same on the site Quarto renders: every page, both schemes."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from explainer.errors import InputError
from explainer.paths import PROJECT_ROOT
from explainer.site.quarto_scripts import SEARCH_SCRIPT, scripts_after_paint, search_marks_its_own
from explainer.site.quarto_weight import (
    drop_unread_properties,
    lighter_head,
    merge_small_sheets,
    slim_stylesheet,
    subset_icon_font,
)

_CSS = """/*! Bootstrap, MIT licence */
/* a plain comment */
:root{--bs-blue:#2780e3}
.navbar{color:red}
.carousel-item{color:blue}
.nav-link:not(.disabled):hover,.tooltip-arrow{color:green}
.btn[data-bs-toggle="collapse"]{color:gray}
@font-face{font-family:"x";src:url(x.woff)}
@media(min-width: 992px){.navbar-expand-lg{display:flex}.offcanvas{display:none}}
@media print{.modal{display:none}}
.blockquote-footer::before{content:"\\2014  "}
.bi-check2::before{content:"\\f272"}
.bi-file-richtext::before{content:"\\f3e0"}
.bi-alarm::before{content:"\\f102"}
"""
# "file-richtext": Quarto's search names its icon so and adds the prefix (`bi-${icon}`)
_WORDS = {"navbar", "nav-link", "btn", "navbar-expand-lg", "blockquote-footer", "bi-check2", "file-richtext"}


def test_a_stylesheet_keeps_the_rules_whose_names_occur_and_only_those():
    css = slim_stylesheet(_CSS, _WORDS, "bootstrap.min.css")
    kept = {".navbar{", ".nav-link:not(.disabled):hover", ".btn[data-bs-toggle", "@font-face", ":root",
            ".navbar-expand-lg", "/*! Bootstrap, MIT licence */", ".blockquote-footer", ".bi-check2",
            ".bi-file-richtext"}
    dropped = {".carousel-item", ".offcanvas", "@media print", ".modal", "a plain comment", ".bi-alarm"}
    assert all(part in css for part in kept), css
    assert not any(part in css for part in dropped), css
    # written back as escapes: ASCII, with the icon's codepoint readable for the font's subset
    assert css.isascii() and 'content:"\\f272 "' in css and 'content:"\\2014  "' in css
    assert slim_stylesheet(css, _WORDS, "bootstrap.min.css") == css  # idempotent


def test_custom_properties_that_nothing_reads_are_dropped_and_those_read_anywhere_kept():
    sheets = {
        "light.css": ":root{--bs-unread:1px;--bs-chain:2px;--bs-link:var(--bs-chain);--bs-script:3px;--bs-ours:4px}"
                     "\n.only-unread{--bs-gone:0}\n.navbar{color:var(--bs-link)}\n"
                     "@media(min-width: 992px){:root{--bs-wide-unread:5px}}",
        "dark.css": ":root{--bs-link:red;--bs-dark-unread:6px}",
    }
    # --bs-script is named by a script (words hold names without their dashes); --bs-ours is read by
    # the site's own stylesheet; --bs-chain only by --bs-link, which .navbar reads
    lighter = drop_unread_properties(sheets, words={"bs-script", "navbar"}, also_read="a{color:var(--bs-ours)}")
    for kept in ("--bs-chain:2px", "--bs-link:var(--bs-chain)", "--bs-script:3px", "--bs-ours:4px", "--bs-link:red",
                 "var(--bs-link)"):
        assert kept in "".join(lighter.values()), kept
    for dropped in ("--bs-unread", "--bs-gone", ".only-unread", "--bs-wide-unread", "@media", "--bs-dark-unread"):
        assert dropped not in "".join(lighter.values()), dropped
    # once .navbar goes, --bs-link and then --bs-chain are read by nothing
    rest = drop_unread_properties({"light.css": lighter["light.css"].replace(".navbar{color:var(--bs-link)}", "")},
                                  words=set())
    assert "--bs-chain" not in rest["light.css"] and "--bs-link" not in rest["light.css"]
    assert drop_unread_properties(lighter, {"bs-script", "navbar"}, "a{color:var(--bs-ours)}") == lighter


def test_a_stylesheet_that_cannot_be_parsed_is_refused_by_name():
    with pytest.raises(InputError, match=r"bootstrap\.min\.css:3: cannot parse"):
        slim_stylesheet(".a{color:red}\n.b{color:blue}\n.c", {"a"}, "bootstrap.min.css")


def test_the_icon_font_keeps_the_glyphs_the_stylesheets_name(tmp_path):
    font = tmp_path / "icons.woff"
    font.write_bytes((PROJECT_ROOT / "assets/fonts/explainer-sans-400.woff2").read_bytes())
    subset_icon_font(font, ['.bi-a::before{content:"\\41 "}', '.bi-z::before { content: "\\7a"; }'])
    first = font.read_bytes()
    assert set(TTFont(font).getBestCmap()) == {0x41, 0x7A}
    subset_icon_font(font, ['.bi-a::before{content:"\\41 "}', '.bi-z::before { content: "\\7a"; }'])
    assert font.read_bytes() == first  # the same bytes on a second pass, as on every build


_HEAD = """<html><head>
<link href="site_libs/quarto-html/tippy.css" rel="stylesheet">
<link href="site_libs/quarto-html/quarto-syntax-highlighting-1f6b.css" rel="stylesheet" class="quarto-text-highlighting-styles">
<link href="site_libs/bootstrap/bootstrap-icons.css" rel="stylesheet">
<link href="site_libs/bootstrap/bootstrap.min.css" rel="stylesheet" class="quarto-bootstrap quarto-color-scheme" data-mode="light">
<link href="site_libs/bootstrap/bootstrap-dark.min.css" rel="stylesheet"
 class="quarto-bootstrap quarto-color-scheme quarto-color-alternate" data-mode="dark">
<link href="site_libs/bootstrap/bootstrap.min.css" rel="stylesheet" class="quarto-bootstrap quarto-color-scheme-extra" data-mode="light">
</head><body class="nav-fixed quarto-light"><script>
    const darkModeDefault = false;
      document.querySelector('link.quarto-text-highlighting-styles.quarto-color-scheme-extra').rel = 'disabled-stylesheet';
</script></body></html>"""


def test_quartos_small_sheets_go_and_its_dark_sheets_are_fetched_only_for_a_dark_page():
    page = lighter_head(_HEAD)
    assert "tippy.css" not in page and "highlighting" not in page and "bootstrap-icons" not in page  # merged
    assert "const darkModeDefault = false;\n</script>" in page  # and Quarto's script looks for none of them
    dark = ('<noscript id="quarto-dark-sheets"><link href="site_libs/bootstrap/bootstrap-dark.min.css" rel="stylesheet"\n'
            ' class="quarto-bootstrap quarto-color-scheme quarto-color-alternate" data-mode="dark" '
            'media="(prefers-color-scheme: dark)"></noscript>\n<script>')
    assert dark in page and page.count("bootstrap-dark.min.css") == 1  # only in the <noscript>, its script after it
    assert 'document.getElementById("quarto-dark-sheets")' in page and "document.write(sheets)" in page
    # the spare light copy, which covers the dark sheets until Quarto's script disables it, only on a light system
    assert 'quarto-color-scheme-extra" data-mode="light" media="not all and (prefers-color-scheme: dark)">' in page
    assert page.count("media=") == 2
    assert '<body class="nav-fixed">' in page  # Quarto's script marks the scheme; without it, no false "light"
    assert page.index("localStorage") < page.index("</head>")
    assert lighter_head(page) == page  # idempotent
    assert lighter_head("<html><head></head><body></body></html>") == "<html><head></head><body></body></html>"


def test_quartos_small_sheets_join_the_bootstrap_sheet_of_their_scheme_in_page_order(tmp_path):
    sheets = {"bootstrap/bootstrap-5e83.min.css": ".light{}", "bootstrap/bootstrap-dark-ebeb.min.css": ".dark{}",
              "bootstrap/bootstrap-icons.css": ".bi{}", "quarto-html/tippy.css": ".tippy-box{}",
              "quarto-html/quarto-syntax-highlighting-1f6b.css": ".kw{color:blue}",
              "quarto-html/quarto-syntax-highlighting-dark-08b2.css": ".kw{color:cyan}"}
    for name, css in sheets.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(css, encoding="utf-8")
    merge_small_sheets(tmp_path)
    left = {path.relative_to(tmp_path).as_posix(): path.read_text() for path in tmp_path.rglob("*.css")}
    assert left == {"bootstrap/bootstrap-5e83.min.css": ".tippy-box{}\n.kw{color:blue}\n.bi{}\n.light{}",
                    "bootstrap/bootstrap-dark-ebeb.min.css": ".kw{color:cyan}\n.dark{}"}
    merge_small_sheets(tmp_path)  # a second pass finds nothing to merge
    assert {path.relative_to(tmp_path).as_posix(): path.read_text() for path in tmp_path.rglob("*.css")} == left
    (tmp_path / "quarto-html/tippy.css").write_text(".tippy-box{}")
    (tmp_path / "bootstrap/bootstrap-5e83.min.css").rename(tmp_path / "bootstrap/bootstrap-9f00.min.css.bak")
    with pytest.raises(InputError, match="expected one stylesheet"):
        merge_small_sheets(tmp_path)  # nowhere to put it: refused, not dropped


_PAGE = """<html><head>
<script src="../site_libs/quarto-nav/quarto-nav.js" defer></script>
<script src="../site_libs/quarto-html/quarto.js" type="module"></script>
<script src="../assets/charts.js" defer></script>
</head><body><p>text</p>
<script id="quarto-html-after-body" type="application/javascript">
  window.document.addEventListener("DOMContentLoaded", function () {});
</script>
</body></html>"""


def test_quartos_scripts_wait_for_the_first_paint_and_its_page_script_moves_to_a_shared_file():
    files = {}
    page = scripts_after_paint(_PAGE, files)
    placeholders = re.findall(r'<script type="text/x-after-paint" data-src="([^"]*)"( data-type="module")?></script>', page)
    (path, text), = files.items()
    assert placeholders == [("../site_libs/quarto-nav/quarto-nav.js", ""), ("../site_libs/quarto-html/quarto.js", ' data-type="module"'),
                            (f"../{path}", "")]  # in document order, the page script last, where it was
    assert re.fullmatch(r"site_libs/quarto-html/quarto-page-[0-9a-f]{12}\.js", path)
    assert text == '\n  window.document.addEventListener("DOMContentLoaded", function () {});\n'
    assert '<script src="../assets/charts.js" defer></script>' in page  # ours: not Quarto's frame
    assert page.index('data-scripts", "loading"') < page.index("</head>")  # the loader, inline in <head>
    assert "//" not in page.split("<script>\n", 1)[1].split("</script>", 1)[0]  # shipped without its comments
    assert scripts_after_paint(page, files) == page  # idempotent
    plain = "<html><head><script src=\"assets/charts.js\" defer></script></head><body></body></html>"
    assert scripts_after_paint(plain, files) == plain and len(files) == 1
    # the same page script on another page: the same file, from where Quarto's tags start (the 404 page: the root)
    assert scripts_after_paint(_PAGE.replace("../", ""), files).count(f'data-src="{path}"') == 1 and len(files) == 1
    assert scripts_after_paint(_PAGE.replace("../", "/"), files).count(f'data-src="/{path}"') == 1


_SEARCH = """const markEl = txt => {
  const el = document.createElement("mark");
  el.appendChild(document.createTextNode(txt));
};
function clearHighlight(searchterm, el) {
      if (
        node.tagName === "MARK" &&
        node.innerText.toLowerCase() === searchterm.toLowerCase()
      ) {}
}
function scrollToFirstVisibleMatch(mainEl) {
  for (const mark of mainEl.querySelectorAll("mark")) {
  }
}
"""


def test_quartos_search_tells_its_marks_from_the_quotes(tmp_path):
    script = tmp_path / SEARCH_SCRIPT
    script.parent.mkdir(parents=True)
    script.write_text(_SEARCH)
    search_marks_its_own(tmp_path)
    patched = script.read_text()
    assert 'el.className = "quarto-search-match";' in patched  # its marks, marked as its own
    assert 'querySelectorAll("mark.quarto-search-match")' in patched  # scrolls to those
    assert 'node.tagName === "MARK" && node.classList.contains("quarto-search-match") &&' in patched  # unwraps those
    search_marks_its_own(tmp_path)
    assert script.read_text() == patched  # once
    script.write_text(_SEARCH.replace("scrollToFirstVisibleMatch", "scrollToMatch"))
    with pytest.raises(InputError, match="Quarto's search script has changed"):
        search_marks_its_own(tmp_path)  # a newer Quarto: refused by name, not silently left
    search_marks_its_own(tmp_path / "built-in")  # no search script: nothing to do
