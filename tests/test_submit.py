"""`submit(problem_id, answer)` as a learner calls it in a notebook, against a built answers folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbook import load_set
from workbook.build.cli import main

SAMPLE = Path(__file__).parent / "fixtures" / "sample"


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("submit") / "site"
    assert main(["build", "--content", str(SAMPLE), "--output", str(out), "--notebooks-only"]) == 0
    return out / "answers"


@pytest.fixture
def submit(answers, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANSWERS", str(answers))
    return load_set("01-sample").submit


def test_compute_wrong_then_right(submit):
    wrong = submit("C1", 0.5)
    assert not wrong.passed
    right = submit("C1", 0.25)
    assert right.passed
    assert submit("C1", 0.2501).passed  # within the default tolerance for 3 significant figures


def test_compute_matrix_shape_is_explained(submit):
    assert submit("C2", [[19, 22], [43, 50]]).passed
    result = submit("C2", [19, 22, 43, 50])
    assert not result.passed
    assert "vector of 4 numbers" in str(result) and "2×2 matrix" in str(result)


def test_unanswered_cell_says_so(submit):
    result = submit("C1", ...)
    assert not result.passed and "answer" in str(result).lower()


def test_choice_labels_and_true_false(submit):
    assert submit("Q1", " C, b ").passed
    assert not submit("Q1", "b").passed
    assert submit("TF1", False).passed
    assert submit("TF1", "false").passed
    assert not submit("TF1", True).passed


def test_code_problem_runs_its_check(submit):
    def relu_backward(dz, z):
        return dz * (np.asarray(z) > 0)

    def off_by_boundary(dz, z):
        return dz * (np.asarray(z) >= 0)

    assert submit("K1", relu_backward).passed
    result = submit("K1", off_by_boundary)
    assert not result.passed and "0" in str(result)


def test_unknown_problem_is_feedback_not_an_exception(submit):
    result = submit("NOPE", 1)
    assert not result.passed
    assert "NOPE" in str(result) and "C1" in str(result)


def test_load_set_names_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBOOK_ANSWERS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LookupError, match="no answer data for problem set 'missing'"):
        load_set("missing")


def test_answers_found_beside_the_notebook(answers, monkeypatch):
    monkeypatch.delenv("WORKBOOK_ANSWERS", raising=False)
    monkeypatch.chdir(answers.parent)
    assert load_set("01-sample").submit("C1", 0.25).passed


def test_importing_workbook_and_answer_checks_need_no_numpy(answers):
    code = (
        "import sys; sys.modules['numpy'] = None\n"  # any import of numpy now fails
        "from workbook import load_set\n"
        "submit = load_set('01-sample').submit\n"
        "assert submit('C1', 0.25).passed and not submit('C1', 1).passed\n"
        "assert submit('Q1', 'b, c').passed\n"
        "r = submit('K1', lambda dz, z: dz)\n"
        "assert not r.passed and 'NumPy' in str(r), str(r)\n"
        "print('ok')\n"
    )
    env = {"WORKBOOK_ANSWERS": str(answers), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr
