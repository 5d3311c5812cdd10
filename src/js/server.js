// The server side of end-to-end delivery (docs/delivery.md, protocol
// version 1) for Node's `ws`: the npm export `wasm-websocket/server`.
// It imports only Node's builtins: the application creates the `ws`
// WebSocketServer and hands each connection to `DeliveryServer.accept`.
//
//   import { WebSocketServer } from 'ws';
//   import { DeliveryServer } from 'wasm-websocket/server';
//
//   const delivery = new DeliveryServer();
//   delivery.on('session', (session) => {
//     session.on('message', (data, isBinary) => session.send(isBinary ? data : data.toString()));
//     session.on('end', (reason) => console.log(`session ${session.id} ended: ${reason}`));
//   });
//   new WebSocketServer({ port: 8080 }).on('connection', (ws) => delivery.accept(ws));
//
// A session outlives its connections: messages the application sends while
// the client is away wait (bounded) and go out when it resumes; messages
// from the client reach the 'message' listeners exactly once, in order.
// src/js/server.d.ts documents the API.
import { Buffer } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

const MAGIC = Buffer.from('WSDL', 'latin1');
const VERSION = 1;
const DATA = 0x00;
const HELLO = 0x01;
const WELCOME = 0x02;
const ACK = 0x03;
const PING = 0x04;
const PONG = 0x05;
const HELLO_LEN = 46;
const WELCOME_LEN = 47;
const ACK_LEN = 9;
const PING_FRAME = Buffer.from([PING]);
const PONG_FRAME = Buffer.from([PONG]);

/** `WebSocket.OPEN` of `ws` (and of the browser's WebSocket). */
const OPEN = 1;
const MIB = 1024 * 1024;
/** The longest delay setTimeout keeps; longer waits count as Infinity. */
const LONGEST_TIMER = 2 ** 31 - 1;

/** The reason a session ended, and the close code its connection (if any) gets. */
const END_CODES = { closed: 1000, expired: 1001, evicted: 1001, refused: 4412 };

const noop = () => {};

/** Creates the token that lets only this module construct Sessions. */
const internal = Symbol('wasm-websocket/server internal');
const kStart = Symbol('start');
const kResume = Symbol('resume');
const kCheck = Symbol('check');
const kRetiredOk = Symbol('retiredOk');
const kWireId = Symbol('wireId');
const kFinish = Symbol('finish');

/** An Error with a `code`, like Node's own. */
function codedError(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

/** The bytes of a `ws` 'message' payload, whatever the socket's binaryType. */
function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data));
}

/** A number from a u64 field; one beyond JavaScript's exact integers is Infinity (absurd anyway). */
function readU64(buffer, offset) {
  const value = buffer.readBigUInt64BE(offset);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Infinity;
}

function ackFrame(received) {
  const frame = Buffer.alloc(ACK_LEN);
  frame[0] = ACK;
  frame.writeBigUInt64BE(BigInt(received), 1);
  return frame;
}

function welcomeFrame(id, epoch, received, window, resumed) {
  const frame = Buffer.alloc(WELCOME_LEN);
  frame[0] = WELCOME;
  MAGIC.copy(frame, 1);
  frame[5] = VERSION;
  id.copy(frame, 6);
  epoch.copy(frame, 22);
  frame.writeBigUInt64BE(BigInt(received), 30);
  frame.writeUInt32BE(window.messages, 38);
  frame.writeUInt32BE(window.bytes, 42);
  frame[46] = resumed ? 1 : 0;
  return frame;
}

/** A HELLO's fields, or the reason (a string) it is malformed. */
function parseHello(frame) {
  if (frame.length !== HELLO_LEN) return 'a HELLO frame of the wrong length';
  if (!frame.subarray(1, 5).equals(MAGIC) || frame[5] !== VERSION) return 'a HELLO of another protocol or version';
  const id = Buffer.from(frame.subarray(6, 22));
  const epoch = Buffer.from(frame.subarray(22, 30));
  const window = { messages: frame.readUInt32BE(38), bytes: frame.readUInt32BE(42) };
  if (window.messages === 0 || window.bytes === 0) return 'a window of zero messages or bytes';
  return { id, epoch, received: readU64(frame, 30), window, fresh: id.every((b) => b === 0) };
}

