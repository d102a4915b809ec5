"""A student finding their way: choices by click and by every typed form, reset, the way back to the
list of sets, verdicts for screen readers, axe-core, and a phone-sized screen. One browser context
(one learner) for the notebook tests, run top to bottom; screenshots of each step."""

from __future__ import annotations

import json

import pytest

from .helpers import (
    KERNEL_TIMEOUT_MS,
    MOUNT,
    new_learner_page,
    PYODIDE_DIST,
    Shots,
    code_cell,
    open_notebook,
    progress_records,
    prompt_cell,
    run_cell,
    set_source,
    wait_progress,
)

ROOT_PATH = f"/{MOUNT}/"
AXE_VERSION = "4.10.3"
OURS = ".jp-RenderedMarkdown, .workbook-result, .wb-choices"
"""What our markup renders inside the Notebook UI: the notebook's text, verdicts, option buttons."""


@pytest.fixture(scope="module")
def page(browser):
    page = new_learner_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def shot(artifacts):
    return Shots(artifacts, "student")


@pytest.fixture(scope="module")
def choices(built, plan):
    """The plan's set's choice problems from the instructor key: one label, several labels, true/false."""
    key = json.loads((built[1] / f"{plan.set_id}.json").read_text(encoding="utf-8"))
    found = {}
    for p in key["problems"]:
        if p["kind"] != "choice":
            continue
        if isinstance(p["expected"], bool):
            found.setdefault("tf", p)
        elif len(p["expected"]) == 1:
            found.setdefault("one", p)
        else:
            found.setdefault("many", p)
    missing = {"one", "many", "tf"} - set(found)
    if missing:
        pytest.fail(f"set {plan.set_id} lacks choice problems of kinds {sorted(missing)}", pytrace=False)
    return found


@pytest.fixture(scope="module")
def axe_source() -> str:
    from workbook.build.site.downloads import _npm_package, cache_dir

    return (_npm_package(f"axe-core@{AXE_VERSION}", cache_dir()) / "axe.min.js").read_text(encoding="utf-8")


def verdict(cell):
    return cell.locator(".workbook-result").last


