// The workbook's additions to JupyterLite's Notebook UI, loaded by notebooks/index.html:
// - the browser tab shows the set's title (the notebook's `workbook.title` metadata);
// - the title cell's "← All problem sets" link opens the list of sets in this tab;
// - text the build marks read-only (`editable: false`: prompts, hints, worked answers) stays
//   rendered: JupyterLab 4 opens any Markdown cell's source on a double-click or Enter, read-only or not;
// - under each choice problem's answer cell, a row of option buttons: a click writes the answer
//   into the cell (`answer = "b, d"`) and "Check" runs it, so a click is checked, recorded and saved
//   exactly like a typed answer.
// Written against jupyterlite-core 0.8.6 (Notebook 7, JupyterLab 4): it uses the application object
// that `exposeAppInBrowser` puts on window.jupyterapp, and the cell metadata the build writes.

const LANDING = new URL("../", window.location.href).href;
const PAGE = JSON.parse(document.getElementById("workbook-page-data")?.textContent || "{}");
const LANDING_LINK = "../?%"; // the title cell's href (see workbook/build/notebook.py)

function workbookMeta(model) {
  try {
    return (model && model.getMetadata && model.getMetadata("workbook")) || {};
  } catch (e) {
    return {};
  }
}

function currentNotebook() {
  const app = window.jupyterapp;
  const panel = app && app.shell && app.shell.currentWidget;
  return panel && panel.content && panel.content.widgets && panel.model ? panel : null;
}

// ------------------------------------------------------------------------------------------
// the tab's title

let setTitle = null;

function keepTitle() {
  if (setTitle && document.title !== setTitle) document.title = setTitle;
}

// ------------------------------------------------------------------------------------------
// choice buttons

function answerLine(value) {
  return typeof value === "boolean" ? `answer = ${value ? "True" : "False"}` : `answer = ${JSON.stringify(value)}`;
}

function withAnswer(source, value) {
  const line = answerLine(value);
  return /^answer\s*=.*$/m.test(source) ? source.replace(/^answer\s*=.*$/m, line) : `${line}\n${source}`;
}

function chosenLabels(source, options) {
  const m = /^answer\s*=\s*(.*)$/m.exec(source);
  if (!m) return new Set();
  const words = m[1].replace(/#.*$/, "").toLowerCase().match(/[a-z0-9]+/g) || [];
  return new Set(words.filter((w) => options.includes(w)));
}

async function runCell(panel, cell) {
  const notebook = panel.content;
  notebook.activeCellIndex = notebook.widgets.indexOf(cell);
  notebook.deselectAll();
  await window.jupyterapp.commands.execute("notebook:run-cell");
}

function addChoiceButtons(panel, cell, meta) {
  const options = meta.options;
  const trueFalse = options.length === 2 && options.every((o) => typeof o === "boolean");
  const row = document.createElement("div");
  row.className = "wb-choices";
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", `Answer ${meta.problem} by clicking`);
  // keys pressed on a button are the button's: the notebook's shortcuts (Enter edits the cell) see
  // keydown as it bubbles up, and would otherwise take Enter and Space away from the focused button
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") event.stopPropagation();
  });
  const label = document.createElement("span");
  label.className = "wb-choices-label";
  label.textContent = trueFalse ? "Click to answer:" : "Click your choice(s), then Check:";
  row.append(label);
  const setSource = (value) => cell.model.sharedModel.setSource(withAnswer(cell.model.sharedModel.getSource(), value));
  const buttons = [];
  for (const option of options) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "wb-choice";
    button.dataset.option = String(option);
    button.textContent = trueFalse ? (option ? "True" : "False") : `(${option})`;
    if (!trueFalse) button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", async (event) => {
      event.stopPropagation();
      if (trueFalse) {
        setSource(option);
        await runCell(panel, cell);
        return;
      }
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      const chosen = buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.option);
      setSource(chosen.join(", "));
    });
    buttons.push(button);
    row.append(button);
  }
  if (!trueFalse) {
    const chosen = chosenLabels(cell.model.sharedModel.getSource(), options);
    for (const b of buttons) b.setAttribute("aria-pressed", chosen.has(b.dataset.option) ? "true" : "false");
    const check = document.createElement("button");
    check.type = "button";
    check.className = "wb-choice-check";
    check.textContent = "Check";
    check.addEventListener("click", async (event) => {
      event.stopPropagation();
      await runCell(panel, cell);
    });
    row.append(check);
  }
  const outputs = cell.node.querySelector(".jp-Cell-outputWrapper");
  cell.node.insertBefore(row, outputs);
}

