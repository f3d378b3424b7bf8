// The phone app's service worker (served at /sw.js, so its scope is the whole site):
// it keeps the app's own files so the app opens without a network, and leaves every
// other request (the API above all) to the network untouched. Visits captured offline
// are kept by the page itself (IndexedDB), not here.
const SHELL = "liaison-phone-v1";
const FILES = [
  "/phone",
  "/phone/manifest.webmanifest",
  "/dashboard/labels.json",
  "/dashboard/static/phone.js",
  "/dashboard/static/core.js",
  "/dashboard/static/phone.css",
  "/dashboard/static/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== SHELL).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

// The kept copy answers at once; the network's, when there is one, replaces it for
// the next start (so a new version arrives one start later, never blocking this one).
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !FILES.includes(url.pathname)) return;
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok) await (await caches.open(SHELL)).put(url.pathname, response.clone());
    return response;
  });
  event.waitUntil(fresh.catch(() => null));
  event.respondWith(caches.match(url.pathname).then((kept) => kept ?? fresh));
});
