"""Write a set's instructor key as a notebook: every problem with its answer, solution and hints."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

from .model import CODE_KINDS, Markdown, Problem, ProblemSet
from .notebook import KERNELSPEC, KIND_LABELS, _CellIds, new_code_cell, new_markdown_cell


def to_key_notebook(problem_set: ProblemSet) -> nbformat.NotebookNode:
    """Build the key: prompts and options as the student sees them, then everything the student does not."""
    ids = _CellIds()
    cells = [new_markdown_cell(f"# Instructor key: {problem_set.title}\n\nSolutions for "
                               f"`{Path(problem_set.path).name}`. Not for students.",
                               id=ids("title"), metadata={"workbook": {"set": problem_set.id, "role": "title"}})]
    for item in problem_set.items:
        if isinstance(item, Markdown):
            continue  # the set's prose is in the student notebook; the key is about answers
        meta = {"problem": item.id, "kind": item.kind, "line": item.line}
        cells.append(new_markdown_cell(_key_markdown(item), id=ids(f"{item.id}-key"),
                                       metadata={"workbook": {**meta, "role": "key"}}))
        for role, block in (("answer-block", item.answer_block), ("solution", item.solution)):
            if block is not None:
                cells.append(new_code_cell(block.source.rstrip(), id=ids(f"{item.id}-{role}"),
                                           metadata={"workbook": {**meta, "role": role}}))
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "workbook": {"set": problem_set.id, "title": problem_set.title, "key": True,
                     "source": Path(problem_set.path).name},
    })


def _key_markdown(p: Problem) -> str:
    heading = f"## {p.id} · {KIND_LABELS[p.kind]}"
    if p.title:
        heading += f": {p.title}"
    parts = [heading, f"*Source: line {p.line}.*", p.prompt]
    expected = _expected(p)
    if expected:
        parts.append(f"**Answer:** {expected}")
    for n, hint in enumerate(p.hints, 1):
        parts.append(f"**Hint {n}.**\n\n{hint}")
    if p.explanation:
        parts.append(f"**Worked answer.**\n\n{p.explanation}")
    if p.kind == "debug":
        parts.append(f"**The starter, with the bug:**\n\n```python\n{p.starter.source.rstrip()}\n```")
    if p.kind in CODE_KINDS:
        parts.append(f"**Check:** `{p.check}`; the reference solution is the code cell below.")
    elif p.answer_block is not None:
        parts.append("The code cell below computes the answer.")
    return "\n\n".join(parts)


def _expected(p: Problem) -> str:
    if p.kind == "compute":
        rule = ", ".join(f"{k} {getattr(p, k)}" for k in ("sigfigs", "rtol", "atol") if getattr(p, k) is not None)
        return f"`{json.dumps(p.expected)}`" + (f" ({rule})" if rule else "")
    if p.kind == "choice":
        if isinstance(p.expected, bool):
            return "true" if p.expected else "false"
        return ", ".join(f"({label})" for label in p.answer)
    return ""
