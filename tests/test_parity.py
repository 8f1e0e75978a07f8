"""Quarto (the reference) and the built-in pandoc renderer publish the same explainer: page by page,
the same headings, the same numbers in the same order and the same claim ids."""

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
    main = BeautifulSoup(markup, "html.parser").find("main")
    for hidden in main.select("script, style, .visually-hidden"):
        hidden.decompose()
    text = " ".join(main.get_text(" ").split())
    headings = [" ".join(h.get_text(" ").split()) for h in main.find_all(re.compile(r"^h[1-4]$"))]
    references = [value for tag in main.find_all(True) for name in ("id", "href") for value in [tag.get(name) or ""]]
    return {
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
