/*
 * m.js: the phone web app's entry point (loaded last by m.html): routing and sign-in.
 *
 * The server serves the same m.html at /m and /m/qr/{qr_id}; this file reads
 * location.pathname to choose: not signed in → the sign-in form (then back to where
 * the user was going), /m/qr/{id} → the confirmation (m-confirm.js: a tap on
 * Continue first, then the scan), /m → home
 * (m-home.js), /m/enroll → a passkey enrollment (m-passkeys.js, which also signs
 * in with a passkey). Sign-in is POST /api/v1/auth/login with this phone's device
 * `{ id, type: "web", name }`; the token it returns is bound to that device id.
 */
(function (Q) {
  'use strict';

  var $ = Q.$;
  var DEFAULT_CONTEXT = $('signin-context').textContent;
  var QR_CONTEXT = Q.t('m.signin_context_qr');

  /** The qr_id of /m/qr/{qr_id}, '' for a mangled one, null on any other path. */
  function qrIdFromPath() {
    var m = location.pathname.match(/^\/m\/qr\/([^/]*)\/?$/);
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (e) { return ''; }
  }

  function showSignIn(context, error) {
    $('signin-context').textContent = context || (qrIdFromPath() !== null ? QR_CONTEXT : DEFAULT_CONTEXT);
    $('signin-error').textContent = error || '';
    Q.show('signin', 'signin-title');
  }

  /** Shows the view of this URL; `scanned` is true when the in-app camera just read it (that was the tap). */
  function route(scanned) {
    Q.stopCamera();
    Q.confirm.stop();
    var qr = qrIdFromPath();
    // /m/enroll#secret: a --no-password account's first passkey, signed in or not.
    if (/^\/m\/enroll\/?$/.test(location.pathname)) { Q.passkeys.enrollPage(); return; }
    if (!Q.session()) { showSignIn(); return; }
    if (qr !== null) Q.confirm.start(qr, scanned === true);
    else if (/^\/m\/device\/?$/.test(location.pathname)) Q.devicePage();
    else Q.home();
  }

  /**
   * The stored sign-in is gone or no good: forget it and show the form with `text`
   * (as an error, or as a plain notice). After signing in, route() resumes the page.
   */
  Q.signInAgain = function (text, notice) {
    Q.signOutLocally();
    Q.stopCamera();
    Q.confirm.stop();
    if (notice) showSignIn(text, ''); else showSignIn(null, text);
  };
  Q.route = route;

  $('signin-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var user = $('username').value.trim(), pass = $('password').value, btn = $('signin-submit');
    if (!user || !pass) {
      $('signin-error').textContent = Q.t('m.signin_empty');
      (user ? $('password') : $('username')).focus();
      return;
    }
    btn.disabled = true;
    btn.textContent = Q.t('m.signing_in');
    try {
      var r = await Q.api('POST', '/api/v1/auth/login', { username: user, password: pass, device: Q.device() });
      Q.saveLogin(r);
      Q.passkeys.offer();
      $('password').value = '';
      $('signin-error').textContent = '';
      route(false);
    } catch (e) {
      $('signin-error').textContent = Q.message(e);
      $('password').focus();
      $('password').select();
    } finally {
      btn.disabled = false;
      btn.textContent = Q.t('m.signin');
    }
  });

  window.addEventListener('popstate', function () { route(false); });
  route();
})(window.QRM);
