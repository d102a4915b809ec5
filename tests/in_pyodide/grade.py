"""Grade a job of cases with the installed `workbook` package; return the verdicts as JSON.

Runs inside Pyodide (tests/in_pyodide/run_grader.js executes this file, then `run_job(text)`) and,
unchanged, under CPython (bench/bench_pyodide.py, for latencies side by side). Nothing here may
import from the build or the tests: only what the site's wheel holds, the standard library and NumPy.

A job is `{"cases": [...], "repeat": N, "packages": [...]}` (the packages Pyodide loads first, by
default numpy and workbook); each case has an `id`, an `expect`ed verdict and
- `check` with `reference: true` (the reference function, compiled as a learner's cell),
  `mistake: i` (the i-th known mistake the check recognises, see `known_mistakes`) or
  `source` (a learner's cell defining the check's function): judged by `grading.check`;
- or `set` and `problem` with `source` (a content solution or starter) or `answer` (a value):
  judged by `load_set(set).submit(problem, ...)`, the learner's own path, answers from the wheel.
"""

from __future__ import annotations

import functools
import json
import sys
import time
import traceback
from pathlib import Path

MESSAGE_LIMIT = 2000


def known_mistakes(name: str) -> list:
    """The functions reproducing the known mistakes of an array check (none for training checks)."""
    from workbook.grading import registry

    spec = registry.SPECS.get(name)
    return [m.fn for m in getattr(spec, "mistakes", ()) if m.fn is not None]


def run_job(text: str) -> str:
    """Grade every case of the JSON job `text`; return the results as JSON."""
    job = json.loads(text)
    import workbook
    from workbook import grading

    try:
        import numpy
    except ImportError:  # compute and choice problems are graded without it
        numpy = None
    repeat = int(job.get("repeat", 1))
    results = [_run_case(case, repeat) for case in job["cases"]]
    return json.dumps({
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "numpy": numpy.__version__ if numpy else None,
        "workbook": workbook.__file__,
        "checks": len(grading.CHECKS),
        "results": results,
    })


@functools.lru_cache(maxsize=1)
def _reference_cell() -> dict:
    """The reference implementations, compiled as a learner's cell (so the time budget traces them)."""
    from workbook import reference

    return _exec_cell(Path(reference.__file__).read_text(encoding="utf-8"), "reference")


def _exec_cell(source: str, name: str) -> dict:
    """Run `source` as a notebook cell would, in a namespace of its own."""
    namespace: dict = {"__name__": "__main__"}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace


def _candidate(case: dict):
    from workbook.grading import CHECKS

    if "answer" in case:
        return case["answer"]
    entry = CHECKS[case["check"]].entry
    if case.get("reference"):
        return _reference_cell()[entry]
    if "mistake" in case:
        return known_mistakes(case["check"])[case["mistake"]]
    return _exec_cell(case["source"], case["id"])[entry]


def _verdict(case: dict, candidate):
    import workbook
    from workbook import grading

    if "set" in case:
        return workbook.load_set(case["set"]).submit(case["problem"], candidate)
    return grading.check(case["check"], candidate)


def _run_case(case: dict, repeat: int) -> dict:
    out = {"id": case["id"], "expect": case["expect"], "passed": None, "message": "", "seconds": []}
    try:
        candidate = _candidate(case)
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            result = _verdict(case, candidate)
            out["seconds"].append(time.perf_counter() - start)
        out["passed"] = bool(result.passed)
        out["message"] = str(result)[:MESSAGE_LIMIT]
    except BaseException:  # a broken case is reported with its traceback, never ends the job
        out["error"] = traceback.format_exc()[-MESSAGE_LIMIT:]
    return out
