"""What a check is: the spec types the case tables in `cases/` are written in.

A spec is the one declaration of a check. The registry (`registry.CHECKS`) is built from the specs;
the learner-facing signature is read from the reference function of the same name in
`workbook.reference`; each spec names the runner that judges it ("module:function" inside
`workbook.grading`), so the registry dispatches without knowing any check by name.

This module does not import NumPy, and neither do the `cases/` modules at import time: they reach
NumPy and the reference implementations through `lazy.np` and `lazy.R`, so that the registry can be
listed before NumPy is loaded in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ARRAY_BUDGET = 3.0
"""Seconds of learner run time for an array check (all its cases together)."""
TRAINING_BUDGET = 30.0
"""Seconds of learner run time for a training check (XOR, softmax classifier)."""
BEHAVIOUR_BUDGET = 10.0
"""Seconds of learner run time for a check judged by behaviour (numerical gradient, initialiser, Value)."""


@dataclass(frozen=True)
class Case:
    """One set of inputs for the function under test."""

    label: str
    """What the case exercises, shown to the learner when it fails."""
    args: tuple
    """Positional arguments, in the order of the reference signature."""
    tags: frozenset = frozenset()
    """Properties mistakes can key on: 'large' (overflow-prone), 'boundary', 'constant', 'random'."""


@dataclass(frozen=True)
class Mistake:
    """A known mistake: reproduced by `fn(*args)`, or recognised by `test(case, plain)`."""

    hint: str
    fn: Callable | None = None
    test: Callable | None = None


@dataclass(frozen=True)
class Gradient:
    """How to check a backward function against central differences of its forward."""

    loss: Callable
    """loss(args, x) -> float whose gradient in x the learner's function should return."""
    wrt: int
    """Position of x among the arguments."""
    forward: str
    """Name of the forward function, for the feedback."""
    kink: Callable | None = None
    """kink(args) -> boolean mask of entries where finite differences are not meaningful."""
    kink_note: str = ""
    """What to say when the only differences are at the kink."""
    part: int | None = None
    """For a tuple output, which element this gradient is (None: the output is one array)."""
    at: Callable | None = None
    """at(args) -> the point x, when x is not itself an argument (args are then left as they are)."""


@dataclass(frozen=True)
class ArraySpec:
    """Everything needed to check one learner function against its reference `workbook.reference.<name>`."""

    name: str
    """The check's name, also the learner's function name and the reference function's name."""
    cases: Callable[[], list[Case]]
    """Builds the cases (called when the check runs, once NumPy is loaded)."""
    mistakes: list[Mistake] = field(default_factory=list)
    output: str = "array"
    """'array', 'scalar' (one number), 'tuple' (named arrays, see parts) or 'list' (of arrays)."""
    parts: tuple[str, ...] = ()
    exception_hints: list[tuple[str, str, str]] = field(default_factory=list)
    """(exception type name, text in its message, hint)."""
    rtol: float = 1e-5
    atol: float = 1e-8
    gradient: Gradient | tuple[Gradient, ...] | None = None
    """One gradient check, or one per returned array of a tuple output (each with its `part`)."""
    accept: Callable | None = None
    """accept(args, expected, plain) -> expected, for conventions where more than one answer is right."""
    mutation_hint: str | None = None
    """The hint when the function changes an input in place."""
    summary: str = ""
    """One line: the convention checked (the signature is added from the reference function)."""
    budget: float = ARRAY_BUDGET
    runner: str = "runner:run_array_check"

    @property
    def entry(self) -> str:
        """The learner's function name: the check's own name."""
        return self.name


@dataclass(frozen=True)
class RunnerSpec:
    """A check whose runner probes the learner's code itself, with no table of expected arrays."""

    name: str
    entry: str
    """The learner's function or class, also the reference's name (e.g. 'train' for xor_mlp)."""
    runner: str
    """'module:function' inside workbook.grading, called as runner(spec, candidate, harness, label)."""
    summary: str = ""
    budget: float = TRAINING_BUDGET


@dataclass(frozen=True)
class TrainingSpec(RunnerSpec):
    """A check that trains the learner's model and judges what its `predict` does."""


@dataclass(frozen=True)
class BehaviourSpec(RunnerSpec):
    """A check judged by what the learner's code does on probes of its own, not by one expected array."""

    budget: float = BEHAVIOUR_BUDGET
    exception_hints: list[tuple[str, str, str]] = field(default_factory=list)
    """(exception type name, text in its message, hint), as for ArraySpec."""
