"""Time every grading check inside Pyodide (Node, no browser) next to CPython: median of N runs.

    python bench/bench_pyodide.py [--repeat N]

Per check: the passing path (the reference implementation compiled as a learner's cell: every case
runs) and the failing path (the check's first known mistake, or an untrained model for the training
checks: mismatch report, hint search). The same driver (tests/in_pyodide/grade.py) runs in both
interpreters; Pyodide is the one tests/test_pyodide.py uses (npm 0.27.7 with NumPy 2.0.2, or
`$WORKBOOK_PYODIDE_DIST`), loaded from a staging of the site's wheel and lock. Also prints the
Pyodide start-up (runtime, then numpy and workbook) and the whole Node run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from in_pyodide import grade, runtime  # noqa: E402

from workbook.build.site import build_wheel, cache_dir  # noqa: E402
from workbook.grading import CHECKS  # noqa: E402

UNTRAINED = {
    "xor_mlp": "from workbook.reference import train as _t\n\n"
               "def train(X, y, epochs=1000, seed=0):\n    return _t(X, y, epochs=1, seed=seed)\n",
    "softmax_classifier": "from workbook.reference import train_softmax_classifier as _t\n\n"
                          "def train_softmax_classifier(X, y, n_classes, epochs=500, seed=0):\n"
                          "    return _t(X, y, n_classes, epochs=1, seed=seed)\n",
}


def bench_cases() -> list[dict]:
    cases = []
    for name in CHECKS:
        cases.append({"id": f"{name} pass", "check": name, "reference": True, "expect": True})
        if name in UNTRAINED:
            cases.append({"id": f"{name} fail", "check": name, "source": UNTRAINED[name], "expect": False})
        elif grade.known_mistakes(name):  # numerical_gradient and friends have no mistake table
            cases.append({"id": f"{name} fail", "check": name, "mistake": 0, "expect": False})
    return cases


def medians(result: dict) -> dict[str, float]:
    out = {}
    for r in result["results"]:
        if "error" in r or r["passed"] != r["expect"]:
            raise SystemExit(f"{r['id']}: unexpected verdict\n{r.get('error') or r['message']}")
        out[r["id"]] = statistics.median(r["seconds"])
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per check and path (default 5)")
    args = parser.parse_args(argv)
    job = {"cases": bench_cases(), "repeat": args.repeat}

    start = time.perf_counter()
    cpython = json.loads(grade.run_job(json.dumps(job)))
    cpython_total = time.perf_counter() - start

    cache = cache_dir()
    pyodide_runtime = runtime.resolve_runtime(cache)
    with tempfile.TemporaryDirectory(prefix="bench-pyodide-") as tmp:
        wheel = build_wheel(Path(tmp) / "wheel", {})
        index = runtime.stage(Path(tmp) / "pyodide", pyodide_runtime, wheel, cache)
        start = time.perf_counter()
        pyodide = runtime.run_job(index, job)
        node_total = time.perf_counter() - start

    cp, py = medians(cpython), medians(pyodide)
    print(f"{pyodide_runtime.label}: Python {pyodide['python']}, NumPy {pyodide['numpy']}; "
          f"CPython {cpython['python']}, NumPy {cpython['numpy']}; median of {args.repeat} runs, ms")
    print(f"{'check':32} {'pass: CPython':>14} {'Pyodide':>9} {'x':>5}   {'fail: CPython':>14} {'Pyodide':>9} {'x':>5}")
    for name in CHECKS:
        row = [f"{name:32}"]
        for path in ("pass", "fail"):
            c, p = cp[f"{name} {path}"], py[f"{name} {path}"]
            row.append(f"{c * 1000:14.1f} {p * 1000:9.1f} {p / c:5.1f}")
        print(" ".join(row[:1]) + " " + "   ".join(row[1:]))
    array = [n for n in CHECKS if n not in UNTRAINED]
    for label, table in (("CPython", cp), ("Pyodide", py)):
        passing = [table[f"{n} pass"] * 1000 for n in array]
        print(f"{label}: array checks, passing path: median {statistics.median(passing):.1f} ms, "
              f"max {max(passing):.1f} ms")
    t = pyodide["timings"]
    print(f"Pyodide start-up: runtime {t['runtime']:.2f} s, numpy + workbook {t['packages']:.2f} s; "
          f"grading {t['grading']:.2f} s; whole Node run {node_total:.2f} s (CPython grading {cpython_total:.2f} s)")


if __name__ == "__main__":
    main()
