/*
 * m-device.js: /m/device, where a signed-in phone types the code a TV or CLI shows
 * (RFC 8628 user code). POST /api/v1/device/code finds the device's QR session; the
 * page then goes to /m/qr/{qr_id}, the same confirmation as a scanned code.
 */
(function (Q) {
  'use strict';

  var $ = Q.$;

  Q.devicePage = function () {
    $('device-error').textContent = '';
    Q.show('device', 'device-title');
  };

  $('device-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var code = $('user-code').value.trim(), btn = $('device-submit');
    if (!code) { $('user-code').focus(); return; }
    btn.disabled = true;
    try {
      var r = await Q.api('POST', '/api/v1/device/code', { user_code: code });
      history.pushState(null, '', '/m/qr/' + encodeURIComponent(r.qr_id) + location.search);
      Q.route(true);
    } catch (e) {
      $('device-error').textContent = e && e.code === 'not_found' ? Q.t('m.device_unknown') : Q.message(e);
      $('user-code').focus();
    } finally {
      btn.disabled = false;
    }
  });
})(window.QRM);
