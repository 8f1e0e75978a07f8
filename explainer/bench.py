"""``make bench``: how fast the site builds and how light its pages are, against the budgets and
against the plain alternative (``jupyter nbconvert --to html`` of the same notebooks).

Everything is measured in one run, on a scratch copy of the project (the working tree is never
touched), as the median of several runs; results are written to ``BENCHMARKS.md``. Timings on
a shared machine are noisy, so budgets are checked here, never as timed assertions in tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .paths import BUILD_DIR, PROJECT_ROOT
from .project_copy import copy_project, environment_for
from .site.serve import serve_in_background

REPORT = PROJECT_ROOT / "BENCHMARKS.md"
CHROMIUM = "/usr/bin/chromium"
PANDOC = ("--renderer", "pandoc")  # the build-time figures are the built-in renderer's (Quarto: see quarto_times)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
NOTEBOOKS = ["01-claims-ledger", "02-tidy-tables", "03-chart-attacks", "04-chart-timeline", "05-explainer-page-parts"]
PAGES = ["index.html", "data.html", "methods.html", "404.html", *[f"notebooks/{n}.html" for n in NOTEBOOKS]]
# Marks the moment a chart's SVG is laid out on screen (checked on every animation frame).
FIRST_CHART_PROBE = """
window.firstChartAt = null;
(function probe() {
  const chart = document.querySelector('figure.explainer-chart img');
  if (chart && chart.complete && chart.naturalWidth > 0) { window.firstChartAt = performance.now(); return; }
  requestAnimationFrame(probe);
})();
"""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Budget:
    name: str
    limit: str
    measured: str
    met: bool


@dataclass
class PageWeight:
    first_paint_bytes: int  # over the wire: bodies as a static host sends them (text gzip-compressed)
    first_paint_requests: int
    first_paint_decoded: int  # the same bodies uncompressed
    later_bytes: int
    later_requests: int
    third_party: list[str] = field(default_factory=list)
    bundle_after_first_paint: bool = True
    first_chart_ms: float | None = None


# ---------------------------------------------------------------------------------------------
# Build times


def _timed(command: list[str], root: Path, cwd: Path | None = None) -> tuple[float, str]:
    """Seconds a command takes on the copy at ``root``, and what it printed to stderr."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd or root, env=environment_for(root), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed, result.stderr


def _explainer(root: Path, *args: str) -> tuple[float, str]:
    return _timed([sys.executable, "-m", "explainer", *args], root)


def _clear(root: Path, *names: str) -> None:
    for name in names:
        shutil.rmtree(root / name, ignore_errors=True)


def build_times(root: Path, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {key: [] for key in ("data", "render", "cold", "noop", "edit")}
    noop_logs = []
    for run in range(1, runs + 1):
        log(f"build run {run} of {runs}: cold data, cold render, cold data+site, no-op, one page edited")
        _clear(root, ".build", "site")
        times["data"].append(_explainer(root, "data", "--force")[0])
        _clear(root, ".build", "site")
        times["render"].append(_explainer(root, "site", *PANDOC)[0])
        _clear(root, ".build", "site")
        times["cold"].append(_explainer(root, "build", "--force", *PANDOC)[0])
        elapsed, output = _explainer(root, "build", *PANDOC)
        times["noop"].append(elapsed)
        noop_logs.append(output)
        page = root / "index.qmd"
        original = page.read_text(encoding="utf-8")
        page.write_text(original + f"\n<!-- benchmark edit {run} -->\n", encoding="utf-8")
        times["edit"].append(_explainer(root, "build", *PANDOC)[0])
        page.write_text(original, encoding="utf-8")
        _explainer(root, "build", *PANDOC)
    times["noop_executed_nothing"] = [float(all("executed no notebook" in out and "rendered no page" in out
                                                for out in noop_logs))]
    return times


def quarto_times(root: Path, runs: int) -> dict[str, list[float]]:
    """Cold ``quarto render`` of the whole site (Quarto has no page cache), into ``site-quarto/``."""
    times: dict[str, list[float]] = {"render": []}
    for run in range(1, runs + 1):
        log(f"quarto run {run} of {runs}: cold render")
        times["render"].append(_explainer(root, "site", "--renderer", "quarto", "--output-dir",
                                          str(root / "site-quarto"))[0])
    return times


def nbconvert_times(root: Path, out: Path, runs: int) -> dict[str, list[float]]:
    jupyter = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(out)]
    notebooks = [str(root / "notebooks" / f"{n}.ipynb") for n in NOTEBOOKS]
    scratch = out.parent / "nbconvert-executed"
    times: dict[str, list[float]] = {"execute": [], "render": []}
    for run in range(1, runs + 1):
        log(f"nbconvert run {run} of {runs}: execute and export, export only")
        # the plain alternative executes in place, one notebook after another, with no skipping
        times["execute"].append(_timed([*jupyter[:-2], "--output-dir", str(scratch), "--execute", *notebooks],
                                       root, cwd=root / "notebooks")[0])
        times["render"].append(_timed([*jupyter, *notebooks], root)[0])
    shutil.rmtree(scratch, ignore_errors=True)
    return times


