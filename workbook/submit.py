"""The learner's side: `submit(problem_id, answer)` finds the problem's data and runs its check."""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path

from . import grading

ANSWERS_ENV = "WORKBOOK_ANSWERS"
NUMPY_MISSING = ("NumPy could not be loaded in this browser, so this cell cannot run. NumPy is fetched "
                 "from the Pyodide package server the first time it is needed: check your connection and "
                 "reload the page. Compute and choice problems work without it.")


class ProblemSetAnswers:
    """The answer data of one problem set, as written by the build."""

    def __init__(self, set_id: str, data: dict):
        self.set_id = set_id
        self.title = data.get("title", set_id)
        self.problems: dict[str, dict] = data.get("problems", {})

    def submit(self, problem_id: str, answer) -> grading.Result:
        """Check `answer` for problem `problem_id` of this set and record the result."""
        result = self._check(problem_id, answer)
        try:
            from . import progress

            progress.record(self.set_id, problem_id, result)
        except Exception:  # progress is a convenience: never let it hide the verdict
            pass
        return result

    def _check(self, problem_id: str, answer) -> grading.Result:
        spec = self.problems.get(str(problem_id))
        if spec is None:
            known = ", ".join(sorted(self.problems)) or "none"
            return grading.failure(f"There is no checkable problem '{problem_id}' in this set "
                                   f"(problems: {known}). Check the id in the submit call.")
        kind = spec["kind"]
        if kind == "compute":
            tolerances = {k: spec[k] for k in ("rtol", "atol", "sigfigs") if k in spec}
            return grading.check_answer(answer, spec["expected"], **tolerances)
        if kind == "choice":
            return grading.check_choice(answer, spec["expected"])
        return grading.check(spec["check"], answer)


def load_set(set_id: str) -> ProblemSetAnswers:
    """Find `answers/<set_id>.json`: `$WORKBOOK_ANSWERS`, then the package, then the current folder."""
    if sys.platform == "emscripten":
        _explain_missing_numpy()
    for text in _candidates(set_id):
        if text is not None:
            return ProblemSetAnswers(set_id, json.loads(text))
    raise LookupError(f"no answer data for problem set '{set_id}': looked in ${ANSWERS_ENV}, "
                      f"the workbook package and ./answers/")


def _explain_missing_numpy() -> None:
    """In the browser, answer a failed `import numpy` with a sentence instead of a traceback."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        if getattr(value, "name", None) == "numpy" or str(value).endswith("'numpy'"):
            print(NUMPY_MISSING, file=sys.stderr)
            return None
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell.set_custom_exc((ModuleNotFoundError,), handler)


def _candidates(set_id: str):
    name = f"{set_id}.json"
    if os.environ.get(ANSWERS_ENV):
        yield _read(Path(os.environ[ANSWERS_ENV]) / name)
    try:
        yield resources.files("workbook").joinpath("_answers", name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        yield None
    yield _read(Path("answers") / name)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
