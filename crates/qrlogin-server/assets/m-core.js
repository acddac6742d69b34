/*
 * m-core.js: what every view of the phone web app (m.html) shares, as window.QRM.
 *
 * - storage: the device id (random, kept in localStorage for good: it *is* this
 *   phone's identity, the mobile token is bound to it), the access token and the
 *   account's display name (localStorage: the phone stays signed in like an app);
 * - api(): every phone request carries `Authorization: Bearer qlm_…` and
 *   `X-Device-Id`, errors come back as ApiError with the problem+json `code`;
 * - message(): a human sentence for every error code of API.md (error.* texts);
 * - t(key, vars): the page's language (<html lang>, chosen by the server) from the
 *   language files of assets/i18n/, which the server appends to /qrlogin.js;
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
    var name = global.QrLogin.deviceName();
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

  /** Forgets the token on this phone (the server-side logout is m-home.js's Sign out). */
  function signOutLocally() { put(K.token, null); put(K.account, null); }

  // The widget's error type (qrlogin.js is loaded first): code "network" when the
  // server cannot be reached, else the problem+json code.
  var ApiError = global.QrLogin.ApiError;

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
    throw await ApiError.from(res);
  }

  /** The page's language (the server set <html lang>), and its texts. */
  var lang = document.documentElement.lang || 'en';
  var t = global.QrLogin.translator(lang);

  /** A sentence for the user (error.<code> of the language file); never the raw code. */
  function message(e) {
    var code = e && e.code;
    if (code === 'rate_limited' && e.retryAfter) return t('error.rate_limited_after', { seconds: e.retryAfter });
    if (code && t.has('error.' + code)) return t('error.' + code);
    if (e instanceof ApiError) return (e.problem && e.problem.title) || t('error.http', { status: e.status });
    return t('error.other', { message: e && e.message ? e.message : String(e) });
  }

  /** True when the error means the stored sign-in is no good: the caller shows the sign-in view. */
  function needsSignIn(e) { return e && (e.code === 'unauthorized' || e.code === 'device_mismatch'); }

  var VIEWS = ['loading', 'signin', 'prescan', 'request', 'result', 'home', 'scan', 'enroll'];

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
    var text = d.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'medium' });
    if (!(global.Intl && Intl.RelativeTimeFormat)) return text;
    var secs = Math.round((d - Date.now()) / 1000), a = Math.abs(secs);
    var f = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
    var rel = a < 60 ? f.format(secs, 'second') : a < 3600 ? f.format(Math.round(secs / 60), 'minute')
      : a < 172800 ? f.format(Math.round(secs / 3600), 'hour') : f.format(Math.round(secs / 86400), 'day');
    return text + ' (' + rel + ')';
  }

  function initial(name) { return name ? Array.from(name)[0].toUpperCase() : '?'; }

  global.QRM = {
    api: api, ApiError: ApiError, message: message, t: t, lang: lang, needsSignIn: needsSignIn,
    device: device, session: session, saveLogin: saveLogin, signOutLocally: signOutLocally,
    show: show, $: $, when: when, initial: initial,
    route: function () {}, // set by m.js
  };
})(window);
