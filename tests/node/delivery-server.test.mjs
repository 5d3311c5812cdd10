// The delivery protocol's server (src/js/server.js, docs/delivery.md),
// from Node with a small protocol client written here over `ws` (its
// frames built by hand): the WELCOME's fields; numbering and coalesced
// acknowledgements; exactly once across a drop mid-burst in both
// directions; text stays text and binary binary; every refusal code and
// protocol error, the server still serving after each; the store's bounds
// (eviction, 1013, expiry); the backlog's limit; PING/PONG; the server's
// heartbeat (a silent connection is cut, and its session ages out); a
// retired id that still resumes while its successor's WELCOME may have been
// lost; the plain fallback; and the test server's /delivery endpoint and chat with a
// delivery client (its rate: a burst allowance on the same sustained rate;
// a close with 1000 is a goodbye).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { DeliveryServer, MemorySessionStore, Session } from '../../src/js/server.js';
import { createServer } from '../../server/server.js';

const MIB = 1024 * 1024;
const ZERO_ID = Buffer.alloc(16);
const ZERO_EPOCH = Buffer.alloc(8);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function hello({ id = ZERO_ID, epoch = ZERO_EPOCH, received = 0, messages = 8192, bytes = 8 * MIB, magic = 'WSDL', version = 1 } = {}) {
  const frame = Buffer.alloc(46);
  frame[0] = 0x01;
  frame.write(magic, 1, 'latin1');
  frame[5] = version;
  id.copy(frame, 6);
  epoch.copy(frame, 22);
  frame.writeBigUInt64BE(BigInt(received), 30);
  frame.writeUInt32BE(messages, 38);
  frame.writeUInt32BE(bytes, 42);
  return frame;
}

function parseWelcome(frame) {
  assert.equal(frame.length, 47, 'a WELCOME is 47 bytes');
  return {
    type: frame[0],
    magic: frame.subarray(1, 5).toString('latin1'),
    version: frame[5],
    id: Buffer.from(frame.subarray(6, 22)),
    epoch: Buffer.from(frame.subarray(22, 30)),
    received: Number(frame.readBigUInt64BE(30)),
    messages: frame.readUInt32BE(38),
    bytes: frame.readUInt32BE(42),
    resumed: frame[46],
  };
}

function ackFrame(received) {
  const frame = Buffer.alloc(9);
  frame[0] = 0x03;
  frame.writeBigUInt64BE(BigInt(received), 1);
  return frame;
}

const dataFrame = (bytes) => Buffer.concat([Buffer.from([0x00]), bytes]);

/** `size` bytes starting with `i` as a big-endian u32. */
function numbered(i, size = 4) {
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32BE(i, 0);
  return bytes;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);

