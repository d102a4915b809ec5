"""Time `workbook serve --watch` from saving a Markdown file to the new text in the open notebook.

Makes a course with `workbook init` in a temporary folder, serves it with `--watch`, opens its
notebook in headless Chromium (Playwright, /usr/bin/chromium or $WORKBOOK_CHROMIUM), lets the
notebook be autosaved to browser storage (so the stored copy has to be replaced), then rewords a
prompt N times and reports, for each save: when the server had the new build (its version
endpoint) and when the rendered prompt showed the new words. Also: a content folder's full build
(with `jupyter lite build`) for comparison. Usage: .venv/bin/python bench/bench_watch.py [N]
"""

from __future__ import annotations

import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WORKBOOK = Path(sys.executable).with_name("workbook")


def version(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__workbook/version", timeout=5) as r:
            return json.loads(r.read())["version"]
    except OSError:
        return -1


def main(rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([WORKBOOK, "init", "course"], cwd=tmp, check=True, capture_output=True)
        course = Path(tmp, "course")
        source = course / "content" / "01-first-steps.md"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([WORKBOOK, "serve", "--watch", "--port", str(port)], cwd=course,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            while version(port) < 1:
                time.sleep(0.2)
            built, visible = [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/notebooks/index.html?path=01-first-steps.ipynb")
                prose = page.locator(".jp-RenderedMarkdown")
                prose.filter(has_text="an output centred").first.wait_for(timeout=120_000)
                print(f"notebook opened in {time.perf_counter() - started:.1f} s")
                page.locator(".jp-Notebook .jp-CodeCell").filter(has_text="def tanh_backward").first \
                    .locator(".cm-content").click()
                page.keyboard.insert_text("# my note\n")
                page.wait_for_timeout(3000)  # autosave: the browser now holds its own copy
                for i in range(rounds):
                    before = version(port)
                    words = f"Why (round {i}) can an output centred"
                    text = re.sub(r"Why( \(round \d+\))? can an output centred", words, source.read_text())
                    started = time.perf_counter()
                    source.write_text(text)
                    while version(port) == before:
                        time.sleep(0.02)
                    built.append(time.perf_counter() - started)
                    prose.filter(has_text=words).first.wait_for(timeout=120_000)
                    visible.append(time.perf_counter() - started)
                    print(f"save {i}: rebuilt after {built[-1]:.2f} s, visible after {visible[-1]:.2f} s")
                browser.close()
            print(f"median over {rounds}: rebuilt {statistics.median(built):.2f} s, "
                  f"visible {statistics.median(visible):.2f} s")
        finally:
            proc.terminate()
            proc.communicate(timeout=30)
        started = time.perf_counter()
        subprocess.run([WORKBOOK, "build", "--output", "full"], cwd=course, check=True, capture_output=True)
        print(f"full build of the same course (jupyter lite build included): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
