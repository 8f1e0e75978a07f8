"""Regenerate assets/fonts/: Explainer Sans, a Latin subset of Adobe's Source Sans 3 (SIL OFL 1.1), renamed.

The subset is a modified version, and the OFL bars modified versions from the Reserved Font Name "Source";
the new name also has no word starting with a digit, which vl-convert 1.9 fails to match ("Source Sans 3"
fell back to another font's metrics).

Writes four styles twice over: WOFF2 for the site (fonts.css) and TTF for chart layout by vl-convert
(vl_convert.register_font_directory), plus OFL.txt, fonts.css and README.md. The source is Adobe's
own npm package, fetched with `npm pack` and checked against the integrity hash the registry published.

Dev-only tool: needs npm on PATH and `pip install fonttools brotli` (not project requirements).

    python tools/fonts.py                     # fetch the package with npm pack, write assets/fonts/
    python tools/fonts.py --tarball PKG.tgz   # use a tarball already at hand (its hash is still checked)

Two runs give byte-identical files (for the same fontTools and brotli versions, named in README.md).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import brotli
import fontTools
from fontTools import subset
from fontTools.ttLib import TTFont, woff2

PACKAGE = "source-sans"
VERSION = "3.52.0"
INTEGRITY = "sha512-xsm7qlMI/JwxwNdp6pvpR6l+aZjn90fzOzoeUz/qoohIYbKbDwQNRIz5/ItYs7/hvqLirQNUoDFGXSVA3TU9tw=="
UPSTREAM = "Source Sans 3"
FAMILY = "Explainer Sans"
POSTSCRIPT = "ExplainerSans"

# (output stem, file in the package, CSS font-weight, CSS font-style, style name as upstream spells it)
STYLES = [
    ("explainer-sans-400", "TTF/SourceSans3-Regular.ttf", 400, "normal", "Regular"),
    ("explainer-sans-400-italic", "TTF/SourceSans3-It.ttf", 400, "italic", "It"),
    ("explainer-sans-600", "TTF/SourceSans3-Semibold.ttf", 600, "normal", "Semibold"),
    ("explainer-sans-700", "TTF/SourceSans3-Bold.ttf", 700, "normal", "Bold"),
]

# Name IDs kept as upstream wrote them, although they mention "Source": copyright (0), licence (13, 14).
KEPT_NAMES = {0, 13, 14}
# ID 10 (description). It does not spell out the upstream name: only IDs 0, 13 and 14 may mention "Source".
DESCRIPTION = "Latin subset of an Adobe font (SIL OFL 1.1), renamed as the OFL requires for modified versions."

# Google Fonts' "latin" subset, then arrows, the small triangles (▸ ▾) and the check mark (✓).
LATIN = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
    "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
)
EXTRA = "U+2190-2193, U+25B4-25BE, U+2713"

# GPOS kern and the figure features come on top of fontTools' defaults (which already hold kern).
FEATURES = ["kern", "tnum", "lnum"]

# head.created / head.modified, seconds since 1904-01-01: fixed, so the output never carries the run's time.
TIMESTAMP = 3763423626  # the upstream fonts' own head.modified (2023-04-04)


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """'U+0000-00FF, U+0131' -> [(0x0000, 0x00FF), (0x0131, 0x0131)], sorted and merged."""
    ranges = []
    for item in text.split(","):
        first, _, last = item.strip().removeprefix("U+").partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


RANGES = parse_ranges(f"{LATIN}, {EXTRA}")
UNICODE_RANGE = ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in RANGES)


def fetch(tarball: Path | None, workdir: Path) -> bytes:
    """The package tarball's bytes, from `npm pack` (or the given file), after checking its integrity hash."""
    if tarball is None:
        command = ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"]
        subprocess.run(command, cwd=workdir, check=True, stdout=subprocess.DEVNULL)
        tarball = workdir / f"{PACKAGE}-{VERSION}.tgz"
    data = tarball.read_bytes()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != INTEGRITY:
        sys.exit(f"{tarball}: integrity {got} is not the registry's {INTEGRITY}")
    return data


def subset_font(data: bytes) -> TTFont:
    options = subset.Options()
    options.layout_features += FEATURES
    options.hinting = False  # drops glyph instructions and cvt/fpgm/prep
    options.name_IDs = ["*"]  # keep copyright, licence, and typographic family (16/17) names
    options.recalc_timestamp = False
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for a, b in RANGES for cp in range(a, b + 1)])
    subsetter.subset(font)
    font["head"].created = font["head"].modified = TIMESTAMP
    return font


