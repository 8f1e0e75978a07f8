"""Command line: ``python -m explainer check|data|readme`` (the Makefile's targets call these).

Every failure caused by input prints one line, ``path:line: message``, and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import time

from .errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explainer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="verify every claim against the seed and every table against the ledger")
    data = commands.add_parser("data", help="execute the notebooks that are out of date, then update data/")
    data.add_argument("--force", action="store_true", help="execute every notebook, even if up to date")
    commands.add_parser("site", help="render the website into site/ (with Quarto if installed, else with pandoc)")
    commands.add_parser("assets", help="write the self-hosted Vega bundle (Quarto's pre-render step)")
    commands.add_parser("readme", help="regenerate the README's data dictionary from data/datapackage.json")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        if args.command == "check":
            from .verify import check

            print(f"check: {check()} ({time.perf_counter() - started:.2f} s)")
        elif args.command == "data":
            from .pipeline import run
            from .verify import check

            print(f"check: {check()}", file=sys.stderr)
            run(force=args.force)
        elif args.command == "site":
            import shutil
            import subprocess

            if shutil.which("quarto"):
                return subprocess.call(["quarto", "render"])
            from .site.render import build

            build()
        elif args.command == "assets":
            from .site.assets import write_vega_bundle

            print(f"assets: {write_vega_bundle()}")
        elif args.command == "readme":
            from .readme import update_readme

            print(f"readme: {update_readme()}")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
