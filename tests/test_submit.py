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


def run_without_numpy(code: str, answers: Path) -> str:
    """Run `code` in a fresh Python where every import of numpy fails; return its stdout."""
    env = {"WORKBOOK_ANSWERS": str(answers), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.modules['numpy'] = None\n" + code],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_importing_workbook_and_answer_checks_need_no_numpy(answers):
    code = (
        "from workbook import load_set\n"
        "submit = load_set('01-sample').submit\n"
        "assert submit('C1', 0.25).passed and not submit('C1', 1).passed\n"
        "assert submit('Q1', 'b, c').passed\n"
        "r = submit('K1', lambda dz, z: dz)\n"
        "assert not r.passed and 'NumPy' in str(r), str(r)\n"
        "print('ok')\n"
    )
    assert run_without_numpy(code, answers) == "ok"


# ----------------------------------------------------------- calls as a learner writes them


@pytest.fixture
def recorded(monkeypatch):
    """The (set, problem, passed) of every result submit records as an attempt."""
    from workbook import progress

    seen = []
    monkeypatch.setattr(progress, "record", lambda s, p, r: seen.append((s, p, r.passed)))
    return seen


@pytest.mark.parametrize("args, words", [
    ((), "needs the problem id and your answer"),
    (("C1",), "submit('C1') has no answer"),
    (("C1", 0.25, 3), "got 3 values but takes 2"),
])
def test_a_missing_or_extra_argument_is_one_line(submit, recorded, args, words):
    result = submit(*args)
    text = str(result)
    assert "\n" not in text and words in text and 'submit("C1", answer)' in text
    assert not result.checked and recorded == []


def test_a_keyword_argument_is_one_line(submit, recorded):
    assert submit("C1", answer=0.25).passed  # the parameter's own name is fine
    result = submit("C1", ans=0.25)
    assert "\n" not in str(result) and "no keyword 'ans'" in str(result)
    assert recorded == [("01-sample", "C1", True)]


def test_only_checked_answers_are_recorded(submit, recorded):
    submit("Q1", "e")  # no such option
    submit("Q1", "option b and c")
    submit("C1", 0.5)
    assert recorded == [("01-sample", "Q1", True), ("01-sample", "C1", False)]


def test_a_pass_points_to_the_next_problem(submit):
    assert "Next: problem C2, further down." in str(submit("C1", 0.25))
    from workbook.submit import ProblemSetAnswers

    last = ProblemSetAnswers("s", {"problems": {"A": {"kind": "compute", "expected": 1},
                                                "B": {"kind": "compute", "expected": 2}}})
    assert "Next: problem B" in str(last.submit("A", 1))
    assert "last checked problem of this set" in str(last.submit("B", 2))
    assert "Next" not in str(last.submit("A", 3))


class _Kernel:
    def __init__(self, metadata):
        self.metadata = metadata

    def get_parent(self):
        return {"header": {}, "metadata": self.metadata}


def _fake_ipython(monkeypatch, metadata):
    import types

    shell = types.SimpleNamespace(kernel=_Kernel(metadata))
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)


def test_submit_finds_its_set_in_the_running_cells_metadata(answers, monkeypatch, recorded):
    """As JupyterLab sends it: the cell's metadata with the execute request, no set-up cell run."""
    import workbook.submit as module

    monkeypatch.setenv("WORKBOOK_ANSWERS", str(answers))
    monkeypatch.setattr(module, "_last_set", None)
    _fake_ipython(monkeypatch, {"workbook": {"set": "01-sample", "problem": "C1", "role": "answer"},
                                "cellId": "C1-answer"})
    assert module.submit("C1", 0.25).passed
    assert recorded == [("01-sample", "C1", True)]


def test_submit_without_any_clue_to_its_set_says_so(monkeypatch, recorded):
    import workbook.submit as module

    monkeypatch.setattr(module, "_last_set", None)
    _fake_ipython(monkeypatch, {})
    result = module.submit("NOT-A-PROBLEM-ANYWHERE", 1)
    assert not result.checked and "which problem set" in str(result)


def test_start_kernel_puts_submit_and_reset_in_builtins(monkeypatch):
    import builtins

    import workbook.submit as module

    monkeypatch.delattr(builtins, "submit", raising=False)
    monkeypatch.delattr(builtins, "reset", raising=False)
    module.start_kernel()
    try:
        assert builtins.submit is module.submit
        assert builtins.reset.__module__ == "workbook.reset"
    finally:
        del builtins.submit, builtins.reset


def test_code_check_without_numpy_is_not_checked_and_not_recorded(answers):
    code = (
        "from workbook import progress, load_set\n"
        "seen = []\n"
        "progress.record = lambda *a: seen.append(a)\n"
        "r = load_set('01-sample').submit('K1', lambda dz, z: dz)\n"
        "assert not r.checked and not r.passed, str(r)\n"
        "assert str(r).startswith('⚠️ K1: Not checked: NumPy could not be loaded'), str(r)\n"
        "assert 'role=\"status\"' in r._repr_html_() and 'Not checked' in r._repr_html_()\n"
        "assert seen == [], seen\n"
        "print('ok')\n"
    )
    assert run_without_numpy(code, answers) == "ok"



def test_replacing_the_graders_entry_points_does_not_change_a_verdict(submit, monkeypatch):
    from workbook import grading

    def lenient(*args, **kwargs):
        return grading.Result(True, "patched")

    for name in ("check", "check_answer", "check_choice"):
        monkeypatch.setattr(grading, name, lenient)
    wrong = [submit("C1", 0.5), submit("Q1", "d"), submit("K1", lambda dz, z: dz)]
    assert [r.passed for r in wrong] == [False, False, False]
    assert all("patched" not in str(r) for r in wrong)
