"""The typed schema of every input file an editor writes: ``seeds/article.yml``, ``seeds/claims.yml``
and ``data/corrections.csv`` (``_quarto.yml`` has its own, see ``site/config.py``).

Each file is read strictly (``textfile.read_text``), parsed, and validated with pydantic before
anything uses it. Every violation becomes one line naming the file, the line, the key path, and
what was expected against what was found::

    seeds/claims.yml:58: claims[2].attribution_quote (claim 'us-troops-in-iraq'): expected text, found true (a boolean)

All the violations of a file are reported together (as ``InputErrors``), in line order. What the
schema checks is the shape and type of each value; whether a quote is in the article, whether a
figure reads as a number and the like are checked afterwards by ``claims.py``, on typed values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from .errors import InputError
from .located_yaml import Located, describe, key_path, raise_all, read_yaml_located
from .paths import relative
from .textfile import read_text
from .vocabulary import ABOUT_LABELS, CORRECTION_ACTIONS, KINDS, ROLES, STATUSES

CORRECTION_COLUMNS = ["date", "claim_id", "action", "reason"]
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A seed file name: plain characters, one name, at most 200 of them (file systems allow 255 bytes).
_SEED_NAME_MAX = 200


# ---------------------------------------------------------------------------------------------
# Constrained values. A validator raises ValueError with what was expected; the message becomes
# "expected <that>, found <the value>".


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("non-empty text")
    return value


def _identifier(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError("an id of lowercase letters and digits joined by hyphens (like 'us-troops-in-iraq')")
    return value


def _positive(value: int) -> int:
    if value < 1:
        raise ValueError("a whole number of at least 1")
    return value


def _web_address(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+\S*", value):
        raise ValueError("a web address starting with https://")
    return value


def _seed_name(value: str) -> str:
    """The seed's path as written in article.yml: relative, inside seeds/, no '..'. (That it is a
    file, and does not leave seeds/ through a link, is checked against the disk by ``seed_path``.)"""
    expected = "the name of a file in seeds/ (relative, without '..')"
    if "\\" in value or not value.isprintable():
        raise ValueError(expected)
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or not path.parts or value.endswith("/"):
        raise ValueError(expected)
    if len(value) > _SEED_NAME_MAX or any(len(part.encode()) > 255 for part in path.parts):
        raise ValueError(f"{expected}, at most {_SEED_NAME_MAX} characters long")
    return value


def _iso_date(value):
    """A date written as text (CSV cells are text): exactly YYYY-MM-DD, and a real day."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("a real date (YYYY-MM-DD)") from None
    return value


def _empty_list(value):
    return [] if value is None else value


def _not_empty(value: list) -> list:
    if not value:
        raise ValueError("a list of at least one claim")
    return value


Text = Annotated[str, AfterValidator(_text)]
Identifier = Annotated[str, AfterValidator(_identifier)]
Occurrence = Annotated[int, AfterValidator(_positive)]
WebAddress = Annotated[str, AfterValidator(_web_address)]


class _Strict(BaseModel):
    """No unknown keys, and no silent conversion (``5`` is not text, ``"5"`` is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ArticleMetadata(_Strict):
    """``seeds/article.yml``: the facts the editor supplied about the seed article."""

    file: Annotated[str, AfterValidator(_seed_name)]
    outlet: Text
    edition: Text
    dateline: Text
    headline: Text
    reference_date: dt.date
    reference_date_source: Text
    reference_date_note: Text
    outlet_url: WebAddress
    article_url: WebAddress | None = None
    copyright: Text


class ClaimEntry(_Strict):
    """One claim of ``seeds/claims.yml``, as written (``claims.Claim`` is what it becomes)."""

    id: Identifier
    kind: Literal[KINDS]
    figure: Text
    quote: Text
    occurrence: Occurrence | None = None
    measure: Text
    unit: Text | None = None
    attribution: Text
    attribution_quote: Text | None = None
    event: Text | None = None
    status: Literal[STATUSES] | None = None
    role: Literal[ROLES] | None = None
    period: Identifier | None = None
    about: dict[Literal[ABOUT_LABELS], Text] | None = None


class ExclusionEntry(_Strict):
    """A number-like word of the article that is deliberately not a claim, and why."""

    quote: Text
    figure: Text
    occurrence: Occurrence | None = None
    reason: Text


class ClaimsFile(_Strict):
    """``seeds/claims.yml``."""

    claims: Annotated[list[ClaimEntry], AfterValidator(_not_empty)]
    excluded: Annotated[list[ExclusionEntry], BeforeValidator(_empty_list)]


class Correction(_Strict):
    """One row of ``data/corrections.csv``, the hand-kept corrections log."""

    date: Annotated[dt.date, BeforeValidator(_iso_date)]
    claim_id: Annotated[str, AfterValidator(_identifier)]
    action: Literal[CORRECTION_ACTIONS]
    reason: Text


# ---------------------------------------------------------------------------------------------
# Violations, one line each


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "date_type": "a date (YYYY-MM-DD)",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _expected(error: dict) -> str:
    kind = error["type"]
    if kind == "literal_error":
        return "one of " + error["ctx"]["expected"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return "this key (it is required)"
    return _EXPECTED.get(kind, error["msg"][0].lower() + error["msg"][1:])


def _context(loc: tuple, data: Any) -> str:
    """The claim an error belongs to, by its id, when it has a readable one."""
    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int) and isinstance(data, dict):
        entries = data.get("claims")
        if isinstance(entries, list) and loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            claim_id = entries[loc[1]].get("id")
            if isinstance(claim_id, str) and ID_PATTERN.fullmatch(claim_id):
                return f" (claim {claim_id!r})"
    return ""


def violations(error: ValidationError, model: type[BaseModel], shown: str, line_of, data: Any = None,
               prefix: str = "") -> list[InputError]:
    """Each pydantic error as one InputError: file, line, key path, expected against found."""
    found = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        value = item.get("input")
        if loc and loc[-1] == "[key]":  # a mapping key (an `about` label) that is not allowed
            loc = loc[:-1]
            message = f"unknown label: expected {_expected(item)}, found {describe(loc[-1])}"
        elif item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}: expected one of the keys {_allowed_keys(model, loc)}"
        elif item["type"] == "missing":
            message = f"expected this required key, found nothing (missing key {loc[-1]!r})"
        else:
            message = f"expected {_expected(item)}, found {describe(value)}"
            if item["type"] == "string_type" and isinstance(value, int | float | bool | dt.date):
                message += "; put it in quotes to make it text"
        line = line_of(loc)
        found.append((line, InputError(shown, f"{prefix}{key_path(loc)}{_context(loc, data)}: {message}", line=line)))
    found.sort(key=lambda pair: pair[0] or 0)
    return [error for _, error in found]


def _allowed_keys(model: type[BaseModel], loc: tuple) -> str:
    """The keys allowed where ``loc`` sits, for an 'unknown key' message."""
    parent = tuple(part for part in loc[:-1] if not isinstance(part, int))
    if model is ClaimsFile:
        model = {("claims",): ClaimEntry, ("excluded",): ExclusionEntry}.get(parent, ClaimsFile)
    return ", ".join(model.model_fields)


def validate(model: type[BaseModel], located: Located):
    """``located``'s data as ``model``, or every violation, one line each."""
    try:
        return model.model_validate(located.data)
    except ValidationError as error:
        raise_all(violations(error, model, relative(located.path), located.line, located.data))


