"""Quarto's frame cut to what the site uses (explainer/site/quarto_weight.py), on small inputs.
The browser suite checks the same on the site Quarto renders: every page, both schemes."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from explainer.errors import InputError
from explainer.paths import PROJECT_ROOT
from explainer.site.quarto_weight import drop_unread_properties, lighter_head, slim_stylesheet, subset_icon_font

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
<script src="site_libs/quarto-nav/quarto-nav.js"></script>
<script src="site_libs/quarto-html/quarto.js" type="module"></script>
<script src="assets/charts.js" defer></script>
<link href="site_libs/bootstrap/bootstrap.min.css" rel="stylesheet" class="quarto-bootstrap quarto-color-scheme" data-mode="light">
<link href="site_libs/bootstrap/bootstrap-dark.min.css" rel="stylesheet"
 class="quarto-bootstrap quarto-color-scheme quarto-color-alternate" data-mode="dark">
<link href="site_libs/bootstrap/bootstrap.min.css" rel="stylesheet" class="quarto-bootstrap quarto-color-scheme-extra" data-mode="light">
</head><body class="nav-fixed quarto-light"><script src="site_libs/late.js"></script></body></html>"""


def test_quartos_head_scripts_are_deferred_and_its_dark_sheets_wait_for_a_dark_system_or_a_choice():
    page = lighter_head(_HEAD)
    assert '<script src="site_libs/quarto-nav/quarto-nav.js" defer></script>' in page
    assert '<script src="site_libs/quarto-html/quarto.js" type="module"></script>' in page  # modules defer already
    assert '<script src="site_libs/late.js"></script>' in page  # only <head>'s
    dark = 'class="quarto-bootstrap quarto-color-scheme quarto-color-alternate" data-mode="dark" ' \
           'media="(prefers-color-scheme: dark)">\n<script>'
    assert dark in page and page.count('media="(prefers-color-scheme: dark)"') == 1
    # the spare light copy, which covers the dark sheets until Quarto's script disables it, only on a light system
    assert 'quarto-color-scheme-extra" data-mode="light" media="not all and (prefers-color-scheme: dark)">' in page
    assert page.count("media=") == 2
    assert '<body class="nav-fixed">' in page  # Quarto's script marks the scheme; without it, no false "light"
    # the script that lifts the condition comes after the sheets it finds, and before the body
    assert page.index("localStorage") < page.index("</head>")
    assert lighter_head(page) == page  # idempotent
    assert lighter_head("<html><head></head><body></body></html>") == "<html><head></head><body></body></html>"
    # a heading "Exports" would be the global `exports` that the scripts' UMD wrappers look for
    exports = lighter_head(_HEAD.replace("quarto-light\">", "quarto-light\"><h2 id=\"exports\">Exports</h2>"))
    assert " defer>" not in exports.replace('<script src="assets/charts.js" defer>', "")
