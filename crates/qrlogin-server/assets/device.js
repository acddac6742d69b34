/*
 * device.js: the TV-style device page (device.html). Starts a device login at
 * /oauth2/device_authorization for ?client_id= (default demo), shows the QR code of the
 * QR session it carries (verification_uri_complete) and the user code, and polls
 * /oauth2/token every `interval` seconds (+5 s on slow_down, after Retry-After on
 * rate_limited) until signed in, declined or expired (then it starts again).
 */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var texts = document.body.dataset;
  var params = new URLSearchParams(location.search);
  var clientId = params.get('client_id') || 'demo';
  var timer = null;

  function view(v, text) {
    document.body.setAttribute('data-view', v);
    if (text !== undefined) $('device-result').textContent = text;
    $('device-again').hidden = v === 'code' || v === 'loading';
  }

  function form(obj) {
    return Object.keys(obj).map(function (k) {
      return encodeURIComponent(k) + '=' + encodeURIComponent(obj[k]);
    }).join('&');
  }

  async function post(path, body) {
    var res = await fetch(path, { method: 'POST', body: form(body),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    return { ok: res.ok, retryAfter: Number(res.headers.get('Retry-After')) || 0,
      body: await res.json().catch(function () { return {}; }) };
  }

  async function start() {
    clearTimeout(timer);
    view('loading', '');
    var r = await post('/oauth2/device_authorization', { client_id: clientId, scope: 'openid profile' })
      .catch(function () { return { ok: false, body: {} }; });
    if (!r.ok) { view('error', r.body.error_description || r.body.error || 'error'); return; }
    var d = r.body;
    var qrId = d.verification_uri_complete.split('/').pop();
    $('device-qr').src = '/api/v1/qr/' + encodeURIComponent(qrId) + '/qr.svg';
    $('device-qr').hidden = false;
    $('device-uri').textContent = d.verification_uri;
    $('device-user-code').textContent = d.user_code;
    view('code', '');
    poll(d.device_code, d.interval || 5);
  }

  function poll(code, interval) {
    timer = setTimeout(async function () {
      var r = await post('/oauth2/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: code, client_id: clientId }).catch(function () { return { ok: false, body: {} }; });
      if (r.ok) { $('device-qr').hidden = true; view('done', texts.done || 'Signed in.'); return; }
      switch (r.body.error) {
        case 'authorization_pending': poll(code, interval); break;
        case 'slow_down': poll(code, interval + 5); break;
        // Over this address's token budget: nothing was lost, poll again once it allows.
        case 'rate_limited': poll(code, Math.max(interval, r.retryAfter)); break;
        case 'expired_token': start(); break;
        case 'access_denied': $('device-qr').hidden = true; view('denied', texts.denied || 'Declined.'); break;
        default: view('error', r.body.error_description || r.body.error || 'error');
      }
    }, interval * 1000);
  }

  $('device-again').addEventListener('click', start);
  start();
})();
