/*!
 * qrlogin.js: the drop-in QR login widget, served at /qrlogin.js.
 *
 * Why it looks like this: other teams embed it as it is, so it needs no build step, no
 * framework and no third-party script, and it runs under a strict Content-Security-
 * Policy (no inline style, no eval). Its stylesheet is a separate file
 * (/static/qrlogin.css) that it links by itself unless `css: false` is passed.
 *
 * Usage:
 *   const handle = QrLogin.mount(element, {
 *     server: 'https://login.example.com', // default: the page's origin
 *     onLogin(session) {},  // the JSON of POST /api/v1/qr/{id}/redeem (may carry id_token)
 *     lang: 'zh-CN',        // default: the browser's languages, then English
 *     clientId: 'shop',     // sent as `client_id` when creating the QR session
 *     createPath: '/api/v1/qr', redeem: true, // where to create; false: do not redeem on confirm
 *     transports: ['sse', 'ws', 'poll'], // tried in this order; a subset forces one
 *     onState(state, status) {}, onCancel() {}, device: { type: 'web', name: '…' },
 *     maxRenewals: 5,       // expired codes replaced automatically before asking
 *     texts: { pending: '…' }, css: true,
 *   });
 *   handle.renew(); handle.destroy(); handle.state;
 *   QrLogin.deviceName(userAgent) // "Chrome on Linux"
 *
 * Languages: the server appends one `QrLogin.addLanguage(tag, strings)` per file of
 * assets/i18n/ to this script, so every string lives in the language files; the
 * phone pages use the same catalogue through QrLogin.translator(lang).
 *
 * Secrets never go into a URL: the poll token is only ever sent in an
 * `Authorization: Bearer` header or in the first WebSocket message. The state is
 * followed over Server-Sent Events read with fetch() (EventSource cannot send
 * headers), then WebSocket, then long poll; each is tried when the previous fails.
 *
 * DOM hooks (stable, for pages and browser tests):
 *   .qrlogin                        the widget root, with [lang] and
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
 *
 * Under Node (unit tests) the file exports its pure parts instead of touching a DOM.
 */
