"""Build the site into a staging folder with either renderer, check it, then swap it in.

Quarto is the reference renderer: ``auto`` uses ``quarto`` when it is on ``PATH`` and the built-in
pandoc renderer (``build.py``, ``render.py``) otherwise; ``EXPLAINER_RENDERER`` or ``--renderer`` forces one.
Either way the staged site gets the same post-render step, must pass the link check (every
internal link resolves, nothing from another origin), and replaces the output folder only then:
a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from ..build import progress
from ..errors import InputError
from ..paths import BUILD_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, relative
from .config import load_config, published_path
from .links import broken_links
from .sources import check_page, page_sources

RENDERERS = ("auto", "quarto", "pandoc")


def log(message: str) -> None:
    progress.say("site", message)


def choose_renderer(requested: str | None = None) -> str:
    """``quarto`` or ``pandoc``, from the request, else ``EXPLAINER_RENDERER``, else what is installed."""
    wanted = requested or os.environ.get("EXPLAINER_RENDERER") or "auto"
    if wanted not in RENDERERS:
        raise InputError(None, f"unknown renderer {wanted!r}: choose one of {', '.join(RENDERERS)}")
    if wanted == "auto":
        return "quarto" if shutil.which("quarto") else "pandoc"
    if wanted == "quarto" and not shutil.which("quarto"):
        raise InputError(None, "the quarto renderer was asked for, but `quarto` is not on PATH "
                         "(install Quarto: https://quarto.org/docs/get-started/)")
    return wanted


def tool_environment() -> dict[str, str]:
    """Quarto's pre- and post-render steps run ``python``: make it this environment's."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "QUARTO_PYTHON": sys.executable}


def run_project_scripts(config: dict, key: str, output_dir: Path) -> None:
    """Run ``project.pre-render`` or ``post-render`` commands as Quarto does (for the built-in renderer)."""
    commands = config["project"].get(key) or []
    for command in commands if isinstance(commands, list) else [commands]:
        env = {**tool_environment(), "QUARTO_PROJECT_OUTPUT_DIR": str(output_dir), "QUARTO_PROJECT_RENDER_ALL": "1"}
        result = subprocess.run(shlex.split(command), cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
        if result.returncode:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise InputError("_quarto.yml", f"{key} command {command!r} failed: {' '.join(last)}")


# Quarto's own progress, "[3/9] methods.qmd" ("[ 3/12]" from 10 pages on; coloured, after a
# carriage return, even into a pipe)
_QUARTO_PAGE = re.compile(r"\[\s*(\d+)/(\d+)\] (.+)")
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*m|\r")


def _quarto_render(stage: Path) -> str:
    """``quarto render`` into ``stage``; Quarto runs the pre- and post-render steps itself. Its
    progress becomes ours, one line per page; the rest of what it says is shown only if it fails."""
    said = []
    with subprocess.Popen(["quarto", "render", "--output-dir", str(stage.relative_to(PROJECT_ROOT))],
                          cwd=PROJECT_ROOT, env=tool_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, encoding="utf-8", errors="replace") as quarto:
        for line in quarto.stdout:
            line = _TERMINAL_CODES.sub("", line).rstrip()  # its indentation kept: YAML errors point with ^
            said.append(line)
            if page := _QUARTO_PAGE.fullmatch(line.strip()):
                log(f"page {page[1]} of {page[2]}: {page[3]} … rendering (Quarto)")
    if quarto.returncode:
        tail = "\n".join(line for line in said if line)
        raise InputError("_quarto.yml", "quarto render failed:\n" + "\n".join(tail.splitlines()[-15:]))
    return f"{sum(1 for _ in stage.rglob('*.html'))} pages from quarto render"


def build(renderer: str, use_cache: bool = True, output: Path | None = None) -> Path:
    """Render with ``renderer`` into a fresh folder, check it, then swap it in place of the output
    folder (``project.output-dir``, or ``output``: the tests build one site per renderer)."""
    started = time.perf_counter()
    config_path = PROJECT_ROOT / "_quarto.yml"
    config = load_config(config_path)  # both renderers: the pandoc one must be able to render the same sources
    output = output or PROJECT_ROOT / config["project"].get("output-dir", "_site")
    BUILD_DIR.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix="site-", dir=BUILD_DIR))
    try:
        sources = page_sources(config)
        unlisted = sorted({*PROJECT_ROOT.glob("*.qmd"), *NOTEBOOKS_DIR.glob("*.ipynb")} - {PROJECT_ROOT / s for s in sources})
        for path in unlisted:  # as under Quarto, which renders only what project.render lists
            log(f"note: {relative(path)} is not in _quarto.yml's project.render: not rendered")
        if renderer == "quarto":
            for source in sources:  # sources the built-in renderer could not render fail here too
                check_page(source)
            log("rendering with Quarto (quarto render)")
            summary = _quarto_render(stage)
        else:
            from .build import render_pages  # imports pandoc: only when it renders

            log("rendering with the built-in pandoc renderer")
            run_project_scripts(config, "pre-render", stage)
            summary = render_pages(config, config_path.read_bytes(), stage, use_cache)
            run_project_scripts(config, "post-render", stage)
        broken = broken_links(stage, published_path(config))
        if broken:
            raise _in_sources(broken, sources, output)
        _swap(stage, output)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    log(f"done: {summary} in {relative(output)}/ ({renderer}, {time.perf_counter() - started:.1f} s)")
    return output


def _in_sources(broken: list, sources: list[Path], output: Path) -> InputError:
    """The first broken link, named where it was written: the page's source (and the line of a
    .qmd that holds the link, as written there or as rendered), else the site's file."""
    first, more = broken[0], f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    built = f"{relative(output)}/{first.file}"
    source = next((s for s in sources if s.with_suffix(".html").as_posix() == first.file), None)
    if source is None:
        return InputError(built, first.message + more, line=first.line)
    line = None
    if source.suffix == ".qmd" and first.url:
        # the link as written: the rendered one, or its .qmd/.ipynb source, with the same #fragment
        parts = urlsplit(first.url)
        paths = {parts.path}
        if Path(parts.path).suffix == ".html":
            paths |= {parts.path[: -len(".html")] + ext for ext in (".qmd", ".ipynb")}
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        written = re.compile("|".join(rf"(?<![\w./-]){re.escape(p + fragment)}(?![\w.-])" for p in sorted(paths)))
        lines = (PROJECT_ROOT / source).read_text(encoding="utf-8").splitlines()
        line = next((number for number, text in enumerate(lines, 1) if written.search(text)), None)
    return InputError(source.as_posix(), f"{first.message} (in {built}:{first.line}){more}", line=line)


def _swap(stage: Path, output: Path) -> None:
    """Replace the output folder with the staged one, keeping the old one until the new is in place."""
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix="site-old-", dir=stage.parent))
        os.replace(output, old / "site")
    output.parent.mkdir(parents=True, exist_ok=True)
    os.replace(stage, output)
    if old:
        shutil.rmtree(old, ignore_errors=True)
