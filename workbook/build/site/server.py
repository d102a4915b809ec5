"""Serve a built site on 127.0.0.1 with the MIME types JupyterLite and Pyodide need.

In preview mode (`workbook serve --watch`) the server also tells open pages when the site was
rebuilt: every HTML page gets a small script (assets/live-reload.js) that polls
`/__workbook/version`, drops the browser's stored copy of a notebook the rebuild changed, and
reloads the page; while the last build failed, the page shows its errors.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import sys
import threading
from pathlib import Path

from ..errors import BuildError, display_path

LIVE_SCRIPT = Path(__file__).with_name("assets") / "live-reload.js"
LIVE_PREFIX = "/__workbook/"


class LiveState:
    """What the preview server tells open pages: a build number and the last build's errors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version = 0
        """Bumped after every successful build: pages reload when it changes."""
        self.errors = ""
        """The last build's errors (empty when it succeeded): shown on top of every page."""

    def built(self) -> None:
        """Record a successful build."""
        with self._lock:
            self.version += 1
            self.errors = ""

    def failed(self, errors: str) -> None:
        """Record a failed build; the previous site stays served."""
        with self._lock:
            self.errors = errors

    def to_json(self) -> bytes:
        """Return the state as the version endpoint sends it."""
        with self._lock:
            return json.dumps({"version": self.version, "errors": self.errors}).encode()


def make_server(out: Path, host: str = "127.0.0.1", port: int = 8000,
                live: LiveState | None = None) -> http.server.ThreadingHTTPServer:
    """Return a server for the site in `out` (not started); with `live`, in preview mode."""
    handler = functools.partial(SiteRequestHandler, directory=str(out), live=live)
    try:
        return _Server((host, port), handler)
    except OSError as e:
        raise BuildError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None


def serve(out: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the built site in `out` until Ctrl-C, printing its URL."""
    out = Path(out)
    if not (out / "index.html").is_file():
        raise BuildError(f"{out} is not a built site (no index.html): build it first")
    with make_server(out, host, port) as httpd:
        print(f"Serving {display_path(out)} at http://{host}:{httpd.server_address[1]}/ (Ctrl-C to stop)",
              flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("\nstopped", flush=True)


class _Server(http.server.ThreadingHTTPServer):
    """A threading server that stays quiet when a browser drops a connection (a page reloading)."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types JupyterLite and Pyodide need; quiet log."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".ipynb": "application/json",
        ".whl": "application/octet-stream",
        ".zip": "application/zip",
        ".svg": "image/svg+xml",
        ".css": "text/css",
        ".html": "text/html",
        ".webmanifest": "application/manifest+json",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
    }

    def __init__(self, *args, live: LiveState | None = None, **kwargs):
        self.live = live
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 - name of the base class
        if self.live is None:
            return super().do_GET()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == LIVE_PREFIX + "version":
            return self._send(self.live.to_json(), "application/json")
        if path == LIVE_PREFIX + "live-reload.js":
            return self._send(LIVE_SCRIPT.read_bytes(), "text/javascript")
        version = self.live.version  # before reading the page: a newer page then reloads once more
        if not Path(self.directory, "index.html").is_file():  # no build has succeeded yet
            return self._send(_waiting_page(self.live.errors, version), "text/html; charset=utf-8")
        page = Path(self.translate_path(path))
        if page.is_dir() and path.endswith("/"):
            page = page / "index.html"
        if page.suffix == ".html" and page.is_file():
            return self._send(_with_live_script(page.read_bytes(), version), "text/html; charset=utf-8")
        return super().do_GET()

    def end_headers(self):
        if self.live is not None:
            # a preview is rebuilt under the browser's feet: revalidate everything (304s stay cheap)
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if os.environ.get("WORKBOOK_SERVE_LOG"):
            super().log_message(format, *args)


def _with_live_script(page: bytes, version: int) -> bytes:
    """Return the HTML page with the live-reload script (told the build `version`) first in its head."""
    tag = f'<script type="module" src="{LIVE_PREFIX}live-reload.js?v={version}"></script>'.encode()
    head = page.find(b"<head>")
    if head < 0:
        return tag + page
    return page[: head + 6] + tag + page[head + 6:]


def _waiting_page(errors: str, version: int) -> bytes:
    """Return the page shown while no build has succeeded yet."""
    body = (f"<pre>{html.escape(errors)}</pre>" if errors else "<p>Building the site…</p>")
    return _with_live_script(
        f"<!doctype html><html><head><meta charset='utf-8'><title>Building…</title></head>"
        f"<body><h1>No site yet</h1>{body}</body></html>".encode(), version
    )
