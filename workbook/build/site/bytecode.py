"""Bytecode for the modules a kernel imports as it starts, compiled once at build time.

Pyodide's npm runtime ships the standard library as source (`python_stdlib.zip`) and the start-up
wheels from PyPI are source too, so each page load compiled the ~730 modules that starting IPython
imports, seconds of every kernel start. The build compiles exactly those modules (found by starting
them in the same Pyodide, under Node) and ships them as bytecode (`assets/bytecode.py` says how);
the rest stays source. Pinned inputs give the same output, so the result is cached: the first build
on a machine pays a few seconds, later ones nothing. Without Node the site ships source, and says so.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import BuildError
from .downloads import _run
from .versions import PYODIDE_VERSION

ASSETS = Path(__file__).with_name("assets")
STARTUP_IMPORTS = ("micropip", "piplite", "IPython", "jedi", "comm", "pyodide_kernel")
"""What the kernel imports before a first cell runs (jupyterlite-pyodide-kernel 0.8.6's worker
imports pyodide_kernel, which starts IPython; micropip and piplite are imported as it sets up)."""


def precompiled(stdlib: Path, wheels: list[Path], cache: Path) -> dict[Path, Path]:
    """{archive: its compiled copy} for the runtime's stdlib zip (beside its pyodide.mjs, which
    does the compiling) and the pure-Python `wheels` that hold a
    start-up module; {} (with a warning: the site still works, its kernel starts slower) when Node
    is missing or the compilation fails."""
    node = shutil.which("node")
    if not node:
        _warn("Node.js not found")
        return {}
    inputs = [stdlib, *(w for w in wheels if w.name.endswith("-none-any.whl"))]
    key = hashlib.sha256()
    for part in (PYODIDE_VERSION, *STARTUP_IMPORTS, (ASSETS / "bytecode.py").read_text(encoding="utf-8"),
                 (ASSETS / "bytecode.mjs").read_text(encoding="utf-8")):
        key.update(part.encode() + b"\0")
    for path in inputs:
        key.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    out = cache / "bytecode" / key.hexdigest()[:16]
    if not (out / "report.json").is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".compile-", dir=out.parent))
        try:
            job = {"pyodide": str(stdlib.parent), "out": str(tmp), "stdlib": str(stdlib),
                   "wheels": [str(w) for w in inputs[1:]], "imports": list(STARTUP_IMPORTS)}
            (tmp / "job.json").write_text(json.dumps(job), encoding="utf-8")
            _run([node, str(ASSETS / "bytecode.mjs"), str(tmp / "job.json")], "node bytecode.mjs")
            (tmp / "job.json").unlink()
            if out.exists():
                shutil.rmtree(out)
            tmp.rename(out)
        except BuildError as e:
            _warn(str(e).splitlines()[-1])
            return {}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {path: out / path.name for path in inputs if report.get(path.name)}


def _warn(why: str) -> None:
    print(f"warning: the kernel's start-up modules ship as source, not bytecode ({why}): each kernel "
          "start compiles them, about 3 s more here; install Node.js 18 or later to precompile them",
          file=sys.stderr)
