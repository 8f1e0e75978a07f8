"""Progress output: one whole line per event, written at once, never interleaved.

Notebooks run side by side in threads, and pages are rendered while other steps report. ``print``
writes a message and its line ending as two separate writes, so two threads could interleave them
("… up to date, skipped[data] notebook 4 of 5"). Here each line is built first and written in one
call, under a lock that every thread of the process shares.
"""

from __future__ import annotations

import sys
import threading

_LOCK = threading.Lock()


def say(step: str, message: str, stream=None) -> None:
    """Write ``[step] message`` as one line on stderr (or ``stream``)."""
    line = f"[{step}] " + " ".join(message.splitlines()) + "\n"
    stream = stream or sys.stderr
    with _LOCK:
        stream.write(line)
        stream.flush()
