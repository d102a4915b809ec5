"""`workbook init DIR`: a new course folder that checks, builds and publishes as it stands."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from .errors import WorkbookError, display_path

TEMPLATES = Path(__file__).with_name("templates")
"""The files of a new course. Names starting with a dot are stored without it (`gitignore`,
`github/`): packaging tools leave hidden files out of package data."""
HIDDEN = ("gitignore", "github")
DIST_NAME = "markdown-workbook"
"""The distribution name this package is installed under (the import name is `workbook`)."""
GUIDE = Path(__file__).with_name("guide.md")
EXAMPLE = "01-first-steps.md"
"""The example set, which the guide also shows: one text, checked by `workbook init`'s tests."""


def write_course(directory: Path, title: str | None = None) -> list[Path]:
    """Write a new course into `directory` (absent or empty); return the files written."""
    directory = directory.absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise WorkbookError(f"{display_path(directory)} already exists and is not empty: "
                            "choose a new folder name")
    title = title or directory.name.replace("-", " ").replace("_", " ").strip().capitalize() or "Workbook"
    values = {"{title}": title, "{dist}": DIST_NAME, "{requirement}": _requirement()}
    written = []
    for source in sorted(TEMPLATES.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        rel = source.relative_to(TEMPLATES)
        if rel.parts[0] in HIDDEN:
            rel = Path("." + rel.parts[0], *rel.parts[1:])
        text = source.read_text(encoding="utf-8")
        if source.name in ("workbook.toml", "README.md", "requirements.txt"):
            for key, value in values.items():
                # workbook.toml takes the title as a TOML string, which JSON's quoting also is
                text = text.replace(key, json.dumps(value) if source.name == "workbook.toml" else value)
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _requirement() -> str:
    """Return the pip requirement of this very version of the tool."""
    try:
        return f"{DIST_NAME}=={metadata.version(DIST_NAME)}"
    except metadata.PackageNotFoundError:
        return DIST_NAME


def read_guide() -> str:
    """Return the authoring guide (Markdown), its complete example being the set `init` writes."""
    example = (TEMPLATES / "content" / EXAMPLE).read_text(encoding="utf-8").rstrip("\n")
    guide = GUIDE.read_text(encoding="utf-8")
    return guide.replace("{{ example }}", example).replace("{{ checks }}", _checks_table())


def _checks_table() -> str:
    """Return the grading registry's checks as a Markdown table: the guide never lags behind it."""
    from .. import grading

    rows = ["| check | student defines | what is compared |", "|---|---|---|"]
    for info in grading.CHECKS.values():
        rows.append(f"| `{info.name}` | `{info.signature}` | {info.summary.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)
