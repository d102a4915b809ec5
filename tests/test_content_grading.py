"""The real content, compiled, grades answers as meant and teaches every problem.

Everything here reads the build's own output (answers data, instructor key, manifest), so a problem
that passes these tests is graded in the browser exactly as asserted.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from workbook import reference
from workbook.build.compile import load_content, write_compiled
from workbook.build.model import CODE_KINDS
from workbook.grading import CHECKS, DEFAULT_SIGFIGS, check_answer

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

MIN_PROBLEMS = 280
MIN_CHECKS = 31


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    sets, errors = load_content(CONTENT)
    assert [str(e) for e in errors] == []
    out = tmp_path_factory.mktemp("compiled")
    write_compiled(sets, out, key_dir=out / "key")
    manifest = json.loads((out / "manifest.json").read_text())
    answers = {s["id"]: json.loads((out / "answers" / f"{s['id']}.json").read_text())["problems"]
               for s in manifest["sets"]}
    keys = {s["id"]: {p["id"]: p for p in json.loads((out / "key" / f"{s['id']}.json").read_text())["problems"]}
            for s in manifest["sets"]}
    return {"sets": sets, "manifest": manifest, "answers": answers, "keys": keys}


def compute_entries(build):
    return [(set_id, pid, entry) for set_id, problems in build["answers"].items()
            for pid, entry in problems.items() if entry["kind"] == "compute"]


def leaves(value, index=()):
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, index + (i,))
    else:
        yield index, value


def replace_leaf(value, index, new):
    if not index:
        return new
    copy = list(value)
    copy[index[0]] = replace_leaf(value[index[0]], index[1:], new)
    return copy


def map_leaves(value, fn):
    return [map_leaves(v, fn) for v in value] if isinstance(value, list) else fn(value)


def is_integer_key(value) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for _, v in leaves(value))


def tolerance_options(entry) -> dict:
    return {k: entry[k] for k in ("rtol", "atol", "sigfigs") if k in entry}


def stated_figures(entry) -> int:
    return int(entry.get("sigfigs") or DEFAULT_SIGFIGS)


def unit_in_figure(x: float, figures: int) -> float:
    """One unit in the `figures`-th significant figure of x."""
    return 10.0 ** (math.floor(math.log10(abs(x))) - figures + 1)


def round_to_figures(x: float, figures: int) -> float:
    return float(f"{x:.{figures}g}")


def graded(entry, submitted) -> bool:
    return check_answer(submitted, entry["expected"], **tolerance_options(entry)).passed


# ------------------------------------------------------------------------------------ semantics


def test_the_build_has_compute_problems_of_both_kinds(build):
    entries = compute_entries(build)
    integer = [e for _, _, e in entries if is_integer_key(e["expected"])]
    assert len(integer) >= 10 and len(entries) - len(integer) >= 100


# Counts whose whole point is an exact integer (a forgotten bias, a rounded-down batch count).
COUNTS = [("22-gradient-descent-and-sgd", "N1"), ("22-gradient-descent-and-sgd", "N2"),
          ("22-gradient-descent-and-sgd", "N3"), ("23-training-practice", "M2"),
          ("20-backprop-by-hand", "C3"), ("28-graphs-normalisation-and-convolution", "C1"),
          ("28-graphs-normalisation-and-convolution", "C2"), ("28-graphs-normalisation-and-convolution", "C3"),
          ("15-worksheet-matrices", "W1.5a"), ("10-quickfire-recall", "C-R4b")]


@pytest.mark.parametrize("set_id, pid", COUNTS, ids=[f"{s}:{p}" for s, p in COUNTS])
def test_counts_are_integer_keys(build, set_id, pid):
    entry = build["answers"][set_id][pid]
    assert is_integer_key(entry["expected"]), entry["expected"]
    assert not tolerance_options(entry), "a count needs no tolerance"


def test_integer_answers_are_graded_exactly(build):
    checked = 0
    for set_id, pid, entry in compute_entries(build):
        key = entry["expected"]
        if not is_integer_key(key) or tolerance_options(entry):
            continue
        checked += 1
        assert graded(entry, key), f"{set_id}:{pid} rejects its own key"
        for index, value in leaves(key):
            for wrong in (value - 1, value + 1):
                assert not graded(entry, replace_leaf(key, index, wrong)), \
                    f"{set_id}:{pid} accepts {wrong} for the integer {value} at {index}"
    assert checked >= 10


def test_a_rounding_to_the_stated_figures_of_every_real_key_is_accepted(build):
    for set_id, pid, entry in compute_entries(build):
        key = entry["expected"]
        if is_integer_key(key):
            continue
        figures = stated_figures(entry)
        rounded = map_leaves(key, lambda x: x if isinstance(x, int) else round_to_figures(x, figures))
        result = check_answer(rounded, key, **tolerance_options(entry))
        assert result.passed, f"{set_id}:{pid}: {rounded} rejected for {key}: {result.message}"


def test_a_key_off_by_one_unit_in_its_last_stated_figure_is_rejected(build):
    for set_id, pid, entry in compute_entries(build):
        key = entry["expected"]
        figures = stated_figures(entry)
        for index, value in leaves(key):
            if value == 0:
                continue  # zero has no significant figures; it is held to the absolute tolerance
            for sign in (1, -1):
                wrong = value + sign * unit_in_figure(value, figures)
                assert not graded(entry, replace_leaf(key, index, wrong)), \
                    f"{set_id}:{pid} accepts {wrong!r} for {value!r} at {index} ({figures} figures)"


def _sgd_without_l2():
    w = np.array([0.5, -1.0, 2.0])
    return reference.sgd_step(w, np.array([0.1, 0.2, -0.3]), 0.1).tolist()


def _adamw_without_decay():
    # with the decay left out of both, the loss gradient is zero and neither step moves w
    w0, zeros = np.array([2.0]), np.zeros(1)
    w_adam, _, _ = reference.adam_step(w0, zeros, zeros, zeros, 1, lr=0.1)
    return [float(w_adam[0]), float(w_adam[0])]


def _parameters_without_biases(sizes):
    return sum(m * n for m, n in zip(sizes[:-1], sizes[1:]))


def _sigmoid_slope_from_rounded_output():
    rounded = round(float(reference.sigmoid(7.0)), 3)
    return rounded * (1 - rounded)


def _cross_entropy_without_log_sum():
    z = np.array([10.0, -750.0, 9.0])
    return float(z.max() - z[1])


def _batchnorm_backward_ignoring_statistics():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    return (2.0 * np.array([0.5, -1.0, 0.0, 1.5]) / np.sqrt(x.var())).tolist()


def _plain_momentum_instead_of_nesterov():
    w, v, out = 1.0, 0.0, []
    for _ in range(3):
        v = 0.9 * v + 3 * w
        w = reference.sgd_step(w, v, 0.1).item()
        out.append(w)
    return out


# Problems that teach a small effect: the answer with the effect left out must be rejected.
SMALL_EFFECTS = {
    ("23-training-practice", "LC3"): _sgd_without_l2,
    ("17-worksheet-optimisation", "W3.6a"): _adamw_without_decay,
    ("22-gradient-descent-and-sgd", "N3"): lambda: _parameters_without_biases([784, 128, 64, 10]),
    ("15-worksheet-matrices", "W1.5a"): lambda: _parameters_without_biases([100, 64, 32, 1]),
    ("23-training-practice", "M2"): lambda: [1, 60000, 60000 // 128],
    ("10-quickfire-recall", "C-R4b"): lambda: 5 * (50_000 // 128),
    ("21-backprop-paths", "S2"): _sigmoid_slope_from_rounded_output,
    ("24-softmax-classifier-backprop", "ST2"): _cross_entropy_without_log_sum,
    ("28-graphs-normalisation-and-convolution", "B2"): _batchnorm_backward_ignoring_statistics,
    ("27-initialisation-and-optimisers", "O3"): _plain_momentum_instead_of_nesterov,
}


@pytest.mark.parametrize("set_id, pid", list(SMALL_EFFECTS), ids=[f"{s}:{p}" for s, p in SMALL_EFFECTS])
def test_the_answer_without_the_effect_taught_is_rejected(build, set_id, pid):
    entry = build["answers"][set_id][pid]
    key, without = entry["expected"], SMALL_EFFECTS[(set_id, pid)]()
    assert not graded(entry, without), f"{set_id}:{pid} accepts {without} (the effect left out) for {key}"
    # Each entry the effect changes must be rejected on its own, not only thanks to its neighbours.
    changed = [(index, wrong) for (index, wrong), (_, right) in zip(leaves(without), leaves(key)) if wrong != right]
    assert changed, f"{set_id}:{pid}: the value without the effect equals the key"
    for index, wrong in changed:
        assert not graded(entry, replace_leaf(key, index, wrong)), \
            f"{set_id}:{pid} accepts {wrong} at {index} (the effect left out) for {key}"


# ------------------------------------------------------------------------------------ teaching


SET_IDS = sorted(path.stem for path in CONTENT.glob("*.md") if path.name != "README.md")


@pytest.mark.parametrize("set_id", SET_IDS)
def test_every_problem_has_a_hint(build, set_id):
    problems = next(s["problems"] for s in build["manifest"]["sets"] if s["id"] == set_id)
    assert [p["id"] for p in problems if p["hints"] < 1] == []


@pytest.mark.parametrize("set_id", SET_IDS)
def test_every_choice_problem_has_a_worked_answer(build, set_id):
    problems = build["keys"][set_id].values()
    assert [p["id"] for p in problems if p["kind"] == "choice" and not (p["explanation"] or "").strip()] == []


def normalised_code(source: str) -> str:
    """The code without comments, blank lines or spacing, so cosmetic edits do not make it new."""
    lines = [re.sub(r"\s+", " ", line.split("#", 1)[0]).strip() for line in source.splitlines()]
    return "\n".join(line for line in lines if line)


def test_no_two_code_problems_share_a_check_with_the_same_starter(build):
    seen = defaultdict(list)
    for problem_set in build["sets"]:
        for p in problem_set.problems:
            if p.kind in CODE_KINDS:
                seen[(p.check, normalised_code(p.starter.source))].append(f"{problem_set.id}:{p.id}")
    repeats = {check: ids for (check, _), ids in seen.items() if len(ids) > 1}
    assert repeats == {}


# ------------------------------------------------------------------------------------ size
# These two hold once every content branch of issue 10 (new sets 26-32, new registry checks) is merged.


def test_at_least_280_problems(build):
    total = sum(len(s["problems"]) for s in build["manifest"]["sets"])
    assert total >= MIN_PROBLEMS, total


def test_at_least_31_registry_checks_each_used_by_a_problem(build):
    used = {p["check"] for s in build["manifest"]["sets"] for p in s["problems"] if p["check"]}
    assert len(CHECKS) >= MIN_CHECKS, sorted(CHECKS)
    assert sorted(set(CHECKS) - used) == []
