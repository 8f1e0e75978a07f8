"""Lighthouse on a built site, reproducibly: accessibility on every page, mobile performance on the
explainer (or the pages named), each page served over HTTP on localhost as a static host would.

    python tools/lighthouse.py site/                         # the site `make site` built
    python tools/lighthouse.py .build/test-sites/pandoc --json out.json
    python tools/lighthouse.py site/ --pages index.html --performance index.html

Lighthouse comes from npm, pinned in tools/lighthouse/package.json (`make lighthouse` installs it
into tools/lighthouse/node_modules; 12.x, as Lighthouse 13 needs Node 22) and drives Debian's
Chromium (CHROME_PATH, default /usr/bin/chromium). Performance is Lighthouse's default mobile run:
a Moto G Power-sized screen, simulated slow 4G and a 4x slower CPU, so its numbers are the
simulation's, not this machine's; they vary little between runs.

Prints one line per page (accessibility score and each failed audit) and, for each performance
page: the score, the metrics, the opportunities and diagnostics that cost anything, and every
request that started before the first contentful paint (observed, unthrottled) with its size.
Full reports are kept in .build/lighthouse/. Exit status 1 when a page scores under --min-accessibility.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.serve import serve_in_background  # noqa: E402

LOCAL = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / ".build" / "lighthouse"
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PAGES = ["index.html", "data.html", "methods.html", "404.html",
         *[f"notebooks/{p.stem}.html" for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]]
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index", "interactive"]


_TEXT = {".html", ".css", ".js", ".svg", ".json", ".csv", ".xml", ".txt", ".cff"}


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """As a static host serves text: gzip-compressed when the browser accepts it (python's
    http.server sends every file as it is, which Lighthouse counts against the page)."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in _TEXT or not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass


