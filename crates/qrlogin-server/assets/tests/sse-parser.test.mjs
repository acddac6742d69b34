// The widget's Server-Sent Events parser (QrLogin.SseParser), without a browser:
//   node --test crates/qrlogin-server/assets/tests/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { SseParser } = createRequire(import.meta.url)('../qrlogin.js');

test('an event is dispatched at the blank line, with its type, data and id', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('event: status\nid: 2\ndata: {"state":"scanned"}\n'), []);
  assert.deepEqual(p.push('\n'), [{ type: 'status', data: '{"state":"scanned"}', id: '2' }]);
});

test('an event split anywhere across chunks comes out once and whole', () => {
  const text = 'event: status\r\nid: 7\r\ndata: {"a":1}\r\n\r\nevent: status\r\ndata: {"b":2}\r\n\r\n';
  for (let cut = 1; cut < text.length; cut++) {
    const p = new SseParser();
    const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.deepEqual(got.map((e) => e.data), ['{"a":1}', '{"b":2}'], 'cut at ' + cut);
    assert.equal(got[1].id, '7', 'the last event id carries over');
  }
});

test('a CR LF split between two chunks is one line end, not two', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: x\r'), []);
  assert.deepEqual(p.push('\ndata: y\r'), []);
  assert.deepEqual(p.push('\n\r\n'), [{ type: 'message', data: 'x\ny', id: '' }]);
});

test('bare CR and LF end lines too', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: a\r\rdata: b\n\n').map((e) => e.data), ['a', 'b']);
});

test('comments (the keep-alive) and unknown fields are skipped', () => {
  const p = new SseParser();
  assert.deepEqual(p.push(': keep-alive\n\n'), []);
  assert.deepEqual(p.push('retry: 10\nfoo: bar\ndata: z\n\n'), [{ type: 'message', data: 'z', id: '' }]);
});

test('multi-line data is joined with newlines; the space after the colon is optional', () => {
  const p = new SseParser();
  const [e] = p.push('data:one\ndata:  two\ndata\n\n');
  assert.equal(e.data, 'one\n two\n');
});

test('an id with a NUL is ignored and a blank line without data dispatches nothing', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('id: 3\n\n'), []);
  const [e] = p.push('id: 4\0\ndata: x\n\n');
  assert.equal(e.id, '3');
  assert.equal(p.push('event: status\n\ndata: y\n\n')[0].type, 'message', 'the type resets per event');
});
