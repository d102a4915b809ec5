"""The README's first command and the Pages workflow's build, run as written in a fresh clone.

The clone is `git clone` of this working tree plus its uncommitted changes, so the test sees what
the next commit will hold. Its `.venv` is a new virtualenv that borrows the packages of the venv
running the tests (a `.pth` line naming its site-packages, links to its Jupyter data folders, and
`./dev`'s install stamp written as if it had installed them): `./dev` then takes its normal path
without a minute of `pip install`, while `import workbook` still resolves to the clone's own
source (the script's folder comes first on sys.path). tests/test_install.py covers a real install.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFTOVERS = ("rspack.config.js", "rspack.config.watch.js", "rspack.config.analyze.js", "package.json",
             "jupyter-lite.ipynb", "notebooks/package.json", "notebooks/jupyter-lite.ipynb")


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    clone = tmp_path_factory.mktemp("fresh") / "workbook"
    _git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone))
    for name in _git("ls-files", "--modified", "--others", "--exclude-standard", "-z").split("\0"):
        if name and (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    for name in _git("ls-files", "--deleted", "-z").split("\0"):
        if name and (clone / name).exists():
            (clone / name).unlink()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clone / ".venv")], check=True)
    venv_site = next((clone / ".venv" / "lib").glob("python3*/site-packages"))
    (venv_site / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    for data in ("share", "etc"):  # Jupyter's data files (the kernel's labextension and wheels)
        if (Path(sys.prefix) / data).is_dir():
            (clone / ".venv" / data).symlink_to(Path(sys.prefix) / data)
    # ./dev compares the stamp with `$(cat pyproject.toml)`, which drops the trailing newline
    (clone / ".venv" / ".installed-base").write_text((clone / "pyproject.toml").read_text().rstrip("\n"))
    return clone


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dev_serve_answers_on_port_8000_from_a_fresh_clone(clone):
    command = ["./dev", "serve"]
    port = 8000
    if not _port_is_free(port):  # another program holds 8000 here: the same command on a free port
        port = _free_port()
        command += ["--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    page = None
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
    assert page is not None, f"`{shlex.join(command)}` never answered:\n{output}"
    print(f"\n`{shlex.join(command)}` in a fresh clone answered after {elapsed:.1f} s")
    assert "<h1>DL Foundations Workbook</h1>" in page  # the title from the clone's workbook.toml
    site = clone / "_build" / "site"
    assert (site / "notebooks" / "index.html").is_file()
    assert (clone / "_build" / "instructor-key").is_dir()
    assert not [name for name in LEFTOVERS if (site / name).exists()]


def test_the_pages_workflow_build_command_works_in_a_fresh_clone(clone):
    workflow = (clone / ".github" / "workflows" / "pages.yml").read_text()
    commands = re.findall(r"^\s*run: (.*build\.py build .*)$", workflow, re.M)
    assert len(commands) == 1, commands
    env = {**os.environ, "WORKBOOK_PYODIDE_DIST": os.environ.get("WORKBOOK_PYODIDE_DIST", "")}
    proc = subprocess.run(["bash", "-c", commands[0]], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = clone / "_site"
    assert (site / "index.html").is_file() and (site / "notebooks" / "index.html").is_file()
    assert not [name for name in LEFTOVERS if (site / name).exists()]
    # the workflow's upload steps read these paths
    uploads = re.findall(r"^\s*path: (\S+)$", workflow, re.M)
    assert "_site" in uploads and "instructor-key/" in uploads
    assert (clone / "instructor-key").is_dir() and any((clone / "instructor-key").glob("*.json"))
