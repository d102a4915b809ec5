#!/usr/bin/env python3
"""Compile the Markdown problem sets into the workbook site: `python build.py check|build|serve`."""

import sys

from workbook.build.cli import main

if __name__ == "__main__":
    sys.exit(main())
