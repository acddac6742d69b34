/*
 * oauth.js: the authorization page (oauth.html). The widget creates its QR sessions at
 * /oauth2/authorize/session with the page's own query (the authorization request) and
 * does not redeem them itself; once the phone confirms (or declines), the page posts
 * the QR session's id and poll token (in the body, never the URL) to
 * /oauth2/authorize/complete, which redirects to the client.
 */
(function () {
  'use strict';
  var form = document.getElementById('oauth-complete');
  var sent = false;
  function complete(qr) {
    if (sent || !qr || !qr.pollToken) return;
    sent = true;
    form.elements.qr_id.value = qr.id;
    form.elements.poll_token.value = qr.pollToken;
    form.submit();
  }
  function start() {
    QrLogin.mount(document.getElementById('qrlogin'), {
      css: false,
      createPath: '/oauth2/authorize/session' + window.location.search,
      redeem: false,
      onState: function (state, status, qr) {
        if (state === 'confirmed' || (state === 'cancelled' && qr && qr.reason === 'declined')) complete(qr);
      },
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
