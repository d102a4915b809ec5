// The site's one service worker: JupyterLite's own duties, plus an offline copy of the site.
//
// JupyterLite 0.8.6 registers `service-worker.js?enableCache=false` at the site root for the
// kernel's file-system and input() requests (/api/drive, /api/stdin, the heartbeat); two workers
// cannot share that scope, and JupyterLite unregisters every worker it does not recognise, so the
// build writes this file in its place and it does both jobs. Its caching (`enableCache`) is ignored:
// ours keeps one cache per build, so a deploy never mixes with a cached copy of another.
//
// Where each request is answered:
// - the learner's notebooks and progress live in IndexedDB and are never touched here;
// - pages and the site's data (manifest.json, api/contents/, files/): the network (through the
//   HTTP cache, as without a worker); the copy only when the network fails or takes longer than
//   NETWORK_TIMEOUT_MS, so a copy never hides a newer notebook while the site can be reached;
// - the app, Pyodide, the kernel's wheels and ours: online, the browser's own fetch, untouched (no
//   respondWith): a response served from a service worker's cache loses the compiled code the
//   browser keeps beside its HTTP cache, which made a repeat visit 5 s slower here; offline (the
//   last page request failed, or the browser says so), this build's copy;
// - packages pinned to the Pyodide CDN (NumPy...): by URL, which names their version, from a cache
//   that outlives builds, filled the first time they are fetched.
// The copy is made by `fill`, when a page asks (the landing page in idle time, a notebook once it
// has settled; not under Save-Data), in the order a notebook needs the files (so a learner who
// opens one after reading the landing page finds much of it in the HTTP cache), stopping when a
// page opens: mostly from the HTTP cache, each file checked against the build's own hash, so a
// file of the previous deploy still in the HTTP cache never enters it.
// The build fills in BUILD (a hash of the site's files) and FILES (path -> sha256 prefix, what
// "ready for offline" means): a new deploy changes this file, so the browser installs the new
// worker on the next online visit.
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
const NETWORK_TIMEOUT_MS = 5000;
const PARALLEL = 4;
const broadcast = new BroadcastChannel("/sw-api.v1");

/** Set when a page or data request found no network: the app then comes from the copy. */
let offline = false;
let filling = null;
let fillYielded = false;
const fillListeners = new Set();

self.addEventListener("install", (event) => {
  // A new build takes over at once (as JupyterLite's own worker does); the landing page must
  // arrive whole, else the install fails and the previous build keeps serving.
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(SHELL.map((path) => new Request(new URL(path, SCOPE), { cache: "no-cache" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    await self.clients.claim();
    if ((await status()).missing === 0) await dropOtherBuilds();
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
    event.respondWith(cdnFirstFromCache(request));
    return;
  }
  if (url.origin !== self.location.origin || !url.href.startsWith(SCOPE.href)) return;
  const path = keyOf(url);
  if (path.startsWith("api/") && !path.startsWith("api/contents/") && !path.startsWith("api/translations/")) {
    return;  // JupyterLite's virtual server: never cached
  }
  const key = new URL(path, SCOPE).href;
  if (request.mode === "navigate") yieldFill();
  if (request.mode === "navigate" || DATA.some((d) => path.startsWith(d))) {
    event.respondWith(networkFirst(request, key));
  } else if (offline || !self.navigator.onLine) {
    event.respondWith(fromCopy(request, key));
  }
  // else: online, the browser fetches the app itself
});

self.addEventListener("message", (event) => {
  const port = event.ports[0];
  if (event.data?.type === "workbook-offline-status" && port) {
    event.waitUntil(status().then((s) => port.postMessage(s)));
  } else if (event.data?.type === "workbook-offline-fill") {
    event.waitUntil(fill((s) => port?.postMessage(s)));
  }
});

/** The site-relative path a URL is cached under: no query, a folder means its index.html. */
function keyOf(url) {
  let path = url.pathname.slice(SCOPE.pathname.length);
  if (path === "" || path.endsWith("/")) path += "index.html";
  return path;
}

async function networkFirst(request, key) {
  // The browser's own fetch, HTTP cache included (as without a worker); the copy is only read here:
  // `fill` alone writes it, with checked bytes.
  const network = fetch(request).then((response) => {
    offline = false;
    return response;
  });
  try {
    return await Promise.race([network, timeout(NETWORK_TIMEOUT_MS)]);
  } catch (error) {
    // no network, or one too slow to wait for: the copy, and the app from the copy too
    const hit = await matchAnyBuild(key);
    if (!hit) return network;
    offline = true;
    return hit;
  }
}

async function fromCopy(request, key) {
  return (await matchAnyBuild(key)) ?? fetch(request);
}

/** This build's copy of `key`, else the newest other build's (a deploy whose copy is not
 * finished yet still opens offline). */
async function matchAnyBuild(key) {
  const hit = await (await caches.open(CACHE)).match(key);
  if (hit) return hit;
  for (const name of (await caches.keys()).reverse()) {
    if (name.startsWith(PREFIX) && name !== CACHE) {
      const older = await (await caches.open(name)).match(key);
      if (older) return older;
    }
  }
  return undefined;
}

async function cdnFirstFromCache(request) {
  const cache = await caches.open(CDN_CACHE);
  const hit = await cache.match(request.url);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && (response.type === "basic" || response.type === "cors")) {
    await cache.put(request.url, response.clone());
  }
  return response;
}

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms));
}

