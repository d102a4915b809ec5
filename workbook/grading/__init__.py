"""Grading: learner answers and functions checked against reference NumPy, with actionable feedback.

    from workbook.grading import check, check_answer, check_choice, CHECKS, Result, gradcheck
    check("relu_backward", relu_backward)        # a Result: .passed, str(), _repr_html_()
    check_answer(0.25, 0.2500001)                 # numbers, vectors, matrices: exact for integers, else 3 s.f.
    check_choice("B, c", ["b", "c"])              # labels; True/False questions take bools

Importing this package does not import NumPy: answer and choice checks work before NumPy is loaded
in the browser, and array checks import it on first use. No check ever raises: whatever the learner's
code does becomes feedback. Details of each part are in the submodules:
`registry` (CHECKS, check), `spec` (what a check declares), `cases` (the case tables and known
mistakes, by topic), `runner` (array checks), `behaviour` (numerical gradient, initialiser, autograd Value),
`training` (XOR, softmax classifier), `format`,
`harness` (exceptions, warnings, mutated inputs, the NumPy guard), `budget` (time limits),
`answers` (compute and choice answers), `gradcheck`, `result`.
"""

from .answers import DEFAULT_ATOL, DEFAULT_SIGFIGS, Tolerance, check_answer, check_choice
from .gradcheck import gradcheck
from .registry import CHECKS, CheckInfo, check
from .result import Result, failure

__all__ = ["CHECKS", "CheckInfo", "DEFAULT_ATOL", "DEFAULT_SIGFIGS", "Result", "Tolerance", "check", "check_answer",
           "check_choice", "failure", "gradcheck"]
