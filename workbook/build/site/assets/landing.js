// The workbook's landing page: lists the problem sets of manifest.json with the learner's progress.
//
// Progress is written by the Python kernel (workbook.progress.record, in JupyterLite's web worker)
// into the IndexedDB database `workbook-progress:<site path>`, store `results`, one record per
// problem keyed `<set id>/<problem id>`. The learner's own copies of the notebooks are kept by
// JupyterLite in `JupyterLite Storage - <site path>` (store `files`, keyed by path); when a newer
// version of a set is deployed, this page offers to keep the learner's copy under a new name and
// open the new version.

const ROOT_PATH = new URL("./", window.location.href).pathname;
const PROGRESS_DB = `workbook-progress:${ROOT_PATH}`;
const CONTENTS_DB = `JupyterLite Storage - ${ROOT_PATH}`;
const CHANNEL = "workbook-progress";
const CHECKED_KINDS = ["compute", "choice", "code", "debug", "challenge"];
const KIND_LABELS = {
  recall: ["recall", "recall"],
  compute: ["compute", "compute"],
  choice: ["choice", "choice"],
  code: ["code", "code"],
  debug: ["debug", "debug"],
  challenge: ["challenge", "challenges"],
};

const NUMPY_KINDS = ["code", "debug", "challenge"]; // checks that run learner code against NumPy
let manifest = null;
let numpyVendored = true;

// Whether the site ships NumPy itself (built with --pyodide-dist): otherwise Pyodide's lock points
// NumPy at the official CDN, and the first code check downloads it once.
async function loadNumpyVendored() {
  try {
    const response = await fetch("static/pyodide/pyodide-lock.json");
    const lock = await response.json();
    const numpy = (lock.packages || {}).numpy;
    return Boolean(numpy && !/^https?:/.test(numpy.file_name || ""));
  } catch (e) {
    return false;
  }
}

// ------------------------------------------------------------------------------------------
// IndexedDB helpers: open only databases that already exist (never create one the kernel or
// JupyterLite will want to create with their own schema).

