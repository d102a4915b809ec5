"""The real content: it validates, it is in our own words, and it covers the source documents."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from workbook.build.compile import load_content, to_manifest
from workbook.build.model import CODE_KINDS

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
OVERLAP = ROOT.parent / "shared" / "tools" / "overlap.py"


@pytest.fixture(scope="module")
def loaded():
    sets, errors = load_content(CONTENT)
    return sets, errors


@pytest.fixture(scope="module")
def manifest(loaded):
    sets, _ = loaded
    return to_manifest(sets)


def test_content_validates(loaded):
    sets, errors = loaded
    assert [str(e) for e in errors] == []
    assert len(sets) >= 4


def test_content_is_in_our_own_words():
    assert OVERLAP.exists(), f"{OVERLAP} is missing: the shared tools must sit beside the repository"
    proc = subprocess.run([sys.executable, str(OVERLAP), str(CONTENT)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.strip().startswith("0 passage"), proc.stdout[-3000:]


# Rules every set must follow (front matter with summary and tags, an intro, a hint on every problem, a
# worked answer for every choice) are `check`'s, reported at a line; test_content_validates runs them.


def problems(manifest):
    return [p for s in manifest["sets"] for p in s["problems"]]


def test_coverage_figures(manifest):
    kinds = Counter(p["kind"] for p in problems(manifest))
    assert sum(kinds.values()) >= 90, kinds
    assert kinds["compute"] + kinds["choice"] >= 40, kinds
    code = [p for p in problems(manifest) if p["kind"] in CODE_KINDS]
    assert len(code) >= 18, kinds
    assert len({p["check"] for p in code}) >= 15, sorted({p["check"] for p in code})
    assert {"xor_mlp"} <= {p["check"] for p in code if p["kind"] == "challenge"}
    assert kinds["challenge"] >= 2 and kinds["debug"] >= 4 and kinds["recall"] >= 1


def _numbered(prefix: str, counts: dict[int, int]) -> list[str]:
    return [f"{prefix}{section}.{n}" for section, last in counts.items() for n in range(1, last + 1)]


# Every problem of the four source documents, labelled as the coverage table labels them. The quiz
# numbers nothing itself: its questions are Q1 to Q19 in order, sub-questions lettered.
SOURCE_PROBLEMS = {
    "quick-fire": [f"{k}{n}" for k, last in (("R", 5), ("C", 5), ("K", 2), ("D", 2), ("X", 1))
                   for n in range(1, last + 1)],
    "worksheet": _numbered("", {1: 5, 2: 5, 3: 7, 4: 6, 5: 5}),
    "backprop-quiz": [f"Q{q}({c})" for q in (1, 2) for c in "abcdef"] + [f"Q{q}" for q in range(3, 8)]
    + [f"Q8({c})" for c in "abc"] + ["Q9"] + [f"Q10({c})" for c in "abc"] + [f"Q{q}" for q in range(11, 20)],
    "exam": _numbered("", {1: 5, 2: 8, 3: 3}) + [f"1.6({r})" for r in ("i", "ii", "iii")],
}


def coverage_rows() -> list[tuple[str, str, list[str]]]:
    text = (CONTENT / "README.md").read_text()
    section = text.split("## Coverage", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and line.startswith("|") and not set(cells[0]) <= set("-: ") \
                and cells[0].lower() != "source":
            rows.append((cells[0].strip("`"), cells[1].strip("`"), re.findall(r"[\w.-]+:[\w.-]+", cells[2])))
    return rows


def test_coverage_table_maps_every_source_problem_to_existing_problems(manifest):
    ids = {f"{s['id']}:{p['id']}" for s in manifest["sets"] for p in s["problems"]}
    rows = coverage_rows()
    for source, label, ours in rows:
        assert ours, f"{source} {label} has no counterpart"
        for pid in ours:
            assert pid in ids, f"{source} {label}: {pid} is not a problem of the build"
    for source, labels in SOURCE_PROBLEMS.items():
        listed = {label for s, label, _ in rows if s == source}
        assert listed >= set(labels), (source, sorted(set(labels) - listed))
    assert len(rows) == sum(len(labels) for labels in SOURCE_PROBLEMS.values())
