// sw.js is the service worker of the card page /c, served as /c/sw.js
// with scope /c (web/card.go puts the version in). It keeps the page, its
// script and style and the trust list in a cache at the first visit, so
// that a card scanned later verifies without a connection:
//   - the page and the trust list: network first (an online visitor gets
//     the current issuers and keys), the cache when the network fails or
//     is too slow;
//   - the static files: cache first; the version changes with their
//     content, and a new version replaces the whole cache;
//   - the revocation set of this instance's issuers (/c/revocations.json):
//     network first, the last copy fetched online when offline, so that
//     the page can say "non révoquée au <date>" or "Révoquée" without a
//     connection. One copy (it covers every issuer of this instance; the
//     server bounds it to 20,000 entries), at most MAX_SET bytes, with its
//     date inside. It is unsigned JSON from this origin, taken only from a
//     same-origin response: as trustworthy as the page and trust list it
//     comes with (the TLS connection), no more.
// Any other request is left to the browser; /c/status/ID answers are
// never kept (the page reads them live, or falls back on the set).
'use strict';

const VERSION = '__CARNET_SW_VERSION__';
const PREFIX = 'carnet-c-';
const CACHE = PREFIX + VERSION;
const PAGE = '/c';
const TRUST = '/c/trust.json';
const REVOCATIONS = '/c/revocations.json';
const MAX_SET = 1 << 20; // bytes of a revocation set the worker keeps
const STATIC = ['/static/c.js', '/static/carnet.css', '/static/icon.svg'];
const NETWORK_WAIT = 4000; // ms before a slow network gives way to the cache

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'no-cache' revalidates with the server, not the HTTP cache.
    await cache.addAll([PAGE, TRUST, ...STATIC].map((u) => new Request(u, { cache: 'no-cache' })));
    // The revocation set is a bonus: the worker installs without it.
    try {
      const res = await fetch(new Request(REVOCATIONS, { cache: 'no-store' }));
      if (await cacheable(res, MAX_SET)) await cache.put(REVOCATIONS, res);
    } catch (e) {
      // offline at install: kept at the next online check
    }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && req.mode === 'navigate') {
    event.respondWith(networkFirst(req, PAGE));
  } else if (url.pathname === TRUST) {
    event.respondWith(networkFirst(req, TRUST));
  } else if (url.pathname === REVOCATIONS) {
    // The page asks for a fresh set with cache: 'no-store' (keepSet): the
    // network only, so that a failure reaches the page, which tries again,
    // instead of the copy kept, which it would take for fresh.
    event.respondWith(req.cache === 'no-store' ? networkOnly(req, REVOCATIONS, MAX_SET) : networkFirst(req, REVOCATIONS, MAX_SET));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(cacheFirst(req, url.pathname));
  }
});

// cacheable says whether a response may be kept: a same-origin success,
// not redirected, and (with max) of at most max bytes.
async function cacheable(res, max) {
  if (!(res && res.ok && res.type === 'basic' && !res.redirected)) return false;
  if (!max) return true;
  const size = Number(res.headers.get('Content-Length'));
  if (Number.isFinite(size) && size > 0) return size <= max;
  return (await res.clone().arrayBuffer()).byteLength <= max;
}

async function networkOnly(req, key, max) {
  const cache = await caches.open(CACHE);
  const res = await fetch(req);
  if (await cacheable(res, max) && await newerSet(cache, res.clone())) await cache.put(key, res.clone());
  return res;
}

async function networkFirst(req, key, max) {
  const cache = await caches.open(CACHE);
  const net = fetch(req).then(async (res) => {
    if (await cacheable(res, max) && (key !== REVOCATIONS || await newerSet(cache, res.clone()))) {
      await cache.put(key, res.clone());
    }
    return res;
  });
  net.catch(() => {}); // a failure is handled below, or no longer matters
  try {
    const res = await Promise.race([net, new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT, null))]);
    if (res && res.ok) return res;
    const hit = await cache.match(key);
    if (hit) return hit;
    return res || await net;
  } catch (e) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw e;
  }
}

// newerSet says whether a revocation set (a response) is at least as
// recent as the one kept: a slow answer to an older request must not
// replace a newer set, or a card revoked since would read "not revoked".
async function newerSet(cache, res) {
  try {
    const kept = await cache.match(REVOCATIONS);
    if (!kept) return true;
    const [a, b] = [await res.json(), await kept.json()];
    return !(Date.parse(a.date) < Date.parse(b.date));
  } catch (e) {
    return true;
  }
}

async function cacheFirst(req, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const res = await fetch(req);
  if (await cacheable(res)) await cache.put(key, res.clone());
  return res;
}
