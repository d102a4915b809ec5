"""The landing page: the list of sets and the learner's progress, beside the JupyterLite apps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..errors import BuildError

ASSETS = Path(__file__).with_name("assets")


def _install_landing_page(out: Path, site_manifest: dict) -> None:
    for name in ("index.html", "landing.css", "landing.js", "jupyterlite-storage.js"):
        src = ASSETS / name
        if not src.is_file():
            raise BuildError(f"site asset missing: {src}")
        shutil.copy2(src, out / name)
    (out / ".nojekyll").write_text("")  # served as is, also when published from a branch
    favicon = out / "notebooks" / "favicon.ico"
    if favicon.is_file():  # browsers ask for /favicon.ico whatever the page says
        shutil.copy2(favicon, out / "favicon.ico")
    (out / "manifest.json").write_text(
        json.dumps(site_manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )


def site_size(out: Path) -> tuple[int, int]:
    """(bytes, files) of the built site."""
    total = count = 0
    for p in Path(out).rglob("*"):
        if p.is_file():
            total += p.stat().st_size
            count += 1
    return total, count
