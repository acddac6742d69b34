/*
 * pc.js: the behaviour of the PC login page (index.html, served at /).
 *
 * Mounts the qrlogin widget; when it hands over a session, keeps the session token in
 * sessionStorage (this tab only, gone when the tab closes: a QR login is a login on
 * *this* screen) and shows the signed-in view from GET /api/v1/me. On reload with a
 * stored token the signed-in view comes back if /me still answers 200. Sign out calls
 * POST /api/v1/logout. A separate file because the CSP forbids inline scripts.
 */
(function () {
  'use strict';

  var KEY = 'qrlogin.session_token';
  // The page's language: the server rendered it and set <html lang> (from ?lang= or
  // Accept-Language); the widget and this script speak the same one.
  var lang = document.documentElement.lang || 'en';
  var tr = QrLogin.translator(lang);
  var widget = null;

  function $(id) { return document.getElementById(id); }
  function message(text) { $('page-message').textContent = text || ''; }

  function token() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }
  function setToken(t) {
    try { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  }

  function show(view, focus) {
    document.body.setAttribute('data-view', view);
    $('login-view').hidden = view !== 'login';
    $('signed-in-view').hidden = view !== 'signed-in';
    // Moving focus to the new heading tells screen readers the page changed.
    if (focus) $(view === 'login' ? 'login-title' : 'signed-in-title').focus();
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return iso || '—';
    var text = d.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
    var mins = Math.round((d - Date.now()) / 60000), rel = '';
    if (typeof Intl !== 'undefined' && Intl.RelativeTimeFormat) {
      var f = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
      var a = Math.abs(mins);
      rel = a < 60 ? f.format(mins, 'minute') : a < 2880 ? f.format(Math.round(mins / 60), 'hour')
        : f.format(Math.round(mins / 1440), 'day');
    }
    return rel ? text + ' (' + rel + ')' : text;
  }

  function showLogin(focus) {
    show('login', focus);
    if (widget) { widget.renew(); return; }
    widget = QrLogin.mount($('qrlogin'), {
      css: false, // index.html links /static/qrlogin.css itself
      lang: lang,
      onLogin: function (session) {
        setToken(session.session_token);
        message('');
        // Let "Signed in as …" be seen (and announced) for a moment.
        setTimeout(function () { showSignedIn(session.session_token, true); }, 700);
      },
    });
  }

  function fillMe(me) {
    var acc = me.account || {}, ses = me.session || {};
    var name = acc.display_name || tr('pc.signed_in_fallback');
    $('me-name').textContent = name;
    $('me-initial').textContent = Array.from(name)[0].toUpperCase();
    var avatar = $('me-avatar');
    avatar.onerror = function () { avatar.hidden = true; $('me-initial').hidden = false; };
    if (acc.avatar_url) { avatar.src = acc.avatar_url; avatar.hidden = false; $('me-initial').hidden = true; }
    else { avatar.hidden = true; $('me-initial').hidden = false; }
    $('me-session-id').textContent = ses.id || '—';
    $('me-created').textContent = when(ses.created_at);
    $('me-expires').textContent = when(ses.expires_at);
  }

  async function showSignedIn(t, focus) {
    var res;
    try {
      res = await fetch('/api/v1/me', { headers: { Authorization: 'Bearer ' + t, Accept: 'application/json' }, cache: 'no-store' });
    } catch (e) {
      message(tr('pc.offline'));
      return;
    }
    if (res.status === 200) {
      fillMe(await res.json());
      if (widget) { widget.destroy(); widget = null; }
      show('signed-in', focus);
      return;
    }
    if (res.status === 401) {
      setToken(null);
      if (focus) message(tr('pc.session_ended'));
    } else {
      message(tr('pc.me_failed', { status: res.status }));
    }
    showLogin(focus);
  }

  async function signOut() {
    var t = token(), btn = $('signout');
    btn.disabled = true;
    try {
      var res = await fetch('/api/v1/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + t }, cache: 'no-store' });
      // 204, or 401 when it had already ended (revoked from the phone): either way it is over.
      if (res.status !== 204 && res.status !== 401) throw new Error('HTTP ' + res.status);
      setToken(null);
      message('');
      showLogin(true);
    } catch (e) {
      message(tr('pc.signout_failed'));
    } finally {
      btn.disabled = false;
    }
  }

  $('signout').addEventListener('click', signOut);
  var t = token();
  if (t) showSignedIn(t, false); else showLogin(false);
})();
