"""Workbook: Markdown problem sets compiled into notebooks that grade in the browser.

In a notebook, `submit = load_set("01-activations").submit` binds the checker to a problem set.
"""

__version__ = "0.1.0"


def load_set(set_id: str):
    """Return the answer data of one problem set, whose `.submit(problem_id, answer)` checks answers."""
    from .submit import load_set as _load_set  # keep `import workbook` light in the browser

    return _load_set(set_id)
