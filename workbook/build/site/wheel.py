"""The browser part of the `workbook` package as a pure-Python wheel, answers included."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from pathlib import Path

from ..errors import BuildError

PACKAGE = Path(__file__).absolute().parents[2]
"""The `workbook` package folder of this source tree."""
BUILD_ONLY = ("build", "_answers")
"""Folders of the package left out of the wheel: the build-time code (which cannot even import in
Pyodide) and the answers of a local build (the wheel gets the site's own)."""


def package_version() -> str:
    """The version of the `workbook` package (pyproject.toml's, else 0.1.0)."""
    pyproject = PACKAGE.parent / "pyproject.toml"
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
    pkg = PACKAGE
    files: dict[str, bytes] = {}
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg)
        if "__pycache__" in rel.parts or rel.parts[0] in BUILD_ONLY:
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
        f"Version: {version}\nSummary: Workbook grading (browser build)\n"
        "Requires-Python: >=3.11\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: workbook.build.site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
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
