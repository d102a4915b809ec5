"""Fixtures of the browser tests (see helpers.py for the environment variables they read)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Plan, Server, build, choose_plan, content_dir


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(site folder, instructor key folder, content folder) of the session's build."""
    root = tmp_path_factory.mktemp("site")
    content = content_dir()
    site = build(content, root / "v1")
    return site, root / "v1-key", content


@pytest.fixture(scope="session")
def plan(built) -> Plan:
    site, key, _ = built
    return choose_plan(site, key)


@pytest.fixture(scope="session")
def server(built, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("www"))
    srv.deploy(built[0])
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) or "
                    "set WORKBOOK_CHROMIUM; the browser tests never skip", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # a launched (not persistent) browser runs on a fresh temporary user-data-dir
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    print(f"\nscreenshots: {ARTIFACTS}")
    return ARTIFACTS
