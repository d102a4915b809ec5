#!/usr/bin/env python3
"""Compile the Markdown problem sets into the workbook site: `python build.py check|build|serve|...`."""

import sys

try:
    from workbook.build.cli import main
except ImportError as e:  # run with a Python that lacks the build's packages (no .venv)
    sys.exit(f"error: {e.name} is not installed in {sys.executable}: use ./dev check or ./dev serve "
             "(they set up .venv), or pip install -e . first")

if __name__ == "__main__":
    sys.exit(main())
