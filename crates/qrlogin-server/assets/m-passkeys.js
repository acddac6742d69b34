/*
 * m-passkeys.js: passkeys in the phone app (QRM.passkeys), on WebAuthn.
 *
 * - Sign in with a passkey (button beside the password form): POST
 *   /api/v1/auth/passkeys/login/start, navigator.credentials.get with its options,
 *   POST …/login/finish with this phone's device → the same token as a password login.
 * - Home: the account's passkeys (GET /api/v1/auth/passkeys) with Rename (PATCH) and
 *   Remove (DELETE), "Add a passkey" (…/register/start, navigator.credentials.create,
 *   …/register/finish), and after a password sign-in an offer to add one.
 * - /m/enroll#qle_…: the first passkey of an account made with --no-password. The
 *   secret is read from location.hash (never sent in a URL), then removed from the
 *   address bar; …/enroll/start and …/enroll/finish, then a passkey sign-in.
 *
 * The server speaks JSON with base64url for binary fields; the browser API wants
 * ArrayBuffers: the helpers below convert both ways. Texts of users set with
 * textContent.
 */
(function (Q) {
  'use strict';

  var $ = Q.$, t = Q.t;
  var offerPending = false;

  function supported() { return !!(window.PublicKeyCredential && navigator.credentials); }

  function fromB64u(s) {
    var b = atob(String(s).replace(/-/g, '+').replace(/_/g, '/').replace(/\s/g, '') + '==='.slice((String(s).length + 3) % 4));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out.buffer;
  }

  function toB64u(buf) {
    var bytes = new Uint8Array(buf), s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** Creation options from the server's JSON (challenge, user.id, excluded ids as buffers). */
  function creationOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromB64u(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: fromB64u(pk.user.id) });
    pk.excludeCredentials = (pk.excludeCredentials || []).map(function (c) { return Object.assign({}, c, { id: fromB64u(c.id) }); });
    return { publicKey: pk };
  }

  /** Request options from the server's JSON. */
  function requestOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromB64u(pk.challenge);
    pk.allowCredentials = (pk.allowCredentials || []).map(function (c) { return Object.assign({}, c, { id: fromB64u(c.id) }); });
    return { publicKey: pk };
  }

  /** A PublicKeyCredential as the JSON the server reads (binary fields base64url). */
  function credentialJson(c) {
    var r = c.response, out = { id: c.id, rawId: toB64u(c.rawId), type: c.type, extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {} };
    if (r.attestationObject) {
      out.response = { attestationObject: toB64u(r.attestationObject), clientDataJSON: toB64u(r.clientDataJSON) };
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response = { authenticatorData: toB64u(r.authenticatorData), clientDataJSON: toB64u(r.clientDataJSON),
        signature: toB64u(r.signature), userHandle: r.userHandle ? toB64u(r.userHandle) : null };
    }
    return out;
  }

  /** A sentence for a failed ceremony: the user's "no" is not an error worth shouting. */
  function failure(e) {
    if (e && (e.name === 'NotAllowedError' || e.name === 'AbortError')) return t('m.passkey_cancelled');
    if (e && e.name === 'InvalidStateError') return t('m.passkey_exists');
    if (e && e.code) return Q.message(e);
    return t('m.passkey_failed');
  }

  function deviceName() { return (Q.device().name || t('m.passkey_default_name')).slice(0, 64); }

  // ---- sign-in

  async function signIn() {
    var btn = $('passkey-signin');
    btn.disabled = true;
    $('signin-error').textContent = '';
    try {
      var start = await Q.api('POST', '/api/v1/auth/passkeys/login/start');
      var cred = await navigator.credentials.get(requestOptions(start.options));
      var r = await Q.api('POST', '/api/v1/auth/passkeys/login/finish',
        { challenge_id: start.challenge_id, credential: credentialJson(cred), device: Q.device() });
      Q.saveLogin(r);
      if (location.pathname.indexOf('/m/enroll') === 0) history.replaceState(null, '', '/m' + location.search);
      Q.route(false);
    } catch (e) {
      $('signin-error').textContent = failure(e);
    } finally {
      btn.disabled = false;
    }
  }

  // ---- the account's passkeys (home)

  function status(text) { $('passkeys-status').textContent = text || ''; }

  function render(list) {
    var ul = $('passkeys'), tpl = $('passkey-item');
    ul.textContent = '';
    if (!list.length) {
      var li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t('m.passkeys_none');
      ul.appendChild(li);
      return;
    }
    list.forEach(function (p) {
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.setAttribute('data-passkey-id', p.id);
      li.querySelector('.session-name').textContent = p.name;
      li.querySelector('.session-meta').textContent = [t('m.passkey_added_at', { when: Q.when(p.created_at) }),
        p.last_used_at ? t('m.passkey_used_at', { when: Q.when(p.last_used_at) }) : t('m.passkey_never_used')].join(' · ');
      li.querySelector('.rename').setAttribute('aria-label', t('m.passkey_rename_label', { name: p.name }));
      li.querySelector('.remove').setAttribute('aria-label', t('m.passkey_remove_label', { name: p.name }));
      li.querySelector('.rename').addEventListener('click', function () { rename(p); });
      li.querySelector('.remove').addEventListener('click', function () { remove(p, li); });
      ul.appendChild(li);
    });
  }

  async function load() {
    $('passkeys-card').hidden = !supported();
    $('passkey-offer').hidden = !(offerPending && supported());
    if (!supported()) return;
    try {
      var r = await Q.api('GET', '/api/v1/auth/passkeys');
      render((r && r.passkeys) || []);
    } catch (e) {
      if (Q.needsSignIn(e)) return; // the sessions list signs in again
      $('passkeys-card').hidden = e.code === 'not_found' || e.code === 'unavailable';
      status(Q.message(e));
    }
  }

  async function add() {
    var btn = $('passkey-add');
    btn.disabled = true;
    status(t('m.passkey_adding'));
    try {
      var start = await Q.api('POST', '/api/v1/auth/passkeys/register/start');
      var cred = await navigator.credentials.create(creationOptions(start.options));
      var p = await Q.api('POST', '/api/v1/auth/passkeys/register/finish',
        { challenge_id: start.challenge_id, credential: credentialJson(cred), name: deviceName() });
      offerPending = false;
      $('passkey-offer').hidden = true;
      status(t('m.passkey_added', { name: p.name }));
      await load();
    } catch (e) {
      if (Q.needsSignIn(e)) { Q.signInAgain(Q.message(e)); return; }
      status(failure(e));
    } finally {
      btn.disabled = false;
    }
  }

  async function rename(p) {
    var name = window.prompt(t('m.passkey_rename_prompt'), p.name);
    if (name === null || !name.trim()) return;
    try {
      await Q.api('PATCH', '/api/v1/auth/passkeys/' + encodeURIComponent(p.id), { name: name.trim() });
      status(t('m.passkey_renamed', { name: name.trim() }));
      await load();
    } catch (e) {
      if (Q.needsSignIn(e)) { Q.signInAgain(Q.message(e)); return; }
      status(Q.message(e));
    }
  }

  async function remove(p, li) {
    li.querySelector('.remove').disabled = true;
    try {
      await Q.api('DELETE', '/api/v1/auth/passkeys/' + encodeURIComponent(p.id));
    } catch (e) {
      if (Q.needsSignIn(e)) { Q.signInAgain(Q.message(e)); return; }
      if (e.code !== 'not_found') { li.querySelector('.remove').disabled = false; status(Q.message(e)); return; }
    }
    status(t('m.passkey_removed', { name: p.name }));
    await load();
    $('passkey-add').focus();
  }

  // ---- enrollment (/m/enroll#qle_…)

  var enrollSecret = '';

  function enrollError(text) { $('enroll-error').textContent = text || ''; }

  async function enrollPage() {
    if (!enrollSecret) {
      enrollSecret = decodeURIComponent((location.hash || '').replace(/^#/, ''));
      // Out of the address bar (and history) at once: the secret is for this page only.
      if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    }
    Q.show('enroll', 'enroll-title');
    enrollError('');
    $('enroll-submit').hidden = true;
    if (!supported()) { enrollError(t('m.passkey_unsupported')); return; }
    if (!enrollSecret) { enrollError(t('m.enroll_no_link')); return; }
    try {
      var r = await Q.api('POST', '/api/v1/auth/passkeys/enroll/start', { token: enrollSecret });
      $('enroll-text').textContent = t('m.enroll_hello', { name: r.account.display_name });
      $('enroll-submit').hidden = false;
    } catch (e) {
      enrollError(e.code === 'invalid_credentials' ? t('m.enroll_used') : Q.message(e));
    }
  }

  async function enroll() {
    var btn = $('enroll-submit');
    btn.disabled = true;
    enrollError('');
    try {
      var start = await Q.api('POST', '/api/v1/auth/passkeys/enroll/start', { token: enrollSecret });
      var cred = await navigator.credentials.create(creationOptions(start.options));
      await Q.api('POST', '/api/v1/auth/passkeys/enroll/finish',
        { token: enrollSecret, challenge_id: start.challenge_id, credential: credentialJson(cred), name: deviceName() });
      enrollSecret = '';
      $('enroll-submit').hidden = true;
      $('enroll-text').textContent = t('m.enroll_done');
      // The account has no password: its passkey is how this phone signs in.
      history.replaceState(null, '', '/m' + location.search);
      Q.signInAgain(t('m.enroll_done'), true);
    } catch (e) {
      enrollError(e.code === 'invalid_credentials' ? t('m.enroll_used') : failure(e));
    } finally {
      btn.disabled = false;
    }
  }

  $('passkey-signin').hidden = !supported();
  $('passkey-signin').addEventListener('click', signIn);
  $('passkey-add').addEventListener('click', add);
  $('passkey-offer-add').addEventListener('click', add);
  $('passkey-offer-later').addEventListener('click', function () { offerPending = false; $('passkey-offer').hidden = true; });
  $('enroll-submit').addEventListener('click', enroll);

  Q.passkeys = {
    load: load,
    enrollPage: enrollPage,
    /** After a password sign-in: offer a passkey on the home view. */
    offer: function () { offerPending = true; },
  };
})(window.QRM);
