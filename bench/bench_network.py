#!/usr/bin/env python3
"""Benchmark a student's day on a throttled network: ours against a bare JupyterLite (not a test).

One static server on 127.0.0.1 serves `bare/` and `ours/` side by side as GitHub Pages does:
gzip for text types, `Cache-Control: max-age=600`, Last-Modified (304 on revalidation). The network
is shaped in that server, not through the DevTools protocol: `Network.emulateNetworkConditions`
applies to the page's target only, and our service worker fetches most of the site, so page-level
throttling would leave those fetches free and flatter us. Profile: one link of --mbit (default 30)
Mbit/s down shared by every connection, --rtt (default 40) ms added before each response.

For each site, in the same run, each in a fresh browser profile on disk:
  first visit   notebook page open -> first check result (ours: a compute answer typed into its cell
                and run; bare: a `1 + 1` cell, its output 2), empty cache;
  repeat visit  the same, again, in the same context (warm HTTP cache, and our service worker);
  journey       landing page open -> "Start" after 5 s -> first check result, empty cache (bare:
                its own root page, which has nothing to warm).
Breakdown (seconds from page open): UI shown, runtime files loaded (wasm + stdlib), packages loaded
(last wheel), kernel up (its indicator busy or idle after starting: IPython imported), first check. Bytes on the wire: compressed body bytes served.

usage: .venv/bin/python bench/bench_network.py [--runs N] [--mbit M] [--rtt MS] [--json OUT]
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_site import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, MARKS_JS, TIMEOUT_MS, build_bare, build_ours, first_compute, run_cell,
    start_cell, submit_answer,
)
from workbook.build.site import SiteRequestHandler  # noqa: E402

COMPRESSED = {"text/html", "text/css", "text/javascript", "application/json", "image/svg+xml",
              "text/plain", "application/manifest+json", "application/wasm"}
"""Content types GitHub Pages serves gzipped, wasm included (reported in go-app issue #866); zip
files and wheels are sent as they are."""


class Link:
    """One shaped link: a token bucket of `rate` bytes/s shared by every connection, plus a fixed
    delay before each response; counts what it sends."""

    def __init__(self, mbit: float, rtt_ms: float):
        self.rate = mbit * 1e6 / 8
        self.delay = rtt_ms / 1000
        self.lock = threading.Lock()
        self.next_free = time.monotonic()
        self.bytes = self.requests = 0

    def send(self, wfile, data: bytes) -> None:
        for i in range(0, len(data), 16384):
            chunk = data[i:i + 16384]
            with self.lock:
                now = time.monotonic()
                start = max(now, self.next_free)
                self.next_free = start + len(chunk) / self.rate
                self.bytes += len(chunk)
            if start + len(chunk) / self.rate > now:
                time.sleep(start + len(chunk) / self.rate - now)
            wfile.write(chunk)

    def reset(self) -> tuple[int, int]:
        with self.lock:
            out = (self.bytes, self.requests)
            self.bytes = self.requests = 0
            return out


class PagesHandler(SiteRequestHandler):
    """Static files as GitHub Pages serves them, through the shaped link."""

    link: Link
    gzipped: dict = {}

    def do_GET(self):  # noqa: N802 - name of the base class
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().do_GET()  # the base class redirects to the folder's URL
            path = path / "index.html"
        with self.link.lock:
            self.link.requests += 1
        time.sleep(self.link.delay)
        if not path.is_file():
            self.send_error(404)
            return
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-Modified-Since") == modified:
            self.send_response(304)
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            return
        ctype = self.guess_type(str(path))
        body = path.read_bytes()
        encoding = None
        if ctype.split(";")[0] in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            key = (str(path), stat.st_mtime_ns)
            if key not in self.gzipped:
                self.gzipped[key] = gzip.compress(body, 6, mtime=0)
            body, encoding = self.gzipped[key], "gzip"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", modified)
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.link.send(self.wfile, body)


def serve(www: Path, link: Link):
    handler = type("Handler", (PagesHandler,), {"link": link, "gzipped": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


# ----------------------------------------------------------------------------------------------
# one measured visit


class Visit:
    """Wall-clock marks of one visit, from `open()` on."""

    def __init__(self, context):
        self.t0 = None
        self.marks: dict[str, float] = {}
        context.on("requestfinished", self._finished)

    def open(self):
        self.t0 = time.perf_counter()
        self.t0_epoch = time.time()

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter() - self.t0

    def _finished(self, request):
        if self.t0 is None:
            return
        name = request.url.split("?")[0].rsplit("/", 1)[-1]
        t = time.perf_counter() - self.t0
        if name in ("pyodide.asm.wasm", "python_stdlib.zip"):
            self.marks["runtime"] = max(self.marks.get("runtime", 0), t)
        elif name.endswith(".whl"):
            self.marks["packages"] = max(self.marks.get("packages", 0), t)


def kernel_mark(page, visit: Visit) -> None:
    """The page's 'kernel' mark (MARKS_JS: the kernel indicator first busy or idle after starting),
    on the visit's clock."""
    marks = page.evaluate("[window.__marks, performance.timeOrigin]")
    if "kernel" in marks[0]:
        visit.marks["kernel"] = marks[0]["kernel"] / 1000 + (marks[1] / 1000 - visit.t0_epoch)


def check_bare(page, visit: Visit) -> None:
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=TIMEOUT_MS)
    visit.mark("ui")
    start_cell(page, 0)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')].some(o => o.textContent.trim() === '2')",
        timeout=TIMEOUT_MS)
    visit.mark("check")
    kernel_mark(page, visit)


