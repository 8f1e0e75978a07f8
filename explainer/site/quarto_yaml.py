"""Would Quarto accept this YAML? ``_quarto.yml`` and page front matter, checked against
Quarto's own schema (vendored in ``quarto_schema/``), on machines where Quarto is missing.

Quarto's schema language is small: ``object`` (``properties``, ``patternProperties``,
``additionalProperties``, ``propertyNames``, ``required``, ``closed``), ``anyOf``, ``allOf``,
``enum``, ``string`` (with ``pattern``), ``number``, ``boolean``, ``null``, ``array`` (``items``)
and ``ref`` to another schema's ``$id``. This interprets it as quarto-cli's validator does,
and reports the deepest failure: the key path and what Quarto expected there.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("quarto_schema") / "all-schema-definitions.json.gz"


@dataclass(frozen=True)
class Violation:
    path: tuple  # keys and list indexes from the document's root
    expected: str  # Quarto's own wording, e.g. "be a string"

    @property
    def where(self) -> str:
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or "(top level)"


@functools.cache
def _definitions() -> dict[str, dict]:
    schemas = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    by_id: dict[str, dict] = {}

    def collect(node):
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                by_id.setdefault(node["$id"], node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schemas)
    return by_id


def _type_matches(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise ValueError(f"unknown schema type {kind!r}")


def violations(value, schema: dict, path: tuple = ()) -> list[Violation]:
    """Every way ``value`` fails ``schema`` (empty when Quarto would accept it)."""
    kind = schema["type"]
    if kind == "ref":
        return violations(value, _definitions()[schema["$ref"]], path)
    if kind == "anyOf":
        failures = []
        for option in schema["anyOf"]:
            found = violations(value, option, path)
            if not found:
                return []
            failures.append(found)
        deepest = max(failures, key=lambda found: max(len(v.path) for v in found))
        # a failure inside a branch that matched the value's shape says more than "be one of ..."
        return deepest if max(len(v.path) for v in deepest) > len(path) else [Violation(path, schema["description"])]
    if kind == "allOf":
        return [v for part in schema["allOf"] for v in violations(value, part, path)]
    if kind == "enum":
        return [] if value in schema["enum"] else [Violation(path, schema["description"])]
    if not _type_matches(kind, value):
        return [Violation(path, schema.get("description", f"be a {kind}"))]
    if kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        return [Violation(path, schema.get("errorMessage") or schema.get("description", "match a pattern"))]
    if kind == "array" and "items" in schema:
        return [v for index, item in enumerate(value) for v in violations(item, schema["items"], (*path, index))]
    if kind == "object":
        return _object_violations(value, schema, path)
    return []


def _object_violations(value: dict, schema: dict, path: tuple) -> list[Violation]:
    found = [Violation((*path, key), "be present") for key in schema.get("required", []) if key not in value]
    properties, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    for key, item in value.items():
        key_path = (*path, key)
        if "propertyNames" in schema and violations(key, schema["propertyNames"], key_path):
            found.append(Violation(key_path, "be a key Quarto knows here"))
            continue
        matched = False
        if key in properties:
            found += violations(item, properties[key], key_path)
            matched = True
        for pattern, sub in patterns.items():
            if re.search(pattern, key):
                found += violations(item, sub, key_path)
                matched = True
        if not matched:
            if "additionalProperties" in schema:
                found += violations(item, schema["additionalProperties"], key_path)
            elif schema.get("closed"):
                found.append(Violation(key_path, "be a key Quarto knows here"))
    return found


def check(document: dict, schema_id: str) -> list[Violation]:
    """Validate a loaded YAML document (without ``__line__`` keys) against a Quarto schema:
    ``project-config`` for ``_quarto.yml``, ``front-matter`` for a page's header."""
    return violations(document, _definitions()[schema_id])
