"""Every page of both renderers' sites is valid HTML (the W3C Nu HTML Checker) and, where Lighthouse is
installed, scores 100 for accessibility (issue 13, item 6). axe's WCAG 2.2 A and AA rules run in
test_browser.py; Lighthouse's accessibility audits are axe rules too, scored as Lighthouse weighs them.

The checker is vnu.jar from npm (`vnu-jar`, pinned in tools/vnu/, installed by `make validator`,
which `make test` runs) and needs Java (Debian's default-jre-headless). Lighthouse is not installed by
`make test` (185 MB from npm, about 4 minutes for both sites): `make lighthouse` installs it and runs it,
and from then on this module's Lighthouse test runs too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explainer.paths import PROJECT_ROOT
from support import PAGES, RENDERERS, built_site

pytestmark = pytest.mark.slow  # compares (or checks) the sites as both renderers build them

VNU_JAR = PROJECT_ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = PROJECT_ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"


def _sites() -> dict[str, Path]:
    """Each renderer's site; Quarto's only where Quarto is installed (as the renderer fixture does)."""
    return {renderer: built_site(renderer) for renderer in RENDERERS if renderer != "quarto" or shutil.which("quarto")}


def test_every_page_of_both_renderers_is_valid_html():
    java = shutil.which("java")
    if not java:
        pytest.skip("no Java on PATH for the Nu HTML Checker: run `make validator` (as root it installs "
                    "default-jre-headless)")
    if not VNU_JAR.exists():
        pytest.skip(f"the Nu HTML Checker is not installed ({VNU_JAR.relative_to(PROJECT_ROOT)}): run `make validator`")
    pages = [site / page for site in _sites().values() for page in PAGES]
    missing = [str(page) for page in pages if not page.exists()]
    assert missing == []
    # one JVM for every page: the checker takes seconds to start
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("renderer_name", RENDERERS)
def test_lighthouse_accessibility_is_100_with_no_failed_audit_on_every_page(renderer_name, tmp_path):
    if not LIGHTHOUSE.exists():
        pytest.skip("Lighthouse is not installed: `make lighthouse` installs it (npm) and runs it")
    if renderer_name == "quarto" and not shutil.which("quarto"):
        pytest.skip("Quarto is not installed: the Quarto half of the site tests is skipped (see README, Quarto)")
    summary = tmp_path / "lighthouse.json"
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "lighthouse.py"), str(built_site(renderer_name)),
         "--performance", "--label", f"test-{renderer_name}", "--json", str(summary)],
        capture_output=True, text=True, timeout=1200,
    )
    assert summary.exists(), result.stderr[-3000:]
    results = json.loads(summary.read_text(encoding="utf-8"))
    assert sorted(results) == sorted(PAGES)
    # a page can round to 100 with a failed audit of small weight: both are checked
    low = {page: (r["accessibility"], r["failed"]) for page, r in results.items() if r["accessibility"] < 100 or r["failed"]}
    assert low == {}, result.stdout


# What Quarto 1.11's page template writes, as far as the Nu validator objects to it.
_QUARTO_HEAD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
<link href="b.css" rel="stylesheet" append-hash="true" class="quarto-color-scheme" id="quarto-bootstrap" data-mode="light">
<link href="b-dark.css" rel="stylesheet" append-hash="true" class="quarto-color-scheme quarto-color-alternate" \
id="quarto-bootstrap" data-mode="dark">
<link href="b.css" rel="stylesheet" append-hash="true" class="quarto-color-scheme-extra" id="quarto-bootstrap" data-mode="light">
</head><body><script>
const a = window.document.querySelector("link#quarto-bootstrap:not([rel=disabled-stylesheet])");
for (const sheetNode of []) { if (sheetNode.id === "quarto-bootstrap") {} }
document.querySelector('link#quarto-bootstrap.quarto-color-scheme-extra').rel = 'disabled-stylesheet';
</script>
<button class="navbar-toggler" type="button" aria-controls="navbarCollapse" role="menu" aria-expanded="false">x</button>
<div id="t" class="cell-output cell-output-display" data-execution_count="3"><div><table class="dataframe"></table></div></div>
<div class="cell-output cell-output-display"><p>no table</p></div>
</body></html>"""


def test_post_render_makes_quartos_template_valid_and_stays_idempotent():
    from explainer.site.postrender import finish_page

    page = finish_page(_QUARTO_HEAD, "index.html")
    assert "append-hash" not in page and 'role="menu"' not in page
    assert 'id="quarto-bootstrap"' not in page and page.count('class="quarto-bootstrap quarto-color-scheme') == 3
    # Quarto's colour-scheme script finds the same links by class
    assert 'querySelector("link.quarto-bootstrap:not([rel=disabled-stylesheet])")' in page
    assert 'sheetNode.classList.contains("quarto-bootstrap")' in page and "link#" not in page
    assert '<div id="t" class="cell-output cell-output-display" data-execution_count="3" tabindex="0" role="region" ' \
           'aria-label="Table output">' in page
    assert '<div class="cell-output cell-output-display"><p>' in page  # no table, no focus stop
    assert finish_page(page, "index.html") == page


def test_post_render_puts_quartos_navbar_in_the_order_it_is_shown():
    """Quarto's template writes search second and the phone menu button third; its stylesheet shows
    the button first and search last. The keyboard follows what is shown (the browser suite tabs)."""
    from explainer.site.postrender import finish_page

    nav = ('<div class="navbar-brand-container mx-auto"><a class="navbar-brand" href="./index.html">T</a></div>\n'
           '  <div id="quarto-search" class="" title="Search"></div>\n'
           '  <button class="navbar-toggler" type="button">\n<span class="navbar-toggler-icon"></span>\n</button>\n'
           '<div class="collapse navbar-collapse" id="navbarCollapse"><ul></ul></div>\n'
           '<div class="quarto-navbar-tools">\n<a href="" class="quarto-color-scheme-toggle"><i class="bi"></i></a>\n</div>\n')
    head = _QUARTO_HEAD[: _QUARTO_HEAD.index("<body>")]
    page = finish_page(f"{head}<body><nav>\n{nav}</nav></body></html>", "index.html")
    order = [page.index(part) for part in ('class="navbar-toggler"', "navbar-brand-container", 'id="navbarCollapse"',
                                           "quarto-navbar-tools", 'id="quarto-search"')]
    assert order == sorted(order)
    assert finish_page(page, "index.html") == page
    # tools that hold a div of their own (a menu): search goes after all of them, not inside
    nested = nav.replace('<a href="" class="quarto-color-scheme-toggle">', '<div class="dropdown"><a>m</a></div>\n<a href="" class="x">')
    page = finish_page(f"{head}<body><nav>\n{nested}</nav></body></html>", "index.html")
    assert page.index('id="quarto-search"') > page.index('<a href="" class="x">') and \
        re.search(r'</div>\n\s*<div id="quarto-search"[^>]*></div>\n</nav>', page), page
