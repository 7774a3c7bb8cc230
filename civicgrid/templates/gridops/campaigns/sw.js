/* civicgrid campaigns service worker (served by views.service_worker at {{ scope }}sw.js).
   Keeps the shell's static files and the campaign list and household-list pages, so that a worker who
   opened a household list can reload it without a network. The page's script stores the first visit's
   copy itself (the worker installs while that page loads and so never sees its request). Answers are NOT handled here: the page queues
   them in IndexedDB and posts them to the API itself (no request under /api/ is ever cached).
   Version {{ version }}. */
"use strict";
const ASSETS_CACHE = "civicgrid-campaigns-assets-{{ version }}";
const PAGES_CACHE = "civicgrid-campaigns-pages";
const SCOPE = "{{ scope|escapejs }}";
const ASSETS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(ASSETS_CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("civicgrid-campaigns-assets-") && k !== ASSETS_CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isPage(url) {
  return url.pathname === SCOPE || /^\/gridops\/campaigns\/\d+\/collect\/$/.test(url.pathname);
}

async function networkFirst(request) {
  const cache = await caches.open(PAGES_CACHE);
  try {
    const response = await fetch(request);
    // keep real pages only: not the login page a lapsed session is redirected to, not errors
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (err) {
    // ignoreVary: the copy the page kept of itself on the first visit was requested by fetch(), not by a navigation
    const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
    return new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
      "<title>离线</title><p style='font:16px sans-serif;padding:1rem'>当前没有网络,且本页尚未在本机保存。" +
      "请联网后打开一次入户填报页面,之后即可离线使用。</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});
