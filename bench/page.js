// The benchmark page: one function, run(client, workload, params), that the
// driver (bench/run.mjs) calls through Playwright. Every client does the
// same work and checks every echo (type, length, first and last byte).
import { bench_callback, bench_callback_delivery, bench_async, soak_callback, soak_async, soak_connecting } from '/pkg-bench/wasm_websocket.js';
import init, { WebSocketClient, WebSocketStream } from '/pkg-bench/index.js';


function text(i, size) {
  return String(i).padStart(8, '0') + 'x'.repeat(Math.max(0, size - 8));
}

function payload(i, size, template) {
  const bytes = template.slice(); // a fresh message, as the Rust faces build one
  bytes[0] = i & 0xff;
  bytes[bytes.length - 1] = ~i & 0xff;
  return bytes;
}

function checkEcho(data, i, size, binary) {
  if (binary) {
    if (!(data instanceof ArrayBuffer) || data.byteLength !== Math.max(2, size)) throw new Error(`echo ${i}: wrong binary`);
    const b = new Uint8Array(data);
    if (b[0] !== (i & 0xff) || b[b.length - 1] !== (~i & 0xff)) throw new Error(`echo ${i}: wrong bytes`);
  } else if (typeof data !== 'string' || data.length !== Math.max(8, size) || !data.startsWith(String(i).padStart(8, '0'))) {
    throw new Error(`echo ${i}: wrong text`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The same workloads on anything shaped like the browser's WebSocket. */
async function runDom(make, url, workload, { count, size }, { asBlob = false, drain = null, settle = null } = {}) {
  const ws = make(url);
  ws.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onclose = () => reject(new Error('closed before open'));
  });
  ws.onclose = null;
  await new Promise((resolve) => {
    ws.onmessage = resolve;
    ws.send('prime');
  });
  const binary = workload === 'binary' || workload === 'backpressure';
  const template = new Uint8Array(Math.max(2, size)).fill(0x78);
  const message = (i) => {
    if (!binary) return text(i, size);
    const bytes = payload(i, size, template);
    return asBlob ? new Blob([bytes]) : bytes;
  };
  const latencies = [];
  let peak = 0;
  let start;
  await new Promise((resolve, reject) => {
    let received = 0;
    let sentAt = 0;
    const sequential = workload === 'rtt' || workload === 'binary';
    ws.onmessage = (e) => {
      try {
        checkEcho(e.data, received, size, binary);
      } catch (err) {
        reject(err);
        return;
      }
      received += 1;
      if (sequential) latencies.push(performance.now() - sentAt);
      if (received === count) resolve();
      else if (sequential) {
        sentAt = performance.now();
        ws.send(message(received));
      }
    };
    start = performance.now();
    if (workload === 'pipelined') {
      for (let i = 0; i < count; i++) ws.send(message(i));
    } else if (workload === 'backpressure') {
      (async () => {
        for (let i = 0; i < count; i++) {
          if (drain) await drain(ws);
          else while (ws.bufferedAmount > 1 << 20) await sleep(4);
          ws.send(message(i));
          peak = Math.max(peak, ws.bufferedAmount);
        }
      })().catch(reject);
    } else {
      sentAt = performance.now();
      ws.send(message(0));
    }
  });
  const elapsedMs = performance.now() - start;
  await settle?.(ws);
  ws.close();
  return { elapsedMs, latencies, peakBuffered: peak };
}

/**
 * Pipelined texts and sequential binary round trips through a
 * WebSocketStream (ours or Chrome's), written the idiomatic way: wait for
 * `writer.ready`, read with a reader.
 */
async function runStream(Stream, url, workload, { count, size }, options = {}, { settle = null, tracked = (s) => s } = {}) {
  const wss = tracked(new Stream(url, { protocols: ['echo-protocol'], ...options }));
  const { readable, writable } = await wss.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  await writer.write('prime');
  await reader.read();
  const binary = workload === 'binary';
  const template = new Uint8Array(Math.max(2, size)).fill(0x78);
  const message = (i) => (binary ? payload(i, size, template) : text(i, size));
  const latencies = [];
  const start = performance.now();
  if (workload === 'pipelined') {
    const reading = (async () => {
      for (let i = 0; i < count; i++) checkEcho((await reader.read()).value, i, size, false);
    })();
    for (let i = 0; i < count; i++) {
      await writer.ready;
      writer.write(message(i));
    }
    await reading;
  } else {
    for (let i = 0; i < count; i++) {
      const sentAt = performance.now();
      await writer.write(message(i));
      checkEcho((await reader.read()).value, i, size, binary);
      latencies.push(performance.now() - sentAt);
    }
  }
  const elapsedMs = performance.now() - start;
  await settle?.(wss);
  wss.close();
  await wss.closed.catch(() => {});
  return { elapsedMs, latencies, peakBuffered: 0 };
}

/** What the reconnecting clients are measured with: the heartbeat on (no ping is due within a run) and the default outbox. */
const RESILIENT = { reconnect: { heartbeat: {} } };

/** The same resilience with end-to-end delivery on. */
const DELIVERY = { ...RESILIENT, delivery: true };

/**
 * A delivery client's run on the test server's `/delivery` echo (a session
 * of its own, by key). With `countAcks`, the ACK frames the server counted
 * each way, once every message was acknowledged (outside the timing).
 */
async function withDelivery(url, body, countAcks = true) {
  const key = `bench-${Math.random().toString(36).slice(2)}`;
  const result = await body(url.replace(/\/echo$/, `/delivery?key=${key}`));
  if (!countAcks) return result;
  const state = await (await fetch(`${url.replace(/^ws/, 'http').replace(/\/echo$/, '')}/control/delivery-state?key=${key}`)).json();
  return { ...result, acks: state.acks, deliveryReceived: state.received };
}

/**
 * Before a delivery client closes: waits until the server confirmed every
 * message, and for the client's own (coalesced) ACK of the echoes.
 */
async function settle(target) {
  const confirmed = () => target.delivered >= target.lastMessageId;
  while (!confirmed()) await sleep(5);
  await sleep(150);
}

/** A delivery client or stream that records how far its messages were confirmed. */
function tracked(target) {
  target.delivered = 0;
  target.addEventListener('delivered', (e) => (target.delivered = e.detail.upTo));
  return target;
}

// Two floors: the least any wrapper of the browser's socket can cost with
// the same shape as ours, written as plainly as possible, so a face's
// ratio can be read against what its shape costs by itself.

/**
 * The EventTarget floor: a wrapper whose listeners must outlive the
 * browser socket beneath it (as a reconnecting client's do) dispatches a
 * `MessageEvent` of its own per message, with the wrapper as target.
 */
class RelayFloor extends EventTarget {
  #ws;
  #handlers = {};
  constructor(url, protocols) {
    super();
    this.#ws = new WebSocket(url, protocols);
    this.#ws.addEventListener('open', () => this.dispatchEvent(new Event('open')));
    this.#ws.addEventListener('close', (e) => this.dispatchEvent(new CloseEvent('close', e)));
    this.#ws.addEventListener('message', (e) => this.dispatchEvent(new MessageEvent('message', { data: e.data, origin: e.origin })));
  }
  set binaryType(value) { this.#ws.binaryType = value; }
  get bufferedAmount() { return this.#ws.bufferedAmount; }
  send(data) { this.#ws.send(data); }
  close() { this.#ws.close(); }
  set onopen(f) { this.#handle('open', f); }
  set onmessage(f) { this.#handle('message', f); }
  set onclose(f) { this.#handle('close', f); }
  #handle(type, f) {
    if (this.#handlers[type]) this.removeEventListener(type, this.#handlers[type]);
    this.#handlers[type] = f;
    if (f) this.addEventListener(type, f);
  }
}

/**
 * The Streams floor: the browser socket as a WebSocketStream-shaped pair
 * of streams (the readable fed from its events, the writable sending and
 * resolving when `bufferedAmount` is low), with our strategies.
 */
class StreamsFloor {
  constructor(url, { protocols = [] } = {}) {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.opened = new Promise((resolve, reject) => {
      ws.onerror = reject;
      ws.onopen = () => {
        const readable = new ReadableStream({ start: (c) => (ws.onmessage = (e) => c.enqueue(e.data)) }, { highWaterMark: 0, size: (m) => (typeof m === 'string' ? m.length : m.byteLength) });
        const writable = new WritableStream({
          write: (chunk) => {
            ws.send(chunk);
            if (ws.bufferedAmount > 1 << 20) return new Promise((r) => { const t = setInterval(() => ws.bufferedAmount <= 1 << 20 && (clearInterval(t), r()), 4); });
          },
        }, { highWaterMark: 1 });
        resolve({ readable, writable });
      };
    });
    this.closed = new Promise((resolve) => ws.addEventListener('close', resolve));
  }
  close() { this.ws.close(); }
}

/** A Rust driver's result as the page's clients return it. */
const rust = (r) => ({ elapsedMs: r.elapsedMs, latencies: [...r.latencies], peakBuffered: r.peakBuffered });

const CLIENTS = {
  'stream-ours': (url, w, p) => runStream(WebSocketStream, url, w, p),
  'stream-reconnecting': (url, w, p) => runStream(WebSocketStream, url, w, p, RESILIENT),
  'stream-native': (url, w, p) => runStream(window.WebSocketStream, url, w, p),
  'raw-view': (url, w, p) => runDom((u) => new WebSocket(u, 'echo-protocol'), url, w, p),
  'raw-blob': (url, w, p) => runDom((u) => new WebSocket(u, 'echo-protocol'), url, w, p, { asBlob: true }),
  'floor-relay': (url, w, p) => runDom((u) => new RelayFloor(u, 'echo-protocol'), url, w, p),
  'floor-streams': (url, w, p) => runStream(StreamsFloor, url, w, p),
  'js-class': (url, w, p) => runDom((u) => new WebSocketClient(u, 'echo-protocol'), url, w, p, { drain: (ws) => ws.drain() }),
  'js-reconnecting': (url, w, p) =>
    runDom((u) => new WebSocketClient(u, 'echo-protocol', RESILIENT), url, w, p, { drain: (ws) => ws.drain() }),
  'js-delivery': (url, w, p) =>
    withDelivery(url, (u) => runDom((u) => tracked(new WebSocketClient(u, [], DELIVERY)), u, w, p, { drain: (ws) => ws.drain(), settle })),
  'rust-delivery': (url, w, p) => withDelivery(url, async (u) => rust(await bench_callback_delivery(u, w, p.count, p.size)), false),
  'stream-delivery': (url, w, p) => withDelivery(url, (u) => runStream(WebSocketStream, u, w, p, DELIVERY, { settle, tracked })),
  'rust-callback': async (url, w, p) => rust(await bench_callback(url, w, p.count, p.size, false)),
  'rust-reconnecting': async (url, w, p) => rust(await bench_callback(url, w, p.count, p.size, true)),
  'rust-async': async (url, w, p) => rust(await bench_async(url, w, p.count, p.size, false)),
  'rust-async-reconnecting': async (url, w, p) => rust(await bench_async(url, w, p.count, p.size, true)),
};

/** A forced collection before each measurement (Chromium exposes gc()), outside its script time. */
window.collect = () => {
  if (typeof gc === 'function') gc();
};
window.run = (client, workload, params) => CLIENTS[client](params.url, workload, params);

// Soak drivers: open/echo/close cycles per face, and sockets dropped
// while connecting; memory is read by the driver between phases. The JS
// class is never freed by hand: an unreferenced client is collected once
// closed, as the browser's socket is. A plain client is the browser's
// socket (nothing in wasm); a reconnecting one has a wasm core, released
// at its final close.
async function soakJs(url, cycles, options = undefined) {
  for (let i = 0; i < cycles; i++) {
    const ws = new WebSocketClient(url, 'echo-protocol', options);
    await ws.opened;
    const echo = new Promise((resolve) => ws.addEventListener('message', (e) => resolve(e.data), { once: true }));
    ws.send(`soak ${i}`);
    if ((await echo) !== `soak ${i}`) throw new Error(`wrong echo at ${i}`);
    ws.close(1000);
    await ws.closed;
  }
}

async function soakJsConnecting(url, count) {
  for (let i = 0; i < count; i++) {
    const ws = new WebSocketClient(url);
    ws.onopen = () => {};
    ws.close();
    await sleep(0);
  }
}

// Clients the page keeps no reference to: each opens, echoes once, and is
// closed by the server later (`closeAfter` in the URL). Only its listeners
// reference it; every close event must still arrive.
async function soakJsDropped(url, count) {
  const closes = { clean: 0, other: [] };
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const ws = new WebSocketClient(url, 'echo-protocol');
      ws.onopen = function () {
        this.send(`dropped ${i}`);
      };
      ws.onmessage = (e) => (e.data === `dropped ${i}` ? resolve() : reject(new Error(`wrong echo at ${i}: ${e.data}`)));
      ws.onclose = (e) => {
        if (e.code === 1000) closes.clean++;
        else closes.other.push(e.code);
        resolve(); // a close before the echo is counted as a failure below
      };
    });
  }
  const end = performance.now() + 30_000;
  while (closes.clean + closes.other.length < count && performance.now() < end) await sleep(50);
  const missing = count - closes.clean - closes.other.length;
  if (missing || closes.other.length) {
    throw new Error(`${missing} of ${count} dropped clients never delivered their close event; other codes: ${closes.other.join()}`);
  }
}

window.soak = {
  callback: (url, n) => soak_callback(url, n),
  async: (url, n) => soak_async(url, n),
  js: (url, n) => soakJs(url, n),
  'js-reconnecting': (url, n) => soakJs(url, n, { reconnect: true }),
  'callback-connecting': (url, n) => soak_connecting(url, n),
  'js-connecting': (url, n) => soakJsConnecting(url, n),
  'js-dropped': (url, n) => soakJsDropped(url, n),
};

// The bench's one module (the delivery package and the Rust-face drivers).
const wasm = await init({ delivery: true });
window.wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
window.ready = true;
document.getElementById('status').textContent = 'ready';
