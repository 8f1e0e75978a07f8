"""The claims ledger: each figure of the article, anchored to its exact words in the seed.

``load_ledger()`` reads ``seeds/claims.yml``, finds every quote in the article (character
offsets, exactly one occurrence unless disambiguated), reads each value from the quote's own
words, and checks that every number-like word of the article is either claimed or excluded
with a reason. Any failure is an InputError naming the claim, the quote and, when a quote has
gone, the closest passage the article now holds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .inputs import ClaimEntry, ExclusionEntry, load_claims_file
from .paths import CLAIMS_FILE, relative
from .readings import NUMERIC_WORDS, ReadingError, read_count, read_date
from .seed import Article, load_article
from .vocabulary import KINDS, ROLES, STATUSES

__all__ = ["KINDS", "ROLES", "STATUSES", "Anchor", "Claim", "Exclusion", "Ledger", "load_ledger"]

# Our own words (measure, event) must not carry a figure: figures come from the article only.
_HAND_TYPED_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice|hundred|thousand|million)\b", re.I
)


@dataclass(frozen=True)
class Anchor:
    """Where a quote and its figure sit in the article (Python string offsets, end exclusive)."""

    quote_start: int
    quote_end: int
    figure_start: int
    figure_end: int


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    quote: str
    figure: str
    anchor: Anchor
    sentence: str
    measure: str
    attribution: str
    attribution_quote: str | None
    value: int | None
    unit: str | None
    date: dt.date | None
    date_end: dt.date | None
    precision: str | None
    date_rule: str | None
    event: str | None
    status: str | None
    role: str | None
    period: str | None
    about: dict = field(default_factory=dict)
    line: int | None = None  # line of the claim in claims.yml


@dataclass(frozen=True)
class Exclusion:
    quote: str
    figure: str
    anchor: Anchor
    reason: str


@dataclass(frozen=True)
class Ledger:
    article: Article
    claims: tuple[Claim, ...]
    exclusions: tuple[Exclusion, ...]

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)

    def with_role(self, role: str) -> list[Claim]:
        return [claim for claim in self.claims if claim.role == role]


def closest_passage(text: str, quote: str) -> str:
    """The stretch of ``text`` most like ``quote``, for telling an editor what changed."""
    width = len(quote)
    starts = [0] + [m.end() for m in re.finditer(r"\s+", text)]
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    best, best_ratio, best_end = "", -1.0, 0
    for start in starts:
        window = text[start : start + width]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio, best_end = window, ratio, start + width
    # a quote shortened by the typo would show the passage cut mid-word: finish the word
    return best + re.match(r"\w*", text[best_end:])[0] if best else best


def anchor(
    text: str, quote: str, figure: str, occurrence: int | None, where: str, path: Path, line: int | None
) -> Anchor:
    """Find ``quote`` in ``text`` and ``figure`` inside it, or fail naming ``where``."""
    starts = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not starts:
        raise InputError(
            relative(path),
            f"{where}: quote not found in the article: expected {quote!r}; "
            f"closest passage: {closest_passage(text, quote)!r}",
            line=line,
        )
    if occurrence is None and len(starts) > 1:
        raise InputError(
            relative(path),
            f"{where}: quote {quote!r} occurs {len(starts)} times in the article; lengthen it or set `occurrence`",
            line=line,
        )
    index = (occurrence or 1) - 1
    if not 0 <= index < len(starts):
        raise InputError(relative(path), f"{where}: occurrence {occurrence} of {quote!r} does not exist", line=line)
    in_quote = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(figure)}(?!\w)", quote)]
    if len(in_quote) != 1:
        problem = "is not in" if not in_quote else "occurs more than once in"
        raise InputError(relative(path), f"{where}: figure {figure!r} {problem} its quote {quote!r}", line=line)
    start = starts[index]
    return Anchor(start, start + len(quote), start + in_quote[0], start + in_quote[0] + len(figure))


def _claim(entry: ClaimEntry, article: Article, path: Path, line: int, quote_line: int) -> Claim:
    """A claim of claims.yml (already typed by the schema), anchored in the article and read."""
    where = f"claim {entry.id!r}"

    def fail(message: str):
        raise InputError(relative(path), f"{where}: {message}", line=line)

    for key in ("measure", "event"):
        value = getattr(entry, key)
        if value and _HAND_TYPED_FIGURE.search(value):
            fail(f"{key} {value!r} carries a figure; figures must come from the quote")
    if entry.event and entry.status is None:
        fail(f"an event needs a status, one of {', '.join(STATUSES)}")
    if entry.kind == "count" and not entry.unit:
        fail("a count needs a unit")

    text = article.text
    place = anchor(text, entry.quote, entry.figure, entry.occurrence, where, path, quote_line)
    sentence = article.sentence_at(place.figure_start)
    paragraph_start = text.rfind("\n", 0, place.quote_start) + 1
    paragraph_end = text.find("\n", place.quote_end)
    paragraph = text[paragraph_start : None if paragraph_end < 0 else paragraph_end]
    if entry.attribution_quote and entry.attribution_quote not in paragraph:
        fail(f"attribution_quote {entry.attribution_quote!r} is not in the quote's paragraph")
    about = dict(entry.about or {})
    for label, value in about.items():
        # A label may be written in our casing ("Strike on militia positions"), but its words
        # must be the article's own, in the quote's sentence.
        if value.lower() not in sentence.text.lower():
            fail(f"about.{label} {value!r} is not in the quote's sentence {sentence.text!r}")

    value = date = date_end = precision = rule = None
    try:
        if entry.kind == "count":
            value = read_count(entry.figure)
        else:
            reading = read_date(entry.figure, article.reference_date)
            date, date_end, precision, rule = reading.start, reading.end, reading.precision, reading.rule
    except ReadingError as error:
        fail(f"figure: {error}")

    return Claim(
        id=entry.id,
        kind=entry.kind,
        quote=entry.quote,
        figure=entry.figure,
        anchor=place,
        sentence=sentence.text,
        measure=entry.measure.strip(),
        attribution=entry.attribution,
        attribution_quote=entry.attribution_quote,
        value=value,
        unit=entry.unit,
        date=date,
        date_end=date_end,
        precision=precision,
        date_rule=rule,
        event=entry.event,
        status=entry.status,
        role=entry.role,
        period=entry.period,
        about=about,
        line=line,
    )


def _exclusion(entry: ExclusionEntry, article: Article, path: Path, number: int, quote_line: int) -> Exclusion:
    where = f"exclusion {number} ({entry.quote!r})"
    place = anchor(article.text, entry.quote, entry.figure, entry.occurrence, where, path, quote_line)
    return Exclusion(entry.quote, entry.figure, place, entry.reason)


def uncovered_numbers(article: Article, spans: list[tuple[int, int]]) -> list[re.Match]:
    """Number-like words of the article that lie in no claimed or excluded figure."""
    return [
        match
        for match in NUMERIC_WORDS.finditer(article.text)
        if not any(start <= match.start() and match.end() <= end for start, end in spans)
    ]


def load_ledger(claims_path: Path = CLAIMS_FILE, article: Article | None = None) -> Ledger:
    """Read, anchor and check every claim; raise InputError on the first problem found."""
    article = article or load_article()
    document, located = load_claims_file(claims_path)
    claims = tuple(
        _claim(entry, article, claims_path, located.line(("claims", index)), located.line(("claims", index, "quote")))
        for index, entry in enumerate(document.claims)
    )
    exclusions = tuple(
        _exclusion(entry, article, claims_path, number, located.line(("excluded", number - 1, "quote")))
        for number, entry in enumerate(document.excluded, 1)
    )

    seen: dict[str, Claim] = {}
    for claim in claims:
        if claim.id in seen:
            raise InputError(relative(claims_path), f"claim {claim.id!r} is defined twice", line=claim.line)
        seen[claim.id] = claim
    for claim in claims:
        if claim.period and (claim.period not in seen or seen[claim.period].kind != "date"):
            raise InputError(
                relative(claims_path),
                f"claim {claim.id!r}: period {claim.period!r} is not a date claim",
                line=claim.line,
            )

    spans = [(c.anchor.figure_start, c.anchor.figure_end) for c in (*claims, *exclusions)]
    missing = uncovered_numbers(article, spans)
    if missing:
        first = missing[0]
        raise InputError(
            relative(article.path),
            f"{first.group()!r} in {article.sentence_at(first.start()).text!r} is neither a claim's figure "
            f"nor excluded in {relative(claims_path)}",
            line=article.line_of(first.start()),
        )
    return Ledger(article, claims, exclusions)
