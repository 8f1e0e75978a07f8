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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from .errors import InputError, InputErrors
from .paths import relative
from .textfile import read_text

# How many violations of one file are shown; the rest are counted.
MAX_SHOWN = 12

KINDS = ("count", "date")
STATUSES = ("happened", "planned", "expected")
ROLES = ("key-figure", "attacks", "us-response", "us-response-count")
ABOUT_LABELS = ("country", "action", "location")
CORRECTION_ACTIONS = ("corrected", "added", "removed")
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
# YAML with the line of every node


class InvalidDate(str):
    """A YAML timestamp that names no real day (2021-02-30): kept as its text, so the schema can
    report it with its line, instead of the YAML library raising a bare ValueError."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # LibYAML's parser when there, 10 times faster
    def construct_object(self, node, deep=False):
        """A value the YAML library cannot build (``!!int abc``) as an error with its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(None, None, f"cannot read this value ({error})",
                                                    node.start_mark) from None


def _timestamp(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return InvalidDate(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass
class Located:
    """A parsed YAML document and the line of each key and item in it, by key path."""

    path: Path
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, loc: tuple) -> int:
        """The line of ``loc``, or of the nearest enclosing node the document holds."""
        loc = tuple(loc)
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def _index_nodes(node: yaml.Node, loc: tuple, lines: dict, seen: set, problems: list) -> None:
    """Record the line of every node; refuse what the schema cannot describe: keys that are not
    text, keys given twice, and anchors/aliases (which also make documents of any size)."""
    if id(node) in seen:
        problems.append((loc, "anchors and aliases (& and *) are not supported: write the value out"))
        return
    seen.add(id(node))
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys = set()
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                where = loc + (f"<{shown!r}>",)
                lines[where] = key_node.start_mark.line + 1
                problems.append((where, f"expected a key that is a name, found {shown!r} "
                                        f"({'<<, a merge key' if key_node.tag.endswith(':merge') else 'not text'})"))
                continue
            key = key_node.value
            if key in keys:
                where = loc + (key,)
                lines[where] = key_node.start_mark.line + 1
                problems.append((where, f"key {key!r} is given twice in this mapping"))
                continue
            keys.add(key)
            lines[loc + (key,)] = key_node.start_mark.line + 1
            _index_nodes(value_node, loc + (key,), lines, seen, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_nodes(item, loc + (index,), lines, seen, problems)


def read_yaml_located(path: Path) -> Located:
    """Parse a YAML file into plain values and a line for every key path; one InputError (or
    InputErrors) naming the file and line for anything malformed."""
    text = read_text(path)
    shown = relative(path)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        lines: dict[tuple, int] = {}
        problems: list = []
        if node is not None:
            _index_nodes(node, (), lines, set(), problems)
        located = Located(Path(path), None, lines)
        raise_all([InputError(shown, f"{key_path(where)}: {message}", line=located.line(where))
                   for where, message in problems])
        located.data = loader.construct_document(node) if node is not None else None
        return located
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(shown, f"malformed YAML: {error.problem or error}", line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text[: error.position].count("\n") + 1
        raise InputError(shown, f"malformed YAML: character {error.character:#06x} is not allowed", line=line) from None
    except yaml.YAMLError as error:
        raise InputError(shown, f"malformed YAML: {error}") from None
    except RecursionError:
        raise InputError(shown, "malformed YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


# ---------------------------------------------------------------------------------------------
# Violations, one line each


def key_path(loc: tuple) -> str:
    """``('claims', 2, 'about', 'country')`` as ``claims[2].about.country``."""
    shown = ""
    for part in loc:
        if isinstance(part, int):
            shown += f"[{part}]"
        else:  # a key as written, unless it holds spaces, punctuation or characters that are not printable
            part = str(part)
            shown += ("." if shown else "") + (part if re.fullmatch(r"[\w-]+|<[^<>]*>", part) and part.isprintable() else repr(part))
    return shown or "(the whole file)"


def describe(value: Any) -> str:
    """A found value as a reader would name it: ``true (a boolean)``, ``'x' (text)``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, InvalidDate):
        return f"{str(value)!r} (not a real date)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        shown = repr(value)
        return f"{shown if len(shown) <= 40 else shown[:37] + '...'} (a number)"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat(sep=' ')} (a date with a time)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r} (text)" if value.strip() else f"{value!r} (blank text)"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    return type(value).__name__


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


def raise_all(errors: list[InputError]) -> None:
    """Raise the violations found: all of them (up to MAX_SHOWN), one line each."""
    if not errors:
        return
    if len(errors) > MAX_SHOWN:
        rest = len(errors) - MAX_SHOWN
        errors = [*errors[:MAX_SHOWN], InputError(errors[0].path, f"and {rest} more problems of the same file")]
    raise InputErrors(errors) if len(errors) > 1 else errors[0]


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


def read_corrections(path: Path) -> list[tuple[int, Correction]]:
    """The corrections log, each row typed with its line, or every violation with its line and column."""
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
        try:
            corrections.append((line, Correction.model_validate(dict(zip(CORRECTION_COLUMNS, cells, strict=True)))))
        except ValidationError as error:
            problems += violations(error, Correction, shown, lambda loc, line=line: line, prefix=f"row {number}, column ")
    raise_all(problems)
    return corrections


def check_corrections(path: Path, claim_ids: set[str]) -> int:
    """The log is well formed, and every claim it corrects or adds is in the ledger; the number of rows."""
    corrections = read_corrections(path)
    for number, (line, correction) in enumerate(corrections, 1):
        if correction.action != "removed" and correction.claim_id not in claim_ids:
            raise InputError(relative(path), f"row {number}, column claim_id: expected the id of a claim in "
                                             f"seeds/claims.yml, found {describe(correction.claim_id)}", line=line)
    return len(corrections)
