"""Strict reading of the project's text inputs: UTF-8, no byte-order mark, LF line endings.

The claims ledger stores character offsets into the seed, so a file that silently changed
encoding or line endings would shift every offset. We refuse such files with a message that
names the file and the line instead of guessing.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError
from .paths import relative


def read_text(path: Path) -> str:
    """The file's text, or an InputError naming the file (and line) that is not clean UTF-8/LF."""
    shown = relative(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(shown, "file not found") from None
    except IsADirectoryError:
        raise InputError(shown, "expected a file, found a folder") from None
    except (OSError, ValueError) as error:  # no permission, a name too long, a NUL in the name...
        raise InputError(shown, f"cannot be read: {getattr(error, 'strerror', None) or error}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(shown, "starts with a UTF-8 byte-order mark; save it without one", line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(shown, f"invalid UTF-8 (byte {raw[error.start]:#04x})", line=line) from None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise InputError(shown, "has CR or CRLF line endings; save it with LF endings", line=line)
    return text


class LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line each mapping starts on (as ``__line__``)
    and the line of each of its keys (see ``line_of_key``)."""


class _LinedMapping(dict):
    key_lines: dict


def _mapping_with_line(loader: LineLoader, node: yaml.MappingNode) -> dict:
    mapping = _LinedMapping(loader.construct_mapping(node, deep=True))
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def line_of_key(mapping: dict, key) -> int | None:
    """The line a key of loaded YAML is written on (else the line its mapping starts on)."""
    return getattr(mapping, "key_lines", {}).get(key) or mapping.get("__line__")


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> dict:
    """A YAML mapping whose nested mappings carry ``__line__``; syntax errors name file and line."""
    text = read_text(path)
    try:
        document = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(relative(path), f"malformed YAML: {error.problem or error}", line=line) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text[: error.position].count("\n") + 1
        raise InputError(relative(path), f"malformed YAML: character {error.character:#06x} is not allowed", line=line) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:  # e.g. 2021-02-30
        raise InputError(relative(path), f"malformed YAML: a value cannot be read ({error})") from None
    if not isinstance(document, dict):
        raise InputError(relative(path), "expected a YAML mapping at the top level", line=1)
    return document


def check_keys(mapping: dict, allowed: set[str], required: set[str], path: Path, what: str) -> None:
    """Refuse unknown and missing keys, naming the line, so a typo is never silently ignored."""
    line = mapping.get("__line__")
    keys = set(mapping) - {"__line__"}
    unknown = sorted(keys - allowed)
    if unknown:
        raise InputError(
            relative(path),
            f"{what}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
            line=line,
        )
    missing = sorted(required - keys)
    if missing:
        raise InputError(relative(path), f"{what}: missing key {missing[0]!r}", line=line)


def without_lines(value):
    """A copy of loaded YAML with the ``__line__`` bookkeeping removed."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value
