"""The learner's side: `submit(problem_id, answer)` finds the problem's data and runs its check.

In the site's kernel `submit` is there from the start (`start_kernel`, run by IPython's start-up):
no cell has to run first. It finds its problem set in the running cell's metadata, which JupyterLab
sends with every execute request (`{"workbook": {"set": ...}}`, written by the build into each
answer cell). `load_set(set_id).submit` binds a set explicitly, for any other Jupyter.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import os
import sys
from importlib import resources
from pathlib import Path

from . import grading

# Bound once at import: a learner who replaces `workbook.grading.check` (or its siblings) in the
# notebook does not change what `submit` runs.
_check_array, _check_answer, _check_choice = grading.check, grading.check_answer, grading.check_choice

ANSWERS_ENV = "WORKBOOK_ANSWERS"
NUMPY_LOADING = ("Not checked: NumPy is being downloaded (once; your browser keeps it). "
                 "Run this cell again in a few seconds.")
NUMPY_MISSING = ("Not checked: NumPy could not be loaded in this browser, so this cell cannot run. "
                 "NumPy is fetched from the Pyodide package server the first time it is needed: check "
                 "your connection and reload the page. Compute and choice problems work without it.")
_MISSING = object()


class ProblemSetAnswers:
    """The answer data of one problem set, as written by the build."""

    def __init__(self, set_id: str, data: dict):
        self.set_id = set_id
        self.title = data.get("title", set_id)
        self.problems: dict[str, dict] = data.get("problems", {})

    def submit(self, problem_id=_MISSING, answer=_MISSING, *extra, **unexpected) -> grading.Result:
        """Check `answer` for problem `problem_id` of this set and record the result."""
        global _last_set
        _last_set = self.set_id
        usage = _usage_error(problem_id, answer, extra, unexpected)
        if usage:
            return grading.Result(False, usage, checked=False)
        result = self._check(problem_id, answer)
        if not result.checked:
            return result
        if result.passed:
            result = _with_next_step(result, self, str(problem_id))
        try:
            from . import progress

            progress.record(self.set_id, problem_id, result)
        except Exception:  # progress is a convenience: never let it hide the verdict
            pass
        return result

    def _check(self, problem_id, answer) -> grading.Result:
        spec = self.problems.get(str(problem_id))
        if spec is None:
            known = ", ".join(sorted(self.problems)) or "none"
            return grading.Result(False, f"Not checked: there is no checkable problem '{problem_id}' in this "
                                         f"set (problems: {known}). Check the id in the submit call.",
                                  checked=False)
        kind = spec["kind"]
        if kind == "compute":
            tolerances = {k: spec[k] for k in ("rtol", "atol", "sigfigs") if k in spec}
            return _check_answer(answer, spec["expected"], **tolerances)
        if kind == "choice":
            return _check_choice(answer, spec["expected"], spec.get("labels"))
        missing = _numpy_unavailable()
        if missing:
            return grading.Result(False, missing, name=str(problem_id), checked=False)
        return _check_array(spec["check"], answer)


def _usage_error(problem_id, answer, extra: tuple, unexpected: dict) -> str | None:
    """Say in one line how `submit` is called, when it was not called that way."""
    call = 'submit("C1", answer): the problem id, then your answer'
    if unexpected:
        return f"Not checked: submit takes no keyword {', '.join(map(repr, unexpected))}; call it as {call}."
    if problem_id is _MISSING:
        return f"Not checked: submit needs the problem id and your answer, as {call}."
    if answer is _MISSING:
        return f"Not checked: submit({problem_id!r}) has no answer; call it as {call}."
    if extra:
        return f"Not checked: submit got {2 + len(extra)} values but takes 2; call it as {call}."
    return None


def _with_next_step(result: grading.Result, answers: ProblemSetAnswers, problem_id: str) -> grading.Result:
    """Add where to go next to a pass: the next checked problem, or back to the list of sets."""
    ids = list(answers.problems)
    later = ids[ids.index(problem_id) + 1:] if problem_id in ids else []
    step = (f"Next: problem {later[0]}, further down." if later else
            "That was the last checked problem of this set: the list of sets is linked at the top.")
    try:
        return dataclasses.replace(result, notes=(*result.notes, step))
    except Exception:  # a pass is a pass even without the pointer
        return result


# ---------------------------------------------------------------------------------------------
# NumPy in the browser: loaded on demand, reported as "not checked" while it cannot be imported

_numpy_state = {"loading": None, "failed": False}


def _numpy_unavailable() -> str | None:
    """Return None when NumPy imports, else why the check cannot run (in Pyodide, start loading it)."""
    try:
        import numpy  # noqa: F401
        return None
    except ImportError:
        pass
    if sys.platform != "emscripten":
        return NUMPY_MISSING
    if _numpy_state["failed"]:
        return NUMPY_MISSING
    if _numpy_state["loading"] is None:
        try:
            import pyodide_js

            def failed(error):
                _numpy_state["failed"] = True

            promise = pyodide_js.loadPackage("numpy")
            promise.catch(failed)
            _numpy_state["loading"] = promise
        except Exception:
            return NUMPY_MISSING
    return NUMPY_LOADING


# ---------------------------------------------------------------------------------------------
# Finding the problem set of a call


_last_set: str | None = None
"""The set of this session's last `load_set` or `submit`: a notebook's kernel serves one notebook."""


def submit(problem_id=_MISSING, answer=_MISSING, *extra, **unexpected) -> grading.Result:
    """Check `answer` for problem `problem_id` of the set this cell belongs to, and record it."""
    try:
        set_id = _set_of_running_cell() or _last_set or _only_set_with(problem_id)
        if set_id is None:
            return grading.Result(False, "Not checked: this cell does not say which problem set it belongs "
                                         "to. Run submit in the problem's own answer cell.", checked=False)
        return load_set(set_id).submit(problem_id, answer, *extra, **unexpected)
    except Exception as exc:  # the learner sees a sentence, never a traceback from the workbook
        return grading.Result(False, f"Not checked: the workbook could not load this set's answers "
                                     f"({grading.result.safe_str(exc, 200)}).", checked=False)


def _set_of_running_cell() -> str | None:
    """Return the `workbook.set` of the running cell's metadata, which JupyterLab sends with the request."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else None
        set_id = (parent or {}).get("metadata", {}).get("workbook", {}).get("set")
        return set_id if isinstance(set_id, str) and set_id else None
    except Exception:
        return None


