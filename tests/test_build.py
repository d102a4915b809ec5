"""End-to-end builds of the sample content: CLI, notebooks, manifest, answers, atomic output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from workbook.build.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "fixtures" / "sample"
ERRORS = Path(__file__).parent / "fixtures" / "errors"


def build(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), "--notebooks-only", *extra])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "site"
    assert build(SAMPLE, out) == 0
    return out


def notebook(built: Path) -> nbformat.NotebookNode:
    return nbformat.read(built / "notebooks" / "01-sample.ipynb", as_version=4)


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"
    assert build(SAMPLE, again) == 0
    for path in sorted(built.rglob("*")):
        if path.is_file():
            assert (again / path.relative_to(built)).read_bytes() == path.read_bytes(), path


def test_every_notebook_validates(built):
    paths = list((built / "notebooks").glob("*.ipynb"))
    assert paths
    for path in paths:
        nbformat.validate(nbformat.read(path, as_version=4))


def test_manifest_describes_sets_and_problems(built):
    manifest = json.loads((built / "manifest.json").read_text())
    (entry,) = manifest["sets"]
    assert entry["id"] == "01-sample" and entry["title"] == "Sample set"
    assert entry["tags"] == ["sample", "activations"] and entry["notebook"] == "01-sample.ipynb"
    assert entry["counts"] == {"recall": 1, "compute": 2, "choice": 2, "code": 1, "debug": 1, "challenge": 1}
    k1 = next(p for p in entry["problems"] if p["id"] == "K1")
    assert k1 == {"id": "K1", "kind": "code", "title": "ReLU backward", "check": "relu_backward",
                  "line": 98, "hints": 1}


def test_notebook_has_one_prompt_per_problem_and_a_cell_per_checkable_problem(built):
    nb = notebook(built)
    roles = [(c.metadata["workbook"].get("problem"), c.metadata["workbook"]["role"]) for c in nb.cells]
    assert roles[0] == (None, "title")
    prompts = [pid for pid, role in roles if role == "prompt"]
    answers = [pid for pid, role in roles if role == "answer"]
    assert prompts == ["R1", "C1", "C2", "Q1", "TF1", "K1", "D1", "X1"]
    assert answers == ["C1", "C2", "Q1", "TF1", "K1", "D1", "X1"]
    k1 = next(c for c in nb.cells if c.metadata["workbook"].get("problem") == "K1")
    assert k1.metadata["workbook"]["line"] == 98


def test_notebook_names_its_source_file_not_the_build_machine_path(built):
    assert notebook(built).metadata["workbook"]["source"] == "01-sample.md"


def test_no_set_up_cell_answer_cells_name_their_set_and_prose_is_read_only(built):
    """`submit` is there from the kernel's start and finds its set in the running cell's metadata."""
    nb = notebook(built)
    for cell in nb.cells:
        meta = cell.metadata
        assert "load_set" not in cell.source
        if cell.cell_type == "markdown":
            assert meta["editable"] is False and meta["deletable"] is False
        else:
            assert meta["workbook"]["role"] == "answer" and meta["workbook"]["set"] == "01-sample"
            assert "editable" not in meta
    q1 = next(c for c in nb.cells if c.metadata["workbook"].get("problem") == "Q1"
              and c.metadata["workbook"]["role"] == "answer")
    tf1 = next(c for c in nb.cells if c.metadata["workbook"].get("problem") == "TF1"
               and c.metadata["workbook"]["role"] == "answer")
    assert q1.metadata["workbook"]["options"] == ["a", "b", "c"]
    assert tf1.metadata["workbook"]["options"] == [True, False]
    title = nb.cells[0].source
    assert title.startswith("[← All problem sets](../?%)") and "Shift+Enter" in title and "reset()" in title


def test_hints_and_worked_answers_are_collapsed(built):
    r1 = next(c for c in notebook(built).cells if c.metadata["workbook"].get("problem") == "R1")
    assert r1.source.count("<details>") == 2
    assert "<summary>Hint</summary>" in r1.source and "<summary>Worked answer</summary>" in r1.source
    assert "so each\ndecision boundary is forced through the origin" in r1.source


def test_answer_cells_have_one_short_submit_line(built):
    for cell in notebook(built).cells:
        if cell.metadata["workbook"]["role"] == "answer":
            calls = [line for line in cell.source.splitlines() if "submit(" in line]
            assert len(calls) == 1 and len(calls[0]) <= 40, cell.source
    code = {c.metadata["workbook"]["problem"]: c.source for c in notebook(built).cells
            if c.metadata["workbook"]["role"] == "answer"}
    assert code["K1"].endswith('submit("K1", relu_backward)')
    assert code["X1"].endswith('submit("X1", sgd_step)')
    assert code["D1"].startswith("import numpy as np") and ">= 0" in code["D1"]  # the bug to fix


def test_no_expected_value_or_solution_is_visible_in_the_notebook(built):
    text = (built / "notebooks" / "01-sample.ipynb").read_text()
    assert "0.25" not in text and "19.0" not in text and "[[19" not in text
    assert "np.where(np.asarray(z) > 0, dz, 0.0)" not in text  # K1's solution
    assert "return w - lr * grad" not in text  # X1's solution
    assert ":answer:" not in text and "b, c" not in text


def test_answers_hold_what_submit_needs_and_no_solutions(built):
    answers = json.loads((built / "answers" / "01-sample.json").read_text())
    problems = answers["problems"]
    assert problems["C1"] == {"kind": "compute", "expected": 0.25}
    assert problems["C2"] == {"kind": "compute", "expected": [[19.0, 22.0], [43.0, 50.0]], "rtol": 1e-6}
    assert problems["Q1"] == {"kind": "choice", "expected": ["b", "c"], "labels": ["a", "b", "c"]}
    assert problems["TF1"]["expected"] is False
    assert problems["K1"] == {"kind": "code", "check": "relu_backward"}
    assert "R1" not in problems
    assert "solution" not in json.dumps(answers)


def test_instructor_key_is_written_beside_the_output_not_inside(built):
    key = json.loads((built.parent / "instructor-key" / "01-sample.json").read_text())
    k1 = next(p for p in key["problems"] if p["id"] == "K1")
    assert "np.where" in k1["solution"]
    assert not any("instructor" in p.name for p in built.rglob("*"))


def test_failed_build_leaves_previous_output_untouched(built, tmp_path, capsys):
    out = tmp_path / "site"
    shutil.copytree(built, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "content"
    bad.mkdir()
    shutil.copy(SAMPLE / "01-sample.md", bad)
    shutil.copy(ERRORS / "many-errors.md", bad)
    assert build(bad, out) == 1
    err = capsys.readouterr().err
    assert "many-errors.md:9: problem 'A' (recall) needs a worked answer" in err
    assert "3 errors in 1 file; nothing was built" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]  # no temporary left over


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_check_reports_all_errors_of_all_files_without_traceback(tmp_path):
    # the one subprocess smoke test of the CLI: a real process, its exit status and its stderr
    for name in ("many-errors", "unknown-check", "no-title"):
        shutil.copy(ERRORS / f"{name}.md", tmp_path)
    proc = run_cli("check", "--content", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert any(line.startswith("unknown-check.md:11: problem 'K1': unknown check 'relu_bakward' "
                               "(did you mean 'relu_backward'?)") for line in lines)
    assert sum(line.startswith("many-errors.md:") for line in lines) == 3
    assert lines[-1] == "6 errors in 3 files"


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the CLI in this process from a folder; return (exit status, stdout, stderr)."""
    def run(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err
    return run


def test_check_passes_on_the_sample(cli):
    status, out, err = cli("check", "--content", str(SAMPLE))
    assert status == 0, err
    assert out.strip() == "1 problem set, 8 problems: all valid"


def test_missing_content_folder_is_a_message_not_a_traceback(cli, tmp_path):
    status, out, err = cli("check", "--content", str(tmp_path / "nope"))
    assert status == 1
    assert "no such content folder" in err and "Traceback" not in err


def test_console_script_is_the_same_cli():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'workbook = "workbook.build.cli:main"' in text


def test_check_prints_warnings_at_their_line_and_still_passes(cli, tmp_path):
    shutil.copy(ERRORS / "close-to-prompt.md", tmp_path)
    status, out, err = cli("check", "--content", str(tmp_path), cwd=tmp_path)
    assert status == 0, err
    assert err.startswith("close-to-prompt.md:12: warning: problem 'C1': the prompt's number 2 would "
                          "be accepted as the answer, 1.998")
    assert out.strip() == "1 problem set, 1 problem: all valid"


def test_a_problem_closed_with_three_colons_fails_the_build(tmp_path, capsys):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ERRORS / "swallowed-problem.md", content)
    assert build(content, tmp_path / "site") == 1
    err = capsys.readouterr().err
    assert "swallowed-problem.md:21: problem 'R1': this `:::` line closes nothing" in err
    assert "swallowed-problem.md:23: problem 'K1' starts inside problem 'R1'" in err
    assert not (tmp_path / "site").exists()


def test_a_diagrams_alt_line_becomes_the_alt_text_screen_readers_read(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    text = (SAMPLE / "01-sample.md").read_text(encoding="utf-8")
    diagram = "```mermaid\nflowchart LR\n  %% alt: the input x feeds the hidden unit h\n  x --> h\n```\n\n"
    first_problem = text.index("::::{problem}")
    (content / "01-sample.md").write_text(text[:first_problem] + diagram + text[first_problem:], encoding="utf-8")
    assert build(content, tmp_path / "site") == 0
    sources = [c.source for c in notebook(tmp_path / "site").cells if "mermaid" in c.source]
    assert len(sources) == 1
    assert "accTitle: the input x feeds the hidden unit h" in sources[0]
    assert "%% alt:" not in sources[0]
