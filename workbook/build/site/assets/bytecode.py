# Run inside Pyodide (by bytecode.mjs, under Node) at build time: find the modules a kernel imports
# as it starts, and compile them to bytecode inside the archives that ship them.
#
# Bytecode is specific to the Python that made it, and the only Python 3.14 at hand is Pyodide's
# own, hence Pyodide under Node. Each compiled module replaces its source (`x.py` -> `x.pyc`
# beside it, which Python loads without a source, as in Pyodide's own CDN packages); every other
# module stays source, so the files grow only by what a start needs. Code objects carry the path
# the module is loaded from, so tracebacks name the right file (with no source line to show).
import base64
import hashlib
import importlib
import importlib.util
import io
import sys
import zipfile

STAMP = (1980, 1, 1, 0, 0, 0)


def started_modules(imports):
    """Paths of the .py files of every module loaded by importing `imports`."""
    for name in imports:
        importlib.import_module(name)
    return sorted({
        f for f in (getattr(m, "__file__", None) for m in list(sys.modules.values()))
        if isinstance(f, str) and f.endswith(".py")
    })


def compile_archive(data, prefix, started):
    """`data` (a wheel or the stdlib zip, as installed under `prefix`) with each member whose
    installed path is in `started` compiled; a wheel's RECORD is rewritten to match."""
    data = data.to_bytes() if hasattr(data, "to_bytes") else bytes(data)
    started = set(started)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    members, record, compiled = [], None, 0
    for info in src.infolist():
        name, body = info.filename, src.read(info)
        if name.endswith(".dist-info/RECORD"):
            record = name
            continue
        path = prefix + name
        if path in started:
            code = compile(body, path, "exec", dont_inherit=True)
            name = name + "c"
            body = bytes(importlib._bootstrap_external._code_to_hash_pyc(
                code, importlib.util.source_hash(body), checked=False))
            compiled += 1
        members.append((name, body, info.external_attr))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for name, body, attr in members:
            zi = zipfile.ZipInfo(name, date_time=STAMP)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = attr
            dst.writestr(zi, body)
        if record:
            lines = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}"
                     for n, b, _ in members]
            zi = zipfile.ZipInfo(record, date_time=STAMP)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, "\n".join([*lines, f"{record},,"]) + "\n")
    return out.getvalue(), compiled
