"""Command line: ``python -m explainer check|data|site|build|bench`` (the Makefile's targets call these).

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


def _site(force: bool) -> int:
    """Render site/: with Quarto when installed, else with the built-in pandoc renderer."""
    import shutil

    if shutil.which("quarto"):
        import subprocess

        return subprocess.call(["quarto", "render"])
    from . import freshness

    if not force and freshness.is_fresh("site"):
        print("[site] up to date: rendered no page", file=sys.stderr)
        return 0
    from .site.render import build

    build(use_cache=not force)
    freshness.record("site")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explainer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="verify every claim against the seed and every table against the ledger")
    data = commands.add_parser("data", help="execute the notebooks that are out of date, then update data/")
    site = commands.add_parser("site", help="render the website into site/ (with Quarto if installed, else with pandoc)")
    build = commands.add_parser("build", help="`data` then `site`: what `make site` runs")
    for command in (data, site, build):
        command.add_argument("--force", action="store_true", help="redo everything, even what is up to date")
    commands.add_parser("assets", help="write the self-hosted Vega bundle (Quarto's pre-render step)")
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
            return _site(args.force)
        elif args.command == "build":
            _data(args.force)
            status = _site(args.force)
            print(f"[build] done in {time.perf_counter() - started:.2f} s", file=sys.stderr)
            return status
        elif args.command == "assets":
            from .site.assets import write_vega_bundle

            print(f"assets: {write_vega_bundle()}")
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
