"""What a student does, in order, in one browser context (one learner): the tests share the page
and run top to bottom; each saves screenshots (see conftest.ARTIFACTS)."""

from __future__ import annotations

import re

import pytest

from .helpers import (
    MOUNT,
    new_learner_page,
    PYODIDE_DIST,
    KERNEL_TIMEOUT_MS,
    Requests,
    Shots,
    build,
    code_cell,
    prompt_cell,
    copy_content_with_change,
    open_notebook,
    pinned_cdn_files,
    progress_records,
    run_cell,
    set_source,
    wait_progress,
)

ROOT_PATH = f"/{MOUNT}/"


@pytest.fixture(scope="module")
def requests_seen():
    return Requests()


@pytest.fixture(scope="module")
def page(browser, requests_seen):
    page = new_learner_page(browser, requests_seen)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def shot(artifacts):
    return Shots(artifacts, "flow")


def landing(page, server):
    page.goto(server.base)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def result_box(cell):
    return cell.locator(".workbook-result").last


# ----------------------------------------------------------------------------------------------


def test_landing_page_lists_the_sets(page, server, plan, shot):
    landing(page, server)
    items = page.locator("li.wb-set")
    assert items.count() == len(plan.sets)
    for s in plan.sets:
        item = page.locator(f'li.wb-set[data-set="{s["id"]}"]')
        assert item.locator("h2").inner_text().strip() == s["title"]
        text = item.inner_text()
        if s.get("summary"):
            assert " ".join(s["summary"].split())[:60] in " ".join(text.split())
        for tag in s.get("tags") or []:
            assert tag in text
        for kind, n in (s.get("counts") or {}).items():
            if n:
                assert re.search(rf"\b{n} {kind}", text), f"count of {kind} missing in {text!r}"
        assert "0 of" in item.locator(".wb-progress-text").inner_text() or "self-study" in text
    assert not page.errors, page.errors
    shot(page, "landing", full_page=True)


def test_open_a_set_in_the_notebook_ui(page, server, plan, shot):
    landing(page, server)
    page.locator(f'li.wb-set[data-set="{plan.set_id}"] a.wb-open').click()
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=KERNEL_TIMEOUT_MS)
    assert f"notebooks/index.html?path={plan.notebook}" in page.url
    page.wait_for_function(
        "(title) => document.querySelector('.jp-Notebook h1')?.textContent.includes(title)",
        arg=plan.title, timeout=30_000)
    # math is typeset by the bundled MathJax (no CDN): no raw TeX delimiters left in the prose
    page.wait_for_selector(".jp-Notebook mjx-container", timeout=30_000)
    shot(page, "notebook-opened")


def test_an_answer_cell_run_first_checks_in_a_fresh_kernel(page, plan, shot):
    """No set-up cell: `submit` is there from the kernel's start and knows its set from the cell."""
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    out = run_cell(page, cell, timeout_ms=KERNEL_TIMEOUT_MS)
    assert "Not answered yet" in out, out
    assert "Error" not in out and "Traceback" not in out, out
    shot(page, "answer-cell-first")


def test_reveal_a_hint_and_a_worked_answer(page, plan, shot):
    prompt = prompt_cell(page, plan.hinted.id)
    prompt.scroll_into_view_if_needed()
    details = prompt.locator("details")
    hint = details.filter(has=page.locator("summary", has_text="Hint")).first
    answer = details.filter(has=page.locator("summary", has_text="Worked answer")).first
    body_visible = "d => [...d.children].filter(c => c.tagName !== 'SUMMARY').some(c => c.checkVisibility())"
    for d in (hint, answer):
        assert d.get_attribute("open") is None and not d.evaluate(body_visible), "not collapsed"
    shot(page, "hint-and-answer-collapsed")
    hint.locator("summary").click()
    answer.locator("summary").click()
    for d in (hint, answer):
        assert d.get_attribute("open") is not None and d.evaluate(body_visible), "did not open"
    prompt.scroll_into_view_if_needed()
    shot(page, "hint-and-answer-revealed")


def test_wrong_then_right_compute_answer(page, plan, shot):
    pid = plan.compute.id
    cell = code_cell(page, f'submit("{pid}"')
    expected = float(plan.compute.expected)
    wrong = expected * 2 + 1
    set_source(page, cell, f'answer = {wrong!r}\nsubmit("{pid}", answer)')
    out_wrong = run_cell(page, cell)
    box = result_box(cell)
    assert "failed" in box.get_attribute("class"), out_wrong
    assert "✘" in out_wrong
    wait_progress(page, ROOT_PATH, f"{plan.set_id}/{pid}", passed=False)
    shot(page, "compute-wrong")

    set_source(page, cell, f'answer = {expected!r}\nsubmit("{pid}", answer)')
    out_right = run_cell(page, cell)
    assert "passed" in result_box(cell).get_attribute("class").split(), out_right
    assert "✔" in out_right and out_right != out_wrong
    rec = wait_progress(page, ROOT_PATH, f"{plan.set_id}/{pid}", passed=True)
    assert rec["solved"] and rec["attempts"] == 2
    shot(page, "compute-right")


