"""The site after one visit, with the network gone, then after a redeploy: one learner (one browser
context), tests in order, each saving screenshots (prefix `offline-`).

The network is cut twice over: Playwright's `context.set_offline(True)` and a server that drops
every connection unanswered, so nothing can come from 127.0.0.1 but what the browser kept.
"""

from __future__ import annotations

import functools
import json

import pytest

from .helpers import (
    KERNEL_TIMEOUT_MS,
    NoCacheHandler,
    Server,
    Shots,
    build,
    code_cell,
    copy_content_with_change,
    open_notebook,
    run_cell,
    set_source,
)

READY_TIMEOUT_MS = 180_000
MARKER = "# written offline, kept across the redeploy"


class DroppingHandler(NoCacheHandler):
    """The tests' handler, which while `down` closes every connection without an answer."""

    down = False

    def handle_one_request(self):
        if type(self).down:
            self.close_connection = True
            self.rfile.readline(65537)
            return
        super().handle_one_request()


@pytest.fixture(scope="module")
def site_server(built, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("offline-www"))
    srv.httpd.RequestHandlerClass = functools.partial(DroppingHandler, directory=str(srv.www))
    srv.deploy(built[0])
    yield srv
    DroppingHandler.down = False
    srv.close()


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture(scope="module")
def shot(artifacts):
    return Shots(artifacts, "offline")


def network(page, up: bool) -> None:
    page.context.set_offline(not up)
    DroppingHandler.down = not up


def landing(page, base: str) -> None:
    page.goto(base)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def build_id(site) -> str:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))["build"]


# ----------------------------------------------------------------------------------------------


def test_data_saver_downloads_only_when_asked(browser, site_server, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {saveData: true}, configurable: true})")
    requested = []
    try:
        page = context.new_page()
        context.on("request", lambda r: requested.append(r.url))
        landing(page, site_server.base)
        button = page.locator("#wb-offline button")
        button.wait_for(timeout=60_000)
        assert "save data" in page.locator("#wb-offline").inner_text()
        page.wait_for_timeout(2000)
        # the landing page reads the Pyodide lock (which problems need NumPy): not the app
        app = [u for u in requested if ("/static/pyodide/" in u or "/build/" in u)
               and not u.endswith("/pyodide-lock.json")]
        assert not app, f"the landing page fetched the app under Save-Data: {app[:5]}"
        shot(page, "data-saver")
        button.click()
        page.wait_for_selector("#wb-offline[data-state=ready]", timeout=READY_TIMEOUT_MS)
        assert any(u.endswith("/static/pyodide/pyodide.asm.wasm") for u in requested)
    finally:
        context.close()


def test_first_visit_makes_the_site_ready_for_offline_use(page, site_server, built, shot):
    landing(page, site_server.base)
    page.wait_for_selector("#wb-offline[data-state=ready]", timeout=READY_TIMEOUT_MS)
    assert "Ready for offline use" in page.locator("#wb-offline").inner_text()
    assert page.evaluate("document.body.dataset.build") == build_id(built[0])
    shot(page, "ready-for-offline")


def test_landing_page_works_offline(page, site_server, plan, shot):
    network(page, up=False)
    landing(page, site_server.base)
    assert page.locator("li.wb-set").count() == len(plan.sets)
    page.wait_for_selector("#wb-offline[data-state=ready]", timeout=30_000)
    assert not page.errors, page.errors
    shot(page, "landing-offline")


def test_notebook_and_a_compute_check_work_offline(page, site_server, plan, shot):
    page.locator(f'li.wb-set[data-set="{plan.set_id}"] a.wb-open').click()
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=KERNEL_TIMEOUT_MS)
    shot(page, "notebook-offline")
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    set_source(page, cell, f'{MARKER}\nanswer = {plan.compute.expected!r}\nsubmit("{plan.compute.id}", answer)')
    out = run_cell(page, cell, timeout_ms=KERNEL_TIMEOUT_MS)
    assert "Correct" in out, out
    shot(page, "check-offline")
    page.wait_for_timeout(3000)  # autosave runs every 2 s


def test_redeploy_is_offered_online_and_edits_survive(page, site_server, built, plan, shot, tmp_path_factory):
    site, _, content = built
    root = tmp_path_factory.mktemp("offline-redeploy")
    changed = copy_content_with_change(content, root / "content", plan.set_id,
                                       "A note added in the second version of this set.")
    v2 = build(changed, root / "v2")
    assert build_id(v2) != build_id(site)
    site_server.deploy(v2)
    network(page, up=True)

    landing(page, site_server.base)
    banner = page.locator("#wb-updated")
    banner.wait_for(timeout=60_000)
    assert "new version" in banner.inner_text()
    shot(page, "new-version-installed")
    banner.locator("button").click()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    page.wait_for_function("(b) => document.body.dataset.build === b", arg=build_id(v2), timeout=30_000)
    page.wait_for_selector("#wb-offline[data-state=ready]", timeout=READY_TIMEOUT_MS)
    shot(page, "new-version-ready")

    open_notebook(page, site_server.base, plan.notebook)
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    assert MARKER in cell.locator(".cm-content").inner_text()
    cell.scroll_into_view_if_needed()
    shot(page, "edits-kept")

