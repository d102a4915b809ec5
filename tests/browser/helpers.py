"""Helpers of the browser tests: the built site, served on 127.0.0.1, driven in Debian's Chromium by Playwright.

The site is built once per session with the real CLI (`python build.py build`) from `content/`
when it holds problem sets, else from `tests/fixtures/sample`. It is served under a sub-path
(`/workbook/`, like a GitHub Pages project site) by `workbook.build.site.SiteRequestHandler`; the
served folder is a symlink so a test can "redeploy" a newer build at the same URL.

Chromium: `$WORKBOOK_CHROMIUM` or /usr/bin/chromium (`apt-get install chromium`); never
`playwright install`. A missing browser FAILS the tests, it does not skip them.
NumPy: `$WORKBOOK_PYODIDE_DIST` (a full Pyodide 314.0.6 distribution: folder, .tar.bz2 or URL) is
passed to the build as --pyodide-dist, and the NumPy test then runs a real check; without it the
test asserts the learner sees the clear "NumPy could not be loaded" sentence.
Screenshots of every step go to `$WORKBOOK_ARTIFACTS` (default tests/browser/artifacts/).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from workbook.build.site import SiteRequestHandler  # noqa: E402
from workbook.build.site.versions import PYODIDE_CDN  # noqa: E402
from workbook.progress import DB_PREFIX  # noqa: E402

CHROMIUM = os.environ.get("WORKBOOK_CHROMIUM", "/usr/bin/chromium")
PYODIDE_DIST = os.environ.get("WORKBOOK_PYODIDE_DIST") or None
ARTIFACTS = Path(os.environ.get("WORKBOOK_ARTIFACTS") or ROOT / "tests" / "browser" / "artifacts")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
MOUNT = "workbook"
"""The sub-path the site is served under."""
KERNEL_TIMEOUT_MS = 180_000
CELL_TIMEOUT_MS = 120_000


def content_dir() -> Path:
    """The real content if it has problem sets, else the sample fixture."""
    real = ROOT / "content"
    if real.is_dir() and any(p.name.lower() != "readme.md" for p in real.glob("*.md")):
        return real
    return ROOT / "tests" / "fixtures" / "sample"


def build(content: Path, output: Path) -> Path:
    """Run the real CLI build; return the site folder. The key goes beside it."""
    cmd = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
           "--output", str(output), "--key", str(output.parent / f"{output.name}-key")]
    if PYODIDE_DIST:
        cmd += ["--pyodide-dist", PYODIDE_DIST]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"site build failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return output


@dataclass
class Problem:
    id: str
    kind: str
    expected: object = None
    hints: int = 0
    explanation: bool = False
    solution: str | None = None


@dataclass
class Plan:
    """What the student-flow tests do, chosen from the built content."""

    set_id: str
    title: str
    notebook: str
    compute: Problem
    choice: Problem
    hinted: Problem
    code: Problem | None
    sets: list = field(default_factory=list)


def _scalar(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def choose_plan(site: Path, key_dir: Path) -> Plan:
    """Pick the first set (landing order) with a scalar compute problem, a choice problem, and a
    problem with a hint and a worked answer; prefer one that also has a NumPy code problem."""
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    candidates = []
    for s in manifest["sets"]:
        key = json.loads((key_dir / f"{s['id']}.json").read_text(encoding="utf-8"))
        probs = [Problem(p["id"], p["kind"], p.get("expected"), len(p.get("hints") or []),
                         bool(p.get("explanation")), p.get("solution")) for p in key["problems"]]
        compute = next((p for p in probs if p.kind == "compute" and _scalar(p.expected)), None)
        choice = next((p for p in probs if p.kind == "choice"), None)
        hinted = next((p for p in probs if p.hints and p.explanation), None)
        code = next((p for p in probs if p.kind in ("code", "debug") and p.solution
                     and "numpy" in p.solution), None)
        if compute and choice and hinted:
            candidates.append(Plan(s["id"], s["title"], s["notebook"], compute, choice, hinted, code,
                                   manifest["sets"]))
    if not candidates:
        pytest.fail("no problem set has a numeric compute problem, a choice problem and a hinted "
                    "problem with a worked answer: the browser tests need one", pytrace=False)
    return next((c for c in candidates if c.code), candidates[0])


class NoCacheHandler(SiteRequestHandler):
    """The site's handler, telling the browser to revalidate (tests redeploy at the same URL)."""

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class Server:
    """Serves `www/` on 127.0.0.1; `www/<MOUNT>` is a symlink to the current site build."""

    def __init__(self, www: Path):
        self.www = www
        handler = functools.partial(NoCacheHandler, directory=str(www))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base = f"{self.origin}/{MOUNT}/"

    def deploy(self, site: Path) -> None:
        link = self.www / MOUNT
        tmp = self.www / f".{MOUNT}.new"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(site.resolve(), target_is_directory=True)
        os.replace(tmp, link)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Requests:
    """Every request the pages and their workers made."""

    def __init__(self):
        self.urls: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def attach(self, context):
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("requestfailed", lambda r: self.failed.append((r.url, r.failure or "")))

    def foreign(self, allowed_cdn_files: set[str]) -> list[str]:
        """URLs to hosts other than 127.0.0.1 that are not pinned Pyodide package files."""
        bad = []
        for url in self.urls:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if parts.hostname == "127.0.0.1":
                continue
            if url.startswith(PYODIDE_CDN) and url[len(PYODIDE_CDN):] in allowed_cdn_files:
                continue
            bad.append(url)
        return bad


