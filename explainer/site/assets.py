"""The self-hosted script bundle the charts upgrade with: Vega, Vega-Lite and Vega-Embed, built
by vl-convert (no CDN, no network). Written to ``assets/vendor/`` by Quarto's pre-render step."""

from __future__ import annotations

from pathlib import Path

from ..paths import PROJECT_ROOT

BUNDLE = PROJECT_ROOT / "assets" / "vendor" / "vega-bundle.js"


def write_vega_bundle(path: Path = BUNDLE) -> str:
    import vl_convert as vlc

    # vl-convert's Vega-Lite version must match the specs Altair writes (v6 here)
    bundle = vlc.javascript_bundle()
    if path.exists() and path.read_text(encoding="utf-8") == bundle:
        return f"{path.relative_to(PROJECT_ROOT)} up to date"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bundle, encoding="utf-8")
    return f"{path.relative_to(PROJECT_ROOT)} written ({len(bundle) // 1024} KB)"