# ---------------------------------------------------------------------------------------------
# Page weight and first chart, in Chromium


@functools.cache
def _server(folder: Path) -> str:
    return serve_in_background(folder)[0]  # lives as long as the benchmark


def measure_page(browser, url: str) -> PageWeight:
    """Bytes and requests before first contentful paint and after, third-party attempts, first chart."""
    host = urlparse(url).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    third_party: list[str] = []

    def route(request_route):
        if urlparse(request_route.request.url).netloc in (host, ""):
            request_route.continue_()
        else:  # no other origin is reachable here; count the attempt instead of waiting on it
            third_party.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.add_init_script(FIRST_CHART_PROBE)
    page.goto(url, wait_until="load")
    page.mouse.move(10, 10)  # an interaction: the chart layer may load on it as well as when idle
    page.wait_for_timeout(2500)
    entries = page.evaluate("""() => ({
        fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
        document: [performance.getEntriesByType('navigation')[0].encodedBodySize,
                   performance.getEntriesByType('navigation')[0].decodedBodySize],
        resources: performance.getEntriesByType('resource').map(
            e => [e.name, e.startTime, e.encodedBodySize, e.decodedBodySize]),
        firstChart: window.firstChartAt,
    })""")
    context.close()
    fcp = entries["fcp"] or float("inf")
    early = [r for r in entries["resources"] if r[1] <= fcp]
    later = [r for r in entries["resources"] if r[1] > fcp]
    return PageWeight(
        first_paint_bytes=entries["document"][0] + sum(r[2] for r in early),
        first_paint_requests=1 + len(early),
        first_paint_decoded=entries["document"][1] + sum(r[3] for r in early),
        later_bytes=sum(r[2] for r in later),
        later_requests=len(later),
        third_party=third_party,
        bundle_after_first_paint=not any("vega-bundle" in r[0] for r in early),
        first_chart_ms=entries["firstChart"],
    )


def page_weights(folder: Path, pages: list[str], runs: int) -> dict[str, PageWeight]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in pages:
            samples = [measure_page(browser, f"{_server(folder)}/{path}") for _ in range(runs)]
            weight = samples[0]
            charts = [s.first_chart_ms for s in samples if s.first_chart_ms is not None]
            weight.first_chart_ms = statistics.median(charts) if charts else None
            results[path] = weight
        browser.close()
    return results


# ---------------------------------------------------------------------------------------------
# Report


def _kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _ratio(ours: float, theirs: float, better: str, worse: str) -> str:
    """How ours compares, e.g. "7.8× faster" (a ratio of the two medians)."""
    return f"{theirs / ours:.1f}× {better}" if ours and theirs >= ours else f"{ours / theirs:.1f}× {worse}"


def _page_budgets(label: str, pages: dict[str, PageWeight]) -> list[Budget]:
    index = pages["index.html"]
    return [
        Budget(f"{label}: explainer first paint, bytes over the wire", "≤ 100 KB",
               f"{_kb(index.first_paint_bytes)} ({_kb(index.first_paint_decoded)} uncompressed)",
               index.first_paint_bytes <= 100 * 1024),
        Budget(f"{label}: explainer first paint, requests", "≤ 10", str(index.first_paint_requests),
               index.first_paint_requests <= 10),
        Budget(f"{label}: requests to other origins, every page", "0",
               str(sum(len(w.third_party) for w in pages.values())), all(not w.third_party for w in pages.values())),
    ]


def budgets(times: dict, ours: dict[str, PageWeight], quarto: dict[str, PageWeight] | None = None) -> list[Budget]:
    index = ours["index.html"]
    median = {key: statistics.median(values) for key, values in times.items()}
    return [
        *_page_budgets("Built-in renderer", ours),
        *(_page_budgets("Quarto", quarto) if quarto else []),
        Budget("Interactive chart layer fetched after first paint", "yes",
               "yes" if index.bundle_after_first_paint else "no", index.bundle_after_first_paint),
        Budget("No-op rebuild (`make site`)", "≤ 1 s", _s(median["noop"]), median["noop"] <= 1.0),
        Budget("No-op rebuild executes no notebook, renders no page", "yes",
               "yes" if median["noop_executed_nothing"] else "no", bool(median["noop_executed_nothing"])),
        Budget("Cold `make data && make site` (built-in renderer)", "≤ 20 s", _s(median["cold"]), median["cold"] <= 20.0),
    ]


