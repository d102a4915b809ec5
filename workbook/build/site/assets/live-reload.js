// Preview mode of `workbook serve --watch`: the server adds this script to every HTML page it
// serves (it is never part of a built site). It polls /__workbook/version; after a rebuild it drops
// the browser's stored copy of every notebook the rebuild changed, then reloads the page, so the
// author sees the new version rather than JupyterLite's saved one. While the last build failed, a
// banner shows its errors and the previous site stays in use.
//
// A preview discards the stored copy even when it was edited in the browser: the source of truth
// is the Markdown file being edited, and a learner's site is never served this way.

const POLL_MS = 300;
const loadedVersion = Number(new URL(import.meta.url).searchParams.get("v"));
let reloading = false;

// JupyterLab asks "leave the page?" when a notebook has unsaved changes: this listener, added
// before JupyterLab's (which comes with its app, once started), keeps that question from blocking
// a preview reload.
window.addEventListener("beforeunload", (event) => reloading && event.stopImmediatePropagation());

async function dropChangedNotebooks() {
  const response = await fetch("/manifest.json", { cache: "no-store" });
  if (!response.ok) return; // no site built yet
  // imported here, not above: the page shown before a first build has no site to import it from
  const { dropOutdatedCopies } = await import("/jupyterlite-storage.js");
  // the preview serves the site at the root, and every page (landing, notebooks/) shares its storage
  await dropOutdatedCopies((await response.json()).sets || [], "/");
}

function showErrors(errors) {
  let banner = document.getElementById("workbook-build-errors");
  if (!errors) {
    if (banner) banner.remove();
    return;
  }
  if (!document.body) return;
  if (!banner) {
    banner = document.createElement("pre");
    banner.id = "workbook-build-errors";
    banner.setAttribute("role", "alert");
    banner.style.cssText =
      "position:fixed;z-index:100000;top:0;left:0;right:0;max-height:50vh;overflow:auto;margin:0;" +
      "padding:0.75em 1em;background:#fff3f3;color:#8b0000;border-bottom:2px solid #8b0000;" +
      "font:13px/1.4 monospace;white-space:pre-wrap";
    document.body.append(banner);
  }
  banner.textContent = `The last build failed; this page shows the previous one.\n\n${errors}`;
}

async function poll() {
  try {
    const response = await fetch("/__workbook/version", { cache: "no-store" });
    const state = await response.json();
    showErrors(state.errors);
    if (state.version !== loadedVersion) {
      reloading = true;
      await dropChangedNotebooks().catch(() => {});
      window.location.reload();
      return;
    }
  } catch (e) {
    // the server is restarting or stopped: keep asking
  }
  setTimeout(poll, POLL_MS);
}

dropChangedNotebooks()
  .catch(() => {})
  .finally(poll);