def serious_violations(page, axe_source: str, scope: str | None) -> list[dict]:
    """axe-core's critical and serious violations; with `scope`, only nodes inside it."""
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (scope) => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            const out = [];
            for (const v of results.violations) {
                if (!['critical', 'serious'].includes(v.impact)) continue;
                const nodes = v.nodes.filter((n) => {
                    if (!scope) return true;
                    const el = document.querySelector(n.target[0]);
                    return el && el.closest(scope);
                });
                if (nodes.length) out.push({id: v.id, impact: v.impact, help: v.help,
                                            nodes: nodes.map((n) => n.html.slice(0, 160))});
            }
            return out;
        }""",
        scope,
    )


# ----------------------------------------------------------------------------------------------


def test_landing_page_passes_axe(browser, server, axe_source, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.base)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    found = serious_violations(page, axe_source, None)
    Shots(artifacts, "axe")(page, "landing", full_page=True)
    context.close()
    assert not found, json.dumps(found, indent=1)


def test_the_notebook_tells_where_you_are_and_how_to_run_a_cell(page, server, plan, shot):
    open_notebook(page, server.base, plan.notebook)
    page.wait_for_function("(t) => document.title === t", arg=plan.title, timeout=30_000)
    title = page.locator(".jp-Notebook .jp-MarkdownCell").first
    text = title.inner_text()
    assert "All problem sets" in text and "Shift+Enter" in text and "▶" in text and "reset()" in text
    body = page.locator("body").inner_text()
    assert "Not Trusted" not in body and "Last Checkpoint" not in body
    shot(page, "title-cell")


def test_problem_text_is_read_only(page, plan, shot):
    prompt = prompt_cell(page, plan.hinted.id)
    prompt.scroll_into_view_if_needed()
    prompt.locator(".jp-RenderedMarkdown").first.dblclick()
    page.wait_for_timeout(500)
    assert prompt.locator(".jp-RenderedMarkdown").count() == 1, "the prompt opened for editing"
    assert prompt.locator(".cm-editor").count() == 0 or not prompt.locator(".cm-editor").first.is_visible()
    shot(page, "prompt-after-double-click")


def test_choice_by_clicking(page, plan, choices, shot):
    p = choices["many"]
    cell = code_cell(page, f'submit("{p["id"]}"')
    cell.scroll_into_view_if_needed()
    row = cell.locator(".wb-choices")
    row.wait_for(timeout=10_000)
    labels = [b.get_attribute("data-option") for b in row.locator("button.wb-choice").all()]
    assert set(p["expected"]) <= set(labels)
    for label in p["expected"]:
        row.locator(f'button.wb-choice[data-option="{label}"]').click()
    assert all(row.locator(f'button[data-option="{x}"]').get_attribute("aria-pressed") == "true"
               for x in p["expected"])
    wrong = next(x for x in labels if x not in p["expected"])
    by_key = row.locator(f'button.wb-choice[data-option="{wrong}"]')
    by_key.focus()
    page.keyboard.press("Space")
    assert by_key.get_attribute("aria-pressed") == "true", "Space did not choose the focused option"
    page.keyboard.press("Enter")
    assert by_key.get_attribute("aria-pressed") == "false", "Enter did not unchoose the focused option"
    row.locator("button.wb-choice-check").click()
    box = verdict(cell)
    box.wait_for(timeout=KERNEL_TIMEOUT_MS)
    assert "passed" in box.get_attribute("class").split(), box.inner_text()
    assert f'answer = "{", ".join(p["expected"])}"' in cell.locator(".cm-content").inner_text()
    wait_progress(page, ROOT_PATH, f"{plan.set_id}/{p['id']}", passed=True)
    shot(page, "choice-clicked")

    tf = choices["tf"]
    cell = code_cell(page, f'submit("{tf["id"]}"')
    cell.scroll_into_view_if_needed()
    cell.locator(f'.wb-choices button[data-option="{str(tf["expected"]).lower()}"]').click()
    box = verdict(cell)
    box.wait_for(timeout=60_000)
    assert "passed" in box.get_attribute("class").split(), box.inner_text()
    shot(page, "true-false-clicked")


def test_the_verdict_is_in_a_live_region_with_a_mark_and_a_word(page, plan, choices):
    cell = code_cell(page, f'submit("{choices["tf"]["id"]}"')
    status = cell.locator('[role="status"]').last
    assert "Correct" in status.inner_text()
    assert status.locator(".workbook-verdict").first.text_content() == "Passed: "
    assert "✔ Correct" in status.inner_text()


def _typed_forms(p) -> list:
    if isinstance(p["expected"], bool):
        yes = ["True", '"true"', '"T"', '"yes"', '"True."']
        no = ["False", '"false"', '"F"', '"no"']
        return yes if p["expected"] else no
    if len(p["expected"]) == 1:
        c = p["expected"][0]
        return [f'"({c})"', f'"{c}."', f'"{c.upper()}"', f'"{c})"', f'"option {c}"']
    b, d = p["expected"][:2]
    return [f'"{b} and {d}"', f'"({b}), ({d})"', f'["{b}", "{d}"]'] if len(p["expected"]) == 2 else \
        [repr(", ".join(p["expected"]))]


def test_choice_by_each_typed_form(page, choices, shot):
    for kind in ("one", "many", "tf"):
        p = choices[kind]
        cell = code_cell(page, f'submit("{p["id"]}"')
        forms = _typed_forms(p)
        source = "for answer in [" + ", ".join(forms) + f']:\n    print(answer, "->", submit("{p["id"]}", answer).headline)'
        set_source(page, cell, source)
        out = run_cell(page, cell)
        lines = [line for line in out.splitlines() if "->" in line]
        assert len(lines) == len(forms) and all("✅ Correct" in line for line in lines), out
    shot(page, "typed-forms")


def test_a_label_that_is_no_option_is_not_checked_nor_recorded(page, plan, choices, shot):
    p = choices["one"]
    key = f"{plan.set_id}/{p['id']}"
    before = progress_records(page, ROOT_PATH).get(key, {}).get("attempts", 0)
    cell = code_cell(page, f'submit("{p["id"]}"')
    set_source(page, cell, f'answer = "(zz)"\nsubmit("{p["id"]}", answer)')
    out = run_cell(page, cell)
    assert "Not checked" in out and "is not an option" in out and "its options are" in out, out
    assert "unchecked" in verdict(cell).get_attribute("class").split()
    page.wait_for_timeout(1000)
    assert progress_records(page, ROOT_PATH).get(key, {}).get("attempts", 0) == before
    shot(page, "label-not-an-option")


def test_a_missing_argument_is_one_line(page, plan):
    cell = code_cell(page, f'submit("{plan.compute.id}"')
    set_source(page, cell, f'submit("{plan.compute.id}")')
    out = run_cell(page, cell)
    assert "has no answer" in out and "Traceback" not in out and "TypeError" not in out, out


def test_reset_puts_one_cell_back_to_its_starter(page, plan, choices, shot):
    p = choices["one"]
    other = code_cell(page, f'submit("{plan.compute.id}"')
    other_text = other.locator(".cm-content").inner_text()
    cell = code_cell(page, f'submit("{p["id"]}"')
    set_source(page, cell, "reset()")
    out = run_cell(page, cell)
    assert "back to its starter" in out, out
    page.wait_for_function(
        """(pid) => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .cm-content')]
            .some(c => c.innerText.startsWith('answer = ""') && c.innerText.includes(`submit("${pid}"`))""",
        arg=p["id"], timeout=10_000)
    assert other.locator(".cm-content").inner_text() == other_text, "reset touched another cell"
    cell.scroll_into_view_if_needed()
    shot(page, "cell-reset")


def test_a_code_check_without_numpy_is_not_checked(page, plan, shot):
    if plan.code is None:
        pytest.fail("the chosen set has no NumPy code problem")
    pid = plan.code.id
    cell = code_cell(page, f'submit("{pid}"')
    call = next(line for line in cell.locator(".cm-content").inner_text().splitlines()
                if line.startswith(f'submit("{pid}"'))
    entry = call.split(",", 1)[1].strip(" )")
    # a pure-Python definition: nothing imports NumPy before submit asks for it
    set_source(page, cell, f"def {entry}(*args, **kwargs):\n    return 0\n\n{call}")
    out = run_cell(page, cell, timeout_ms=180_000)
    if PYODIDE_DIST:
        assert "failed" in verdict(cell).get_attribute("class").split(), out
    else:
        assert "Not checked" in out and "NumPy" in out, out
        assert "unchecked" in verdict(cell).get_attribute("class").split()
        assert f"{plan.set_id}/{pid}" not in progress_records(page, ROOT_PATH)
    shot(page, "numpy-not-checked")


def test_notebook_passes_axe_on_our_markup(page, axe_source):
    found = serious_violations(page, axe_source, OURS)
    assert not found, json.dumps(found, indent=1)


def test_back_to_the_list_of_sets_by_the_link(page, server, shot):
    page.locator(".jp-Notebook .jp-MarkdownCell").first.scroll_into_view_if_needed()
    page.locator(".jp-Notebook .jp-MarkdownCell a", has_text="All problem sets").first.click()
    page.wait_for_url(server.base, timeout=30_000)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    shot(page, "back-on-landing", full_page=True)


def test_a_matrix_problem_on_a_phone(browser, server, built, artifacts):
    manifest = json.loads((built[0] / "manifest.json").read_text(encoding="utf-8"))
    matrix_set = next((s for s in manifest["sets"] if "matri" in s["id"]), manifest["sets"][0])
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    open_notebook(page, server.base, matrix_set["notebook"])
    # the notebook's cells arrive in batches: wait until a matrix cell is among them (a timeout here
    # means the set has none)
    page.wait_for_function("() => (window.jupyterapp?.shell.currentWidget?.content?.widgets || [])"
                           ".some((w) => w.model.sharedModel.getSource().includes('bmatrix'))",
                           timeout=60_000)
    index = page.evaluate("""async () => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const i = notebook.widgets.findIndex((w) => w.model.sharedModel.getSource().includes('bmatrix'));
        if (i >= 0) await notebook.scrollToItem(i, 'start');
        return i;
    }""")
    assert index >= 0, f"no matrix in {matrix_set['id']}"
    matrix = page.locator(".jp-Notebook mjx-container").filter(has=page.locator("mjx-mtable")).first
    matrix.wait_for(timeout=60_000)
    matrix.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    Shots(artifacts, "phone")(page, "matrix-390px")
    overflow = page.evaluate("""() => {
        const doc = document.scrollingElement;
        const panel = document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-Notebook');
        return {page: doc.scrollWidth - doc.clientWidth, panel: panel.scrollWidth - panel.clientWidth};
    }""")
    context.close()
    assert overflow["page"] <= 0 and overflow["panel"] <= 1, overflow


def test_start_a_whole_set_again_keeps_the_work_and_the_progress(page, server, plan, choices, shot):
    item = page.locator(f'li.wb-set[data-set="{plan.set_id}"]')
    solved = int(item.locator(".wb-progress-text").get_attribute("data-solved"))
    assert solved >= 2, item.inner_text()
    needs = item.locator(".wb-numpy")
    if PYODIDE_DIST:
        assert needs.count() == 0
    else:
        assert "one-time download of NumPy" in needs.inner_text() and plan.code.id in needs.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator(".wb-restart-button").click()
    page.wait_for_selector(f'li.wb-set[data-set="{plan.set_id}"] .wb-copies a', timeout=10_000)
    kept = item.locator(".wb-copies a").first.inner_text()
    assert kept.startswith(f"{plan.set_id} (my copy ") and kept.endswith(".ipynb")
    assert int(item.locator(".wb-progress-text").get_attribute("data-solved")) == solved
    assert item.locator("a.wb-open").inner_text() == "Start"
    shot(page, "set-started-again", full_page=True)

    open_notebook(page, server.base, plan.notebook)
    cell = code_cell(page, f'submit("{choices["many"]["id"]}"')
    assert 'answer = ""' in cell.locator(".cm-content").inner_text()
    open_notebook(page, server.base, kept)
    cell = code_cell(page, f'submit("{choices["many"]["id"]}"')
    assert "for answer in [" in cell.locator(".cm-content").inner_text()  # as test_choice_by_each_typed_form left it


def test_a_diagram_on_a_phone_keeps_its_size_and_scrolls_in_its_cell(browser, server, built, artifacts):
    manifest = json.loads((built[0] / "manifest.json").read_text(encoding="utf-8"))
    # a set whose diagrams carry the author's accTitle (the image's alt text)
    with_diagram = [s for s in manifest["sets"]
                    if "accTitle" in (built[0] / "files" / s["notebook"]).read_text(encoding="utf-8")]
    assert with_diagram, "no set has a described diagram"
    page = new_learner_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                            is_mobile=True, has_touch=True)
    open_notebook(page, server.base, with_diagram[0]["notebook"])
    # the notebook's cells arrive in batches: wait until the described diagram is among them
    page.wait_for_function("() => (window.jupyterapp?.shell.currentWidget?.content?.widgets || [])"
                           ".some((w) => w.model.sharedModel.getSource().includes('accTitle'))",
                           timeout=60_000)
    page.evaluate("""async () => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const i = notebook.widgets.findIndex((w) => w.model.sharedModel.getSource().includes('accTitle'));
        await notebook.scrollToItem(i, 'start');
    }""")
    image = page.locator(".jp-RenderedMermaid img").first
    image.wait_for(timeout=60_000)
    image.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    Shots(artifacts, "phone")(page, "diagram-390px")
    sizes = image.evaluate("""(img) => ({drawn: img.getBoundingClientRect().width, natural: img.width,
        alt: img.alt, page: document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth})""")
    page.context.close()
    assert sizes["drawn"] >= sizes["natural"] - 1, sizes  # not shrunk to the screen
    assert sizes["alt"] and sizes["alt"] != "Image", sizes  # the author's accTitle
    assert sizes["page"] <= 0, sizes
