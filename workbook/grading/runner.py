"""The array runner: run every case of an `ArraySpec` against the learner's function, explain the first failure.

When a case fails, the learner's output is compared with each known mistake's output on that case;
the mistake that best explains the failing cases gives the hint.
"""

from __future__ import annotations

import inspect

import numpy as np

from .compare import Comparer, Finding
from .format import format_index, format_number, show_inputs
from .gradcheck import first_difference, numerical_gradient
from .harness import Call, Harness, copy_value
from .lazy import R
from .result import Block, Result, type_name
from .spec import ArraySpec, Case, Gradient, Mistake

GENERIC_EXCEPTION_HINTS = [
    ("ValueError", "truth value of an array", "`if z > 0:` and Python's max() or min() work on single "
     "numbers, not arrays: use np.where(condition, a, b), np.maximum or np.minimum, which work elementwise."),
    ("NameError", "'np' is not defined", "Import NumPy in your cell: `import numpy as np`."),
    ("NameError", "", "Your function uses a name that is not defined: check its spelling, and run the cell "
                      "that defines it."),
    ("NotImplementedError", "", "Replace the `raise NotImplementedError` with your implementation."),
    ("RecursionError", "", "Your function keeps calling itself: check that it does not call its own name."),
    ("ValueError", "broadcast", "Two arrays with incompatible shapes were combined: print their .shape to "
                                "find which."),
    ("ValueError", "matmul", "The inner dimensions of a matrix product do not match: print the shapes."),
    ("ZeroDivisionError", "", "A Python division by zero: NumPy arrays give inf or nan instead; check which "
                              "quantity can be 0."),
]


def arg_names(name: str) -> tuple[str, ...]:
    """The reference function's parameter names."""
    return tuple(inspect.signature(getattr(R, name)).parameters)


def exception_hint(spec: ArraySpec, call: Call, signature: str) -> str | None:
    """The hint for a known exception, if any."""
    exc = call.exception
    if exc is None:
        return None
    kind = type_name(exc)
    message = call.message if isinstance(exc, Exception) else ""
    if kind == "TypeError" and ("positional argument" in message or "unexpected keyword" in message):
        return f"Check your function's signature: it should be `{signature}`."
    for name, text, hint in spec.exception_hints + GENERIC_EXCEPTION_HINTS:
        if kind == name and text in message:
            return hint
    return None


def _matches(mistake: Mistake, comparer: Comparer, case: Case, plain, expected) -> bool:
    try:
        if mistake.test is not None:
            return bool(mistake.test(case, plain))
        wrong = mistake.fn(*copies(case.args))
        # A mistake explains a case only if it gives a wrong answer there.
        return comparer.same(plain, wrong) and not comparer.same(expected, wrong)
    except Exception:  # a mistake that does not apply to this case's shapes
        return False


def mistake_hint(spec: ArraySpec, comparer: Comparer, failures: list[tuple[Case, object, object]]) -> str | None:
    """The hint of the known mistake that best reproduces the learner's outputs on the failing cases.

    `failures` holds (case, the learner's output as plain arrays, the expected output). Mistakes
    matching the first failing case (the one shown) come first; among them, the one matching the
    most failing cases wins, so that a case where two mistakes coincide does not decide alone.
    """
    best, best_score = None, (False, 0)
    for mistake in spec.mistakes:
        matched = [_matches(mistake, comparer, case, plain, expected) for case, plain, expected in failures]
        score = (matched[0], sum(matched))
        if score[1] and score > best_score:
            best, best_score = mistake, score
    return best.hint if best else None


def gradient_note(spec: ArraySpec, case: Case, plain) -> str | None:
    """Compare the learner's gradient(s) with central differences of the forward, for the feedback."""
    grads = spec.gradient if isinstance(spec.gradient, tuple) else (spec.gradient,)
    for grad in grads:
        note = _gradient_note(grad, case, plain) if grad is not None else None
        if note:
            return note
    return None


