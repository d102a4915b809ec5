"""Record check results in the learner's browser so the landing page can show progress.

`submit` calls `record(set_id, problem_id, result)` after every check. In the browser (Pyodide, in
JupyterLite's kernel web worker) the result goes into IndexedDB, which a worker can use and which
the landing page (same origin) reads: database `workbook-progress:<site path>`, object store
`results`, one record per problem keyed `<set id>/<problem id>`:

    {key, set, problem, passed, solved, attempts, message, time, first_solved}

`passed` is the last check's verdict, `solved` whether any check ever passed. The database is
per site path (several sites on one github.io origin do not mix), and survives reloads and
redeploys. A BroadcastChannel message (`workbook-progress`) tells an open landing page to refresh.

Outside the browser (CPython) `record` does nothing. It never raises: progress is a convenience
and must not hide a verdict.
"""

from __future__ import annotations

import json
import sys
import time

DB_PREFIX = "workbook-progress:"
STORE = "results"
CHANNEL = "workbook-progress"
MESSAGE_LIMIT = 400

# Runs in the kernel's web worker: no localStorage there, but IndexedDB and BroadcastChannel.
_RECORD_JS = r"""
(function (json) {
  const rec = JSON.parse(json);
  // The worker script lives under <site>/extensions/... or <site>/build/...: the site root is before.
  const href = String(self.location && self.location.href || "");
  let root = "/";
  for (const marker of ["/extensions/", "/build/", "/static/"]) {
    const i = href.indexOf(marker);
    if (i >= 0) { root = new URL(href.slice(0, i + 1)).pathname; break; }
  }
  return new Promise((resolve) => {
    let req;
    try { req = indexedDB.open("__PREFIX__" + root, 1); } catch (e) { resolve(false); return; }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("__STORE__")) db.createObjectStore("__STORE__", {keyPath: "key"});
    };
    req.onerror = () => resolve(false);
    req.onblocked = () => resolve(false);
    req.onsuccess = () => {
      const db = req.result;
      let tx;
      try { tx = db.transaction("__STORE__", "readwrite"); } catch (e) { db.close(); resolve(false); return; }
      const store = tx.objectStore("__STORE__");
      const get = store.get(rec.key);
      get.onsuccess = () => {
        const old = get.result || {attempts: 0, solved: false, first_solved: null};
        store.put(Object.assign({}, old, rec, {
          attempts: (old.attempts || 0) + 1,
          solved: Boolean(old.solved || rec.passed),
          first_solved: old.first_solved || (rec.passed ? rec.time : null),
        }));
      };
      tx.oncomplete = () => {
        db.close();
        try { const ch = new BroadcastChannel("__CHANNEL__"); ch.postMessage(rec); ch.close(); } catch (e) {}
        resolve(true);
      };
      tx.onerror = tx.onabort = () => { db.close(); resolve(false); };
    };
  });
})
""".replace("__PREFIX__", DB_PREFIX).replace("__STORE__", STORE).replace("__CHANNEL__", CHANNEL)

_recorder = None


def in_browser() -> bool:
    """True in Pyodide (the learner's browser)."""
    return sys.platform == "emscripten"


def record(set_id: str, problem_id: str, result) -> None:
    """Store the verdict of one check for the landing page; never raises, no-op outside a browser."""
    try:
        if not in_browser():
            return
        passed = bool(getattr(result, "passed", False))
        try:
            message = str(result)
        except Exception:
            message = ""
        rec = {
            "key": f"{set_id}/{problem_id}",
            "set": str(set_id),
            "problem": str(problem_id),
            "passed": passed,
            "message": message[:MESSAGE_LIMIT],
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _js_recorder()(json.dumps(rec))  # a Promise: fire and forget
    except Exception:
        pass


def _js_recorder():
    global _recorder
    if _recorder is None:
        from pyodide.code import run_js  # only in Pyodide

        _recorder = run_js(_RECORD_JS)
    return _recorder
