"""A check is one declaration: the registry, the signature and the runner follow from its spec."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from workbook import reference as R
from workbook.grading import CHECKS, cases, registry
from workbook.grading.spec import ArraySpec, TrainingSpec

ROOT = Path(__file__).resolve().parents[1]


def test_the_registry_is_the_specs_in_teaching_order():
    assert list(CHECKS) == [spec.name for spec in cases.SPECS]
    assert list(registry.SPECS) == list(CHECKS)
    for spec in cases.SPECS:
        info = CHECKS[spec.name]
        assert (info.entry, info.budget, info.summary, info.runner) == (spec.entry, spec.budget, spec.summary,
                                                                       spec.runner)


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_signature_is_the_reference_functions(name):
    info = CHECKS[name]
    assert info.signature == f"{info.entry}{inspect.signature(getattr(R, info.entry))}"


@pytest.mark.parametrize("name", list(CHECKS))
def test_every_spec_names_a_runner_that_exists(name):
    module, _, function = CHECKS[name].runner.partition(":")
    assert callable(getattr(importlib.import_module(f"workbook.grading.{module}"), function))


def test_array_and_training_specs_have_their_own_runners():
    runners = {type(spec): spec.runner for spec in cases.SPECS}
    assert runners[ArraySpec] == "runner:run_array_check"
    assert {spec.runner for spec in cases.SPECS if isinstance(spec, TrainingSpec)} == {
        "training:run_xor", "training:run_softmax_classifier"}


def test_the_registry_compares_no_check_name():
    tree = ast.parse(Path(registry.__file__).read_text(encoding="utf-8"))
    compared = {node.value for compare in ast.walk(tree) if isinstance(compare, (ast.Compare, ast.Subscript))
                for node in ast.walk(compare) if isinstance(node, ast.Constant) and node.value in CHECKS}
    assert compared == set()


def test_specs_cannot_be_changed():
    with pytest.raises(AttributeError):
        registry.SPECS["relu"].rtol = 1.0


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_the_case_tables_load_without_numpy():
    proc = _run("import sys\nsys.modules['numpy'] = None\n"
                "from workbook.grading import CHECKS, check\n"
                "import workbook.grading.cases as c\n"
                "assert len(CHECKS) == len(c.SPECS) > 20\n"
                "r = check('relu', None)\n"
                "print(r)\nassert not r.passed\n")
    assert proc.returncode == 0, proc.stderr
    assert "NumPy could not be loaded in this browser" in proc.stdout
