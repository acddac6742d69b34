/*
 * m-core.js: what every view of the phone web app (m.html) shares, as window.QRM.
 *
 * - storage: the device id (random, kept in localStorage for good: it *is* this
 *   phone's identity, the mobile token is bound to it), the access token and the
 *   account's display name (localStorage: the phone stays signed in like an app);
 * - api(): every phone request carries `Authorization: Bearer qlm_…` and
 *   `X-Device-Id`, errors come back as ApiError with the problem+json `code`;
 * - message(): a human sentence for every error code of API.md;
 * - small view helpers (show a view, format a time).
 */
(function (global) {
  'use strict';

  var K = { device: 'qrlogin.m.device_id', token: 'qrlogin.m.access_token', account: 'qrlogin.m.account' };

  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function put(k, v) {
    try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }

  /** 128 random bits, base64url: this phone's device id, made once. */
  function deviceId() {
    var id = get(K.device);
    if (id) return id;
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    id = 'web-' + btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    put(K.device, id);
    return id;
  }

  function device() {
    var name = global.QrLogin ? QrLogin.deviceName() : 'Web browser';
    return { id: deviceId(), type: 'web', name: name };
  }

  /** The stored sign-in, or null when there is none or it has run out. */
  function session() {
    var raw = get(K.token);
    if (!raw) return null;
    try {
      var s = JSON.parse(raw);
      if (s.expires_at && s.expires_at < Date.now()) { signOutLocally(); return null; }
      s.account = JSON.parse(get(K.account) || '{}');
      return s;
    } catch (e) { signOutLocally(); return null; }
  }

  function saveLogin(r) {
    put(K.token, JSON.stringify({ token: r.access_token, expires_at: Date.now() + (r.expires_in || 0) * 1000 }));
    put(K.account, JSON.stringify(r.account || {}));
  }

  /** Forgets the token on this phone (API.md has no endpoint that revokes a mobile token). */
  function signOutLocally() { put(K.token, null); put(K.account, null); }

  function ApiError(status, problem, retryAfter) {
    this.name = 'ApiError';
    this.status = status;
    this.code = (problem && problem.code) || (status ? 'http_' + status : 'network');
    this.problem = problem || null;
    this.retryAfter = retryAfter || 0;
    this.message = (problem && (problem.detail || problem.title)) || (status ? 'HTTP ' + status : 'network error');
  }
  ApiError.prototype = Object.create(Error.prototype);

  /** One API call as this phone. Throws ApiError; code "network" when the server is unreachable. */
  async function api(method, path, body) {
    var headers = { Accept: 'application/json', 'X-Device-Id': deviceId() };
    var s = session();
    if (s && s.token) headers.Authorization = 'Bearer ' + s.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var res;
    try {
      res = await fetch(path, { method: method, headers: headers, cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, null);
    }
    if (res.ok) return res.status === 204 ? null : res.json();
    var problem = null;
    try { problem = await res.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, problem, parseInt(res.headers.get('Retry-After'), 10) || 0);
  }

  var MESSAGES = {
    network: 'Can’t reach the server. Check your connection and try again.',
    invalid_request: 'The server didn’t understand this request. If you opened a link, it may be damaged.',
    unauthorized: 'You’ve been signed out on this phone. Sign in again.',
    device_mismatch: 'This sign-in belongs to another device. Sign in again on this phone.',
    invalid_credentials: 'Wrong username or password.',
    forbidden: 'You aren’t allowed to do that.',
    invalid_scan_ticket: 'This confirmation doesn’t match your scan any more (maybe you scanned again elsewhere). Scan the code again.',
    qr_not_found: 'This QR code doesn’t exist (any more). Ask for a new one on the other screen.',
    not_found: 'Not found. It may already have been removed.',
    already_scanned: 'Another phone already scanned this QR code. Ask for a new code on the other screen.',
    invalid_state: 'This login request is no longer waiting for an answer: it was already confirmed, declined or cancelled on the other screen.',
    already_redeemed: 'This QR code was already used to sign in.',
    qr_expired: 'This QR code has expired — ask for a new one.',
    payload_too_large: 'The request was too large for the server.',
    unsupported_media_type: 'The server rejected the request format. Reload the page and try again.',
    rate_limited: 'Too many attempts. Wait a moment and try again.',
    store_unavailable: 'The service is temporarily unavailable. Nothing was changed; try again in a moment.',
    internal: 'Something went wrong on the server. Try again.',
  };

  /** A sentence for the user; never the raw code. */
  function message(e) {
    var m = MESSAGES[e && e.code];
    if (m && e.code === 'rate_limited' && e.retryAfter) m = 'Too many attempts. Try again in ' + e.retryAfter + ' s.';
    if (m) return m;
    if (e instanceof ApiError) return (e.problem && e.problem.title) || 'Unexpected answer from the server (HTTP ' + e.status + ').';
    return 'Something went wrong: ' + (e && e.message ? e.message : e);
  }

  /** True when the error means the stored sign-in is no good: the caller shows the sign-in view. */
  function needsSignIn(e) { return e && (e.code === 'unauthorized' || e.code === 'device_mismatch'); }

  var VIEWS = ['loading', 'signin', 'request', 'result', 'home', 'scan'];

  function $(id) { return document.getElementById(id); }

  /** Shows one view; `focusId` (its heading) gets focus so screen readers follow along. */
  function show(view, focusId) {
    document.body.setAttribute('data-view', view);
    VIEWS.forEach(function (v) { $('view-' + v).hidden = v !== view; });
    if (focusId) $(focusId).focus();
    global.scrollTo(0, 0);
  }

  function when(iso) {
    var d = new Date(iso);
    if (!iso || isNaN(d)) return '—';
    var text = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    if (!(global.Intl && Intl.RelativeTimeFormat)) return text;
    var secs = Math.round((d - Date.now()) / 1000), a = Math.abs(secs);
    var f = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    var rel = a < 60 ? f.format(secs, 'second') : a < 3600 ? f.format(Math.round(secs / 60), 'minute')
      : a < 172800 ? f.format(Math.round(secs / 3600), 'hour') : f.format(Math.round(secs / 86400), 'day');
    return text + ' (' + rel + ')';
  }

  function initial(name) { return name ? Array.from(name)[0].toUpperCase() : '?'; }

  global.QRM = {
    api: api, ApiError: ApiError, message: message, needsSignIn: needsSignIn,
    device: device, session: session, saveLogin: saveLogin, signOutLocally: signOutLocally,
    show: show, $: $, when: when, initial: initial,
    route: function () {}, // set by m.js
  };
})(window);
