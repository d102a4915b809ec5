"""Convolution: one channel, one kernel, with stride, zero padding and a bias."""

from __future__ import annotations

from ..lazy import np
from ..spec import ArraySpec, Case, Mistake
from .common import F, rng_for


def _conv_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    x5 = F([[1, 2, 0, 1, 3], [0, 1, 2, 3, 1], [2, 0, 1, 0, 2], [1, 3, 0, 2, 1], [0, 1, 1, 0, 2]])
    k3 = F([[1, 0, -1], [2, 1, 0], [0, -1, 3]])
    x4 = F([[1, 2, 0, 1], [3, 1, 1, 0], [0, 2, 4, 1], [1, 0, 2, 3]])
    cases = [
        Case("a 3×3 kernel on a 5×5 input, stride 1, no padding", (x5, k3)),
        Case("stride 2, the windows do not overlap", (x4, F([[1, -1], [0, 2]]), 0.0, 2), frozenset({"stride"})),
        Case("padding 1 keeps the size", (x4, k3, 0.0, 1, 1), frozenset({"padding"})),
        Case("a bias of 0.5", (x5, k3, 0.5)),
        Case("stride 3 where the last window does not fit", (np.arange(64.0).reshape(8, 8) % 5, k3, 0.0, 3),
             frozenset({"stride"})),
        Case("a 2×3 kernel on a 6×4 input, stride 2, padding 1",
             (np.arange(24.0).reshape(6, 4) % 7 - 3, F([[1, 0, 2], [-1, 1, 0]]), -1.0, 2, 1),
             frozenset({"stride", "padding"})),
        Case("a 1×1 kernel", (x4, F([[2.0]]), 1.0)),
    ]
    for shape, k, stride, padding in [((6, 6), (3, 3), 1, 0), ((9, 7), (3, 3), 2, 1), ((5, 8), (2, 2), 1, 2)]:
        cases.append(Case(f"random {shape[0]}×{shape[1]} input, {k[0]}×{k[1]} kernel, stride {stride}, "
                          f"padding {padding}", (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, k),
                                                 float(rng.normal()), stride, padding), frozenset({"random"})))
    return cases


def _conv_variant(x, kernel, bias=0.0, stride=1, padding=0, *, flip=False, no_stride=False, no_plus_one=False,
                  no_padding=False, one_side=False, no_bias=False):
    """The convolution with one known mistake switched on."""
    kernel = np.flip(kernel) if flip else kernel
    if not no_padding:
        x = np.pad(x, ((padding, 0), (padding, 0)) if one_side else padding)
    s = 1 if no_stride else stride
    kh, kw = kernel.shape
    extra = 0 if no_plus_one else 1
    rows, cols = (x.shape[0] - kh) // s + extra, (x.shape[1] - kw) // s + extra
    if rows <= 0 or cols <= 0:
        return None
    out = np.array([[np.sum(x[i * s:i * s + kh, j * s:j * s + kw] * kernel) for j in range(cols)]
                    for i in range(rows)])
    return out if no_bias else out + bias


def _mistake(**options):
    return lambda *args: _conv_variant(*args, **options)


_EDGE = ("A window ran past the edge of the input: compute the output size (H + 2 * padding - k) // stride + 1 "
         "first and loop only over it.")

SPECS = [
    ArraySpec(
        "conv2d_forward", lambda: _conv_cases("conv2d_forward"),
        summary="one channel, cross-correlation (no flip), zero padding on every side, stride, plus bias.",
        mistakes=[
            Mistake("Slide the kernel as given (cross-correlation), without flipping it: np.flip makes it a "
                    "mathematical convolution.", fn=_mistake(flip=True)),
            Mistake("Move the window `stride` positions at a time: window (i, j) starts at row i * stride and "
                    "column j * stride.", fn=_mistake(no_stride=True)),
            Mistake("The output has (H + 2 * padding - k) // stride + 1 rows: count the window at position 0 too.",
                    fn=_mistake(no_plus_one=True)),
            Mistake("Pad the input with `padding` zeros on every side first, e.g. np.pad(x, padding).",
                    fn=_mistake(no_padding=True)),
            Mistake("Pad both sides: `padding` zeros above and below, left and right.", fn=_mistake(one_side=True)),
            Mistake("Add the bias to every output entry.", fn=_mistake(no_bias=True)),
        ],
        exception_hints=[("ValueError", "broadcast", _EDGE)]),
]
