"""Quarto (the reference) and the built-in pandoc renderer publish the same explainer: page by page,
the same title and description, the same text (smart quotes included), headings, numbers in the
same order and claim ids."""

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from support import PAGES, built_site

pytestmark = pytest.mark.slow  # compares (or checks) the sites as both renderers build them

NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")
CLAIM_ID = re.compile(r"claim-[a-z0-9]+(?:-[a-z0-9]+)*")


def reader_view(markup: str) -> dict:
    """What a reader of the page's content gets from it, whatever the markup around it."""
    document = BeautifulSoup(markup, "html.parser")
    main = document.find("main")
    # Quarto repeats the description under the title; assets/explainer.css hides it (it is for
    # search engines and cards, and the meta description is compared below)
    for hidden in main.select("script, style, .visually-hidden, #title-block-header .description"):
        hidden.decompose()
    text = " ".join(main.get_text(" ").split())
    headings = [" ".join(h.get_text(" ").split()) for h in main.find_all(re.compile(r"^h[1-4]$"))]
    references = [value for tag in main.find_all(True) for name in ("id", "href") for value in [tag.get(name) or ""]]
    return {
        "title": document.title.get_text(),
        "description": document.find("meta", attrs={"name": "description"})["content"],
        "text": text,
        "headings": headings,
        "numbers": NUMBER.findall(text),
        "claim ids": sorted({m for value in references for m in CLAIM_ID.findall(value)}),
    }


@pytest.mark.skipif(not shutil.which("quarto"), reason="Quarto is not installed: nothing to compare the built-in renderer with")
@pytest.mark.parametrize("path", PAGES)
def test_both_renderers_show_the_same_headings_numbers_and_claim_ids(path):
    quarto, pandoc = (reader_view((built_site(r) / path).read_text(encoding="utf-8")) for r in ("quarto", "pandoc"))
    for part in quarto:
        assert quarto[part] == pandoc[part], f"{path}: {part} differ"
    assert quarto["headings"] and (quarto["numbers"] or path == "404.html")


@pytest.mark.parametrize("renderer", ["pandoc", "quarto"])
def test_the_prose_of_every_page_uses_typographic_quotes(renderer):
    """The article's own quotes are typographic (’ “ ”); so are the editor's words around them, on
    both sites: no straight ' or " outside code."""
    if renderer == "quarto" and not shutil.which("quarto"):
        pytest.skip("Quarto is not installed")
    for path in PAGES:
        main = BeautifulSoup((built_site(renderer) / path).read_text(encoding="utf-8"), "html.parser").find("main")
        for code in main.select("script, style, pre, code"):
            code.decompose()
        text = " ".join(main.get_text(" ").split())
        assert not re.findall(r".{0,20}['\"].{0,20}", text), path
