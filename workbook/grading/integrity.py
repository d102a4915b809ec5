"""Keep the grader's code and its reference results out of the learner's reach.

Learner code runs in the grader's interpreter: `workbook.reference.relu = ...` or
`Comparer.compare = lambda *a: None` in a notebook cell would otherwise change every later verdict.
So the workbook's modules are sealed before the first learner code of a check runs: every name a
module holds, and every attribute of the classes it defines, is recorded. After each call into
learner code, and at the start of each check, whatever differs is put back and named, and the
check's result says so. The reference functions the grader compares with are its own copy
(`lazy.R`), loaded from `workbook/reference.py`, so a change to `workbook.reference` never reaches
them, even one made before the first check.

Limits: the seal records objects, not their insides (a list the learner empties in place stays
empty), and a grader module the learner imported and changed before the first check cannot be put
back: such a check fails, naming the change and asking for a kernel restart.
"""

from __future__ import annotations

import sys
import types

from .budget import _is_library

_MISSING = object()
_SKIPPED = {"__builtins__", "__cached__", "__doc__", "__file__", "__loader__", "__name__", "__package__",
            "__path__", "__spec__", "__dict__", "__weakref__", "__annotations__"}
PREFIXES = ("workbook.grading", "workbook.reference")
"""The modules sealed: the grader and the public reference implementations."""


class Seal:
    """What the workbook's modules held when sealed; `restore()` puts it back."""

    def __init__(self):
        self._entries: list[tuple[str, object, dict, str, object]] = []
        self._classes: list[tuple[str, type, frozenset]] = []
        self._sealed: set[str] = set()
        self.tainted: list[str] = []
        """Names changed by learner code before they could be sealed (not restorable)."""

    def add_loaded(self, pristine: dict[str, types.ModuleType] | None = None) -> None:
        """Seal every workbook module loaded since the last call; `pristine` maps names to clean copies."""
        for name, module in list(sys.modules.items()):
            if name in self._sealed or not isinstance(module, types.ModuleType) or not name.startswith(PREFIXES):
                continue
            self._sealed.add(name)
            clean = (pristine or {}).get(name)
            self._add_namespace(name, module, clean)

    def _add_namespace(self, label: str, module: types.ModuleType, clean) -> None:
        namespace = vars(module)
        for attr, value in list(namespace.items()):
            if attr in _SKIPPED or value is None:
                continue
            where = f"{label}.{attr}"
            if _foreign(value):
                original = getattr(clean, attr, _MISSING) if clean is not None else _MISSING
                if original is _MISSING:
                    self.tainted.append(where)
                    continue
                value = original  # a learner's replacement, made before sealing: the clean copy's object
            self._entries.append((where, module, namespace, attr, value))
            if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
                self._add_class(where, value)

    def _add_class(self, label: str, cls: type) -> None:
        attrs = vars(cls)
        for attr, value in list(attrs.items()):
            if attr in _SKIPPED:
                continue
            if _foreign(value):
                self.tainted.append(f"{label}.{attr}")
                continue
            self._entries.append((f"{label}.{attr}", cls, attrs, attr, value))
        self._classes.append((label, cls, frozenset(attrs)))

    def restore(self) -> list[str]:
        """Put back everything changed since sealing; return the changed names, e.g. 'workbook.reference.relu'."""
        changed = []
        for where, owner, namespace, attr, value in self._entries:
            if namespace.get(attr, _MISSING) is not value:
                changed.append(where)
                try:
                    setattr(owner, attr, value)
                except (AttributeError, TypeError):  # a read-only slot: nothing the learner could change
                    changed.pop()
        for label, cls, attrs in self._classes:
            if len(vars(cls)) != len(attrs):
                for attr in set(vars(cls)) - attrs:
                    changed.append(f"{label}.{attr}")
                    try:
                        delattr(cls, attr)
                    except (AttributeError, TypeError):
                        pass
        return changed


def _foreign(value) -> bool:
    """Whether value is a function written outside the workbook, NumPy and the standard library."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    elif isinstance(value, property):
        value = value.fget
    if not isinstance(value, (types.FunctionType, types.MethodType)):
        return False
    # Methods a dataclass generates are compiled from a string, inside the workbook module.
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and module.startswith("workbook."):
        return False
    return not _is_library(value.__code__.co_filename)


def describe(changed: list[str]) -> str:
    """The note for a result when learner code changed the workbook's modules."""
    shown = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
    return (f"Your code changed {shown}. The grader put back its own version and judged with it; "
            "leave the workbook's modules as they are.")
