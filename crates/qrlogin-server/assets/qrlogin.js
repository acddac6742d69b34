/*!
 * qrlogin.js: the drop-in QR login widget, served at /qrlogin.js.
 *
 * Why it looks like this: it is embedded by other teams' pages as it is, so it needs no
 * build step, no framework and no third-party script, and it runs under a strict
 * Content-Security-Policy (no inline style, no eval). Its stylesheet is a separate file
 * (/static/qrlogin.css) that it links by itself unless `css: false` is passed.
 *
 * Usage:
 *   const handle = QrLogin.mount(element, {
 *     server: 'https://login.example.com', // default: the page's origin
 *     onLogin(session) {},  // the JSON of POST /api/v1/qr/{id}/redeem
 *     onState(state, status) {}, device: { type: 'web', name: '…' }, // optional
 *     maxRenewals: 5,       // expired codes replaced automatically before asking
 *     transports: ['sse', 'ws', 'poll'], // tried in this order; a subset forces one
 *     texts: { pending: '…' }, css: true,
 *   });
 *   handle.renew(); handle.destroy(); handle.state;
 *   QrLogin.deviceName(userAgent) // "Chrome on Linux"
 *
 * Secrets never go into a URL: the poll token is only ever sent in an
 * `Authorization: Bearer` header or in the first WebSocket message. The state is
 * followed over Server-Sent Events read with fetch() (EventSource cannot send
 * headers), then WebSocket, then long poll; each is tried when the previous fails.
 *
 * DOM hooks (stable, for pages and browser tests):
 *   .qrlogin                        the widget root, with
 *     [data-state]                  loading|pending|scanned|confirmed|redeemed|
 *                                   cancelled|expired|error
 *     [data-reason]                 with cancelled: "declined" (phone) or "cancelled" (PC)
 *     [data-transport]              sse|ws|poll: the transport in use
 *     [data-qr-id] [data-version]   the public id and state version shown
 *   .qrlogin-qr img.qrlogin-code    the QR image (src = the qr_svg URL); it is the
 *                                   first img in .qrlogin-qr (the avatar comes after)
 *   .qrlogin-status                 the status text (role=status, aria-live=polite)
 *   .qrlogin-scanner                scanner's avatar (.qrlogin-avatar img) or initial
 *                                   (.qrlogin-initial); shown from "scanned" on
 *   .qrlogin-countdown              "Expires in 1:58"
 *   .qrlogin-cancel                 Cancel button (pending, scanned)
 *   .qrlogin-new                    "New code" / "Try again" button
 *   .qrlogin-url a                  the QR's URL, for people who cannot scan
 */
