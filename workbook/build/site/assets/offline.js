// The landing page's offline part: register the site's service worker (sw.js, installed as
// JupyterLite's service-worker.js), have it copy the site while the learner reads (idle time, not
// under Save-Data), say whether the site is ready for offline use, and say when a new version was
// installed.
// Kept apart from landing.js: it works whether or not the list of sets has loaded.

const WORKER = new URL("service-worker.js?enableCache=false", document.baseURI);
const READY = "Ready for offline use: this site opens and checks your answers without a network.";

const line = document.createElement("p");
line.id = "wb-offline";
line.className = "wb-note";
line.setAttribute("role", "status");
// under the page's status line, where it is seen without scrolling past the sets
const anchor = document.getElementById("wb-status");
if (anchor) anchor.after(line);
else (document.querySelector("main") || document.body).append(line);

/** Show `text`, with a button when `action` ({label, run}) is given; `state` goes to data-state. */
function say(text, { state = "", action = null } = {}) {
  line.textContent = text + (action ? " " : "");
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", action.run, { once: true });
    line.append(button);
  }
  line.dataset.state = state;
}

function dataSaver() {
  return Boolean(navigator.connection?.saveData);
}

/** Send the worker a message of `type` with a reply port; each reply goes to `onReply`, which
 * returns the value to resolve with once the exchange is over (undefined: wait for more).
 * null without a worker, or after `timeoutMs` without an answer. */
function ask(type, onReply, timeoutMs = null) {
  const worker = navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve(null);
  const channel = new MessageChannel();
  const reply = new Promise((resolve) => {
    channel.port1.onmessage = (e) => {
      const value = onReply(e.data);
      if (value !== undefined) resolve(value);
    };
  });
  worker.postMessage({ type }, [channel.port2]);
  if (timeoutMs === null) return reply;
  return Promise.race([reply, new Promise((r) => setTimeout(() => r(null), timeoutMs))]);
}

function askWorker() {
  return ask("workbook-offline-status", (s) => s, 5000);
}

function idle() {
  return new Promise((resolve) =>
    (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(() => resolve(), { timeout: 2000 }));
}

/** Ask the worker to copy what it has not copied yet; `report` gets its progress. */
function fill(report) {
  return ask("workbook-offline-fill", (p) => {
    report(p);
    return p.done ? p : undefined;
  });
}

let pending = null;

/** Show the offline status, copying what is missing if `download`; one run at a time (the
 * worker taking control and the page's own start can both ask). */
function showStatus(download) {
  pending ??= updateStatus(download).finally(() => { pending = null; });
  return pending;
}

async function updateStatus(download) {
  const s = await askWorker();
  if (!s) {
    say("Offline use: not available in this browser yet (reload the page once).");
    return;
  }
  document.body.dataset.build = s.build;
  if (!s.missing) {
    say(READY, { state: "ready" });
    return;
  }
  if (!navigator.onLine) {
    say(`Offline use: not ready (${s.cached} of ${s.total} files kept). Connect once to finish.`);
    return;
  }
  if (!download) {
    say("Offline use: not downloaded, as your browser asks to save data.",
        { action: { label: "Download for offline use", run: () => showStatus(true) } });
    return;
  }
  say(`Preparing for offline use… (${s.cached} of ${s.total} files)`);
  await idle();
  const after = await fill((p) => say(`Preparing for offline use… (${p.cached} of ${p.total} files)`));
  if (after && !after.missing) {
    say(READY, { state: "ready" });
  } else if (after?.yielded) {
    say(`Offline use: ${after.cached} of ${after.total} files kept so far; the rest follows once the ` +
        "notebook you opened has settled.");
  } else {
    say(`Offline use: not ready (${after ? after.missing : "some"} files could not be fetched; ` +
        "reload the page to try again).");
  }
}

function offerReload() {
  const banner = document.createElement("p");
  banner.id = "wb-updated";
  banner.className = "wb-status";
  banner.setAttribute("role", "alert");
  banner.textContent = "A new version of the workbook was installed. ";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Reload to use it";
  button.addEventListener("click", () => location.reload());
  banner.append(button);
  (document.querySelector("main") || document.body).prepend(banner);
}

async function start() {
  if (!("serviceWorker" in navigator)) {
    say("Offline use: not available in this browser.");
    return;
  }
  const hadWorker = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadWorker) offerReload();
    showStatus(!dataSaver());
  });
  try {
    const registration = await navigator.serviceWorker.register(WORKER.href);
    // JupyterLite unregisters a worker it has not itself recorded for its version: record ours.
    const config = await fetch("jupyter-lite.json").then((r) => r.json()).catch(() => null);
    const version = config?.["jupyter-config-data"]?.appVersion;
    if (version) localStorage.setItem(`${WORKER.href}-version`, version);
    if (navigator.onLine) registration.update().catch(() => {});
  } catch (e) {
    say(`Offline use: not available (${e.message || e}).`);
    return;
  }
  if (navigator.serviceWorker.controller) await showStatus(!dataSaver());
  else say("Preparing for offline use…");
}

start();