def report(times: dict, plain: dict, ours: dict[str, PageWeight], theirs: dict[str, PageWeight], runs: int,
           quarto: dict[str, PageWeight] | None = None, quarto_render: dict | None = None) -> str:
    median = {key: statistics.median(values) for key, values in times.items()}
    plain_median = {key: statistics.median(values) for key, values in plain.items()}
    checks = budgets(times, ours, quarto)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {dt.date.today().isoformat()}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Chromium at 1280×900, medians of {runs} runs. Builds run on a scratch copy "
        "of the project. The plain alternative is `jupyter nbconvert --to html` of the same five notebooks "
        "(with `--execute` for the data step). Timings on a shared machine are noisy: read the ratios.",
        "",
        "## Budgets",
        "",
        "| Budget | Limit | Measured | Met |",
        "|---|---|---|---|",
        *[f"| {b.name} | {b.limit} | {b.measured} | {'✅' if b.met else '❌'} |" for b in checks],
        "",
        "## Build times",
        "",
        "| Step | Ours | nbconvert | Ratio |",
        "|---|---|---|---|",
        f"| Cold `make data` (execute every notebook) | {_s(median['data'])} | {_s(plain_median['execute'])} | "
        f"{_ratio(median['data'], plain_median['execute'], 'faster', 'slower')} |",
        f"| Cold render (every page, no cache) | {_s(median['render'])} | {_s(plain_median['render'])} | "
        f"{_ratio(median['render'], plain_median['render'], 'faster', 'slower')} |",
        f"| Cold `make data && make site` | {_s(median['cold'])} | "
        f"{_s(plain_median['execute'] + plain_median['render'])} | "
        f"{_ratio(median['cold'], plain_median['execute'] + plain_median['render'], 'faster', 'slower')} |",
        f"| No-op rebuild | {_s(median['noop'])} | {_s(plain_median['render'])} (no incremental mode) | "
        f"{_ratio(median['noop'], plain_median['render'], 'faster', 'slower')} |",
        f"| Rebuild after editing one page | {_s(median['edit'])} | {_s(plain_median['render'])} | "
        f"{_ratio(median['edit'], plain_median['render'], 'faster', 'slower')} |",
        "",
        "The times above are the built-in renderer's. "
        + (f"A cold `quarto render` of the site (Quarto, the reference renderer) takes "
           f"{_s(statistics.median(quarto_render['render']))}." if quarto_render else "Quarto was not installed."),
        "",
        "## Pages",
        "",
        "First paint: the document and every request that started before the first contentful paint. "
        "Later: what loads after it (the interactive chart layer loads only when a reader asks, so not here). "
        "Sizes are bodies over the wire: the site is served as static hosts serve it (GitHub Pages, Netlify, "
        "Quarto Pub), text gzip-compressed, fonts and images as they are; the uncompressed size is in brackets.",
        "",
        "| Page | Renderer | First paint | Requests | Loaded later | Other origins | First chart visible |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in ours:
        for label, pages in (("built-in", ours), ("Quarto", quarto or {})):
            if path not in pages:
                continue
            weight = pages[path]
            chart = f"{weight.first_chart_ms:.0f} ms" if weight.first_chart_ms is not None else "–"
            lines.append(f"| `{path}` | {label} | {_kb(weight.first_paint_bytes)} ({_kb(weight.first_paint_decoded)}) | "
                         f"{weight.first_paint_requests} | "
                         f"{_kb(weight.later_bytes)} in {weight.later_requests} | {len(weight.third_party)} | {chart} |")
    lines += [
        "",
        "## Notebook pages against `nbconvert --to html`",
        "",
        "| Notebook | Ours: first paint | nbconvert: first paint | Ratio | Ours: other origins | nbconvert: other origins |",
        "|---|---|---|---|---|---|",
    ]
    for name in NOTEBOOKS:
        mine, other = ours[f"notebooks/{name}.html"], theirs[f"{name}.html"]
        lines.append(
            f"| `{name}` | {_kb(mine.first_paint_bytes)} in {mine.first_paint_requests} | "
            f"{_kb(other.first_paint_bytes)} in {other.first_paint_requests} | "
            f"{_ratio(mine.first_paint_bytes, other.first_paint_bytes, 'lighter', 'heavier')} | {len(mine.third_party)} | "
            f"{len(other.third_party)} ({', '.join(sorted({urlparse(u).netloc for u in other.third_party})) or '–'}) |"
        )
    return "\n".join(lines) + "\n"


def main(runs: int = 3) -> int:
    started = time.perf_counter()
    BUILD_DIR.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=BUILD_DIR))
    try:
        root = copy_project(scratch / "project", with_site=False)
        times = build_times(root, runs)
        quarto_render = quarto_times(root, runs) if shutil.which("quarto") else None
        plain = nbconvert_times(root, scratch / "nbconvert", runs)
        log("pages in Chromium: the built-in renderer's, Quarto's, then nbconvert's")
        ours = page_weights(root / "site", PAGES, runs)
        quarto = page_weights(root / "site-quarto", PAGES, runs) if quarto_render else None
        theirs = page_weights(scratch / "nbconvert", [f"{n}.html" for n in NOTEBOOKS], runs)
        text = report(times, plain, ours, theirs, runs, quarto, quarto_render)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    failed = [b.name for b in budgets(times, ours, quarto) if not b.met]
    log(f"wrote {REPORT.name} in {time.perf_counter() - started:.0f} s; "
        + (f"budgets missed: {'; '.join(failed)}" if failed else "every budget met"))
    return 1 if failed else 0
