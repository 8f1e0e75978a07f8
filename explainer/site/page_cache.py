"""Rendered page bodies kept between builds, keyed by a digest of everything that shapes them."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from pathlib import Path

from ..paths import PROJECT_ROOT
from .sources import Page


class PageCache:
    """Rendered page bodies, keyed by a digest of everything that shapes them."""

    def __init__(self, folder: Path, shared_inputs: bytes):
        self.folder, self.rendered = folder, 0
        self.keys: dict[Path, str] = {}  # each page of this build and its cache key
        here = Path(__file__).parent  # the renderer's code, its template, the Quarto schema it checks pages against
        renderer = b"".join(p.read_bytes() for p in sorted([*here.glob("*.py"), *here.glob("*.html"),
                                                            *here.glob("quarto_schema/*.gz")]))
        self.shared = hashlib.sha256(shared_inputs + renderer + importlib.metadata.version("pypandoc-binary").encode())

    def _key(self, source: Path) -> str:
        if source in self.keys:
            return self.keys[source]
        digest = self.shared.copy()
        text = (PROJECT_ROOT / source).read_bytes()
        digest.update(source.as_posix().encode() + b"\0" + text)
        for notebook in sorted(set(re.findall(rb"embed\s+([\w./-]+\.ipynb)#", text))):
            path = PROJECT_ROOT / notebook.decode()
            digest.update(notebook + (path.read_bytes() if path.exists() else b"missing"))
        self.keys[source] = digest.hexdigest()
        return self.keys[source]

    def get(self, source: Path) -> Page | None:
        key = self._key(source)
        try:
            fields = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Page(source=source, **fields)

    def put(self, page: Page) -> None:
        self.rendered += 1
        key = self._key(page.source)
        self.folder.mkdir(parents=True, exist_ok=True)
        fields = {name: getattr(page, name) for name in ("title", "subtitle", "description", "toc", "body", "toc_html")}
        partial = self.folder / f"{key}.tmp"
        partial.write_text(json.dumps(fields), encoding="utf-8")
        os.replace(partial, self.folder / f"{key}.json")

    def prune(self) -> None:
        used = set(self.keys.values())
        for entry in self.folder.glob("*.json"):
            if entry.stem not in used:
                entry.unlink()


