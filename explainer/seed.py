"""The seed article and the facts the editor supplied about it (``seeds/article.yml``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import InputError
from .inputs import load_article_metadata, seed_path
from .paths import ARTICLE_METADATA, relative
from .textfile import read_text

# Abbreviations that end in a full stop without ending a sentence ("Iranian Gen. Qasem").
_ABBREVIATIONS = ("Gen.", "Mr.", "Mrs.", "Ms.", "Dr.", "Sen.", "Rep.", "Lt.", "Col.", "St.")
_SENTENCE_END = re.compile(r"[.!?][”\"’)]*(?=\s+[“\"‘(]?[A-Z0-9])|\n")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Article:
    path: Path
    text: str
    outlet: str
    edition: str
    dateline: str
    headline: str
    reference_date: dt.date
    reference_date_source: str
    reference_date_note: str
    outlet_url: str
    article_url: str | None
    copyright: str

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The text cut into sentences; each paragraph break also ends a sentence."""
        sentences, start = [], 0
        for match in _SENTENCE_END.finditer(self.text):
            end = match.end()
            if match.group() != "\n" and self.text[start:end].rstrip().endswith(_ABBREVIATIONS):
                continue
            sentences.append(self._sentence(start, end))
            start = end
        sentences.append(self._sentence(start, len(self.text)))
        return tuple(s for s in sentences if s.text)

    def _sentence(self, start: int, end: int) -> Sentence:
        chunk = self.text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        return Sentence(start + lead, start + lead + len(body), body)

    def sentence_at(self, offset: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        raise ValueError(f"offset {offset} is outside every sentence")

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


def load_article(metadata_path: Path = ARTICLE_METADATA) -> Article:
    """Read the metadata (validated against ``inputs.ArticleMetadata``) and the article it names,
    refusing anything inconsistent."""
    metadata, located = load_article_metadata(metadata_path)
    text_path = seed_path(metadata, located)
    text = read_text(text_path)
    first_line = text.split("\n", 1)[0]
    if first_line != metadata.headline:
        raise InputError(
            relative(metadata_path),
            f"headline: expected the article's first line {first_line!r}, found {metadata.headline!r}",
            line=located.line(("headline",)),
        )
    return Article(
        path=text_path,
        text=text,
        outlet=metadata.outlet,
        edition=metadata.edition,
        dateline=metadata.dateline,
        headline=metadata.headline,
        reference_date=metadata.reference_date,
        reference_date_source=metadata.reference_date_source,
        reference_date_note=metadata.reference_date_note,
        outlet_url=metadata.outlet_url,
        article_url=metadata.article_url,
        copyright=metadata.copyright,
    )