def new_learner_page(browser, requests: "Requests | None" = None, **context_options):
    """A page in a fresh browser context (one learner), collecting its uncaught errors in `.errors`."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    if requests is not None:
        requests.attach(context)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


class Shots:
    def __init__(self, folder: Path, prefix: str):
        self.folder, self.prefix, self.n = folder, prefix, 0

    def __call__(self, page, name: str, full_page: bool = False) -> Path:
        self.n += 1
        path = self.folder / f"{self.prefix}-{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


# ----------------------------------------------------------------------------------------------
# driving the Notebook UI like a student


def open_notebook(page, base: str, notebook: str) -> None:
    page.goto(f"{base}notebooks/index.html?path={urllib.parse.quote(notebook)}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=KERNEL_TIMEOUT_MS)


def code_cell(page, marker: str, timeout_ms: int = 30_000):
    """The code cell whose source contains `marker` (e.g. 'submit("C1"'), once it is rendered."""
    handle = page.wait_for_function(
        """(marker) => {
            const i = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
              .findIndex(c => (c.querySelector('.cm-content')?.innerText || '').includes(marker));
            return i >= 0 ? i + 1 : 0;
        }""",
        arg=marker,
        timeout=timeout_ms,
    )
    return page.locator(".jp-Notebook .jp-CodeCell").nth(handle.json_value() - 1)


def prompt_cell(page, problem_id: str):
    """The Markdown cell holding the prompt of `problem_id` (its heading reads '<id> · <kind>')."""
    index = page.evaluate(
        """(pid) => [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')]
            .findIndex(c => [...c.querySelectorAll('h1,h2,h3,h4')]
                .some(h => h.textContent.trim().startsWith(pid + ' ·')))""",
        problem_id,
    )
    assert index >= 0, f"no prompt cell for {problem_id}"
    return page.locator(".jp-Notebook .jp-MarkdownCell").nth(index)


def execution_count(cell) -> int | None:
    text = cell.locator(".jp-InputArea-prompt").first.inner_text()
    m = re.search(r"\[(\d+)\]", text)
    return int(m.group(1)) if m else None


def set_source(page, cell, source: str) -> None:
    """Replace a cell's text as a student would: click in it, select all, type."""
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)


def run_cell(page, cell, timeout_ms: int = CELL_TIMEOUT_MS) -> str:
    """Run the cell with Ctrl+Enter; wait for a new execution count; return the text of its
    output area. The key press is repeated until the cell is queued (`[*]`): a press while the
    notebook is still starting up can be lost."""
    before = execution_count(cell)
    prompt = cell.locator(".jp-InputArea-prompt").first
    for _ in range(20):
        cell.scroll_into_view_if_needed()
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and "*" not in prompt.inner_text() \
                and execution_count(cell) == before:
            page.wait_for_timeout(100)
        if "*" in prompt.inner_text() or execution_count(cell) != before:
            break
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        count = execution_count(cell)
        if count is not None and count != before:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"cell did not finish within {timeout_ms / 1000:.0f} s")
    page.wait_for_timeout(200)  # outputs arrive with the reply; let them render
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-OutputArea").inner_text()


PROGRESS_JS = """async (root) => {
  const name = '__PREFIX__' + root;
  const db = await new Promise((resolve) => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => r.transaction.abort();
    r.onsuccess = () => resolve(r.result);
    r.onerror = (e) => { e.preventDefault(); resolve(null); };
  });
  if (!db) return {};
  const out = {};
  await new Promise((resolve) => {
    const tx = db.transaction('results');
    const req = tx.objectStore('results').getAll();
    tx.oncomplete = () => { for (const r of req.result) out[r.key] = r; resolve(); };
    tx.onerror = () => resolve();
  });
  db.close();
  return out;
}""".replace("__PREFIX__", DB_PREFIX)


def progress_records(page, root_path: str) -> dict:
    return page.evaluate(PROGRESS_JS, root_path)


def wait_progress(page, root_path: str, key: str, passed: bool, timeout_s: float = 10) -> dict:
    deadline = time.monotonic() + timeout_s
    rec = None
    while time.monotonic() < deadline:
        rec = progress_records(page, root_path).get(key)
        if rec and rec.get("passed") is passed:
            return rec
        page.wait_for_timeout(200)
    raise AssertionError(f"progress record {key} never had passed={passed}: {rec}")


def pinned_cdn_files(site: Path) -> set[str]:
    """File names the site's Pyodide lock pins to the official CDN."""
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    return {
        spec["file_name"][len(PYODIDE_CDN):]
        for spec in lock["packages"].values()
        if spec["file_name"].startswith(PYODIDE_CDN)
    }


def copy_content_with_change(content: Path, dest: Path, set_id: str, note: str) -> Path:
    """A copy of the content folder where set `set_id` gained a paragraph (a newer version)."""
    shutil.copytree(content, dest)
    source = dest / f"{set_id}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.rstrip("\n") + f"\n\n{note}\n", encoding="utf-8")
    return dest