/** The paths of FILES that `cache` holds no copy of, in FILES order. */
async function uncopied(cache) {
  const keys = new Set((await cache.keys()).map((r) => r.url));
  return Object.keys(FILES).filter((path) => !keys.has(new URL(path, SCOPE).href));
}

/** How much of the site is copied: {build, total, cached, missing, failed}. */
async function status(failed = 0) {
  const missing = (await uncopied(await caches.open(CACHE))).length;
  const total = Object.keys(FILES).length;
  return { build: BUILD, total, cached: total - missing, missing, failed };
}

/** A page is opening: stop copying, so the copy does not compete with it for the network (what
 * is copied stays; the notebook page asks again once it has settled). */
function yieldFill() {
  if (filling) fillYielded = true;
}

/** Copy every file of this build that is not copied yet, PARALLEL at a time, reporting progress
 * after each; one fill at a time (later callers get the running one's progress too). */
function fill(report) {
  fillListeners.add(report);
  filling ??= (async () => {
    fillYielded = false;
    const cache = await caches.open(CACHE);
    const todo = await uncopied(cache);
    let failed = 0;
    let last = 0;
    const one = async () => {
      while (todo.length && !fillYielded) {
        const path = todo.shift();
        try {
          await copy(cache, path);
        } catch {
          failed += 1;
        }
        if (Date.now() - last > 250 || !todo.length) {
          last = Date.now();
          const s = await status(failed);
          for (const r of fillListeners) r({ ...s, done: false });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, one));
    const s = await status(failed);
    if (s.missing === 0) await dropOtherBuilds();
    return { ...s, yielded: fillYielded };
  })().finally(() => { filling = null; });
  return filling.then((s) => {
    fillListeners.delete(report);
    report({ ...s, done: true });
  });
}

/** Put `path` into `cache` if its bytes are this build's: from the HTTP cache when it holds
 * them, else from the server. */
async function copy(cache, path) {
  const url = new URL(path, SCOPE).href;
  for (const mode of ["default", "no-cache"]) {
    const response = await fetch(url, { cache: mode });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const body = await response.clone().arrayBuffer();
    if (await sha256(body) === FILES[path]) {
      await cache.put(url, response);
      return;
    }
  }
  throw new Error(`${path}: the server has other bytes than this build's (a newer deploy?)`);
}

async function sha256(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function dropOtherBuilds() {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
  }
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