def serve(folder: Path, compressed: bool):
    if not compressed:
        return serve_in_background(folder)
    handler = functools.partial(_GzipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def lighthouse_command() -> list[str] | None:
    """The Lighthouse CLI: the project's pinned copy, else one on PATH; None when neither is there."""
    if LOCAL.exists():
        return [str(LOCAL)]
    found = shutil.which("lighthouse")
    return [found] if found else None


def run(url: str, categories: list[str], report: Path, desktop: bool = False) -> dict:
    """One Lighthouse run of ``url`` (mobile, Lighthouse's defaults, or its desktop preset); its JSON report."""
    command = lighthouse_command()
    if command is None:
        raise SystemExit("error: Lighthouse is not installed: run `make lighthouse` (npm) or put `lighthouse` on PATH")
    report.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(
        [*command, url, "--output=json", f"--output-path={report}", f"--only-categories={','.join(categories)}",
         f"--chrome-flags={' '.join(CHROME_FLAGS)}", "--quiet", "--max-wait-for-load=60000",
         *(["--preset=desktop"] if desktop else [])],
        env=environment, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {data['runtimeError']}")
    return data


def failed_audits(data: dict, category: str) -> list[dict]:
    """The audits of ``category`` that count and did not pass, with what they point at."""
    failed = []
    for ref in data["categories"][category]["auditRefs"]:
        audit = data["audits"][ref["id"]]
        if ref.get("weight", 0) and audit["score"] is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items", [])
            nodes = [(i.get("node") or {}).get("selector", "") for i in items][:5]
            failed.append({"id": ref["id"], "title": audit["title"], "nodes": nodes})
    return failed


def performance_summary(data: dict) -> dict:
    audits = data["audits"]
    metrics = {m: round(audits[m]["numericValue"], 3) for m in METRICS if audits.get(m, {}).get("numericValue") is not None}
    opportunities, diagnostics = [], []
    for ref in data["categories"]["performance"]["auditRefs"]:
        audit = audits[ref["id"]]
        details = audit.get("details") or {}
        if ref.get("group") == "hidden":  # Lighthouse's "insights", which repeat the audits shown
            continue
        if audit["score"] is None or audit["score"] >= 1 and details.get("type") != "opportunity":
            continue
        if details.get("type") == "opportunity":
            saving = details.get("overallSavingsMs", 0) or 0
            saved_bytes = details.get("overallSavingsBytes", 0) or 0
            if saving > 0 or saved_bytes > 0:
                opportunities.append({"id": ref["id"], "ms": round(saving), "bytes": saved_bytes,
                                      "items": [_item(i) for i in _items(details)][:6]})
        elif audit["score"] < 1:
            diagnostics.append({"id": ref["id"], "title": audit["title"], "value": audit.get("displayValue", ""),
                                "items": [_item(i) for i in _items(details)][:6]})
    observed = (audits.get("metrics", {}).get("details") or {}).get("items", [{}])[0]
    fcp_observed = observed.get("observedFirstContentfulPaint")
    requests = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    before_fcp = [{"url": r["url"], "type": r.get("resourceType"), "bytes": r.get("transferSize", 0),
                   "start_ms": round(r.get("networkRequestTime", 0)), "end_ms": round(r.get("networkEndTime", 0))}
                  for r in requests if fcp_observed is not None and r.get("networkRequestTime", 0) < fcp_observed]
    return {
        "score": round(data["categories"]["performance"]["score"] * 100),
        "metrics_ms": metrics,
        "observed_fcp_ms": fcp_observed,
        "requests": len(requests),
        "total_bytes": sum(r.get("transferSize", 0) for r in requests),
        "before_fcp": before_fcp,
        "before_fcp_bytes": sum(r["bytes"] for r in before_fcp),
        "opportunities": opportunities,
        "diagnostics": diagnostics,
    }


def _items(details: dict) -> list:
    items = details.get("items", [])
    return items if isinstance(items, list) else []


def _item(item) -> str:
    if not isinstance(item, dict):
        return str(item)[:120]
    label = item.get("url") or (item.get("node") or {}).get("selector") or item.get("label") or item.get("groupLabel") or ""
    numbers = {k: round(v) for k, v in item.items() if isinstance(v, (int, float)) and k in
               ("wastedMs", "wastedBytes", "totalBytes", "transferSize", "duration", "blockingTime", "total")}
    return f"{label} {numbers}".strip()


def measure(site: Path, pages: list[str], performance: list[str], label: str, desktop: bool = False,
            compressed: bool = False) -> dict:
    origin, server = serve(site, compressed)
    results = {}
    try:
        for page in pages:
            categories = ["accessibility", *(["performance"] if page in performance else [])]
            variant = ("desktop-" if desktop else "") + ("gzip-" if compressed else "")
            report = REPORTS / label / (variant + page.replace("/", "_") + ".json")
            data = run(f"{origin}/{page}", categories, report, desktop)
            results[page] = {
                "accessibility": round(data["categories"]["accessibility"]["score"] * 100),
                "failed": failed_audits(data, "accessibility"),
            }
            if "performance" in categories:
                results[page]["performance"] = performance_summary(data)
            print_page(page, results[page])
    finally:
        server.shutdown()
    return results


def print_page(page: str, result: dict) -> None:
    failed = "; ".join(f"{f['id']} {f['nodes']}" for f in result["failed"]) or "no failed audit"
    print(f"{page}: accessibility {result['accessibility']} ({failed})", flush=True)
    performance = result.get("performance")
    if not performance:
        return
    metrics = ", ".join(f"{k} {v:.0f}" if k != "cumulative-layout-shift" else f"{k} {v:.3f}"
                        for k, v in performance["metrics_ms"].items())
    print(f"  performance {performance['score']} (mobile, simulated): {metrics}")
    print(f"  {performance['requests']} requests, {performance['total_bytes'] / 1024:.1f} KB transferred")
    print(f"  before first contentful paint (observed at {performance['observed_fcp_ms']} ms, unthrottled): "
          f"{len(performance['before_fcp'])} requests, {performance['before_fcp_bytes'] / 1024:.1f} KB")
    for request in performance["before_fcp"]:
        print(f"    {request['bytes'] / 1024:7.1f} KB  {request['type'] or '':10} {request['url']}")
    for opportunity in performance["opportunities"]:
        print(f"  opportunity {opportunity['id']}: {opportunity['ms']} ms, {opportunity['bytes'] / 1024:.1f} KB")
        for item in opportunity["items"]:
            print(f"    {item}")
    for diagnostic in performance["diagnostics"]:
        print(f"  diagnostic {diagnostic['id']}: {diagnostic['value']}")
        for item in diagnostic["items"]:
            print(f"    {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder (site/, or a --output-dir)")
    parser.add_argument("--pages", nargs="+", default=PAGES, help="pages to check for accessibility (default: all)")
    parser.add_argument("--performance", nargs="*", default=["index.html"], help="pages also measured for performance")
    parser.add_argument("--label", help="names the report folder in .build/lighthouse/ (default: the site folder's name)")
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop preset instead of its mobile default")
    parser.add_argument("--gzip", action="store_true", help="serve text gzip-compressed, as a static host would "
                        "(default: as python's http.server does, uncompressed)")
    parser.add_argument("--min-accessibility", type=int, default=100)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        parser.error(f"{args.site} holds no index.html: build the site first")
    label = args.label or args.site.resolve().name
    results = measure(args.site.resolve(), args.pages, args.performance, label, args.desktop, args.gzip)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    low = [page for page, result in results.items() if result["accessibility"] < args.min_accessibility]
    if low:
        print(f"accessibility under {args.min_accessibility}: {', '.join(low)}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
