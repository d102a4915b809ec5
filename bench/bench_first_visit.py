"""Bytes a student's browser downloads on a first visit: the landing page, then one notebook with its
kernel started and one answer cell checked (headless Chromium, empty cache).

Usage: .venv/bin/python bench/bench_first_visit.py SITE_DIR [NOTEBOOK]   (a built site; default:
the first notebook of its manifest). Prints the total and the largest requests; requests that fail
(NumPy from the CDN here) count nothing; a URL fetched twice counts once.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, KERNEL_TIMEOUT_MS, Server  # noqa: E402


def measure(site: Path, notebook: str | None) -> tuple[int, Counter]:
    """(total bytes, bytes per URL path) of the visit."""
    from playwright.sync_api import sync_playwright

    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    notebook = notebook or manifest["sets"][0]["notebook"]
    www = Path(tempfile_dir())
    server = Server(www)
    server.deploy(site)
    sizes: Counter = Counter()

    def count(response):
        try:
            # once per URL: a file fetched again (worker and page, service worker) is cached in practice
            url = response.url.split("?")[0].replace(server.base, "")
            sizes[url] = max(sizes[url], len(response.body()))
        except Exception:  # failed or redirected requests carry no body
            pass

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context()
            context.on("response", count)
            page = context.new_page()
            page.goto(server.base)
            page.wait_for_selector("body[data-ready=true]")
            page.goto(f"{server.base}notebooks/index.html?path={notebook}")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=KERNEL_TIMEOUT_MS)
            cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text="submit(").first
            cell.locator(".cm-content").click()
            page.keyboard.press("Control+Enter")
            cell.locator(".jp-OutputArea-output").first.wait_for(timeout=KERNEL_TIMEOUT_MS)
            time.sleep(2)
            browser.close()
    finally:
        server.close()
    return sum(sizes.values()), sizes


def tempfile_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="first-visit-")


def main(argv: list[str]) -> int:
    site = Path(argv[0])
    total, sizes = measure(site, argv[1] if len(argv) > 1 else None)
    print(f"{site}: {total:,} bytes in {len(sizes)} requests")
    for url, n in sizes.most_common(8):
        print(f"  {n:>12,}  {url}")
    ours = {u: n for u, n in sizes.items() if "notebook-ui" in u or u.endswith(".whl") and "workbook" in u}
    for url, n in sorted(ours.items()):
        print(f"  ours: {n:>8,}  {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
