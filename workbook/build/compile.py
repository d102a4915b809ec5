"""Compile a content folder: parse and validate every set, then write notebooks, manifest and keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import grading
from .errors import ContentError, WorkbookError, display_path
from .model import CHECKED_KINDS, KINDS, ProblemSet
from .key import to_key_notebook
from .notebook import to_notebook, write_notebook
from .parse import read_set
from .validate import validate_set, warn_set


def find_sources(content_dir: Path) -> list[Path]:
    """Return the problem-set files: every `*.md` in the folder but its README."""
    if not content_dir.is_dir():
        raise WorkbookError(f"{content_dir}: no such content folder")
    sources = sorted(p for p in content_dir.glob("*.md") if p.name.lower() != "readme.md")
    if not sources:
        raise WorkbookError(f"{content_dir}: no problem sets (*.md files besides README.md) found")
    return sources


def load_content(content_dir: Path, *, run_code: bool = True,
                 warnings: list[ContentError] | None = None) -> tuple[list[ProblemSet], list[ContentError]]:
    """Parse and validate every set; return the sets in landing-page order and all errors.

    Warnings go into `warnings` when a list is given; otherwise they are printed to stderr as
    `path:line: warning: message` (they never fail a check or a build)."""
    sets: list[ProblemSet] = []
    errors: list[ContentError] = []
    found: list[ContentError] = []
    for path in find_sources(content_dir):
        problem_set, file_errors = read_set(path)
        errors += file_errors
        if problem_set is not None:
            if run_code:
                errors += validate_set(problem_set)
                found += warn_set(problem_set)
            sets.append(problem_set)
    if warnings is not None:
        warnings += sorted(found)
    else:
        for warning in sorted(found):
            print(f"{display_path(warning.path)}:{warning.line}: warning: {warning.message}", file=sys.stderr)
    return sorted(sets, key=ProblemSet.sort_key), sorted(errors)


def write_compiled(sets: list[ProblemSet], out: Path, key_dir: Path | None = None) -> None:
    """Write `manifest.json`, `notebooks/<id>.ipynb` and `answers/<id>.json` into `out`, and the
    instructor key (`<id>.json` and a readable `<id>.ipynb` per set) into `key_dir`."""
    entries = {name: info.entry for name, info in grading.CHECKS.items()}
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "answers").mkdir(exist_ok=True)
    for problem_set in sets:
        nb = to_notebook(problem_set, entries)
        (out / "notebooks" / f"{problem_set.id}.ipynb").write_text(write_notebook(nb), encoding="utf-8")
        _write_json(out / "answers" / f"{problem_set.id}.json", to_answers(problem_set))
    _write_json(out / "manifest.json", to_manifest(sets))
    if key_dir is not None:
        key_dir.mkdir(parents=True, exist_ok=True)
        for problem_set in sets:
            _write_json(key_dir / f"{problem_set.id}.json", to_key(problem_set))
            (key_dir / f"{problem_set.id}.ipynb").write_text(write_notebook(to_key_notebook(problem_set)),
                                                             encoding="utf-8")


def to_manifest(sets: list[ProblemSet]) -> dict:
    """Describe every set for the landing page and for tests: titles, tags, problems by kind."""
    return {"sets": [{
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "tags": list(s.tags),
        "order": s.order,
        "notebook": f"{s.id}.ipynb",
        "source": Path(s.path).name,
        "counts": {kind: sum(p.kind == kind for p in s.problems) for kind in KINDS},
        "problems": [{"id": p.id, "kind": p.kind, "title": p.title, "check": p.check, "line": p.line,
                      "hints": len(p.hints)} for p in s.problems],
    } for s in sets]}


def to_answers(problem_set: ProblemSet) -> dict:
    """What `submit` needs in the browser: expected values and checks, never solutions."""
    problems = {}
    for p in problem_set.problems:
        if p.kind not in CHECKED_KINDS:
            continue
        entry: dict = {"kind": p.kind}
        if p.kind == "compute":
            entry["expected"] = p.expected
            entry.update({k: getattr(p, k) for k in ("rtol", "atol", "sigfigs") if getattr(p, k) is not None})
        elif p.kind == "choice":
            entry["expected"] = p.expected
            entry["labels"] = [c.label for c in p.choices]
        else:
            entry["check"] = p.check
        problems[p.id] = entry
    return {"set": problem_set.id, "title": problem_set.title, "problems": problems}


def to_key(problem_set: ProblemSet) -> dict:
    """The instructor key: expected values, worked answers and reference solutions."""
    return {"set": problem_set.id, "title": problem_set.title, "source": problem_set.path, "problems": [{
        "id": p.id, "kind": p.kind, "title": p.title, "line": p.line,
        "expected": p.expected, "check": p.check, "hints": list(p.hints), "explanation": p.explanation,
        "solution": p.solution.source if p.solution else None,
    } for p in problem_set.problems]}


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
