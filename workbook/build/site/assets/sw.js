// The site's one service worker: JupyterLite's own duties, plus an offline copy of the site.
//
// JupyterLite 0.8.6 registers `service-worker.js?enableCache=false` at the site root for the
// kernel's file-system and input() requests (/api/drive, /api/stdin, the heartbeat); two workers
// cannot share that scope, and JupyterLite unregisters every worker it does not recognise, so the
// build writes this file in its place and it does both jobs. Its caching (`enableCache`) is ignored:
// ours keeps one cache per build, so a deploy never mixes with a cached copy of another.
//
// What is kept where:
// - the learner's notebooks and progress live in IndexedDB and are never touched here;
// - the site's data (manifest.json, api/contents/, files/) comes from the network whenever it
//   answers, and from the cache only when offline: a cached copy never hides a newer notebook;
// - the app, Pyodide, the kernel's wheels and ours: from this build's cache once fetched
//   (the landing page fetches the rest while the learner reads: offline.js);
// - packages pinned to the Pyodide CDN (NumPy...): by URL, which names their version, in a cache
//   that outlives builds.
// The build fills in BUILD (a hash of the site's files) and FILES (what "ready for offline" means):
// a new deploy changes this file, so the browser installs the new worker on the next online visit.
"use strict";

const BUILD = "__WORKBOOK_BUILD__";
const FILES = __WORKBOOK_FILES__;
const SHELL = __WORKBOOK_SHELL__;
const CDN = "__WORKBOOK_CDN__";
const PREFIX = "workbook-build-";
const CACHE = PREFIX + BUILD;
const CDN_CACHE = "workbook-cdn";
const SCOPE = new URL("./", self.location.href);
const DATA = ["manifest.json", "api/contents/", "files/"];
const broadcast = new BroadcastChannel("/sw-api.v1");

self.addEventListener("install", (event) => {
  // A new build takes over at once (as JupyterLite's own worker does); its shell must arrive
  // whole, else the install fails and the previous build keeps serving.
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(SHELL.map((path) => new Request(new URL(path, SCOPE), { cache: "no-cache" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.pathname === "/api/service-worker-heartbeat") {
    event.respondWith(new Response("ok"));
    return;
  }
  if (url.origin === self.location.origin &&
      (url.pathname.includes("/api/drive") || url.pathname.includes("/api/stdin/"))) {
    event.respondWith(broadcastOne(request, url));
    return;
  }
  if (request.method !== "GET") return;
  if (url.href.startsWith(CDN)) {
    event.respondWith(cacheFirst(request, CDN_CACHE, url.href));
    return;
  }
  if (url.origin !== self.location.origin || !url.href.startsWith(SCOPE.href)) return;
  const path = keyOf(url);
  if (path.startsWith("api/") && !path.startsWith("api/contents/") && !path.startsWith("api/translations/")) {
    return;  // JupyterLite's virtual server: never cached
  }
  const key = new URL(path, SCOPE).href;
  event.respondWith(DATA.some((d) => path.startsWith(d))
    ? networkFirst(request, key)
    : cacheFirst(request, CACHE, key));
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "workbook-offline-status" && event.ports[0]) {
    event.waitUntil(status().then((s) => event.ports[0].postMessage(s)));
  }
});

/** The site-relative path a URL is cached under: no query, a folder means its index.html. */
function keyOf(url) {
  let path = url.pathname.slice(SCOPE.pathname.length);
  if (path === "" || path.endsWith("/")) path += "index.html";
  return path;
}

async function cacheFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(cacheName === CACHE ? revalidating(request) : request);
  if (response.ok && (response.type === "basic" || response.type === "cors")) {
    await cache.put(key, response.clone());
  }
  return response;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(revalidating(request));
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (offline) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw offline;
  }
}

/** `request`, checked with the server rather than taken from the HTTP cache: Pages lets browsers
 * keep files for 10 minutes, and a file of the previous deploy must not enter this build's cache. */
function revalidating(request) {
  if (request.mode === "navigate") {
    return new Request(request.url, { cache: "no-cache", credentials: "same-origin" });
  }
  return new Request(request, { cache: "no-cache" });
}

/** How much of the site is cached: {build, total, cached, missing: [site-relative paths]}. */
async function status() {
  const cache = await caches.open(CACHE);
  const keys = new Set((await cache.keys()).map((r) => r.url));
  const missing = FILES.filter((path) => !keys.has(new URL(path, SCOPE).href));
  return { build: BUILD, total: FILES.length, cached: FILES.length - missing.length, missing };
}

// JupyterLite's own: hand a kernel's file-system or input() request to the page that owns it.
async function broadcastOne(request, url) {
  const message = await request.json();
  const requestId = message.requestId ?? crypto.randomUUID();
  message.requestId = requestId;
  const reply = new Promise((resolve) => {
    const listen = (event) => {
      const data = event.data;
      if (data.browsingContextId !== message.browsingContextId || data.requestId !== requestId) return;
      resolve(new Response(JSON.stringify(data.response)));
      broadcast.removeEventListener("message", listen);
    };
    broadcast.addEventListener("message", listen);
  });
  message.pathname = url.pathname;
  broadcast.postMessage(message);
  return await reply;
}
