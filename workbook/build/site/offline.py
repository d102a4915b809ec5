"""The site's offline copy: one service worker for JupyterLite and us, versioned by the build.

`assets/sw.js` replaces JupyterLite's `service-worker.js` (JupyterLite registers that exact name at
the site root and unregisters workers it does not know, so a second worker would fight it); the
build writes into it the build id (a hash of every other file of the site: byte-identical builds
give the same id, any change gives a new one, which is how browsers notice a deploy), the files an
offline copy needs, and the shell the worker must fetch whole before it takes over.
`assets/offline.js` is the landing page's part (registration, warm-up, status).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from ..errors import BuildError
from .versions import PYODIDE_CDN

ASSETS = Path(__file__).with_name("assets")
WORKER = "service-worker.js"
SHELL = ("index.html", "landing.css", "landing.js", "offline.js", "manifest.json", "favicon.ico",
         "jupyter-lite.json")
"""What the landing page needs: fetched whole when a build's worker installs."""
FIRST = ("notebooks/", "config-utils.js", "bootstrap.js", "notebook-ui.", "jupyterlite-storage.js",
         "extensions/", "static/pyodide/", "build/jlab_core", "build/notebooks/", "build/", "api/contents/all.json",
         "api/translations/", "static/favicons/")
"""Where the offline list starts, in this order: what opening a notebook asks for, the app's shell
and the kernel's runtime before the app's other bundles (build/), then the data of every set: a
copy stopped early (the learner opened a notebook) has fetched what that notebook needs most."""
SKIP = (WORKER, "package.json", "jupyterlite.schema.v0.json", ".nojekyll", "manifest.webmanifest",
        "icon-120x120.png", "icon-512x512.png", "build/service-worker.js")
SKIP_PREFIXES = ("rspack.config", "doc/", "pypi/")
"""Build leftovers and what a notebook session never asks for: not part of the offline copy."""


def _install_offline(out: Path) -> str:
    """Write the service worker and the landing page's offline script into the site `out`; add
    the build id to its manifest.json; return the build id."""
    for name in ("sw.js", "offline.js"):
        if not (ASSETS / name).is_file():
            raise BuildError(f"site asset missing: {ASSETS / name}")
    shutil.copy2(ASSETS / "offline.js", out / "offline.js")
    paths = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    digests = {path: _digest(out / path) for path in paths if path != WORKER}
    files = _offline_files(digests)
    build = _build_id(digests)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["build"] = build
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    # manifest.json changed: its hash too (the other files are final)
    files["manifest.json"] = _digest(manifest_path)
    worker = (ASSETS / "sw.js").read_text(encoding="utf-8")
    for placeholder, value in (
        ("__WORKBOOK_BUILD__", build),
        ("__WORKBOOK_FILES__", json.dumps(files, indent=0)),
        ("__WORKBOOK_SHELL__", json.dumps(list(SHELL))),
        ("__WORKBOOK_CDN__", PYODIDE_CDN),
    ):
        if placeholder not in worker:
            raise BuildError(f"{ASSETS / 'sw.js'}: placeholder {placeholder} missing")
        worker = worker.replace(placeholder, value)
    (out / WORKER).write_text(worker, encoding="utf-8")
    return build


def _digest(path: Path) -> str:
    """What the worker checks a copied file against: the first 8 bytes of its sha256, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _offline_files(digests: dict[str, str]) -> dict[str, str]:
    """Site-relative path -> digest of each file of an offline copy (from `digests`, every file of
    the site): the landing page's first, then what a first check needs, then the rest (the order
    the worker copies them in)."""
    paths = [p for p in digests if p not in SKIP and not p.startswith(SKIP_PREFIXES)]

    def rank(path: str) -> tuple[int, int]:
        if path in SHELL:
            return 0, SHELL.index(path)
        for i, prefix in enumerate(FIRST):
            if path == prefix or path.startswith(prefix):
                return 1, i
        return 2, 0

    return {path: digests[path] for path in sorted(paths, key=rank)}


def _build_id(digests: dict[str, str]) -> str:
    """A hash of every file of the site but the worker (which it is written into)."""
    digest = hashlib.sha256()
    for path in sorted(digests):
        digest.update(path.encode() + b"\0" + digests[path].encode())
    return digest.hexdigest()[:12]