def _gradient_note(grad: Gradient, case: Case, plain) -> str | None:
    if plain is None or isinstance(plain, tuple) != (grad.part is not None):
        return None
    if grad.part is not None:
        if len(plain) <= grad.part:
            return None
        plain = plain[grad.part]
    x = case.args[grad.wrt] if grad.at is None else grad.at(case.args)
    analytic = np.asarray(plain, dtype=float)
    if analytic.shape != np.shape(x):
        return None
    args = list(copies(case.args))

    def loss(value):
        if grad.at is None:
            args[grad.wrt] = value
        return grad.loss(tuple(args), value)

    numeric = numerical_gradient(np, loss, x)
    kink = grad.kink(case.args) if grad.kink else None
    away = None if kink is None else ~kink
    found = first_difference(np, numeric, analytic, 1e-4, 1e-6, away)
    if found is not None:
        index, count = found
        return (f"your gradient differs from the numerical gradient (central differences of {grad.forward}) "
                f"at index {format_index(index)}: numerical {format_number(numeric[index])}, yours "
                f"{format_number(analytic[index])}" + (f" ({count} entries differ)." if count > 1 else "."))
    if kink is not None and kink.any() and first_difference(np, numeric, analytic, 1e-4, 1e-6) is not None:
        return grad.kink_note
    return None


def copies(args: tuple) -> tuple:
    """Copies of a case's arguments, so that neither the reference nor a mistake can change them."""
    return tuple(copy_value(a) for a in args)


def run_array_check(spec: ArraySpec, candidate, harness: Harness, entry: str) -> Result:
    """Run every case of spec against candidate and describe the first failure."""
    reference = getattr(R, spec.name)
    names = arg_names(spec.name)
    signature = f"{entry}{inspect.signature(reference)}"
    comparer = Comparer(harness, spec.rtol, spec.atol)
    cases = spec.cases()
    failed: list[tuple[Case, Call, Finding | None, object]] = []
    ran = 0
    for case in cases:
        expected = reference(*copies(case.args))
        call = harness.call(candidate, case.args, names[: len(case.args)])
        ran += 1
        if call.timed_out:
            failed.append((case, call, None, expected))
            break
        if not call.ok:
            failed.append((case, call, None, expected))
            continue
        if spec.accept is not None:
            expected = spec.accept(case.args, expected, comparer.to_plain(call.value, spec.output))
        finding = comparer.compare(spec.output, call.value, expected, spec.parts)
        if finding is not None:
            failed.append((case, call, finding, expected))
    random_count = sum("random" in c.tags for c in cases)
    notes = harness.warning_notes()
    if not failed:
        return Result(True, f"passed all {len(cases)} cases ({len(cases) - random_count} hand-picked, "
                            f"{random_count} random).", name=entry, notes=notes)
    return _failure_result(spec, entry, signature, names, comparer, harness, failed, ran, len(cases), notes)


def _failure_result(spec, entry, signature, names, comparer, harness, failed, ran, total, notes) -> Result:
    case, call, finding, _ = failed[0]
    inputs = Block("Failing case", f"{case.label}\n{show_inputs(names, case.args)}")
    blocks = []
    hint = None
    summary = _count(failed, total)
    if failed[-1][1].timed_out and len(failed) > 1:
        summary = summary[:-1] + f" (the check stopped at case {ran}, out of time)."
    if call.timed_out:
        summary = f"ran out of time on case {ran} of {total}."
        blocks += [Block("What went wrong", harness.timeout_sentence(call), code=False), inputs]
    elif call.error is not None:
        blocks += [Block("What went wrong", call.error, code=False), inputs]
        hint = exception_hint(spec, call, signature)
    elif call.mutated is not None:
        blocks += [Block("What went wrong", call.mutated, code=False), inputs]
        hint = spec.mutation_hint
    else:
        blocks += [Block("What went wrong", finding.sentence, code=False), inputs]
        if finding.report:
            blocks.append(Block("Comparison (numpy.testing.assert_allclose)", finding.report))
        plain = comparer.to_plain(call.value, spec.output)
        compared = [(c, comparer.to_plain(k.value, spec.output), e) for c, k, f, e in failed if f is not None]
        hint = finding.hint or mistake_hint(spec, comparer, compared)
        note = gradient_note(spec, case, plain)
        if note:
            blocks.append(Block("Gradient check", note, code=False))
    return Result(False, summary, name=entry, blocks=tuple(blocks), hint=hint, notes=notes)


def _count(failed, total) -> str:
    n = len(failed)
    return f"{n} of {total} cases failed; the first is shown below." if n > 1 else \
        f"1 of {total} cases failed."
