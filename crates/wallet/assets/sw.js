// The wallet's service worker (docs/offline-entry-code.md): the ticket list and the ticket
// pages, with their script, style, manifest and icon, are kept in one cache and answered from it
// when the network is gone (or silent for NETWORK_WAIT_MS). The network always comes first, so
// a page online is never older than the server's. Signing out empties the cache.
'use strict';
var CACHE = 'tixbridge-wallet-v1';
var SHELL = ['/wallet/app.js', '/wallet/app.css', '/wallet/manifest.webmanifest', '/wallet/icon.svg'];
var NETWORK_WAIT_MS = 6000;

function kept(url) {
  return url.origin === self.location.origin &&
    (/^\/wallet\/(tickets\/\d+)?$/.test(url.pathname) || SHELL.indexOf(url.pathname) >= 0);
}

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('tixbridge-wallet-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCache(path) {
  return caches.match(path).then(function (hit) { return hit || Response.error(); });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method === 'POST' && url.pathname === '/wallet/sign-out') {
    event.respondWith(caches.delete(CACHE).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== 'GET' || !kept(url)) { return; }
  event.respondWith(new Promise(function (resolve) {
    var settled = false;
    function answer(response) { if (!settled) { settled = true; resolve(response); } }
    var timer = setTimeout(function () {
      caches.match(url.pathname).then(function (hit) { if (hit) { answer(hit); } });
    }, NETWORK_WAIT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (response.ok && response.type === 'basic' && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      }
      answer(response);
    }, function () {
      clearTimeout(timer);
      fromCache(url.pathname).then(answer);
    });
  }));
});