# ---------------------------------------------------------------------------------------------
# The three input files


def load_article_metadata(path: Path) -> tuple[ArticleMetadata, Located]:
    located = read_yaml_located(path)
    return validate(ArticleMetadata, located), located


def seed_path(metadata: ArticleMetadata, located: Located) -> Path:
    """The seed file article.yml names, confined to the folder article.yml is in (seeds/)."""
    folder = located.path.parent
    target = folder / metadata.file
    shown, line = relative(located.path), located.line(("file",))
    try:
        inside = target.resolve().is_relative_to(folder.resolve())
        exists, is_file = target.exists(), target.is_file()
    except (OSError, ValueError) as error:
        raise InputError(shown, f"file: expected the name of a file in seeds/, found {describe(metadata.file)} "
                                f"({error.__class__.__name__})", line=line) from None
    if not inside:
        raise InputError(shown, f"file: expected a file inside seeds/, found {describe(metadata.file)}, "
                                "which leads outside it through a link", line=line)
    if not exists:
        raise InputError(relative(target), "file not found")
    if not is_file:
        raise InputError(shown, f"file: expected the name of a file in seeds/, found {describe(metadata.file)}, "
                                "which is not a regular file", line=line)
    return target


def load_claims_file(path: Path) -> tuple[ClaimsFile, Located]:
    located = read_yaml_located(path)
    return validate(ClaimsFile, located), located


def read_corrections(path: Path, claim_ids: set[str] | None = None) -> list[tuple[int, Correction]]:
    """The corrections log, each row typed with its line, or every violation with its line and column
    (with ``claim_ids``, a claim corrected or added that the ledger does not hold is one too)."""
    shown = relative(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        header = next(reader, None)
        if header != CORRECTION_COLUMNS:
            found = ",".join(header) if header else "nothing"
            raise InputError(shown, f"header: expected the columns {','.join(CORRECTION_COLUMNS)}, found {found!r}", line=1)
        line = reader.line_num + 1
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise InputError(shown, f"malformed CSV: {error}", line=reader.line_num) from None
    corrections, problems = [], []
    for number, (line, cells) in enumerate(rows, 1):
        if len(cells) != len(CORRECTION_COLUMNS):
            problems.append(InputError(shown, f"row {number}: expected {len(CORRECTION_COLUMNS)} cells "
                                              f"({','.join(CORRECTION_COLUMNS)}), found {len(cells)}", line=line))
            continue
        row = dict(zip(CORRECTION_COLUMNS, cells, strict=True))
        invalid = set()
        try:
            corrections.append((line, Correction.model_validate(row)))
        except ValidationError as error:
            problems += violations(error, Correction, shown, lambda loc, line=line: line, prefix=f"row {number}, column ")
            invalid = {problem["loc"][0] for problem in error.errors() if problem["loc"]}
        if (claim_ids is not None and "claim_id" not in invalid and row["action"] != "removed"
                and row["claim_id"] not in claim_ids):
            problems.append(InputError(shown, f"row {number}, column claim_id: expected the id of a claim in "
                                              f"seeds/claims.yml, found {describe(row['claim_id'])}", line=line))
    raise_all(problems)
    return corrections


def check_corrections(path: Path, claim_ids: set[str]) -> int:
    """The log is well formed, and every claim it corrects or adds is in the ledger; the number of rows."""
    return len(read_corrections(path, claim_ids))
