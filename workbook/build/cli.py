"""The command line: `python build.py check|build|serve` (also installed as `workbook`)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .compile import load_content, write_compiled
from .errors import WorkbookError, display_path

DEFAULT_CONTENT = Path("content")
DEFAULT_OUTPUT = Path("_build/site")


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except WorkbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook", description="Compile Markdown problem sets "
                                     "into a JupyterLite workbook that grades in the browser.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="parse and validate every problem set")
    check.add_argument("--content", type=Path, default=DEFAULT_CONTENT, metavar="DIR",
                       help="folder of problem sets (default: content)")
    check.set_defaults(run=run_check)

    build = commands.add_parser("build", help="validate, then write the notebooks and the site")
    _build_options(build)
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build if needed, then serve the site on 127.0.0.1")
    _build_options(serve)
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--rebuild", action="store_true", help="build even if the output exists")
    serve.set_defaults(run=run_serve)
    return parser


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT, metavar="DIR",
                        help="folder of problem sets (default: content)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"where the site goes (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--key", type=Path, default=None, metavar="DIR",
                        help="where the instructor key goes (default: instructor-key beside the output)")
    parser.add_argument("--pyodide-dist", default=None, metavar="PATH_OR_URL",
                        help="vendor this full Pyodide distribution (works with no network, numpy included)")
    parser.add_argument("--notebooks-only", action="store_true",
                        help="write the notebooks, answers and manifest without the JupyterLite site")


def _load(content: Path):
    sets, errors = load_content(content)
    for error in errors:
        print(f"{display_path(error.path)}:{error.line}: {error.message}", file=sys.stderr)
    return sets, errors


def _summary(sets, errors) -> str:
    files = len({e.path for e in errors})
    problems = sum(len(s.problems) for s in sets)
    if errors:
        return f"{len(errors)} error{'s' * (len(errors) != 1)} in {files} file{'s' * (files != 1)}"
    return f"{len(sets)} problem sets, {problems} problems: all valid"


def run_check(args) -> int:
    """Validate everything; print every error and a one-line summary."""
    sets, errors = _load(args.content)
    print(_summary(sets, errors), file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


def run_build(args) -> int:
    """Validate, compile into a temporary folder, then move it into place only on success."""
    started = time.perf_counter()
    sets, errors = _load(args.content)
    if errors:
        print(f"{_summary(sets, errors)}; nothing was built, {display_path(args.output)} is unchanged",
              file=sys.stderr)
        return 1
    output = args.output
    key = args.key or output.parent / "instructor-key"
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".workbook-", dir=output.parent) as tmp:
        compiled, site, new_key = Path(tmp, "compiled"), Path(tmp, "site"), Path(tmp, "key")
        write_compiled(sets, compiled, new_key)
        if args.notebooks_only:
            site = compiled
        else:
            from .site import build_site  # the site build needs jupyterlite; compiling alone does not
            site.mkdir()
            build_site(compiled, site, pyodide_dist=args.pyodide_dist)
        _replace(site, output)
        _replace(new_key, key)
    print(f"built {_summary(sets, errors)} into {display_path(output)} "
          f"(instructor key: {display_path(key)}) in {time.perf_counter() - started:.1f} s")
    return 0


def _replace(new: Path, target: Path) -> None:
    """Swap `new` in for `target`, keeping the old copy until the new one is in place."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    shutil.move(str(new), str(target))
    if old.exists():
        shutil.rmtree(old)


def run_serve(args) -> int:
    """Build when there is no site yet (or when asked), then serve it until interrupted."""
    if args.rebuild or not (args.output / "index.html").exists():
        status = run_build(args)
        if status:
            return status
    from .site import serve
    serve(args.output, host="127.0.0.1", port=args.port)
    return 0