def rename(font: TTFont, postscript_style: str) -> None:
    """Give the font the family name FAMILY, keeping upstream's style naming scheme.

    Upstream names its semibold as a family of its own for old software (ID 1 "Source Sans 3 Semibold",
    ID 2 "Regular") with the typographic family in IDs 16/17; the same scheme carries over. The trademark
    notice (ID 7, about the name "Source") goes; the unique ID (3) drops Adobe's vendor tag, as this
    is no longer Adobe's font.
    """
    name = font["name"]
    version = font["head"].fontRevision
    old_family = name.getDebugName(1)
    if not old_family.startswith(UPSTREAM):
        sys.exit(f"expected upstream family {UPSTREAM!r}, found {old_family!r}")
    family = FAMILY + old_family.removeprefix(UPSTREAM)  # "Explainer Sans" or "Explainer Sans Semibold"
    postscript = f"{POSTSCRIPT}-{postscript_style}"
    full = name.getDebugName(4).replace(UPSTREAM, FAMILY)  # "Explainer Sans Italic", ...
    new = {1: family, 3: f"{version:.3f};{postscript}", 4: full, 6: postscript, 10: DESCRIPTION}
    if name.getDebugName(16) is not None:
        new[16] = FAMILY
    name.names = [record for record in name.names if record.nameID != 7]
    for name_id, text in new.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US): as upstream
        name.removeNames(name_id, platformID=1)  # no Macintosh records upstream; make sure of it
    leftover = [(r.nameID, r.toUnicode()) for r in name.names if "Source" in r.toUnicode()]
    if any(name_id not in KEPT_NAMES for name_id, _ in leftover):
        sys.exit(f"name records still mention Source: {leftover}")


def check(font: TTFont, weight: int, style: str) -> None:
    """The family, weight and italic/bold flags that fontdb (vl-convert) and other font matchers read."""
    family = font["name"].getDebugName(16) or font["name"].getDebugName(1)  # fontdb prefers the typographic family
    fs_selection, mac_style = font["OS/2"].fsSelection, font["head"].macStyle
    italic, bold = style == "italic", weight == 700
    flags = (bool(fs_selection & 1), bool(mac_style & 2), bool(fs_selection & 32), bool(mac_style & 1))
    found = (family, font["OS/2"].usWeightClass, flags)
    wanted = (FAMILY, weight, (italic, italic, bold, bold))
    if found != wanted:
        sys.exit(f"expected (family, weight, (italic x2, bold x2)) {wanted}, found {found}")


def _font_face(family: str, stem: str, weight: int, style: str, display: str) -> str:
    return (
        "@font-face {\n"
        f'  font-family: "{family}";\n'
        f"  font-style: {style};\n"
        f"  font-weight: {weight};\n"
        f"  font-display: {display};\n"
        f'  src: url("{stem}.woff2") format("woff2");\n'
        f"  unicode-range: {UNICODE_RANGE};\n"
        "}\n"
    )


def css() -> str:
    header = (f"/* {FAMILY}: Adobe's {UPSTREAM}, subset to Latin and renamed; SIL Open Font License 1.1 (OFL.txt).\n"
              "   Generated by tools/fonts.py. */\n")
    # The page's faces, optional: text never reflows when the font arrives late (no layout shift);
    # it is used from the next page on.
    page = [_font_face(FAMILY, stem, weight, style, "optional") for stem, _, weight, style, _ in STYLES]
    # The same files as a family of the interactive charts' own (assets/charts.js loads it before Vega
    # measures and draws a chart's text): a page that went without the font (optional) has given up
    # on its faces for good, and a chart would otherwise be laid out in another font than its picture.
    charts = [_font_face(f"{FAMILY} Charts", stem, weight, style, "block")
              for stem, _, weight, style, _ in STYLES if style == "normal"]
    return "\n".join([header, *page, *charts])


def layout_features(font: TTFont) -> list[str]:
    return sorted({r.FeatureTag for tag in ("GSUB", "GPOS") for r in font[tag].table.FeatureList.FeatureRecord})


