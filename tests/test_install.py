"""`pip install` of this project into a fresh venv gives a `workbook` command a new course can live with:
`init`, `check`, `build` with the defaults, and `serve --watch` showing an edit in the browser.

The venv has no access to the packages of the one running the tests: pip installs the project and
its dependencies (from pip's cache when it is warm: about 15 s here). The browser part drives
Debian's Chromium with Playwright, like tests/browser, and prints the edit-to-visible time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from browser.helpers import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01-first-steps.ipynb"


def _run(*cmd, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `workbook` command of a fresh venv with this project pip-installed (not editable)."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # setuptools builds in the source folder (build/, *.egg-info): install from a copy of the tree
    source = venv.parent / "source"
    top = {".git", ".venv", "_build", "_site", "build", "instructor-key", ".hypothesis", ".pytest_cache"}
    shutil.copytree(ROOT, source, ignore=lambda folder, names: [
        n for n in names if n.endswith(".egg-info") or n == "__pycache__" or (Path(folder) == ROOT and n in top)])
    started = time.perf_counter()
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", str(source), cwd=venv)
    print(f"\npip install of the project into a fresh venv: {time.perf_counter() - started:.1f} s")
    return venv / "bin" / "workbook"


@pytest.fixture(scope="module")
def course(installed, tmp_path_factory) -> Path:
    """A course made by `workbook init`, checked and built with the defaults."""
    home = tmp_path_factory.mktemp("courses")
    _run(installed, "init", "signals", cwd=home)
    course = home / "signals"
    assert _run(installed, "check", cwd=course).stdout.strip() == "1 problem set, 6 problems: all valid"
    _run(installed, "build", cwd=course)
    return course


def test_the_installed_command_builds_the_new_course_with_the_defaults(course):
    site = course / "_build" / "site"
    assert (site / "notebooks" / "index.html").is_file()
    assert (site / "files" / NOTEBOOK).is_file()
    assert "<h1>Signals</h1>" in (site / "index.html").read_text()
    config = json.loads((site / "jupyter-lite.json").read_text())
    assert config["jupyter-config-data"]["appName"] == "Signals"
    key = course / "_build" / "instructor-key"
    assert (key / "01-first-steps.json").is_file() and not (site / "instructor-key").exists()
    for leftover in ("package.json", "rspack.config.js", "jupyter-lite.ipynb", "notebooks/package.json"):
        assert not (site / leftover).exists(), leftover


def test_the_browser_wheel_has_no_dependencies(course):
    """The command's dependencies are real ones; the wheel the site ships installs in Pyodide alone."""
    wheels = list((course / "_build" / "site" / "static" / "pyodide").glob("workbook-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as zf:
        metadata = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        assert not any(n.startswith("workbook/build/") for n in zf.namelist())
    assert re.search(r"^Name: workbook$", metadata, re.M)
    assert "Requires-Dist" not in metadata


def test_guide_is_installed_with_the_command(installed, tmp_path):
    out = _run(installed, "guide", cwd=tmp_path).stdout
    assert out.startswith("# Writing problem sets: the authoring guide")
    assert ":check: tanh_backward" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _version(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__workbook/version", timeout=5) as r:
            return json.loads(r.read())
    except OSError:
        return {}


STORED_JS = """async (path) => {
  const db = await new Promise((resolve) => {
    const req = indexedDB.open('JupyterLite Storage - /');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
  });
  if (!db || !db.objectStoreNames.contains('files')) return null;
  const file = await new Promise((resolve) => {
    const req = db.transaction('files').objectStore('files').get(path);
    req.onsuccess = () => resolve(req.result || null);
    req.onerror = () => resolve(null);
  });
  db.close();
  return file && JSON.stringify(file.content);
}"""


def _preview_in_chromium(port: int, source: Path, original: str) -> None:
    """Open the notebook, let the browser store its copy, then save two edits of the Markdown."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/notebooks/index.html?path={NOTEBOOK}")
        prose = page.locator(".jp-RenderedMarkdown")
        prose.filter(has_text="Why can an output centred").first.wait_for(timeout=120_000)

        # a learner-style edit, autosaved: from now on the browser holds its own copy
        cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text="def tanh_backward").first
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("\n# my note")
        deadline = time.monotonic() + 30
        while "# my note" not in (page.evaluate(STORED_JS, NOTEBOOK) or ""):
            assert time.monotonic() < deadline, "the notebook was never autosaved to browser storage"
            page.wait_for_timeout(200)

        started = time.perf_counter()
        source.write_text(original.replace("Why can an output centred", "Why might an output centred"))
        prose.filter(has_text="Why might an output centred").first.wait_for(timeout=120_000)
        print(f"\nserve --watch: edit saved to new prompt visible in the open notebook: "
              f"{time.perf_counter() - started:.1f} s")
        assert prose.filter(has_text="Why can an output centred").count() == 0
        assert _version(port) == {"version": 2, "errors": ""}

        # a slip: the page keeps the last good build and shows the error
        source.write_text(original.replace(":kind: debug", ":kind: debugg"))
        banner = page.locator("#workbook-build-errors")
        banner.wait_for(timeout=120_000)
        assert re.search(r"content/01-first-steps\.md:\d+: problem 'D1': unknown kind 'debugg'",
                         banner.inner_text())
        assert prose.filter(has_text="Why might an output centred").count() > 0
        browser.close()


def _record(failure: list, fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as e:  # noqa: BLE001 - handed to the test's own thread
        failure.append(e)


def test_serve_watch_shows_an_edit_in_the_open_notebook(installed, course):
    """An edit to the Markdown reaches the open notebook, even over the browser's stored copy."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium)", pytrace=False)
    source = course / "content" / "01-first-steps.md"
    original = source.read_text()
    port = _free_port()
    proc = subprocess.Popen([str(installed), "serve", "--watch", "--port", str(port)], cwd=course,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while _version(port).get("version") != 1:
            assert time.monotonic() < deadline and proc.poll() is None, "serve --watch never built"
            time.sleep(0.2)
        # tests/browser keeps a session-wide Playwright running on this thread's event loop, and a
        # second sync Playwright cannot start on it: this one gets a thread (and a loop) of its own
        failure: list[BaseException] = []
        worker = threading.Thread(target=lambda: _record(failure, _preview_in_chromium, port, source, original))
        worker.start()
        worker.join()
        if failure:
            raise failure[0]
    finally:
        source.write_text(original)
        proc.terminate()
        proc.communicate(timeout=30)
