"""YAML as editors write it, read with the line of every key and item, so that each problem the
input schema finds can name its line (``inputs.py``). Refuses, with the line, what the schema could
not describe: keys that are not text, keys given twice, anchors and aliases, values the YAML
library cannot build; an impossible date is kept as its text for the schema to report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, InputErrors
from .paths import relative
from .textfile import read_text

MAX_SHOWN = 12  # how many violations of one file are shown; the rest are counted



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


def raise_all(errors: list[InputError]) -> None:
    """Raise the violations found: all of them (up to MAX_SHOWN), one line each."""
    if not errors:
        return
    if len(errors) > MAX_SHOWN:
        rest = len(errors) - MAX_SHOWN
        errors = [*errors[:MAX_SHOWN], InputError(errors[0].path, f"and {rest} more problems of the same file")]
    raise InputErrors(errors) if len(errors) > 1 else errors[0]
