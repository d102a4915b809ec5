"""Pyodide for the site: the runtime, the vendored start-up packages and the patched lock.

Staged into the lite dir's `static/pyodide/`, the kernel's well-known path: its PyodideAddon copies
it into the site and points `pyodideUrl` at it. The addon's own `pyodide_url` (`jupyter lite build
--pyodide`) is not used: it copies a release tarball as it is, where the site needs the lock changed
(start-up wheels vendored with the sha256 of the files shipped, the rest pinned to the CDN, the
workbook wheel added) and also starts from the npm runtime, which is no release tarball.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename

from ..errors import BuildError
from .downloads import _download, _extract_dist, _npm_package, _pip_download
from .versions import (
    DIST_PACKAGES,
    KERNEL_EXTENSION_WHEELS,
    KERNEL_PACKAGES,
    PYODIDE_CDN,
    PYODIDE_PYTHON,
    PYODIDE_VERSION,
    RUNTIME_FILES,
)


def _closure(packages: dict, roots) -> list[str]:
    """Names (lock keys) of `roots` and everything they depend on in the lock."""
    keys = {canonicalize_name(k): k for k in packages}
    seen: dict[str, str] = {}
    stack = list(roots)
    while stack:
        n = canonicalize_name(stack.pop())
        if n in seen:
            continue
        if n not in keys:
            raise BuildError(f"package {n!r} is not in the Pyodide {PYODIDE_VERSION} lock")
        seen[n] = keys[n]
        stack.extend(packages[keys[n]].get("depends", []))
    return sorted(seen.values())


def _check_lock(lock: dict, where: str) -> None:
    info = lock.get("info", {})
    if "packages" not in lock:
        raise BuildError(f"{where}: not a Pyodide lock file (no 'packages')")
    python = str(info.get("python", ""))
    if not python.startswith(PYODIDE_PYTHON + "."):
        raise BuildError(
            f"{where}: Pyodide for Python {python or '?'}; the kernel needs Pyodide "
            f"{PYODIDE_VERSION} (Python {PYODIDE_PYTHON})"
        )


class _NpmRuntime:
    """The runtime from the npm package; pure-Python start-up wheels from PyPI."""

    runtime_files = RUNTIME_FILES

    def __init__(self, cache: Path):
        self.dir = _npm_package(f"pyodide@{PYODIDE_VERSION}", cache)
        self.lock = json.loads((self.dir / "pyodide-lock.json").read_text(encoding="utf-8"))
        _check_lock(self.lock, f"npm pyodide@{PYODIDE_VERSION}")
        self.vendor = _closure(self.lock["packages"], KERNEL_PACKAGES)

    def runtime_file(self, name: str) -> Path:
        return self.dir / name

    def package_files(self, cache: Path) -> dict[str, Path]:
        """lock key -> wheel file to ship for each vendored package."""
        pk = self.lock["packages"]
        specs = [f"{pk[k]['name']}=={pk[k]['version']}" for k in self.vendor]
        wheels = _pip_download(specs, cache)
        by_name = {parse_wheel_filename(w.name)[0]: w for w in wheels}
        out = {}
        for k in self.vendor:
            w = by_name.get(canonicalize_name(pk[k]["name"]))
            if w is None:
                raise BuildError(f"pip download gave no wheel for {pk[k]['name']}")
            out[k] = w
        return out


class _FullDistribution:
    """A full Pyodide distribution: a folder, a .tar.bz2 file, or a URL of either."""

    runtime_files = RUNTIME_FILES

    def __init__(self, spec: str, cache: Path):
        self.spec = spec
        self.base_url = None
        if re.match(r"^https?://", spec):
            if spec.endswith((".tar.bz2", ".tar.gz", ".tgz")):
                archive = _download(spec, cache / "downloads")
                self.dir = _extract_dist(archive, cache)
            else:
                self.base_url = spec.rstrip("/") + "/"
                self.dir = cache / "dist-url" / hashlib.sha256(self.base_url.encode()).hexdigest()[:16]
                _download(self.base_url + "pyodide-lock.json", self.dir, name="pyodide-lock.json")
        else:
            path = Path(spec).expanduser()
            if path.is_dir():
                self.dir = path / "pyodide" if (path / "pyodide" / "pyodide-lock.json").exists() else path
            elif path.is_file():
                self.dir = _extract_dist(path, cache)
            else:
                raise BuildError(f"--pyodide-dist {spec}: no such file or folder")
        lock_path = self.dir / "pyodide-lock.json"
        if not lock_path.is_file():
            raise BuildError(f"--pyodide-dist {spec}: no pyodide-lock.json in {self.dir}")
        try:
            self.lock = json.loads(lock_path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise BuildError(f"--pyodide-dist {spec}: bad pyodide-lock.json: {e}") from None
        _check_lock(self.lock, f"--pyodide-dist {spec}")
        mjs = self._file("pyodide.mjs").read_text(encoding="utf-8", errors="replace")
        if f'"{PYODIDE_VERSION}"' not in mjs:
            found = re.search(r'="(\d+\.\d+\.\d+)"', mjs)
            raise BuildError(
                f"--pyodide-dist {spec}: this is Pyodide {found.group(1) if found else '(unknown version)'}; "
                f"the kernel (jupyterlite-pyodide-kernel 0.8.6) needs Pyodide {PYODIDE_VERSION}"
            )
        self.vendor = _closure(self.lock["packages"], DIST_PACKAGES)

    def _file(self, name: str) -> Path:
        path = self.dir / name
        if not path.exists() and self.base_url:
            _download(self.base_url + name, self.dir, name=name)
        if not path.exists():
            raise BuildError(f"--pyodide-dist {self.spec}: {name} is missing from the distribution")
        return path

    def runtime_file(self, name: str) -> Path:
        return self._file(name)

    def package_files(self, cache: Path) -> dict[str, Path]:
        return {k: self._file(self.lock["packages"][k]["file_name"]) for k in self.vendor}


def _stage_pyodide(dest: Path, runtime, wheel: Path | None, cache: Path, extra: list[Path] = (),
                   vendored: dict[str, Path] | None = None, shipped: dict[Path, Path] | None = None) -> None:
    """Write runtime, vendored wheels, the workbook wheel and the patched lock into `dest`.

    `extra`: pure-Python wheels that are not in Pyodide's lock (the kernel's own, comm), added to
    it so that they can be preloaded. `vendored`: `runtime.package_files(cache)`, if already in hand.
    `shipped`: files to ship in place of some of those (same name: their precompiled copies)."""
    shipped = shipped or {}
    dest.mkdir(parents=True)
    for name in runtime.runtime_files:
        src = runtime.runtime_file(name)
        shutil.copy2(shipped.get(src, src), dest / name)
    lock = copy.deepcopy(runtime.lock)
    packages = lock["packages"]
    if vendored is None:
        vendored = runtime.package_files(cache)
    for key, spec in packages.items():
        if key in vendored:
            src = shipped.get(vendored[key], vendored[key])
            shutil.copy2(src, dest / src.name)
            spec["file_name"] = src.name
            spec["sha256"] = _sha256(src)
        elif not re.match(r"^https?://", spec["file_name"]):
            # not shipped: the official CDN of the same version, original sha256
            spec["file_name"] = PYODIDE_CDN + spec["file_name"]
    for extra_wheel in extra:
        _add_wheel_to_lock(dest, packages, shipped.get(extra_wheel, extra_wheel))
    if wheel is not None:
        _add_wheel_to_lock(dest, packages, wheel)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, separators=(",", ":")), encoding="utf-8")


def _add_wheel_to_lock(dest: Path, packages: dict, wheel: Path) -> None:
    """Ship a pure-Python wheel and list it in the lock under its normalised name, with its
    top-level modules as `imports`: a cell importing one of them loads it.

    Our own code, not the kernel's PyodideLockAddon: that addon re-solves the whole lock with uv and
    pyodide-lock (neither installed; the solve asks an index) to add wheels, where the site adds a
    few pure-Python wheels with no dependencies outside the lock: one entry each."""
    shutil.copy2(wheel, dest / wheel.name)
    name, version, _, _ = parse_wheel_filename(wheel.name)
    with zipfile.ZipFile(wheel) as zf:
        tops = sorted({
            n.split("/")[0].removesuffix(".py")
            for n in zf.namelist()
            if not n.split("/")[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)
        })
    packages[name] = {
        "name": name,
        "version": str(version),
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": _sha256(wheel),
        "package_type": "package",
        "imports": tops,
        "depends": [],
        "unvendored_tests": False,
    }


def _kernel_extension_wheels() -> list[Path]:
    """The wheels the Pyodide kernel's labextension ships (ipykernel shim, piplite, pyodide-kernel)."""
    import jupyter_core.paths
    from jupyterlite_pyodide_kernel.constants import PYODIDE_KERNEL_NPM_NAME, PYPI_WHEELS
    from jupyterlite_pyodide_kernel.utils import list_wheels

    roots = [Path(sys.prefix) / "share" / "jupyter", *map(Path, jupyter_core.paths.jupyter_path())]
    for root in roots:
        pypi = root / "labextensions" / PYODIDE_KERNEL_NPM_NAME / "static" / PYPI_WHEELS
        found = {}
        for whl in list_wheels(pypi):
            name = parse_wheel_filename(whl.name)[0]
            if name in KERNEL_EXTENSION_WHEELS:
                found[name] = whl
        if len(found) == len(KERNEL_EXTENSION_WHEELS):
            return [found[n] for n in KERNEL_EXTENSION_WHEELS]
    raise BuildError(
        "cannot find the Pyodide kernel's wheels (ipykernel, piplite, pyodide-kernel): is "
        "jupyterlite-pyodide-kernel==0.8.6 installed in this Python?"
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