/** The first argument of `emitter`'s next `event`; rejects after `ms`. */
function nextEvent(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, (value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function waitFor(check, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * A DeliveryServer behind a `ws` server on 127.0.0.1: `accept` gives the
 * options of each accept() (or a function of the ws returning them).
 */
async function serve(t, options = {}, accept = {}) {
  const delivery = new DeliveryServer(options);
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const sessions = [];
  const sockets = new Map(); // session -> its first ws
  const outcomes = [];
  const errors = [];
  delivery.on('session', (session, ws) => {
    sessions.push(session);
    sockets.set(session, ws);
  });
  delivery.on('error', (err) => errors.push(err));
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    delivery.accept(ws, typeof accept === 'function' ? accept(ws) : accept).then((outcome) => outcomes.push(outcome));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${server.address().port}/`;
  t.after(async () => {
    delivery.close();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { delivery, url, sessions, sockets, outcomes, errors };
}

/** A raw connection: every frame it gets (as Buffers), and how it closed. */
async function connect(url) {
  const ws = new WebSocket(url);
  const peer = { ws, frames: [], close: null };
  ws.on('message', (data, isBinary) => peer.frames.push({ data: Buffer.from(data), isBinary }));
  ws.on('error', () => {});
  peer.closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => {
      peer.close = { code, reason: reason.toString() };
      resolve(peer.close);
    }),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return peer;
}

/** Resolves with how `peer` closed, or 'still open' after `ms`. */
async function closeOf(peer, ms = 3000) {
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms, 'still open')));
  const result = await Promise.race([peer.closed, late]);
  clearTimeout(timer);
  if (result === 'still open') peer.ws.terminate();
  return result;
}

/**
 * A /control/delivery-state answer without its ACK counts (how many there
 * are depends on timing), once their shape is checked.
 */
function stateOf(text) {
  const { acks, ...state } = JSON.parse(text);
  assert.ok(acks === null || (Number.isInteger(acks.sent) && Number.isInteger(acks.received)), `acks: ${JSON.stringify(acks)}`);
  return state;
}

/** Opens, sends these frames, and resolves with the server's close code ('still open' if none came). */
async function closeCodeFor(url, ...frames) {
  const peer = await connect(url);
  for (const frame of frames) peer.ws.send(frame);
  const closed = await closeOf(peer);
  return closed.code ?? closed;
}

/**
 * The protocol's client side, as small as the tests need: it numbers what
 * it sends and keeps it until acknowledged, counts what it receives, and
 * resumes its session on connect().
 */
class Client {
  id = ZERO_ID;
  epoch = ZERO_EPOCH;
  received = 0; // data messages received in this session
  got = []; // { data, isBinary }, binary ones without their type byte
  sent = []; // every data frame sent in this session; number n is sent[n - 1]
  acked = 0;
  acks = []; // every ACK value the server sent
  pongs = 0;
  pings = 0; // PINGs from the server (answered with PONG)
  peer = null;
  welcome = null;
  onData = null;

  constructor(url, window = {}) {
    this.url = url;
    this.window = window;
  }

  /** Opens a connection with HELLO; resolves with the WELCOME, or the close if refused. */
  async connect({ received = this.received, id = this.id, epoch = this.epoch } = {}) {
    const peer = await connect(this.url);
    this.peer = peer;
    this.welcome = null;
    peer.ws.on('message', (data, isBinary) => this.#frame(peer, Buffer.from(data), isBinary));
    peer.ws.send(hello({ id, epoch, received, ...this.window }));
    await waitFor(() => this.welcome || peer.close, 'a WELCOME or a close');
    if (!this.welcome) return peer.close;
    const welcome = this.welcome;
    this.id = welcome.id;
    this.epoch = welcome.epoch;
    assert.ok(welcome.received >= this.acked, 'a WELCOME never goes back');
    this.acked = welcome.received;
    for (let n = welcome.received + 1; n <= this.sent.length; n++) peer.ws.send(this.sent[n - 1]);
    return welcome;
  }

  #frame(peer, data, isBinary) {
    if (peer !== this.peer) return; // a dropped connection's late frames
    if (!this.welcome) {
      assert.equal(data[0], 0x02, 'the first frame from the server is a WELCOME');
      this.welcome = parseWelcome(data);
      return;
    }
    if (!isBinary || data[0] === 0x00) {
      this.received++;
      this.got.push({ data: isBinary ? data.subarray(1) : data, isBinary });
      this.onData?.();
    } else if (data[0] === 0x03) {
      const n = Number(data.readBigUInt64BE(1));
      this.acks.push(n);
      this.acked = n;
    } else if (data[0] === 0x05) {
      this.pongs++;
    } else if (data[0] === 0x04) {
      this.pings++;
      peer.ws.send(Buffer.from([0x05]));
    } else {
      throw new Error(`unexpected frame ${data.toString('hex')}`);
    }
  }

  /** Sends a data message (a string as text, bytes as DATA); kept for a resume. */
  send(message) {
    const frame = typeof message === 'string' ? message : dataFrame(message);
    this.sent.push(frame);
    if (this.welcome && this.peer.ws.readyState === WebSocket.OPEN) this.peer.ws.send(frame);
  }

  ack(n = this.received) {
    this.peer.ws.send(ackFrame(n));
  }

  /** An abrupt drop (no close frame); late frames are ignored. */
  drop() {
    this.peer.ws.terminate();
    this.peer = null;
    this.welcome = null;
  }
}

/** A new session on `url` gets its WELCOME: the server still serves. */
async function freshWorks(url) {
  const client = new Client(url);
  const welcome = await client.connect();
  assert.equal(welcome.type, 0x02, `a fresh session after the refusal: ${JSON.stringify(welcome)}`);
  client.peer.ws.close();
}

test('a new session is welcomed: magic, version 1, a 16-byte id, the server epoch, resumed 0', async (t) => {
  const { url, delivery, sessions } = await serve(t, { window: { messages: 100, bytes: 5000 } });
  const peer = await connect(url);
  peer.ws.send(hello());
  await waitFor(() => peer.frames.length, 'the WELCOME');
  const [{ data, isBinary }] = peer.frames;
  assert.equal(isBinary, true);
  const welcome = parseWelcome(data);
  assert.equal(welcome.type, 0x02);
  assert.equal(welcome.magic, 'WSDL');
  assert.equal(welcome.version, 1);
  assert.equal(welcome.id.length, 16);
  assert.notDeepEqual(welcome.id, ZERO_ID);
  assert.deepEqual(welcome.epoch, delivery.epoch);
  assert.equal(delivery.epoch.length, 8);
  assert.equal(welcome.received, 0);
  assert.deepEqual([welcome.messages, welcome.bytes], [100, 5000]);
  assert.equal(welcome.resumed, 0);
  assert.equal(sessions.length, 1);
  const [session] = sessions;
  assert.ok(session instanceof Session);
  assert.equal(typeof session.id, 'string');
  assert.notEqual(session.id, welcome.id.toString('hex'), 'the application id is not the wire secret');
  assert.deepEqual([session.attached, session.received, session.unconfirmed, delivery.store.size], [true, 0, 0, 1]);
  // Two sessions get different ids.
  const other = await connect(url);
  other.ws.send(hello());
  await waitFor(() => other.frames.length, 'the second WELCOME');
  assert.notDeepEqual(parseWelcome(other.frames[0].data).id, welcome.id);
  assert.throws(() => new Session(), TypeError);
});

test("1000 texts are numbered and acknowledged coalesced: few ACKs, the last one 1000, in the listeners' order", async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  await client.connect();
  const got = [];
  const countedDuring = [];
  sessions[0].on('message', (data, isBinary) => {
    got.push([data.toString(), isBinary]);
    countedDuring.push(sessions[0].received);
  });
  for (let i = 0; i < 1000; i++) client.send(`m${i}`);
  await waitFor(() => client.acks.at(-1) === 1000, 'ACK(1000)');
  await sleep(150); // no late ACKs follow
  assert.ok(client.acks.length < 20, `${client.acks.length} ACK frames`);
  assert.equal(client.acks.at(-1), 1000);
  assert.deepEqual(client.acks, [...client.acks].sort((a, b) => a - b), 'ACKs never go backwards');
  assert.deepEqual(got, range(1000).map((i) => [`m${i}`, false]));
  assert.equal(sessions[0].received, 1000);
  assert.deepEqual(countedDuring, range(1000), 'a message counts once its listeners returned');
});

test("an ACK comes at once when half the client's window (messages or bytes) is unacknowledged", async (t) => {
  const { url } = await serve(t, { ackDelayMs: 60_000 });
  const client = new Client(url, { messages: 10, bytes: 1000 });
  await client.connect();
  for (let i = 0; i < 4; i++) client.send(`x${i}`);
  await sleep(100);
  assert.deepEqual(client.acks, [], '4 of 10: the ACK waits (ackDelayMs is a minute)');
  client.send('x4');
  await waitFor(() => client.acks.length === 1, 'the ACK at half the window');
  assert.deepEqual(client.acks, [5]);
  client.send(Buffer.alloc(500)); // half the window's 1000 bytes
  await waitFor(() => client.acks.length === 2, 'the ACK at half the bytes');
  assert.deepEqual(client.acks, [5, 6]);
});

test("the server's messages are numbered 1, 2, 3; the client's ACKs fire 'delivered' and free them", async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  await client.connect();
  const [session] = sessions;
  const delivered = [];
  session.on('delivered', (upTo) => delivered.push(upTo));
  assert.deepEqual([session.send('one'), session.send(Buffer.from('two')), session.send('three')], [1, 2, 3]);
  await waitFor(() => client.received === 3, 'three messages');
  assert.equal(session.unconfirmed, 3);
  client.ack(2);
  await waitFor(() => delivered.length === 1, "'delivered'");
  assert.equal(session.unconfirmed, 1);
  client.ack(3);
  await waitFor(() => delivered.length === 2, "the second 'delivered'");
  assert.deepEqual(delivered, [2, 3]);
  assert.equal(session.unconfirmed, 0);
});

test('text stays text and binary stays binary, byte for byte, both ways', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  await client.connect();
  const got = [];
  sessions[0].on('message', (data, isBinary) => {
    got.push([Buffer.from(data), isBinary]);
    sessions[0].send(isBinary ? data : data.toString());
  });
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  const looksLikeHello = hello(); // data that happens to look like a control frame
  client.send('héllo ✓');
  client.send(bytes);
  client.send(looksLikeHello);
  client.send('');
  client.send(Buffer.alloc(0));
  await waitFor(() => client.received === 5, 'five echoes');
  assert.deepEqual(got, [
    [Buffer.from('héllo ✓'), false],
    [bytes, true],
    [looksLikeHello, true],
    [Buffer.alloc(0), false],
    [Buffer.alloc(0), true],
  ]);
  assert.deepEqual(
    client.got.map(({ data, isBinary }) => [data.toString('hex'), isBinary]),
    got.map(([data, isBinary]) => [data.toString('hex'), isBinary]),
  );
  assert.equal(client.got[0].data.toString(), 'héllo ✓');
  // Every kind of bytes goes as binary; a sent buffer is copied.
  const session = sessions[0];
  const reused = new Uint8Array([7, 8, 9]);
  session.send(reused);
  reused[0] = 0;
  session.send(new Uint16Array([0x0102]).buffer);
  session.send(new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2));
  await waitFor(() => client.received === 8, 'three more');
  assert.deepEqual(client.got.slice(5).map(({ data, isBinary }) => [[...data], isBinary]), [
    [[7, 8, 9], true],
    [[...new Uint8Array(new Uint16Array([0x0102]).buffer)], true],
    [[6, 7], true],
  ]);
  assert.throws(() => session.send(42), TypeError);
});

test('client to server, exactly once across a drop mid-burst: the client sends again after the WELCOME says what arrived', async (t) => {
  const { url, sessions, sockets } = await serve(t);
  const client = new Client(url);
  await client.connect();
  const [session] = sessions;
  const got = [];
  session.on('message', (data) => {
    got.push(data.readUInt32BE(0));
    if (got.length === 500) sockets.get(session).terminate(); // the drop, mid-burst
  });
  const detached = nextEvent(session, 'detach');
  const firstPeer = client.peer;
  for (let i = 0; i < 5000; i++) client.send(numbered(i, 64));
  assert.equal((await closeOf(firstPeer)).code, 1006);
  await detached;
  assert.equal(session.attached, false);
  const kept = session.received;
  assert.ok(kept >= 500 && kept < 5000, `${kept} arrived before the drop`);
  const welcome = await client.connect();
  assert.equal(welcome.resumed, 1);
  assert.equal(welcome.received, kept, "the WELCOME carries the server's count");
  await waitFor(() => client.acks.at(-1) === 5000, 'ACK(5000)');
  assert.deepEqual(got, range(5000), 'none missing, none twice, in order');
  assert.equal(session.received, 5000);
});

test('server to client, exactly once across a drop mid-burst: replay from the client\'s received', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  const first = await client.connect();
  const [session] = sessions;
  const delivered = [];
  session.on('delivered', (upTo) => delivered.push(upTo));
  client.onData = () => {
    if (client.received === 100) client.ack(); // some are acknowledged before the drop
    if (client.received === 300) client.drop();
  };
  for (let i = 0; i < 5000; i++) assert.equal(session.send(numbered(i, 32)), i + 1);
  await waitFor(() => client.peer === null, 'the drop');
  await waitFor(() => !session.attached, 'the detach');
  assert.equal(client.received, 300);
  // Sent while detached: kept, numbered after the others.
  assert.equal(session.send(numbered(5000, 32)), 5001);
  const welcome = await client.connect();
  assert.equal(welcome.resumed, 1);
  assert.notDeepEqual(welcome.id, first.id, 'a resume issues a new id');
  assert.deepEqual(welcome.epoch, first.epoch);
  await waitFor(() => client.received === 5001, 'the replay');
  await sleep(50);
  assert.deepEqual(
    client.got.map(({ data }) => data.readUInt32BE(0)),
    range(5001),
    'none missing, none twice, in order',
  );
  assert.deepEqual(delivered, [100, 300], 'the HELLO acknowledged what the client had');
  client.ack();
  await waitFor(() => session.unconfirmed === 0, 'all confirmed');
  assert.equal(delivered.at(-1), 5001);
});

test('a resume while the older connection is still attached: the new one takes over, the old one is cut', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  await client.connect();
  const [session] = sessions;
  const events = [];
  session.on('detach', () => events.push('detach'));
  session.on('attach', () => events.push('attach'));
  const old = client.peer;
  const welcome = await client.connect(); // the first connection is still open
  assert.equal(welcome.resumed, 1);
  assert.equal((await closeOf(old)).code, 1006, 'terminated, no close frame');
  assert.deepEqual(events, ['detach', 'attach']);
  session.send('on the new one');
  await waitFor(() => client.received === 1, 'a message on the new connection');
  assert.equal(client.got[0].data.toString(), 'on the new one');
});

test('refusals: 4410 for another epoch, 4411 for an unknown id; the server keeps serving', async (t) => {
  const { url, delivery } = await serve(t);
  const otherEpoch = Buffer.from(delivery.epoch.map((b) => b ^ 0xff));
  assert.equal(await closeCodeFor(url, hello({ id: Buffer.alloc(16, 7), epoch: otherEpoch })), 4410);
  await freshWorks(url);
  assert.equal(await closeCodeFor(url, hello({ id: Buffer.alloc(16, 7), epoch: delivery.epoch })), 4411);
  await freshWorks(url);
});

test('refusals: 4412 for a retired id once a frame came with its successor, which ends the session and closes its connection too', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  const first = await client.connect();
  const [session] = sessions;
  const ended = nextEvent(session, 'end');
  const second = await client.connect(); // resumed: first.id is retired
  assert.notDeepEqual(second.id, first.id);
  client.peer.ws.send(Buffer.from([0x04])); // a frame on the new id's connection: the client has that id
  await waitFor(() => client.pongs === 1, 'the PONG');
  assert.equal(await closeCodeFor(url, hello({ id: first.id, epoch: first.epoch })), 4412);
  assert.equal(await ended, 'refused');
  assert.equal((await closeOf(client.peer)).code, 4412, 'the holder of the new id is refused too');
  assert.equal(session.ended, true);
  assert.throws(() => session.send('late'), { code: 'ERR_DELIVERY_SESSION_ENDED' });
  assert.equal(await closeCodeFor(url, hello({ id: second.id, epoch: second.epoch })), 4411, 'the session is gone');
  await freshWorks(url);
});

test('a retired id still resumes while nothing came on the connection given its successor (its WELCOME may be lost): all replayed, once each', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  const first = await client.connect();
  const [session] = sessions;
  const got = [];
  session.on('message', (data) => got.push(data.toString()));
  const ends = [];
  session.on('end', (reason) => ends.push(reason));
  client.send('c1');
  client.send('c2');
  session.send('s1');
  session.send('s2');
  await waitFor(() => client.received === 2 && session.received === 2, 'two messages each way');
  client.drop();
  await waitFor(() => !session.attached, 'detached');
  session.send('s3');
  session.send('s4');
  client.send('c3'); // waits for the resume
  // A resume whose connection drops before the client read its WELCOME
  // (and the replay): nothing is sent on it.
  const lost = await connect(url);
  lost.ws.send(hello({ id: first.id, epoch: first.epoch, received: 2 }));
  await waitFor(() => lost.frames.length === 3, 'the WELCOME and the replay');
  const lostWelcome = parseWelcome(lost.frames[0].data);
  assert.equal(lostWelcome.resumed, 1);
  assert.notDeepEqual(lostWelcome.id, first.id, 'the resume issued a new id');
  assert.deepEqual(lost.frames.slice(1).map(({ data }) => data.toString()), ['s3', 's4']);
  lost.ws.terminate();
  await waitFor(() => !session.attached, 'detached again');
  // The client never saw the new id: it presents the old one, and resumes.
  assert.deepEqual(client.id, first.id);
  const welcome = await client.connect();
  assert.equal(welcome.resumed, 1, `resumed with the old id: ${JSON.stringify(welcome)}`);
  assert.equal(welcome.received, 2);
  assert.ok(![first.id, lostWelcome.id].some((id) => id.equals(welcome.id)), 'a new id again');
  await waitFor(() => client.received === 4 && session.received === 3, 'the replay both ways');
  await sleep(50);
  assert.deepEqual(client.got.map(({ data }) => data.toString()), ['s1', 's2', 's3', 's4'], 'none missing, none twice, in order');
  assert.deepEqual(got, ['c1', 'c2', 'c3'], 'none missing, none twice, in order');
  assert.deepEqual([session.attached, session.ended, ends], [true, false, []]);
  // c3 went on the new connection: the client has the new id. The id
  // current before this resume is the retired one now (4412); the one
  // retired before it is forgotten (4411, which ends nothing).
  assert.equal(await closeCodeFor(url, hello({ id: first.id, epoch: first.epoch, received: 4 })), 4411);
  assert.deepEqual([session.attached, session.ended], [true, false]);
  assert.equal(await closeCodeFor(url, hello({ id: lostWelcome.id, epoch: first.epoch, received: 4 })), 4412);
  assert.deepEqual(ends, ['refused']);
  assert.equal((await closeOf(client.peer)).code, 4412);
});

test('a retired id is refused with 4412 once a frame came on the connection given its successor, though that one dropped: the session ends', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  const first = await client.connect();
  const [session] = sessions;
  session.send('s1');
  await waitFor(() => client.received === 1, 'a message');
  client.drop();
  await waitFor(() => !session.attached, 'detached');
  const second = await client.connect();
  assert.equal(second.resumed, 1);
  client.ack(); // one frame: the client has the new id
  await waitFor(() => session.acks.received === 1, 'the ACK');
  client.drop();
  await waitFor(() => !session.attached, 'detached again');
  const ended = nextEvent(session, 'end');
  assert.equal((await client.connect({ id: first.id, epoch: first.epoch })).code, 4412);
  assert.equal(await ended, 'refused');
  assert.equal(session.ended, true);
  assert.equal((await client.connect({ id: second.id, epoch: second.epoch })).code, 4411, 'the session is gone');
});

test("refusals: 4413 when the client claims more than the server sent, or fewer than it acknowledged", async (t) => {
  const { url, sessions } = await serve(t);
  const a = new Client(url);
  const welcomeA = await a.connect();
  sessions[0].send('1');
  sessions[0].send('2');
  await waitFor(() => a.received === 2, 'two messages');
  a.drop();
  const endA = nextEvent(sessions[0], 'end');
  assert.equal(await closeCodeFor(url, hello({ id: welcomeA.id, epoch: welcomeA.epoch, received: 3 })), 4413);
  assert.equal(await endA, 'refused');

  const b = new Client(url);
  const welcomeB = await b.connect();
  for (const text of ['1', '2', '3']) sessions[1].send(text);
  await waitFor(() => b.received === 3, 'three messages');
  b.ack(2);
  await waitFor(() => sessions[1].unconfirmed === 1, 'the ACK');
  b.drop();
  assert.equal(await closeCodeFor(url, hello({ id: welcomeB.id, epoch: welcomeB.epoch, received: 1 })), 4413);
  assert.equal(sessions[1].ended, true);
  await freshWorks(url);
});

test('4400 for malformed or out-of-order frames; the server keeps serving after each', async (t) => {
  // Without a plain fallback, anything but a HELLO first is an error.
  const { url, sessions, delivery } = await serve(t);
  const short = hello().subarray(0, 20);
  const badMagic = hello({ magic: 'WSDX' });
  const cases = [
    ['a short HELLO', [short]],
    ['a HELLO with a bad magic', [badMagic]],
    ['a HELLO of version 2', [hello({ version: 2 })]],
    ['a HELLO with a zero window', [hello({ messages: 0 })]],
    ['a new session that claims messages', [hello({ received: 5 })]],
    ['data before HELLO', ['hello?']],
    ['DATA before HELLO', [dataFrame(Buffer.from('x'))]],
  ];
  for (const [what, frames] of cases) {
    assert.equal(await closeCodeFor(url, ...frames), 4400, what);
    await freshWorks(url);
  }
  const before = sessions.length;
  // On a session's connection: the session waits for a resume, not ended.
  const attachedCases = [
    ['an unknown type byte', () => [Buffer.from([0x09])]],
    ['an empty binary frame', () => [Buffer.alloc(0)]],
    ['an ACK beyond what was sent', () => [ackFrame(1)]],
    ['an ACK of the wrong length', () => [Buffer.from([0x03, 0])]],
    ['a second HELLO', (client) => [hello({ id: client.id, epoch: client.epoch })]],
    ['a WELCOME from the client', () => [Buffer.concat([Buffer.from([0x02]), hello().subarray(1), Buffer.from([0])])]],
    ['a PING with a body', () => [Buffer.from([0x04, 1])]],
  ];
  for (const [what, frames] of attachedCases) {
    const client = new Client(url);
    await client.connect();
    for (const frame of frames(client)) client.peer.ws.send(frame);
    assert.equal((await closeOf(client.peer)).code, 4400, what);
    const session = sessions.at(-1);
    assert.equal(session.ended, false, `${what}: the session lives on`);
    const welcome = await client.connect();
    assert.equal(welcome.resumed, 1, `${what}: resumed afterwards`);
    client.peer.ws.close();
  }
  // An ACK that goes backwards.
  const client = new Client(url);
  await client.connect();
  const session = sessions.at(-1);
  session.send('a');
  session.send('b');
  await waitFor(() => client.received === 2, 'two messages');
  client.ack(2);
  await waitFor(() => session.unconfirmed === 0, 'ACK(2)');
  client.ack(1);
  assert.equal((await closeOf(client.peer)).code, 4400, 'an ACK that goes backwards');
  assert.equal(sessions.length, before + attachedCases.length + 1);
  // Detached, not ended: each waits for a resume (freshWorks' ones too).
  assert.equal(delivery.store.size, cases.length + attachedCases.length + 1);
  assert.ok(sessions.every((s) => !s.ended));
  await freshWorks(url);
});

test('store bounds: the oldest detached session is evicted; 1013 when every session is attached', async (t) => {
  const store = new MemorySessionStore({ maxSessions: 2 });
  const { url, sessions } = await serve(t, { store });
  const a = new Client(url);
  const b = new Client(url);
  await a.connect();
  await b.connect();
  const [sessionA, sessionB] = sessions;
  const ends = [];
  sessionA.on('end', (reason) => ends.push(['A', reason]));
  sessionB.on('end', (reason) => ends.push(['B', reason]));
  a.drop();
  await waitFor(() => !sessionA.attached, 'A detached');
  await sleep(5);
  b.drop();
  await waitFor(() => !sessionB.attached, 'B detached');
  const c = new Client(url);
  assert.equal((await c.connect()).resumed, 0);
  assert.deepEqual(ends, [['A', 'evicted']], 'the one detached longest');
  assert.equal(store.size, 2);
  assert.equal((await a.connect()).code, 4411, 'the evicted session is gone');
  assert.equal((await b.connect()).resumed, 1, 'B was kept');
  const d = new Client(url);
  assert.equal((await d.connect()).code, 1013, 'B and C attached: no room');
  assert.equal(store.size, 2);
  assert.deepEqual(ends, [['A', 'evicted']]);
});

test('store bounds: a detached session older than maxAgeMs expires', async (t) => {
  const store = new MemorySessionStore({ maxAgeMs: 100 });
  const { url, sessions } = await serve(t, { store });
  const client = new Client(url);
  await client.connect();
  const [session] = sessions;
  const ended = nextEvent(session, 'end');
  await sleep(200);
  assert.equal(session.ended, false, 'an attached session never expires');
  const detachedAt = Date.now();
  client.drop();
  assert.equal(await ended, 'expired');
  const age = Date.now() - detachedAt;
  assert.ok(age >= 100 && age < 1000, `expired after ${age} ms`);
  assert.equal(store.size, 0);
  assert.equal((await client.connect()).code, 4411);
});

test("a full backlog makes send throw ERR_DELIVERY_BACKLOG_FULL; acknowledgements make room; nothing is dropped", async (t) => {
  const { url, sessions } = await serve(t, { window: { messages: 2 }, backlog: { messages: 3, bytes: 1000 } });
  const client = new Client(url);
  await client.connect();
  const [session] = sessions;
  assert.deepEqual(range(5).map((i) => session.send(`m${i}`)), [1, 2, 3, 4, 5]);
  assert.throws(() => session.send('m5'), (err) => {
    assert.equal(err.code, 'ERR_DELIVERY_BACKLOG_FULL');
    assert.match(err.message, /backlog is full: 3 messages/);
    return true;
  });
  assert.equal(session.unconfirmed, 5);
  await sleep(50);
  assert.deepEqual(client.got.map(({ data }) => data.toString()), ['m0', 'm1'], 'the window holds 2');
  client.ack(2);
  await waitFor(() => client.received === 4, 'two from the backlog');
  assert.equal(session.send('m5'), 6);
  client.ack(4);
  await waitFor(() => client.received === 6, 'the rest');
  assert.deepEqual(client.got.map(({ data }) => data.toString()), range(6).map((i) => `m${i}`));
  // The byte bound: 600 + 600 > 1000 (a first message bigger than it would go alone).
  client.drop();
  await waitFor(() => !session.attached, 'detached');
  session.send('w'.repeat(10));
  session.send('w'.repeat(10)); // the window (2) is full again: these wait
  session.send('x'.repeat(600));
  assert.throws(() => session.send('y'.repeat(600)), { code: 'ERR_DELIVERY_BACKLOG_FULL' });
});

test('PING is answered with PONG; PONG is ignored; neither is numbered', async (t) => {
  const { url, sessions } = await serve(t);
  const client = new Client(url);
  await client.connect();
  client.peer.ws.send(Buffer.from([0x04]));
  client.peer.ws.send(Buffer.from([0x05]));
  client.peer.ws.send(Buffer.from([0x04]));
  await waitFor(() => client.pongs === 2, 'two PONGs');
  client.send('after');
  await waitFor(() => sessions[0].received === 1, 'one data message');
  assert.equal(client.received, 0);
  assert.equal(sessions[0].received, 1, 'PING and PONG are not data');
});

/** Whether a frame a raw peer got is the protocol's PING. */
const isPing = ({ data, isBinary }) => isBinary && data.length === 1 && data[0] === 0x04;

test('heartbeat: a PING every pingIntervalMs; a connection silent for two intervals is cut, and its session detaches, then expires', async (t) => {
  const INTERVAL = 100;
  const store = new MemorySessionStore({ maxAgeMs: 150 });
  const { url, sessions, delivery } = await serve(t, { pingIntervalMs: INTERVAL, store });
  let startedAt = null;
  delivery.on('session', () => (startedAt = Date.now()));
  // A client gone without a FIN: its socket is open, but it answers nothing.
  const dead = await connect(url);
  dead.ws.send(hello());
  await waitFor(() => sessions.length === 1 && dead.frames.length === 1, 'the session and its WELCOME');
  const welcome = parseWelcome(dead.frames[0].data);
  const [session] = sessions;
  const ended = nextEvent(session, 'end', 3000);
  await nextEvent(session, 'detach', 3 * INTERVAL + 300);
  const detachedAfter = Date.now() - startedAt;
  assert.equal(session.attached, false);
  assert.ok(detachedAfter >= 2 * INTERVAL - 5 && detachedAfter < 3 * INTERVAL + 300, `detached after ${detachedAfter} ms`);
  assert.equal((await closeOf(dead)).code, 1006, 'terminated, no close frame');
  assert.ok(dead.frames.length >= 2, `${dead.frames.length} frames`);
  assert.ok(dead.frames.slice(1).every(isPing), 'after the WELCOME, only PINGs');
  assert.equal(await ended, 'expired');
  assert.equal(store.size, 0);
  assert.equal(await closeCodeFor(url, hello({ id: welcome.id, epoch: welcome.epoch })), 4411);
});

test('heartbeat: a dead client does not hold the store: 1013 while its session is attached, evicted once it is cut', async (t) => {
  const INTERVAL = 100;
  const store = new MemorySessionStore({ maxSessions: 1, maxAgeMs: 60_000 });
  const { url, sessions } = await serve(t, { pingIntervalMs: INTERVAL, store });
  const dead = await connect(url);
  dead.ws.send(hello());
  await waitFor(() => sessions.length === 1, 'the session');
  const [session] = sessions;
  const detached = nextEvent(session, 'detach', 3 * INTERVAL + 300);
  const ended = nextEvent(session, 'end', 3000);
  const client = new Client(url);
  assert.equal((await client.connect()).code, 1013, 'the dead one is still attached: no room');
  await detached;
  assert.equal((await client.connect()).resumed, 0, 'a new session');
  assert.equal(await ended, 'evicted');
  assert.equal(store.size, 1);
});

test('heartbeat: a client that answers PONG, or sends anything, stays attached; pingIntervalMs 0 sends no PING', async (t) => {
  const INTERVAL = 50;
  const { url, sessions } = await serve(t, { pingIntervalMs: INTERVAL });
  const answering = new Client(url);
  await answering.connect();
  // Ignores PINGs, but talks: any frame shows the connection is alive.
  const chatty = await connect(url);
  chatty.ws.send(hello());
  await waitFor(() => chatty.frames.length === 1, 'the WELCOME');
  const talk = setInterval(() => chatty.ws.send('still here'), INTERVAL / 2);
  t.after(() => clearInterval(talk));
  const detaches = [];
  for (const session of sessions) session.on('detach', () => detaches.push(session.id));
  await sleep(12 * INTERVAL);
  clearInterval(talk);
  assert.deepEqual(detaches, []);
  assert.deepEqual(sessions.map((session) => session.attached), [true, true]);
  assert.ok(answering.pings >= 5, `${answering.pings} PINGs answered`);
  assert.ok(chatty.frames.filter(isPing).length >= 5, `${chatty.frames.filter(isPing).length} PINGs ignored`);
  assert.ok(sessions[1].received >= 10, `${sessions[1].received} messages`);
  assert.equal(answering.received, 0, 'PINGs are not data');
  sessions[0].send('after');
  await waitFor(() => answering.received === 1, 'a message after the PINGs');

  const off = await serve(t, { pingIntervalMs: 0 });
  const quiet = await connect(off.url);
  quiet.ws.send(hello());
  await sleep(300);
  assert.equal(quiet.frames.length, 1, 'the WELCOME, and no PING');
  assert.equal(off.sessions[0].attached, true);
  quiet.ws.close();
  assert.throws(() => new DeliveryServer({ pingIntervalMs: -1 }), RangeError);
});

test("a listener that throws: the message still counts once, the error goes to the server's 'error' event", async (t) => {
  const { url, sessions, errors } = await serve(t);
  const client = new Client(url);
  await client.connect();
  sessions[0].on('message', () => {
    throw new Error('listener bug');
  });
  client.send('one');
  client.send('two');
  await waitFor(() => client.acks.at(-1) === 2, 'ACK(2)');
  assert.deepEqual(errors.map((e) => e.message), ['listener bug', 'listener bug']);
  assert.equal(client.peer.ws.readyState, WebSocket.OPEN);
});

test('plain fallback: a first frame that is not a HELLO, or silence, hands the socket to onPlain', async (t) => {
  const plains = [];
  const { url, outcomes } = await serve(t, { helloWaitMs: 150 }, () => ({
    onPlain(ws, first) {
      plains.push({ first: first && { text: Buffer.from(first.data).toString('hex'), isBinary: first.isBinary }, at: Date.now() });
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })); // the app's own echo
      if (first) ws.send(first.data, { binary: first.isBinary });
      else ws.send('you said nothing');
    },
  }));
  const text = await connect(url);
  text.ws.send('hi');
  text.ws.send('again');
  await waitFor(() => text.frames.length === 2, 'two echoes');
  assert.deepEqual(text.frames.map(({ data, isBinary }) => [data.toString(), isBinary]), [['hi', false], ['again', false]]);
  assert.deepEqual(plains[0].first, { text: Buffer.from('hi').toString('hex'), isBinary: false });

  // Binary that starts with HELLO's type byte but not its magic is plain data.
  const binary = await connect(url);
  binary.ws.send(Buffer.from([1, 2, 3]));
  await waitFor(() => binary.frames.length === 1, 'the binary echo');
  assert.deepEqual([...binary.frames[0].data], [1, 2, 3]);
  assert.equal(binary.frames[0].isBinary, true);

  const silent = await connect(url);
  const opened = Date.now();
  await waitFor(() => silent.frames.length === 1, 'the app greeting after the wait');
  const waited = plains.at(-1).at - opened;
  assert.ok(waited >= 140 && waited < 1000, `onPlain after ${waited} ms`);
  assert.equal(plains.at(-1).first, null);
  assert.equal(silent.frames[0].data.toString(), 'you said nothing');

  // With the magic it is a HELLO: malformed ones are errors, good ones sessions.
  assert.equal(await closeCodeFor(url, hello().subarray(0, 30)), 4400);
  await freshWorks(url);
  await waitFor(() => outcomes.length === 5, 'five outcomes');
  assert.deepEqual(outcomes, ['plain', 'plain', 'plain', 'refused', 'session']);
  for (const peer of [text, binary, silent]) peer.ws.close();
});

test('helloWaitMs: 0 is plain at once, Infinity waits for the first frame; without onPlain, silence is refused with 4400', async (t) => {
  const immediate = await serve(t, { helloWaitMs: 0 }, () => ({ onPlain: (ws) => ws.send('plain at once') }));
  const peer = await connect(immediate.url);
  await waitFor(() => peer.frames.length === 1, 'the greeting');
  assert.equal(peer.frames[0].data.toString(), 'plain at once');
  peer.ws.close();

  const patient = await serve(t, { helloWaitMs: Infinity }, () => ({ onPlain: (ws) => ws.send('plain') }));
  const late = await connect(patient.url);
  await sleep(300);
  assert.deepEqual(late.frames, [], 'still waiting');
  late.ws.send(hello());
  await waitFor(() => late.frames.length === 1, 'the WELCOME');
  assert.equal(parseWelcome(late.frames[0].data).type, 0x02);
  late.ws.close();

  const strict = await serve(t, { helloWaitMs: 100 });
  const silent = await connect(strict.url);
  assert.deepEqual(await closeOf(silent), { code: 4400, reason: 'no HELLO' });
  assert.throws(() => new DeliveryServer({ helloWaitMs: -1 }), RangeError);
  assert.throws(() => new DeliveryServer({ window: { messages: 0 } }), RangeError);
  assert.throws(() => new DeliveryServer({ store: {} }), TypeError);
});

test("the test server's /delivery: echo through the session, control endpoints, and a plain echo for plain clients", async (t) => {
  const { server, close } = createServer({ quiet: true });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const control = async (path) => {
    const res = await fetch(`http://${base}/control/${path}`);
    return { status: res.status, text: await res.text() };
  };
  assert.deepEqual(stateOf((await control('delivery-state?key=d1')).text), { received: null, unconfirmed: null, attached: false, sessions: 0 });
  assert.deepEqual(await control('delivery-received?key=d1'), { status: 200, text: '[]' });
  assert.equal((await control('delivery-burst?key=d1&count=1&size=4')).status, 404);

  const client = new Client(`ws://${base}/delivery?key=d1`);
  assert.equal((await client.connect()).resumed, 0);
  client.send('text echo');
  for (const i of [0, 1, 2]) client.send(numbered(i, 8));
  await waitFor(() => client.received === 4, 'four echoes');
  assert.deepEqual(client.got.map(({ data, isBinary }) => [data.toString('hex'), isBinary]), [
    [Buffer.from('text echo').toString('hex'), false],
    ...[0, 1, 2].map((i) => [numbered(i, 8).toString('hex'), true]),
  ]);
  assert.deepEqual(JSON.parse((await control('delivery-received?key=d1')).text), [0, 1, 2]);

  assert.deepEqual(await control('delivery-burst?key=d1&count=50&size=16'), { status: 200, text: '50' });
  await waitFor(() => client.received === 54, 'the burst');
  assert.deepEqual(client.got.slice(4).map(({ data }) => [data.readUInt32BE(0), data.length]), range(50).map((i) => [i, 16]));
  client.ack();
  await sleep(100);
  assert.deepEqual(stateOf((await control('delivery-state?key=d1')).text), { received: 4, unconfirmed: 0, attached: true, sessions: 1 });
  assert.equal(JSON.parse((await control('delivery-state?key=d1')).text).acks.received, 1, "the client's one ACK");
  assert.equal((await control('delivery-burst?key=d1&count=0')).status, 400);

  // Stall, then drop: the client's sends while stalled are not lost.
  assert.deepEqual(await control('delivery-stall?key=d1'), { status: 200, text: '1' });
  for (const i of [3, 4, 5]) client.send(numbered(i, 8));
  await sleep(50);
  assert.deepEqual(JSON.parse((await control('delivery-received?key=d1')).text), [0, 1, 2], 'not read while stalled');
  assert.equal((await control('drop?key=d1')).text, '1');
  assert.equal((await closeOf(client.peer)).code, 1006);
  const welcome = await client.connect();
  assert.equal(welcome.resumed, 1);
  await waitFor(() => client.received === 57, 'the echoes of the stalled sends');
  assert.deepEqual(JSON.parse((await control('delivery-received?key=d1')).text), [0, 1, 2, 3, 4, 5]);

  // A plain client on the same URL: a plain echo, no session.
  const plain = await connect(`ws://${base}/delivery?key=p1`);
  plain.ws.send('plain hello');
  plain.ws.send(Buffer.from([1, 2]));
  await waitFor(() => plain.frames.length === 2, 'the plain echoes');
  assert.deepEqual(plain.frames.map(({ data, isBinary }) => [data.toString('hex'), isBinary]), [
    [Buffer.from('plain hello').toString('hex'), false],
    ['0102', true],
  ]);
  assert.equal(JSON.parse((await control('delivery-state?key=p1')).text).attached, false, 'no session for a plain client');
  plain.ws.close();
});

test("/delivery: bursts and echoes beyond the session's window and backlog wait, and go as acks free room", async (t) => {
  const { server, close } = createServer({ quiet: true, delivery: { window: { messages: 4 }, backlog: { messages: 4 } } });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const client = new Client(`ws://${base}/delivery?key=small`);
  await client.connect();
  client.onData = () => client.ack(); // a client acknowledging each message
  const burst = await fetch(`http://${base}/control/delivery-burst?key=small&count=30&size=8&from=100`);
  assert.equal(await burst.text(), '30');
  for (let i = 0; i < 20; i++) client.send(`echo ${i}`);
  await waitFor(() => client.received === 50, 'the burst and the echoes', 10_000);
  assert.deepEqual(client.got.filter((m) => m.isBinary).map(({ data }) => data.readUInt32BE(0)), range(30).map((i) => 100 + i));
  assert.deepEqual(client.got.filter((m) => !m.isBinary).map(({ data }) => data.toString()), range(20).map((i) => `echo ${i}`));
  await sleep(50);
  const state = stateOf(await (await fetch(`http://${base}/control/delivery-state?key=small`)).text());
  assert.deepEqual(state, { received: 20, unconfirmed: 0, attached: true, sessions: 1 });
});

test('/delivery with the browser tests\' load: 400 × 64 KiB each way, stalled then dropped mid-burst, once each, in order', async (t) => {
  const { server, close } = createServer({ quiet: true });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const control = (path) => fetch(`http://${base}/control/${path}`).then((res) => res.text());
  const SIZE = 64 * 1024;

  // Client to server (the echoes come back meanwhile, acknowledged).
  const up = new Client(`ws://${base}/delivery?key=up`);
  await up.connect();
  up.onData = () => up.ack();
  assert.equal(await control('delivery-stall?key=up'), '1');
  for (let i = 0; i < 400; i++) up.send(numbered(i, SIZE));
  await sleep(200);
  assert.equal(JSON.parse(await control('delivery-state?key=up')).received, 0, 'nothing read while stalled');
  assert.equal(await control('drop?key=up'), '1');
  assert.equal((await closeOf(up.peer)).code, 1006);
  assert.equal((await up.connect()).resumed, 1);
  await waitFor(() => up.acks.at(-1) === 400 && up.received === 400, 'all 400 up and echoed', 20_000);
  assert.deepEqual(JSON.parse(await control('delivery-received?key=up')), range(400));
  assert.deepEqual(up.got.map(({ data }) => data.readUInt32BE(0)), range(400), 'the echoes too');

  // Server to client: the burst is more than the window and backlog hold.
  const down = new Client(`ws://${base}/delivery?key=down`);
  await down.connect();
  down.onData = () => {
    if (down.received % 50 === 0) down.ack();
    if (down.received === 150) down.drop();
  };
  assert.equal(await control('delivery-burst?key=down&count=400&size=65536'), '400');
  await waitFor(() => down.peer === null, 'the drop');
  assert.equal((await down.connect()).resumed, 1);
  await waitFor(() => down.received === 400, 'all 400 down', 20_000);
  down.ack();
  assert.deepEqual(down.got.map(({ data }) => [data.readUInt32BE(0), data.length]), range(400).map((i) => [i, SIZE]));
  await sleep(50);
  assert.deepEqual(stateOf(await control('delivery-state?key=down')), { received: 0, unconfirmed: 0, attached: true, sessions: 2 });
});

test('/delivery-bad answers the HELLO with a WELCOME, then the protocol error asked for', async (t) => {
  const { server, close } = createServer({ quiet: true });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const expected = { 'ack-beyond': '0300000000000003e8', 'ack-short': '030000', 'unknown-type': '09' };
  for (const [frame, hex] of Object.entries(expected)) {
    const peer = await connect(`ws://${base}/delivery-bad?frame=${frame}`);
    peer.ws.send(hello());
    await waitFor(() => peer.frames.length === 2, `${frame}: two frames`);
    assert.equal(parseWelcome(peer.frames[0].data).resumed, 0);
    assert.equal(peer.frames[1].data.toString('hex'), hex, frame);
    peer.ws.close();
  }
  const again = await connect(`ws://${base}/delivery-bad?frame=welcome-again`);
  again.ws.send(hello());
  await waitFor(() => again.frames.length === 2, 'two WELCOMEs');
  assert.deepEqual(again.frames.map(({ data }) => parseWelcome(data).type), [0x02, 0x02]);
  again.ws.close();
});

test('chat: a delivery client is a member by its session: exactly once across a drop, and it leaves when the session ends', async (t) => {
  const { server, close } = createServer({ quiet: true, chat: { helloWaitMs: 100, noticeMs: 60_000 } });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const ann = new Client(`ws://${base}/room/dl?nick=Ann`);
  assert.equal((await ann.connect()).resumed, 0);
  const messages = (client) => client.got.map(({ data }) => JSON.parse(data.toString()));
  await waitFor(() => ann.received === 2, 'welcome and join');
  assert.deepEqual(messages(ann).map((m) => [m.type, m.you ?? m.nick, m.members]), [['welcome', 'Ann', 1], ['join', 'Ann', 1]]);

  const bob = await connect(`ws://${base}/room/dl?nick=Bob`); // plain
  bob.ws.send(JSON.stringify({ type: 'say', text: 'hi Ann' }));
  await waitFor(() => ann.received === 4, "Bob's join and message");
  ann.send(JSON.stringify({ type: 'say', text: 'hi Bob' }));
  await waitFor(() => bob.frames.some((f) => f.data.toString().includes('hi Bob')), "Ann's message at Bob");

  // Ann's connection drops: she stays in the room, and gets what was said meanwhile.
  ann.drop();
  await sleep(50);
  for (const i of [1, 2, 3]) bob.ws.send(JSON.stringify({ type: 'say', text: `while away ${i}` }));
  await sleep(50);
  const atBob = () => bob.frames.map(({ data }) => JSON.parse(data.toString()));
  assert.equal(atBob().filter((m) => m.type === 'leave').length, 0, 'no leave while the session lives');
  assert.equal((await ann.connect()).resumed, 1);
  await waitFor(() => messages(ann).filter((m) => m.type === 'message').length === 5, 'the messages said while away');
  await sleep(100);
  assert.deepEqual(
    messages(ann).filter((m) => m.type === 'message').map((m) => `${m.nick}: ${m.text}`),
    ['Bob: hi Ann', 'Ann: hi Bob', 'Bob: while away 1', 'Bob: while away 2', 'Bob: while away 3'],
    'each once, in order',
  );
  // A limit ends the session; then Ann leaves.
  ann.peer.ws.send(Buffer.from([0x00, 1, 2])); // binary data: not chat
  assert.equal((await closeOf(ann.peer)).code, 1008);
  await waitFor(() => atBob().some((m) => m.type === 'leave'), "Ann's leave");
  assert.deepEqual(atBob().filter((m) => m.type === 'leave').map((m) => [m.nick, m.members]), [['Ann', 1]]);
  bob.ws.close();
});

test("chat: a delivery member's rate is a bucket: a burst of rateBurst at once is allowed, one more is closed with 1008", async (t) => {
  const { server, close } = createServer({ quiet: true, chat: { helloWaitMs: 100, noticeMs: 60_000, rateCount: 2, rateWindowMs: 60_000, rateBurst: 6 } });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const ann = new Client(`ws://${base}/room/burst?nick=Ann`);
  await ann.connect();
  const messages = () => ann.got.map(({ data }) => JSON.parse(data.toString()));
  await waitFor(() => ann.received === 2, 'welcome and join');
  assert.deepEqual(messages()[0].rate, { count: 2, windowMs: 60_000, burst: 6 });
  const say = (text) => ann.send(JSON.stringify({ type: 'say', text }));
  for (let i = 1; i <= 3; i++) say(`burst ${i}`);
  // Dropped mid-burst: the rest go after the resume, bunched with what was
  // in flight, and nothing is counted twice.
  ann.drop();
  for (let i = 4; i <= 6; i++) say(`burst ${i}`);
  assert.equal((await ann.connect()).resumed, 1);
  await waitFor(() => messages().filter((m) => m.type === 'message').length === 6, 'the six messages');
  assert.deepEqual(messages().filter((m) => m.type === 'message').map((m) => m.text), [1, 2, 3, 4, 5, 6].map((i) => `burst ${i}`));
  assert.equal(ann.peer.close, null, 'still a member');
  say('one too many');
  assert.equal((await closeOf(ann.peer)).code, 1008);
});

test('chat: a delivery member whose client closes with 1000 (it left) leaves at once; a close without a code keeps its place', async (t) => {
  const { server, close } = createServer({ quiet: true, chat: { helloWaitMs: 100, noticeMs: 60_000 } });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close());
  const base = `127.0.0.1:${server.address().port}`;
  const bob = await connect(`ws://${base}/room/bye?nick=Bob`); // plain
  const atBob = () => bob.frames.map(({ data }) => JSON.parse(data.toString()));
  await waitFor(() => atBob().some((m) => m.type === 'welcome'), "Bob's welcome (once he is known to be plain)");
  const ann = new Client(`ws://${base}/room/bye?nick=Ann`);
  await ann.connect();
  await waitFor(() => atBob().some((m) => m.type === 'join' && m.nick === 'Ann'), "Ann's join");
  ann.peer.ws.close(); // no code (1005): as the client's own closes while it reconnects
  await sleep(200);
  assert.equal(atBob().filter((m) => m.type === 'leave').length, 0, 'no leave: the session waits for a resume');
  assert.equal((await ann.connect()).resumed, 1);
  ann.peer.ws.close(1000, 'left');
  await waitFor(() => atBob().some((m) => m.type === 'leave'), "Ann's leave");
  assert.deepEqual(atBob().filter((m) => m.type === 'leave').map((m) => [m.nick, m.members]), [['Ann', 1]]);
  assert.equal((await ann.connect()).code, 4411, 'the session ended: no resume');
  bob.ws.close();
});
