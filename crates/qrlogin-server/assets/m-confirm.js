/*
 * m-confirm.js: the phone side of one QR login, for /m/qr/{qr_id} (QRM.confirm).
 *
 * Opening the page does NOT scan: a link can be sent to anyone, and a scan tells the
 * PC the user's name and claims the code. So the page first asks (#view-prescan) and
 * scans (POST …/scan) only on a tap of Continue (or when this app's own camera read
 * the code: that scan was the tap). It then leads with what the server saw (the
 * requester's IP, whether it is this phone's network, when it asked), and shows the
 * PC's own words (device name and type, browser) apart, labelled as
 * self-reported: a PC can call itself "Official Bank PC (this phone)". The user
 * answers with Confirm or Decline, each carrying the scan ticket, which lives only in
 * this page's memory (single-use proof that this phone did the scan).
 *
 * Everything the PC supplied is set with textContent, never as HTML.
 *
 * "Same network as this phone": a web page cannot learn the phone's own public IP, so
 * it is shown only when the server says so in `requester.same_network`; otherwise the
 * page says it cannot tell and asks the user to check the IP.
 */
(function (Q) {
  'use strict';

  var $ = Q.$, t = Q.t;
  var current = null; // { qrId, ticket, deadline, requester, timer }
  var waiting = null; // the qr_id shown in #view-prescan, until Continue
  var RETRYABLE = { network: 1, rate_limited: 1, store_unavailable: 1, internal: 1 };

  function stop() {
    if (current) clearInterval(current.timer);
    current = null;
    waiting = null;
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
    var key = 'm.fail_title.' + e.code;
    result('error', t.has(key) ? t(key) : t('m.fail_title'), Q.message(e), canRetry ? retry : null);
  }

  /** The PC's own name for itself (self-reported). */
  function deviceName(r) {
    var d = (r && r.device) || {};
    return d.name || (d.type ? t('m.device_of_type', { type: d.type }) : t('m.device_unknown'));
  }

  function render(r) {
    // The OAuth client asking, when this is an OpenID Connect or device login.
    var who = $('req-client');
    who.hidden = !(r.client && r.client.name);
    who.textContent = who.hidden ? '' : t('m.client_asks', { client: r.client.name });
    // What the server saw first.
    $('req-ip').textContent = r.ip || t('m.ip_unknown');
    var net = $('req-network');
    if (typeof r.same_network === 'boolean') {
      net.setAttribute('data-network', r.same_network ? 'same' : 'different');
      net.textContent = r.same_network ? t('m.network_same') : t('m.network_different');
    } else {
      net.setAttribute('data-network', 'unknown');
      net.textContent = t('m.network_unknown');
    }
    $('req-time').textContent = Q.when(r.created_at);
    // Then what the PC says about itself.
    var d = r.device || {};
    $('req-device').textContent = d.name && d.type ? deviceName(r) + ' (' + d.type + ')' : deviceName(r);
    $('req-ua').textContent = r.user_agent || '—';
  }

  function buttons(enabled) { $('confirm').disabled = $('decline').disabled = !enabled; }

  function tick() {
    if (!current) return;
    var left = Math.ceil((current.deadline - Date.now()) / 1000);
    if (left <= 0) { fail({ code: 'qr_expired' }); return; }
    $('req-countdown').textContent = t('m.expires_in', { time: Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0') });
  }

  /**
   * A QR link was opened: ask first, scan only on Continue. `tapped` is true when the
   * user scanned the code with this app's own camera: that was the deliberate act.
   */
  function start(qrId, tapped) {
    stop();
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(qrId)) {
      result('error', t('m.not_a_code_title'), t('m.not_a_code_text'));
      return;
    }
    if (tapped) { scan(qrId); return; }
    waiting = qrId;
    Q.show('prescan', 'prescan-title');
  }

  /** Scans the QR session and shows who is asking. */
  async function scan(qrId) {
    stop();
    Q.show('loading');
    var answer;
    try {
      answer = await Q.api('POST', '/api/v1/qr/' + encodeURIComponent(qrId) + '/scan', {});
    } catch (e) {
      fail(e, function () { scan(qrId); });
      return;
    }
    current = { qrId: qrId, ticket: answer.scan_ticket, requester: answer.requester || {},
      deadline: Date.now() + (answer.expires_in || 0) * 1000 };
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
      fail(e, function () { scan(c.qrId); });
      return;
    }
    if (c !== current) return;
    if (confirm) {
      result('confirmed', t('m.confirmed_title'), t('m.confirmed_text', { device: deviceName(c.requester) }));
    } else {
      result('declined', t('m.declined_title'), t('m.declined_text'));
    }
  }

  $('prescan-continue').addEventListener('click', function () { if (waiting) scan(waiting); });
  $('confirm').addEventListener('click', function () { answer(true); });
  $('decline').addEventListener('click', function () { answer(false); });

  Q.confirm = { start: start, stop: stop };
})(window.QRM);