def _only_set_with(problem_id) -> str | None:
    """Return the one packaged set holding `problem_id`, if exactly one does."""
    try:
        folder = resources.files("workbook").joinpath("_answers")
        owners = [f.name[:-5] for f in folder.iterdir() if f.name.endswith(".json")
                  and str(problem_id) in json.loads(f.read_text(encoding="utf-8")).get("problems", {})]
    except (OSError, ValueError, TypeError):
        return None
    return owners[0] if len(owners) == 1 else None


def load_set(set_id: str) -> ProblemSetAnswers:
    """Find `answers/<set_id>.json`: `$WORKBOOK_ANSWERS`, then the package, then the current folder."""
    global _last_set
    for text in _candidates(set_id):
        if text is not None:
            _last_set = set_id
            return ProblemSetAnswers(set_id, json.loads(text))
    raise LookupError(f"no answer data for problem set '{set_id}': looked in ${ANSWERS_ENV}, "
                      f"the workbook package and ./answers/")


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


# ---------------------------------------------------------------------------------------------
# The kernel's start


def start_kernel() -> None:
    """Make `submit` and `reset` available before any cell runs and explain a missing NumPy.

    Run once by IPython when the site's kernel starts (see workbook/_startup.py). Builtins rather
    than the learner's namespace: `%reset` or `del submit` cannot lose them.
    """
    from . import reset as _reset

    builtins.submit = submit
    builtins.reset = _reset.reset
    _install_numpy_hook()


def _install_numpy_hook() -> None:
    """In the browser, answer a failed `import numpy` with a "not checked" verdict, not a traceback."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        if getattr(value, "name", None) == "numpy" or str(value).endswith("'numpy'"):
            from IPython.display import display

            display(grading.Result(False, NUMPY_MISSING, checked=False))
            return None
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell.set_custom_exc((ModuleNotFoundError,), handler)
