"""Serve a built site on 127.0.0.1 with the MIME types JupyterLite and Pyodide need."""

from __future__ import annotations

import functools
import http.server
import os
from pathlib import Path

from ..errors import BuildError


def serve(out: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the built site in `out` until Ctrl-C, printing its URL."""
    out = Path(out)
    if not (out / "index.html").is_file():
        raise BuildError(f"{out} is not a built site (no index.html): build it first")
    handler = functools.partial(SiteRequestHandler, directory=str(out))
    try:
        httpd = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise BuildError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None
    with httpd:
        print(f"Serving {out} at http://{host}:{httpd.server_address[1]}/ (Ctrl-C to stop)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("\nstopped", flush=True)


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

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if os.environ.get("WORKBOOK_SERVE_LOG"):
            super().log_message(format, *args)