function openExisting(name) {
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

function readAll(db, storeName) {
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

async function loadProgress() {
  const db = await openExisting(PROGRESS_DB);
  const records = new Map();
  for (const [key, value] of await readAll(db, "results")) records.set(key, value);
  if (db) db.close();
  return records;
}

async function loadStoredNotebooks() {
  const db = await openExisting(CONTENTS_DB);
  const files = new Map();
  for (const [key, value] of await readAll(db, "files")) {
    if (value && value.type === "notebook") files.set(key, value);
  }
  if (db) db.close();
  return files;
}

function storedVersion(file) {
  const meta = (file && file.content && file.content.metadata) || {};
  return (meta.workbook && meta.workbook.version) || null;
}

function storedSetId(file) {
  const meta = (file && file.content && file.content.metadata) || {};
  return (meta.workbook && (meta.workbook.set_id || meta.workbook.set)) || null;
}

// Keep the learner's copy of `path` as "<stem> (my copy <date>).ipynb"; the deployed version of
// `path` then shows again. Returns the new name.
async function keepCopyAside(path) {
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

// ------------------------------------------------------------------------------------------
// rendering

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function notebookUrl(path) {
  return `notebooks/index.html?path=${encodeURIComponent(path)}`;
}

function countsText(counts) {
  const parts = [];
  for (const [kind, [one, many]] of Object.entries(KIND_LABELS)) {
    const n = (counts || {})[kind] || 0;
    if (n) parts.push(`${n} ${n === 1 ? one : many}`);
  }
  for (const [kind, n] of Object.entries(counts || {})) {
    if (!(kind in KIND_LABELS) && n) parts.push(`${n} ${kind}`);
  }
  return parts.join(" · ");
}

function problemChip(set, problem, progress) {
  const checked = CHECKED_KINDS.includes(problem.kind);
  const rec = progress.get(`${set.id}/${problem.id}`);
  let state = "todo";
  let tip = `${problem.id} (${problem.kind})${problem.title ? ": " + problem.title : ""}`;
  if (!checked) {
    state = "recall";
    tip += " · self-check with the worked answer";
  } else if (rec && rec.solved) {
    state = "solved";
    tip += ` · solved (${rec.attempts} check${rec.attempts === 1 ? "" : "s"})`;
  } else if (rec) {
    state = "tried";
    tip += ` · not solved yet (${rec.attempts} check${rec.attempts === 1 ? "" : "s"})`;
  } else {
    tip += " · not checked yet";
  }
  return el(
    "li",
    { class: `wb-chip wb-${state}`, title: tip, "aria-label": tip, "data-problem": problem.id, "data-state": state },
    problem.id,
  );
}

function renderSet(set, progress, stored) {
  const problems = set.problems || [];
  const checkable = problems.filter((p) => CHECKED_KINDS.includes(p.kind));
  const solved = checkable.filter((p) => (progress.get(`${set.id}/${p.id}`) || {}).solved).length;
  const tried = checkable.filter((p) => progress.has(`${set.id}/${p.id}`)).length;
  const pct = checkable.length ? Math.round((100 * solved) / checkable.length) : 0;
  const path = set.notebook || `${set.id}.ipynb`;
  const mine = stored.get(path);
  const outdated = mine && set.version && storedVersion(mine) !== set.version;

  const progressText = checkable.length
    ? `${solved} of ${checkable.length} checked problems solved` +
      (tried > solved ? ` · ${tried - solved} tried` : "")
    : "no checked problems (self-study)";

  const copies = [...stored.entries()]
    .filter(([key, file]) => key !== path && storedSetId(file) === set.id)
    .map(([key]) => key)
    .sort();

  const openLabel = mine ? "Continue" : "Start";
  const needsNumpy = numpyVendored ? [] : problems.filter((p) => NUMPY_KINDS.includes(p.kind)).map((p) => p.id);
  const item = el(
    "li",
    { class: "wb-set", "data-set": set.id, id: `set-${set.id}` },
    el(
      "div",
      { class: "wb-set-head" },
      el("h2", {}, el("a", { href: notebookUrl(path), class: "wb-title" }, set.title || set.id)),
      el("a", { href: notebookUrl(path), class: "wb-open", "aria-label": `${openLabel} ${set.title || set.id}` }, openLabel),
    ),
    set.summary ? el("p", { class: "wb-summary" }, set.summary) : null,
    el(
      "p",
      { class: "wb-meta" },
      el("span", { class: "wb-counts" }, countsText(set.counts)),
      (set.tags || []).length
        ? el("span", { class: "wb-tags" }, (set.tags || []).map((t) => el("span", { class: "wb-tag" }, t)))
        : null,
    ),
    el(
      "div",
      { class: "wb-progress" },
      el(
        "div",
        {
          class: "wb-bar",
          role: "progressbar",
          "aria-valuemin": "0",
          "aria-valuemax": String(checkable.length),
          "aria-valuenow": String(solved),
          "aria-label": `progress in ${set.title || set.id}`,
        },
        el("span", { class: "wb-bar-fill", style: `width: ${pct}%` }),
      ),
      el("span", { class: "wb-progress-text", "data-solved": String(solved), "data-total": String(checkable.length) }, progressText),
    ),
    el("ul", { class: "wb-chips", "aria-label": "problems" }, problems.map((p) => problemChip(set, p, progress))),
    needsNumpy.length
      ? el(
          "p",
          { class: "wb-numpy" },
          `Needs a one-time download of NumPy (from the Pyodide package server) for ` +
            `${needsNumpy.length === 1 ? "problem" : "problems"} ${needsNumpy.join(", ")}; ` +
            "the other problems work offline.",
        )
      : null,
    outdated ? renderUpdate(set, path) : null,
    mine && !outdated ? renderRestart(set, path) : null,
    copies.length
      ? el(
          "p",
          { class: "wb-copies" },
          "Your older copies: ",
          copies.map((c, i) => [i ? ", " : "", el("a", { href: notebookUrl(c) }, c)]),
        )
      : null,
  );
  return item;
}

function renderUpdate(set, path) {
  const box = el(
    "div",
    { class: "wb-update", role: "note" },
    el("strong", {}, "A newer version of this set is available. "),
    "You are working in your own copy of the earlier version. ",
  );
  const button = el(
    "button",
    {
      type: "button",
      class: "wb-update-button",
      onclick: async () => {
        button.disabled = true;
        try {
          const kept = await keepCopyAside(path);
          box.replaceChildren(
            `Your copy is kept as “${kept}”. `,
            el("a", { href: notebookUrl(path) }, "Open the new version"),
          );
          refresh();
        } catch (e) {
          button.disabled = false;
          box.append(el("span", { class: "wb-error" }, ` Could not update: ${e.message || e}`));
        }
      },
    },
    "Get the new version (keep my copy)",
  );
  box.append(button);
  return box;
}

// Put the whole set back to new: the learner's copy is kept under another name (listed under
// "Your older copies"), the published notebook shows again, and progress is left as it is.
function renderRestart(set, path) {
  const box = el("div", { class: "wb-restart" });
  const button = el(
    "button",
    {
      type: "button",
      class: "wb-restart-button",
      onclick: async () => {
        if (!window.confirm(`Start “${set.title || set.id}” again from a fresh notebook? Your current notebook is kept as a copy, and your progress stays.`)) return;
        button.disabled = true;
        try {
          const kept = await keepCopyAside(path);
          box.replaceChildren(`Your work is kept as “${kept}”. `, el("a", { href: notebookUrl(path) }, "Open the fresh notebook"));
          refresh();
        } catch (e) {
          button.disabled = false;
          box.append(el("span", { class: "wb-error" }, ` Could not start again: ${e.message || e}`));
        }
      },
    },
    "Start this set again (keep my work as a copy)",
  );
  box.append(button);
  return box;
}

async function refresh() {
  if (!manifest) return;
  const [progress, stored] = await Promise.all([loadProgress(), loadStoredNotebooks()]);
  const sets = [...manifest.sets].sort(
    (a, b) => (a.order ?? 1e9) - (b.order ?? 1e9) || String(a.id).localeCompare(String(b.id)),
  );
  const list = document.getElementById("wb-sets");
  list.replaceChildren(...sets.map((s) => renderSet(s, progress, stored)));
  let solved = 0;
  let total = 0;
  for (const s of sets) {
    for (const p of s.problems || []) {
      if (!CHECKED_KINDS.includes(p.kind)) continue;
      total += 1;
      if ((progress.get(`${s.id}/${p.id}`) || {}).solved) solved += 1;
    }
  }
  document.getElementById("wb-total").textContent =
    `${sets.length} problem set${sets.length === 1 ? "" : "s"} · ${solved} of ${total} checked problems solved`;
  const status = document.getElementById("wb-status");
  status.textContent = sets.length ? "" : "No problem sets have been published yet.";
  status.hidden = Boolean(sets.length);
  document.body.dataset.ready = "true";
}

async function main() {
  const status = document.getElementById("wb-status");
  try {
    const response = await fetch("manifest.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    manifest = await response.json();
    if (manifest.sets.some((s) => (s.problems || []).some((p) => NUMPY_KINDS.includes(p.kind)))) {
      numpyVendored = await loadNumpyVendored();
    }
  } catch (e) {
    status.textContent = `Could not load the list of problem sets (manifest.json): ${e.message || e}`;
    status.classList.add("wb-error");
    return;
  }
  await refresh();
  try {
    new BroadcastChannel(CHANNEL).onmessage = () => refresh();
  } catch (e) {
    /* no BroadcastChannel: the page refreshes on focus */
  }
  window.addEventListener("focus", () => refresh());
  window.addEventListener("pageshow", (event) => event.persisted && refresh());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
}

main();
