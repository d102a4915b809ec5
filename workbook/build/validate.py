"""Validate parsed problems by running their code: answer blocks, solutions and starters."""

from __future__ import annotations

import ast
import contextlib
import io
import math
import warnings

from .. import grading
from ..grading.budget import Budget, BudgetExceeded
from .errors import ContentError
from .model import CODE_KINDS, Problem, ProblemSet
from .parse import is_numeric, find_prompt_numbers, suggest, to_plain

BLOCK_SECONDS = 20.0
"""Time budget for running one answer, starter or solution block at build time.

The grading budget (`sys.settrace`, no threads or subprocesses) is used rather than a subprocess
per block: the content has hundreds of blocks and a fresh interpreter importing NumPy for each would
make `check` many times slower. Like the grader, it cannot interrupt one long call into C (a huge
`np.dot`, `time.sleep`): a runaway Python loop is stopped, a runaway C call is waited for."""


def validate_set(problem_set: ProblemSet) -> list[ContentError]:
    """Check every problem of the set, resolving `problem.expected`; return the errors found."""
    errors: list[ContentError] = []
    for problem in problem_set.problems:
        for line, message in _validate_problem(problem):
            errors.append(ContentError(problem.path, line, f"problem '{problem.id}': {message}"))
    return errors


def warn_set(problem_set: ProblemSet) -> list[ContentError]:
    """Return warnings about validated problems: things that are allowed but probably unmeant."""
    return [ContentError(p.path, line, f"problem '{p.id}': {message}", warning=True)
            for p in problem_set.problems for line, message in _warn_close_to_prompt(p)]


def _warn_close_to_prompt(p: Problem):
    """Warn where a number the prompt gives would pass as (an entry of) the answer without being it:
    an answer that ignores the effect the problem teaches (a small decay, a forgotten bias) would pass."""
    if p.kind != "compute" or p.expected is None:
        return
    entries = list(_flatten(p.expected))
    for line, text in find_prompt_numbers(p):
        number = float(text)
        for index, value in enumerate(entries):
            # A difference below a millionth is rounding noise (an epsilon), not an effect to teach.
            if not math.isclose(number, value, rel_tol=1e-6) and grading.check_answer(number, value, **_tolerances(p)).passed:
                which = "the answer" if len(entries) == 1 else f"entry {index + 1} of the answer"
                yield line, (f"the prompt's number {text} would be accepted as {which}, {value:.6g}: the "
                             "tolerance cannot tell them apart, so an answer that misses what the problem "
                             "teaches may pass; ask for more figures (`:sigfigs:`), set `:rtol:`/`:atol:`, "
                             "or change the numbers")
                break


def _flatten(value):
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


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
    try:
        value = to_plain(run_answer_block(p.answer_block.source, p.path, p.answer_block.line))
    except Exception as exc:  # the instructor's code: report it, whatever it raised
        yield p.answer_block.line, f"the answer block raised {_describe(exc, p.path)}"
        return
    except BudgetExceeded:
        yield p.answer_block.line, _too_slow("answer")
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
        try:
            _run(_at_line(block.source, block.line), p.path, namespace)
        except Exception as exc:  # the instructor's code: report it, whatever it raised
            yield block.line, f"the {role} block raised {_describe(exc, p.path)}"
            continue
        except BudgetExceeded:
            yield block.line, _too_slow(role)
            continue
        if not callable(namespace.get(entry)):
            yield block.line, f"the {role} block must define `{entry}` for check '{p.check}'"
            continue
        result = grading.check(p.check, namespace[entry])
        if role == "solution" and not result.passed:
            yield block.line, f"the solution fails check '{p.check}': {describe_failure(result)}"
        elif role == "starter" and result.passed:
            if p.kind == "debug":
                yield block.line, (f"the buggy starter passes check '{p.check}', so the bug is not "
                                   "caught: make the bug one the check detects")
            else:
                yield block.line, (f"the starter already passes check '{p.check}', so the check would "
                                   "be vacuous: leave the function for the learner to finish")


def run_answer_block(source: str, filename: str = "<answer>", line: int = 0):
    """Run an answer block and return the value of its last expression.

    `line` is the block's fence line in `filename`, so tracebacks count lines from the content file."""
    tree = ast.parse(_at_line(source, line), filename)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ValueError("the block does not end with an expression giving the answer")
    last = ast.Expression(tree.body.pop().value)
    namespace: dict = {"__name__": "workbook_answer"}
    budget = Budget(BLOCK_SECONDS)
    _run(tree, filename, namespace, budget)
    with _quiet():
        return budget.run(eval, compile(last, filename, "eval"), namespace)


def _at_line(source: str, line: int) -> str:
    """Pad `source` so its first line is line `line + 1`, as in the content file."""
    return "\n" * line + source


def _run(source, filename: str, namespace: dict, budget: Budget | None = None) -> None:
    code = compile(source, filename, "exec")
    with _quiet():
        (budget or Budget(BLOCK_SECONDS)).run(exec, code, namespace)


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _too_slow(role: str) -> str:
    return (f"the {role} block ran for more than {BLOCK_SECONDS:g} s and was stopped: look for an "
            "endless loop, or make the computation smaller")


def _describe(exc: BaseException, filename: str) -> str:
    """Name the exception and the content-file line where it happened."""
    lineno = exc.lineno if isinstance(exc, SyntaxError) and exc.filename == filename else None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    where = f" at line {lineno}" if lineno else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe_failure(result, limit: int = 1200) -> str:
    """Put a failed check's report on one line: summary, what went wrong, the failing case, the hint.

    The numpy.testing comparison block is left out (it repeats 'what went wrong' at length). A long
    report keeps its head and its tail, like pytest's saferepr: the failing case's inputs come last."""
    parts = [result.summary.replace("; the first is shown below", "")]
    parts += [f"{block.title}: {' / '.join(line.strip() for line in block.text.splitlines() if line.strip())}"
              if block.title else block.text for block in result.blocks
              if not block.title.startswith("Comparison")]
    if result.hint:
        parts.append(f"Hint: {result.hint}")
    text = " | ".join(part for part in parts if part)
    if len(text) <= limit:
        return text
    head = limit * 2 // 5
    return f"{text[:head]} ... {text[-(limit - head - 5):]}"
