"""Generated parts of README.md: the data dictionary (from ``data/datapackage.json``) and the
list of notebooks with what each reads and writes (from the notebooks' own metadata).

Each part sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers; a test fails
when the README differs from what these functions generate, so the two cannot drift.
"""

from __future__ import annotations

import json
import re

import nbformat

from ..paths import NOTEBOOKS_DIR, PROJECT_ROOT, data_dir
from ..wording import constraints_in_words
from .pipeline import discover

README = PROJECT_ROOT / "README.md"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_dictionary(package: dict) -> str:
    parts = []
    for resource in package["resources"]:
        parts.append(f"#### `data/{resource['path']}` — {resource['title']}\n\n{resource['description']}\n")
        parts.append("| Column | Type | Description | Constraints |\n|---|---|---|---|")
        for field in resource["schema"]["fields"]:
            constraints = constraints_in_words(field.get("constraints", {}))
            parts.append(
                f"| `{field['name']}` | {field['type']} | {_cell(field['description'])} | {_cell(constraints)} |"
            )
        parts.append("")
    parts.append("Missing values are empty cells. Dates are ISO 8601 (`YYYY-MM-DD`).")
    return "\n".join(parts)


def notebook_list() -> str:
    lines = []
    for nb in discover(NOTEBOOKS_DIR):
        first = nbformat.read(nb.path, as_version=4).cells[0].source.split("\n")[0].lstrip("# ").strip()
        reads = ", ".join(f"`{r}`" for r in nb.reads)
        writes = ", ".join(f"`{w}`" for w in nb.writes) or "nothing (its outputs are embedded in the site's pages)"
        lines.append(f"- [`notebooks/{nb.name}`](notebooks/{nb.name}) — {first}. Reads {reads}; writes {writes}.")
    return "\n".join(lines)


def generated_parts() -> dict[str, str]:
    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    return {"data-dictionary": data_dictionary(package), "notebooks": notebook_list()}


def render(readme: str) -> str:
    for name, body in generated_parts().items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.S)
        if not pattern.search(readme):
            raise ValueError(f"README.md lacks the <!-- {name}:start/end --> markers")
        readme = pattern.sub(lambda m, body=body: m[1] + body + "\n" + m[2], readme)
    return readme


def update_readme() -> str:
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if updated == current:
        return "README.md up to date"
    README.write_text(updated, encoding="utf-8")
    return "README.md regenerated"
