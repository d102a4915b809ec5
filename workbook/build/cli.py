"""The command line: `workbook check|build|serve|init|guide` (also `python build.py ...`)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .compile import find_sources, load_content, write_compiled
from .config import Config, absolute, load_config
from .errors import ContentError, WorkbookError, display_path
from .model import ProblemSet
from .parse import read_set
from .validate import validate_set


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

    check = commands.add_parser("check", help="parse and validate every problem set, or the files named")
    check.add_argument("files", nargs="*", type=Path, metavar="FILE",
                       help="problem sets to check (default: every set of the content folder)")
    _course_options(check)
    check.set_defaults(run=run_check)

    build = commands.add_parser("build", help="validate, then write the notebooks and the site")
    _build_options(build)
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build if needed, then serve the site on 127.0.0.1")
    _build_options(serve)
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--rebuild", action="store_true", help="build even if the output exists")
    serve.add_argument("--watch", action="store_true",
                       help="preview: rebuild on every change to the content or workbook.toml, reload open pages")
    serve.set_defaults(run=run_serve)

    init = commands.add_parser("init", help="start a new course: workbook.toml, an example set, a Pages workflow")
    init.add_argument("directory", type=Path, metavar="DIR", help="folder to create (or an empty one)")
    init.add_argument("--title", default=None, help="the course's title (default: from the folder's name)")
    init.set_defaults(run=run_init)

    guide = commands.add_parser("guide", help="print the authoring guide (the problem-set format)")
    guide.set_defaults(run=run_guide)
    return parser


def _course_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, metavar="PATH",
                        help="the course's settings (default: workbook.toml in the current folder, if any)")
    parser.add_argument("--content", type=Path, default=None, metavar="DIR",
                        help="folder of problem sets (default: workbook.toml's `content`, else content)")


def _build_options(parser: argparse.ArgumentParser) -> None:
    _course_options(parser)
    parser.add_argument("--output", type=Path, default=None, metavar="DIR",
                        help="where the site goes (default: workbook.toml's `output`, else _build/site)")
    parser.add_argument("--key", type=Path, default=None, metavar="DIR",
                        help="where the instructor key goes (default: instructor-key beside the output)")
    parser.add_argument("--pyodide-dist", default=None, metavar="PATH_OR_URL",
                        help="vendor this full Pyodide distribution (works with no network, numpy included)")
    parser.add_argument("--notebooks-only", action="store_true",
                        help="write the notebooks, answers and manifest without the JupyterLite site")


def _config(args) -> Config:
    """Return the course's settings with the command line's overrides, every path absolute.

    Resolved here, before any work: the site build runs `jupyter lite build` from a temporary
    folder, where a relative path would point somewhere else.
    """
    config = load_config(args.config)
    if args.content is not None:
        config = replace(config, content=absolute(args.content))
    if getattr(args, "output", None) is not None:
        config = replace(config, output=absolute(args.output))
    if getattr(args, "key", None) is not None:
        args.key = absolute(args.key)
    dist = getattr(args, "pyodide_dist", None)
    if dist and "://" not in dist:
        args.pyodide_dist = str(absolute(dist))
    return config


class SetCache:
    """Parsed and validated sets by file contents: `serve --watch` re-checks only what changed."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[bytes, ProblemSet | None, list[ContentError]]] = {}

    def load(self, path: Path) -> tuple[ProblemSet | None, list[ContentError]]:
        """Return the set in `path` and its errors, from the cache when the file is unchanged."""
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        cached = self._entries.get(path)
        if cached and cached[0] == data:
            return cached[1], cached[2]
        problem_set, errors = read_set(path)
        if problem_set is not None:
            errors = errors + validate_set(problem_set)
        self._entries[path] = (data, problem_set, errors)
        return problem_set, errors


def _load(content: Path, files: list[Path] | None = None, cache: SetCache | None = None):
    """Parse and validate the content folder (or only `files`, or through `cache`); print every
    error; return the sets in landing order and the errors."""
    if files is None and cache is None:
        sets, errors = load_content(content)
    else:  # compile.load_content, file by file: single files, and unchanged ones from the cache
        cache = cache or SetCache()
        sets, errors = [], []
        for path in files or find_sources(content):
            problem_set, file_errors = cache.load(path)
            errors += file_errors
            if problem_set is not None:
                sets.append(problem_set)
        sets.sort(key=ProblemSet.sort_key)
        errors.sort()
    for error in errors:
        print(f"{display_path(error.path)}:{error.line}: {error.message}", file=sys.stderr)
    return sets, errors


def _summary(sets, errors) -> str:
    files = len({e.path for e in errors})
    problems = sum(len(s.problems) for s in sets)
    if errors:
        return f"{_count(len(errors), 'error')} in {_count(files, 'file')}"
    return f"{_count(len(sets), 'problem set')}, {_count(problems, 'problem')}: all valid"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def run_check(args) -> int:
    """Validate everything (or the files named); print every error and a one-line summary."""
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        raise WorkbookError(f"{', '.join(map(str, missing))}: no such file")
    if args.files:
        sets, errors = _load(Path.cwd(), files=[absolute(f) for f in args.files])
    else:
        sets, errors = _load(_config(args).content)
    print(_summary(sets, errors), file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


def run_build(args) -> int:
    """Validate, compile into a temporary folder, then move it into place only on success."""
    config = _config(args)
    return _build(config, args)


def _build(config: Config, args, cache: SetCache | None = None) -> int:
    """Build the course described by `config`; return the exit status."""
    started = time.perf_counter()
    output = config.output
    sets, errors = _load(config.content, cache=cache)
    if errors:
        print(f"{_summary(sets, errors)}; nothing was built, {display_path(output)} is unchanged",
              file=sys.stderr)
        return 1
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
            build_site(compiled, site, pyodide_dist=args.pyodide_dist,
                       title=config.title, description=config.description)
        _replace(site, output)
        _replace(new_key, key)
    print(f"built {_summary(sets, errors)} into {display_path(output)} "
          f"(instructor key: {display_path(key)}) in {time.perf_counter() - started:.1f} s", flush=True)
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
    config = _config(args)
    if args.watch:
        from .watch import serve_watching
        return serve_watching(config, args)
    if args.rebuild or not (config.output / "index.html").exists():
        status = _build(config, args)
        if status:
            return status
    from .site import serve
    serve(config.output, host="127.0.0.1", port=args.port)
    return 0


def run_init(args) -> int:
    """Write a new course folder and say what to do next."""
    from .init import write_course

    written = write_course(args.directory, args.title)
    where = display_path(args.directory.absolute())
    print(f"created {where} ({len(written)} files): workbook.toml, content/, README.md, .gitignore, "
          f"requirements.txt and .github/workflows/pages.yml\n"
          f"next: cd {where} && workbook check && workbook serve --watch   (the format: workbook guide)")
    return 0


def run_guide(args) -> int:
    """Print the authoring guide."""
    from .init import read_guide

    print(read_guide(), end="")
    return 0
