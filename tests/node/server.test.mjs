// The echo/test server on its own, from Node: origin allow-list, echo
// semantics (text stays text, binary stays binary), protocol selection,
// the control endpoint, and static files with their security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createServer, originAllowed } from '../../server/server.js';

let server;
let close;
let base;

before(async () => {
  ({ server, close } = createServer({ quiet: true }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${server.address().port}`;
});

after(() => close());

/** Resolves with the HTTP status of a refused handshake, or 101 if it opened. */
function handshakeStatus(path, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}${path}`, options);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode);
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

function open(path, protocols, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}${path}`, protocols, options);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

function nextMessage(ws) {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
}

test('a forged foreign Origin is refused with 403 before the upgrade', async () => {
  assert.equal(await handshakeStatus('/echo', { origin: 'http://evil.example' }), 403);
  assert.equal(await handshakeStatus('/echo', { origin: 'null' }), 403);
  assert.equal(await handshakeStatus('/echo', { origin: 'http://127.0.0.1.evil.example' }), 403);
});

test('loopback origins are accepted', async () => {
  assert.equal(await handshakeStatus('/echo', { origin: `http://${base}` }), 101);
  assert.equal(await handshakeStatus('/echo', { origin: 'http://localhost:8080' }), 101);
  assert.equal(await handshakeStatus('/echo', { origin: 'http://[::1]:3000' }), 101);
});

test('originAllowed honours an explicit allow-list and *', () => {
  assert.equal(originAllowed('https://app.example', ['https://app.example']), true);
  assert.equal(originAllowed('http://127.0.0.1:1', ['https://app.example']), false);
  assert.equal(originAllowed('http://anything.example', '*'), true);
  assert.equal(originAllowed(undefined), true, 'non-browser clients send no Origin');
});

test('echo keeps text as text and binary as binary, byte for byte', async () => {
  const ws = await open('/echo', ['echo-protocol'], { origin: `http://${base}` });
  assert.equal(ws.protocol, 'echo-protocol');
  ws.send('héllo');
  const text = await nextMessage(ws);
  assert.equal(text.isBinary, false);
  assert.equal(text.data.toString('utf8'), 'héllo');
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  ws.send(bytes);
  const bin = await nextMessage(ws);
  assert.equal(bin.isBinary, true);
  assert.deepEqual(Buffer.from(bin.data), bytes);
  ws.close();
});

test('first-protocol selects the first offered protocol', async () => {
  const ws = await open('/first-protocol', ['b-proto', 'echo-protocol']);
  assert.equal(ws.protocol, 'b-proto');
  ws.close();
});

test('refusal windows refuse upgrades with that key only, then end', async () => {
  const res = await fetch(`http://${base}/control/refuse?key=k1&ms=300`);
  assert.equal(res.status, 200);
  assert.equal(await handshakeStatus('/echo?key=k1'), 503);
  assert.equal(await handshakeStatus('/echo?key=other'), 101);
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(await handshakeStatus('/echo?key=k1'), 101);
  const bad = await fetch(`http://${base}/control/refuse?key=k1`);
  assert.equal(bad.status, 400);
});

test('/close closes with the requested code and reason', async () => {
  const ws = await open('/close?code=4100&reason=bye');
  const [code, reason] = await new Promise((resolve) => ws.on('close', (c, r) => resolve([c, r.toString()])));
  assert.equal(code, 4100);
  assert.equal(reason, 'bye');
});

test('static files: path traversal is refused, missing files are 404', async () => {
  for (const path of ['/..%2fCargo.toml', '/pkg/..%2fCargo.toml', '/pkg/..%2f..%2fCargo.toml']) {
    const res = await fetch(`http://${base}${path}`);
    assert.equal(res.status, 403, path);
  }
  const missing = await fetch(`http://${base}/no-such-file.js`);
  assert.equal(missing.status, 404);
});
