"""Serve a built site over HTTP on localhost, as a static host would (browser tests, benchmark)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass


def serve_in_background(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Start serving ``folder``; return its origin (``http://127.0.0.1:PORT``) and the server to shut down."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
