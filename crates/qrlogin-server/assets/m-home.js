/*
 * m-home.js: the phone app's home at /m (QRM.home): the account, the PCs signed in
 * with it (GET /api/v1/sessions) with Revoke (DELETE /api/v1/sessions/{id}), and a
 * "Scan a QR code" button.
 *
 * Scanning uses BarcodeDetector + getUserMedia where the browser has them (Chrome on
 * Android). Elsewhere the page says to use the camera app: the QR holds the URL of
 * /m/qr/{id} on this server, so the camera app brings the user here anyway. A scanned
 * code is followed only when it points to this very origin's /m/qr/{id}: the page
 * never navigates to an arbitrary URL found in a QR code.
 */
(function (Q) {
  'use strict';

  var $ = Q.$;
  var cam = null; // { stream, timer } while the camera runs

  function status(text) { $('sessions-status').textContent = text || ''; }

  function sessionName(s) {
    var d = s.device || {};
    return d.name || (d.type ? d.type + ' device' : 'Unknown device');
  }

  function renderSessions(list) {
    var ul = $('sessions'), tpl = $('session-item');
    ul.textContent = '';
    if (!list.length) {
      var li = document.createElement('li');
      li.className = 'empty';
      li.textContent = 'No other device is signed in with your account.';
      ul.appendChild(li);
      return;
    }
    list.forEach(function (s) {
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.setAttribute('data-session-id', s.id);
      li.querySelector('.session-name').textContent = sessionName(s);
      li.querySelector('.session-meta').textContent = [s.ip ? 'IP ' + s.ip : '', 'signed in ' + Q.when(s.created_at),
        'expires ' + Q.when(s.expires_at)].filter(Boolean).join(' · ');
      var btn = li.querySelector('.revoke');
      btn.setAttribute('aria-label', 'Revoke ' + sessionName(s));
      btn.addEventListener('click', function () { revoke(s, li, btn); });
      ul.appendChild(li);
    });
  }

  async function load() {
    status('Loading…');
    try {
      var r = await Q.api('GET', '/api/v1/sessions');
      var list = (r && r.sessions) || [];
      renderSessions(list);
      // An empty list says so itself ("No other device…").
      status(!list.length ? '' : list.length === 1 ? '1 device signed in.' : list.length + ' devices signed in.');
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
    status('Signed out ' + sessionName(s) + '.');
    var focusTo = next && next.querySelector('.revoke');
    (focusTo || $('refresh')).focus();
    if (!$('sessions').children.length) renderSessions([]);
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
    $('scan-status').textContent = 'Starting the camera…';
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
      $('scan-status').textContent = e && e.name === 'NotAllowedError'
        ? 'The camera is blocked for this page. Allow it in the browser settings, or use your camera app.'
        : 'The camera could not start. Use your phone’s camera app instead.';
      return;
    }
    $('scan-status').textContent = 'Point the camera at the code on the other screen.';
    var warned = '';
    var look = async function () {
      if (cam !== c) return;
      try {
        var codes = await detector.detect($('scan-video'));
        for (var i = 0; i < codes.length; i++) {
          var path = target(codes[i].rawValue);
          if (path) { stopCamera(); history.pushState(null, '', path); Q.route(); return; }
          if (codes[i].rawValue !== warned) {
            warned = codes[i].rawValue;
            $('scan-status').textContent = 'That QR code isn’t a sign-in code for this server.';
          }
        }
      } catch (e) { /* the video may not be ready yet */ }
      if (cam === c) c.timer = setTimeout(look, 250);
    };
    look();
  }

  function home() {
    var s = Q.session() || { account: {} };
    var name = s.account.display_name || 'Signed in';
    $('home-name').textContent = name;
    $('home-initial').textContent = Q.initial(name);
    $('scan').hidden = !canScan();
    $('scan-hint').hidden = canScan();
    Q.show('home', 'home-title');
    load();
  }

  $('refresh').addEventListener('click', load);
  $('scan').addEventListener('click', scan);
  $('scan-cancel').addEventListener('click', function () { stopCamera(); home(); });
  $('signout').addEventListener('click', function () {
    Q.signOutLocally();
    Q.signInAgain('You’re signed out on this phone.', true);
  });

  Q.home = home;
  Q.stopCamera = stopCamera;
})(window.QRM);
