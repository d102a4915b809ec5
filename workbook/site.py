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
- a landing page (`index.html`, from `site_assets/`) listing the sets and the learner's progress.

Downloads (npm pack, pip download, a Pyodide release) are cached under `~/.cache/workbook-site`
(or `$WORKBOOK_SITE_CACHE`) so repeated builds need no network at all.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from .errors import BuildError

PYODIDE_VERSION = "314.0.6"
"""The Pyodide version jupyterlite-pyodide-kernel 0.8.6 expects."""
PYODIDE_PYTHON = "3.14"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
"""Where the lock's packages that are not vendored are loaded from (absolute `file_name`)."""
KERNEL_PACKAGES = ("micropip", "ipython", "jedi")
"""Lock packages the kernel loads at start; vendored with their dependencies."""
DIST_PACKAGES = (*KERNEL_PACKAGES, "numpy")
"""Lock packages vendored from a full distribution (`pyodide_dist`)."""
PIPLITE_PACKAGES = ("comm==0.2.3",)
"""Kernel start-up packages that are not in Pyodide's lock (pinned; from PyPI): added to the
site's lock and to its piplite index."""
KERNEL_EXTENSION_WHEELS = ("ipykernel", "piplite", "pyodide-kernel")
"""The kernel's own wheels, shipped inside its labextension (static/pypi)."""
PRELOAD = ("micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython", "workbook")
"""Lock packages loaded in parallel while Pyodide starts (`loadPyodideOptions.packages`): the kernel
then skips its one-by-one micropip/piplite installs, and `workbook` is ready for the first cell."""
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
"""The Pyodide runtime proper (the lock is written separately)."""
APPS = ("notebooks", "tree")
"""JupyterLite apps shipped: the Notebook UI and its file browser (its logo links there)."""
AUTOSAVE_SECONDS = 2
"""Notebook autosave interval: edits reach browser storage within this, so a reload loses nothing."""
WHEEL_EXCLUDE = ("site.py", "cli.py")
"""Modules of the package the kernel never needs (kept out of the wheel)."""
ASSETS = Path(__file__).with_name("site_assets")


# ---------------------------------------------------------------------------------------------
# public API


def build_site(compiled: Path, out: Path, *, pyodide_dist: str | None = None) -> None:
    """Build the static site for the staging dir `compiled` into `out` (empty or absent).

    Raises BuildError with a one-paragraph message on any failure.
    """
    compiled, out = Path(compiled), Path(out)
    manifest = _read_manifest(compiled)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BuildError(f"the site output {out} must be an empty folder or not exist yet")
    cache = cache_dir()
    try:
        with tempfile.TemporaryDirectory(prefix="workbook-lite-") as tmp:
            lite = Path(tmp) / "lite"
            lite.mkdir()
            if pyodide_dist:
                runtime = _FullDistribution(pyodide_dist, cache)
            else:
                runtime = _NpmRuntime(cache)
            piplite = _pip_download(list(PIPLITE_PACKAGES), cache)
            answers = {s["id"]: compiled / "answers" / f"{s['id']}.json" for s in manifest["sets"]}
            wheel = build_wheel(Path(tmp) / "wheel", answers)
            static = lite / "static" / "pyodide"
            _stage_pyodide(static, runtime, wheel, cache, extra=[*_kernel_extension_wheels(), *piplite])
            (lite / "pypi").mkdir()
            for w in piplite:  # also in the piplite index, for `%pip install` of dependents
                shutil.copy2(w, lite / "pypi" / w.name)
            site_manifest = _stage_contents(compiled, manifest, lite / "contents")
            _write_lite_config(lite)
            _run_lite_build(lite, out)
            _install_landing_page(out, site_manifest)
            _prune(out)
    except BuildError:
        raise
    except OSError as e:
        raise BuildError(f"could not build the site: {e}") from None


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


def cache_dir() -> Path:
    """Where downloads are cached between builds."""
    root = os.environ.get("WORKBOOK_SITE_CACHE") or Path.home() / ".cache" / "workbook-site"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------
# the workbook wheel


def package_version() -> str:
    """The version of the `workbook` package (pyproject.toml's, else 0.1.0)."""
    pyproject = Path(__file__).absolute().parent.parent / "pyproject.toml"
    try:
        m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"))
        if m:
            return m.group(1)
    except OSError:
        pass
    return "0.1.0"


