"""The JupyterLite part: stage the notebooks, write its configuration, run `jupyter lite build`."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from ..errors import BuildError
from .downloads import _run
from .pyodide import _closure
from .versions import APPS, AUTOSAVE_SECONDS, PRELOAD, PYODIDE_PYTHON, RUNTIME_FILES

KERNEL_STARTUP = f"/lib/python{PYODIDE_PYTHON}/site-packages/workbook/_startup.py"
"""Where Pyodide installs the preloaded `workbook` wheel's start-up file. IPython runs $PYTHONSTARTUP
as its shell starts, before any cell, which puts `submit` and `reset` in place (workbook.submit)."""
NOTEBOOK_UI = ("notebook-ui.js", "notebook-ui.css")
"""Our additions to the Notebook UI (assets/), loaded by notebooks/index.html: the set's title in the
tab, the link back to the list of sets, clickable options for choice problems."""
HIDDEN_PLUGINS = (
    # "Last Checkpoint: 9 minutes ago" counts from the last manual checkpoint, while autosave keeps
    # the work every few seconds; "Not Trusted" concerns outputs a learner cannot act on here.
    "@jupyter-notebook/notebook-extension:checkpoints",
    "@jupyter-notebook/notebook-extension:trusted",
)


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
    site.update(_shared_names())
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


def _shared_names() -> dict:
    """Return the names the landing page (JavaScript) shares with the Python side, written once: the
    browser storage of progress (workbook.progress) and the problem kinds (model, notebook)."""
    from ... import progress
    from ..model import CHECKED_KINDS, CODE_KINDS, KINDS
    from ..notebook import KIND_LABELS

    return {
        "storage": {"progress_db_prefix": progress.DB_PREFIX, "progress_store": progress.STORE,
                    "channel": progress.CHANNEL},
        "kinds": {"order": list(KINDS), "checked": [k for k in KINDS if k in CHECKED_KINDS],
                  "numpy": [k for k in KINDS if k in CODE_KINDS],
                  "labels": {k: list(KIND_LABELS[k]) for k in KINDS}},
    }


def _write_lite_config(lite: Path, title: str) -> None:
    kernel_settings = {
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": list(PRELOAD), "env": {"PYTHONSTARTUP": KERNEL_STARTUP}},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": title,
            "appUrl": "./notebooks",
            "faviconUrl": "./notebooks/favicon.ico",
            "defaultKernelName": "python",
            "exposeAppInBrowser": True,  # window.jupyterapp, for notebook-ui.js
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
                *HIDDEN_PLUGINS,
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
    _install_notebook_ui(out)


def _install_notebook_ui(out: Path) -> None:
    """Copy notebook-ui.js/.css beside the landing page and load them from the Notebook UI's page,
    with what they need to know of the build: JupyterLite's version, the kernel's start-up files."""
    assets = Path(__file__).with_name("assets")
    for name in NOTEBOOK_UI:
        shutil.copy2(assets / name, out / name)
    page = out / "notebooks" / "index.html"
    html = page.read_text(encoding="utf-8")
    version = json.loads((out / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]["appVersion"]
    data = json.dumps({"appVersion": version, "kernelFiles": _kernel_files(out)}).replace("</", "<\\/")
    tags = ('<link rel="stylesheet" href="../notebook-ui.css">\n'
            f'    <script id="workbook-page-data" type="application/json">{data}</script>\n'
            '    <script type="module" src="../notebook-ui.js"></script>\n  </head>')
    if "</head>" not in html:
        raise BuildError(f"{page} has no </head>: cannot add the workbook's notebook UI")
    page.write_text(html.replace("</head>", tags, 1), encoding="utf-8")


def _kernel_files(out: Path) -> list[str]:
    """Site-relative paths of what a kernel fetches as it starts: the Pyodide runtime, its lock, and
    the wheels of the preloaded packages (notebook-ui.js fetches them while the app loads)."""
    static = out / "static" / "pyodide"
    packages = json.loads((static / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
    wheels = [packages[k]["file_name"] for k in _closure(packages, PRELOAD)]
    local = [name for name in (*RUNTIME_FILES, "pyodide-lock.json", *wheels) if (static / name).is_file()]
    if len(local) != len(RUNTIME_FILES) + 1 + len(wheels):
        raise BuildError(f"{static}: the kernel's start-up files are not all there")
    return [f"static/pyodide/{name}" for name in local]


def _prune(out: Path) -> None:
    """Drop what the site does not use: source maps, the doit db, build reports, and the app
    builds' leftovers (rspack configs, package.json, the empty jupyter-lite.ipynb config) at the
    root and in each app folder (the extensions' own package.json files are read: they stay)."""
    for path in list(out.rglob("*.map")):
        path.unlink()
    for folder in (out, *(out / app for app in APPS)):
        for path in [*folder.glob("rspack.config*.js"), folder / "package.json", folder / "jupyter-lite.ipynb"]:
            if path.is_file():
                path.unlink()
    for name in ("SHA256SUMS", ".jupyterlite.doit.db"):
        p = out / name
        if p.exists():
            p.unlink()
