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

// The network's copy when it answers (in a few seconds), else the kept one: so an
// upgrade reaches the phone, and the dashboard, which shares core.js and labels.json,
// never mixes a new page with an old kept file while the network is there.
const PATIENCE_MS = 4000;

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !FILES.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const slow = new Promise((_, reject) => setTimeout(() => reject(new Error("slow network")), PATIENCE_MS));
      const response = await Promise.race([fetch(event.request), slow]);
      if (response.ok) await cache.put(url.pathname, response.clone());
      return response;
    } catch {
      return (await cache.match(url.pathname)) ?? Response.error();
    }
  })());
});
