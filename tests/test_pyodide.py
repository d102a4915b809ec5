"""The grader where students run it: inside Pyodide with NumPy, from the site's own wheel and lock.

One Node process (tests/in_pyodide/run_grader.js) loads Pyodide, loads `numpy` and `workbook` by name
from a lock staged as the site stages it, and judges every case:
- every registry check: its reference implementation (compiled as a learner's cell) passes, and
  every known mistake the check recognises fails, as do a few wrong training submissions;
- every problem of the compiled content through `load_set(set).submit` (answers read from the
  wheel): each code problem's solution passes and its starter fails; each compute and choice key
  passes.
The same keys are also judged on the Pyodide 314 the site ships by default, which has no NumPy here.

Which Pyodide: see tests/in_pyodide/runtime.py (npm Pyodide 0.27.7 with its official NumPy here;
the full Pyodide 314 distribution of `$WORKBOOK_PYODIDE_DIST` in the Pages workflow). The first run
downloads with npm and pip and caches; without them the test fails, it never skips.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from workbook.build.compile import load_content, write_compiled
from workbook.build.model import CODE_KINDS
from workbook.build.site import build_wheel, cache_dir
from workbook.build.site.pyodide import _NpmRuntime
from workbook.build.site.versions import PYODIDE_PYTHON
from workbook.grading import CHECKS

sys.path.insert(0, str(Path(__file__).parent))
from in_pyodide import grade, runtime  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

WRONG_TRAINING = {
    "xor_mlp": [
        "import numpy as np\n\ndef train(X, y, epochs=1000, seed=0):\n"
        "    return lambda X: np.full(len(X), 0.5)\n",
        "from workbook.reference import train as _train\n\ndef train(X, y, epochs=1000, seed=0):\n"
        "    predict = _train(X, y, epochs=epochs, seed=seed)\n    return lambda X: 1 - predict(X)\n",
    ],
    "softmax_classifier": [
        "import numpy as np\n\ndef train_softmax_classifier(X, y, n_classes, epochs=500, seed=0):\n"
        "    return lambda X: np.full((len(X), n_classes), 1.0 / n_classes)\n",
    ],
}
"""Training submissions that must fail: a `predict` that ignores X, one that learned the opposite."""


def registry_cases() -> list[dict]:
    cases = []
    for name in CHECKS:
        cases.append({"id": f"{name}: reference", "check": name, "reference": True, "expect": True})
        for i, _ in enumerate(grade.known_mistakes(name)):
            cases.append({"id": f"{name}: known mistake {i}", "check": name, "mistake": i, "expect": False})
        for i, source in enumerate(WRONG_TRAINING.get(name, ())):
            cases.append({"id": f"{name}: wrong training {i}", "check": name, "source": source, "expect": False})
    return cases


def content_cases(sets) -> list[dict]:
    cases = []
    for problem_set in sets:
        for p in problem_set.problems:
            where = {"set": problem_set.id, "problem": p.id}
            if p.kind in CODE_KINDS:
                for role, expect in (("solution", True), ("starter", False)):
                    cases.append({**where, "id": f"{problem_set.id}:{p.id} {role}", "check": p.check,
                                  "source": getattr(p, role).source, "expect": expect})
            elif p.kind in ("compute", "choice"):
                cases.append({**where, "id": f"{problem_set.id}:{p.id} key", "answer": p.expected, "expect": True})
    return cases


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    sets, errors = load_content(CONTENT)
    assert [str(e) for e in errors] == []
    out = tmp_path_factory.mktemp("compiled")
    write_compiled(sets, out)
    return sets, {s.id: out / "answers" / f"{s.id}.json" for s in sets}


@pytest.fixture(scope="module")
def run(content, tmp_path_factory):
    """The whole job, judged in one Node process: {"cases": {id: case}, "result": ...}."""
    sets, answers = content
    tmp = tmp_path_factory.mktemp("pyodide")
    cache = cache_dir()
    wheel = build_wheel(tmp / "wheel", answers)
    index = runtime.stage(tmp / "pyodide", runtime.resolve_runtime(cache), wheel, cache)
    cases = registry_cases() + content_cases(sets)
    result = runtime.run_job(index, {"cases": cases, "repeat": 1})
    return {"cases": {c["id"]: c for c in cases}, "result": result}


def wrong_verdicts(run, select) -> list[str]:
    """One paragraph per selected case whose verdict is not the expected one."""
    report = []
    for r in run["result"]["results"]:
        if not select(run["cases"][r["id"]]):
            continue
        if "error" in r:
            report.append(f"{r['id']}: the case itself raised in Pyodide:\n{r['error']}")
        elif r["passed"] != r["expect"]:
            want = "pass" if r["expect"] else "fail"
            report.append(f"{r['id']}: expected to {want}, but Pyodide's verdict was:\n{r['message']}")
    return report


def assert_verdicts(run, select, minimum: int) -> None:
    selected = [c for c in run["cases"].values() if select(c)]
    assert len(selected) >= minimum, f"only {len(selected)} cases selected"
    report = wrong_verdicts(run, select)
    assert not report, f"{len(report)} of {len(selected)} verdicts wrong in Pyodide:\n\n" + "\n\n".join(report)


def test_the_grader_ran_in_pyodide_with_numpy_from_the_site_wheel(run):
    result = run["result"]
    assert result["platform"] == "emscripten"
    assert result["numpy"].startswith("2.")
    # imported from the installed wheel, not from this source tree
    assert "site-packages/workbook/" in result["workbook"], result["workbook"]
    assert str(ROOT) not in result["workbook"]
    assert result["checks"] == len(CHECKS)
    assert sorted(r["id"] for r in result["results"]) == sorted(run["cases"])


def test_every_reference_implementation_passes_its_check(run):
    assert_verdicts(run, lambda c: c.get("reference"), len(CHECKS))


def test_every_known_mistake_and_wrong_training_fails(run):
    assert_verdicts(run, lambda c: "check" in c and "set" not in c and not c.get("reference"), 2 * len(CHECKS))


def test_every_content_solution_passes_and_every_starter_fails(run):
    assert_verdicts(run, lambda c: "set" in c and "source" in c, 80)


def test_every_compute_and_choice_key_passes_through_submit(run):
    assert_verdicts(run, lambda c: "answer" in c, 150)


def test_answers_grade_in_the_sites_own_pyodide_without_numpy(content, tmp_path):
    """The Pyodide the site ships by default (npm 314, NumPy left to a CDN not reached here): the
    wheel loads from a lock staged as the site's, and every compute and choice key passes on it."""
    sets, answers = content
    cache = cache_dir()
    wheel = build_wheel(tmp_path / "wheel", answers)
    index = runtime.stage(tmp_path / "pyodide", _NpmRuntime(cache), wheel, cache)
    cases = [c for c in content_cases(sets) if "answer" in c]
    result = runtime.run_job(index, {"cases": cases, "packages": ["workbook"]})
    assert (result["platform"], result["python"].rpartition(".")[0], result["numpy"]) == \
        ("emscripten", PYODIDE_PYTHON, None)
    assert_verdicts({"cases": {c["id"]: c for c in cases}, "result": result}, lambda c: True, 150)


def test_a_wrong_verdict_is_reported_with_the_case_and_the_message(run):
    """The report names the case, what was expected and Pyodide's message (checked on a flipped copy)."""
    flipped = copy.deepcopy(run)
    first = flipped["result"]["results"][0]
    first["expect"] = not first["expect"]
    report = wrong_verdicts(flipped, lambda c: True)
    assert len(report) == 1
    assert report[0].startswith(f"{first['id']}: expected to ")
    assert first["message"] in report[0]
