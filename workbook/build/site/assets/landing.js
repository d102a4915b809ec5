// The workbook's landing page: lists the problem sets of manifest.json with the learner's progress.
//
// Progress is written by the Python kernel (workbook.progress.record, in JupyterLite's web worker)
// into an IndexedDB database named in manifest.json (`storage`), one record per
// problem keyed `<set id>/<problem id>`. The learner's own copies of the notebooks are kept by
// JupyterLite (read and renamed only through jupyterlite-storage.js); when a newer version of a set
// is deployed, this page offers to keep the learner's copy under a new name and open the new version.

import { keepCopyAside, loadStoredNotebooks, openExisting, readAll, storedSetId, storedVersion } from "./jupyterlite-storage.js";

// Names shared with the Python side (progress database, store, channel; problem kinds and their
// labels) come from manifest.json, where the build writes them once.
let PROGRESS_DB = null;
let PROGRESS_STORE = null;
let CHANNEL = null;
let CHECKED_KINDS = [];
let NUMPY_KINDS = [];
let KIND_LABELS = {};
let manifest = null;
let numpyVendored = true;

function useSharedNames(m) {
  const root = new URL("./", window.location.href).pathname;
  PROGRESS_DB = `${m.storage.progress_db_prefix}${root}`;
  PROGRESS_STORE = m.storage.progress_store;
  CHANNEL = m.storage.channel;
  CHECKED_KINDS = m.kinds.checked;
  NUMPY_KINDS = m.kinds.numpy;
  KIND_LABELS = Object.fromEntries(m.kinds.order.map((k) => [k, m.kinds.labels[k]]));
}

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

async function loadProgress() {
  const db = await openExisting(PROGRESS_DB);
  const records = new Map();
  for (const [key, value] of await readAll(db, PROGRESS_STORE)) records.set(key, value);
  if (db) db.close();
  return records;
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
    useSharedNames(manifest);
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
