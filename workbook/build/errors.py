"""The exceptions the CLI catches and prints: one base class, never a traceback for content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class WorkbookError(Exception):
    """Anything the CLI reports as a message rather than a traceback."""


class BuildError(WorkbookError):
    """A build step (the site, the notebooks) could not be completed."""


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file, shown to the instructor as `path:line: message`."""

    path: str
    """The file, as given to the parser."""
    line: int
    """1-based line of the offending directive, option or block."""
    message: str
    """What is wrong and what to do about it."""
    warning: bool = False
    """A warning is printed (`path:line: warning: ...`) but does not fail `check` or `build`."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' * self.warning}{self.message}"


class ContentErrors(WorkbookError):
    """Every content error found in one or more files, raised once."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def display_path(path: str | Path) -> str:
    """Return `path` relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
