"""Writing values for the learner: numbers, indices, shapes, inputs, ordinals, as NumPy prints them."""

from __future__ import annotations

import numpy as np

from .result import nth, safe_repr


def format_index(index: tuple[int, ...]) -> str:
    """(1, 2) as '(1, 2)' and (3,) as '(3,)', like NumPy prints indices."""
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def format_number(x) -> str:
    """A NumPy or Python scalar as a short plain number: 0.25, -1.0, nan, True."""
    try:
        if type(x).__name__ in ("bool", "bool_"):
            return str(bool(x))
        value = float(x)
    except BaseException:  # not a real number: fall back to its repr
        return safe_repr(x, 60)
    text = f"{value:.6g}"
    return text + ".0" if text.lstrip("-").isdigit() else text


def describe_shape(shape: tuple[int, ...]) -> str:
    """'(3,)' style, as NumPy prints shapes."""
    return str(tuple(int(n) for n in shape))


def ordinal(i: int) -> str:
    """'first' for 0, 'second' for 1, ..., then '6th', '21st' (a 0-based index, said 1-based)."""
    return ("first", "second", "third", "fourth", "fifth")[i] if i < 5 else nth(i + 1)


def show_value(value, indent: int) -> str:
    """A compact, readable repr of an input value (arrays at 6 significant digits)."""
    with np.printoptions(precision=6, threshold=60, linewidth=88, suppress=False):
        if isinstance(value, list):
            text = "[" + ",\n".join(repr(v) for v in value) + "]"
        else:
            text = repr(value)
    return text.replace("\n", "\n" + " " * indent)


def show_inputs(names: tuple[str, ...], args: tuple) -> str:
    """One `name = value` line per argument."""
    width = max(len(n) for n in names[: len(args)])
    lines = []
    for name, value in zip(names, args):
        lines.append(f"{name.ljust(width)} = {show_value(value, width + 3)}")
    return "\n".join(lines)