(function (global) {
  'use strict';

  var TEXT = {
    loading: 'Getting a code…', pending: 'Scan with your phone',
    scanned: 'Scanned by {name} — confirm on your phone',
    confirmed: 'Confirmed — signing you in…', redeemed: 'Signed in as {name}',
    declined: 'Declined on the phone', cancelled: 'Cancelled',
    expired: 'Expired — new code…', expiredStop: 'This code has expired',
    error: 'Something went wrong. Try again.', offline: 'Cannot reach the sign-in server.',
    used: 'This code was already used.', cancel: 'Cancel', newCode: 'New code',
    retry: 'Try again', expiresIn: 'Expires in {time}',
    qrAlt: 'QR code to sign in. Scan it with your phone’s camera.',
    cantScan: 'Can’t scan? Open this link on your phone:',
  };
  var FATAL = { unauthorized: 1, forbidden: 1, invalid_request: 1, qr_not_found: 1, qr_expired: 1 };
  var TRANSPORTS = ['sse', 'ws', 'poll'];

  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k] == null ? '' : v[k]; }); }
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** "Chrome on Linux": the device name sent with the QR session and shown on the phone. */
  function deviceName(ua) {
    ua = ua || (global.navigator && global.navigator.userAgent) || '';
    var b = /Edg(e|A|iOS)?\//.test(ua) ? 'Edge' : /OPR\/|Opera/.test(ua) ? 'Opera'
      : /Firefox\/|FxiOS/.test(ua) ? 'Firefox' : /SamsungBrowser/.test(ua) ? 'Samsung Internet'
      : /Chrome\/|CriOS|Chromium/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
    var os = /Windows/.test(ua) ? 'Windows' : /iPhone|iPod/.test(ua) ? 'iPhone'
      : /iPad/.test(ua) ? 'iPad' : /Android/.test(ua) ? 'Android' : /CrOS/.test(ua) ? 'ChromeOS'
      : /Macintosh|Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
    return os ? b + ' on ' + os : b;
  }

  /** An API answer other than 2xx; `code` is the problem+json code when there is one. */
  function ApiError(status, problem, retryAfter) {
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
    this.code = (problem && problem.code) || 'http_' + status;
    this.message = (problem && (problem.detail || problem.title)) || 'HTTP ' + status;
    this.retryAfter = retryAfter || 0;
  }
  ApiError.prototype = Object.create(Error.prototype);

  async function apiError(res) {
    var problem = null;
    try { problem = await res.json(); } catch (e) { /* not JSON */ }
    return new ApiError(res.status, problem, parseInt(res.headers.get('Retry-After'), 10) || 0);
  }

  /** A signal that aborts with `parent` or after `ms`. */
  function child(parent, ms) {
    var c = new AbortController();
    var t = ms ? setTimeout(function () { c.abort(); }, ms) : 0;
    if (parent.aborted) c.abort(); else parent.addEventListener('abort', function () { c.abort(); });
    return { signal: c.signal, done: function () { clearTimeout(t); } };
  }

  function sleep(ms, signal) {
    return new Promise(function (resolve) {
      var t = setTimeout(resolve, ms);
      signal.addEventListener('abort', function () { clearTimeout(t); resolve(); });
    });
  }

  // ---- transports: each feeds statuses to w._status(att, s) and resolves with how
  // many it delivered (0 = it did not work: the caller falls back to the next one).

  /** Server-Sent Events over fetch(), parsed by hand (EventSource cannot send headers). */
  async function viaSse(w, att) {
    var headers = { Authorization: 'Bearer ' + att.token, Accept: 'text/event-stream' };
    if (att.lastEventId) headers['Last-Event-ID'] = att.lastEventId;
    var req = child(att.abort.signal, 0);
    var res = await fetch(w.url('/api/v1/qr/' + att.idEnc + '/events'),
      { headers: headers, signal: req.signal, cache: 'no-store', credentials: 'omit' });
    if (!res.ok) throw await apiError(res);
    if (!/^text\/event-stream/i.test(res.headers.get('Content-Type') || '') || !res.body) {
      if (res.body) res.body.cancel().catch(function () {});
      return 0;
    }
    var reader = res.body.getReader(), dec = new TextDecoder(), buf = '', n = 0;
    var data = [], type = '', dog = 0;
    // A first event must come at once (it is the current status; a buffering proxy
    // would hold it), then at least a keep-alive comment every 15 s.
    function watch(ms) { clearTimeout(dog); dog = setTimeout(function () { reader.cancel().catch(function () {}); }, ms); }
    watch(att.lastEventId ? 45000 : 10000);
    try {
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done || att.done) break;
        watch(45000);
        buf += dec.decode(chunk.value, { stream: true });
        var end = buf.charAt(buf.length - 1) === '\r' ? buf.length - 1 : buf.length; // "\r|\n" may split
        var lines = buf.slice(0, end).split(/\r\n|\r|\n/);
        buf = lines.pop() + buf.slice(end);
        for (var i = 0; i < lines.length; i++) {
          var line = lines[i];
          if (line === '') { // dispatch
            if (data.length && (type === '' || type === 'status')) {
              var s = null;
              try { s = JSON.parse(data.join('\n')); } catch (e) { /* ignore a bad event */ }
              if (s) { n++; w._status(att, s); }
            }
            data = []; type = '';
            continue;
          }
          if (line.charAt(0) === ':') continue; // keep-alive comment
          var c = line.indexOf(':');
          var field = c < 0 ? line : line.slice(0, c);
          var value = c < 0 ? '' : line.slice(c + (line.charAt(c + 1) === ' ' ? 2 : 1));
          if (field === 'data') data.push(value);
          else if (field === 'event') type = value;
          else if (field === 'id' && value.indexOf('\0') < 0) att.lastEventId = value;
        }
      }
    } catch (e) {
      if (!n) throw e; // it never worked; otherwise a cut stream is just reconnected
    } finally {
      clearTimeout(dog);
      req.done();
      reader.cancel().catch(function () {});
    }
    return n;
  }

  /** WebSocket, authenticated by its first message (browsers cannot set headers on it). */
  function viaWs(w, att) {
    return new Promise(function (resolve) {
      var u = new URL(w.url('/api/v1/qr/' + att.idEnc + '/ws'));
      u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
      var ws, n = 0;
      try { ws = new WebSocket(u.href); } catch (e) { resolve(0); return; }
      var stop = function () { ws.close(1000); };
      att.abort.signal.addEventListener('abort', stop);
      var timer = setTimeout(function () { if (!n) ws.close(); }, 10000);
      ws.onopen = function () { ws.send(JSON.stringify({ type: 'auth', poll_token: att.token })); };
      ws.onmessage = function (e) {
        var s = null;
        try { s = JSON.parse(e.data); } catch (err) { return; }
        if (s && s.state) { n++; w._status(att, s); } else if (s && s.code) ws.close(1000);
      };
      ws.onclose = function () {
        clearTimeout(timer);
        att.abort.signal.removeEventListener('abort', stop);
        resolve(n);
      };
    });
  }

  /** Long poll: held 25 s by the server until the version moves past `since`. */
  async function viaPoll(w, att) {
    var n = 0, delay = 1000;
    while (!att.done && !att.abort.signal.aborted) {
      var q = att.version ? '?wait=25&since=' + att.version : '?wait=0', t0 = Date.now(), before = att.version;
      try {
        var s = await w.req(att, 'GET', '/api/v1/qr/' + att.idEnc + q, null, 35000);
        n++; delay = 1000;
        w._status(att, s);
        // A server that does not hold the request must not make this loop spin.
        if (att.version === before && Date.now() - t0 < 500) await sleep(att.pollInterval, att.abort.signal);
      } catch (e) {
        if (att.done || att.abort.signal.aborted) break;
        if (e instanceof ApiError && e.status < 500 && e.status !== 429 && e.status !== 408) throw e;
        await sleep(e.retryAfter ? e.retryAfter * 1000 : delay, att.abort.signal);
        delay = Math.min(delay * 2, 15000);
      }
    }
    return Math.max(n, 1); // the last resort: never "falls back" further
  }

  var FOLLOW = { sse: viaSse, ws: viaWs, poll: viaPoll };

  // ---- the widget

  function Widget(el, opts) {
    opts = opts || {};
    this.el = el;
    this.opts = opts;
    this.t = Object.assign({}, TEXT, opts.texts || {});
    this.server = String(opts.server || global.location.origin).replace(/\/+$/, '');
    this.device = Object.assign({ type: 'web', name: deviceName() }, opts.device || {});
    this.maxRenewals = opts.maxRenewals == null ? 5 : opts.maxRenewals;
    this.renewals = 0;
    // The transports to try, in order (unknown names dropped; none left → all three).
    this.transports = (Array.isArray(opts.transports) ? opts.transports : TRANSPORTS)
      .filter(function (t) { return FOLLOW.hasOwnProperty(t); });
    if (!this.transports.length) this.transports = TRANSPORTS;
    this.transport = 0; // index into this.transports: the next QR session starts with what worked
    this.att = null;    // the current attempt (one QR session)
    if (opts.css !== false) this._linkCss();
    this._build();
    this._tick = setInterval(this._countdown.bind(this), 1000);
    this.renew();
  }

  Widget.prototype.url = function (path) { return /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : this.server + path; };

  /** One JSON request; throws ApiError for non-2xx, a TypeError/AbortError for network trouble. */
  Widget.prototype.req = async function (att, method, path, body, timeoutMs) {
    var headers = { Accept: 'application/json' };
    if (att && att.token) headers.Authorization = 'Bearer ' + att.token;
    if (body) headers['Content-Type'] = 'application/json';
    var c = child(att ? att.abort.signal : new AbortController().signal, timeoutMs || 20000);
    try {
      var res = await fetch(this.url(path), { method: method, headers: headers, signal: c.signal,
        body: body ? JSON.stringify(body) : undefined, cache: 'no-store', credentials: 'omit' });
      if (!res.ok) throw await apiError(res);
      return res.status === 204 ? null : await res.json();
    } finally { c.done(); }
  };

  Widget.prototype._linkCss = function () {
    var href = this.server + '/static/qrlogin.css';
    if (document.querySelector('link[data-qrlogin-css], link[href$="qrlogin.css"]')) return;
    var l = h('link');
    l.rel = 'stylesheet'; l.href = href; l.setAttribute('data-qrlogin-css', '');
    document.head.appendChild(l);
  };

  Widget.prototype._build = function () {
    var self = this, t = this.t, r = (this.root = h('div', 'qrlogin'));
    r.setAttribute('data-state', 'loading');
    r.tabIndex = -1;
    var qr = h('div', 'qrlogin-qr');
    this.img = h('img', 'qrlogin-code');
    this.img.alt = t.qrAlt; this.img.width = 240; this.img.height = 240;
    this.img.hidden = true;
    qr.appendChild(this.img);
    this.scanner = h('div', 'qrlogin-scanner');
    this.scanner.hidden = true;
    this.avatar = h('img', 'qrlogin-avatar');
    this.avatar.alt = ''; this.avatar.hidden = true;
    this.avatar.onerror = function () { self.avatarBroken = true; self._render(); };
    this.initial = h('span', 'qrlogin-initial');
    this.initial.setAttribute('aria-hidden', 'true');
    this.scanner.appendChild(this.avatar); this.scanner.appendChild(this.initial);
    qr.appendChild(this.scanner);
    this.status = h('p', 'qrlogin-status', t.loading);
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.count = h('p', 'qrlogin-countdown');
    var actions = h('div', 'qrlogin-actions');
    this.cancelBtn = h('button', 'qrlogin-cancel', t.cancel);
    this.newBtn = h('button', 'qrlogin-new', t.newCode);
    this.cancelBtn.type = this.newBtn.type = 'button';
    this.cancelBtn.onclick = function () { self._cancel(); };
    this.newBtn.onclick = function () { self.renewals = 0; self.renew(); };
    actions.appendChild(this.cancelBtn); actions.appendChild(this.newBtn);
    var more = h('details', 'qrlogin-url');
    more.appendChild(h('summary', null, t.cantScan));
    this.link = h('a');
    this.link.rel = 'noopener';
    more.appendChild(this.link);
    [qr, this.status, this.count, actions, more].forEach(function (e) { r.appendChild(e); });
    this.el.appendChild(r);
    this._render();
  };

  /** Drops the current QR session (if any) and starts a new one. */
  Widget.prototype.renew = async function () {
    this._drop();
    var att = (this.att = { abort: new AbortController(), version: 0, state: 'loading' });
    this._render();
    try {
      var c = await this.req(null, 'POST', '/api/v1/qr', { device: this.device });
      if (att !== this.att) return;
      Object.assign(att, { id: c.qr_id, idEnc: encodeURIComponent(c.qr_id), token: c.poll_token,
        img: this.url(c.qr_svg), content: c.qr_content, pollInterval: (c.poll_interval || 1) * 1000 });
      this._status(att, c);
      this._follow(att);
    } catch (e) {
      if (att === this.att) this._fail(att, e);
    }
  };

  /** Follows the state: SSE → WebSocket → long poll, moving on when one does not work. */
  Widget.prototype._follow = async function (att) {
    var i = this.transport;
    while (!att.done && att === this.att) {
      var name = this.transports[i];
      this.root.setAttribute('data-transport', name);
      var n = 0;
      try { n = await FOLLOW[name](this, att); } catch (e) {
        if (att.done || att !== this.att) return;
        if (e instanceof ApiError && FATAL[e.code]) { this._fail(att, e); return; }
      }
      if (att.done || att !== this.att) return;
      if (!n && i < this.transports.length - 1) { i++; continue; } // did not work: next one
      this.transport = i;
      await sleep(1000, att.abort.signal); // the stream ended early: reconnect to the same
    }
  };

  /** A status from any source: ignore stale ones, render, act on the new state. */
  Widget.prototype._status = function (att, s) {
    if (att !== this.att || att.done || !s || typeof s.state !== 'string') return;
    if (s.version <= att.version) return;
    att.version = s.version;
    // The push of "redeemed" can overtake our own redeem answer: that answer decides.
    if (s.state === 'redeemed' && att.redeeming) return;
    att.state = s.state;
    if (s.scanner) att.scanner = s.scanner;
    if (typeof s.expires_in === 'number') att.deadline = Date.now() + s.expires_in * 1000;
    if (s.state === 'scanned') this.renewals = 0;
    if (s.state === 'confirmed') this._redeem(att);
    if (s.state === 'redeemed' && !att.session) { att.state = 'error'; att.message = this.t.used; }
    if (s.state === 'cancelled' || s.state === 'expired' || att.state === 'error') this._end(att);
    this._render();
    this._emit(att, s);
    if (s.state === 'expired') this._expired(att);
  };

  Widget.prototype._redeem = async function (att) {
    if (att.redeeming) return;
    att.redeeming = true;
    for (var tries = 0; ; tries++) {
      try {
        var session = await this.req(att, 'POST', '/api/v1/qr/' + att.idEnc + '/redeem', {});
        if (att !== this.att) return;
        att.session = session; att.state = 'redeemed'; att.token = null;
        this._end(att); this._render(); this._emit(att, null);
        if (this.opts.onLogin) this.opts.onLogin(session);
        return;
      } catch (e) {
        if (att !== this.att || att.done) return;
        if (e.code === 'qr_expired') { this._status(att, { state: 'expired', version: att.version + 1 }); return; }
        if (e instanceof ApiError && e.status < 500 && e.status !== 429) { this._fail(att, e); return; }
        if (tries >= 3) { this._fail(att, e); return; }
        await sleep(e.retryAfter ? e.retryAfter * 1000 : 1000 * (tries + 1), att.abort.signal);
      }
    }
  };

  Widget.prototype._cancel = async function () {
    var att = this.att;
    if (!att || !att.token || att.cancelling || (att.state !== 'pending' && att.state !== 'scanned')) return;
    // aria-disabled, not `disabled`: a disabled button drops the keyboard focus to
    // <body>, and _render could no longer hand it on to "New code".
    att.cancelling = true;
    this.cancelBtn.setAttribute('aria-disabled', 'true');
    att.cancelledHere = true;
    try {
      var s = await this.req(att, 'DELETE', '/api/v1/qr/' + att.idEnc);
      this._status(att, s);
      if (this.opts.onCancel) this.opts.onCancel();
    } catch (e) {
      att.cancelledHere = false; // too late (confirmed meanwhile) or offline: carry on
    } finally {
      att.cancelling = false;
      this.cancelBtn.removeAttribute('aria-disabled');
    }
  };

  Widget.prototype._expired = function (att) {
    var self = this;
    if (this.renewals >= this.maxRenewals) { att.stopped = true; this._render(); return; }
    this.renewals++;
    // Leave "Expired" on screen for a moment (and for screen readers), then replace it.
    setTimeout(function () { if (att === self.att) self.renew(); }, 1500);
  };

  Widget.prototype._fail = function (att, e) {
    if (e && (e.code === 'qr_expired' || e.code === 'qr_not_found') && att.id) {
      this._status(att, { state: 'expired', version: att.version + 1 });
      return;
    }
    att.state = 'error';
    att.message = e instanceof ApiError ? this.t.error : this.t.offline;
    if (global.console) console.warn('qrlogin:', e);
    this._end(att); this._render(); this._emit(att, null);
  };

  /** Stops following this attempt (aborts its requests and stream). */
  Widget.prototype._end = function (att) { att.done = true; att.abort.abort(); };

  Widget.prototype._drop = function () {
    var att = this.att;
    if (!att) return;
    // Leaving a code that is still live: tell the server, so a late scan goes nowhere.
    if (!att.done && att.token && (att.state === 'pending' || att.state === 'scanned')) {
      fetch(this.url('/api/v1/qr/' + att.idEnc), { method: 'DELETE', keepalive: true,
        headers: { Authorization: 'Bearer ' + att.token }, credentials: 'omit' }).catch(function () {});
    }
    this._end(att);
  };

  Widget.prototype._emit = function (att, s) {
    if (this.opts.onState) this.opts.onState(att.state, s);
  };

  Widget.prototype._countdown = function () {
    var att = this.att;
    var live = att && !att.done && att.deadline && /^(pending|scanned|confirmed)$/.test(att.state);
    this.count.hidden = !live;
    if (!live) return;
    var left = Math.ceil((att.deadline - Date.now()) / 1000);
    var l = Math.max(0, left);
    this.count.textContent = fmt(this.t.expiresIn, { time: Math.floor(l / 60) + ':' + String(l % 60).padStart(2, '0') });
    // The server pushes "expired"; if that was missed, ask once.
    if (left < -3 && !att.checked && att.token) {
      att.checked = true;
      var self = this;
      this.req(att, 'GET', '/api/v1/qr/' + att.idEnc).then(function (s) { self._status(att, s); },
        function (e) { if (e instanceof ApiError) self._fail(att, e); });
    }
  };

  Widget.prototype._render = function () {
    var att = this.att || { state: 'loading' }, t = this.t, r = this.root, st = att.state;
    var focused = r.contains(document.activeElement);
    r.setAttribute('data-state', st);
    r.setAttribute('data-version', String(att.version || 0));
    if (att.id) r.setAttribute('data-qr-id', att.id); else r.removeAttribute('data-qr-id');
    if (st === 'cancelled') r.setAttribute('data-reason', att.cancelledHere ? 'cancelled' : 'declined');
    else r.removeAttribute('data-reason');
    if (att.img && this.img.getAttribute('src') !== att.img) this.img.src = att.img;
    this.img.hidden = !att.img && !this.img.getAttribute('src');
    if (att.content) { this.link.href = att.content; this.link.textContent = att.content; }
    this.link.parentNode.hidden = !(att.content && (st === 'pending'));
    var who = (att.session && att.session.account) || att.scanner || {};
    var name = who.display_name || '';
    this.scanner.hidden = !(att.scanner && /^(scanned|confirmed|redeemed)$/.test(st));
    var av = who.avatar_url ? this.url(who.avatar_url) : '';
    if (av !== (this.avatarUrl || '')) {
      this.avatarUrl = av; this.avatarBroken = false;
      if (av) this.avatar.src = av; else this.avatar.removeAttribute('src');
    }
    var showAvatar = !!av && !this.avatarBroken; // an avatar the CSP blocks falls back too
    this.avatar.hidden = !showAvatar; this.initial.hidden = showAvatar;
    this.initial.textContent = name ? Array.from(name)[0].toUpperCase() : '?';
    var msg = st === 'scanned' ? fmt(t.scanned, { name: name || 'your phone' })
      : st === 'redeemed' ? (name ? fmt(t.redeemed, { name: name }) : 'Signed in')
      : st === 'cancelled' ? (att.cancelledHere ? t.cancelled : t.declined)
      : st === 'expired' ? (att.stopped ? t.expiredStop : t.expired)
      : st === 'error' ? att.message : t[st] || st;
    if (this.status.textContent !== msg) this.status.textContent = msg;
    this.cancelBtn.hidden = !(att.token && (st === 'pending' || st === 'scanned'));
    this.newBtn.hidden = !(st === 'cancelled' || st === 'error' || (st === 'expired' && att.stopped));
    this.newBtn.textContent = st === 'error' ? t.retry : t.newCode;
    // No empty row (and no gap for it) when neither button is offered.
    this.cancelBtn.parentNode.hidden = this.cancelBtn.hidden && this.newBtn.hidden;
    this._countdown();
    // Keep keyboard focus inside the widget when the focused button disappears.
    if (focused && (!r.contains(document.activeElement) || document.activeElement.hidden)) {
      (this.newBtn.hidden ? (this.cancelBtn.hidden ? r : this.cancelBtn) : this.newBtn).focus();
    }
  };

  Widget.prototype.destroy = function () {
    this._drop();
    this.att = null;
    clearInterval(this._tick);
    if (this.root.parentNode) this.root.parentNode.removeChild(this.root);
  };

  function mount(el, opts) {
    if (typeof el === 'string') el = document.querySelector(el);
    if (!el) throw new Error('QrLogin.mount: no such element');
    var w = new Widget(el, opts);
    return {
      destroy: function () { w.destroy(); },
      renew: function () { w.renewals = 0; return w.renew(); },
      get state() { return w.att ? w.att.state : 'destroyed'; },
    };
  }

  global.QrLogin = { mount: mount, deviceName: deviceName, ApiError: ApiError, version: '1' };
})(typeof window !== 'undefined' ? window : this);
