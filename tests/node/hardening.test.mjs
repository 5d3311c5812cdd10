// The test server under abuse: oversized messages (1009), invalid UTF-8
// (1007), malformed HTTP and upgrade requests (400), raw garbage and
// protocol violations over TCP; after each it must still echo. Then a load
// of 500 concurrent clients echoing 100 messages each, with figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createServer } from '../../server/server.js';
import { launch } from '../../server/launch.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server;
let close;
let port;

before(async () => {
  ({ server, close } = createServer({ quiet: true, maxPayload: 1024 * 1024 }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});

after(() => close());

function open(pathname = '/echo') {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathname}`);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

function closed(ws) {
  return new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

async function stillEchoes() {
  const ws = await open();
  const reply = new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
  ws.send('still here');
  assert.equal(await reply, 'still here');
  ws.close();
}

/** Sends raw bytes over TCP and resolves with whatever comes back. */
function raw(bytes, { waitMs = 300 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(bytes));
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.on('close', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
  });
}

test('a message above maxPayload closes with 1009', async () => {
  const ws = await open();
  const result = closed(ws);
  ws.send(Buffer.alloc(1024 * 1024 + 1));
  const { code } = await result;
  assert.equal(code, 1009);
  await stillEchoes();
});

test('a text frame with invalid UTF-8 closes with 1007', async () => {
  const ws = await open();
  const result = closed(ws);
  // A masked text frame (zero mask) whose payload is not UTF-8, written
  // below ws's encoder.
  ws._socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]));
  const { code } = await result;
  assert.equal(code, 1007);
  await stillEchoes();
});

test('malformed upgrade requests are answered with 400', async () => {
  const bad = [
    'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n', // no key
    'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
    'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n',
  ];
  for (const request of bad) {
    const reply = await raw(request);
    assert.match(reply, /^HTTP\/1\.1 400 /, JSON.stringify(request));
  }
  await stillEchoes();
});

test('raw garbage, truncated handshakes and protocol violations never crash the server', async () => {
  const garbage = [
    Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]),
    Buffer.from('NOT HTTP AT ALL\r\n\r\n'),
    Buffer.from('GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'), // cut short
    Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`),
    Buffer.alloc(70_000, 0x41), // an enormous request line
  ];
  for (const bytes of garbage) {
    const reply = await raw(bytes, { waitMs: 200 });
    assert.ok(reply === '' || /^HTTP\/1\.1 4\d\d /.test(reply), JSON.stringify(reply.slice(0, 40)));
  }
  // After a real handshake: an unmasked client frame, a reserved opcode,
  // and a frame claiming 2^63 bytes.
  for (const frame of [Buffer.from([0x81, 0x02, 0x68, 0x69]), Buffer.from([0x83, 0x80, 0, 0, 0, 0]), Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])]) {
    const ws = await open();
    const result = closed(ws);
    ws._socket.write(frame);
    const { code } = await result;
    assert.ok([1002, 1006, 1009].includes(code), `code ${code}`);
  }
  await stillEchoes();
});

test('500 concurrent clients each echo 100 messages; figures for the server process', async () => {
  // A separate server process, so its own peak memory can be read.
  const child = await launch();
  const loadPort = child.port;
  try {
    const CLIENTS = 500;
    const MESSAGES = 100;
    const start = performance.now();
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${loadPort}/echo`);
          let received = 0;
          let bytes = 0;
          ws.on('open', () => {
            for (let i = 0; i < MESSAGES; i++) ws.send(`client ${c} message ${i}`);
          });
          ws.on('message', (data) => {
            const expected = `client ${c} message ${received}`;
            if (data.toString() !== expected) reject(new Error(`client ${c}: got ${data} for ${expected}`));
            bytes += data.length;
            received += 1;
            if (received === MESSAGES) {
              ws.close();
              resolve(bytes);
            }
          });
          ws.on('error', reject);
        }),
      ),
    );
    const seconds = (performance.now() - start) / 1000;
    const sent = Array.from({ length: CLIENTS }, (_, c) =>
      Array.from({ length: MESSAGES }, (_, i) => `client ${c} message ${i}`.length).reduce((a, b) => a + b, 0),
    ).reduce((a, b) => a + b, 0);
    assert.equal(results.reduce((a, b) => a + b, 0), sent, 'all bytes back');
    assert.equal(child.running, true, 'server still alive');
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakKb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? NaN);
    const line = `load: ${CLIENTS} clients × ${MESSAGES} messages in ${seconds.toFixed(2)} s ` +
      `(${Math.round((CLIENTS * MESSAGES) / seconds)} msg/s, ${(MESSAGES / seconds).toFixed(0)} msg/s per connection), ` +
      `server peak RSS ${(peakKb / 1024).toFixed(1)} MiB`;
    console.log(line);
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-output', 'load.txt'), `${line}\n`);
  } finally {
    await child.close();
  }
});