/** Sends without throwing (a socket that is closing drops it; the session keeps the message). */
function write(ws, payload) {
  try {
    ws.send(payload);
  } catch {
    // ws throws only while CONNECTING, which an accepted socket never is.
  }
}

/** Closes without throwing, whatever state the socket is in. */
function closeSocket(ws, code, reason) {
  try {
    ws.close(code, reason);
  } catch {
    try {
      ws.terminate();
    } catch {
      // Nothing left to close.
    }
  }
}

/** Refuses a connection: a close code from the table in docs/delivery.md. */
function refuse(ws, code, reason) {
  ws.on('error', noop); // a peer that misbehaves while closing must not crash the process
  closeSocket(ws, code, reason);
}

/** A queue with O(1) shift, for the unacknowledged messages and the backlog. */
class Queue {
  #items = [];
  #head = 0;
  get length() {
    return this.#items.length - this.#head;
  }
  push(item) {
    this.#items.push(item);
  }
  peek() {
    return this.#items[this.#head];
  }
  shift() {
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  clear() {
    this.#items = [];
    this.#head = 0;
  }
  *[Symbol.iterator]() {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i];
  }
}

/** A message as the session keeps it: what goes on the wire, and its size in the windows. */
function toItem(data) {
  if (typeof data === 'string') return { payload: data, size: Buffer.byteLength(data) };
  let bytes;
  if (Buffer.isBuffer(data) || ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer)) bytes = new Uint8Array(data);
  else throw new TypeError('session.send(data): data must be a string, a Buffer, an ArrayBuffer or a typed array');
  // A copy (the application may reuse its buffer), with the DATA type byte.
  const payload = Buffer.allocUnsafe(bytes.byteLength + 1);
  payload[0] = DATA;
  payload.set(bytes, 1);
  return { payload, size: bytes.byteLength };
}

