"""Authoring slips never leak a solution: a damaged set either fails `check` or hides its solutions.

Random edits of a valid set, the slips instructors make by hand: a line deleted, a fence given more or
fewer colons or backticks, a fence indented. After any of them, either `check` reports an error, or
the student notebook built from the set contains no line of any solution or answer block that the
undamaged notebook did not already show."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook import grading
from workbook.build.notebook import to_notebook
from workbook.build.parse import _SetParser
from workbook.build.validate import validate_set

SAMPLE = Path(__file__).parent / "fixtures" / "sample" / "01-sample.md"
LINES = SAMPLE.read_text(encoding="utf-8").split("\n")
COLON_LINES = [i for i, line in enumerate(LINES) if line.startswith(":::")]
TICK_LINES = [i for i, line in enumerate(LINES) if line.startswith("```")]
ENTRIES = {name: info.entry for name, info in grading.CHECKS.items()}


def check_and_build(text: str):
    """Return the student notebook's lines, or None when `check` reports an error."""
    problem_set, errors = _SetParser(text, "prop.md", "prop").parse()
    if errors or problem_set is None:
        return None
    if validate_set(problem_set):
        return None
    nb = to_notebook(problem_set, ENTRIES)
    return {line.strip() for cell in nb.cells for line in cell.source.split("\n")}


def secret_lines() -> set[str]:
    """Lines of solution and answer blocks that the intact student notebook does not show."""
    problem_set, errors = _SetParser("\n".join(LINES), "prop.md", "prop").parse()
    assert errors == []
    blocks = [b for p in problem_set.problems for b in (p.solution, p.answer_block) if b is not None]
    lines = {line.strip() for block in blocks for line in block.source.split("\n")}
    return {line for line in lines - check_and_build("\n".join(LINES)) if len(line) > 3}


SECRETS = secret_lines()

edits = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1), st.just(0)),
    st.tuples(st.just("colons"), st.sampled_from(COLON_LINES), st.integers(1, 5)),
    st.tuples(st.just("backticks"), st.sampled_from(TICK_LINES), st.integers(1, 5)),
    st.tuples(st.just("indent"), st.sampled_from(COLON_LINES + TICK_LINES), st.sampled_from([1, 2, 4, -1])),
)


def apply(edit_list) -> str:
    lines: list[str | None] = list(LINES)
    for kind, i, n in edit_list:
        if lines[i] is None:
            continue
        if kind == "delete":
            lines[i] = None
        elif kind == "colons":
            lines[i] = re.sub(r"^:+", ":" * n, lines[i])
        elif kind == "backticks":
            lines[i] = re.sub(r"^`+", "`" * n, lines[i])
        else:
            lines[i] = ("\t" if n < 0 else " " * n) + lines[i]
    return "\n".join(line for line in lines if line is not None)


def test_the_sample_has_secrets_to_leak():
    assert "return np.where(np.asarray(z) > 0, dz, 0.0)" in SECRETS  # K1's solution
    assert "return w - lr * grad" in SECRETS  # X1's solution


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits, min_size=1, max_size=3))
def test_a_damaged_set_fails_check_or_leaks_no_solution(edit_list):
    shown = check_and_build(apply(edit_list))
    if shown is not None:
        assert not shown & SECRETS, (edit_list, sorted(shown & SECRETS))


def test_the_slip_of_issue_8_is_caught():
    """The problem closed with `:::` that swallowed the next one, its solution included."""
    close = next(i for i in COLON_LINES if LINES[i] == "::::" and i > LINES.index("::::{problem} D1"))
    assert check_and_build(apply([("colons", close, 3)])) is None
