"""Turn the compiled notebooks into a static JupyterLite site, and serve it.

`build_site(compiled, out)` takes the staging dir written by the compiler (manifest.json,
notebooks/<id>.ipynb, answers/<id>.json) and writes a complete static site into `out`:

- JupyterLite (jupyterlite-core 0.8.6) with the Notebook UI (`notebooks/`, plus `tree/` the
  Notebook file browser) and the Pyodide kernel (jupyterlite-pyodide-kernel 0.8.6);
- the Pyodide runtime vendored under `static/pyodide/` from the npm package `pyodide@314.0.6`, with
  the pure-Python packages the kernel loads at start (micropip, ipython, jedi and their
  dependencies) vendored beside it and the lock's sha256 fixed to the files shipped; every other
  package of the lock (numpy...) stays pinned to the official CDN of the same Pyodide version by an
  absolute `file_name`. `pyodide_dist` (a full Pyodide distribution: folder, `.tar.bz2` file or
  URL) vendors that distribution's start-up packages and numpy instead, so numpy needs no network;
- the `workbook` package of this very source tree as a pure-Python wheel, with each set's answers
  as package data (`workbook/_answers/<id>.json`), added to the Pyodide lock (a cell importing
  `workbook` would load it) and preloaded: the kernel's own wheels (ipykernel shim, piplite,
  pyodide-kernel) and comm are added to the lock too, and `loadPyodideOptions.packages` loads all
  of them in parallel while Pyodide starts, instead of the kernel's one-by-one micropip/piplite
  installs (about 2 s faster here); nothing is ever asked of PyPI (`disablePyPIFallback`);
- the modules a kernel imports as it starts, shipped as bytecode (`bytecode.py`);
- a landing page (`index.html`, from `assets/`) listing the sets and the learner's progress;
- one service worker for JupyterLite and the offline copy of the site (`offline.py`).

Downloads (npm pack, pip download, a Pyodide release) are cached under `~/.cache/workbook-site`
(or `$WORKBOOK_SITE_CACHE`) so repeated builds need no network at all.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..config import DEFAULT_DESCRIPTION, DEFAULT_TITLE
from ..errors import BuildError
from .downloads import _pip_download, cache_dir
from .landing import _install_landing_page, site_size
from .bytecode import precompiled
from .offline import _install_offline
from .lite import _prune, _read_manifest, _run_lite_build, _stage_contents, _write_lite_config
from .pyodide import _FullDistribution, _kernel_extension_wheels, _NpmRuntime, _stage_pyodide
from .server import SiteRequestHandler, serve
from .versions import PIPLITE_PACKAGES
from .wheel import build_wheel

__all__ = ["build_site", "build_wheel", "cache_dir", "serve", "site_size", "SiteRequestHandler"]


def build_site(compiled: Path, out: Path, *, pyodide_dist: str | None = None,
               title: str = DEFAULT_TITLE, description: str = DEFAULT_DESCRIPTION) -> None:
    """Build the static site for the staging dir `compiled` into `out` (empty or absent).

    `title` and `description` name the course on the landing page and in JupyterLite.

    Raises BuildError with a one-paragraph message on any failure.
    """
    compiled, out = Path(compiled), Path(out)
    try:
        # 1. Everything the site is made of, read, checked and downloaded before anything is written.
        manifest = _read_manifest(compiled)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise BuildError(f"the site output {out} must be an empty folder or not exist yet")
        answers = {s["id"]: compiled / "answers" / f"{s['id']}.json" for s in manifest["sets"]}
        cache = cache_dir()
        runtime = _FullDistribution(pyodide_dist, cache) if pyodide_dist else _NpmRuntime(cache)
        vendored = runtime.package_files(cache)
        piplite = _pip_download(list(PIPLITE_PACKAGES), cache)
        kernel_wheels = _kernel_extension_wheels()
        stdlib = runtime.runtime_file("python_stdlib.zip")
        shipped = precompiled(stdlib, [*vendored.values(), *kernel_wheels, *piplite], cache)
        with tempfile.TemporaryDirectory(prefix="workbook-lite-") as tmp:
            # 2. The lite dir: Pyodide with the workbook wheel in its lock, the piplite index (for
            # `%pip install` of what depends on comm), the notebooks, the configuration.
            lite = Path(tmp) / "lite"
            wheel = build_wheel(Path(tmp) / "wheel", answers)
            _stage_pyodide(lite / "static" / "pyodide", runtime, wheel, cache,
                           extra=[*kernel_wheels, *piplite], vendored=vendored, shipped=shipped)
            (lite / "pypi").mkdir()
            for w in piplite:
                shutil.copy2(w, lite / "pypi" / w.name)
            site_manifest = _stage_contents(compiled, manifest, lite / "contents")
            _write_lite_config(lite, title)
            # 3. JupyterLite builds the apps; then what it does not know of: the landing page.
            _run_lite_build(lite, out)
            _install_landing_page(out, site_manifest, title, description)
            _prune(out)
            _install_offline(out)
    except OSError as e:
        raise BuildError(f"could not build the site: {e}") from None
