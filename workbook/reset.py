"""`reset()`: put the running answer cell back to its starter, as first published.

Run in a problem's answer cell, `reset()` finds the problem in the cell's metadata (JupyterLab sends
it with the request), reads the deployed notebook from the site (`files/<set>.ipynb`, never the
learner's saved copy) and replaces the cell's text through the `set_next_input` (replace) payload of
the execute reply. Nothing else changes: other cells, outputs elsewhere and progress stay as they are.
"""

from __future__ import annotations

import json

from .grading import Result


def reset(problem_id=None) -> Result:
    """Replace this answer cell's text with the problem's starter; never raises."""
    try:
        return _reset(problem_id)
    except Exception as exc:  # a sentence, never a traceback
        return Result(False, f"Not reset: {type(exc).__name__}: {exc}", checked=False)


def _reset(problem_id) -> Result:
    from IPython import get_ipython

    shell = get_ipython()
    parent = shell.kernel.get_parent() if shell is not None and hasattr(shell, "kernel") else None
    meta = ((parent or {}).get("metadata") or {}).get("workbook") or {}
    set_id, here = meta.get("set"), meta.get("problem")
    problem_id = str(problem_id or here or "")
    if not set_id or not problem_id or meta.get("role") != "answer" or problem_id != here:
        return Result(False, "Not reset: run reset() in the answer cell of the problem you want to start "
                             "again (the cell's text is then replaced by its starter).", checked=False)
    starter = _published_starter(set_id, problem_id)
    if starter is None:
        return Result(False, f"Not reset: the published notebook has no answer cell for {problem_id}.",
                      checked=False)
    # what ipykernel's set_next_input writes; IPython's own (used by the Pyodide kernel) only keeps
    # the text for a terminal's next prompt
    shell.payload_manager.write_payload({"source": "set_next_input", "text": starter, "replace": True},
                                        single=False)
    return Result(True, f"{problem_id} is back to its starter: the cell now shows the code it began with. "
                        "Your other cells and your progress are unchanged.", name="Reset")


def _published_starter(set_id: str, problem_id: str) -> str | None:
    """Return the source of `problem_id`'s answer cell in the deployed notebook of `set_id`."""
    from pyodide.http import open_url  # synchronous in the kernel's web worker

    nb = json.loads(open_url(f"{site_root()}files/{set_id}.ipynb").read())
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("workbook", {})
        if meta.get("role") == "answer" and meta.get("problem") == problem_id:
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


def site_root() -> str:
    """Return the site's root URL, from the kernel worker's own address (<site>/extensions/... or /build/...)."""
    from js import location

    href = str(location.href)
    for marker in ("/extensions/", "/build/", "/static/"):
        i = href.find(marker)
        if i >= 0:
            return href[: i + 1]
    return href.rsplit("/", 1)[0] + "/"
