"""The command line as a course uses it: workbook.toml, paths relative to where it runs, `check FILE`,
`init`, `guide`, the preview server of `serve --watch`, and the site's course-neutral parts."""

from __future__ import annotations

import http.client
import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbook.build.cli import main
from workbook.build.config import DEFAULT_TITLE, ConfigError, load_config
from workbook.build.init import read_guide, write_course
from workbook.build.site.landing import _install_landing_page
from workbook.build.site.lite import _prune, _write_lite_config
from workbook.build.site.server import LiveState, make_server

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample"


# ----------------------------------------------------------------------------------------------
# workbook.toml


def test_without_workbook_toml_the_defaults_are_relative_to_the_current_folder(tmp_path):
    config = load_config(cwd=tmp_path)
    assert (config.title, config.path) == (DEFAULT_TITLE, None)
    assert config.content == tmp_path / "content"
    assert config.output == tmp_path / "_build" / "site"


def test_workbook_toml_folders_are_relative_to_the_toml_not_the_current_folder(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "workbook.toml").write_text('title = "Signals"\ndescription = "Filters, by hand."\n'
                                          'content = "sets"\noutput = "public"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load_config(Path("../course/workbook.toml"), cwd=elsewhere)
    assert (config.title, config.description) == ("Signals", "Filters, by hand.")
    assert config.content == course / "sets"
    assert config.output == course / "public"
    assert config.watched == [course / "sets", course / "workbook.toml"]


@pytest.mark.parametrize("text, expected", [
    ('title = "A"\n\ncolour = "blue"\n',
     "workbook.toml:3: unknown setting 'colour' (known: title, description, content, output)"),
    ('title = "A"\noutput = 3\n',
     "workbook.toml:2: 'output' must be a non-empty string in quotes: where the site is built, "
     "relative to workbook.toml"),
    ('title = "A"\ndescription = Practice\n',
     "workbook.toml:2: not valid TOML: Invalid value (strings need quotes: title = \"My course\")"),
])
def test_workbook_toml_errors_name_the_line(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workbook.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config()
    assert str(info.value) == expected


def test_every_toml_error_is_reported_at_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workbook.toml").write_text('titel = "A"\ncontent = ""\n')
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "workbook.toml:1: unknown setting 'titel'" in err
    assert "workbook.toml:2: 'content' must be a non-empty string" in err


def test_a_named_config_that_does_not_exist_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--config", "nope.toml"]) == 1
    assert "nope.toml: no such file" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# paths resolved against the current folder


def test_relative_paths_are_resolved_against_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sets").symlink_to(SAMPLE, target_is_directory=True)
    assert main(["build", "--content", "sets", "--output", "out/site", "--notebooks-only"]) == 0
    assert (tmp_path / "out" / "site" / "manifest.json").is_file()
    assert (tmp_path / "out" / "instructor-key").is_dir()


def test_build_reads_content_and_output_from_workbook_toml(tmp_path, monkeypatch):
    (tmp_path / "workbook.toml").write_text(f'content = "{SAMPLE}"\noutput = "public"\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert main(["build", "--config", "../workbook.toml", "--notebooks-only"]) == 0
    assert (tmp_path / "public" / "manifest.json").is_file()
    assert not (sub / "public").exists()


# ----------------------------------------------------------------------------------------------
# check FILE...


def test_check_named_files_checks_only_those(tmp_path, capsys):
    good = tmp_path / "good.md"
    good.write_text((SAMPLE / "01-sample.md").read_text())
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter here\n")
    assert main(["check", str(good)]) == 0
    assert capsys.readouterr().out.startswith("1 problem set, ")
    assert main(["check", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"bad\.md:1: ", err)
    assert err.strip().endswith("1 error in 1 file")


def test_check_of_a_missing_file_says_so(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.md")]) == 1
    assert "missing.md: no such file" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# init and guide


def test_init_writes_a_course_that_checks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "signals-101"]) == 0
    course = tmp_path / "signals-101"
    written = sorted(p.relative_to(course).as_posix() for p in course.rglob("*") if p.is_file())
    assert written == [".github/workflows/pages.yml", ".gitignore", "README.md", "content/01-first-steps.md",
                       "requirements.txt", "workbook.toml"]
    assert load_config(cwd=course).title == "Signals 101"
    monkeypatch.chdir(course)
    capsys.readouterr()
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "1 problem set, 6 problems: all valid"
    kinds = re.findall(r"^:kind: (\w+)$", (course / "content" / "01-first-steps.md").read_text(), re.M)
    assert sorted(kinds) == sorted(["recall", "compute", "choice", "code", "debug", "challenge"])


def test_init_quotes_any_title_as_toml(tmp_path):
    write_course(tmp_path / "c", title='Maths "for" ML \\ 2')
    assert load_config(cwd=tmp_path / "c").title == 'Maths "for" ML \\ 2'


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path / "c")]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["notes.txt"]


def test_the_new_course_workflow_checks_builds_and_deploys_only_from_the_default_branch(tmp_path):
    write_course(tmp_path / "c")
    workflow = (tmp_path / "c" / ".github" / "workflows" / "pages.yml").read_text()
    for step in ("pull_request:", "run: workbook check", "workbook build --output _site",
                 "actions/cache/save@v4", "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4"):
        assert step in workflow
    assert "github.event_name != 'pull_request' && github.ref == format(" in workflow


def test_guide_prints_the_authoring_guide(capsys):
    assert main(["guide"]) == 0
    out = capsys.readouterr().out
    assert out == read_guide()
    for heading in ("## The course folder", "### The six kinds", "## A complete example"):
        assert heading in out
    example = re.search(r"## A complete example.*?````markdown\n(.*?)\n````", out, re.S).group(1)
    assert example + "\n" == (ROOT / "workbook" / "build" / "templates" / "content" / "01-first-steps.md").read_text()
    from workbook import grading
    for name, info in grading.CHECKS.items():
        assert f"| `{name}` | `{info.signature}` |" in out
    assert "{{" not in out


def test_the_package_names_no_course(tmp_path):
    """Nothing course-specific is hard-coded: the course's name comes from its workbook.toml."""
    package = ROOT / "workbook"
    hits = [str(p.relative_to(ROOT)) for p in package.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and "DL Foundations" in p.read_text(errors="ignore")]
    assert hits == []
    assert load_config(cwd=ROOT).title == "DL Foundations Workbook"


# ----------------------------------------------------------------------------------------------
# the site's course-neutral parts


def test_landing_page_and_app_name_carry_the_course_title_escaped(tmp_path):
    _install_landing_page(tmp_path, {"sets": []}, "Maths <for> ML & co", "Sums \"by hand\".")
    page = (tmp_path / "index.html").read_text()
    assert "<title>Maths &lt;for&gt; ML &amp; co</title>" in page
    assert "<h1>Maths &lt;for&gt; ML &amp; co</h1>" in page
    assert 'content="Sums &quot;by hand&quot;."' in page
    assert "{{" not in page
    _write_lite_config(tmp_path, "Maths <for> ML & co")
    config = json.loads((tmp_path / "jupyter-lite.json").read_text())
    assert config["jupyter-config-data"]["appName"] == "Maths <for> ML & co"


def test_prune_drops_build_leftovers_but_keeps_what_the_extensions_read(tmp_path):
    leftovers = ["rspack.config.js", "rspack.config.watch.js", "package.json", "jupyter-lite.ipynb",
                 "notebooks/package.json", "notebooks/jupyter-lite.ipynb", "tree/jupyter-lite.ipynb",
                 "static/app.js.map", "SHA256SUMS"]
    kept = ["extensions/@jupyterlite/pyodide-kernel-extension/package.json", "jupyter-lite.json",
            "notebooks/index.html", "files/01-sample.ipynb"]
    for name in leftovers + kept:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    _prune(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(kept)


# ----------------------------------------------------------------------------------------------
# the preview server


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


@pytest.fixture()
def preview(tmp_path):
    site = tmp_path / "site"
    live = LiveState()
    httpd = make_server(site, port=0, live=live)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield site, live, httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_preview_shows_the_errors_until_a_first_build_succeeds(preview):
    site, live, port = preview
    live.failed("content/a.md:3: problem 'K1': unknown kind 'cod'")
    status, _, body = _get(port, "/")
    assert status == 200
    assert b"unknown kind &#x27;cod&#x27;" in body
    assert b'<script type="module" src="/__workbook/live-reload.js?v=0"></script>' in body


def test_preview_pages_load_the_live_script_told_the_build_number(preview):
    site, live, port = preview
    (site / "notebooks").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><html><head><title>t</title></head><body>hi</body></html>")
    (site / "notebooks" / "index.html").write_text("<html><head></head><body>nb</body></html>")
    (site / "manifest.json").write_text('{"sets": []}')
    live.built()
    live.built()
    status, headers, body = _get(port, "/")
    assert body == (b'<!doctype html><html><head><script type="module" src="/__workbook/live-reload.js?v=2"></script>'
                    b"<title>t</title></head><body>hi</body></html>")
    assert headers["Cache-Control"] == "no-cache"
    assert b"live-reload.js?v=2" in _get(port, "/notebooks/index.html?path=a.ipynb")[2]
    assert _get(port, "/manifest.json")[2] == b'{"sets": []}'
    status, headers, body = _get(port, "/__workbook/version")
    assert json.loads(body) == {"version": 2, "errors": ""}
    status, headers, body = _get(port, "/__workbook/live-reload.js")
    assert status == 200 and b"dropOutdatedCopies" in body
    live.failed("boom")
    assert json.loads(_get(port, "/__workbook/version")[2]) == {"version": 2, "errors": "boom"}


def test_a_plain_server_injects_nothing(tmp_path):
    (tmp_path / "index.html").write_text("<html><head></head></html>")
    httpd = make_server(tmp_path, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        status, headers, body = _get(httpd.server_address[1], "/")
        assert body == b"<html><head></head></html>"
        assert "Cache-Control" not in headers
        assert _get(httpd.server_address[1], "/__workbook/version")[0] == 404
    finally:
        httpd.shutdown()
        httpd.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _version(port: int) -> dict | None:
    try:
        return json.loads(_get(port, "/__workbook/version")[2])
    except OSError:
        return None


def _wait_for(predicate, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_watch_rebuilds_on_a_change_and_keeps_the_last_good_build(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "content").mkdir()
    source = course / "content" / "01-sample.md"
    source.write_text((SAMPLE / "01-sample.md").read_text())
    (course / "workbook.toml").write_text('title = "Preview"\n')
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--watch", "--notebooks-only",
                             "--port", str(port)], cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        _wait_for(lambda: (_version(port) or {}).get("version") == 1, "the first build")
        notebook = course / "_build" / "site" / "notebooks" / "01-sample.ipynb"
        assert "reworded prompt" not in notebook.read_text()

        text = source.read_text()
        source.write_text(text.replace("\n\n", "\n\nA reworded prompt.\n\n", 1))
        _wait_for(lambda: (_version(port) or {}).get("version") == 2, "the rebuild after an edit")
        assert "reworded prompt" in notebook.read_text()

        source.write_text(text.replace(":kind:", ":kind: nonsense", 1))
        state = _wait_for(lambda: (v := _version(port)) and v["errors"] and v, "the failed build's errors")
        assert state["version"] == 2
        assert re.search(r"01-sample\.md:\d+: .*nonsense", state["errors"])
        assert "reworded prompt" in notebook.read_text(), "the last good build must stay"

        (course / "workbook.toml").write_text('title = "Preview, renamed"\n')
        source.write_text(text)
        _wait_for(lambda: (_version(port) or {}) == {"version": 3, "errors": ""}, "the repaired build")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "serving the last good build" in output


def test_a_change_that_keeps_the_answers_is_patched_into_the_site_as_a_full_build_writes_it(tmp_path):
    from argparse import Namespace

    from workbook.build.cli import SetCache
    from workbook.build.watch import _patch

    course = tmp_path / "course"
    (course / "content").mkdir(parents=True)
    source = course / "content" / "01-sample.md"
    text = (SAMPLE / "01-sample.md").read_text()
    source.write_text(text)
    (course / "workbook.toml").write_text('title = "Patched"\n')
    assert main(["build", "--config", str(course / "workbook.toml")]) == 0
    site = course / "_build" / "site"
    wheel = next((site / "static" / "pyodide").glob("workbook-*.whl")).read_bytes()
    build_before = json.loads((site / "manifest.json").read_text())["build"]

    source.write_text(text.replace("Why does a dense layer carry", "Why, in your words, does a dense layer carry"))
    args = Namespace(key=None, notebooks_only=False, pyodide_dist=None)
    assert _patch(load_config(cwd=course), args, SetCache()) is True
    assert main(["build", "--config", str(course / "workbook.toml"), "--output", str(tmp_path / "full")]) == 0
    full = tmp_path / "full"
    assert "in your words" in (site / "files" / "01-sample.ipynb").read_text()
    assert (site / "files" / "01-sample.ipynb").read_bytes() == (full / "files" / "01-sample.ipynb").read_bytes()
    patched, built = (json.loads((s / "manifest.json").read_text()) for s in (site, full))
    assert patched.pop("build") != build_before  # a new version for the service worker
    built.pop("build")  # a hash of every file, the listing's times included: differs from the patch's
    assert patched == built
    worker = (site / "service-worker.js").read_text()
    assert hashlib.sha256((site / "files" / "01-sample.ipynb").read_bytes()).hexdigest()[:16] in worker
    sizes = [[(e["path"], e["size"]) for e in json.loads((s / "api" / "contents" / "all.json").read_text())["content"]]
             for s in (site, full)]
    assert sizes[0] == sizes[1]
    assert next((site / "static" / "pyodide").glob("workbook-*.whl")).read_bytes() == wheel

    before = (site / "files" / "01-sample.ipynb").read_bytes()
    source.write_text(text.replace(":answer: 0.25", ":answer: 0.25\n:rtol: 0.01"))
    assert main(["check", str(source)]) == 0
    assert _patch(load_config(cwd=course), args, SetCache()) is False, "a new answer needs a new wheel"
    assert (site / "files" / "01-sample.ipynb").read_bytes() == before
