#!/usr/bin/env python3
"""Benchmark the site against a bare JupyterLite with the same Pyodide kernel (not a test).

In one run, with the same Chromium, machine and served folder (one static server on 127.0.0.1
serving `bare/` and `ours/` side by side):

  (a) bare: a JupyterLite site (jupyterlite-core + the Pyodide kernel, Pyodide vendored the same
      way as ours, default apps) with one notebook whose only cell is `1 + 1`:
      time from navigation to the first output;
  (b) ours: the workbook site built by `python build.py build` from content/: time from navigation
      to the kernel ready (the set-up cell `from workbook import load_set ...` has run) and to the
      first check result (a compute answer submitted in the next cell).

  (c) for the breakdown: our site's machinery around a 2-cell notebook (set-up cell + one compute
      cell), kernel ready: what the wheel, preloads and set-up cost without the content's weight.

Each run uses a fresh browser context (empty cache and storage: a first visit); (a) and (b)
alternate. Reports medians over --runs (default 7) and the ratio b/a, plus build times (ours vs a
bare `jupyter lite build`), sizes on disk and bytes transferred on a first visit.

usage: .venv/bin/python bench/bench_site.py [--runs N] [--content DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbook.build.site import SiteRequestHandler, cache_dir, site_size  # noqa: E402
from workbook.build.site.downloads import _pip_download  # noqa: E402
from workbook.build.site.pyodide import _NpmRuntime, _stage_pyodide  # noqa: E402
from workbook.build.site.versions import PIPLITE_PACKAGES  # noqa: E402

CHROMIUM = os.environ.get("WORKBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 240_000


# ----------------------------------------------------------------------------------------------
# sites


def build_bare(dest: Path) -> float:
    """A bare JupyterLite site with the same kernel and Pyodide; returns the `jupyter lite build`
    time (the Pyodide staging, cached downloads, is not counted)."""
    lite = dest.parent / "bare-lite"
    if lite.exists():
        shutil.rmtree(lite)
    (lite / "contents").mkdir(parents=True)
    cache = cache_dir()
    _stage_pyodide(lite / "static" / "pyodide", _NpmRuntime(cache), None, cache)
    (lite / "pypi").mkdir()
    for w in _pip_download(list(PIPLITE_PACKAGES), cache):
        shutil.copy2(w, lite / "pypi" / w.name)
    (lite / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"litePluginSettings": {
            "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}}},
    }))
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "one", "metadata": {},
                     "outputs": [], "source": "1 + 1"}],
          "metadata": {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (lite / "contents" / "empty.ipynb").write_text(json.dumps(nb))
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERLITE_")}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite),
                    "--contents", str(lite / "contents"), "--output-dir", str(dest)],
                   cwd=lite, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(lite)
    return elapsed


def build_ours(content: Path, dest: Path, key: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                    "--output", str(dest), "--key", str(key)],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def time_build_site(content: Path, work: Path) -> float:
    """`workbook.build.site.build_site` alone (no parsing/validation), on a --notebooks-only compile."""
    from workbook.build.site import build_site

    compiled = work / "compiled"
    if not compiled.exists():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--notebooks-only", "--content",
                        str(content), "--output", str(compiled), "--key", str(work / "compiled-key")],
                       cwd=ROOT, check=True, capture_output=True)
    out = work / "site-only"
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    build_site(compiled, out)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(out)
    return elapsed


def build_minimal(dest: Path) -> None:
    """Our site machinery (wheel, preloads, landing page) around one notebook holding only the
    set-up cell and one compute cell: separates the machinery from the content's weight."""
    from workbook.build.notebook import setup_source
    from workbook.build.site import build_site

    stage = dest.parent / "minimal-stage"
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "notebooks").mkdir(parents=True)
    (stage / "answers").mkdir()
    cells = [
        {"cell_type": "code", "execution_count": None, "id": "setup", "metadata": {}, "outputs": [],
         "source": setup_source("minimal")},
        {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
         "source": 'answer = ...\nsubmit("C1", answer)'},
    ]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}}}
    (stage / "notebooks" / "minimal.ipynb").write_text(json.dumps(nb))
    (stage / "answers" / "minimal.json").write_text(json.dumps(
        {"set": "minimal", "title": "Minimal", "problems": {"C1": {"kind": "compute", "expected": 0.25}}}))
    (stage / "manifest.json").write_text(json.dumps({"sets": [{
        "id": "minimal", "title": "Minimal", "summary": "", "tags": [], "order": 1,
        "notebook": "minimal.ipynb", "counts": {"compute": 1},
        "problems": [{"id": "C1", "kind": "compute", "title": None}]}]}))
    build_site(stage, dest)
    shutil.rmtree(stage)


