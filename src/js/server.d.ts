// Types of the npm package's `wasm-websocket/server` (src/js/server.js):
// the server side of end-to-end delivery (docs/delivery.md) for Node's `ws`.
//
// @example
// ```ts
// import { WebSocketServer } from 'ws';
// import { DeliveryServer, MemorySessionStore } from 'wasm-websocket/server';
//
// const delivery = new DeliveryServer({ store: new MemorySessionStore({ maxSessions: 1000 }) });
// delivery.on('session', (session) => {
//   session.on('message', (data, isBinary) => {
//     // Each client message arrives here exactly once, in order, across reconnects.
//     session.send(isBinary ? data : data.toString()); // an echo
//   });
//   session.on('end', (reason) => console.log(`${session.id} ended: ${reason}`));
// });
// new WebSocketServer({ port: 8080 }).on('connection', (ws) => {
//   // Plain clients (no HELLO first) are handed back, as ordinary sockets.
//   delivery.accept(ws, { onPlain: (plain) => plain.on('message', (d, b) => plain.send(d, { binary: b })) });
// });
// ```
import type { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';

/**
 * What DeliveryServer needs of a connection: `ws`'s server-side WebSocket
 * fits. The server adds and removes its own listeners only (and keeps an
 * `error` listener on the connections it serves or refuses).
 */
export interface DeliverySocket {
  /** 1 while open. */
  readonly readyState: number;
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close' | 'error', listener: (...args: any[]) => void): unknown;
  off(event: 'message' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
}

/** How many data messages and bytes (of payload) may be held. */
export interface DeliveryLimits {
  messages?: number;
  bytes?: number;
}

/** Why a session ended: it never comes back after. */
export type SessionEndReason =
  /** Detached for longer than the store's maxAgeMs. */
  | 'expired'
  /** The store was full and it had been detached the longest. */
  | 'evicted'
  /**
   * A resume presented its retired id after the client had shown it holds
   * the new one (4412), or an impossible count (4413).
   */
  | 'refused'
  /** The application called close(), or DeliveryServer.close(). */
  | 'closed';

/** How accept() decided a connection. */
export type AcceptOutcome =
  /** Not a delivery client: onPlain has the socket. */
  | 'plain'
  /** A new session ('session' event, onSession). */
  | 'session'
  /** An existing session resumed on this connection (its 'attach' event). */
  | 'resumed'
  /** Closed with a refusal code (4400, 4410–4413, 1013). */
  | 'refused'
  /** The connection closed before its first frame, or the server was closed. */
  | 'closed';

/** The options of accept(). */
export interface AcceptOptions<S extends DeliverySocket = DeliverySocket> {
  /**
   * Serves plain clients on the same URL: called (synchronously, before
   * any later frame is read) when the first frame is not a HELLO, with
   * that frame as `ws` gave it, or with null when nothing came within
   * helloWaitMs. The server has removed its listeners: the socket is the
   * application's, as an ordinary `ws` connection. With onPlain, only a
   * binary frame starting with 0x01 "WSDL" is taken for a HELLO (a plain
   * client's binary message may start with 0x01). Without it, any other
   * first frame, or silence, is refused with 4400.
   */
  onPlain?: (ws: S, first: { data: Buffer | ArrayBuffer | Buffer[]; isBinary: boolean } | null) => void;
  /** Called after the 'session' event for a new session on this connection. */
  onSession?: (session: Session, ws: S) => void;
  /**
   * How long to wait for the first frame, ms (the server's helloWaitMs by
   * default). 0: no wait, the connection is plain at once (onPlain(ws, null);
   * without onPlain, refused with 4400). Infinity: wait for the first frame
   * however long it takes (a plain client that waits for the server to
   * speak first waits forever).
   */
  helloWaitMs?: number;
}

/** The options of `new DeliveryServer()`. */
export interface DeliveryServerOptions {
  /** Where sessions are kept (a new MemorySessionStore by default); one store per server. */
  store?: SessionStore;
  /**
   * The most of its own messages a session keeps unacknowledged on the
   * wire (announced in WELCOME; 8,192 messages and 8 MiB). More wait in
   * the backlog. A message bigger than the whole window goes alone.
   */
  window?: DeliveryLimits;
  /**
   * The most messages waiting for room in the window (8,192 messages and
   * 8 MiB); past it, send() throws ERR_DELIVERY_BACKLOG_FULL.
   */
  backlog?: DeliveryLimits;
  /** The longest an ACK waits while client messages arrive, ms (100). */
  ackDelayMs?: number;
  /** accept()'s default wait for a first frame, ms (1000); see AcceptOptions.helloWaitMs. */
  helloWaitMs?: number;
  /**
   * The heartbeat, ms (30,000): while a session is attached, a PING frame
   * goes every interval (the client answers PONG; any frame from it shows
   * the connection is alive). A connection that sent no frame for two
   * whole intervals is terminated and the session detaches ('detach'), so
   * a client gone without closing (no FIN) does not hold its session, or
   * a place in the store, forever: the session then ages out like any
   * detached one. 0 or Infinity: no heartbeat (such a session stays
   * attached until its connection closes).
   */
  pingIntervalMs?: number;
}

/** The events of a DeliveryServer and their listeners' arguments. */
export interface DeliveryServerEventMap {
  /** A new session started on `ws` (after its WELCOME went out). Add listeners here: data follows. */
  session: [session: Session, ws: DeliverySocket];
  /**
   * A listener (or onPlain/onSession) threw, or an internal error. Without
   * an 'error' listener these are written to the console; the server
   * never throws out of a `ws` event handler.
   */
  error: [error: unknown, session: Session | undefined];
}

/** The events of a Session and their listeners' arguments. */
export interface SessionEventMap {
  /**
   * A client message: exactly once, in order, across reconnects. Text
   * arrives as its UTF-8 bytes with isBinary false. The message counts as
   * received (and is acknowledged) once every listener returned; a
   * listener that throws does not make it come again.
   */
  message: [data: Buffer, isBinary: boolean];
  /** The client acknowledged the session's messages numbered up to `upTo`. */
  delivered: [upTo: number];
  /** The session resumed on a new connection (not fired for a new session's first). */
  attach: [ws: DeliverySocket];
  /**
   * The connection went away (or was closed for a protocol error, or cut
   * for silence: see DeliveryServerOptions.pingIntervalMs); the session
   * waits for a resume.
   */
  detach: [];
  /** The session ended; the last event it fires. */
  end: [reason: SessionEndReason];
}

/**
 * Takes `ws` connections, speaks the delivery protocol on them and keeps
 * their sessions. Refusals close the connection with the codes of
 * docs/delivery.md: 4400 (a malformed or out-of-order frame), 4410 (another
 * epoch), 4411 (no such session), 4412 (a retired id, once a frame came on
 * the connection given its successor: the session ends too, and its
 * connection gets 4412; before that frame, the WELCOME that carried the
 * new id may have been lost, and the retired id resumes as usual), 4413
 * (a `received` beyond what the server sent or below what the client
 * acknowledged: the session ends too), 1013 (the store is full).
 */
export class DeliveryServer extends EventEmitter {
  /**
   * @throws {RangeError} a window below 1 or above 2³²−1, a negative backlog,
   * ackDelayMs, helloWaitMs or pingIntervalMs; {TypeError} a store without the interface's methods.
   */
  constructor(options?: DeliveryServerOptions);
  /** The 8 random bytes drawn at construction (a copy): a client of an earlier server gets 4410. */
  readonly epoch: Buffer;
  /** The session store. */
  readonly store: SessionStore;
  /**
   * Takes a connection and waits for its first frame: a HELLO starts or
   * resumes a session, anything else (or silence) goes to `onPlain`.
   * Resolves once decided; never rejects.
   * @throws {TypeError | RangeError} bad options (synchronously).
   */
  accept<S extends DeliverySocket>(ws: S, options?: AcceptOptions<S>): Promise<AcceptOutcome>;
  /** Ends every session ('closed'; their connections close with 1001) and refuses connections from now on. */
  close(): void;

  on<K extends keyof DeliveryServerEventMap>(event: K, listener: (...args: DeliveryServerEventMap[K]) => void): this;
  once<K extends keyof DeliveryServerEventMap>(event: K, listener: (...args: DeliveryServerEventMap[K]) => void): this;
  off<K extends keyof DeliveryServerEventMap>(event: K, listener: (...args: DeliveryServerEventMap[K]) => void): this;
  addListener<K extends keyof DeliveryServerEventMap>(event: K, listener: (...args: DeliveryServerEventMap[K]) => void): this;
  removeListener<K extends keyof DeliveryServerEventMap>(event: K, listener: (...args: DeliveryServerEventMap[K]) => void): this;
}

/**
 * One client's session: it outlives its connections. Created by
 * DeliveryServer (its 'session' event), never with `new`.
 */
export class Session extends EventEmitter {
  private constructor();
  /** A stable opaque id for the application's use (not the secret the client presents). */
  readonly id: string;
  /** The server it belongs to. */
  readonly server: DeliveryServer;
  /** Whether a connection is attached now. */
  readonly attached: boolean;
  /** Whether the session has ended. */
  readonly ended: boolean;
  /** When its last connection went away (ms since 1970), or null while attached. */
  readonly detachedAt: number | null;
  /** Messages given to send() that the client has not acknowledged (on the wire, waiting to be resent, or in the backlog). */
  readonly unconfirmed: number;
  /** Client messages handed to the 'message' listeners in this session. */
  readonly received: number;
  /** ACK frames sent to the client and received from it so far (how well acknowledgements coalesce). */
  readonly acks: { sent: number; received: number };
  /**
   * Sends a message: a string as a text frame, bytes (copied) as a binary
   * DATA frame. While the window is full, or no connection is attached, it
   * waits and goes out in order (after a resume, too). Returns its number
   * in the session: 1, 2, 3, … (what 'delivered' reports).
   * @throws {Error} code `ERR_DELIVERY_BACKLOG_FULL` when the backlog
   * would pass its bounds (the message is not queued); code
   * `ERR_DELIVERY_SESSION_ENDED` after 'end'. {TypeError} other data.
   */
  send(data: string | Buffer | ArrayBuffer | SharedArrayBuffer | ArrayBufferView): number;
  /** Ends the session ('closed'); its connection, if any, closes with `code` (1000) and `reason`. */
  close(code?: number, reason?: string): void;
  /**
   * Ends the session with `reason`, for SessionStore implementations
   * ('expired', 'evicted'); an attached connection closes with 1001
   * (4412 for 'refused', 1000 for 'closed').
   * @throws {RangeError} another reason.
   */
  end(reason: SessionEndReason): void;

  on<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): this;
  once<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): this;
  off<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): this;
  addListener<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): this;
  removeListener<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): this;
}