def check_ours(page, visit: Visit, problem_id: str, answer) -> None:
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=TIMEOUT_MS)
    visit.mark("ui")
    submit_answer(page, problem_id, answer)
    visit.mark("check")
    kernel_mark(page, visit)


def new_context(playwright):
    """A browser with its own profile on disk: a student's browser keeps large files (Pyodide's
    wasm) in its disk cache, which the in-memory cache of a launched browser's contexts does not."""
    profile = tempfile.mkdtemp(prefix="bench-profile-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        viewport={"width": 1280, "height": 900})
    context.on("close", lambda _: shutil.rmtree(profile, ignore_errors=True))
    return context


def measure(playwright, link: Link, site: str, url: str, landing: str | None, check) -> dict:
    """First visit and repeat visit of `url` in one browser profile, then the journey in another."""
    out = {}
    context = new_context(playwright)
    context.add_init_script(MARKS_JS)
    try:
        for label in ("first", "repeat"):
            page = context.new_page()
            visit = Visit(context)
            link.reset()
            visit.open()
            page.goto(url)
            check(page, visit)
            page.wait_for_timeout(500)
            out[label] = {**visit.marks, "bytes": link.reset()[0]}
            page.close()
    finally:
        context.close()
    context = new_context(playwright)
    context.add_init_script(MARKS_JS)
    try:
        page = context.new_page()
        visit = Visit(context)
        link.reset()
        visit.open()
        page.goto(landing)
        page.wait_for_timeout(5000)
        visit.mark("start")
        page.goto(url)
        check(page, visit)
        page.wait_for_timeout(500)
        out["journey"] = {**visit.marks, "bytes": link.reset()[0]}
    finally:
        context.close()
    print(f"  {site}: " + " | ".join(f"{k} {v['check']:.2f} s, {v['bytes'] / 2**20:.1f} MB"
                                     for k, v in out.items()), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mbit", type=float, default=30.0)
    ap.add_argument("--rtt", type=float, default=40.0)
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=SITE",
                    help="also measure a site built elsewhere (e.g. another commit), same notebook")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "network.json")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-network-"))
    www = work / "www"
    www.mkdir()
    print(f"building into {www} ...", flush=True)
    build_bare(www / "bare")
    build_ours(args.content, www / "ours", work / "key")
    notebook, _, problem_id, answer = first_compute(www / "ours", work / "key")
    for extra in args.extra:
        name, _, site = extra.partition("=")
        shutil.copytree(site, www / name)
    link = Link(args.mbit, args.rtt)
    httpd, origin = serve(www, link)
    sites = {
        "bare": (f"{origin}/bare/notebooks/index.html?path=empty.ipynb", f"{origin}/bare/", check_bare),
        "ours": (f"{origin}/ours/notebooks/index.html?path={notebook}", f"{origin}/ours/",
                 functools.partial(check_ours, problem_id=problem_id, answer=answer)),
    }
    for extra in args.extra:
        name = extra.partition("=")[0]
        sites[name] = (f"{origin}/{name}/notebooks/index.html?path={notebook}", f"{origin}/{name}/", sites["ours"][2])
    from playwright.sync_api import sync_playwright

    runs = {name: [] for name in sites}
    with sync_playwright() as p:
        for i in range(args.runs):
            print(f"run {i + 1}", flush=True)
            for name, (url, landing, check) in sites.items():
                runs[name].append(measure(p, link, name, url, landing, check))
    httpd.shutdown()
    shutil.rmtree(work, ignore_errors=True)

    def med(name, visit, key):
        xs = [r[visit][key] for r in runs[name] if key in r[visit]]
        return statistics.median(xs) if xs else None

    summary = {name: {visit: {key: med(name, visit, key)
                              for key in ("ui", "runtime", "packages", "kernel", "check", "bytes")}
                      for visit in ("first", "repeat", "journey")} for name in sites}
    print(f"\nprofile: {args.mbit:g} Mbit/s down shared, {args.rtt:g} ms per response, gzip like Pages; "
          f"medians of {args.runs} runs (seconds from page open)")
    print(f"{'':18}{'UI':>7}{'runtime':>9}{'packages':>10}{'kernel':>8}{'check':>8}{'MB wire':>9}{'ratio':>7}")
    for visit in ("first", "repeat", "journey"):
        for name in sites:
            s = summary[name][visit]
            ratio = s["check"] / summary["bare"][visit]["check"]
            cells = [f"{s[k]:7.2f}" if s[k] is not None else f"{'-':>7}" for k in ("ui", "runtime", "packages", "kernel", "check")]
            print(f"{visit + ' ' + name:18}{cells[0]}{cells[1]:>9}{cells[2]:>10}{cells[3]:>8}{cells[4]:>8}"
                  f"{s['bytes'] / 2**20:9.1f}{ratio:7.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"mbit": args.mbit, "rtt_ms": args.rtt, "runs": runs, "summary": summary},
                                    indent=1))
    print(f"\nwritten {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