def build_wheel(dest: Path, answers: dict[str, Path]) -> Path:
    """Write a pure-Python wheel of the `workbook` package of this source tree into `dest`.

    `answers` maps set id -> answers JSON file, packaged as `workbook/_answers/<id>.json`. The
    version carries a hash of the contents (`0.1.0+g1234abcd`) so a redeployed site never meets
    a stale cached wheel. Reproducible: same inputs, same bytes.
    """
    pkg = Path(__file__).absolute().parent
    files: dict[str, bytes] = {}
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg)
        if "__pycache__" in rel.parts or rel.parts[0] in ("site_assets", "_answers"):
            continue
        if len(rel.parts) == 1 and rel.name in WHEEL_EXCLUDE:
            continue
        files[f"workbook/{rel.as_posix()}"] = path.read_bytes()
    if "workbook/__init__.py" not in files:
        raise BuildError(f"{pkg} has no __init__.py: cannot package workbook")
    for set_id, path in sorted(answers.items()):
        try:
            data = path.read_bytes()
            json.loads(data)
        except OSError:
            raise BuildError(f"answers for set {set_id!r} missing: {path}") from None
        except ValueError as e:
            raise BuildError(f"answers for set {set_id!r} are not valid JSON ({path}): {e}") from None
        files[f"workbook/_answers/{set_id}.json"] = data
    files["workbook/_answers/__init__.py"] = b""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    version = f"{package_version()}+g{digest.hexdigest()[:10]}"
    dist_info = f"workbook-{version}.dist-info"
    files[f"{dist_info}/METADATA"] = (
        "Metadata-Version: 2.1\nName: workbook\n"
        f"Version: {version}\nSummary: DL Foundations Workbook grading (browser build)\n"
        "Requires-Python: >=3.11\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: workbook.site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    files[f"{dist_info}/top_level.txt"] = b"workbook\n"
    record = []
    for name, data in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={h},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / f"workbook-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return wheel


# ---------------------------------------------------------------------------------------------
# Pyodide: runtime, lock, vendored packages


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(packages: dict, roots) -> list[str]:
    """Names (lock keys) of `roots` and everything they depend on in the lock."""
    keys = {_norm(k): k for k in packages}
    seen: dict[str, str] = {}
    stack = list(roots)
    while stack:
        n = _norm(stack.pop())
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
        by_name = {}
        for w in wheels:
            by_name[_norm(w.name.split("-")[0])] = w
        out = {}
        for k in self.vendor:
            w = by_name.get(_norm(pk[k]["name"]))
            if w is None:
                raise BuildError(f"pip download gave no wheel for {pk[k]['name']}")
            out[k] = w
        return out


class _FullDistribution:
    """A full Pyodide distribution: a folder, a .tar.bz2 file, or a URL of either."""

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


def _stage_pyodide(dest: Path, runtime, wheel: Path | None, cache: Path, extra: list[Path] = ()) -> None:
    """Write runtime, vendored wheels, the workbook wheel and the patched lock into `dest`.

    `extra`: pure-Python wheels that are not in Pyodide's lock (the kernel's own, comm), added to
    it so that they can be preloaded."""
    dest.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(runtime.runtime_file(name), dest / name)
    lock = copy.deepcopy(runtime.lock)
    packages = lock["packages"]
    vendored = runtime.package_files(cache)
    for key, spec in packages.items():
        if key in vendored:
            src = vendored[key]
            shutil.copy2(src, dest / src.name)
            spec["file_name"] = src.name
            spec["sha256"] = _sha256(src)
        elif not re.match(r"^https?://", spec["file_name"]):
            # not shipped: the official CDN of the same version, original sha256
            spec["file_name"] = PYODIDE_CDN + spec["file_name"]
    for extra_wheel in extra:
        _add_wheel_to_lock(dest, packages, extra_wheel)
    if wheel is not None:
        _add_wheel_to_lock(dest, packages, wheel)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, separators=(",", ":")), encoding="utf-8")


