"""Time every grading check under CPython: a correct submission, and a typical failing one.

    python bench/bench_grading.py [--repeat N]

The correct submission is the reference implementation compiled as learner code (from its source,
under a notebook-like file name), so the time includes the tracing that enforces the time budget.
Prints, per check, the median wall time of N runs on the passing path (every case runs) and on the
failing path (mismatch report, hint search, gradient check), then the targets: each array check
under 50 ms, the XOR check under 3 s. Last, the XOR check of a predict that looks its training points
up, which fails only when predict is asked about points it has not seen.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from workbook import reference as R  # noqa: E402
from workbook.grading import CHECKS, check  # noqa: E402

ARRAY_TARGET = 0.050
XOR_TARGET = 3.0


def _negated(fn):
    def wrong(*args):
        out = fn(*args)
        if isinstance(out, (tuple, list)):
            return type(out)(-o for o in out)
        return -out
    return wrong


def _untrained(X, y, epochs=1000, seed=0):
    return R.train(X, y, epochs=1, seed=seed)


def _untrained_classifier(X, y, n_classes, epochs=500, seed=0):
    return R.train_softmax_classifier(X, y, n_classes, epochs=1, seed=seed)


def _too_wide(fan_in, fan_out, scheme, rng):
    # Negated weights have the right mean and variance: three times the spread does not.
    return 3.0 * R.init_weights(fan_in, fan_out, scheme, rng)


def _lookup(X, y, epochs=1000, seed=0):
    table = {tuple(x): float(t) for x, t in zip(X, y)}
    return lambda X: np.array([table[tuple(x)] for x in X])


def learner_copy() -> dict:
    """The reference module's functions, compiled as if typed into a notebook cell."""
    source = Path(R.__file__).read_text(encoding="utf-8")
    namespace: dict = {"__name__": "learner"}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def failing_candidate(name: str):
    """A submission that fails the check, to time the feedback path."""
    if name == "xor_mlp":
        return _untrained
    if name == "softmax_classifier":
        return _untrained_classifier
    if name == "init_weights":
        return _too_wide
    return _negated(getattr(R, CHECKS[name].entry))


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per check (default 7; median reported)")
    args = parser.parse_args(argv)
    check("relu", R.relu)  # import NumPy, the check modules and numpy.testing before timing
    check("relu", _negated(R.relu))
    print(f"Python {sys.version.split()[0]}, median of {args.repeat} runs\n")
    print(f"{'check':34} {'pass (ms)':>10} {'fail (ms)':>10}  target")
    slow = []
    learner = learner_copy()
    for name, info in CHECKS.items():
        reference = learner[info.entry]
        wrong = failing_candidate(name)
        assert check(name, reference).passed, f"reference fails {name}"
        assert not check(name, wrong).passed, f"failing candidate passes {name}"
        passing = median_time(lambda n=name, f=reference: check(n, f), args.repeat)
        failing = median_time(lambda n=name, f=wrong: check(n, f), args.repeat)
        target = XOR_TARGET if name == "xor_mlp" else None if name == "softmax_classifier" else ARRAY_TARGET
        ok = target is None or max(passing, failing) < target
        if not ok:
            slow.append(name)
        shown = "-" if target is None else f"< {target * 1000:g} ms {'ok' if ok else 'SLOW'}"
        print(f"{name:34} {passing * 1000:10.1f} {failing * 1000:10.1f}  {shown}")
    assert not check("xor_mlp", _lookup).passed, "a lookup-table predict passes xor_mlp"
    lookup = median_time(lambda: check("xor_mlp", _lookup), args.repeat)
    print(f"{'xor_mlp, predict a lookup table':34} {'':>10} {lookup * 1000:10.1f}  (fails on unseen points)")
    print("\nall within target" if not slow else f"\nover target: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