function checkLimits(value, name, defaults, { min, max }) {
  if (value === undefined) return { ...defaults };
  if (value === null || typeof value !== 'object') throw new TypeError(`${name} must be an object { messages, bytes }`);
  const out = { ...defaults };
  for (const key of ['messages', 'bytes']) {
    if (value[key] === undefined) continue;
    const n = value[key];
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name}.${key} must be an integer from ${min} to ${max}, got ${n}`);
    out[key] = n;
  }
  return out;
}

function checkMs(value, name, { infinite }) {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!infinite && !Number.isFinite(value))) {
    throw new RangeError(`${name} must be a number of milliseconds, 0 or more${infinite ? ', or Infinity' : ''}; got ${value}`);
  }
  return value;
}

/**
 * One client's delivery session: it outlives its connections. Created by
 * a DeliveryServer (listen to its 'session' event); src/js/server.d.ts
 * documents the members.
 */
export class Session extends EventEmitter {
  #server;
  #report;
  #forget;
  #epoch;
  #wireId; // the secret on the wire (16 bytes), rotated on every resume
  // Whether a frame came on the connection that was given #wireId, after its
  // WELCOME: until one does, the client may not have the id yet, so the id
  // retired by that resume is still accepted (docs/delivery.md, Resume).
  #wireIdHeld = true;
  #id = randomUUID(); // the application's handle, never on the wire
  #ws = null;
  #unlisten = null;
  #ended = false;
  #detachedAt = null;
  #unconfirmedAtEnd = 0;
  // Server -> client: numbers #acked+1 ..= #sent are in #out (the window),
  // then #waiting (the backlog) in order; #written is the highest number
  // that ever went on a connection.
  #window;
  #backlog;
  #out = new Queue();
  #outBytes = 0;
  #waiting = new Queue();
  #waitingBytes = 0;
  #sent = 0;
  #acked = 0;
  #written = 0;
  // Client -> server.
  #received = 0;
  #announced = 0;
  #bytesSinceAck = 0;
  #ackTimer = null;
  #ackDelayMs;
  #peerWindow = { messages: 1, bytes: 1 };
  // Heartbeat: a PING every #pingIntervalMs while attached (0: none); a
  // connection silent for two whole intervals is terminated.
  #pingIntervalMs;
  #pingTimer = null;
  #heard = false; // a frame came since the last tick
  #silentTicks = 0;
  // ACK frames each way, for measuring how well they coalesce.
  #acksSent = 0;
  #acksReceived = 0;

  /** @internal Sessions are created by DeliveryServer. */
  constructor(token, config) {
    if (token !== internal) throw new TypeError('Session objects are created by DeliveryServer, not by new Session()');
    super();
    this.#server = config.server;
    this.#report = config.report;
    this.#forget = config.forget;
    this.#epoch = config.epoch;
    this.#wireId = config.wireId;
    this.#window = config.window;
    this.#backlog = config.backlog;
    this.#ackDelayMs = config.ackDelayMs;
    this.#pingIntervalMs = config.pingIntervalMs;
  }

  /** A stable opaque id for the application (not the secret the client presents). */
  get id() {
    return this.#id;
  }

  /** The DeliveryServer this session belongs to. */
  get server() {
    return this.#server;
  }

  /** Whether a connection is attached now. */
  get attached() {
    return this.#ws !== null;
  }

  /** Whether the session has ended ('end' fired). */
  get ended() {
    return this.#ended;
  }

  /** When the session's last connection went away (ms since 1970), or null while attached. */
  get detachedAt() {
    return this.#detachedAt;
  }

  /** Messages given to send() that the client has not acknowledged (in the window or the backlog). */
  get unconfirmed() {
    return this.#ended ? this.#unconfirmedAtEnd : this.#sent - this.#acked + this.#waiting.length;
  }

  /** ACK frames this session sent to its client and received from it (how well acks coalesce). */
  get acks() {
    return { sent: this.#acksSent, received: this.#acksReceived };
  }

  /** Messages from the client handed to the 'message' listeners in this session. */
  get received() {
    return this.#received;
  }

  /**
   * Sends a message: a string as a text frame, bytes as a binary DATA
   * frame. Returns its number in this session (1, 2, 3, …).
   */
  send(data) {
    if (this.#ended) throw codedError('ERR_DELIVERY_SESSION_ENDED', 'this delivery session has ended: nothing more can be sent in it');
    const item = toItem(data);
    if (this.#waiting.length === 0 && this.#hasRoom(item.size)) {
      this.#enter(item);
    } else if (this.#waiting.length < this.#backlog.messages && (this.#waiting.length === 0 || this.#waitingBytes + item.size <= this.#backlog.bytes)) {
      this.#waiting.push(item);
      this.#waitingBytes += item.size;
    } else {
      throw codedError(
        'ERR_DELIVERY_BACKLOG_FULL',
        `the session's backlog is full: ${this.#waiting.length} messages (${this.#waitingBytes} bytes) wait for the client to acknowledge ` +
          `${this.#out.length} (limits: ${this.#backlog.messages} messages, ${this.#backlog.bytes} bytes); this message was not queued`,
      );
    }
    return this.#sent + this.#waiting.length;
  }

  /** Ends the session (reason 'closed') and closes its connection, if any, with `code` and `reason`. */
  close(code = 1000, reason = '') {
    this[kFinish]('closed', code, reason);
  }

  /**
   * Ends the session with `reason`. For SessionStore implementations
   * ('expired', 'evicted'); applications call close().
   */
  end(reason) {
    if (!Object.hasOwn(END_CODES, reason)) throw new RangeError(`session.end(reason): reason must be one of ${Object.keys(END_CODES).join(', ')}`);
    const text = { closed: '', expired: 'session expired', evicted: 'session evicted', refused: 'session refused' }[reason];
    this[kFinish](reason, END_CODES[reason], text);
  }

  /** Whether a message of `size` bytes may enter the window (one bigger than the whole window goes alone). */
  #hasRoom(size) {
    const count = this.#out.length;
    return count < this.#window.messages && (count === 0 || this.#outBytes + size <= this.#window.bytes);
  }

  /** A message enters the window: numbered, kept, and written if a connection is attached. */
  #enter(item) {
    this.#out.push(item);
    this.#outBytes += item.size;
    this.#sent++;
    if (this.#ws) {
      write(this.#ws, item.payload);
      this.#written = this.#sent;
    }
  }

  /** Moves what the window has room for from the backlog into it. */
  #pump() {
    while (this.#waiting.length > 0 && this.#hasRoom(this.#waiting.peek().size)) {
      const item = this.#waiting.shift();
      this.#waitingBytes -= item.size;
      this.#enter(item);
    }
  }

  /** The client has the first `received` messages: drops them from the window. Returns whether that moved. */
  #acknowledge(received) {
    if (received <= this.#acked) return false;
    while (this.#acked < received) {
      this.#outBytes -= this.#out.shift().size;
      this.#acked++;
    }
    return true;
  }

  #emit(event, ...args) {
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.#report(error, this);
    }
  }

  #attach(ws) {
    this.#ws = ws;
    this.#detachedAt = null;
    this.#startHeartbeat(ws);
    const onMessage = (data, isBinary) => this.#frame(ws, data, isBinary);
    const onClose = () => {
      if (this.#ws !== ws) return;
      this.#detach();
      this.#emit('detach');
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', noop); // ws closes the connection after its 'error'; that close detaches
    this.#unlisten = () => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
    };
  }

  /** Lets go of the connection: 'terminate', { code, reason } to close it, or nothing (it closed). */
  #detach(how) {
    const ws = this.#ws;
    if (!ws) return;
    this.#unlisten();
    this.#unlisten = null;
    this.#ws = null;
    this.#detachedAt = Date.now();
    clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (how === 'terminate') {
      try {
        ws.terminate();
      } catch {
        // Already gone.
      }
    } else if (how) {
      closeSocket(ws, how.code, how.reason);
    }
  }

  /**
   * Every interval: a PING, and a connection that sent no frame for two
   * whole intervals is terminated (a peer gone without a FIN never closes
   * by itself): the session detaches, and ages out like any detached one.
   */
  #startHeartbeat(ws) {
    this.#heard = false;
    this.#silentTicks = 0;
    if (this.#pingIntervalMs === 0) return;
    this.#pingTimer = setInterval(() => {
      if (this.#ws !== ws) return;
      this.#silentTicks = this.#heard ? 0 : this.#silentTicks + 1;
      this.#heard = false;
      if (this.#silentTicks >= 2) {
        this.#detach('terminate');
        this.#emit('detach');
        return;
      }
      write(ws, PING_FRAME);
    }, this.#pingIntervalMs);
    this.#pingTimer.unref?.();
  }

  /** A malformed or out-of-order frame: 4400, and the session waits for a resume. */
  #violation(reason) {
    this.#detach({ code: 4400, reason });
    this.#emit('detach');
  }

  #frame(ws, data, isBinary) {
    if (this.#ws !== ws) return;
    this.#heard = true;
    this.#wireIdHeld = true;
    try {
      const frame = toBuffer(data);
      if (!isBinary) return this.#data(frame, false, frame.length);
      if (frame.length === 0) return this.#violation('an empty binary frame');
      switch (frame[0]) {
        case DATA:
          return this.#data(frame.subarray(1), true, frame.length - 1);
        case ACK: {
          if (frame.length !== ACK_LEN) return this.#violation('an ACK frame of the wrong length');
          this.#acksReceived++;
          const received = readU64(frame, 1);
          if (received < this.#acked) return this.#violation('an ACK that goes backwards');
          if (received > this.#written) return this.#violation('an ACK of messages never sent');
          if (!this.#acknowledge(received)) return;
          this.#pump();
          return this.#emit('delivered', this.#acked);
        }
        case PING:
          if (frame.length !== 1) return this.#violation('a PING frame with a body');
          return write(ws, PONG_FRAME);
        case PONG:
          if (frame.length !== 1) return this.#violation('a PONG frame with a body');
          return;
        case HELLO:
          return this.#violation('a second HELLO');
        case WELCOME:
          return this.#violation('a WELCOME sent to the server');
        default:
          return this.#violation('a binary frame of an unknown type');
      }
    } catch (error) {
      this.#report(error, this);
      if (this.#ws === ws) {
        this.#detach({ code: 1011, reason: 'internal error' });
        this.#emit('detach');
      }
    }
  }

  /** A data message from the client: to the listeners, then counted (and acknowledged, coalesced). */
  #data(payload, isBinary, size) {
    this.#emit('message', payload, isBinary);
    if (this.#ended) return;
    this.#received++;
    this.#bytesSinceAck += size;
    if (!this.#ws) return; // a resume's WELCOME will carry the count
    const unacked = this.#received - this.#announced;
    if (unacked * 2 >= this.#peerWindow.messages || this.#bytesSinceAck * 2 >= this.#peerWindow.bytes) {
      this.#sendAck();
    } else if (this.#ackTimer === null) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = null;
        this.#sendAck();
      }, this.#ackDelayMs);
      this.#ackTimer.unref?.();
    }
  }

  #sendAck() {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    if (!this.#ws || this.#received === this.#announced) return;
    write(this.#ws, ackFrame(this.#received));
    this.#acksSent++;
    this.#announced = this.#received;
    this.#bytesSinceAck = 0;
  }

  /** @internal A new session's first connection: WELCOME. */
  [kStart](ws, hello) {
    this.#peerWindow = hello.window;
    this.#attach(ws);
    write(ws, welcomeFrame(this.#wireId, this.#epoch, 0, this.#window, false));
  }

  /** @internal The close code refusing a resume that says the client has `received` messages, or 0. */
  [kCheck](received) {
    return received > this.#written || received < this.#acked ? 4413 : 0;
  }

  /**
   * @internal Whether the id the last resume retired may still resume: no
   * frame came on the connection given the current id, so its WELCOME may
   * never have arrived.
   */
  [kRetiredOk]() {
    return !this.#wireIdHeld;
  }

  /** @internal The current wire id, as the store knows it (32 hex digits). */
  [kWireId]() {
    return this.#wireId.toString('hex');
  }

  /**
   * @internal A resume on `ws` under the new wire id: the older connection
   * (if any) is terminated; WELCOME; the messages the client does not have,
   * in order; then the backlog. Returns false if the session ended meanwhile.
   */
  [kResume](ws, hello, wireId) {
    if (this.#ws) {
      this.#detach('terminate');
      this.#emit('detach');
      if (this.#ended) return false;
    }
    this.#wireId = wireId;
    this.#wireIdHeld = false;
    this.#peerWindow = hello.window;
    const moved = this.#acknowledge(hello.received);
    this.#attach(ws);
    write(ws, welcomeFrame(wireId, this.#epoch, this.#received, this.#window, true));
    this.#announced = this.#received;
    this.#bytesSinceAck = 0;
    for (const item of this.#out) write(ws, item.payload);
    this.#written = this.#sent;
    this.#pump();
    this.#emit('attach', ws);
    if (moved && !this.#ended) this.#emit('delivered', this.#acked);
    return !this.#ended;
  }

  /** @internal Ends the session: its connection closes with `code`, it leaves the store, 'end' fires. */
  [kFinish](reason, code, text) {
    if (this.#ended) return;
    this.#unconfirmedAtEnd = this.unconfirmed;
    this.#ended = true;
    this.#detach({ code, reason: text });
    this.#out.clear();
    this.#waiting.clear();
    this.#outBytes = 0;
    this.#waitingBytes = 0;
    this.#forget(this);
    this.#emit('end', reason);
  }
}

/**
 * The sessions of one DeliveryServer, in memory, bounded by count and by
 * the age of detached sessions. The store interface (what DeliveryServer
 * calls; another store implements the same):
 *
 *   size: number                    sessions held
 *   add(session, id): boolean       holds a new session under its wire id
 *                                   (32 hex digits); false when there is no
 *                                   room (the connection is refused with
 *                                   1013). It may end other sessions to make
 *                                   room: session.end('evicted').
 *   byId(id): { session, retired } | undefined
 *                                   the session whose current (retired:
 *                                   false) or last retired (retired: true)
 *                                   id this is. It may end a session that
 *                                   is too old first (session.end('expired'))
 *                                   and answer undefined.
 *   rotate(session, oldId, newId)   a resume gave the session a new id:
 *                                   newId is current, oldId (the id current
 *                                   until then, whichever id the client
 *                                   presented) its retired id; an id
 *                                   retired before is forgotten.
 *   delete(session)                 forgets the session and its ids (called
 *                                   when it ends, for any reason).
 *   close?()                        stops the store's timers (called by
 *                                   DeliveryServer.close()).
 *
 * A store reads `session.attached` and `session.detachedAt`; it belongs to
 * one DeliveryServer (sessions live in its memory and epoch).
 */
export class MemorySessionStore {
  #maxSessions;
  #maxAgeMs;
  #byId = new Map(); // id -> { session, retired }
  #ids = new Map(); // session -> { current, retired }
  #timer = null;

  constructor({ maxSessions = 10_000, maxAgeMs = 120_000 } = {}) {
    if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new RangeError(`maxSessions must be an integer, 1 or more; got ${maxSessions}`);
    this.#maxSessions = maxSessions;
    this.#maxAgeMs = checkMs(maxAgeMs, 'maxAgeMs', { infinite: true });
  }

  /** The most sessions held at once. */
  get maxSessions() {
    return this.#maxSessions;
  }

  /** How long a detached session is kept, ms. */
  get maxAgeMs() {
    return this.#maxAgeMs;
  }

  get size() {
    return this.#ids.size;
  }

  add(session, id) {
    if (this.#ids.size >= this.#maxSessions) {
      this.sweep();
      let oldest = null;
      for (const held of this.#ids.keys()) {
        if (!held.attached && (oldest === null || held.detachedAt < oldest.detachedAt)) oldest = held;
      }
      if (this.#ids.size >= this.#maxSessions && oldest) oldest.end('evicted');
      if (this.#ids.size >= this.#maxSessions) return false;
    }
    this.#ids.set(session, { current: id, retired: null });
    this.#byId.set(id, { session, retired: false });
    this.#startTimer();
    return true;
  }

  byId(id) {
    const entry = this.#byId.get(id);
    if (!entry) return undefined;
    if (this.#tooOld(entry.session, Date.now())) {
      entry.session.end('expired');
      return undefined;
    }
    return { session: entry.session, retired: entry.retired };
  }

  rotate(session, oldId, newId) {
    const ids = this.#ids.get(session);
    if (!ids) return;
    if (ids.retired !== null) this.#byId.delete(ids.retired);
    this.#byId.delete(ids.current);
    this.#byId.set(oldId, { session, retired: true });
    this.#byId.set(newId, { session, retired: false });
    ids.current = newId;
    ids.retired = oldId;
  }

  delete(session) {
    const ids = this.#ids.get(session);
    if (!ids) return;
    this.#byId.delete(ids.current);
    if (ids.retired !== null) this.#byId.delete(ids.retired);
    this.#ids.delete(session);
    if (this.#ids.size === 0) this.close();
  }

  /** Ends every detached session older than maxAgeMs ('expired'). Runs on a timer; callable any time. */
  sweep(now = Date.now()) {
    for (const session of [...this.#ids.keys()]) {
      if (this.#tooOld(session, now)) session.end('expired');
    }
  }

  close() {
    clearInterval(this.#timer);
    this.#timer = null;
  }

  #tooOld(session, now) {
    return !session.attached && session.detachedAt !== null && now - session.detachedAt >= this.#maxAgeMs;
  }

  #startTimer() {
    if (this.#timer !== null || !Number.isFinite(this.#maxAgeMs)) return;
    const period = Math.min(1000, Math.max(10, this.#maxAgeMs / 4));
    this.#timer = setInterval(() => this.sweep(), period);
    this.#timer.unref?.();
  }
}

/**
 * Accepts connections, speaks the delivery protocol on them and keeps the
 * sessions (docs/delivery.md). src/js/server.d.ts documents the members.
 */
export class DeliveryServer extends EventEmitter {
  #store;
  #window;
  #backlog;
  #ackDelayMs;
  #helloWaitMs;
  #pingIntervalMs;
  #epoch;
  #sessions = new Set();
  #pending = new Set();
  #closed = false;
  #report = (error, session) => {
    try {
      if (this.listenerCount('error') > 0) return void this.emit('error', error, session);
    } catch (inner) {
      error = inner;
    }
    console.error('wasm-websocket/server:', error);
  };

  constructor({ store, window, backlog, ackDelayMs = 100, helloWaitMs = 1000, pingIntervalMs = 30_000 } = {}) {
    super();
    this.#store = store ?? new MemorySessionStore();
    for (const method of ['add', 'byId', 'rotate', 'delete']) {
      if (typeof this.#store[method] !== 'function') throw new TypeError(`store.${method} must be a function (see MemorySessionStore)`);
    }
    this.#window = checkLimits(window, 'window', { messages: 8192, bytes: 8 * MIB }, { min: 1, max: 0xffff_ffff });
    this.#backlog = checkLimits(backlog, 'backlog', { messages: 8192, bytes: 8 * MIB }, { min: 0, max: Number.MAX_SAFE_INTEGER });
    this.#ackDelayMs = checkMs(ackDelayMs, 'ackDelayMs', { infinite: false });
    this.#helloWaitMs = checkMs(helloWaitMs, 'helloWaitMs', { infinite: true });
    // 0 or Infinity: no heartbeat (nor one longer than a timer can wait).
    this.#pingIntervalMs = checkMs(pingIntervalMs, 'pingIntervalMs', { infinite: true });
    if (this.#pingIntervalMs > LONGEST_TIMER) this.#pingIntervalMs = 0;
    do this.#epoch = randomBytes(8);
    while (this.#epoch.every((b) => b === 0)); // zero means "no epoch" in a HELLO
  }

  /** The 8 random bytes of this server's life (a copy). */
  get epoch() {
    return Buffer.from(this.#epoch);
  }

  /** The session store. */
  get store() {
    return this.#store;
  }

  /** Takes a connection: see server.d.ts. Resolves once its first frame (or the lack of one) decided. */
  accept(ws, { onPlain, onSession, helloWaitMs = this.#helloWaitMs } = {}) {
    if (onPlain !== undefined && typeof onPlain !== 'function') throw new TypeError('accept(ws, { onPlain }): onPlain must be a function');
    if (onSession !== undefined && typeof onSession !== 'function') throw new TypeError('accept(ws, { onSession }): onSession must be a function');
    checkMs(helloWaitMs, 'helloWaitMs', { infinite: true });
    return new Promise((resolve) => {
      if (this.#closed) {
        refuse(ws, 1001, 'server closing');
        return resolve('closed');
      }
      if (ws.readyState !== OPEN) return resolve('closed');
      let timer = null;
      const entry = {};
      const cleanup = () => {
        ws.off('message', onFirst);
        ws.off('close', onClose);
        ws.off('error', noop);
        clearTimeout(timer);
        this.#pending.delete(entry);
      };
      const settle = (decide) => {
        cleanup();
        try {
          resolve(decide());
        } catch (error) {
          this.#report(error);
          refuse(ws, 1011, 'internal error');
          resolve('refused');
        }
      };
      const onFirst = (data, isBinary) => settle(() => this.#first(ws, data, isBinary, onPlain, onSession));
      const onClose = () => settle(() => 'closed');
      const onTimeout = () =>
        settle(() => {
          if (!onPlain) {
            refuse(ws, 4400, 'no HELLO');
            return 'refused';
          }
          this.#plain(ws, onPlain, null);
          return 'plain';
        });
      entry.cancel = () =>
        settle(() => {
          refuse(ws, 1001, 'server closing');
          return 'closed';
        });
      if (helloWaitMs === 0) return onTimeout();
      ws.on('message', onFirst);
      ws.on('close', onClose);
      ws.on('error', noop);
      this.#pending.add(entry);
      if (helloWaitMs <= LONGEST_TIMER) timer = setTimeout(onTimeout, helloWaitMs);
    });
  }

  /** Ends every session ('closed', their connections close with 1001) and refuses connections from now on. */
  close() {
    this.#closed = true;
    for (const entry of [...this.#pending]) entry.cancel();
    for (const session of [...this.#sessions]) session[kFinish]('closed', 1001, 'server closing');
    this.#store.close?.();
  }

  #plain(ws, onPlain, first) {
    try {
      onPlain(ws, first);
    } catch (error) {
      this.#report(error);
    }
  }

  #first(ws, data, isBinary, onPlain, onSession) {
    const frame = isBinary ? toBuffer(data) : null;
    // With a plain fallback, only a frame with the magic is taken for a
    // HELLO: a plain client's binary message may start with 0x01.
    const hello = isBinary && frame.length > 0 && frame[0] === HELLO && (!onPlain || (frame.length >= 5 && frame.subarray(1, 5).equals(MAGIC)));
    if (!hello) {
      if (onPlain) {
        this.#plain(ws, onPlain, { data, isBinary });
        return 'plain';
      }
      refuse(ws, 4400, isBinary ? 'expected a HELLO' : 'data before HELLO');
      return 'refused';
    }
    return this.#hello(ws, frame, onSession);
  }

  #newWireId() {
    const id = randomBytes(16);
    return id.every((b) => b === 0) ? this.#newWireId() : id;
  }

  #hello(ws, frame, onSession) {
    const hello = parseHello(frame);
    if (typeof hello === 'string') {
      refuse(ws, 4400, hello);
      return 'refused';
    }
    if (hello.fresh) {
      if (!hello.epoch.every((b) => b === 0) || hello.received !== 0) {
        refuse(ws, 4400, 'a new session with an epoch or messages');
        return 'refused';
      }
      const wireId = this.#newWireId();
      const session = new Session(internal, {
        server: this,
        report: this.#report,
        forget: (ended) => {
          this.#sessions.delete(ended);
          this.#store.delete(ended);
        },
        epoch: this.#epoch,
        wireId,
        window: this.#window,
        backlog: this.#backlog,
        ackDelayMs: this.#ackDelayMs,
        pingIntervalMs: this.#pingIntervalMs,
      });
      if (!this.#store.add(session, wireId.toString('hex'))) {
        refuse(ws, 1013, 'session store full');
        return 'refused';
      }
      this.#sessions.add(session);
      session[kStart](ws, hello);
      for (const announce of [() => this.emit('session', session, ws), () => onSession?.(session, ws)]) {
        try {
          announce();
        } catch (error) {
          this.#report(error, session);
        }
      }
      return 'session';
    }
    if (!hello.epoch.equals(this.#epoch)) {
      refuse(ws, 4410, 'not this server epoch');
      return 'refused';
    }
    const presented = hello.id.toString('hex');
    const found = this.#store.byId(presented);
    if (!found) {
      refuse(ws, 4411, 'no such session');
      return 'refused';
    }
    const { session } = found;
    // A retired id still resumes while nothing came on the connection given
    // its successor: that WELCOME may have been lost with the connection.
    // Once a frame came there, the client had the new id, and a second
    // party holds the old one.
    const code = found.retired && !session[kRetiredOk]() ? 4412 : session[kCheck](hello.received);
    if (code !== 0) {
      // Two parties have held the id (4412), or the client's count cannot
      // be (4413): either way the session is over for both of them.
      const reason = code === 4412 ? 'session id retired' : 'received out of range';
      refuse(ws, code, reason);
      session[kFinish]('refused', code, reason);
      return 'refused';
    }
    const wireId = this.#newWireId();
    // The id current until now is retired (the one retired before is
    // forgotten), whichever of the two the client presented.
    this.#store.rotate(session, session[kWireId](), wireId.toString('hex'));
    if (!session[kResume](ws, hello, wireId)) {
      if (ws.readyState === OPEN) refuse(ws, 4411, 'no such session');
      return 'refused';
    }
    return 'resumed';
  }
}
