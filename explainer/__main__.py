"""Command line: ``python -m explainer check|data|site|build|verify-committed|assets|post-render|readme``
(the Makefile's targets call these).

Every failure caused by input prints one line per problem, ``error: path[:line]: message``, and exits
with status 1. Anything unforeseen (a bug, not bad input) prints one line too,
``error: internal error: ...``, with how to report it; ``--debug`` shows its traceback.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.metadata
import os
import sys
import time
import traceback

from .build import progress
from .errors import InputError, InputErrors

# nbformat imports jsonschema, which imports the optional rfc3987_syntax for its "iri" format checks,
# compiling ~38 grammars (over a second before the first notebook can start). Nothing in this
# process checks formats (nbformat and frictionless validate without a format checker), so it goes
# without; the kernels and the warm kernels' parent are other processes and import it as usual.
sys.modules.setdefault("rfc3987_syntax", None)

REPORT = ("this is a bug in the explainer, not a problem with your input: please report it in the project's "
          "issue tracker, with the command you ran and what it prints when run again with --debug")


def _data(force: bool) -> None:
    """Verify the ledger, bring notebooks and data/ up to date, regenerate the README's parts."""
    from .build import freshness

    if not force and freshness.is_fresh("data"):
        progress.say("data", "up to date: executed no notebook, changed nothing")
        return
    from .build import kernels
    from .paths import NOTEBOOKS_DIR

    # the warm kernels' parent imports pandas, Altair... while the ledger is checked
    kernels.start_for(sorted(NOTEBOOKS_DIR.glob("*.ipynb")))
    from .build.pipeline import run
    from .build.readme import update_readme
    from .build.verify import check_corrections, ledger_summary
    from .claims import load_ledger

    # The claims are checked against the seed before anything runs; the tables only after the
    # notebooks ran (a changed seed makes the old ones stale).
    ledger = load_ledger()
    check_corrections(ledger)
    progress.say("data", f"check: {ledger_summary(ledger)}")
    run(ledger, force=force)
    progress.say("data", f"readme: {update_readme()}")
    freshness.record("data")


def _site(force: bool, renderer: str | None, output: str | None = None) -> int:
    """Render site/ with Quarto (the reference) or the built-in pandoc renderer; see site/publish.py."""
    from pathlib import Path

    from .build import freshness
    from .site.publish import build, choose_renderer

    chosen = choose_renderer(renderer)
    if output:  # a site elsewhere (the tests' second renderer): no stamp, site/ untouched
        build(chosen, use_cache=not force, output=Path(output).resolve())
        return 0
    if not force and freshness.is_fresh("site", chosen):
        progress.say("site", f"up to date ({chosen}): rendered no page")
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
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="on an error, also print the Python traceback")
    parser = argparse.ArgumentParser(prog="python -m explainer", description=__doc__, parents=[debug],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, **options) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[debug], **options)

    add("check", help="verify every claim against the seed, every table against the ledger, and that no "
                      "generated file or notebook output was edited by hand")
    data = add("data", help="execute the notebooks that are out of date, then update data/")
    site = add("site", help="render the website into site/ (with Quarto if installed, else with pandoc)")
    build = add("build", help="`data` then `site`: what `make site` runs")
    for each in (data, site, build):
        each.add_argument("--force", action="store_true",
                          help="redo everything, even what is up to date, discarding hand edits of generated files")
    add("verify-committed", help="check that data/, its charts, the notebooks' outputs and the README are exactly "
                                     "what the pipeline produces from seeds/ (rebuilt in a scratch copy; changes nothing)")
    for command in (site, build):
        command.add_argument("--renderer", choices=("auto", "quarto", "pandoc"),
                             help="quarto (the reference), pandoc (the built-in stand-in) or auto (quarto if on PATH; "
                                  "the default, or $EXPLAINER_RENDERER)")
    site.add_argument("--output-dir", help="render there instead of project.output-dir (site/)")
    add("assets", help="write the self-hosted Vega bundle (Quarto's pre-render step)")
    add("post-render", help="hash inline scripts into each page's CSP, drop Quarto's CDN tags (Quarto's post-render step)")
    add("readme", help="regenerate the README's data dictionary (from data/datapackage.json) and its list of "
                       "notebooks (from their metadata)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except InputError as error:
        if getattr(args, "debug", False):
            traceback.print_exc()
        for problem in error.errors if isinstance(error, InputErrors) else [error]:
            print(f"error: {_one_line(str(problem))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # anything unforeseen: one line, the traceback only on request
        if getattr(args, "debug", False):
            traceback.print_exc()
        missing = getattr(error, "name", None) or ""
        if isinstance(error, ModuleNotFoundError | importlib.metadata.PackageNotFoundError) and missing and \
                not missing.startswith("explainer"):  # not a bug: a Python without the project's dependencies
            from pathlib import Path

            from .paths import PROJECT_ROOT

            if Path(sys.prefix).resolve() == (PROJECT_ROOT / ".venv").resolve():
                how = "the project's environment is older than requirements.txt: any `make` target updates it"
            else:
                how = ("run the explainer from the project's environment (`make …`, `.venv/bin/python -m explainer …`, "
                       "or `source .venv/bin/activate` first; any `make` target creates it)")
            print(f"error: {missing} is not installed for {sys.executable}: {how}", file=sys.stderr)
            return 1
        print(f"error: internal error: {type(error).__name__}: {_one_line(str(error))} ({REPORT})", file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())  # every kind of line break, not only \n


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.command == "check":
        from .build.verify import check

        print(f"check: {check()} ({time.perf_counter() - started:.2f} s)")
    elif args.command == "data":
        _data(args.force)
    elif args.command == "site":
        return _site(args.force, args.renderer, args.output_dir)
    elif args.command == "build":
        _data(args.force)
        status = _site(args.force, args.renderer)
        progress.say("build", f"done in {time.perf_counter() - started:.2f} s")
        return status
    elif args.command == "assets":
        from .site.assets import write_vega_bundle

        print(f"assets: {write_vega_bundle()}")
    elif args.command == "verify-committed":
        from .build.generated import verify_committed

        print(f"verify-committed: {verify_committed()} ({time.perf_counter() - started:.1f} s)")
    elif args.command == "post-render":
        print(f"post-render: {_post_render()}")
    elif args.command == "readme":
        from .build.readme import update_readme

        print(f"readme: {update_readme()}")
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is written: run the exit handlers and flush, but skip tearing down every module
    # imported (pandas, nbformat, frictionless...), which takes about 0.4 s.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
