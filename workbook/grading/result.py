"""The verdict of a check, readable as plain text in a terminal and as HTML in a notebook."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

PASS_MARK = "✅"
FAIL_MARK = "❌"
UNCHECKED_MARK = "⚠️"
# In HTML the marks are plain dingbats: common text fonts draw them, where a machine without an
# emoji font would show the emoji above as empty boxes. Each mark is paired with a word for screen
# readers and shapes differ, so the verdict never rests on colour alone.
HTML_MARKS = {True: ("✔", "Passed", "#2e7d32"), False: ("✘", "Not passed", "#c62828"),
              None: ("⚠", "Not checked", "#8a5a00")}
_SPARKS = "▁▂▃▄▅▆▇█"
_VISUALLY_HIDDEN = ("position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); "
                    "white-space: nowrap;")
"""Read by screen readers, not drawn: the verdict in words before the mark."""


@dataclass(frozen=True)
class Block:
    """One titled part of the feedback: a sentence to read, or preformatted text (code=True)."""

    title: str
    """Short heading, e.g. 'Failing case' or 'Comparison'."""
    text: str
    """The body; never contains learner objects, only text already made safe."""
    code: bool = True
    """Show as monospace (inputs, mismatch reports) rather than as a paragraph."""


@dataclass(frozen=True, repr=False)
class Result:
    """What a check found: `passed`, a one-line `summary`, and the details a learner needs to act."""

    passed: bool
    """The verdict."""
    summary: str
    """One line saying what happened, e.g. 'passed all 14 cases' or '2 of 14 cases failed'."""
    name: str = ""
    """What was checked (a check name or a problem id); shown before the summary."""
    blocks: tuple[Block, ...] = ()
    """The failing case, the comparison report, the gradient check, in reading order."""
    hint: str | None = None
    """One line naming the likely mistake, when the failure matches a known one."""
    notes: tuple[str, ...] = ()
    """Side remarks that do not change the verdict (warnings, tips)."""
    losses: tuple[float, ...] | None = field(default=None)
    """A training loss curve to draw, when the learner's code exposed one."""
    checked: bool = True
    """False when the answer could not be judged at all (no valid option named, NumPy missing):
    neither a pass nor a fail, and not recorded as an attempt."""

    @property
    def _verdict(self) -> bool | None:
        return self.passed if self.checked else None

    @property
    def headline(self) -> str:
        """The first line: mark, name and summary."""
        mark = {True: PASS_MARK, False: FAIL_MARK, None: UNCHECKED_MARK}[self._verdict]
        return f"{mark} {self._title}"

    @property
    def _title(self) -> str:
        name = f"{self.name}: " if self.name else ""
        return f"{name}{self.summary}"

    def __str__(self) -> str:
        lines = [self.headline]
        for block in self.blocks:
            lines.append("")
            if block.code:
                lines.append(f"{block.title}:")
                lines.extend("    " + line for line in block.text.splitlines())
            else:
                lines.append(f"{block.title}: {block.text}" if block.title else block.text)
        if self.losses:
            lines += ["", f"Loss curve: {sparkline(self.losses)}  {describe_curve(self.losses)}"]
        if self.hint:
            lines += ["", f"Hint: {self.hint}"]
        if self.notes:
            lines.append("")
            lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        mark, word, colour = HTML_MARKS[self._verdict]
        state = {True: "passed", False: "failed", None: "unchecked"}[self._verdict]
        # role="status": screen readers announce the verdict when the output appears
        parts = [f'<div class="workbook-result {state}" role="status" '
                 f'style="border-left: 4px solid {colour}; padding: 0.4em 0.9em; margin: 0.3em 0; '
                 f'overflow-x: auto;">',
                 f'<div style="font-weight: bold; color: {colour};"><span class="workbook-verdict" '
                 f'style="{_VISUALLY_HIDDEN}">{word}: </span>{mark} {_esc(self._title)}</div>']
        for block in self.blocks:
            title = f"<strong>{_esc(block.title)}</strong>" if block.title else ""
            if block.code:
                parts.append(f'<div style="margin-top: 0.5em;">{title}</div>'
                             f'<pre style="margin: 0.2em 0; padding: 0.4em; overflow-x: auto;">'
                             f"{_esc(block.text)}</pre>")
            else:
                sep = ": " if title else ""
                parts.append(f'<p style="margin: 0.5em 0 0.2em;">{title}{sep}{_esc(block.text)}</p>')
        if self.losses:
            parts.append(f'<div style="margin-top: 0.5em;"><strong>Loss curve</strong> '
                         f"{_esc(describe_curve(self.losses))}</div>{loss_svg(self.losses)}")
        if self.hint:
            parts.append(f'<p style="margin: 0.5em 0 0.2em;"><strong>Hint:</strong> {_esc(self.hint)}</p>')
        for note in self.notes:
            parts.append(f'<p style="margin: 0.3em 0; opacity: 0.8;"><em>Note:</em> {_esc(note)}</p>')
        parts.append("</div>")
        return "".join(parts)


