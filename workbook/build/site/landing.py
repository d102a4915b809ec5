"""The landing page: the list of sets and the learner's progress, beside the JupyterLite apps."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

from ..errors import BuildError

ASSETS = Path(__file__).with_name("assets")


def _install_landing_page(out: Path, site_manifest: dict, title: str, description: str) -> None:
    """Write the landing page named for the course, its assets and the site manifest into `out`."""
    for name in ("index.html", "landing.css", "landing.js", "jupyterlite-storage.js"):
        if not (ASSETS / name).is_file():
            raise BuildError(f"site asset missing: {ASSETS / name}")
    for name in ("landing.css", "landing.js", "jupyterlite-storage.js"):
        shutil.copy2(ASSETS / name, out / name)
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    for placeholder, value in (("{{ title }}", title), ("{{ description }}", description)):
        page = page.replace(placeholder, html.escape(value))
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / ".nojekyll").write_text("")  # served as is, also when published from a branch
    favicon = out / "notebooks" / "favicon.ico"
    if favicon.is_file():  # browsers ask for /favicon.ico whatever the page says
        shutil.copy2(favicon, out / "favicon.ico")
    write_site_manifest(out, site_manifest)


def write_site_manifest(out: Path, site_manifest: dict) -> None:
    """Write the landing page's list of sets; replaced whole, so a reader never sees half of it."""
    new = out / ".manifest.json.new"
    new.write_text(json.dumps(site_manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(new, out / "manifest.json")


def site_size(out: Path) -> tuple[int, int]:
    """(bytes, files) of the built site."""
    total = count = 0
    for p in Path(out).rglob("*"):
        if p.is_file():
            total += p.stat().st_size
            count += 1
    return total, count