def test_choice_question(page, plan, shot):
    pid = plan.choice.id
    cell = code_cell(page, f'submit("{pid}"')
    expected = plan.choice.expected
    answer = repr(expected) if isinstance(expected, bool) else repr(", ".join(expected))
    set_source(page, cell, f'answer = {answer}\nsubmit("{pid}", answer)')
    out = run_cell(page, cell)
    assert "passed" in result_box(cell).get_attribute("class").split(), out
    wait_progress(page, ROOT_PATH, f"{plan.set_id}/{pid}", passed=True)
    shot(page, "choice-right")


def test_numpy_check(page, plan, shot):
    """With a full Pyodide distribution the learner's NumPy code is checked; without one (no CDN
    here) the learner reads a clear sentence, not a traceback."""
    if plan.code is None:
        pytest.fail("the chosen set has no NumPy code problem")
    pid = plan.code.id
    cell = code_cell(page, f'submit("{pid}"')
    source = cell.locator(".cm-content").inner_text()
    call = next(line for line in source.splitlines() if line.startswith(f'submit("{pid}"'))
    set_source(page, cell, f"{plan.code.solution.rstrip()}\n\n{call}")
    out = run_cell(page, cell, timeout_ms=180_000)
    if PYODIDE_DIST:
        assert "passed" in result_box(cell).get_attribute("class").split(), out
        wait_progress(page, ROOT_PATH, f"{plan.set_id}/{pid}", passed=True)
    else:
        assert "Not checked: NumPy could not be loaded" in out, out
        assert "Traceback" not in out and "ModuleNotFoundError" not in out, out
        assert f"{plan.set_id}/{pid}" not in progress_records(page, ROOT_PATH), "recorded as an attempt"
    shot(page, "numpy-check")


def test_edits_and_progress_survive_a_reload(page, server, plan, shot):
    page.wait_for_timeout(3000)  # autosave runs every 2 s
    page.reload()
    page.wait_for_selector(".jp-Notebook .jp-CodeCell .cm-content", timeout=KERNEL_TIMEOUT_MS)
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    assert f"answer = {float(plan.compute.expected)!r}" in cell.locator(".cm-content").inner_text()
    # the restarted kernel has run nothing: an answer cell run first still checks
    out = run_cell(page, cell, timeout_ms=KERNEL_TIMEOUT_MS)
    assert "passed" in result_box(cell).get_attribute("class").split(), out
    cell.scroll_into_view_if_needed()
    shot(page, "notebook-after-reload")

    landing(page, server)
    item = page.locator(f'li.wb-set[data-set="{plan.set_id}"]')
    progress = item.locator(".wb-progress-text")
    solved = int(progress.get_attribute("data-solved"))
    expected_solved = 2 + (1 if PYODIDE_DIST else 0)
    assert solved == expected_solved, progress.inner_text()
    for pid in (plan.compute.id, plan.choice.id):
        assert item.locator(f'.wb-chip[data-problem="{pid}"]').get_attribute("data-state") == "solved"
    assert item.locator("a.wb-open").inner_text() == "Continue"
    shot(page, "landing-with-progress", full_page=True)


def test_new_version_is_offered_and_the_old_copy_kept(page, server, built, plan, shot, tmp_path_factory):
    site, _, content = built
    root = tmp_path_factory.mktemp("redeploy")
    note = "A note added in the second version of this set."
    changed = copy_content_with_change(content, root / "content", plan.set_id, note)
    server.deploy(build(changed, root / "v2"))

    landing(page, server)
    item = page.locator(f'li.wb-set[data-set="{plan.set_id}"]')
    update = item.locator(".wb-update")
    assert update.count() == 1, "the landing page does not offer the new version"
    # progress survives the redeploy
    assert int(item.locator(".wb-progress-text").get_attribute("data-solved")) >= 2
    shot(page, "new-version-offered")
    update.locator("button").click()
    page.wait_for_selector(
        f'li.wb-set[data-set="{plan.set_id}"] :is(.wb-copies a, .wb-error)', timeout=10_000)
    assert item.locator(".wb-error").count() == 0, item.locator(".wb-error").inner_text()
    kept = item.locator(".wb-copies a").first.inner_text()
    assert kept.startswith(f"{plan.set_id} (my copy ") and kept.endswith(".ipynb")
    shot(page, "new-version-taken")

    open_notebook(page, server.base, plan.notebook)
    page.wait_for_function(
        "(note) => document.querySelector('.jp-Notebook')?.textContent.includes(note)", arg=note,
        timeout=30_000)
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    assert f"answer = {float(plan.compute.expected)!r}" not in cell.locator(".cm-content").inner_text()
    shot(page, "new-version-opened")

    open_notebook(page, server.base, kept)
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    assert f"answer = {float(plan.compute.expected)!r}" in cell.locator(".cm-content").inner_text()
    cell.scroll_into_view_if_needed()
    shot(page, "old-copy-opened")


def test_no_request_left_127_0_0_1_but_pinned_pyodide_packages(requests_seen, built):
    allowed = pinned_cdn_files(built[0])
    foreign = requests_seen.foreign(allowed)
    assert not foreign, "requests to other hosts:\n" + "\n".join(sorted(set(foreign)))
    assert any(u.startswith("http://127.0.0.1") for u in requests_seen.urls)
    local_failures = [(u, f) for u, f in requests_seen.failed if u.startswith("http://127.0.0.1")
                      and "ERR_ABORTED" not in f]
    assert not local_failures, local_failures
