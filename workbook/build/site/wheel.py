"""The browser part of the `workbook` package as a pure-Python wheel, answers included."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import tomllib
import zipfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ..errors import BuildError

PACKAGE = Path(__file__).absolute().parents[2]
"""The `workbook` package folder of this source tree."""
BUILD_ONLY = ("build", "_answers")
"""Folders of the package left out of the wheel: the build-time code (which cannot even import in
Pyodide) and the answers of a local build (the wheel gets the site's own)."""


def package_version() -> str:
    """The version of the `workbook` package being packaged.

    The source tree's pyproject.toml first: it is what is being packaged, and an editable install's
    metadata keeps the version of the day it was installed. Else the installed distribution's."""
    try:
        with open(PACKAGE.parent / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    # the distribution's name is not the import name (markdown-workbook installs `workbook`)
    for dist in importlib.metadata.packages_distributions().get("workbook", []):
        return importlib.metadata.version(dist)
    raise BuildError(f"cannot tell the version of the workbook package in {PACKAGE}: no pyproject.toml "
                     "beside it and not installed")


def build_wheel(dest: Path, answers: dict[str, Path]) -> Path:
    """Write a pure-Python wheel of the `workbook` package of this source tree into `dest`.

    `answers` maps set id -> answers JSON file, packaged as `workbook/_answers/<id>.json`. The
    version carries a hash of the contents (`0.1.0+g1234abcd`) so a redeployed site never meets
    a stale cached wheel. Reproducible: same inputs, same bytes.

    Written here rather than by `pip wheel` / setuptools: those package the whole `workbook`
    (build included) with the editable install's answers, stamp times into the archive, and run a
    build backend in an isolated environment that may ask an index; a pure-Python wheel is a zip
    with three metadata files.
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
    base = package_version()
    try:
        version = str(Version(f"{base}+g{digest.hexdigest()[:10]}"))
    except InvalidVersion:
        raise BuildError(f"the workbook package's version {base!r} is not a PEP 440 version") from None
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
