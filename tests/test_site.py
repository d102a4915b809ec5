"""The static site build (workbook.build.site), without a browser: layout, Pyodide lock, wheel, server.

Two sites are built from tests/fixtures/sample: the default one, and one with a (fake) full Pyodide
distribution; the forms a distribution may take (folder, tarball, URLs) are resolved without a site
build. About 15 s with a warm download cache in ~/.cache/workbook-site; the first build ever needs
npm and PyPI.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import zipfile
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from workbook import progress
from workbook.build.errors import BuildError
from workbook.build.site import SiteRequestHandler, build_site, build_wheel, cache_dir, site_size
from workbook.build.site.downloads import _pip_download
from workbook.build.site.pyodide import _closure, _FullDistribution, _NpmRuntime
from workbook.build.site.versions import (
    APPS, DIST_PACKAGES, PIPLITE_PACKAGES, PRELOAD, PYODIDE_CDN, RUNTIME_FILES,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample"
SET_ID = "01-sample"


def compile_notebooks(content: Path, out: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--notebooks-only", "--content", str(content),
         "--output", str(out), "--key", str(out.parent / "key")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    return compile_notebooks(SAMPLE, tmp_path_factory.mktemp("compiled") / "out")


@pytest.fixture(scope="module")
def site(compiled, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(compiled, out)
    return out


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def lock_of(site: Path) -> dict:
    return read_json(site / "static" / "pyodide" / "pyodide-lock.json")


# ----------------------------------------------------------------------------------------------
# the wheel


def test_wheel_holds_the_package_and_the_answers(compiled, tmp_path):
    wheel = build_wheel(tmp_path, {SET_ID: compiled / "answers" / f"{SET_ID}.json"})
    assert re.fullmatch(r"workbook-\d+\.\d+\.\d+\+g[0-9a-f]{10}-py3-none-any\.whl", wheel.name)
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("workbook/__init__.py", "workbook/submit.py", "workbook/progress.py",
                     "workbook/grading/__init__.py", f"workbook/_answers/{SET_ID}.json"):
        assert required in names
    assert not any(n.startswith("workbook/build/") for n in names), "build-time code in the wheel"
    assert not any("__pycache__" in n for n in names)
    dist_info = {n.split("/")[0] for n in names if ".dist-info/" in n}
    assert len(dist_info) == 1
    record = zipfile.ZipFile(wheel).read(f"{dist_info.pop()}/RECORD").decode()
    assert len(record.strip().splitlines()) == len(names)


def test_wheel_is_reproducible(compiled, tmp_path):
    answers = {SET_ID: compiled / "answers" / f"{SET_ID}.json"}
    a = build_wheel(tmp_path / "a", answers)
    b = build_wheel(tmp_path / "b", answers)
    assert a.name == b.name and a.read_bytes() == b.read_bytes()


def test_the_wheel_alone_grades_a_set(compiled, tmp_path):
    """Installed from the wheel only (as in the browser), load_set finds the packaged answers."""
    wheel = build_wheel(tmp_path, {SET_ID: compiled / "answers" / f"{SET_ID}.json"})
    code = (
        "import workbook, json\n"
        "assert '.whl' in workbook.__file__, workbook.__file__\n"
        f"s = workbook.load_set({SET_ID!r})\n"
        "print(json.dumps([s.submit('C1', 0.25).passed, s.submit('C1', 0.3).passed]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBOOK_ANSWERS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(wheel)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [True, False]


# ----------------------------------------------------------------------------------------------
# the site


def test_landing_page_replaces_jupyterlite_index(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="wb-sets"' in html and 'src="landing.js"' in html
    # the apps read the root's config block from this page
    assert 'id="jupyter-config-data"' in html and 'data-jupyter-lite-root="."' in html
    assert "config-utils.js" not in html  # it would redirect to an app
    for asset in ("landing.js", "landing.css"):
        assert (site / asset).is_file()


def test_site_manifest_carries_versions(site, compiled):
    manifest = read_json(site / "manifest.json")
    source = read_json(compiled / "manifest.json")
    assert [s["id"] for s in manifest["sets"]] == [s["id"] for s in source["sets"]]
    for s in manifest["sets"]:
        assert re.fullmatch(r"[0-9a-f]{12}", s["version"])
        nb = read_json(site / "files" / s["notebook"])
        assert nb["metadata"]["workbook"]["version"] == s["version"]
        assert nb["metadata"]["workbook"]["set_id"] == s["id"]


def test_only_the_notebook_apps_and_no_source_maps(site):
    for app in APPS:
        assert (site / app / "index.html").is_file()
    for unused in ("lab", "repl", "edit", "consoles"):
        assert not (site / unused).exists(), unused
    assert not list(site.rglob("*.map"))


def test_kernel_settings(site):
    config = read_json(site / "jupyter-lite.json")["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert config["settingsOverrides"]["@jupyterlab/docmanager-extension:plugin"]["autosaveInterval"] <= 5
    piplite = [p.name for p in (site / "pypi").glob("*.whl")]
    assert any(n.startswith("comm-") for n in piplite)


def test_pyodide_lock_vendors_start_up_packages_and_pins_the_rest(site):
    static = site / "static" / "pyodide"
    lock = lock_of(site)
    packages = lock["packages"]
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (static / name).is_file()
    vendored = {k for k, s in packages.items() if not s["file_name"].startswith("http")}
    assert {"micropip", "ipython", "jedi", "workbook"} <= vendored
    for key in vendored:
        path = static / packages[key]["file_name"]
        assert path.is_file(), key
        assert hashlib.sha256(path.read_bytes()).hexdigest() == packages[key]["sha256"], key
    numpy = packages["numpy"]
    assert numpy["file_name"] == PYODIDE_CDN + "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
    original = read_json(cache_dir() / "npm" / "pyodide-314.0.6" / "pyodide-lock.json")["packages"]
    assert numpy["sha256"] == original["numpy"]["sha256"]
    for key, spec in packages.items():
        if key not in vendored:
            assert spec["file_name"].startswith(PYODIDE_CDN), key
    assert packages["workbook"]["imports"] == ["workbook"]
    assert packages["workbook"]["depends"] == []


def test_start_up_modules_ship_as_bytecode_and_the_rest_as_source(site):
    """What a kernel imports as it starts is compiled (sourceless .pyc, its wheel's RECORD to
    match); modules it does not import, and the workbook wheel, stay source."""
    static = site / "static" / "pyodide"
    original = cache_dir() / "npm" / "pyodide-314.0.6" / "python_stdlib.zip"
    with zipfile.ZipFile(static / "python_stdlib.zip") as zf, zipfile.ZipFile(original) as of:
        names, before = set(zf.namelist()), set(of.namelist())
    assert "json/decoder.py" in before
    assert {"json/__init__.pyc", "json/decoder.pyc"} <= names and "json/decoder.py" not in names
    assert "smtplib.py" in names and "smtplib.pyc" not in names
    assert {n.removesuffix("c") for n in names} == before  # nothing lost, nothing added
    wheel = next(static.glob("ipython-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        record = zf.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        body = zf.read("IPython/core/interactiveshell.pyc")
    assert "IPython/core/interactiveshell.py" not in names
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    assert f"IPython/core/interactiveshell.pyc,sha256={digest},{len(body)}" in record.splitlines()
    ours = zipfile.ZipFile(static / lock_of(site)["packages"]["workbook"]["file_name"])
    assert not [n for n in ours.namelist() if n.endswith(".pyc")]


def test_the_notebook_page_lists_the_kernels_start_up_files(site):
    """notebooks/index.html names, for notebook-ui.js, JupyterLite's version and what a kernel
    fetches as it starts (runtime, lock, the wheels of the preloaded packages and their
    dependencies), all shipped."""
    html = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(
        r'<script id="workbook-page-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["appVersion"] == read_json(site / "jupyter-lite.json")["jupyter-config-data"]["appVersion"]
    listed = data["kernelFiles"]
    packages = lock_of(site)["packages"]
    wheels = {packages[k]["file_name"] for k in _closure(packages, PRELOAD)}
    assert {"comm", "ipython", "jedi", "micropip", "workbook"} <= set(_closure(packages, PRELOAD))
    assert set(listed) == {f"static/pyodide/{n}" for n in (*RUNTIME_FILES, "pyodide-lock.json", *wheels)}
    assert all((site / path).is_file() for path in listed)
    assert html.index('id="workbook-page-data"') < html.index("notebook-ui.js")


def test_the_service_worker_lists_this_build(site):
    """service-worker.js is ours, filled in: the build id of manifest.json, and every file of the
    offline copy with the digest the worker checks it against, the kernel's runtime before the
    app's other bundles."""
    worker = (site / "service-worker.js").read_text(encoding="utf-8")
    assert "__WORKBOOK_" not in worker
    build = read_json(site / "manifest.json")["build"]
    assert re.fullmatch(r"[0-9a-f]{12}", build) and f'const BUILD = "{build}";' in worker
    files = json.loads(re.search(r"^const FILES = (\{.*?^\});$", worker, re.S | re.M).group(1))
    for path, digest in files.items():
        assert hashlib.sha256((site / path).read_bytes()).hexdigest()[:16] == digest, path
    order = list(files)
    assert order[0] == "index.html"
    assert {"notebooks/index.html", "static/pyodide/pyodide.asm.wasm", "api/contents/all.json"} <= set(files)
    assert not [p for p in files if p.startswith(("pypi/", "doc/")) or p == "service-worker.js"]
    first_bundle = min(i for i, p in enumerate(order) if p.startswith("build/"))
    assert order.index("static/pyodide/pyodide.asm.wasm") < first_bundle
    subprocess.run(["node", "--check", str(site / "service-worker.js")], check=True)


