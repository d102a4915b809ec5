"""The instructor key notebook: every problem with its answer, hints, worked answer and solution."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from workbook.build.compile import load_content, write_compiled
from workbook.build.key import to_key_notebook
from workbook.build.notebook import write_notebook

SAMPLE = Path(__file__).parent / "fixtures" / "sample"


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory) -> Path:
    sets, errors = load_content(SAMPLE)
    assert errors == []
    out = tmp_path_factory.mktemp("compiled")
    write_compiled(sets, out / "site", out / "key")
    return out / "key"


@pytest.fixture(scope="module")
def key(key_dir) -> nbformat.NotebookNode:
    return nbformat.read(key_dir / "01-sample.ipynb", as_version=4)


def cells_of(key, problem: str) -> dict[str, str]:
    return {c.metadata["workbook"]["role"]: c.source for c in key.cells
            if c.metadata["workbook"].get("problem") == problem}


def test_key_notebook_is_valid_nbformat_beside_the_json(key_dir, key):
    nbformat.validate(key)
    assert sorted(p.name for p in key_dir.iterdir()) == ["01-sample.ipynb", "01-sample.json"]
    assert key.metadata["workbook"] == {"set": "01-sample", "title": "Sample set", "key": True,
                                        "source": "01-sample.md"}
    assert key.cells[0].source.startswith("# Instructor key: Sample set")


def test_every_problem_has_its_cell_in_source_order(key):
    problems = [c.metadata["workbook"]["problem"] for c in key.cells if c.metadata["workbook"]["role"] == "key"]
    assert problems == ["R1", "C1", "C2", "Q1", "TF1", "K1", "D1", "X1"]


def test_key_cell_holds_prompt_answer_hints_and_worked_answer(key):
    q1 = cells_of(key, "Q1")["key"]
    assert "- (a) sigmoid" in q1 and "**Answer:** (b), (c)" in q1
    assert "**Hint 1.**\n\nLook at each slope for a large $z$." in q1
    assert "**Worked answer.**\n\nThe sigmoid saturates" in q1
    assert q1.index("**Answer:**") < q1.index("**Hint 1.**") < q1.index("**Worked answer.**")
    assert "**Answer:** false" in cells_of(key, "TF1")["key"]
    assert "**Answer:** `0.25`" in cells_of(key, "C1")["key"]
    assert "**Answer:** `[[19, 22], [43, 50]]` (rtol 1e-06)" in cells_of(key, "C2")["key"]


def test_solutions_and_answer_blocks_are_code_cells(key):
    k1 = cells_of(key, "K1")
    assert "return np.where(np.asarray(z) > 0, dz, 0.0)" in k1["solution"]
    assert "**Check:** `relu_backward`" in k1["key"]
    assert "sigmoid_backward(1.0, 0.0)" in cells_of(key, "C1")["answer-block"]
    d1 = cells_of(key, "D1")
    assert "The starter, with the bug:**\n\n```python" in d1["key"] and ">= 0" in d1["key"]
    assert "> 0)" in d1["solution"]


def test_key_notebook_is_deterministic(key_dir):
    sets, _ = load_content(SAMPLE)
    assert write_notebook(to_key_notebook(sets[0])) == (key_dir / "01-sample.ipynb").read_text()


def test_json_key_is_unchanged_alongside(key_dir):
    data = json.loads((key_dir / "01-sample.json").read_text())
    assert [p["id"] for p in data["problems"]] == ["R1", "C1", "C2", "Q1", "TF1", "K1", "D1", "X1"]
