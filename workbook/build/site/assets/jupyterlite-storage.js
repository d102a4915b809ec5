// All access to JupyterLite's own browser storage, in one place. Written against jupyterlite-core
// 0.8.6 (pinned with jupyterlite-pyodide-kernel 0.8.6 in workbook/build/site/versions.py): its
// contents live in the IndexedDB database `JupyterLite Storage - <site path>` (localForage), object
// store `files` keyed by path, with `checkpoints` beside it. A JupyterLite upgrade that changes that
// layout needs only this file changed.
//
// Databases are opened only if they already exist: this page never creates one that the kernel or
// JupyterLite will want to create with their own schema.

const CONTENTS_DB = contentsDatabase(new URL("./", window.location.href).pathname);

function contentsDatabase(sitePath) {
  return `JupyterLite Storage - ${sitePath}`;
}

export function openExisting(name) {
  return new Promise((resolve) => {
    let req;
    try {
      req = indexedDB.open(name);
    } catch (e) {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => req.transaction.abort(); // it did not exist: do not create it
    req.onsuccess = () => resolve(req.result);
    req.onerror = (event) => {
      event.preventDefault();
      resolve(null);
    };
    req.onblocked = () => resolve(null);
  });
}

export function readAll(db, storeName) {
  return new Promise((resolve) => {
    if (!db || !db.objectStoreNames.contains(storeName)) {
      resolve([]);
      return;
    }
    const tx = db.transaction(storeName, "readonly");
    const store = tx.objectStore(storeName);
    const keysReq = store.getAllKeys();
    const valuesReq = store.getAll();
    tx.oncomplete = () => resolve(keysReq.result.map((k, i) => [k, valuesReq.result[i]]));
    tx.onerror = tx.onabort = () => resolve([]);
  });
}

// The learner's saved notebooks: path -> JupyterLite's file record.
export async function loadStoredNotebooks() {
  const db = await openExisting(CONTENTS_DB);
  const files = new Map();
  for (const [key, value] of await readAll(db, "files")) {
    if (value && value.type === "notebook") files.set(key, value);
  }
  if (db) db.close();
  return files;
}

export function storedVersion(file) {
  const meta = (file && file.content && file.content.metadata) || {};
  return (meta.workbook && meta.workbook.version) || null;
}

export function storedSetId(file) {
  const meta = (file && file.content && file.content.metadata) || {};
  return (meta.workbook && (meta.workbook.set_id || meta.workbook.set)) || null;
}

// Keep the learner's copy of `path` as "<stem> (my copy <date>).ipynb"; the deployed version of
// `path` then shows again. Returns the new name.
export async function keepCopyAside(path) {
  const db = await openExisting(CONTENTS_DB);
  if (!db) throw new Error("no saved notebooks in this browser");
  const stores = ["files", "checkpoints"].filter((s) => db.objectStoreNames.contains(s));
  const existing = new Set((await readAll(db, "files")).map(([k]) => k));
  const stem = path.replace(/\.ipynb$/, "");
  const date = new Date().toISOString().slice(0, 10);
  let name = `${stem} (my copy ${date}).ipynb`;
  for (let n = 2; existing.has(name); n++) name = `${stem} (my copy ${date} ${n}).ipynb`;
  await new Promise((resolve, reject) => {
    const tx = db.transaction(stores, "readwrite");
    const files = tx.objectStore("files");
    const get = files.get(path);
    get.onsuccess = () => {
      const file = get.result;
      if (!file) return;
      files.put({ ...file, name, path: name, last_modified: new Date().toISOString() }, name);
      files.delete(path);
      if (stores.includes("checkpoints")) {
        const cps = tx.objectStore("checkpoints");
        const cpGet = cps.get(path);
        cpGet.onsuccess = () => {
          if (cpGet.result !== undefined) {
            const moved = Array.isArray(cpGet.result)
              ? cpGet.result.map((c) => ({ ...c, name, path: name }))
              : cpGet.result;
            cps.put(moved, name);
            cps.delete(path);
          }
        };
      }
    };
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error || new Error("could not rename the notebook"));
  });
  db.close();
  return name;
}

// Drop the stored copy of every notebook whose version differs from the site's (the preview of
// `workbook serve --watch`, where the Markdown being edited is the source of truth).
export async function dropOutdatedCopies(sets, sitePath) {
  const db = await openExisting(contentsDatabase(sitePath));
  if (!db) return;
  const stores = ["files", "checkpoints"].filter((s) => db.objectStoreNames.contains(s));
  if (!stores.includes("files")) {
    db.close();
    return;
  }
  await new Promise((resolve) => {
    const tx = db.transaction(stores, "readwrite");
    const files = tx.objectStore("files");
    for (const set of sets) {
      const path = set.notebook || `${set.id}.ipynb`;
      const get = files.get(path);
      get.onsuccess = () => {
        if (get.result && storedVersion(get.result) !== set.version) {
          files.delete(path);
          if (stores.includes("checkpoints")) tx.objectStore("checkpoints").delete(path);
        }
      };
    }
    tx.oncomplete = tx.onerror = tx.onabort = resolve;
  });
  db.close();
}
