"""The parser and validator: fixture files of bad content with their expected `line: message`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.build.errors import ContentErrors
from workbook.build.parse import parse_file, parse_text, read_set
from workbook.build import validate
from workbook.build.validate import validate_set, warn_set

FIXTURES = Path(__file__).parent / "fixtures"
ERROR_CASES = sorted(p.stem for p in (FIXTURES / "errors").glob("*.md"))


def content_errors(path: Path) -> list[str]:
    """Every error and warning `check` reports for one file, as `line: message`."""
    problem_set, errors = read_set(path)
    if problem_set is not None:
        errors += validate_set(problem_set)
        errors += warn_set(problem_set)
    assert all(e.path == str(path) for e in errors)
    return [f"{e.line}: {'warning: ' * e.warning}{e.message}" for e in sorted(errors)]


@pytest.fixture
def short_block_budget(monkeypatch):
    """Stop a runaway instructor block after 2 s rather than the default, to keep the suite fast."""
    monkeypatch.setattr(validate, "BLOCK_SECONDS", 2.0)


@pytest.mark.parametrize("name", ERROR_CASES)
def test_bad_content_reports_every_expected_error(name, short_block_budget):
    path = FIXTURES / "errors" / f"{name}.md"
    expected = (FIXTURES / "errors" / f"{name}.expected").read_text().splitlines()
    assert content_errors(path) == expected


def test_every_error_case_has_its_expectation():
    assert len(ERROR_CASES) >= 25
    for name in ERROR_CASES:
        assert (FIXTURES / "errors" / f"{name}.expected").exists(), name


def summarise(problem_set) -> dict:
    return {
        "id": problem_set.id, "title": problem_set.title, "summary": problem_set.summary,
        "tags": list(problem_set.tags), "order": problem_set.order,
        "items": [
            {"markdown": item.line} if not hasattr(item, "kind") else {
                "id": item.id, "kind": item.kind, "line": item.line, "end_line": item.end_line,
                "title": item.title, "tags": list(item.tags), "hints": len(item.hints),
                "explanation": item.explanation is not None, "check": item.check,
                "answer": list(item.answer) if isinstance(item.answer, tuple) else item.answer,
                "choices": [c.label for c in item.choices], "expected": item.expected,
                "blocks": [role for role in ("answer_block", "starter", "solution") if getattr(item, role)],
            } for item in problem_set.items
        ],
    }


def test_sample_set_parses_into_the_expected_model():
    path = FIXTURES / "sample" / "01-sample.md"
    problem_set = parse_file(path)
    assert validate_set(problem_set) == []
    expected = json.loads((FIXTURES / "valid" / "01-sample.model.json").read_text())
    assert summarise(problem_set) == expected


def test_prompt_keeps_markdown_and_drops_blocks_and_directives():
    problem = parse_file(FIXTURES / "sample" / "01-sample.md").problems
    k1 = next(p for p in problem if p.id == "K1")
    assert "relu_backward(dz, z)" in k1.prompt
    assert "```" not in k1.prompt and ":::" not in k1.prompt and ":check:" not in k1.prompt
    assert k1.starter.line == 106 and "return None" in k1.starter.source
    q1 = next(p for p in problem if p.id == "Q1")
    assert "- (a) sigmoid" in q1.prompt  # the options stay visible to the learner


HEAD = "---\ntitle: T\nsummary: S\ntags: [t]\n---\n\nIntro.\n\n"
RECALL = "::::{problem} R1\n:kind: recall\n\nWhat does this print?\n\n```python\nprint(1)\n```\n\n" \
         ":::{hint}\nRun it.\n:::\n\n:::{answer}\n1\n:::\n::::\n"


def test_plain_python_fence_stays_in_the_prompt():
    (problem,) = parse_text(HEAD + RECALL, "t.md").problems
    assert "```python\nprint(1)\n```" in problem.prompt


def test_a_utf8_byte_order_mark_is_accepted():
    problem_set = parse_text("\ufeff" + HEAD + RECALL, "t.md")
    assert problem_set.title == "T" and [p.id for p in problem_set.problems] == ["R1"]


def test_an_intro_must_be_prose_not_only_a_heading():
    with pytest.raises(ContentErrors) as info:
        parse_text(HEAD.replace("Intro.", "## Part 1") + RECALL, "t.md")
    assert [str(e) for e in info.value.errors] == [
        "t.md:9: the set has no intro: before the first problem, write a paragraph saying what the set "
        "practises and the conventions it uses"]


def test_dollars_in_code_escaped_or_paired_as_maths_are_accepted():
    prose = "Costs `$3` or \\$4; maths $x$ and $$\\sum_i x_i$$ and $a$\nacross $b$ lines.\n\n"
    assert parse_text(HEAD + prose + RECALL, "t.md").title == "T"


def test_a_long_failure_keeps_its_head_and_the_failing_inputs_at_its_tail():
    from workbook.grading.result import Block, Result
    case = "z = array([" + ", ".join(str(i) for i in range(2000)) + "])"
    result = Result(False, "1 of 10 cases failed", blocks=(
        Block("What went wrong", "Your result differs at index 1999.", code=False),
        Block("Failing case", "a long input\n" + case)), hint="Look at the last entry.")
    text = validate.describe_failure(result)
    assert len(text) <= 1200
    assert text.startswith("1 of 10 cases failed | What went wrong: Your result differs at index 1999.")
    assert text.endswith("1998, 1999]) | Hint: Look at the last entry.")
    assert " ... " in text


def test_errors_are_collected_across_a_file_not_stopped_at_the_first():
    got = content_errors(FIXTURES / "errors" / "many-errors.md")
    assert [g.split(":")[0] for g in got] == ["9", "21", "32"]


def test_a_problem_with_errors_is_left_out_but_the_rest_of_the_set_is_kept():
    problem_set, errors = read_set(FIXTURES / "errors" / "duplicate-id.md")
    assert len(errors) == 1
    assert [p.id for p in problem_set.problems] == ["R1"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_parses_or_raises_content_errors_only(text):
    try:
        parse_text(text, "fuzz.md")
    except ContentErrors as exc:
        assert exc.errors and all(e.line >= 1 for e in exc.errors)


PIECES = [
    "---\n", "title: T\n", "tags: [a, b]\n", "order: x\n", "::::{problem} K1\n", "::::{problem}\n",
    ":::{problem} Z\n", "::::\n", ":::\n", ":::{hint}\n", ":::{answer}\n", ":::{nope}\n", ":kind: code\n",
    ":kind: compute\n", ":kind: choice\n", ":kind: recall\n", ":answer: [1, 2]\n", ":answer: a, b\n",
    ":answer: true\n", ":rtol: -1\n", ":check: relu\n", ":tags: x, y\n", "- (a) one\n", "- two\n",
    "```python answer\n", "```python starter\n", "```python\n", "```\n", "1 + 1\n", "$$\n", "text\n", "\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_directive_soup_parses_or_raises_content_errors_only(pieces):
    try:
        problem_set = parse_text("".join(pieces), "soup.md")
    except ContentErrors as exc:
        assert exc.errors and all(e.line >= 1 for e in exc.errors)
    else:
        assert problem_set.title == "T"