(function (root, factory) {
  'use strict';
  const api = factory(root);
  if (typeof module === 'object' && module && module.exports) module.exports = api;
  if (typeof window !== 'undefined') window.QrLogin = api;
})(typeof window !== 'undefined' ? window : this, function (global) {
  'use strict';

  // ---- languages -------------------------------------------------------------------

  const LANGS = {}; // tag → { key: text }, filled by addLanguage (appended by the server)
  const DEFAULT_LANG = 'en';

  /** Registers (or extends) the strings of one language. */
  function addLanguage(tag, strings) {
    LANGS[tag] = Object.assign(LANGS[tag] || {}, strings);
  }

  /**
   * The best registered language for `wanted` (tags in order of preference): an exact
   * match (case-insensitive), else the same primary language ("zh-TW" → "zh-CN"),
   * else English.
   */
  function pickLanguage(wanted, available) {
    const have = available || Object.keys(LANGS);
    const list = (Array.isArray(wanted) ? wanted : [wanted]).filter(Boolean).map(String);
    for (const w of list) {
      const exact = have.find((h) => h.toLowerCase() === w.toLowerCase());
      if (exact) return exact;
      const primary = w.split('-')[0].toLowerCase();
      const near = have.find((h) => h.split('-')[0].toLowerCase() === primary);
      if (near) return near;
    }
    return have.indexOf(DEFAULT_LANG) >= 0 || !have.length ? DEFAULT_LANG : have[0];
  }

  /** "{name}" placeholders filled from `vars`. */
  function fmt(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, (_, k) => (vars && vars[k] != null ? vars[k] : ''));
  }

  /** t(key, vars): the text of `key` in `lang`, else in English, else the key itself; t.has(key). */
  function translator(lang) {
    const t = (key, vars) => {
      const own = LANGS[lang] || {}, en = LANGS[DEFAULT_LANG] || {};
      return fmt(key in own ? own[key] : key in en ? en[key] : key, vars);
    };
    /** Whether `key` has a text at all (in `lang` or in English). */
    t.has = (key) => key in (LANGS[lang] || {}) || key in (LANGS[DEFAULT_LANG] || {});
    return t;
  }

  /** The browser's preferred languages, best first. */
  function browserLanguages() {
    const n = global && global.navigator;
    if (!n) return [];
    return (n.languages && n.languages.length ? Array.from(n.languages) : [n.language]).filter(Boolean);
  }

  // ---- small helpers ---------------------------------------------------------------

  /** "Chrome on Linux": the device name sent with the QR session and shown on the phone. */
  function deviceName(ua) {
    ua = ua || (global && global.navigator && global.navigator.userAgent) || '';
    const b = /Edg(e|A|iOS)?\//.test(ua) ? 'Edge' : /OPR\/|Opera/.test(ua) ? 'Opera'
      : /Firefox\/|FxiOS/.test(ua) ? 'Firefox' : /SamsungBrowser/.test(ua) ? 'Samsung Internet'
      : /Chrome\/|CriOS|Chromium/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
    const os = /Windows/.test(ua) ? 'Windows' : /iPhone|iPod/.test(ua) ? 'iPhone'
      : /iPad/.test(ua) ? 'iPad' : /Android/.test(ua) ? 'Android' : /CrOS/.test(ua) ? 'ChromeOS'
      : /Macintosh|Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
    return os ? b + ' on ' + os : b;
  }

  /**
   * An API answer other than 2xx (`code` = the problem+json code), or, with status 0,
   * a server that could not be reached (`code` = "network"). The phone app uses it too.
   */
  class ApiError extends Error {
    constructor(status, problem, retryAfter) {
      super((problem && (problem.detail || problem.title)) || (status ? 'HTTP ' + status : 'network error'));
      this.name = 'ApiError';
      this.status = status;
      this.problem = problem || null;
      this.code = (problem && problem.code) || (status ? 'http_' + status : 'network');
      this.retryAfter = retryAfter || 0;
    }

    /** The ApiError of a non-2xx fetch() Response. */
    static async from(res) {
      let problem = null;
      try { problem = await res.json(); } catch (e) { /* not JSON */ }
      return new ApiError(res.status, problem, parseInt(res.headers.get('Retry-After'), 10) || 0);
    }
  }

  /** A signal that aborts with `parent` or after `ms`; call done() to drop the timer. */
  function child(parent, ms) {
    const c = new AbortController();
    const t = ms ? setTimeout(() => c.abort(), ms) : 0;
    if (parent.aborted) c.abort(); else parent.addEventListener('abort', () => c.abort());
    return { signal: c.signal, done: () => clearTimeout(t) };
  }

  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      if (signal) signal.addEventListener('abort', () => { clearTimeout(t); resolve(); });
    });
  }

  // ---- transports ------------------------------------------------------------------
  //
  // Each transport follows one QR session through a `link`:
  //   { url(path), idEnc, token, signal, version(), deliver(status), done(),
  //     lastEventId, pollInterval, request(method, path, timeoutMs) }
  // feeds every status to link.deliver() and resolves with how many it delivered
  // (0 = it did not work here: followTransports moves on to the next one).

  /**
   * The Server-Sent Events wire format (HTML standard, "event stream interpretation"),
   * fed chunk by chunk: push(text) returns the events the text completes, each
   * { type, data, id }; comments and unknown fields are skipped.
   */
  class SseParser {
    constructor() {
      this.buf = '';
      this.data = [];
      this.type = '';
      this.lastEventId = '';
    }

    push(text) {
      const events = [];
      this.buf += text;
      // A "\r" at the very end may be the first half of "\r\n": keep it for later.
      const end = this.buf.endsWith('\r') ? this.buf.length - 1 : this.buf.length;
      const lines = this.buf.slice(0, end).split(/\r\n|\r|\n/);
      this.buf = lines.pop() + this.buf.slice(end);
      for (const line of lines) {
        if (line === '') {
          if (this.data.length) {
            events.push({ type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId });
          }
          this.data = [];
          this.type = '';
          continue;
        }
        if (line.charAt(0) === ':') continue; // a comment: the keep-alive
        const c = line.indexOf(':');
        const field = c < 0 ? line : line.slice(0, c);
        const value = c < 0 ? '' : line.slice(c + (line.charAt(c + 1) === ' ' ? 2 : 1));
        if (field === 'data') this.data.push(value);
        else if (field === 'event') this.type = value;
        else if (field === 'id' && value.indexOf('\0') < 0) this.lastEventId = value;
      }
      return events;
    }
  }

  /** Server-Sent Events over fetch() (EventSource cannot send headers). */
  async function viaSse(link) {
    const headers = { Authorization: 'Bearer ' + link.token, Accept: 'text/event-stream' };
    if (link.lastEventId) headers['Last-Event-ID'] = link.lastEventId;
    const req = child(link.signal, 0);
    let res;
    try {
      res = await fetch(link.url('/api/v1/qr/' + link.idEnc + '/events'),
        { headers, signal: req.signal, cache: 'no-store', credentials: 'omit' });
    } catch (e) { req.done(); throw e; }
    if (!res.ok) { req.done(); throw await ApiError.from(res); }
    if (!/^text\/event-stream/i.test(res.headers.get('Content-Type') || '') || !res.body) {
      req.done();
      if (res.body) res.body.cancel().catch(() => {});
      return 0;
    }
    const reader = res.body.getReader(), dec = new TextDecoder(), parser = new SseParser();
    let n = 0, dog = 0;
    // A first event must come at once (it is the current status; a buffering proxy
    // would hold it), then at least a keep-alive comment every 15 s.
    const watch = (ms) => { clearTimeout(dog); dog = setTimeout(() => reader.cancel().catch(() => {}), ms); };
    watch(link.lastEventId ? 45000 : 10000);
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done || link.done()) break;
        watch(45000);
        for (const ev of parser.push(dec.decode(chunk.value, { stream: true }))) {
          if (ev.type !== 'message' && ev.type !== 'status') continue;
          let s = null;
          try { s = JSON.parse(ev.data); } catch (e) { /* ignore a bad event */ }
          if (ev.id) link.lastEventId = ev.id;
          if (s) { n++; link.deliver(s); }
        }
      }
    } catch (e) {
      if (!n) throw e; // it never worked; otherwise a cut stream is just reconnected
    } finally {
      clearTimeout(dog);
      req.done();
      reader.cancel().catch(() => {});
    }
    return n;
  }

  /** WebSocket, authenticated by its first message (browsers cannot set headers on it). */
  function viaWs(link) {
    return new Promise((resolve) => {
      const u = new URL(link.url('/api/v1/qr/' + link.idEnc + '/ws'));
      u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
      let ws, n = 0;
      try { ws = new WebSocket(u.href); } catch (e) { resolve(0); return; }
      const stop = () => ws.close(1000);
      link.signal.addEventListener('abort', stop);
      const timer = setTimeout(() => { if (!n) ws.close(); }, 10000);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', poll_token: link.token }));
      ws.onmessage = (e) => {
        let s = null;
        try { s = JSON.parse(e.data); } catch (err) { return; }
        if (s && s.state) { n++; link.deliver(s); } else if (s && s.code) ws.close(1000);
      };
      ws.onclose = () => {
        clearTimeout(timer);
        link.signal.removeEventListener('abort', stop);
        resolve(n);
      };
    });
  }

  /** Long poll: held 25 s by the server until the version moves past `since`. */
  async function viaPoll(link) {
    let n = 0, delay = 1000;
    while (!link.done()) {
      const before = link.version(), t0 = Date.now();
      const q = before ? '?wait=25&since=' + before : '?wait=0';
      try {
        const s = await link.request('GET', '/api/v1/qr/' + link.idEnc + q, 35000);
        n++; delay = 1000;
        link.deliver(s);
        // A server that does not hold the request must not make this loop spin.
        if (link.version() === before && Date.now() - t0 < 500) await sleep(link.pollInterval, link.signal);
      } catch (e) {
        if (link.done()) break;
        if (e instanceof ApiError && e.status && e.status < 500 && e.status !== 429 && e.status !== 408) throw e;
        await sleep(e.retryAfter ? e.retryAfter * 1000 : delay, link.signal);
        delay = Math.min(delay * 2, 15000);
      }
    }
    return Math.max(n, 1); // the last resort: never "falls back" further
  }

  const TRANSPORTS = { sse: viaSse, ws: viaWs, poll: viaPoll };

  /**
   * Follows with `names[start]`, falling back to the next name when one delivers
   * nothing (or fails before delivering), and reconnecting to the one that worked
   * when its stream ends early. Stops when `done()`, or on a fatal error (`onFatal`).
   * Hooks: run(name) → count, onTry(name), onWorked(index), isFatal(e), pause(ms).
   */
  async function followTransports(o) {
    let i = o.start || 0;
    while (!o.done()) {
      const name = o.names[i];
      o.onTry(name);
      let n = 0;
      try {
        n = await o.run(name);
      } catch (e) {
        if (o.done()) return;
        if (o.isFatal(e)) { o.onFatal(e); return; }
      }
      if (o.done()) return;
      if (!n && i < o.names.length - 1) { i++; continue; } // did not work: next one
      o.onWorked(i);
      await o.pause(1000); // the stream ended early: reconnect to the same
    }
  }

  // ---- the widget ------------------------------------------------------------------

  const FATAL = { unauthorized: 1, forbidden: 1, invalid_request: 1, qr_not_found: 1, qr_expired: 1 };
  const LIVE = ['pending', 'scanned', 'confirmed'];
  const TERMINAL = ['redeemed', 'cancelled', 'expired', 'error'];

  function h(tag, cls, text) {
    const e = global.document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /**
   * One widget on one element. `state` is the one thing that says where it is:
   *   loading → pending → scanned → confirmed → redeemed
   *   and cancelled | expired | error as the other ends.
   * `reason` qualifies an end (cancelled: "declined" | "cancelled"; expired:
   * "renewing" | "stopped"; error: the message key), `busy` is the request in flight
   * ("redeem" | "cancel" | null), and `qr` holds the current QR session's data.
   * Every async step checks that `qr` is still the one it started with.
   */
  class Widget {
    constructor(el, opts) {
      this.el = el;
      this.opts = opts || {};
      this.lang = pickLanguage(this.opts.lang ? [this.opts.lang] : browserLanguages());
      const base = translator(this.lang), texts = this.opts.texts || {};
      this.t = (key, vars) => (key in texts ? fmt(texts[key], vars) : base('widget.' + key, vars));
      this.server = String(this.opts.server || global.location.origin).replace(/\/+$/, '');
      this.device = Object.assign({ type: 'web', name: deviceName() }, this.opts.device || {});
      this.maxRenewals = this.opts.maxRenewals == null ? 5 : this.opts.maxRenewals;
      this.renewals = 0;
      // The transports to try, in order (unknown names dropped; none left → all three).
      const names = Array.isArray(this.opts.transports) ? this.opts.transports : Object.keys(TRANSPORTS);
      this.transports = names.filter((n) => Object.prototype.hasOwnProperty.call(TRANSPORTS, n));
      if (!this.transports.length) this.transports = Object.keys(TRANSPORTS);
      this.transport = 0; // where the next QR session starts: the one that worked last

      this.state = 'loading';
      this.reason = null;
      this.busy = null;
      this.qr = null; // { id, idEnc, token, version, img, content, deadline, scanner, session, abort, … }

      if (this.opts.css !== false) this._linkCss();
      this._build();
      this._tick = setInterval(() => this._countdown(), 1000);
      this.renew();
    }

    url(path) { return /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : this.server + path; }

    /** One JSON request; throws ApiError (status 0 when the server cannot be reached). */
    async request(qr, method, path, body, timeoutMs) {
      const headers = { Accept: 'application/json' };
      if (qr && qr.token) headers.Authorization = 'Bearer ' + qr.token;
      if (body) headers['Content-Type'] = 'application/json';
      const c = child(qr ? qr.abort.signal : new AbortController().signal, timeoutMs || 20000);
      try {
        let res;
        try {
          res = await fetch(this.url(path), { method, headers, signal: c.signal,
            body: body ? JSON.stringify(body) : undefined, cache: 'no-store', credentials: 'omit' });
        } catch (e) {
          if (e && e.name === 'AbortError') throw e;
          throw new ApiError(0, null);
        }
        if (!res.ok) throw await ApiError.from(res);
        return res.status === 204 ? null : await res.json();
      } finally { c.done(); }
    }

    // -- life of one QR session

    /** Drops the current QR session (if any) and starts a new one. */
    async renew() {
      this._drop();
      const qr = (this.qr = { abort: new AbortController(), version: 0 });
      this._enter('loading');
      try {
        const body = { device: this.device };
        if (this.opts.clientId) body.client_id = String(this.opts.clientId);
        const c = await this.request(null, 'POST', this.opts.createPath || '/api/v1/qr', body);
        if (qr !== this.qr) return;
        Object.assign(qr, { id: c.qr_id, idEnc: encodeURIComponent(c.qr_id), token: c.poll_token,
          img: this.url(c.qr_svg), content: c.qr_content, pollInterval: (c.poll_interval || 1) * 1000 });
        this._status(qr, c);
        this._follow(qr);
      } catch (e) {
        if (qr === this.qr) this._fail(qr, e);
      }
    }

    /** Follows the state: SSE → WebSocket → long poll, moving on when one does not work. */
    _follow(qr) {
      const done = () => qr !== this.qr || TERMINAL.indexOf(this.state) >= 0;
      const link = {
        url: (p) => this.url(p), idEnc: qr.idEnc, token: qr.token, signal: qr.abort.signal,
        pollInterval: qr.pollInterval, lastEventId: '', done,
        version: () => qr.version,
        deliver: (s) => this._status(qr, s),
        request: (method, path, ms) => this.request(qr, method, path, null, ms),
      };
      return followTransports({
        names: this.transports, start: this.transport, done,
        run: (name) => TRANSPORTS[name](link),
        onTry: (name) => this.root.setAttribute('data-transport', name),
        onWorked: (i) => { this.transport = i; },
        isFatal: (e) => e instanceof ApiError && !!FATAL[e.code],
        onFatal: (e) => this._fail(qr, e),
        pause: (ms) => sleep(ms, qr.abort.signal),
      });
    }

    /** A status from any source: ignore stale ones, then act on the new state. */
    _status(qr, s) {
      if (qr !== this.qr || TERMINAL.indexOf(this.state) >= 0 || !s || typeof s.state !== 'string') return;
      if (s.version <= qr.version) return;
      qr.version = s.version;
      if (s.scanner) qr.scanner = s.scanner;
      if (typeof s.expires_in === 'number') qr.deadline = Date.now() + s.expires_in * 1000;
      // The push of "redeemed" can overtake our own redeem answer: that answer decides.
      if (s.state === 'redeemed' && this.busy === 'redeem') return;
      switch (s.state) {
        case 'scanned': this.renewals = 0; this._enter('scanned', null, s); break;
        case 'confirmed': this._enter('confirmed', null, s); if (this.opts.redeem !== false) this._redeem(qr); break;
        case 'redeemed': this._end(qr, 'error', 'used', s); break; // redeemed, but not by us
        case 'cancelled': this._end(qr, 'cancelled', this.busy === 'cancel' ? 'cancelled' : 'declined', s); break;
        case 'expired': this._expired(qr, s); break;
        default: this._enter(s.state, null, s);
      }
    }

    async _redeem(qr) {
      if (this.busy === 'redeem') return;
      this.busy = 'redeem';
      for (let tries = 0; ; tries++) {
        try {
          const session = await this.request(qr, 'POST', '/api/v1/qr/' + qr.idEnc + '/redeem', {});
          if (qr !== this.qr) return;
          this.busy = null;
          qr.session = session;
          qr.token = null;
          this._end(qr, 'redeemed', null, null);
          if (this.opts.onLogin) this.opts.onLogin(session);
          return;
        } catch (e) {
          if (qr !== this.qr || TERMINAL.indexOf(this.state) >= 0) return;
          const permanent = e instanceof ApiError && e.status && e.status < 500 && e.status !== 429;
          if (e.code === 'qr_expired' || permanent || tries >= 3) {
            this.busy = null;
            this._fail(qr, e);
            return;
          }
          await sleep(e.retryAfter ? e.retryAfter * 1000 : 1000 * (tries + 1), qr.abort.signal);
        }
      }
    }

    async _cancel() {
      const qr = this.qr;
      if (!qr || !qr.token || this.busy || (this.state !== 'pending' && this.state !== 'scanned')) return;
      // aria-disabled, not `disabled`: a disabled button drops the keyboard focus to
      // <body>, and _render could no longer hand it on to "New code".
      this.busy = 'cancel';
      this.cancelBtn.setAttribute('aria-disabled', 'true');
      try {
        const s = await this.request(qr, 'DELETE', '/api/v1/qr/' + qr.idEnc);
        this._status(qr, s);
        if (this.opts.onCancel) this.opts.onCancel();
      } catch (e) {
        /* too late (confirmed meanwhile) or offline: carry on */
      } finally {
        if (this.busy === 'cancel') this.busy = null;
        this.cancelBtn.removeAttribute('aria-disabled');
      }
    }

    _expired(qr, s) {
      if (this.renewals >= this.maxRenewals) { this._end(qr, 'expired', 'stopped', s); return; }
      this.renewals++;
      this._end(qr, 'expired', 'renewing', s);
      // Leave "Expired" on screen for a moment (and for screen readers), then replace it.
      setTimeout(() => { if (qr === this.qr) this.renew(); }, 1500);
    }

    _fail(qr, e) {
      if (e && (e.code === 'qr_expired' || e.code === 'qr_not_found') && qr.id) {
        this._status(qr, { state: 'expired', version: qr.version + 1 });
        return;
      }
      if (global.console) console.warn('qrlogin:', e);
      this._end(qr, 'error', e instanceof ApiError && e.status ? 'error' : 'offline', null);
    }

    /** Moves to a live state and shows it. */
    _enter(state, reason, s) {
      this.state = state;
      this.reason = reason || null;
      this._render();
      // The third argument is for a page that finishes the login itself (the OAuth
      // authorization page, with `redeem: false`): the QR session, its poll token and why.
      if (this.opts.onState) {
        const qr = this.qr;
        this.opts.onState(state, s || null, qr && { id: qr.id, pollToken: qr.token, reason: this.reason });
      }
    }

    /** Moves to an end state: stops following this QR session (aborts its requests). */
    _end(qr, state, reason, s) {
      qr.abort.abort();
      this._enter(state, reason, s);
    }

    _drop() {
      const qr = this.qr;
      if (!qr) return;
      // Leaving a code that is still live: tell the server, so a late scan goes nowhere.
      if (qr.token && (this.state === 'pending' || this.state === 'scanned')) {
        fetch(this.url('/api/v1/qr/' + qr.idEnc), { method: 'DELETE', keepalive: true,
          headers: { Authorization: 'Bearer ' + qr.token }, credentials: 'omit' }).catch(() => {});
      }
      qr.abort.abort();
      this.busy = null;
    }

    // -- the DOM

    _linkCss() {
      const doc = global.document;
      if (doc.querySelector('link[data-qrlogin-css], link[href$="qrlogin.css"]')) return;
      const l = h('link');
      l.rel = 'stylesheet';
      l.href = this.server + '/static/qrlogin.css';
      l.setAttribute('data-qrlogin-css', '');
      doc.head.appendChild(l);
    }

    _build() {
      const t = this.t, r = (this.root = h('div', 'qrlogin'));
      r.setAttribute('data-state', 'loading');
      r.lang = this.lang;
      r.tabIndex = -1;
      const qr = h('div', 'qrlogin-qr');
      this.img = h('img', 'qrlogin-code');
      this.img.alt = t('qrAlt');
      this.img.width = 240; this.img.height = 240;
      this.img.hidden = true;
      qr.appendChild(this.img);
      this.scanner = h('div', 'qrlogin-scanner');
      this.scanner.hidden = true;
      this.avatar = h('img', 'qrlogin-avatar');
      this.avatar.alt = ''; this.avatar.hidden = true;
      this.avatar.onerror = () => { this.avatarBroken = true; this._render(); };
      this.initial = h('span', 'qrlogin-initial');
      this.initial.setAttribute('aria-hidden', 'true');
      this.scanner.appendChild(this.avatar); this.scanner.appendChild(this.initial);
      qr.appendChild(this.scanner);
      this.status = h('p', 'qrlogin-status', t('loading'));
      this.status.setAttribute('role', 'status');
      this.status.setAttribute('aria-live', 'polite');
      this.count = h('p', 'qrlogin-countdown');
      const actions = h('div', 'qrlogin-actions');
      this.cancelBtn = h('button', 'qrlogin-cancel', t('cancel'));
      this.newBtn = h('button', 'qrlogin-new', t('newCode'));
      this.cancelBtn.type = this.newBtn.type = 'button';
      this.cancelBtn.onclick = () => this._cancel();
      this.newBtn.onclick = () => { this.renewals = 0; this.renew(); };
      actions.appendChild(this.cancelBtn); actions.appendChild(this.newBtn);
      const more = h('details', 'qrlogin-url');
      more.appendChild(h('summary', null, t('cantScan')));
      this.link = h('a');
      this.link.rel = 'noopener';
      more.appendChild(this.link);
      [qr, this.status, this.count, actions, more].forEach((e) => r.appendChild(e));
      this.el.appendChild(r);
      this._render();
    }

    _countdown() {
      const qr = this.qr;
      const live = !!(qr && qr.deadline && LIVE.indexOf(this.state) >= 0);
      this.count.hidden = !live;
      if (!live) return;
      const left = Math.ceil((qr.deadline - Date.now()) / 1000), l = Math.max(0, left);
      this.count.textContent = this.t('expiresIn', { time: Math.floor(l / 60) + ':' + String(l % 60).padStart(2, '0') });
      // The server pushes "expired"; if that was missed, ask once.
      if (left < -3 && !qr.expiryChecked && qr.token) {
        qr.expiryChecked = true;
        this.request(qr, 'GET', '/api/v1/qr/' + qr.idEnc).then((s) => this._status(qr, s),
          (e) => { if (e instanceof ApiError && e.status) this._fail(qr, e); });
      }
    }

    _message(name) {
      const t = this.t, st = this.state;
      switch (st) {
        case 'scanned': return name ? t('scanned', { name }) : t('scannedAnon');
        case 'redeemed': return name ? t('redeemed', { name }) : t('redeemedAnon');
        case 'cancelled': return this.reason === 'cancelled' ? t('cancelled') : t('declined');
        case 'expired': return this.reason === 'stopped' ? t('expiredStop') : t('expired');
        case 'error': return t(this.reason || 'error');
        default: return t(st);
      }
    }

    _render() {
      const qr = this.qr || {}, r = this.root, st = this.state, doc = global.document;
      const focused = r.contains(doc.activeElement);
      r.setAttribute('data-state', st);
      r.setAttribute('data-version', String(qr.version || 0));
      if (qr.id) r.setAttribute('data-qr-id', qr.id); else r.removeAttribute('data-qr-id');
      if (st === 'cancelled') r.setAttribute('data-reason', this.reason); else r.removeAttribute('data-reason');
      if (qr.img && this.img.getAttribute('src') !== qr.img) this.img.src = qr.img;
      this.img.hidden = !qr.img && !this.img.getAttribute('src');
      if (qr.content) { this.link.href = qr.content; this.link.textContent = qr.content; }
      this.link.parentNode.hidden = !(qr.content && st === 'pending');
      const who = (qr.session && qr.session.account) || qr.scanner || {};
      const name = who.display_name || '';
      this.scanner.hidden = !(qr.scanner && /^(scanned|confirmed|redeemed)$/.test(st));
      const av = who.avatar_url ? this.url(who.avatar_url) : '';
      if (av !== (this.avatarUrl || '')) {
        this.avatarUrl = av; this.avatarBroken = false;
        if (av) this.avatar.src = av; else this.avatar.removeAttribute('src');
      }
      const showAvatar = !!av && !this.avatarBroken; // an avatar the CSP blocks falls back too
      this.avatar.hidden = !showAvatar; this.initial.hidden = showAvatar;
      this.initial.textContent = name ? Array.from(name)[0].toUpperCase() : '?';
      const msg = this._message(name);
      if (this.status.textContent !== msg) this.status.textContent = msg;
      this.cancelBtn.hidden = !(qr.token && (st === 'pending' || st === 'scanned'));
      this.newBtn.hidden = !(st === 'cancelled' || st === 'error' || (st === 'expired' && this.reason === 'stopped'));
      this.newBtn.textContent = st === 'error' ? this.t('retry') : this.t('newCode');
      // No empty row (and no gap for it) when neither button is offered.
      this.cancelBtn.parentNode.hidden = this.cancelBtn.hidden && this.newBtn.hidden;
      this._countdown();
      // Keep keyboard focus inside the widget when the focused button disappears.
      if (focused && (!r.contains(doc.activeElement) || doc.activeElement.hidden)) {
        (this.newBtn.hidden ? (this.cancelBtn.hidden ? r : this.cancelBtn) : this.newBtn).focus();
      }
    }

    destroy() {
      this._drop();
      this.qr = null;
      this.state = 'destroyed';
      clearInterval(this._tick);
      if (this.root.parentNode) this.root.parentNode.removeChild(this.root);
    }
  }

  function mount(el, opts) {
    if (typeof el === 'string') el = global.document.querySelector(el);
    if (!el) throw new Error('QrLogin.mount: no such element');
    const w = new Widget(el, opts);
    return {
      destroy: () => w.destroy(),
      renew: () => { w.renewals = 0; return w.renew(); },
      get state() { return w.state; },
      get lang() { return w.lang; },
    };
  }

  return {
    mount, deviceName, ApiError, version: '2',
    addLanguage, pickLanguage, translator, languages: () => Object.keys(LANGS),
    // The pure parts, exported for the unit tests (assets/tests/*.test.mjs).
    SseParser, followTransports,
  };
});