def _add_wheel_to_lock(dest: Path, packages: dict, wheel: Path) -> None:
    """Ship a pure-Python wheel and list it in the lock under its normalised name, with its
    top-level modules as `imports`: a cell importing one of them loads it."""
    shutil.copy2(wheel, dest / wheel.name)
    dist, version = wheel.name.split("-")[:2]
    name = _norm(dist)
    with zipfile.ZipFile(wheel) as zf:
        tops = sorted({
            n.split("/")[0].removesuffix(".py")
            for n in zf.namelist()
            if not n.split("/")[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)
        })
    packages[name] = {
        "name": name,
        "version": version,
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

    roots = [Path(sys.prefix) / "share" / "jupyter", *map(Path, jupyter_core.paths.jupyter_path())]
    for root in roots:
        pypi = root / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static" / "pypi"
        found = {}
        for whl in pypi.glob("*.whl"):
            name = _norm(whl.name.split("-")[0])
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


# ---------------------------------------------------------------------------------------------
# downloads (cached)


def _run(cmd: list[str], what: str, cwd: Path | None = None, env=None) -> str:
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BuildError(f"{what}: command not found: {cmd[0]}") from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise BuildError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def _npm_package(spec: str, cache: Path) -> Path:
    """Unpack the npm package `spec` (name@version) into the cache; return its folder."""
    name, version = spec.rsplit("@", 1)
    target = cache / "npm" / f"{name}-{version}"
    if (target / "package.json").is_file():
        return target
    tgz_dir = cache / "npm"
    tgz_dir.mkdir(parents=True, exist_ok=True)
    tgz = tgz_dir / f"{name}-{version}.tgz"
    if not tgz.is_file():
        npm = shutil.which("npm")
        if not npm:
            raise BuildError(
                f"npm is needed once to download {spec} (into {tgz_dir}); install Node.js/npm, "
                "or pass --pyodide-dist with a Pyodide distribution"
            )
        _run([npm, "pack", "--silent", spec, "--pack-destination", str(tgz_dir)], f"npm pack {spec}")
        if not tgz.is_file():
            raise BuildError(f"npm pack {spec} did not produce {tgz}")
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=tgz_dir))
    try:
        with tarfile.open(tgz) as tf:
            _safe_extract(tf, tmp)
        if target.exists():
            shutil.rmtree(target)
        (tmp / "package").rename(target)
    except (tarfile.TarError, OSError) as e:
        raise BuildError(f"cannot unpack {tgz}: {e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _safe_extract(tf: tarfile.TarFile, dest: Path) -> None:
    try:
        tf.extractall(dest, filter="data")
    except TypeError:  # Python without extraction filters
        tf.extractall(dest)  # noqa: S202 - trusted registry archives


def _pip_download(specs: list[str], cache: Path) -> list[Path]:
    """Pure-Python wheels for `specs` (name==version or name) for Python 3.14, cached."""
    wheels_dir = cache / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)

    def find(spec: str) -> Path | None:
        name, _, version = spec.partition("==")
        stem = re.sub(r"[-_.]+", "_", name).lower()
        candidates = [
            w
            for w in wheels_dir.glob("*.whl")
            if re.sub(r"[-_.]+", "_", w.name.split("-")[0]).lower() == stem
            and (not version or w.name.split("-")[1] == version)
        ]
        return sorted(candidates)[-1] if candidates else None

    missing = [s for s in specs if find(s) is None]
    if missing:
        _run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--only-binary=:all:", "--python-version", PYODIDE_PYTHON,
                "--platform", "any", "--implementation", "py", "--abi", "none",
                "-d", str(wheels_dir), *missing,
            ],
            f"pip download {' '.join(missing)}",
        )
    found = []
    for spec in specs:
        w = find(spec)
        if w is None:
            raise BuildError(f"pip download did not give a pure-Python wheel for {spec}")
        found.append(w)
    return found


