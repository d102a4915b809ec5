"""Time budgets for learner code that work without threads or signals (CPython and Pyodide).

A check runs the learner's function under `sys.settrace`: the trace function looks at the clock on
every call and on every line executed in the learner's own frames, and raises `BudgetExceeded` once
the deadline has passed. Pyodide has neither threads nor signals, but it is CPython compiled to
WebAssembly, so `sys.settrace` behaves there as it does here.

Limits, by design of `sys.settrace`:
- Only Python bytecode is watched, through line events (and, on CPython 3.11, opcode events in the
  rare frames holding a one-line `while True: pass`, which emits no line events there). A single
  long call into C (a huge `np.dot`, `time.sleep`, `list(itertools.count())`) cannot be
  interrupted; the budget is enforced when it returns.
- When a trace function raises, CPython switches tracing off for the rest of the call. Learner code
  that swallows the exception (a bare `except:` or `except BaseException:` around an endless loop)
  therefore keeps running; `BudgetExceeded` derives from BaseException so `except Exception:`
  does not catch it.
- Tracing slows tight pure-Python loops in the learner's code several times (about 7x on CPython
  3.11); NumPy-heavy code barely notices (the XOR check of a NumPy MLP: about 15%).
- A debugger or coverage tracer active before the check is suspended during the learner's call and
  restored afterwards.
"""

from __future__ import annotations

import os
import sys
import time

_clock = time.perf_counter


class BudgetExceeded(BaseException):
    """Raised inside learner code when its time budget has run out."""


class Budget:
    """Seconds of learner run time left for one check, spent call by call."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.remaining = float(seconds)

    @property
    def exhausted(self) -> bool:
        """Whether the learner's calls have used up the budget."""
        return self.remaining <= 0

    def run(self, fn, *args, **kwargs):
        """Call `fn(*args, **kwargs)`, raising `BudgetExceeded` in its frames once the budget is spent."""
        return self.run_capped(None, fn, *args, **kwargs)

    def run_capped(self, cap: float | None, fn, *args, **kwargs):
        """Call `fn` like `run`, but stop it after `cap` seconds even if more of the budget is left."""
        start = _clock()
        seconds = max(self.remaining, 0.0) if cap is None else min(max(self.remaining, 0.0), cap)
        try:
            return run_until(start + seconds, fn, *args, **kwargs)
        finally:
            self.remaining -= _clock() - start


def run_until(deadline: float, fn, *args, **kwargs):
    """Call `fn`, raising `BudgetExceeded` in traced frames once `time.perf_counter()` passes `deadline`."""

    def on_line(frame, event, arg):
        if _clock() > deadline:
            raise BudgetExceeded
        return on_line

    def on_call(frame, event, arg):
        if _clock() > deadline:
            raise BudgetExceeded
        # Line events only in the learner's frames: library code is not where loops run away,
        # and skipping it keeps the overhead on NumPy's Python-level functions small.
        if _is_library(frame.f_code.co_filename):
            return None
        if _SELF_JUMPS_SILENT and _has_self_jump(frame.f_code):
            frame.f_trace_opcodes = True
        return on_line

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        return fn(*args, **kwargs)
    finally:
        sys.settrace(previous)


# CPython 3.11 emits no line event for a jump to itself, which is what `while True: pass` on one line
# compiles to; for the (rare) frames containing one, the budget watches every opcode instead.
_SELF_JUMPS_SILENT = sys.version_info < (3, 12)
_self_jump_cache: dict = {}


def _has_self_jump(code) -> bool:
    found = _self_jump_cache.get(code)
    if found is None:
        import dis

        jumps = set(dis.hasjrel) | set(dis.hasjabs)
        found = any(ins.opcode in jumps and ins.argval == ins.offset for ins in dis.get_instructions(code))
        if len(_self_jump_cache) > 10_000:
            _self_jump_cache.clear()
        _self_jump_cache[code] = found
    return found


def repr_within(obj, limit: int = 300, seconds: float = 1.0) -> str:
    """repr() of a learner object that cannot raise, and gives up after `seconds` of learner code."""
    from .result import safe_repr, type_name

    try:
        return Budget(seconds).run(safe_repr, obj, limit)
    except BaseException:  # the budget ran out inside the learner's __repr__
        return f"<{type_name(obj)} object>"


_LIBRARY_PREFIXES: tuple[str, ...] | None = None


def _is_library(filename: str) -> bool:
    global _LIBRARY_PREFIXES
    if _LIBRARY_PREFIXES is None:
        _LIBRARY_PREFIXES = library_prefixes()
    return filename.startswith(_LIBRARY_PREFIXES)


def library_prefixes() -> tuple[str, ...]:
    """Directories whose code is not the learner's: the grader, NumPy and the standard library."""
    import sysconfig

    prefixes = {os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep}
    try:
        paths = sysconfig.get_paths()
    except Exception:  # an unusual installation: the grader's own package is still recognised
        paths = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            prefixes.add(os.path.join(os.path.abspath(paths[key]), ""))
    # Pyodide keeps most of the standard library in a zip (/lib/python312.zip), which sysconfig does not name.
    prefixes.update(os.path.join(entry, "") for entry in sys.path if entry.endswith(".zip"))
    numpy = sys.modules.get("numpy")
    if numpy is not None and getattr(numpy, "__file__", None):
        prefixes.add(os.path.dirname(os.path.abspath(numpy.__file__)) + os.sep)
    prefixes.add("<frozen ")
    return tuple(sorted(prefixes))