def readme(sizes: dict[str, int], features: list[str]) -> str:
    files = "\n".join(f"| `{name}` | {size:,} |" for name, size in sorted(sizes.items()))
    return f"""# Fonts

`{FAMILY}` is a Latin subset of [{UPSTREAM}](https://adobe-fonts.github.io/source-sans/) {VERSION} by Adobe,
renamed. Self-hosted: the site loads nothing from a font CDN.

- `*.woff2` and `fonts.css`: the site's web fonts, regular, italic, semibold (600) and bold (700).
  The upright ones again as `{FAMILY} Charts` (`font-display: block`), which the interactive charts load
  before drawing.
- `*.ttf`: the same four subsets for chart layout at build time (`vl_convert.register_font_directory`).
  Their family name is `{FAMILY}`; each file's OS/2 weight and italic/bold flags match its CSS rule.

Why renamed:

- Licence: {UPSTREAM} is under the SIL Open Font License 1.1 with the Reserved Font Name "Source". A subset
  is a modified version, and the OFL forbids a modified version to use a Reserved Font Name. The name
  table now says `{FAMILY}` (IDs 1, 3, 4, 6, 16), drops Adobe's trademark notice for "Source" (ID 7)
  and says where the font comes from (ID 10). Adobe's copyright (ID 0) and licence (IDs 13, 14) records
  are unchanged, and name the Reserved Font Name as the OFL requires.
- Charts: vl-convert 1.9 does not match a family name with a word starting with a digit
  (`{UPSTREAM}`): it laid out chart text with another font's widths, about 25% off. `{FAMILY}`
  matches, quoted or not.

Licence: `OFL.txt`, the package's `LICENSE.md` copied unchanged. The OFL applies to these files too.

Source: the npm package `{PACKAGE}@{VERSION}` (Adobe's release of adobe-fonts/source-sans), the files
`{"`, `".join(sorted({style[1] for style in STYLES}))}`,
integrity `{INTEGRITY}`.

Subset to Google Fonts' "latin" range plus arrows, small triangles and the check mark
(code points the font lacks are simply absent: controls, some of U+2000-206F, U+25BB, U+FFFD):
`{UNICODE_RANGE}`.
Kept: the OpenType features {", ".join(f"`{f}`" for f in features)} (kerning included). `tnum` and `lnum`
are asked for too, but the font has neither: its default figures are already tabular and lining.
Dropped: hinting, glyph names, other OpenType features (small caps, stylistic sets, old-style figures).

| file | bytes |
| --- | ---: |
{files}

Regenerate (dev-only tools, not project requirements; needs npm and the npm registry):

    pip install fonttools brotli
    python tools/fonts.py

This fetches the package with `npm pack`, checks its integrity hash, subsets, renames and rewrites
every file here (and deletes font files it no longer writes).
Made with fontTools {fontTools.version} and brotli {brotli.__version__}; the same versions give byte-identical files.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "fonts")
    parser.add_argument("--tarball", type=Path, help=f"a local {PACKAGE}-{VERSION}.tgz instead of npm pack")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        data = fetch(args.tarball, Path(tmp))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = {name: tar.extractfile(f"package/{name}").read() for name in ["LICENSE.md", *(s[1] for s in STYLES)]}

    outputs: dict[str, bytes] = {"OFL.txt": member["LICENSE.md"], "fonts.css": css().encode()}
    for stem, source, weight, style, postscript_style in STYLES:
        font = subset_font(member[source])
        rename(font, postscript_style)
        check(font, weight, style)
        ttf = io.BytesIO()
        font.save(ttf, reorderTables=True)
        web = io.BytesIO()
        woff2.compress(io.BytesIO(ttf.getvalue()), web)
        outputs[f"{stem}.ttf"], outputs[f"{stem}.woff2"] = ttf.getvalue(), web.getvalue()
    sizes = {name: len(body) for name, body in outputs.items()}
    outputs["README.md"] = readme(sizes, layout_features(font)).encode()

    for stale in sorted(args.out.glob("*.ttf")) + sorted(args.out.glob("*.woff2")):
        if stale.name not in outputs:  # e.g. the source-sans-3-* files from before the rename
            stale.unlink()
            print(f"removed   {stale}")
    for name, body in outputs.items():
        (args.out / name).write_bytes(body)
        print(f"{len(body):>8,}  {args.out / name}")


if __name__ == "__main__":
    main()