def _download(url: str, dest_dir: Path, name: str | None = None) -> Path:
    """Download `url` into `dest_dir` once (cached); return the file."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = name or urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1])
    dest = dest_dir / name
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as f:
            shutil.copyfileobj(resp, f, 1 << 20)
        tmp.rename(dest)
    except (OSError, ValueError) as e:
        tmp.unlink(missing_ok=True)
        raise BuildError(f"cannot download {url}: {e}") from None
    return dest


def _extract_dist(archive: Path, cache: Path) -> Path:
    """Unpack a Pyodide release tarball into the cache; return the folder with the lock."""
    st = archive.stat()
    key = hashlib.sha256(f"{archive.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache / "dist" / key
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        try:
            with tarfile.open(archive) as tf:
                _safe_extract(tf, target)
        except (tarfile.TarError, OSError) as e:
            shutil.rmtree(target, ignore_errors=True)
            raise BuildError(f"cannot unpack the Pyodide distribution {archive}: {e}") from None
        (target / ".complete").write_text("ok")
    for lock in sorted(target.rglob("pyodide-lock.json"), key=lambda p: len(p.parts)):
        return lock.parent
    raise BuildError(f"{archive}: no pyodide-lock.json inside; is it a Pyodide distribution?")


# ---------------------------------------------------------------------------------------------
# contents, config, lite build, landing page


def _read_manifest(compiled: Path) -> dict:
    path = compiled / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(f"{compiled} is not a compiled workbook (no manifest.json)") from None
    except (OSError, ValueError) as e:
        raise BuildError(f"cannot read {path}: {e}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sets"), list):
        raise BuildError(f"{path}: expected an object with a 'sets' list")
    for s in manifest["sets"]:
        if not isinstance(s, dict) or "id" not in s:
            raise BuildError(f"{path}: every set needs an 'id'")
        nb = compiled / "notebooks" / s.get("notebook", f"{s['id']}.ipynb")
        if not nb.is_file():
            raise BuildError(f"{path}: notebook of set {s['id']!r} missing: {nb}")
    return manifest


def _stage_contents(compiled: Path, manifest: dict, contents: Path) -> dict:
    """Copy the notebooks (stamped with set id and version) into `contents`; return the site
    manifest (the compiled one plus each set's `version`)."""
    contents.mkdir(parents=True)
    site = copy.deepcopy(manifest)
    for s in site["sets"]:
        name = s.get("notebook") or f"{s['id']}.ipynb"
        s["notebook"] = name
        raw = (compiled / "notebooks" / name).read_bytes()
        try:
            nb = json.loads(raw)
        except ValueError as e:
            raise BuildError(f"notebook {name} is not valid JSON: {e}") from None
        version = hashlib.sha256(raw).hexdigest()[:12]
        meta = nb.setdefault("metadata", {})
        wb = meta.get("workbook") if isinstance(meta.get("workbook"), dict) else {}
        wb.update({"set_id": s["id"], "version": version})
        meta["workbook"] = wb
        meta.setdefault(
            "kernelspec", {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
        )
        s["version"] = version
        (contents / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return site


def _write_lite_config(lite: Path) -> None:
    kernel_settings = {
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": list(PRELOAD)},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "DL Foundations Workbook",
            "appUrl": "./notebooks",
            "faviconUrl": "./notebooks/favicon.ico",
            "defaultKernelName": "python",
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": kernel_settings,
            },
            # nothing but the Notebook UI and the Pyodide kernel
            "disabledExtensions": [
                "@jupyterlite/javascript-kernel-extension",
                "@jupyterlab/help-extension:about",
                "@jupyterlite/application-extension:announcements",
                "@jupyterlab/apputils-extension:announcements",
                "@jupyter-notebook/application-extension:announcements",
            ],
        },
    }
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    overrides = {
        "@jupyterlab/docmanager-extension:plugin": {
            "autosave": True,
            "autosaveInterval": AUTOSAVE_SECONDS,
        },
        "@jupyterlab/apputils-extension:notification": {
            "checkForUpdates": False,
            "fetchNews": "false",
        },
        "@jupyterlab/notebook-extension:tracker": {"recordTiming": False},
        # the site ships no JupyterLab app: hide View > Open JupyterLab
        "@jupyterlab/mainmenu-extension:plugin": {
            "menus": [
                {"id": "jp-mainmenu-view", "items": [{"command": "application:open-lab", "disabled": True}]}
            ]
        },
    }
    (lite / "overrides.json").write_text(json.dumps(overrides, indent=2), encoding="utf-8")
    build_config = {
        "LiteBuildConfig": {
            "apps": list(APPS),
            "contents": ["contents"],
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
        }
    }
    (lite / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=2), encoding="utf-8")


def _run_lite_build(lite: Path, out: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERLITE_")}
    env["JUPYTER_CONFIG_DIR"] = str(lite / ".jupyter")  # no user config leaks in
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError as e:
        raise BuildError(
            f"cannot build the site: {e.name} is not installed "
            "(pip install jupyterlite-core==0.8.6 jupyterlite-pyodide-kernel==0.8.6 jupyter_server)"
        ) from None
    _run(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite), "--output-dir", str(out)],
        "jupyter lite build",
        cwd=lite,
        env=env,
    )
    if not (out / "notebooks" / "index.html").is_file():
        raise BuildError(f"jupyter lite build produced no Notebook UI in {out}")


def _install_landing_page(out: Path, site_manifest: dict) -> None:
    for name in ("index.html", "landing.css", "landing.js"):
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


def _prune(out: Path) -> None:
    """Drop what the site does not use: source maps, the doit db, build reports."""
    for path in list(out.rglob("*.map")):
        path.unlink()
    for name in ("SHA256SUMS", ".jupyterlite.doit.db"):
        p = out / name
        if p.exists():
            p.unlink()


def site_size(out: Path) -> tuple[int, int]:
    """(bytes, files) of the built site."""
    total = count = 0
    for p in Path(out).rglob("*"):
        if p.is_file():
            total += p.stat().st_size
            count += 1
    return total, count
