"""Downloads the build needs (npm pack, pip download, a Pyodide release), cached between builds."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from ..errors import BuildError
from .versions import PYODIDE_PYTHON


def cache_dir() -> Path:
    """Where downloads are cached between builds."""
    root = os.environ.get("WORKBOOK_SITE_CACHE") or Path.home() / ".cache" / "workbook-site"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        req = Requirement(spec)
        candidates = []
        for w in wheels_dir.glob("*.whl"):
            name, version, _, _ = parse_wheel_filename(w.name)
            if name == canonicalize_name(req.name) and req.specifier.contains(version, prereleases=True):
                candidates.append((version, w))
        return max(candidates)[1] if candidates else None

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
