"""The site's pieces for the student: the kernel start-up hook, names shared with the landing page,
and the Notebook UI additions, checked without a full site build."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from workbook import progress
from workbook.build.model import CHECKED_KINDS, CODE_KINDS, KINDS
from workbook.build.errors import BuildError
from workbook.build.site import lite
from workbook.build.site.versions import PRELOAD, RUNTIME_FILES
from workbook.build.site.wheel import build_wheel

ASSETS = Path(lite.__file__).with_name("assets")


def test_the_kernel_runs_the_workbook_start_up_file_from_the_preloaded_wheel(tmp_path):
    lite._write_lite_config(tmp_path, "A course")
    config = json.loads((tmp_path / "jupyter-lite.json").read_text())["jupyter-config-data"]
    options = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]
    assert "workbook" in options["packages"]
    startup = options["env"]["PYTHONSTARTUP"]
    site_packages = re.fullmatch(r"/lib/python3\.\d+/site-packages/(.+)", startup)
    assert site_packages, startup
    wheel = build_wheel(tmp_path / "wheel", {})
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read(site_packages.group(1)).decode()
    assert "start_kernel" in source
    assert config["exposeAppInBrowser"] is True
    assert set(lite.HIDDEN_PLUGINS) <= set(config["disabledExtensions"])


def test_the_start_up_file_puts_submit_in_place_and_leaves_no_name_behind():
    import builtins

    namespace: dict = {}
    source = (Path(progress.__file__).with_name("_startup.py")).read_text()
    try:
        exec(compile(source, "_startup.py", "exec"), namespace)
        assert builtins.submit.__module__ == "workbook.submit"
        assert [k for k in namespace if not k.startswith("__")] == []
    finally:
        for name in ("submit", "reset"):
            if hasattr(builtins, name):
                delattr(builtins, name)


def test_the_site_manifest_carries_the_names_javascript_shares_with_python(tmp_path):
    compiled = tmp_path / "compiled"
    (compiled / "notebooks").mkdir(parents=True)
    (compiled / "notebooks" / "s.ipynb").write_text(json.dumps({"metadata": {}, "cells": []}))
    site = lite._stage_contents(compiled, {"sets": [{"id": "s"}]}, tmp_path / "contents")
    assert site["storage"] == {"progress_db_prefix": progress.DB_PREFIX, "progress_store": progress.STORE,
                               "channel": progress.CHANNEL}
    assert site["kinds"]["order"] == list(KINDS)
    assert set(site["kinds"]["checked"]) == set(CHECKED_KINDS)
    assert set(site["kinds"]["numpy"]) == set(CODE_KINDS)
    assert site["kinds"]["labels"]["challenge"] == ["challenge", "challenges"]
    landing = (ASSETS / "landing.js").read_text()
    for literal in (progress.DB_PREFIX, f'"{progress.STORE}"', f'"{progress.CHANNEL}"', '"challenges"'):
        assert literal not in landing, f"{literal} is written again in landing.js"


def test_only_the_storage_module_knows_jupyterlites_database():
    users = [p.name for p in ASSETS.glob("*.js") if "JupyterLite Storage" in p.read_text()]
    assert users == ["jupyterlite-storage.js"]
    assert "0.8.6" in (ASSETS / "jupyterlite-storage.js").read_text()


def test_the_notebook_ui_is_loaded_by_the_notebook_page(tmp_path):
    page = tmp_path / "notebooks" / "index.html"
    page.parent.mkdir()
    page.write_text("<html><head><title>x</title></head><body></body></html>")
    (tmp_path / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": {"appVersion": "9.9.9"}}))
    static = tmp_path / "static" / "pyodide"
    static.mkdir(parents=True)
    packages = {name: {"file_name": f"{name}-1-py3-none-any.whl", "depends": []} for name in PRELOAD}
    packages["ipython"]["depends"] = ["extra-dep"]
    packages["extra-dep"] = {"file_name": "extra_dep-1-py3-none-any.whl", "depends": []}
    packages["numpy"] = {"file_name": "numpy-1-cp314-wasm32.whl", "depends": []}  # not preloaded
    (static / "pyodide-lock.json").write_text(json.dumps({"packages": packages}))
    for name in (*RUNTIME_FILES, *(spec["file_name"] for spec in packages.values())):
        (static / name).write_bytes(b"x")
    lite._install_notebook_ui(tmp_path)
    html = page.read_text()
    assert html.index('src="../notebook-ui.js"') < html.index("</head>")
    assert all((tmp_path / name).is_file() for name in lite.NOTEBOOK_UI)
    data = json.loads(re.search(r'<script id="workbook-page-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["appVersion"] == "9.9.9"
    files = {f.removeprefix("static/pyodide/") for f in data["kernelFiles"]}
    assert "extra_dep-1-py3-none-any.whl" in files and "numpy-1-cp314-wasm32.whl" not in files
    assert {*RUNTIME_FILES, "pyodide-lock.json"} <= files
    (static / "extra_dep-1-py3-none-any.whl").unlink()
    page.write_text("<html><head><title>x</title></head><body></body></html>")
    with pytest.raises(BuildError, match="start-up files are not all there"):
        lite._install_notebook_ui(tmp_path)
