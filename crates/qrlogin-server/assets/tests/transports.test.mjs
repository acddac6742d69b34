// The widget's transport fallback (QrLogin.followTransports) with fake transports:
//   node --test crates/qrlogin-server/assets/tests/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const QrLogin = createRequire(import.meta.url)('../qrlogin.js');
const { followTransports, ApiError } = QrLogin;

/**
 * Runs followTransports over fake transports: `script[name]` is a list of outcomes,
 * one per attempt: a number (statuses delivered), an Error to throw, or 'done' (the
 * login ended while it ran, then it delivered 1).
 */
async function follow(script, { names = ['sse', 'ws', 'poll'], start = 0 } = {}) {
  const log = { tried: [], worked: [], fatal: null, pauses: 0 };
  let done = false;
  await followTransports({
    names, start,
    done: () => done,
    run: async (name) => {
      const next = script[name].shift();
      if (next === undefined) throw new Error('no more outcomes for ' + name);
      if (next === 'done') { done = true; return 1; }
      if (next instanceof Error) throw next;
      return next;
    },
    onTry: (name) => log.tried.push(name),
    onWorked: (i) => log.worked.push(i),
    isFatal: (e) => e instanceof ApiError && e.code === 'unauthorized',
    onFatal: (e) => { log.fatal = e.code; },
    pause: async () => { log.pauses++; },
  });
  return log;
}

test('SSE that works is used and reconnected when its stream ends early', async () => {
  const log = await follow({ sse: [3, 'done'], ws: [], poll: [] });
  assert.deepEqual(log.tried, ['sse', 'sse']);
  assert.deepEqual(log.worked, [0]);
  assert.equal(log.pauses, 1);
});

test('SSE that fails to connect falls back to the WebSocket', async () => {
  const log = await follow({ sse: [new TypeError('blocked')], ws: ['done'], poll: [] });
  assert.deepEqual(log.tried, ['sse', 'ws']);
});

test('SSE and WebSocket that deliver nothing fall back to long poll', async () => {
  const log = await follow({ sse: [0], ws: [0], poll: [2, 'done'] });
  assert.deepEqual(log.tried, ['sse', 'ws', 'poll', 'poll']);
  assert.deepEqual(log.worked, [2], 'the next QR session starts with what worked');
});

test('the last transport is retried rather than given up', async () => {
  const log = await follow({ sse: [0], ws: [0, 0, 'done'] }, { names: ['sse', 'ws'] });
  assert.deepEqual(log.tried, ['sse', 'ws', 'ws', 'ws']);
  assert.equal(log.pauses, 2);
});

test('a fatal answer stops at once without trying the others', async () => {
  const log = await follow({ sse: [new ApiError(401, { code: 'unauthorized' })], ws: [], poll: [] });
  assert.deepEqual(log.tried, ['sse']);
  assert.equal(log.fatal, 'unauthorized');
});

test('a start index skips the transports that did not work last time', async () => {
  const log = await follow({ sse: [], ws: ['done'], poll: [] }, { start: 1 });
  assert.deepEqual(log.tried, ['ws']);
});

test('ApiError keeps the problem code, and status 0 means the network', () => {
  const e = new ApiError(409, { code: 'already_scanned', detail: 'another device' }, 3);
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'already_scanned');
  assert.equal(e.message, 'another device');
  assert.equal(e.retryAfter, 3);
  assert.equal(new ApiError(0, null).code, 'network');
  assert.equal(new ApiError(502, null).code, 'http_502');
});

test('languages: exact tag, then the primary subtag, then English', () => {
  QrLogin.addLanguage('en', { 'widget.pending': 'Scan with your phone', 'x.only_en': 'E {n}' });
  QrLogin.addLanguage('zh-CN', { 'widget.pending': '请用手机扫码' });
  assert.equal(QrLogin.pickLanguage(['zh-TW', 'en']), 'zh-CN');
  assert.equal(QrLogin.pickLanguage(['fr', 'EN-gb']), 'en');
  assert.equal(QrLogin.pickLanguage(['fr']), 'en');
  const t = QrLogin.translator('zh-CN');
  assert.equal(t('widget.pending'), '请用手机扫码');
  assert.equal(t('x.only_en', { n: 2 }), 'E 2', 'a missing text falls back to English');
  assert.equal(t('x.none'), 'x.none');
  assert.equal(t.has('x.none'), false);
});
