"""The rendered site as files: links, anchors and downloads resolve; Quarto would accept our YAML;
sitemap and data page are complete. (The browser tests look at the same site as readers do.)"""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from explainer.build.project_copy import copy_project, run_explainer
from explainer.errors import InputError
from explainer.paths import BUILD_DIR, PROJECT_ROOT
from explainer.site import publish
from explainer.site import sources as page_sources
from explainer.site.config import load_config
from explainer.site.links import Broken, broken_links
from explainer.site.sources import split_front_matter
from support import PAGES

QMD_PAGES = [page.replace(".html", ".qmd") for page in PAGES if not page.startswith("notebooks/")]


def test_every_internal_link_anchor_asset_and_download_resolves(site):
    assert [str(problem) for problem in broken_links(site)] == []


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda s: (s / "data" / "events.csv").unlink(), "data.html:.*data/events.csv does not exist"),
        (lambda s: _edit(s / "index.html", 'href="#claim-attacks-iraq"', 'href="#claim-attacks-iraqq"'),
         "index.html:.*#claim-attacks-iraqq.*lacks"),
        (lambda s: _edit(s / "methods.html", "</body>", '<a href="data.html#no-such-table">x</a></body>'),
         "methods.html:.*data.html#no-such-table"),
        (lambda s: _edit(s / "index.html", "</head>", '<script src="https://cdn.example.com/x.js"></script></head>'),
         "index.html:.*loads https://cdn.example.com/x.js from another origin"),
        (lambda s: _edit(s / "assets" / "explainer.css", "mark", "body { background: url(../missing.png) }\nmark", count=1),
         r"assets/explainer.css:\d+: ../missing.png does not exist"),
        (lambda s: _edit(s / "notebooks" / "03-chart-attacks.html", 'content="../data/charts/', 'content="data/charts/'),
         "notebooks/03-chart-attacks.html:.*data/charts/attacks-by-country.wide.png does not exist"),
    ],
    ids=["missing-download", "missing-anchor", "missing-anchor-on-other-page", "third-party-script", "css-asset",
         "social-card-picture"],
)
def test_the_link_checker_finds_each_kind_of_damage(site, tmp_path, damage, expected):
    copy = Path(shutil.copytree(site, tmp_path / "site"))
    assert broken_links(copy) == []
    damage(copy)
    found = [str(problem) for problem in broken_links(copy)]
    assert any(re.search(expected, problem) for problem in found), found


def _edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_quarto_config_and_every_front_matter_pass_quartos_own_schema():
    load_config(PROJECT_ROOT / "_quarto.yml")  # raises on any key Quarto or our renderer would refuse
    for page in QMD_PAGES:
        front, _, _ = split_front_matter((PROJECT_ROOT / page).read_text(encoding="utf-8"), Path(page))
        assert front["title"] and front.get("description", page == "404.qmd")


