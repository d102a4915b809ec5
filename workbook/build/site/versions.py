"""The pinned versions and package lists the site is built from (one place for all of them).

The Pyodide pins are the pinned kernel's own (jupyterlite-pyodide-kernel 0.8.6 declares the Pyodide
it works with): pinning the kernel pins them.
"""

from jupyterlite_pyodide_kernel.constants import PYODIDE_CDN_URL, PYODIDE_PYTHON_VERSION, PYODIDE_VERSION

PYODIDE_PYTHON = PYODIDE_PYTHON_VERSION
"""The Python of that Pyodide: the start-up wheels are downloaded for it."""
PYODIDE_CDN = f"{PYODIDE_CDN_URL}/"
"""Where the lock's packages that are not vendored are loaded from (absolute `file_name`)."""
KERNEL_PACKAGES = ("micropip", "ipython", "jedi")
"""Lock packages the kernel loads at start; vendored with their dependencies."""
DIST_PACKAGES = (*KERNEL_PACKAGES, "numpy")
"""Lock packages vendored from a full distribution (`pyodide_dist`)."""
PIPLITE_PACKAGES = ("comm==0.2.3",)
"""Kernel start-up packages that are not in Pyodide's lock (pinned; from PyPI): added to the
site's lock and to its piplite index."""
KERNEL_EXTENSION_WHEELS = ("ipykernel", "piplite", "pyodide-kernel")
"""The kernel's own wheels, shipped inside its labextension (static/pypi)."""
PRELOAD = ("micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython", "workbook")
"""Lock packages loaded in parallel while Pyodide starts (`loadPyodideOptions.packages`): the kernel
then skips its one-by-one micropip/piplite installs, and `workbook` is ready for the first cell."""
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
"""The Pyodide runtime proper (the lock is written separately)."""
APPS = ("notebooks", "tree")
"""JupyterLite apps shipped: the Notebook UI and its file browser (its logo links there)."""
AUTOSAVE_SECONDS = 2
"""Notebook autosave interval: edits reach browser storage within this, so a reload loses nothing."""

__all__ = ["PYODIDE_VERSION", "PYODIDE_PYTHON", "PYODIDE_CDN", "KERNEL_PACKAGES", "DIST_PACKAGES",
           "PIPLITE_PACKAGES", "KERNEL_EXTENSION_WHEELS", "PRELOAD", "RUNTIME_FILES", "APPS", "AUTOSAVE_SECONDS"]
