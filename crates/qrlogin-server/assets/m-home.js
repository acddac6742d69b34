/*
 * m-home.js: the phone app's home at /m (QRM.home): the account, the PCs signed in
 * with it (GET /api/v1/sessions) with Revoke (DELETE /api/v1/sessions/{id}), the
 * account's recent activity (GET /api/v1/activity; the card stays hidden on a server
 * without the activity log, which answers 404), Sign out (POST /api/v1/auth/logout,
 * then the token is forgotten here whatever the answer), and a "Scan a QR code"
 * button. Every text the server or a PC supplied is set with textContent.
 *
 * Scanning uses BarcodeDetector + getUserMedia where the browser has them (Chrome on
 * Android). Elsewhere the page says to use the camera app: the QR holds the URL of
 * /m/qr/{id} on this server, so the camera app brings the user here anyway. A scanned
 * code is followed only when it points to this very origin's /m/qr/{id}: the page
 * never navigates to an arbitrary URL found in a QR code.
 */
(function (Q) {
  'use strict';

  var $ = Q.$, t = Q.t;
  var cam = null; // { stream, timer } while the camera runs

  function status(text) { $('sessions-status').textContent = text || ''; }

  function sessionName(s) {
    var d = s.device || {};
    return d.name || (d.type ? t('m.session_device', { type: d.type }) : t('m.session_unknown'));
  }

  function renderSessions(list) {
    var ul = $('sessions'), tpl = $('session-item');
    ul.textContent = '';
    if (!list.length) {
      var li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t('m.sessions_none');
      ul.appendChild(li);
      return;
    }
    list.forEach(function (s) {
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.setAttribute('data-session-id', s.id);
      li.querySelector('.session-name').textContent = sessionName(s);
      li.querySelector('.session-meta').textContent = [s.ip ? t('m.session_ip', { ip: s.ip }) : '',
        t('m.session_signed_in', { when: Q.when(s.created_at) }),
        t('m.session_expires', { when: Q.when(s.expires_at) })].filter(Boolean).join(' · ');
      var btn = li.querySelector('.revoke');
      btn.setAttribute('aria-label', t('m.revoke_label', { name: sessionName(s) }));
      btn.addEventListener('click', function () { revoke(s, li, btn); });
      ul.appendChild(li);
    });
  }

  async function load() {
    status(t('m.loading'));
    loadActivity();
    try {
      var r = await Q.api('GET', '/api/v1/sessions');
      var list = (r && r.sessions) || [];
      renderSessions(list);
      // An empty list says so itself ("No other device…").
      status(!list.length ? '' : list.length === 1 ? t('m.sessions_one') : t('m.sessions_many', { n: list.length }));
    } catch (e) {
      if (Q.needsSignIn(e)) { Q.signInAgain(Q.message(e)); return; }
      status(Q.message(e));
    }
  }

  async function revoke(s, li, btn) {
    btn.disabled = true;
    try {
      await Q.api('DELETE', '/api/v1/sessions/' + encodeURIComponent(s.id));
    } catch (e) {
      if (Q.needsSignIn(e)) { Q.signInAgain(Q.message(e)); return; }
      if (e.code !== 'not_found') { btn.disabled = false; status(Q.message(e)); return; }
      // not_found: it had already ended; drop it from the list too.
    }
    var next = li.nextElementSibling || li.previousElementSibling;
    li.parentNode.removeChild(li);
    status(t('m.revoked', { name: sessionName(s) }));
    var focusTo = next && next.querySelector('.revoke');
    (focusTo || $('refresh')).focus();
    if (!$('sessions').children.length) renderSessions([]);
  }

  // ---- recent activity

  /** "A phone signed in to your account" for a kind of API.md "Phone additions". */
  function activityText(kind) {
    var key = 'activity.' + kind;
    return /^[a-z_]+$/.test(kind || '') && t.has(key) ? t(key) : t('activity.other', { kind: String(kind) });
  }

  function renderActivity(events) {
    var ul = $('activity');
    ul.textContent = '';
    if (!events.length) {
      var none = document.createElement('li');
      none.className = 'empty';
      none.textContent = t('m.activity_none');
      ul.appendChild(none);
      return;
    }
    events.forEach(function (ev) {
      var li = document.createElement('li'), main = document.createElement('div');
      var what = document.createElement('p'), meta = document.createElement('p');
      main.className = 'session-main'; what.className = 'session-name'; meta.className = 'session-meta';
      li.setAttribute('data-kind', String(ev.kind));
      what.textContent = activityText(ev.kind);
      var d = ev.device || {}, c = ev.client || {};
      meta.textContent = [Q.when(ev.at), d.name || d.type || '', c.name || c.id ? t('m.activity_client', { name: c.name || c.id }) : '',
        ev.ip ? t('m.activity_ip', { ip: ev.ip }) : ''].filter(Boolean).join(' · ');
      main.appendChild(what); main.appendChild(meta); li.appendChild(main);
      ul.appendChild(li);
    });
  }

  /** The last 20 events; a server without the activity log (404) hides the card quietly. */
  async function loadActivity() {
    var card = $('activity-card');
    try {
      var r = await Q.api('GET', '/api/v1/activity?limit=20');
      renderActivity((r && Array.isArray(r.events) && r.events) || []);
      card.hidden = false;
    } catch (e) {
      card.hidden = true; // 404 (no activity log here) or trouble: the sessions list says the rest
    }
  }

  /** Revokes this phone's token on the server, then forgets it here whatever happened. */
  async function signOut() {
    var btn = $('signout');
    btn.disabled = true;
    try {
      await Q.api('POST', '/api/v1/auth/logout');
    } catch (e) {
      // 401/404 (already gone, or a server without phone logout) or offline: the token
      // is forgotten on this phone all the same.
    } finally {
      btn.disabled = false;
    }
    Q.signOutLocally();
    Q.signInAgain(t('m.signed_out'), true);
  }

  // ---- camera scanning

  function canScan() {
    return 'BarcodeDetector' in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  /** "/m/qr/{id}" when the text is a qrlogin URL of this origin, else null. */
  function target(text) {
    try {
      var u = new URL(text, location.href);
      var m = u.pathname.match(/^\/m\/qr\/([A-Za-z0-9_-]{16,64})\/?$/);
      return u.origin === location.origin && m ? '/m/qr/' + m[1] : null;
    } catch (e) { return null; }
  }

  /** No in-page scanner here: say how to do it with the camera app instead. */
  function noScanner() {
    $('scan').hidden = true;
    $('scan-hint').hidden = false;
    $('scan-hint').focus();
  }

  function stopCamera() {
    if (!cam) return;
    clearTimeout(cam.timer);
    if (cam.stream) cam.stream.getTracks().forEach(function (t) { t.stop(); });
    $('scan-video').srcObject = null;
    cam = null;
  }

  async function scan() {
    if (!canScan()) { noScanner(); return; }
    var detector;
    try {
      var formats = await BarcodeDetector.getSupportedFormats();
      if (formats.indexOf('qr_code') < 0) throw new Error('no qr_code');
      detector = new BarcodeDetector({ formats: ['qr_code'] });
    } catch (e) { noScanner(); return; }
    stopCamera();
    var c = (cam = { stream: null, timer: 0 });
    $('scan-status').textContent = t('m.scan_starting');
    Q.show('scan', 'scan-title');
    try {
      c.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      if (cam !== c) { c.stream.getTracks().forEach(function (t) { t.stop(); }); return; }
      var video = $('scan-video');
      video.srcObject = c.stream;
      await video.play();
    } catch (e) {
      if (cam !== c) return;
      stopCamera();
      $('scan-status').textContent = e && e.name === 'NotAllowedError' ? t('m.scan_blocked') : t('m.scan_failed');
      return;
    }
    $('scan-status').textContent = t('m.scan_point');
    var warned = '';
    var look = async function () {
      if (cam !== c) return;
      try {
        var codes = await detector.detect($('scan-video'));
        for (var i = 0; i < codes.length; i++) {
          var path = target(codes[i].rawValue);
          if (path) { stopCamera(); history.pushState(null, '', path); Q.route(true); return; }
          if (codes[i].rawValue !== warned) {
            warned = codes[i].rawValue;
            $('scan-status').textContent = t('m.scan_foreign');
          }
        }
      } catch (e) { /* the video may not be ready yet */ }
      if (cam === c) c.timer = setTimeout(look, 250);
    };
    look();
  }

  function home() {
    var s = Q.session() || { account: {} };
    var name = s.account.display_name || t('m.signed_in_fallback');
    $('home-name').textContent = name;
    $('home-initial').textContent = Q.initial(name);
    $('scan').hidden = !canScan();
    $('scan-hint').hidden = canScan();
    Q.show('home', 'home-title');
    load();
    if (Q.passkeys) Q.passkeys.load();
  }

  $('refresh').addEventListener('click', load);
  $('scan').addEventListener('click', scan);
  $('scan-cancel').addEventListener('click', function () { stopCamera(); home(); });
  $('signout').addEventListener('click', signOut);

  Q.home = home;
  Q.stopCamera = stopCamera;
})(window.QRM);