BUILD_TIME_IMPORTS = ("workbook.build", "markdown_it", "mdit_py_plugins", "nbformat", "yaml", "jupyterlite_core",
                      "jupyterlite_pyodide_kernel", "jupyter_server")
"""Modules only the build has: none may be shipped to, or imported in, the browser."""


def test_the_wheel_in_the_site_holds_only_browser_modules(site):
    """The wheel the site ships (the one its lock names) has no build-time module and imports none."""
    static = site / "static" / "pyodide"
    wheel = zipfile.ZipFile(static / lock_of(site)["packages"]["workbook"]["file_name"])
    modules = [n for n in wheel.namelist() if n.endswith(".py")]
    source = {f"workbook/{p.relative_to(ROOT / 'workbook').as_posix()}" for p in (ROOT / "workbook").rglob("*.py")
              if "__pycache__" not in p.parts}
    browser = {n for n in source if not n.startswith(("workbook/build/", "workbook/_answers/"))}
    assert set(modules) - {"workbook/_answers/__init__.py"} == browser
    for name in modules:
        package = name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        if not name.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        for node in ast.walk(ast.parse(wheel.read(name), name)):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                targets = [".".join([*base, node.module or ""]).strip(".")]
                targets += [f"{targets[0]}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                assert not target.startswith(BUILD_TIME_IMPORTS), f"{name}:{node.lineno} imports {target}"


def test_no_other_host_is_configured(site):
    """Nothing but the pinned Pyodide CDN appears in the site's configuration and landing page."""
    for path in [*site.rglob("jupyter-lite.json"), site / "index.html", site / "landing.js",
                 site / "landing.css", site / "manifest.json"]:
        text = path.read_text(encoding="utf-8")
        urls = re.findall(r"https?://[^\s\"')]+", text)
        assert not urls, (path, urls)


def test_site_is_small(site):
    size, files = site_size(site)
    assert size < 60 * 2**20, f"site is {size / 2**20:.1f} MB"
    assert files < 800


def test_build_errors_are_messages(tmp_path, compiled):
    with pytest.raises(BuildError, match="no manifest.json"):
        build_site(tmp_path / "nothing", tmp_path / "out")
    with pytest.raises(BuildError, match="no such file or folder"):
        build_site(compiled, tmp_path / "out2", pyodide_dist=str(tmp_path / "missing-pyodide"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(BuildError, match="must be an empty folder"):
        build_site(compiled, busy)
    broken = tmp_path / "broken"
    shutil.copytree(compiled, broken)
    (broken / "notebooks" / f"{SET_ID}.ipynb").write_text("{not json")
    with pytest.raises(BuildError, match="not valid JSON"):
        build_site(broken, tmp_path / "out3")


def _fake_distribution(root: Path) -> Path:
    """A stand-in for a full Pyodide release: the npm runtime and lock, and a file for every
    package the site vendors from a distribution (numpy included)."""
    runtime = _NpmRuntime(cache_dir())
    dist = root / "pyodide"
    dist.mkdir(parents=True)
    for name in (*RUNTIME_FILES, "pyodide-lock.json"):
        (dist / name).write_bytes((runtime.dir / name).read_bytes())
    for key in _closure(runtime.lock["packages"], DIST_PACKAGES):
        (dist / runtime.lock["packages"][key]["file_name"]).write_bytes(f"fake {key}".encode())
    return dist


def _serve_folder(folder: Path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteRequestHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A cache of its own (a real Pyodide release may sit in the real one), sharing npm and wheels."""
    real = cache_dir()
    _NpmRuntime(real)
    _pip_download(list(PIPLITE_PACKAGES), real)
    isolated = tmp_path / "cache"
    isolated.mkdir()
    for sub in ("npm", "wheels"):
        (isolated / sub).symlink_to(real / sub, target_is_directory=True)
    monkeypatch.setenv("WORKBOOK_SITE_CACHE", str(isolated))
    return isolated


@pytest.fixture(scope="module")
def distribution(tmp_path_factory) -> Path:
    """A fake full distribution (folder `dist/pyodide`) and its release tarball beside `dist`."""
    root = tmp_path_factory.mktemp("distribution")
    dist = _fake_distribution(root / "dist")
    with tarfile.open(root / "pyodide-314.0.6.tar.bz2", "w:bz2") as tf:
        tf.add(dist, arcname="pyodide")
    return dist


@pytest.mark.parametrize("form", ["folder", "folder-above", "tarball", "url-folder", "url-tarball"])
def test_a_full_distribution_is_found_in_every_form(form, distribution, isolated_cache):
    root = distribution.parents[1]
    httpd, url = _serve_folder(root)
    try:
        spec = {"folder": str(distribution), "folder-above": str(distribution.parent),
                "tarball": str(root / "pyodide-314.0.6.tar.bz2"), "url-folder": f"{url}dist/pyodide/",
                "url-tarball": f"{url}pyodide-314.0.6.tar.bz2"}[form]
        runtime = _FullDistribution(spec, isolated_cache)
        files = runtime.package_files(isolated_cache)
        runtime_bytes = {name: runtime.runtime_file(name).read_bytes() for name in runtime.runtime_files}
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert runtime.lock == read_json(distribution / "pyodide-lock.json")
    assert sorted(files) == _closure(runtime.lock["packages"], DIST_PACKAGES)
    assert files["numpy"].read_bytes() == b"fake numpy"
    assert runtime_bytes == {name: (distribution / name).read_bytes() for name in RUNTIME_FILES}


def test_a_full_distribution_with_a_file_missing_is_refused(tmp_path, isolated_cache):
    dist = _fake_distribution(tmp_path / "dist")
    (dist / "pyodide.asm.wasm").unlink()
    runtime = _FullDistribution(str(dist), isolated_cache)
    with pytest.raises(BuildError, match="pyodide.asm.wasm is missing from the distribution"):
        runtime.runtime_file("pyodide.asm.wasm")


def test_a_site_with_a_full_distribution_vendors_numpy(compiled, distribution, tmp_path, isolated_cache):
    out = tmp_path / "site"
    build_site(compiled, out, pyodide_dist=str(distribution))
    packages = lock_of(out)["packages"]
    numpy = packages["numpy"]
    assert not numpy["file_name"].startswith("http")
    assert (out / "static" / "pyodide" / numpy["file_name"]).read_bytes() == b"fake numpy"
    assert numpy["sha256"] == hashlib.sha256(b"fake numpy").hexdigest()
    assert packages["scipy"]["file_name"].startswith(PYODIDE_CDN)  # not vendored: pinned CDN


def test_a_distribution_of_another_pyodide_version_is_refused(compiled, tmp_path):
    dist = _fake_distribution(tmp_path / "dist")
    mjs = dist / "pyodide.mjs"
    mjs.write_text(mjs.read_text(encoding="utf-8").replace('"314.0.6"', '"314.1.0"'), encoding="utf-8")
    with pytest.raises(BuildError, match="this is Pyodide 314.1.0; .* needs Pyodide 314.0.6"):
        build_site(compiled, tmp_path / "site", pyodide_dist=str(dist))


# ----------------------------------------------------------------------------------------------
# serving


def test_server_mime_types(site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteRequestHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        expect = {
            "/static/pyodide/pyodide.asm.wasm": "application/wasm",
            "/static/pyodide/pyodide.mjs": "text/javascript",
            "/manifest.json": "application/json",
            "/index.html": "text/html",
            "/landing.css": "text/css",
        }
        for path, mime in expect.items():
            conn = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=10)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200, path
            assert resp.getheader("Content-Type").split(";")[0] == mime, path
            conn.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_serve_prints_the_url_and_stops_on_ctrl_c(site):
    # a background job of a shell starts with SIGINT ignored, which a terminal's Ctrl-C never meets
    proc = subprocess.Popen(
        [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
         f"from workbook.build.site import serve; serve({str(site)!r}, port=0)"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_refuses_a_folder_without_a_site(tmp_path):
    from workbook.build.site import serve

    with pytest.raises(BuildError, match="not a built site"):
        serve(tmp_path)


# ----------------------------------------------------------------------------------------------
# progress (the browser side is covered by tests/browser)


class Weird:
    @property
    def passed(self):
        raise RuntimeError("boom")

    def __str__(self):
        raise RuntimeError("boom")


@pytest.mark.parametrize("result", [None, object(), Weird(), "text"])
def test_progress_record_is_a_silent_no_op_outside_the_browser(result):
    assert progress.record("set", "P1", result) is None
    assert not progress.in_browser()