function decorate() {
  const panel = currentNotebook();
  if (!panel) return;
  const nbMeta = workbookMeta(panel.model);
  if (nbMeta.title) {
    setTitle = nbMeta.title;
    keepTitle();
  }
  for (const cell of panel.content.widgets) {
    if (cell.model.type === "markdown" && cell.readOnly && cell.rendered === false) cell.rendered = true;
    const meta = workbookMeta(cell.model);
    if (meta.role !== "answer" || !Array.isArray(meta.options) || !cell.node) continue;
    if (cell.node.querySelector(".wb-choices") || !cell.node.querySelector(".jp-Cell-outputWrapper")) continue;
    addChoiceButtons(panel, cell, meta);
  }
}

document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest && event.target.closest("a");
    if (link && link.getAttribute("href") === LANDING_LINK) {
      event.preventDefault();
      event.stopPropagation();
      window.location.href = LANDING;
    }
  },
  true,
);

function readOnlyMarkdown(target) {
  const node = target.closest && target.closest(".jp-MarkdownCell");
  const panel = node && currentNotebook();
  const cell = panel && panel.content.widgets.find((w) => w.node === node);
  return Boolean(cell && cell.readOnly);
}

// Capturing listeners run before the notebook's own: a double-click on read-only text does nothing.
document.addEventListener("dblclick", (event) => readOnlyMarkdown(event.target) && event.stopPropagation(), true);

new MutationObserver(keepTitle).observe(document.head, { subtree: true, childList: true, characterData: true });
// Cells render lazily as they scroll into view: look for new ones now and then.
setInterval(decorate, 700);

// The kernel's files (the Pyodide runtime and its start-up wheels, listed by the build in this
// page): on a first visit, fetched as soon as the notebook is shown, all at once, so the kernel
// (which starts then too, and asks for its wheels only after the runtime and the lock) finds them
// in the HTTP cache. Not earlier: at page open they took the network from the app's own bundles,
// and the notebook showed 2.4 s later on a 30 Mbit/s link. A page the site's service worker
// controls is not a first visit: the files are in the HTTP cache or the offline copy already.
function warmKernel() {
  if (!PAGE.kernelFiles || navigator.serviceWorker?.controller) return;
  const start = () => {
    for (const path of PAGE.kernelFiles) {
      fetch(new URL(path, LANDING))
        .then((response) => response.body?.pipeTo(new WritableStream()))
        .catch(() => {});  // offline with no copy, say: the kernel reports it when it asks
    }
  };
  const shown = () => document.querySelector(".jp-Notebook .jp-Cell");
  if (shown()) {
    start();
    return;
  }
  const watch = new MutationObserver(() => {
    if (!shown()) return;
    watch.disconnect();
    start();
  });
  watch.observe(document.body, { childList: true, subtree: true });
}
warmKernel();

// JupyterLite (0.8.6) unregisters every service worker as a page opens unless localStorage holds
// its version under the worker's URL, which it writes only when a worker already controlled the
// page: for a learner whose first page was a notebook, the next visit dropped the site's worker
// (and, offline, with it the site). Recorded as soon as the worker is active, as offline.js does.
navigator.serviceWorker?.ready.then((registration) => {
  const url = registration.active?.scriptURL;
  if (url && PAGE.appVersion) localStorage.setItem(`${url}-version`, PAGE.appVersion);
});

// The offline copy (service-worker.js keeps it): once this page has settled, ask the worker to copy
// what it has not copied yet, most of it from the browser's HTTP cache, so a learner who came
// straight to a notebook can open it again offline. Not under Save-Data.
const SETTLE_MS = 20000;
window.addEventListener("load", () => {
  if (!("serviceWorker" in navigator) || navigator.connection?.saveData) return;
  setTimeout(() => {
    (window.requestIdleCallback || setTimeout)(() =>
      navigator.serviceWorker.controller?.postMessage({ type: "workbook-offline-fill" }));
  }, SETTLE_MS);
});