def failure(message: str, *, name: str = "", hint: str | None = None) -> Result:
    """Return a failed Result that says `message`."""
    return Result(False, message, name=name, hint=hint)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def safe_repr(obj, limit: int = 300) -> str:
    """repr() of a learner object that cannot raise, hang the report, or flood it."""
    try:
        text = repr(obj)
        if not isinstance(text, str):
            raise TypeError("__repr__ returned a non-string")
    except BaseException as exc:  # a learner's __repr__ may do anything
        if type_name(exc) == "BudgetExceeded":
            return f"<{type_name(obj)} object (its repr() did not finish in time)>"
        return f"<{type_name(obj)} object (its repr() raised {type_name(exc)})>"
    if len(text) > limit:
        text = text[: limit - 15] + " ...[truncated]"
    return text


def safe_str(obj, limit: int = 300) -> str:
    """str() of a learner object (typically an exception) that cannot raise."""
    try:
        text = str(obj)
        if not isinstance(text, str):
            raise TypeError("__str__ returned a non-string")
    except BaseException as exc:  # a learner's __str__ may do anything
        if type_name(exc) == "BudgetExceeded":  # tracing is off now: its __repr__ would run unwatched
            return f"<{type_name(obj)} object (its str() did not finish in time)>"
        return safe_repr(obj, limit)
    if len(text) > limit:
        text = text[: limit - 15] + " ...[truncated]"
    return text


def nth(n: int) -> str:
    """Spell a 1-based position as people count: 1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def type_name(obj) -> str:
    """The name of obj's type, whatever obj is."""
    try:
        name = type(obj).__name__
        return name if isinstance(name, str) else "object"
    except BaseException:  # a metaclass can make even this raise
        return "object"


def _finite(losses) -> list[float]:
    return [x for x in losses if isinstance(x, float) and math.isfinite(x)]


def describe_curve(losses) -> str:
    """'from 0.693 to 0.0123 over 1000 epochs'."""
    values = list(losses)
    if not values:
        return ""
    return f"from {values[0]:.4g} to {values[-1]:.4g} over {len(values)} epochs"


def _downsample(values: list[float], n: int) -> list[float]:
    if len(values) <= n:
        return values
    step = len(values) / n
    return [values[int(i * step)] for i in range(n - 1)] + [values[-1]]


def sparkline(losses, width: int = 40) -> str:
    """A one-line Unicode drawing of a loss curve (non-finite values drawn as '×')."""
    values = _downsample(list(losses), width)
    finite = _finite(values)
    if not finite:
        return "×" * len(values)
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    out = []
    for x in values:
        if isinstance(x, float) and math.isfinite(x):
            out.append(_SPARKS[min(int((x - lo) / span * (len(_SPARKS) - 1) + 0.5), len(_SPARKS) - 1)])
        else:
            out.append("×")
    return "".join(out)


def loss_svg(losses, width: int = 320, height: int = 90) -> str:
    """A small inline SVG line chart of a loss curve, with its first and last values."""
    values = _downsample(list(losses), 200)
    points = [(i, x) for i, x in enumerate(values) if isinstance(x, float) and math.isfinite(x)]
    if len(points) < 2:
        return ""
    lo, hi = min(x for _, x in points), max(x for _, x in points)
    span = hi - lo or 1.0
    last = max(len(values) - 1, 1)
    pad = 6
    coords = " ".join(f"{pad + i / last * (width - 2 * pad):.1f},"
                      f"{pad + (hi - x) / span * (height - 2 * pad):.1f}" for i, x in points)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="loss curve {_esc(describe_curve(losses))}" style="display: block;">'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" stroke="#bbb"/>'
            f'<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{coords}"/></svg>')
