"""How long a make target took on this machine, for ``make bench`` to report in BENCHMARKS.md.

    python -m tools.stopwatch start make-test   # the first line of the target's recipe
    python -m tools.stopwatch stop make-test    # its last line: reached only if every step passed

Writes ``.build/stopwatch/NAME.json`` (wall seconds, date, cores): the time of the last complete
run, as measured, rather than a number copied into a document by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

from explainer.paths import BUILD_DIR

FOLDER = BUILD_DIR / "stopwatch"


def start(name: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / f"{name}.start").write_text(f"{time.time()}\n", encoding="utf-8")


def stop(name: str) -> float:
    began = float((FOLDER / f"{name}.start").read_text(encoding="utf-8"))
    seconds = round(time.time() - began, 1)
    record = {"seconds": seconds, "date": dt.date.today().isoformat(), "cores": os.cpu_count()}
    (FOLDER / f"{name}.json").write_text(json.dumps(record) + "\n", encoding="utf-8")
    print(f"{name}: {seconds:.0f} s", file=sys.stderr)
    return seconds


def last(name: str) -> dict | None:
    """The last complete run's record, if there is one."""
    path = FOLDER / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: python -m tools.stopwatch start|stop NAME")
    start(sys.argv[2]) if sys.argv[1] == "start" else stop(sys.argv[2])
