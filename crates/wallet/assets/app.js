// The wallet pages' script (docs/offline-entry-code.md). It installs the service worker, keeps
// the page and the ticket list for offline use, and on a ticket page makes each period's entry
// code itself: the code reference and this device's secret sit in #qr's data- attributes, and
// the code is the one the gate checks (crates/wallet/src/entry/mod.rs, `rotating_code`):
//   TB2:<reference>:<step>:<first 8 bytes of HMAC-SHA256, hex>
// with step = floor(ms / period), the HMAC keyed with the device secret over the parts
// "rotating-code/2", the step (8 bytes big-endian) and the reference, each part preceded by
// its length (8 bytes big-endian). Where WebCrypto is missing (a page not served over https)
// it falls back to asking the server for each code, and hides a code it could not renew.
(function () {
  'use strict';
  var CACHE = 'tixbridge-wallet-v1';

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/wallet/sw.js', { scope: '/wallet/' }).catch(function () {});
  }

  var qr = document.getElementById('qr');
  // The first visit happens before the worker controls the page: keep this page and the list.
  if (window.caches && navigator.onLine) {
    var pages = ['/wallet/'];
    if (qr && qr.getAttribute('data-page')) { pages.push(qr.getAttribute('data-page')); }
    if (/^\/wallet\/tickets\/\d+$/.test(location.pathname)) { pages.push(location.pathname); }
    caches.open(CACHE).then(function (cache) {
      pages.forEach(function (page) { cache.add(page).catch(function () {}); });
    }).catch(function () {});
  }
  if (!qr) { return; }

  var periodMs = (Number(qr.getAttribute('data-period-seconds')) || 15) * 1000;
  var reference = qr.getAttribute('data-reference');
  var secret = qr.getAttribute('data-secret');
  var codesEnd = Number(qr.getAttribute('data-codes-end')) || Infinity;
  var shownStep = Number(qr.getAttribute('data-step'));
  var note = document.getElementById('code-note');
  var keyPromise = null;

  function bytes(text) { return new TextEncoder().encode(text); }
  function withLength(part) {
    var out = new Uint8Array(8 + part.length), view = new DataView(out.buffer);
    view.setUint32(0, Math.floor(part.length / 4294967296));
    view.setUint32(4, part.length >>> 0);
    out.set(part, 8);
    return out;
  }
  function stepBytes(step) {
    var out = new Uint8Array(8), view = new DataView(out.buffer);
    view.setUint32(0, Math.floor(step / 4294967296));
    view.setUint32(4, step >>> 0);
    return out;
  }
  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }
  function key() {
    if (!keyPromise) {
      var raw = Uint8Array.from(atob(secret), function (c) { return c.charCodeAt(0); });
      keyPromise = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    }
    return keyPromise;
  }
  /** The code of `step`, made on this device. */
  function codeOf(step) {
    var parts = [withLength(bytes('rotating-code/2')), withLength(stepBytes(step)), withLength(bytes(reference))];
    var message = new Uint8Array(parts.reduce(function (n, p) { return n + p.length; }, 0)), at = 0;
    parts.forEach(function (p) { message.set(p, at); at += p.length; });
    return key().then(function (k) { return crypto.subtle.sign('HMAC', k, message); })
      .then(function (mac) { return 'TB2:' + reference + ':' + step + ':' + hex(mac).slice(0, 16); });
  }

  function say(text) { if (note) { note.textContent = text; } }
  function ended() {
    qr.innerHTML = '';
    qr.removeAttribute('data-step');
    say('This event has ended: the ticket has no entry code any more.');
  }
  function stale() {
    qr.innerHTML = '';
    qr.removeAttribute('data-step');
    say('The code could not be renewed (no network here). It comes back as soon as the page can reach the wallet.');
  }
  function draw(step, svg) {
    qr.innerHTML = svg;
    qr.setAttribute('data-step', String(step));
    shownStep = step;
  }

  // A page opened from the cache carries the code of an earlier period: never show it.
  if (shownStep < Math.floor(Date.now() / periodMs)) { qr.innerHTML = ''; }
  var local = !!(window.crypto && crypto.subtle && reference && secret);
  if (local && note) { note.textContent += ' It keeps changing on this device without the network.'; }
  function refresh() {
    var now = Date.now(), step = Math.floor(now / periodMs);
    if (now >= codesEnd) { ended(); return; }
    var made = local
      ? codeOf(step).then(function (code) { draw(step, TixQr.svg(code, 320)); })
      : fetch(qr.getAttribute('data-src'), { cache: 'no-store' }).then(function (r) {
        if (!r.ok) { throw new Error('no code'); }
        return r.text();
      }).then(function (svg) { draw(step, svg); });
    made.catch(function () { if (shownStep < step) { stale(); } });
    setTimeout(refresh, (step + 1) * periodMs - Date.now() + 20);
  }
  refresh();
})();
