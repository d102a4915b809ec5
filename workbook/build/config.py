"""A course's settings: `workbook.toml` (title, description, content and output folders)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import WorkbookError, display_path

CONFIG_NAME = "workbook.toml"
DEFAULT_TITLE = "Workbook"
DEFAULT_DESCRIPTION = "Practice problems that run and check in your browser."


@dataclass(frozen=True)
class Config:
    """Everything a command needs to know about the course, with every path absolute."""

    title: str
    """The site's name: the landing page's heading and JupyterLite's `appName`."""
    description: str
    """One or two sentences under the title on the landing page (and its meta description)."""
    content: Path
    """The folder of problem sets."""
    output: Path
    """Where `build` writes the site; the instructor key goes beside it."""
    path: Path | None
    """The `workbook.toml` read, or None when there is none (every value is then its default)."""

    @property
    def watched(self) -> list[Path]:
        """Return what `serve --watch` rebuilds on: the content folder and the settings file."""
        return [self.content, *([self.path] if self.path else [])]


class ConfigError(WorkbookError):
    """`workbook.toml` is missing (when named), unreadable or wrong: every problem, one a line."""


_FIELDS = {
    "title": "the site's name, shown as the landing page's heading",
    "description": "one or two sentences shown under the title",
    "content": "the folder of problem sets, relative to workbook.toml",
    "output": "where the site is built, relative to workbook.toml",
}


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """Read `path`, else `workbook.toml` in `cwd` if there is one; resolve its folders against it."""
    cwd = absolute(cwd or Path.cwd())
    if path is None:
        found = cwd / CONFIG_NAME
        if not found.is_file():
            return Config(DEFAULT_TITLE, DEFAULT_DESCRIPTION, cwd / "content", cwd / "_build" / "site", None)
        path = found
    path = absolute(path, cwd)
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such file (pass --config PATH to an existing workbook.toml)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{shown}: cannot read it: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib names the place only inside its message: "... (at line 3, column 9)"
        m = re.search(r"\(at line (\d+), column \d+\)$", str(e))
        where = f"{shown}:{m.group(1)}" if m else shown
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(e))
        raise ConfigError(f"{where}: not valid TOML: {message} (strings need quotes: title = \"My course\")") from None
    errors = []
    for key, value in data.items():
        if key not in _FIELDS:
            known = ", ".join(_FIELDS)
            errors.append(f"{shown}:{_line_of(text, key)}: unknown setting '{key}' (known: {known})")
        elif not isinstance(value, str) or not value.strip():
            errors.append(f"{shown}:{_line_of(text, key)}: '{key}' must be a non-empty string in quotes: "
                          f"{_FIELDS[key]}")
    if errors:
        raise ConfigError("\n".join(errors))
    base = path.parent
    return Config(
        title=data.get("title", DEFAULT_TITLE).strip(),
        description=data.get("description", DEFAULT_DESCRIPTION).strip(),
        content=absolute(data.get("content", "content"), base),
        output=absolute(data.get("output", "_build/site"), base),
        path=path,
    )


def absolute(path: str | Path, base: Path | None = None) -> Path:
    """Return `path` made absolute against `base` (default: the current folder), `..` folded."""
    return Path(os.path.abspath(Path(base or Path.cwd(), path)))


def _line_of(text: str, key: str) -> int:
    """Return the 1-based line where `key` is set (1 when it cannot be found)."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1
