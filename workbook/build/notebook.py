"""Write a ProblemSet as a student notebook (nbformat v4): prompts, collapsed hints, answer cells."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

from .errors import BuildError
from .model import CHECKED_KINDS, CODE_KINDS, Markdown, Problem, ProblemSet

KIND_LABELS = {
    "recall": ("recall", "recall"), "compute": ("compute", "compute"), "choice": ("choice", "choice"),
    "code": ("code", "code"), "debug": ("debug", "debug"), "challenge": ("challenge", "challenges"),
}
"""Each kind's name for one problem and for several: the notebook's headings and, through the site's
manifest.json, the landing page's counts."""
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


LANDING_LINK = "../?%"
"""The landing page, relative to the Notebook UI (notebooks/index.html). The stray `%` is on purpose:
JupyterLab rewrites every relative link it can decode into a path of the notebook's own drive and
opens it as a document; it leaves an undecodable one to the browser, which goes to the site root."""
READ_ONLY = {"editable": False, "deletable": False}
"""nbformat cell metadata for text the learner reads but does not change (prompts, hints, worked answers)."""


def to_notebook(problem_set: ProblemSet, entries: dict[str, str]) -> nbformat.NotebookNode:
    """Build the student notebook; `entries` maps a check name to the function the learner defines."""
    ids = _CellIds()
    cells = [new_markdown_cell(_title_markdown(problem_set), id=ids("title"),
                               metadata={**READ_ONLY, "workbook": {"set": problem_set.id, "role": "title"}})]
    for item in problem_set.items:
        if isinstance(item, Markdown):
            cells.append(new_markdown_cell(item.text, id=ids("text"),
                                           metadata={**READ_ONLY, "workbook": {"role": "text", "line": item.line}}))
            continue
        # JupyterLab sends a cell's metadata with each run: `set` tells `submit` which set it checks
        meta = {"set": problem_set.id, "problem": item.id, "kind": item.kind, "line": item.line}
        cells.append(new_markdown_cell(_problem_markdown(item), id=ids(f"{item.id}-prompt"),
                                       metadata={**READ_ONLY, "workbook": {**meta, "role": "prompt"}}))
        if item.kind in CHECKED_KINDS:
            answer_meta = {**meta, "role": "answer"}
            if item.kind == "choice":  # the buttons notebook-ui.js draws under the cell
                answer_meta["options"] = [True, False] if isinstance(item.answer, bool) else \
                    [c.label for c in item.choices]
            cells.append(new_code_cell(_answer_source(item, entries), id=ids(f"{item.id}-answer"),
                                       metadata={"workbook": answer_meta}))
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "workbook": {"set": problem_set.id, "title": problem_set.title, "source": Path(problem_set.path).name},
    })


def write_notebook(nb: nbformat.NotebookNode) -> str:
    """Validate once and serialise deterministically: sorted keys, fixed indentation, final newline."""
    invalid: dict = {}
    text = nbformat.writes(nb, capture_validation_error=invalid)
    if invalid:
        raise BuildError(f"notebook '{nb.metadata['workbook']['set']}' is not valid nbformat: "
                         f"{invalid['ValidationError'].message}")
    return text + "\n"


# nbformat's new_*_cell validate each cell on creation; the notebook is validated once when written.
def new_markdown_cell(source: str, *, id: str, metadata: dict) -> nbformat.NotebookNode:
    return nbformat.from_dict({"cell_type": "markdown", "id": id, "metadata": metadata,
                               "source": describe_diagrams(source)})


_MERMAID_RE = re.compile(r"(?ms)^(?P<open>```+|~~~+)[ \t]*mermaid[^\n]*\n(?P<body>.*?)^(?P=open)[ \t]*$")
_ALT_RE = re.compile(r"(?m)^(?P<indent>[ \t]*)%%[ \t]*alt:[ \t]*(?P<text>.+?)[ \t]*$")


def describe_diagrams(markdown: str) -> str:
    """Turn a Mermaid diagram's `%% alt: ...` line into `accTitle: ...`, which JupyterLab uses as the
    picture's alt text (a comment would be read by no screen reader); an author's accTitle wins."""
    def describe(m: re.Match) -> str:
        body = m.group("body")
        if re.search(r"(?m)^[ \t]*accTitle\s*:", body):
            return m.group(0)
        return m.group(0).replace(body, _ALT_RE.sub(r"\g<indent>accTitle: \g<text>", body, count=1), 1)
    return _MERMAID_RE.sub(describe, markdown)


def new_code_cell(source: str, *, id: str, metadata: dict) -> nbformat.NotebookNode:
    return nbformat.from_dict({"cell_type": "code", "id": id, "metadata": metadata, "source": source,
                               "execution_count": None, "outputs": []})


def _title_markdown(problem_set: ProblemSet) -> str:
    parts = [f"[← All problem sets]({LANDING_LINK})", f"# {problem_set.title}"]
    if problem_set.summary:
        parts.append(f"*{problem_set.summary}*")
    parts.append("Answer each problem in the code cell below it, then run that cell to check your answer: "
                 "click in the cell and press **Shift+Enter**, or click **▶** in the toolbar. "
                 "Cells can be run in any order. Hints and worked answers are folded under each problem.")
    parts.append("To start one problem again, replace its cell's text with `reset()` and run it. "
                 "Your work is saved in this browser as you type.")
    return "\n\n".join(parts)


def _problem_markdown(p: Problem) -> str:
    heading = f"### {p.id} · {KIND_LABELS[p.kind][0].capitalize()}"
    if p.title:
        heading += f": {p.title}"
    parts = [heading, p.prompt]
    for n, hint in enumerate(p.hints, 1):
        label = "Hint" if len(p.hints) == 1 else f"Hint {n}"
        parts.append(_details(label, hint))
    if p.explanation:
        parts.append(_details("Worked answer", p.explanation))
    return "\n\n".join(parts)


def _details(summary: str, body: str) -> str:
    # Blank lines around the body let Markdown (and math) render inside the HTML block.
    return f"<details>\n<summary>{html.escape(summary)}</summary>\n\n{body}\n\n</details>"


def _answer_source(p: Problem, entries: dict[str, str]) -> str:
    call = f'submit("{p.id}", {{}})'
    if p.kind in CODE_KINDS:
        return f"{p.starter.source.rstrip()}\n\n{call.format(entries[p.check])}"
    if p.kind == "choice":
        if isinstance(p.answer, bool):
            first = "answer = ...  # True or False"
        else:
            first = 'answer = ""  # the label(s) you choose, e.g. "b" or "b, d"'
        return f"{first}\n{call.format('answer')}"
    return f"answer = ...  # replace ... with your answer (a number, or a list for a vector or matrix)\n" \
           f"{call.format('answer')}"


class _CellIds:
    """Deterministic, unique cell ids (nbformat allows [a-zA-Z0-9-_], 1 to 64 characters)."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]", "-", base)[:56] or "cell"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate
