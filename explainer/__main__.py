"""Command line: ``python -m explainer check|data|site|build|bench|assets|post-render`` (the Makefile's targets call these).

Every failure caused by input prints one line, ``path:line: message``, and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import time

from .errors import InputError


def _data(force: bool) -> None:
    """Verify the ledger, bring notebooks and data/ up to date, regenerate the README's parts."""
    from . import freshness

    if not force and freshness.is_fresh("data"):
        print("[data] up to date: executed no notebook, changed nothing", file=sys.stderr)
        return
    from . import kernels

    kernels.start()  # the warm kernels' parent imports pandas, Altair... while the ledger is checked
    from .claims import load_ledger
    from .pipeline import run
    from .readme import update_readme
    from .verify import ledger_summary

    # The claims are checked against the seed before anything runs; the tables only after the
    # notebooks ran (a changed seed makes the old ones stale).
    ledger = load_ledger()
    print(f"[data] check: {ledger_summary(ledger)}", file=sys.stderr)
    run(ledger, force=force)
    print(f"[data] readme: {update_readme()}", file=sys.stderr)
    freshness.record("data")


def _site(force: bool, renderer: str | None, output: str | None = None) -> int:
    """Render site/ with Quarto (the reference) or the built-in pandoc renderer; see site/publish.py."""
    from pathlib import Path

    from . import freshness
    from .site.publish import build, choose_renderer

    chosen = choose_renderer(renderer)
    if output:  # a site elsewhere (the tests' second renderer): no stamp, site/ untouched
        build(chosen, use_cache=not force, output=Path(output).resolve())
        return 0
    if not force and freshness.is_fresh("site", chosen):
        print(f"[site] up to date ({chosen}): rendered no page", file=sys.stderr)
        return 0
    build(chosen, use_cache=not force)
    freshness.record("site", chosen)
    return 0


def _post_render() -> str:
    """Quarto's post-render step (and ours): see site/postrender.py."""
    import os
    from pathlib import Path

    from .paths import PROJECT_ROOT
    from .site.postrender import finish_site

    folder = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or PROJECT_ROOT / "site")
    return f"{finish_site(PROJECT_ROOT / folder)} pages given their script hashes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explainer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="verify every claim against the seed and every table against the ledger")
    data = commands.add_parser("data", help="execute the notebooks that are out of date, then update data/")
    site = commands.add_parser("site", help="render the website into site/ (with Quarto if installed, else with pandoc)")
    build = commands.add_parser("build", help="`data` then `site`: what `make site` runs")
    for command in (data, site, build):
        command.add_argument("--force", action="store_true", help="redo everything, even what is up to date")
    for command in (site, build):
        command.add_argument("--renderer", choices=("auto", "quarto", "pandoc"),
                             help="quarto (the reference), pandoc (the built-in stand-in) or auto (quarto if on PATH; "
                                  "the default, or $EXPLAINER_RENDERER)")
    site.add_argument("--output-dir", help="render there instead of project.output-dir (site/)")
    commands.add_parser("assets", help="write the self-hosted Vega bundle (Quarto's pre-render step)")
    commands.add_parser("post-render", help="hash inline scripts into each page's CSP, drop Quarto's CDN tags "
                                            "(Quarto's post-render step)")
    commands.add_parser("readme", help="regenerate the README's data dictionary from data/datapackage.json")
    bench = commands.add_parser("bench", help="measure builds and pages against the budgets; write BENCHMARKS.md")
    bench.add_argument("--runs", type=int, default=3, help="runs per measure (the median is reported)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        if args.command == "check":
            from .verify import check

            print(f"check: {check()} ({time.perf_counter() - started:.2f} s)")
        elif args.command == "data":
            _data(args.force)
        elif args.command == "site":
            return _site(args.force, args.renderer, args.output_dir)
        elif args.command == "build":
            _data(args.force)
            status = _site(args.force, args.renderer)
            print(f"[build] done in {time.perf_counter() - started:.2f} s", file=sys.stderr)
            return status
        elif args.command == "assets":
            from .site.assets import write_vega_bundle

            print(f"assets: {write_vega_bundle()}")
        elif args.command == "post-render":
            print(f"post-render: {_post_render()}")
        elif args.command == "readme":
            from .readme import update_readme

            print(f"readme: {update_readme()}")
        elif args.command == "bench":
            from .bench import main as bench_main

            return bench_main(runs=args.runs)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
