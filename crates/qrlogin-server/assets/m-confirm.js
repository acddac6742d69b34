/*
 * m-confirm.js: the phone side of one QR login, for /m/qr/{qr_id} (QRM.confirm).
 *
 * Opening the page *is* the scan (POST …/scan), as in WeChat: the PC shows "scanned by
 * …" at once. The phone then shows where the request comes from (device, IP, time,
 * browser) so the user can spot a code that someone else sent them, and answers with
 * Confirm or Decline, each carrying the scan ticket. The ticket lives only in this
 * page's memory: it is single-use proof that this phone did the scan.
 *
 * "Same network as this phone": a web page cannot learn the phone's own public IP, so
 * it is shown only when the server says so in an optional `requester.same_network`
 * boolean (the server can compare the scanning request's IP with the requester's);
 * otherwise the page says it cannot tell and asks the user to check the IP.
 */
(function (Q) {
  'use strict';

  var $ = Q.$;
  var current = null; // { qrId, ticket, deadline, requester, timer }
  var RETRYABLE = { network: 1, rate_limited: 1, store_unavailable: 1, internal: 1 };
  var TITLES = {
    qr_expired: 'Code expired', qr_not_found: 'Code not found', already_scanned: 'Already scanned',
    invalid_state: 'No longer waiting', already_redeemed: 'Already used', network: 'You’re offline',
    invalid_scan_ticket: 'Scan again',
  };

  function stop() {
    if (current) clearInterval(current.timer);
    current = null;
  }

  /** The final screen: kind is confirmed|declined|error (#view-result[data-result]). */
  function result(kind, title, text, retry) {
    stop();
    $('view-result').setAttribute('data-result', kind);
    // A plain character in a coloured disc (app.css): emoji fonts are missing on many
    // systems, where ✅ would show as an empty box.
    $('result-icon').textContent = kind === 'confirmed' ? '✓' : kind === 'declined' ? '✕' : '!';
    $('result-title').textContent = title;
    $('result-text').textContent = text;
    var btn = $('result-retry');
    btn.hidden = !retry;
    btn.onclick = retry || null;
    Q.show('result', 'result-title');
  }

  function fail(e, retry) {
    if (Q.needsSignIn(e)) { stop(); Q.signInAgain(Q.message(e)); return; }
    var canRetry = RETRYABLE[e.code] || e.code === 'invalid_scan_ticket';
    result('error', TITLES[e.code] || 'Couldn’t continue', Q.message(e), canRetry ? retry : null);
  }

  function deviceName(r) {
    var d = (r && r.device) || {};
    return d.name || (d.type ? 'A ' + d.type + ' device' : 'The other device');
  }

  function render(r) {
    var d = r.device || {};
    $('req-device').textContent = d.type ? deviceName(r) + ' (' + d.type + ')' : deviceName(r);
    $('req-ip').textContent = r.ip || 'unknown';
    var net = $('req-network');
    if (typeof r.same_network === 'boolean') {
      net.setAttribute('data-network', r.same_network ? 'same' : 'different');
      net.textContent = r.same_network ? 'Same network as this phone'
        : 'A different network from this phone. Be careful if you are at that device yourself.';
    } else {
      net.setAttribute('data-network', 'unknown');
      net.textContent = 'Can’t tell: this page can’t see your phone’s own public address. Check that the IP address above is where you are.';
    }
    $('req-time').textContent = Q.when(r.created_at);
    $('req-ua').textContent = r.user_agent || '—';
  }

  function buttons(enabled) { $('confirm').disabled = $('decline').disabled = !enabled; }

  function tick() {
    if (!current) return;
    var left = Math.ceil((current.deadline - Date.now()) / 1000);
    if (left <= 0) { fail({ code: 'qr_expired' }); return; }
    $('req-countdown').textContent = 'This request expires in ' + Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0') + '.';
  }

  /** Scans the QR session and shows who is asking. */
  async function start(qrId) {
    stop();
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(qrId)) {
      result('error', 'Not a sign-in code', 'This link doesn’t contain a valid qrlogin code.');
      return;
    }
    Q.show('loading');
    var scan;
    try {
      scan = await Q.api('POST', '/api/v1/qr/' + encodeURIComponent(qrId) + '/scan', {});
    } catch (e) {
      fail(e, function () { start(qrId); });
      return;
    }
    current = { qrId: qrId, ticket: scan.scan_ticket, requester: scan.requester || {},
      deadline: Date.now() + (scan.expires_in || 0) * 1000 };
    render(current.requester);
    $('req-error').textContent = '';
    buttons(true);
    current.timer = setInterval(tick, 1000);
    tick();
    if (current) Q.show('request', 'request-title');
  }

  /** Confirm (true) or Decline (false), with the scan ticket. */
  async function answer(confirm) {
    var c = current;
    if (!c) return;
    buttons(false);
    $('req-error').textContent = '';
    try {
      await Q.api('POST', '/api/v1/qr/' + encodeURIComponent(c.qrId) + (confirm ? '/confirm' : '/cancel'),
        { scan_ticket: c.ticket });
    } catch (e) {
      if (c !== current) return;
      if (RETRYABLE[e.code]) { // stay here; disabling the button dropped its focus: give it back
        $('req-error').textContent = Q.message(e);
        buttons(true);
        $(confirm ? 'confirm' : 'decline').focus();
        return;
      }
      fail(e, function () { start(c.qrId); });
      return;
    }
    if (c !== current) return;
    if (confirm) {
      result('confirmed', 'Signed in', deviceName(c.requester) + ' is now signed in to your account. You can put your phone away.');
    } else {
      result('declined', 'Declined', 'Nothing was signed in. If it wasn’t you who tried to sign in, you can ignore the code.');
    }
  }

  $('confirm').addEventListener('click', function () { answer(true); });
  $('decline').addEventListener('click', function () { answer(false); });

  Q.confirm = { start: start, stop: stop };
})(window.QRM);