@pytest.mark.parametrize(
    "edit, message, line_marker",
    [
        # a key Quarto's schema does not know, on a closed object
        (lambda c: c.replace("  title: \"Iraq", "  titel: \"Iraq"), "website.titel: Quarto's schema", "titel:"),
        # a value of the wrong type
        (lambda c: c.replace("    toc: true", "    toc: yes please"), r"format.html.toc: .*be `true` or `false`", "toc: yes"),
        # snake_case where Quarto wants kebab-case
        (lambda c: c.replace("  output-dir: site", "  output_dir: site"), "project.output_dir", "output_dir:"),
        # valid for Quarto, but a feature our renderer would silently drop
        (lambda c: c.replace("  favicon:", "  search: true\n  favicon:"), "website.search: not supported", "search:"),
    ],
    ids=["unknown-key", "wrong-type", "case-convention", "unsupported-here"],
)
def test_a_bad_quarto_config_fails_naming_the_key_and_line(tmp_path, edit, message, line_marker):
    config = tmp_path / "_quarto.yml"
    edited = edit((PROJECT_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    config.write_text(edited, encoding="utf-8")
    line = next(n for n, text in enumerate(edited.splitlines(), 1) if line_marker in text)
    with pytest.raises(InputError) as failure:
        load_config(config)
    assert re.search(message, failure.value.message), failure.value.message
    assert failure.value.line == line


def test_bad_front_matter_fails_naming_the_page_and_line():
    with pytest.raises(InputError) as failure:
        split_front_matter("---\ntitle: Fine\ntoc: 3\n---\nbody\n", Path("broken.qmd"))
    assert "toc" in failure.value.message and failure.value.path == "broken.qmd" and failure.value.line == 3


def test_a_page_without_a_description_fails_naming_it(tmp_path, monkeypatch):
    """Its description is its summary in search results and on social cards: never left empty."""
    monkeypatch.setattr(page_sources, "PROJECT_ROOT", tmp_path)
    (tmp_path / "about.qmd").write_text("---\ntitle: About\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(InputError) as failure:
        page_sources.check_page(Path("about.qmd"))
    assert failure.value.path == "about.qmd" and "needs a description" in failure.value.message


def test_quartos_progress_becomes_ours_and_its_failure_one_error(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "quarto"  # says what Quarto says, as it says it (coloured, after a carriage return)
    fake.write_text('#!/bin/sh\nprintf "\\033[1m\\r[1/9] index.qmd\\033[22m\\n"\n'
                    'printf "\\r[ 3/12] my page.qmd\\n"\n'  # from 10 pages on, Quarto pads the number
                    'echo "ERROR: something broke in data.qmd" >&2\nexit 1\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    BUILD_DIR.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=BUILD_DIR))
    try:
        with pytest.raises(InputError) as failure:
            publish._quarto_render(stage)
    finally:
        shutil.rmtree(stage)
    err = capsys.readouterr().err
    assert "[site] page 1 of 9: index.qmd … rendering (Quarto)" in err
    assert "[site] page 3 of 12: my page.qmd … rendering (Quarto)" in err
    assert failure.value.path == "_quarto.yml" and "something broke in data.qmd" in failure.value.message


@pytest.mark.parametrize(("url", "line"), [("data.html#nowhere", 3), ("data.html", 2), ("/", None), ("./#gone", None)])
def test_a_broken_link_is_named_on_the_line_that_holds_it(tmp_path, monkeypatch, url, line):
    monkeypatch.setattr(publish, "PROJECT_ROOT", tmp_path)
    (tmp_path / "about.qmd").write_text("---\n[the data](data.qmd)\n[a section](data.qmd#nowhere)\n", encoding="utf-8")
    error = publish._in_sources([Broken("about.html", 40, f"{url} is broken", url)], [Path("about.qmd")], tmp_path / "site")
    assert error.path == "about.qmd" and error.line == line and error.message.endswith("/about.html:40)")


def test_the_data_page_offers_every_table_of_the_package_and_the_package_itself(site):
    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    page = (site / "data.html").read_text(encoding="utf-8")
    for resource in package["resources"]:
        assert f'href="data/{resource["path"]}"' in page, resource["path"]
        assert f'id="table-{resource["name"]}"' in page, resource["name"]
    assert 'href="data/datapackage.json"' in page and 'href="CITATION.cff"' in page


def test_sitemap_lists_every_page_when_site_url_is_set(tmp_path, renderer):
    root = copy_project(tmp_path, with_site=False)
    config = (root / "_quarto.yml").read_text(encoding="utf-8")
    (root / "_quarto.yml").write_text(
        config.replace("  favicon:", "  site-url: https://example.org/iraq-explainer/\n  favicon:"), encoding="utf-8"
    )
    result = run_explainer(root, "site", "--renderer", renderer)
    assert result.returncode == 0, result.stderr
    sitemap = (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert "https://example.org/iraq-explainer/index.html" in urls
    assert "https://example.org/iraq-explainer/notebooks/03-chart-attacks.html" in urls
    assert not any("404" in url for url in urls) and len(urls) == 8
    index = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'property="og:image" content="https://example.org/iraq-explainer/data/charts/attacks-by-country.wide.png"' in index
    assert yaml.safe_load(config)["website"].get("site-url") is None, "the committed config has no site-url"


def test_every_page_declares_a_policy_that_allows_no_other_origin(site):
    for page in sorted(site.rglob("*.html")):
        policies = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page.read_text("utf-8"))
        assert len(policies) == 1, page
        directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";") if d.strip())
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
        for name, sources in directives.items():
            for source in sources.split():
                hashed = name == "script-src" and (source == "'unsafe-hashes'" or re.fullmatch(r"'sha256-[\w+/]+=*'", source))
                assert hashed or source in {"'self'", "'none'", "'unsafe-inline'", "data:"}, (page.name, name, source)
        assert "'unsafe-inline'" not in directives["script-src"]


def test_no_page_carries_the_path_of_the_machine_that_built_it(site):
    for page in sorted(site.rglob("*.html")):
        assert str(PROJECT_ROOT) not in page.read_text(encoding="utf-8"), page.relative_to(site)


def test_the_pages_drop_the_notebook_id_prefixes_so_parts_of_several_notebooks_link_up(site):
    """Notebook outputs carry `nbNN-` ids (unique among open notebooks); on a page, the chart from
    notebook 03 links to the ledger row from notebook 05 (the link check proves that it resolves)."""
    for page in site.rglob("*.html"):
        assert not re.search(r'(?:id="|href="#)nb\d\d-', page.read_text(encoding="utf-8")), page.name
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="#claim-attacks-iraq"' in index and 'id="claim-attacks-iraq"' in index


def test_the_404_page_roots_every_relative_url_a_srcset_lists():
    """The 404 page is served at any depth, so its relative URLs start from the site's root: in a
    srcset, every candidate, not only the first; absolute URLs and fragments stay as they are."""
    from explainer.site.frame import _site_links

    markup = ('<img srcset="a.svg 1x, charts/b.svg 2x" src="x.png"><a href="methods.qmd#how">m</a>'
              '<a href="#top">t</a><img srcset="/c.svg 1x, https://example.org/d.svg 2x">'
              '<img srcset="data:image/png;base64,AAA= 1x, e.svg 2x">')
    assert _site_links(markup, "/") == (
        '<img srcset="/a.svg 1x, /charts/b.svg 2x" src="/x.png"><a href="/methods.html#how">m</a>'
        '<a href="#top">t</a><img srcset="/c.svg 1x, https://example.org/d.svg 2x">'
        '<img srcset="data:image/png;base64,AAA= 1x, /e.svg 2x">')  # a data: URL keeps its comma
    assert _site_links(markup) == markup.replace("methods.qmd", "methods.html")