def first_compute(site: Path, key: Path):
    """(notebook, set id, problem id, answer) of the first scalar compute problem, landing order."""
    manifest = json.loads((site / "manifest.json").read_text())
    for s in sorted(manifest["sets"], key=lambda s: (s.get("order") or 10**9, s["id"])):
        for p in json.loads((key / f"{s['id']}.json").read_text())["problems"]:
            e = p.get("expected")
            if p["kind"] == "compute" and isinstance(e, (int, float)) and not isinstance(e, bool):
                return s["notebook"], s["id"], p["id"], e
    raise SystemExit("no scalar compute problem in the content")


# ----------------------------------------------------------------------------------------------
# serving with a byte counter


class CountingHandler(SiteRequestHandler):
    counter = {"bytes": 0, "requests": 0}
    lock = threading.Lock()

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            with self.lock:
                self.counter["bytes"] += int(value)
                self.counter["requests"] += 1
        super().send_header(keyword, value)


def serve(www: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def reset_counter():
    with CountingHandler.lock:
        CountingHandler.counter.update(bytes=0, requests=0)


# ----------------------------------------------------------------------------------------------
# browser timings

WAIT_COUNT_JS = """([index, before]) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[index];
  const m = cell && cell.querySelector('.jp-InputArea-prompt')?.textContent.match(/\\[(\\d+)\\]/);
  return m && m[1] !== before ? performance.now() : false;
}"""

PROMPT_JS = """(index) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[index]
  ?.querySelector('.jp-InputArea-prompt')?.textContent || ''"""


def start_cell(page, index: int) -> None:
    """Click code cell `index` and press Ctrl+Enter until it is queued (`[*]`) or has run: a key
    press while the notebook is still starting up can be lost."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    before = page.evaluate(PROMPT_JS, index)
    for _ in range(20):
        cell.scroll_into_view_if_needed()
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        for _ in range(20):
            now = page.evaluate(PROMPT_JS, index)
            if "*" in now or now != before:
                return
            page.wait_for_timeout(100)
    raise RuntimeError(f"cell {index} never started")


def run_cell(page, index: int) -> float:
    """Run code cell `index`; return performance.now() when its execution count appears."""
    start_cell(page, index)
    return page.wait_for_function(WAIT_COUNT_JS, arg=[index, None], timeout=TIMEOUT_MS).json_value()


MARKS_JS = """(() => {
  window.__marks = {};
  const mark = (name, ok) => { if (!(name in window.__marks) && ok()) window.__marks[name] = performance.now(); };
  let starting = false;  // the kernel indicator said 'initializing' or 'unknown': 'busy'/'idle' next is the kernel up
  const check = () => {
    mark('ui', () => document.querySelector('.jp-Notebook .jp-CodeCell .cm-content'));
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status');
    if (status === 'initializing' || status === 'unknown') starting = true;
    mark('kernel', () => starting && (status === 'busy' || status === 'idle'));
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
})();"""


def _page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(MARKS_JS)
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text[:300]}"))
    page.on("worker", lambda w: w.on("console", lambda m: page.console_lines.append(f"worker {m.type}: {m.text[:300]}")))
    return context, page


def _failed(page, what: str):
    shot = ROOT / "bench" / "results" / f"failed-{what}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(shot))
    except Exception:
        pass
    print(f"{what} timed out; screenshot {shot}; console:\n  " + "\n  ".join(page.console_lines[-40:]), file=sys.stderr)


def time_bare(browser, url: str) -> tuple[float, dict]:
    context, page = _page(browser)
    try:
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=TIMEOUT_MS)
        start_cell(page, 0)
        t = page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output')].some(o => o.textContent.trim() === '2') && performance.now()",
            timeout=TIMEOUT_MS).json_value()
        return t / 1000, page.evaluate("window.__marks")
    except Exception:
        _failed(page, "bare")
        raise
    finally:
        context.close()


def submit_answer(page, problem_id: str, answer) -> float:
    """Type `answer` into the cell that submits `problem_id`, run it; return performance.now()
    when its result shows."""
    index = page.wait_for_function(
        """(m) => {
             const i = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
               .findIndex(c => c.querySelector('.cm-content')?.innerText.includes(m));
             return i >= 0 ? {i} : false;  // an object: index 0 is falsy
           }""",
        arg=f'submit("{problem_id}"', timeout=TIMEOUT_MS).json_value()["i"]
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(f'answer = {answer!r}\nsubmit("{problem_id}", answer)')
    start_cell(page, index)
    return page.wait_for_function(
        "(i) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i].querySelector('.workbook-result') && performance.now()",
        arg=index, timeout=TIMEOUT_MS).json_value()


def time_ours(browser, url: str, problem_id: str, answer) -> tuple[float, float, dict]:
    context, page = _page(browser)
    try:
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=TIMEOUT_MS)
        checked = submit_answer(page, problem_id, answer)
        marks = page.evaluate("window.__marks")
        return marks.get("kernel", checked) / 1000, checked / 1000, marks
    except Exception:
        _failed(page, "ours")
        raise
    finally:
        context.close()


def first_visit_bytes(browser, notebook_url: str, landing_url: str | None = None) -> tuple[int, int]:
    """Bytes and requests served for a first visit: (the landing page, then) the notebook, up to
    its first cell run."""
    reset_counter()
    context = browser.new_context()
    page = context.new_page()
    try:
        if landing_url:
            page.goto(landing_url)
            page.wait_for_selector("body[data-ready=true]", timeout=TIMEOUT_MS)
        page.goto(notebook_url)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=TIMEOUT_MS)
        run_cell(page, 0)
        page.wait_for_timeout(1000)
    finally:
        context.close()
    return CountingHandler.counter["bytes"], CountingHandler.counter["requests"]


def median(xs):
    return statistics.median(xs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "site.json")
    ap.add_argument("--keep", type=Path, default=None, help="build into this folder and keep it")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs must be at least 5")

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-site-"))
    www = work / "www"
    if www.exists():
        shutil.rmtree(www)
    www.mkdir(parents=True)
    print(f"building into {www} ...", flush=True)
    bare_builds, our_builds, site_builds = [], [], []
    for i in range(3):
        for d in (www / "bare", www / "ours", www / "minimal", work / "key"):
            if d.exists():
                shutil.rmtree(d)
        bare_builds.append(build_bare(www / "bare"))
        our_builds.append(build_ours(args.content, www / "ours", work / "key"))
        site_builds.append(time_build_site(args.content, work))
    build_minimal(www / "minimal")
    notebook, set_id, problem_id, answer = first_compute(www / "ours", work / "key")
    bare_size, bare_files = site_size(www / "bare")
    our_size, our_files = site_size(www / "ours")

    httpd, origin = serve(www)
    bare_url = f"{origin}/bare/notebooks/index.html?path=empty.ipynb"
    our_url = f"{origin}/ours/notebooks/index.html?path={notebook}"
    minimal_url = f"{origin}/minimal/notebooks/index.html?path=minimal.ipynb"
    from playwright.sync_api import sync_playwright

    a, b_ready, b_checked, c_ready, c_checked = [], [], [], [], []
    marks = {k: [] for k in ("bare_ui", "ours_ui")}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        # one warm-up of each (OS file cache, browser binary), not counted
        time_bare(browser, bare_url)
        time_ours(browser, our_url, problem_id, answer)
        time_ours(browser, minimal_url, "C1", 0.25)
        for i in range(args.runs):
            t, m = time_bare(browser, bare_url)
            a.append(t)
            marks["bare_ui"].append(m.get("ui", 0) / 1000)
            r, c, m = time_ours(browser, our_url, problem_id, answer)
            b_ready.append(r)
            b_checked.append(c)
            marks["ours_ui"].append(m.get("ui", 0) / 1000)
            r, c, m = time_ours(browser, minimal_url, "C1", 0.25)
            c_ready.append(r)
            c_checked.append(c)
            print(f"run {i + 1}: bare first output {a[-1]:.2f} s | ours kernel ready {b_ready[-1]:.2f} s, "
                  f"first check {b_checked[-1]:.2f} s | minimal notebook kernel ready {r:.2f} s", flush=True)
        bare_bytes = first_visit_bytes(browser, bare_url)
        our_bytes = first_visit_bytes(browser, our_url, f"{origin}/ours/")
        browser.close()
    httpd.shutdown()

    result = {
        "runs": args.runs,
        "content": str(args.content),
        "notebook": notebook,
        "problem": f"{set_id}/{problem_id}",
        "bare_first_output_s": a,
        "ours_kernel_ready_s": b_ready,
        "ours_first_check_s": b_checked,
        "median_bare_first_output_s": median(a),
        "median_ours_kernel_ready_s": median(b_ready),
        "median_ours_first_check_s": median(b_checked),
        "ratio_kernel_ready": median(b_ready) / median(a),
        "ratio_first_check": median(b_checked) / median(a),
        "minimal_kernel_ready_s": c_ready,
        "minimal_first_check_s": c_checked,
        "median_minimal_kernel_ready_s": median(c_ready),
        "ratio_minimal_kernel_ready": median(c_ready) / median(a),
        "marks_s": marks,
        "median_marks_s": {k: median(v) for k, v in marks.items()},
        "build_bare_lite_s": median(bare_builds),
        "build_ours_s": median(our_builds),
        "build_ours_site_only_s": median(site_builds),
        "size_bare_bytes": bare_size, "files_bare": bare_files,
        "size_ours_bytes": our_size, "files_ours": our_files,
        "first_visit_bare_bytes": bare_bytes[0], "first_visit_bare_requests": bare_bytes[1],
        "first_visit_ours_bytes": our_bytes[0], "first_visit_ours_requests": our_bytes[1],
        "chromium": CHROMIUM,
    }
    mb = 2**20
    print()
    print(f"page open -> first output, bare JupyterLite    median {median(a):6.2f} s  (n={len(a)})")
    print(f"page open -> kernel ready, workbook            median {median(b_ready):6.2f} s  "
          f"ratio {result['ratio_kernel_ready']:.3f}")
    print(f"page open -> first check result, workbook      median {median(b_checked):6.2f} s  "
          f"ratio {result['ratio_first_check']:.3f}")
    print(f"page open -> kernel ready, workbook machinery around a 2-cell notebook   median "
          f"{median(c_ready):6.2f} s  ratio {result['ratio_minimal_kernel_ready']:.3f}")
    mm = result["median_marks_s"]
    print(f"  page open -> notebook shown (median): bare {mm['bare_ui']:.2f} s, ours {mm['ours_ui']:.2f} s")
    print(f"build: bare `jupyter lite build` {result['build_bare_lite_s']:.1f} s | "
          f"ours `build.py build` (compile + validate + site) {result['build_ours_s']:.1f} s, "
          f"of which build_site {result['build_ours_site_only_s']:.1f} s (medians of 3)")
    print(f"size on disk: bare {bare_size / mb:.1f} MB in {bare_files} files | "
          f"ours {our_size / mb:.1f} MB in {our_files} files")
    print(f"first visit transferred: bare {bare_bytes[0] / mb:.1f} MB in {bare_bytes[1]} requests | "
          f"ours (landing + notebook + kernel) {our_bytes[0] / mb:.1f} MB in {our_bytes[1]} requests")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"\nwritten {args.json}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
