"""`workbook serve --watch`: serve the last good build, rebuild on every change, reload open pages.

Changes are found by polling modification times: a few dozen files every 0.3 s cost nothing,
work the same on every OS, in containers and on network folders, and need no dependency
(watchdog, inotify).

A change to the problem sets that leaves every set's answers as the site's wheel ships them (a
reworded prompt, a new hint, a fixed solution) is patched into the served site in well under a
second: the notebooks, their listing and the landing page's manifest. Anything else (answers,
sets added or removed, workbook.toml) runs the whole build, `jupyter lite build` included.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from .cli import SetCache, _build, _config, _load, _replace, _summary
from .compile import write_compiled
from .config import Config
from .errors import WorkbookError, display_path

WATCH_SECONDS = 0.3
"""How often the watched files are looked at: well inside the 5 s an author waits for a preview."""


def serve_watching(config: Config, args) -> int:
    """Serve the last good build and rebuild whenever a watched file changes, until Ctrl-C."""
    from .site.server import LiveState, make_server

    live = LiveState()
    httpd = make_server(config.output, "127.0.0.1", args.port, live=live)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"Serving {display_path(config.output)} at http://127.0.0.1:{httpd.server_address[1]}/, "
          f"rebuilding on changes to {', '.join(display_path(p) for p in config.watched)} (Ctrl-C to stop)",
          flush=True)
    cache = SetCache()
    seen = None
    built = None
    try:
        while True:
            state = snapshot(config.watched)
            if state != seen:
                seen = state
                config, built = rebuild(config, built, args, cache, live)
            time.sleep(WATCH_SECONDS)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
        return 0
    finally:
        httpd.shutdown()
        httpd.server_close()


def snapshot(paths: list[Path]) -> dict[Path, tuple[int, int]]:
    """Return (mtime, size) of every file under `paths`."""
    state = {}
    for root in paths:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            try:
                stat = path.stat()
            except OSError:
                continue
            if not path.is_dir():
                state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def rebuild(config: Config, built: Config | None, args, cache: SetCache, live) -> tuple[Config, Config | None]:
    """Build once; return the settings now in force and those of the site being served.

    workbook.toml is read again (it may have changed); the output stays the one being served. On
    success open pages reload; on failure the errors are printed and shown on the pages, which
    keep the last good site.
    """
    errors = io.StringIO()
    ok = False
    with contextlib.redirect_stderr(_Tee(sys.stderr, errors)):
        try:
            config = replace(_config(args), output=config.output)
            if config == built and not args.notebooks_only:
                ok = _patch(config, args, cache)
            if not ok:
                ok = _build(config, args, cache) == 0
        except WorkbookError as exc:
            print(f"error: {exc}", file=sys.stderr)
    if ok:
        live.built()
        return config, config
    print("serving the last good build; waiting for the next change", file=sys.stderr, flush=True)
    live.failed(errors.getvalue())
    return config, built


def _patch(config: Config, args, cache: SetCache) -> bool:
    """Patch a change that keeps every answer into the served site; False when it needs a build."""
    from .site.landing import write_site_manifest
    from .site.lite import _read_manifest, _stage_contents
    from .site.offline import _install_offline

    started = time.perf_counter()
    site = config.output
    sets, errors = _load(config.content, cache=cache)
    if errors:
        return False  # the full build reports them, with its summary
    with tempfile.TemporaryDirectory(prefix=".workbook-", dir=site.parent) as tmp:
        compiled, new_key = Path(tmp, "compiled"), Path(tmp, "key")
        write_compiled(sets, compiled, new_key)
        manifest = _read_manifest(compiled)
        site_manifest = _stage_contents(compiled, manifest, Path(tmp, "contents"))
        answers = {s["id"]: (compiled / "answers" / f"{s['id']}.json").read_bytes() for s in manifest["sets"]}
        listing_path = site / "api" / "contents" / "all.json"
        try:
            listing = json.loads(listing_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        entries = {e.get("path"): e for e in listing.get("content", []) if e.get("type") == "notebook"}
        names = [s["notebook"] for s in site_manifest["sets"]]
        if answers != _shipped_answers(site) or set(names) != set(entries):
            return False
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for name in names:
            data = Path(tmp, "contents", name).read_bytes()
            if (site / "files" / name).read_bytes() != data:
                _write_atomically(site / "files" / name, data)
                entries[name].update(size=len(data), last_modified=now)
        _write_atomically(listing_path, json.dumps(listing, indent=2, sort_keys=True).encode())
        write_site_manifest(site, site_manifest)
        _install_offline(site)  # a new build id and file list: open pages' worker picks the change up
        _replace(new_key, args.key or site.parent / "instructor-key")
    print(f"updated {_summary(sets, [])} in {display_path(site)} (answers unchanged) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return True


def _shipped_answers(site: Path) -> dict[str, bytes] | None:
    """Return the answers inside the site's `workbook` wheel by set id (None if it has none)."""
    wheels = list((site / "static" / "pyodide").glob("workbook-*.whl"))
    if len(wheels) != 1:
        return None
    prefix = "workbook/_answers/"
    with zipfile.ZipFile(wheels[0]) as zf:
        return {n[len(prefix):-len(".json")]: zf.read(n) for n in zf.namelist()
                if n.startswith(prefix) and n.endswith(".json")}


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` so that a request never reads half a file."""
    new = path.with_name(f".{path.name}.new")
    new.write_bytes(data)
    os.replace(new, path)


class _Tee(io.TextIOBase):
    """A stream writing to several: the terminal and the text the preview pages show."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()
