"""The self-hosted script bundle the charts upgrade with: Vega, Vega-Lite and Vega-Embed, built
by vl-convert (no CDN, no network). Written to ``assets/vendor/`` by Quarto's pre-render step."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from ..paths import PROJECT_ROOT

BUNDLE = PROJECT_ROOT / "assets" / "vendor" / "vega-bundle.js"


def write_vega_bundle(path: Path = BUNDLE) -> str:
    # The first line names the vl-convert that built the bundle, so an up-to-date bundle is
    # recognised without importing vl-convert (which takes seconds).
    header = f"/* built by vl-convert-python {importlib.metadata.version('vl-convert-python')} */\n"
    if path.exists():
        with path.open(encoding="utf-8") as bundle:
            if bundle.readline() == header:
                return f"{path.relative_to(PROJECT_ROOT)} up to date"
    import vl_convert as vlc

    # vl-convert's Vega-Lite version must match the specs Altair writes (v6 here)
    bundle = header + vlc.javascript_bundle()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(bundle, encoding="utf-8")
    partial.replace(path)
    return f"{path.relative_to(PROJECT_ROOT)} written ({len(bundle) // 1024} KB)"