/** What `store.byId()` answers. */
export interface StoredSession {
  session: Session;
  /**
   * True when the id was the session's current one before its last resume.
   * The server refuses it (4412) unless nothing came yet on the connection
   * given the new id (that WELCOME may have been lost).
   */
  retired: boolean;
}

/**
 * Where a DeliveryServer keeps its sessions. Ids are the sessions' wire
 * ids as 32 lowercase hex digits (secrets: keep them out of logs). A store
 * reads `session.attached` and `session.detachedAt`, and ends sessions it
 * lets go of with `session.end('expired' | 'evicted')`; it belongs to one
 * server (sessions live in its memory and epoch).
 */
export interface SessionStore {
  /** Sessions held. */
  readonly size: number;
  /**
   * Holds a new session under its id. Returns false when there is no room
   * (the connection is refused with 1013); may end another session first
   * to make room.
   */
  add(session: Session, id: string): boolean;
  /** The session whose current or last retired id this is; may expire an old one first and answer undefined. */
  byId(id: string): StoredSession | undefined;
  /**
   * A resume gave the session `newId`; `oldId`, the id current until then
   * (whichever id the client presented), becomes its retired id, and the
   * one retired before is forgotten.
   */
  rotate(session: Session, oldId: string, newId: string): void;
  /** Forgets the session and its ids (it ended, for any reason). */
  delete(session: Session): void;
  /** Stops the store's timers (DeliveryServer.close()). */
  close?(): void;
}

/** The options of `new MemorySessionStore()`. */
export interface MemorySessionStoreOptions {
  /**
   * The most sessions held (10,000). When full, a new session evicts the
   * one detached the longest ('evicted'); if every session is attached,
   * the new connection is refused with 1013 (the server's heartbeat
   * detaches the sessions of clients gone without closing).
   */
  maxSessions?: number;
  /**
   * How long a detached session is kept, ms (120,000); then it ends
   * ('expired'; checked on a timer that does not keep the process alive,
   * and on each resume). Infinity: never.
   */
  maxAgeMs?: number;
}

/** The default SessionStore: in memory, bounded by count and by the age of detached sessions. */
export class MemorySessionStore implements SessionStore {
  /** @throws {RangeError} maxSessions below 1, or a negative maxAgeMs. */
  constructor(options?: MemorySessionStoreOptions);
  readonly maxSessions: number;
  readonly maxAgeMs: number;
  readonly size: number;
  add(session: Session, id: string): boolean;
  byId(id: string): StoredSession | undefined;
  rotate(session: Session, oldId: string, newId: string): void;
  delete(session: Session): void;
  /** Ends every detached session older than maxAgeMs (runs on its timer; callable any time). */
  sweep(now?: number): void;
  close(): void;
}
