"""Validate parsed problems by running their code: answer blocks, solutions and starters."""

from __future__ import annotations

import ast
import contextlib
import io
import warnings

from .. import grading
from .errors import ContentError
from .model import CODE_KINDS, Problem, ProblemSet
from .parse import is_numeric, suggest, to_plain


def validate_set(problem_set: ProblemSet) -> list[ContentError]:
    """Check every problem of the set, resolving `problem.expected`; return the errors found."""
    errors: list[ContentError] = []
    for problem in problem_set.problems:
        for line, message in _validate_problem(problem):
            errors.append(ContentError(problem.path, line, f"problem '{problem.id}': {message}"))
    return errors


def _validate_problem(p: Problem):
    if p.kind == "compute":
        yield from _validate_compute(p)
    elif p.kind == "choice":
        p.expected = p.answer if isinstance(p.answer, bool) else [label.lower() for label in p.answer]
    elif p.kind in CODE_KINDS:
        yield from _validate_code(p)


def _validate_compute(p: Problem):
    p.expected = p.answer
    if p.answer_block is None:
        return
    filename = f"{p.path}:{p.answer_block.line} (answer)"
    try:
        value = to_plain(run_answer_block(p.answer_block.source, filename))
    except Exception as exc:  # the instructor's code: report it, whatever it raised
        yield p.answer_block.line, f"the answer block raised {_describe(exc, filename, p.answer_block.line)}"
        return
    if not is_numeric(value):
        yield p.answer_block.line, (f"the answer block's last expression gave {_short(value)}, "
                                    "not a number or a list of numbers: end the block with the value")
        return
    if p.answer is not None:
        verdict = grading.check_answer(p.answer, value, **_tolerances(p))
        if not verdict.passed:
            yield p.option_lines["answer"], (f"`:answer:` {_short(p.answer)} disagrees with the answer "
                                             f"block's value {_short(value)}: fix one of them")
            return
    p.expected = value


def _tolerances(p: Problem) -> dict:
    return {key: getattr(p, key) for key in ("rtol", "atol", "sigfigs") if getattr(p, key) is not None}


def _validate_code(p: Problem):
    if p.check not in grading.CHECKS:
        yield p.option_lines["check"], (f"unknown check '{p.check}'{suggest(p.check, grading.CHECKS)}; "
                                        f"known checks: {', '.join(sorted(grading.CHECKS))}")
        return
    entry = grading.CHECKS[p.check].entry
    for role in ("solution", "starter"):
        block = getattr(p, role)
        namespace: dict = {"__name__": f"workbook_{role}"}
        filename = f"{p.path}:{block.line} ({role})"
        try:
            _run(block.source, filename, namespace)
        except Exception as exc:  # the instructor's code: report it, whatever it raised
            yield block.line, f"the {role} block raised {_describe(exc, filename, block.line)}"
            continue
        if not callable(namespace.get(entry)):
            yield block.line, f"the {role} block must define `{entry}` for check '{p.check}'"
            continue
        result = grading.check(p.check, namespace[entry])
        if role == "solution" and not result.passed:
            yield block.line, f"the solution fails check '{p.check}': {_first_lines(result)}"
        elif role == "starter" and result.passed:
            if p.kind == "debug":
                yield block.line, (f"the buggy starter passes check '{p.check}', so the bug is not "
                                   "caught: make the bug one the check detects")
            else:
                yield block.line, (f"the starter already passes check '{p.check}', so the check would "
                                   "be vacuous: leave the function for the learner to finish")


def run_answer_block(source: str, filename: str = "<answer>"):
    """Run an answer block and return the value of its last expression."""
    tree = ast.parse(source, filename)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ValueError("the block does not end with an expression giving the answer")
    last = ast.Expression(tree.body.pop().value)
    namespace: dict = {"__name__": "workbook_answer"}
    _run(tree, filename, namespace)
    with _quiet():
        return eval(compile(last, filename, "eval"), namespace)


def _run(source, filename: str, namespace: dict) -> None:
    code = compile(source, filename, "exec")
    with _quiet():
        exec(code, namespace)


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _describe(exc: BaseException, filename: str, first_line: int) -> str:
    """Name the exception and the content-file line of the block where it happened."""
    lineno = exc.lineno if isinstance(exc, SyntaxError) else None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    where = f" at line {first_line + lineno}" if lineno else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _first_lines(result, n: int = 3) -> str:
    lines = [line.strip() for line in str(result).splitlines() if line.strip()]
    return " / ".join(lines[:n])
