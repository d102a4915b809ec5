"""Gradient checking by central finite differences, for learners and for the backward checks."""

from __future__ import annotations

from .result import Result, safe_str, type_name


def numerical_gradient(np, f, x, eps: float = 1e-6):
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry i of x."""
    from .lazy import R

    # The reference the numerical_gradient check grades learners against: one implementation for both.
    return R.numerical_gradient(f, np.asarray(x, dtype=float), eps)


def first_difference(np, numeric, analytic, rtol: float, atol: float, where=None):
    """(index, count) of the first entry where analytic and numeric gradients differ, or None."""
    bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
    if where is not None:
        bad &= where
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0]), int(bad.sum())


def gradcheck(f, grad, x, *, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6,
              where=None) -> Result:
    """Compare an analytic gradient with central differences of the scalar function f at x.

    `f(x)` returns a number (e.g. `lambda z: np.sum(dz * relu(z))`); `grad` is the analytic gradient
    at x, as an array or a function of x (e.g. `relu_backward(dz, z)`). `where` (a boolean array like
    x) limits the comparison, e.g. to entries away from a kink, where finite differences mislead.
    """
    try:
        import numpy as np
    except BaseException as exc:  # the browser may not have loaded NumPy
        return Result(False, f"NumPy could not be loaded in this browser: {safe_str(exc)}", name="gradcheck")
    from .format import format_index, format_number

    try:
        x = np.array(x, dtype=float)
        analytic = grad(x.copy()) if callable(grad) else grad
        analytic = np.asarray(analytic, dtype=float)
        if analytic.shape != x.shape:
            return Result(False, f"The gradient has shape {analytic.shape}, but x has shape {x.shape}: "
                                 "a gradient has one entry per entry of x.", name="gradcheck")
        numeric = numerical_gradient(np, f, x, eps)
        mask = None if where is None else np.broadcast_to(np.asarray(where, dtype=bool), x.shape)
    except BaseException as exc:  # learner functions may raise anything
        return Result(False, f"gradcheck could not run: {type_name(exc)}: {safe_str(exc)}", name="gradcheck")
    found = first_difference(np, numeric, analytic, rtol, atol, mask)
    compared = x.size if mask is None else int(mask.sum())
    if found is None:
        largest = float(np.max(np.abs(numeric - analytic), initial=0.0,
                               where=True if mask is None else mask))
        return Result(True, f"your gradient matches the numerical gradient at all {compared} compared "
                            f"entries (largest difference {largest:.2g}).", name="gradcheck")
    index, count = found
    return Result(False, f"your gradient differs from the numerical gradient at index {format_index(index)}: "
                         f"numerical {format_number(numeric[index])}, yours {format_number(analytic[index])} "
                         f"({count} of {compared} entries differ).", name="gradcheck")
