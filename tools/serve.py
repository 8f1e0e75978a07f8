"""Serve a built site over HTTP on localhost, as a static host would (browser tests, benchmark).

As static hosts do (GitHub Pages, Netlify, Quarto Pub), text is sent gzip-compressed to a browser
that accepts it, so that what the benchmark and Lighthouse weigh is what travels to a reader.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import sys
import threading
from pathlib import Path

# Already compressed formats (WOFF2, PNG) are sent as they are.
COMPRESSED_TYPES = ("text/", "image/svg+xml", "application/javascript", "text/javascript", "application/json")


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """A file's gzip body, compressed once per version of the file (the browser suite asks for the
    same stylesheets and scripts hundreds of times)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        kind = self.guess_type(str(path))
        if (not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not kind.startswith(COMPRESSED_TYPES)):
            return super().send_head()
        stat = path.stat()
        body = _gzipped(str(path), stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)  # what copyfile reads the body from


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if isinstance(sys.exception(), ConnectionError):
            return  # the browser went away mid-response (a page closed while loading): nothing wrong here
        super().handle_error(request, client_address)


def serve_in_background(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Start serving ``folder``; return its origin (``http://127.0.0.1:PORT``) and the server to shut down."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
