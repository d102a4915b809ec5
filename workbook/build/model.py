"""The problem-set model: what the parser produces and the notebook writer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

KINDS = ("recall", "compute", "choice", "code", "debug", "challenge")
"""Every problem kind, in the order instructors usually meet them."""

CODE_KINDS = frozenset({"code", "debug", "challenge"})
"""Kinds whose learner writes a function checked by a grading registry check."""

CHECKED_KINDS = frozenset({"compute", "choice"}) | CODE_KINDS
"""Kinds that get a code cell with a `submit(...)` call."""


@dataclass(frozen=True)
class CodeBlock:
    """A fenced ```python <role>``` block inside a problem."""

    source: str
    """The code, without the fence lines."""
    line: int
    """1-based line of the opening fence."""


@dataclass(frozen=True)
class Choice:
    """One option of a choice problem: `- (label) text`."""

    label: str
    """The label as written, e.g. `iii` or `b`."""
    text: str
    """The option's text after the label."""
    line: int
    """1-based line of the list item."""


@dataclass(frozen=True)
class Markdown:
    """Free Markdown between problems (intro text, section headings)."""

    text: str
    """The Markdown source, verbatim."""
    line: int
    """1-based line where the text starts."""


@dataclass
class Problem:
    """One `::::{problem} ID` directive."""

    id: str
    """The problem's id, unique within its file."""
    kind: str
    """One of KINDS."""
    path: str
    """The source file."""
    line: int
    """1-based line of the opening `::::{problem}` fence."""
    end_line: int
    """1-based line of the closing fence."""
    prompt: str
    """The problem statement in Markdown (options list included, hints and blocks removed)."""
    title: str = ""
    """Optional `:title:`."""
    tags: tuple[str, ...] = ()
    """Optional `:tags:`, comma-separated in the source."""
    hints: tuple[str, ...] = ()
    """The `:::{hint}` bodies, in order."""
    explanation: str | None = None
    """The `:::{answer}` body: the worked answer."""
    answer: Any = None
    """The `:answer:` option, parsed: a number or nested list (compute), bool or labels (choice)."""
    answer_block: CodeBlock | None = None
    """The ```python answer``` block of a compute problem."""
    starter: CodeBlock | None = None
    """The ```python starter``` block: what the learner starts from."""
    solution: CodeBlock | None = None
    """The ```python solution``` block: the reference answer, for the instructor key only."""
    choices: tuple[Choice, ...] = ()
    """The options of a choice problem."""
    check: str | None = None
    """The grading registry check of a code, debug or challenge problem."""
    rtol: float | None = None
    """`:rtol:` override for compute problems."""
    atol: float | None = None
    """`:atol:` override for compute problems."""
    sigfigs: int | None = None
    """`:sigfigs:` for compute problems: significant figures a real answer must match (default 3)."""
    prompt_lines: tuple[tuple[int, str], ...] = ()
    """The prompt's source lines, each with its 1-based line, for messages that point into it."""
    option_lines: dict[str, int] = field(default_factory=dict)
    """1-based line of each `:key:` option, for error messages."""
    expected: Any = None
    """The value a learner's answer is compared with, resolved by validation."""


@dataclass
class ProblemSet:
    """One content file: front matter and a sequence of Markdown and problems."""

    id: str
    """The set id: the file name without `.md`."""
    path: str
    """The source file."""
    title: str
    """Front matter `title` (required)."""
    summary: str = ""
    """Front matter `summary`, shown on the landing page."""
    tags: tuple[str, ...] = ()
    """Front matter `tags`."""
    order: int | None = None
    """Front matter `order`; sets sort by (order, id)."""
    items: list[Union[Markdown, Problem]] = field(default_factory=list)
    """Markdown and problems in source order."""

    @property
    def problems(self) -> list[Problem]:
        """The problems alone, in source order."""
        return [item for item in self.items if isinstance(item, Problem)]

    def sort_key(self) -> tuple:
        """Sets without `order` come after those with one, then by id."""
        return (self.order is None, self.order or 0, self.id)
