"""Helpers shared by the case tables: inputs, seeded generators, mistakes every table uses."""

from __future__ import annotations

import zlib
from typing import Callable

from ..lazy import R, np
from ..spec import Mistake


def F(x) -> np.ndarray:
    """A float array from nested lists."""
    return np.array(x, dtype=float)


RANDOM_SHAPES = [(6,), (3, 4), (4, 3), (2, 5), (1, 7)]


def rng_for(name: str):
    """A generator seeded from the check's name, so that its random cases are the same in every run."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def finite(plain) -> bool:
    """Whether an output (array, number or tuple of them) holds only finite numbers; None counts as finite."""
    if plain is None:
        return True
    if isinstance(plain, tuple):
        return all(finite(p) for p in plain)
    return bool(np.isfinite(np.asarray(plain, dtype=float)).all())


def overflow(hint: str) -> Mistake:
    """The mistake of giving inf or nan on a case tagged 'large'."""
    return Mistake(hint, test=lambda case, plain: "large" in case.tags and not finite(plain))


def no_dz(derivative: Callable) -> Mistake:
    """The mistake of returning the local derivative without multiplying by the upstream gradient dz."""
    return Mistake("Multiply by the upstream gradient dz: the backward pass returns dz times the local "
                   "derivative, not the derivative alone.", fn=lambda dz, z, *a: derivative(z, *a))


def sign_flipped(reference: str, what: str = "the gradient") -> Mistake:
    """The mistake of returning minus the reference function's output (named, looked up when it runs)."""
    return Mistake(f"Check the sign: you return minus {what}.",
                   fn=lambda *args: negate(getattr(R, reference)(*args)))


def negate(value):
    """Minus an output, element by element for tuples and lists of arrays."""
    if isinstance(value, (tuple, list)):
        return type(value)(-v for v in value)
    return -value


def copies(args: tuple) -> tuple:
    """Copies of a case's arguments (arrays and lists of arrays), so that a mistake cannot change them."""
    return tuple(a.copy() if isinstance(a, np.ndarray) else [x.copy() for x in a] if isinstance(a, list) else a
                 for a in args)
