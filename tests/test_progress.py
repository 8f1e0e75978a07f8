"""Progress output: one whole line per event, even when notebooks report from threads at once."""

import re
import threading
import time

from explainer.build import pipeline, progress
from explainer.site import publish


class SlowStream:
    """A stream that yields to other threads inside every write, as a busy terminal or pipe can:
    a line written in two parts (as ``print`` writes text and line ending) would be split."""

    def __init__(self):
        self.chunks = []

    def write(self, text):
        time.sleep(0.0005)
        self.chunks.append(text)

    def flush(self):
        pass


def test_lines_from_parallel_threads_never_interleave(monkeypatch):
    stream = SlowStream()
    monkeypatch.setattr("sys.stderr", stream)

    def report(worker):
        for event in range(25):
            (pipeline.log if worker % 2 else publish.log)(f"worker {worker} event {event} … up to date, skipped")

    threads = [threading.Thread(target=report, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = "".join(stream.chunks).split("\n")
    assert lines[-1] == ""
    whole = re.compile(r"\[(data|site)\] worker (\d) event (\d+) … up to date, skipped")
    assert all(whole.fullmatch(line) for line in lines[:-1]), [line for line in lines if not whole.fullmatch(line)][:3]
    assert len(lines) - 1 == 6 * 25
    # each event is one write: the line and its ending together
    assert all(chunk.endswith("\n") and chunk.count("\n") == 1 for chunk in stream.chunks)


def test_a_message_with_a_line_break_stays_one_line():
    stream = SlowStream()
    progress.say("data", "cell 3 raised ValueError: first\nsecond", stream)
    assert stream.chunks == ["[data] cell 3 raised ValueError: first second\n"]
