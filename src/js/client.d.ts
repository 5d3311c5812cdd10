// Types of the npm package's WebSocketClient (src/js/client.js).
// tests/e2e/types.test.mjs checks them with `tsc --strict`.
/** How binary messages are delivered. */
export type BinaryType = "blob" | "arraybuffer";
/** What `MessageEvent.data` holds: text, or binary as `binaryType` says. */
export type MessageData = string | Blob | ArrayBuffer;
/** What `send` accepts; `ImageData` is sent as its RGBA bytes. */
export type SendData = string | Blob | ArrayBufferLike | ArrayBufferView | ImageData;
/** The numeric connection states (`CONNECTING` … `CLOSED`). */
export type ReadyStateValue = 0 | 1 | 2 | 3;

/** `detail` of a `reconnecting` event. */
export interface ReconnectingDetail {
  /** Which retry comes next (1, 2, …). */
  attempt: number;
  /** The wait before it, in milliseconds. */
  delay: number;
  /** How the lost connection ended. */
  code: number;
  reason: string;
  wasClean: boolean;
  /**
   * Messages of the lost connection the browser never put on the network
   * (its `bufferedAmount` at the close): back at the head of the outbox,
   * sent first on the next connection.
   */
  resent: number;
  /**
   * Messages of the lost connection that had left the browser (entirely or
   * in part) since its buffer last read 0: they may not have arrived. (In
   * WebKit `bufferedAmount` cannot tell, so this is a lower bound there.)
   */
  possiblyLost: number;
  /**
   * Set when the attempt failed before a connection was made (no `close`
   * event fired): the URL or protocols function threw, rejected or did
   * not answer within `connectTimeout`, or gave a bad URL.
   */
  error?: string;
}

/** Asked for the URL before every connection attempt (with `reconnect`). */
export type UrlProvider = () => string | URL | Promise<string | URL>;

/** Asked for the subprotocols before every connection attempt (with `reconnect`). */
export type ProtocolsProvider = () => string | string[] | Promise<string | string[]>;

/** `detail` of a `gaveup` event. */
export interface GaveUpDetail {
  /** Why reconnecting stopped, in words. */
  reason: string;
  /** The close code of the last connection. */
  code: number;
  /** The last attempt's error, as in `reconnecting`. */
  error?: string;
}

/**
 * End-to-end delivery settings (docs/delivery.md): `delivery: true` takes
 * these defaults. Needs `init({ delivery: true })` and a server that speaks
 * the protocol, such as `wasm-websocket/server`.
 */
export interface DeliveryOptions {
  /** At most this many sent messages wait for the server's acknowledgement (default 65,536); later ones wait in the outbox. */
  windowMessages?: number;
  /** At most this many bytes of them (default 8 MiB; text counts its length). */
  windowBytes?: number;
  /** Received messages are acknowledged at most this long after they arrive, ms (default 100). */
  ackDelay?: number;
  /** How long to wait for the server's answer to the first HELLO before deciding it does not speak the protocol, ms (default 2000). */
  negotiateTimeout?: number;
}

/** Whether a client has end-to-end delivery. */
export type DeliveryState = "off" | "negotiating" | "on" | "unavailable";

/** `detail` of a `sessionlost` event. */
export interface SessionLostDetail {
  /** `restarted` (the server has a new epoch), `expired` (or evicted), or `refused` (a retired id, an impossible count). */
  reason: "restarted" | "expired" | "refused";
  /**
   * The ids (`lastMessageId` after each `send`) of every message sent and
   * never confirmed, in order. They are not sent in the new session: the
   * application decides what to send again.
   */
  unconfirmed: number[];
  /** Messages from the server may be missing: resync your state. */
  incomingBroken: true;
}

/**
 * The events of a client or stream with `reconnect` (the Rust
 * `ReconnectEvent`s), by type. The last three fire only with `delivery`.
 */
export interface ReconnectEventMap {
  /** A connection was lost and a retry is scheduled; `possiblyLost` counts sends that may not have arrived. */
  reconnecting: CustomEvent<ReconnectingDetail>;
  /** A retry opened (after the outbox, or a stream's queued writes, was sent). */
  reconnected: CustomEvent<{ attempt: number }>;
  /** Reconnecting stopped for good (a stream's `closed` rejects). */
  gaveup: CustomEvent<GaveUpDetail>;
  /** The server confirmed every message with an id up to `upTo`. */
  delivered: CustomEvent<{ upTo: number }>;
  /** The server could not resume the session: a new one has started. Fired once. */
  sessionlost: CustomEvent<SessionLostDetail>;
  /** The server does not speak the delivery protocol: the client goes on as a reconnecting one. Fired once. */
  deliveryunavailable: CustomEvent<Record<string, never>>;
}

/** Event type names and the events they deliver. */
export interface WebSocketClientEventMap extends ReconnectEventMap {
  open: Event;
  message: MessageEvent<MessageData>;
  close: CloseEvent;
  error: Event;
}

/** A listener for events of type `K` of map `M` on target `T`: a function, or an object with `handleEvent`, as in the DOM. */
export type TypedListener<M, K extends keyof M, T> = ((this: T, event: M[K]) => unknown) | { handleEvent(event: M[K]): unknown };

/** Reconnection policy, heartbeat and outbox (all optional; defaults shown). */
export interface ReconnectOptions {
  /** Shortest wait before a retry, ms (500). */
  minDelay?: number;
  /** Longest wait before a retry, ms (30000). */
  maxDelay?: number;
  /** Growth of the wait's upper bound per retry (2). */
  factor?: number;
  /** Give up after this many consecutive failed retries (never). */
  maxRetries?: number;
  /** An uptime that resets the backoff, ms (5000). */
  minUptime?: number;
  /** Close codes that stop reconnecting ([1002, 1003, 1007, 1008, 1009, 1010]). */
  noRetryCodes?: number[];
  /**
   * Asked after each close that would be retried (never after your own
   * `close()`): `false` gives up (`gaveup`, reason "shouldReconnect declined
   * close code N"). A function that throws counts as `true`.
   */
  shouldReconnect?: (event: CloseEvent) => boolean;
  /** Application-level ping/pong (off unless given). */
  heartbeat?: HeartbeatOptions;
  /**
   * Bounds of the queue for sends while disconnected; `false` (or
   * `maxMessages: 0`) turns queueing off: such sends throw
   * `InvalidStateError`, as on a plain socket.
   */
  outbox?: OutboxOptions | false;
}

/** Application-level heartbeat (off unless given). */
export interface HeartbeatOptions {
  /** Ping period, ms (30000). */
  interval?: number;
  /** Dead if no answer this long after a ping, ms (10000). */
  timeout?: number;
  /** The ping text ("ping"). */
  ping?: string;
  /** The pong text; if unset, any message proves liveness. Pongs are not delivered as messages. */
  pong?: string;
}

/** Bounds of the queue for sends while disconnected. */
export interface OutboxOptions {
  /** Messages (1000; 0: no queue). */
  maxMessages?: number;
  /** Bytes (4 MiB). */
  maxBytes?: number;
}

/** A listener: a function, or an object with `handleEvent`, as in the DOM. */
export type WebSocketClientListener<K extends keyof WebSocketClientEventMap> = TypedListener<WebSocketClientEventMap, K, WebSocketClient>;

/**
 * Options beyond the browser constructor's: the same shape as the Rust
 * `ConnectOptions` (in camelCase).
 */
export interface WebSocketClientOptions {
  /** Initial `binaryType` (default `"blob"`). */
  binaryType?: BinaryType;
  /** Default limit for `drain()`, in bytes (default 1 MiB). */
  highWaterMark?: number;
  /**
   * A handshake slower than this fails, ms: a plain connection fires
   * `error` and `close` (1006); with `reconnect` the attempt is replaced
   * (default: none, or 10000 with `reconnect`; 0 = none).
   */
  connectTimeout?: number;
  /**
   * Reconnect when the connection is lost (off by default). `true` uses the
   * defaults. Sends while disconnected are queued (see `reconnect.outbox`); `open`
   * and `close` fire for every underlying connection; `closed` resolves
   * only on the final close.
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * End-to-end delivery with a server that speaks the protocol
   * (docs/delivery.md): every message arrives once, in order, in both
   * directions, across reconnects; `delivered` and `sessionlost` say what
   * the server confirmed. Implies `reconnect` (its defaults unless given).
   * With any other server `delivery` becomes `"unavailable"` and the
   * client is a reconnecting one. Needs `init({ delivery: true })`.
   */
  delivery?: boolean | DeliveryOptions;
  /**
   * What `send` does once closing has started. `"discard"` (the default,
   * as the standard's socket): the data is dropped, its size is added to
   * `bufferedAmount`, and `discardedSends` / `discardedBytes` count it.
   * `"throw"`: an `InvalidStateError`, as the Rust faces return an error.
   * Another value is a `TypeError`.
   */
  sendAfterClose?: "discard" | "throw";
}

/**
 * A WebSocket shaped like the browser's, backed by wasm-websocket: an
 * `EventTarget` whose listeners run with the client as `this`, `target`
 * and `currentTarget`, and which lives as long as the browser's socket
 * would (no `free()` needed).
 *
 * A drop-in: its name and class string are `WebSocket`, its members have
 * the interface's shape, and it may be installed as the page's global
 * (`globalThis.WebSocket = WebSocketClient`): the package keeps the
 * browser's own constructor, taken when it loaded.
 *
 * Without `reconnect` the client is the browser's own `WebSocket` object
 * (with this class as its prototype): listeners receive the browser's
 * events directly, at the raw API's speed. With `reconnect` it is an
 * `EventTarget` that outlives the connections it goes through, and
 * dispatches fresh events for each.
 *
 * As the standard: a blocked port fails the connection (error, then close
 * 1006); `send` after close discards the data and counts it
 * (`discardedSends`), unless `sendAfterClose: "throw"`. Beyond what some
 * engines do: a connection on which the server selected none of the
 * offered protocols fails (error, close 1006), and a failed connection
 * always ends with a close event, in every engine.
 *
 * @example
 * ```ts
 * import init, { WebSocket } from "wasm-websocket";
 * await init();
 * globalThis.WebSocket = WebSocket; // third-party code now uses it
 * const ws = new WebSocket("wss://example.org/chat", "chat");
 * ws.onmessage = (event) => console.log(event.data);
 * ```
 */
export class WebSocketClient extends EventTarget {
  /**
   * Connects to `url` (resolved against the page; http(s) becomes ws(s)).
   * With the `reconnect` option, `url` and `protocols` may be functions,
   * called before every attempt (a fresh token, say); they may return a
   * Promise. A throw or rejection fails that attempt: its message is the
   * `reconnecting` event's `error`, and the backoff goes on.
   * A blocked port is not an exception: the connection fails (error, then
   * close 1006), as the standard has it.
   * @throws {TypeError} no argument at all (WebIDL); a function for `url`
   * or `protocols` without `reconnect`; a bad `sendAfterClose`.
   * @throws {DOMException} `SyntaxError` for a bad URL, scheme, fragment or
   * protocol list; `SecurityError` for an insecure `ws:` URL from an
   * `https:` page, where the browser refuses it.
   */
  constructor(
    url: string | URL | UrlProvider,
    protocols?: string | string[] | ProtocolsProvider,
    options?: WebSocketClientOptions,
  );
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  /** The connection state. */
  readonly readyState: ReadyStateValue;
  /** The resolved URL. */
  readonly url: string;
  /** The subprotocol the server selected, or "". */
  readonly protocol: string;
  /** The extensions the server selected, or "". */
  readonly extensions: string;
  /**
   * Bytes queued by `send` and not yet sent (with `reconnect`, the outbox
   * too), plus those of sends discarded after close, as the standard says.
   */
  readonly bufferedAmount: number;
  /**
   * Sends discarded because closing had started (`sendAfterClose:
   * "discard"`, the default): the standard's socket drops them without a
   * word; this count says how many there were.
   */
  readonly discardedSends: number;
  /** The bytes of those sends (UTF-8 for text). */
  readonly discardedBytes: number;
  /** With `reconnect`: the retry in progress or last made (0 before any). */
  readonly retryCount: number;
  /** With `reconnect`: how often a lost connection was re-established. */
  readonly reconnectCount: number;
  /** With `reconnect`: messages waiting for the next open. */
  readonly queuedMessages: number;
  /** With `reconnect`: bytes waiting for the next open. */
  readonly queuedBytes: number;
  /** With `delivery`: `"negotiating"`, `"on"` or `"unavailable"`; `"off"` without it. */
  readonly delivery: DeliveryState;
  /**
   * With `delivery`: the id of the last message given to `send` (1, 2, …
   * for the client's life; 0 before any). Map it to your data and watch
   * `delivered` and `sessionlost`.
   */
  readonly lastMessageId: number;
  /** How binary messages arrive; other values are ignored. */
  binaryType: BinaryType;
  /**
   * Resolves when the connection opens; rejects with a `NetworkError`
   * DOMException if it fails first. The same promise on every read. While
   * it is pending the client stays alive, as if it had an open listener.
   */
  readonly opened: Promise<void>;
  /**
   * Resolves with the close event once the connection has closed for good,
   * after the event has reached the listeners. While it is pending the
   * client stays alive, as if it had a close listener. (Without
   * `reconnect`, a close that nothing listened for, read afterwards, gives
   * a `CloseEvent` of code 1005 and `wasClean` false: the browser's event
   * was not kept, as keeping it would need a listener, and a listener
   * keeps an open socket alive.)
   */
  readonly closed: Promise<CloseEvent>;
  /**
   * With `reconnect`: closes the current connection (with `code` and
   * `reason`, checked as `close()` checks them) and connects again at once,
   * the backoff reset (`close`, then `reconnecting` with delay 0, then
   * `open`). After the final close it starts again, with new `opened` and
   * `closed` promises.
   * @throws {DOMException} `InvalidStateError` without the `reconnect`
   * option; `InvalidAccessError`/`SyntaxError` for a bad code or reason.
   */
  reconnect(code?: number, reason?: string): void;
  /**
   * Resolves once `bufferedAmount` is at most `highWaterMark` (default:
   * the constructor option, 1 MiB), so a producer can wait before sending
   * more. Rejects with `InvalidStateError` if the socket is not open or
   * closes while waiting (data still buffered then is lost).
   */
  drain(highWaterMark?: number): Promise<void>;
  onopen: ((this: WebSocketClient, event: Event) => unknown) | null;
  onmessage: ((this: WebSocketClient, event: MessageEvent<MessageData>) => unknown) | null;
  onclose: ((this: WebSocketClient, event: CloseEvent) => unknown) | null;
  onerror: ((this: WebSocketClient, event: Event) => unknown) | null;
  addEventListener<K extends keyof WebSocketClientEventMap>(type: K, listener: WebSocketClientListener<K> | null, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WebSocketClientEventMap>(type: K, listener: WebSocketClientListener<K> | null, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  /**
   * Sends text or binary data. Once closing has started, the data is
   * discarded and counted (`discardedSends`), as the standard says, or,
   * with `sendAfterClose: "throw"`, refused.
   * @throws {TypeError} no argument (WebIDL), before any other check.
   * @throws {DOMException} `InvalidStateError` while connecting (unless
   * `reconnect` queues it), and after closing has started with
   * `sendAfterClose: "throw"`; `QuotaExceededError` when the outbox is full.
   */
  send(data: SendData): void;
  /**
   * Starts the closing handshake.
   * @throws {DOMException} `InvalidAccessError` for a code other than 1000
   * or 3000–4999; `SyntaxError` for a reason over 123 UTF-8 bytes.
   */
  close(code?: number, reason?: string): void;
  /**
   * Releases the client now: closes the connection if it is open, removes
   * the listeners and handlers, and frees the wasm side (reconnecting
   * clients have one). No close event follows. Optional: the final close
   * releases it too, and an unreferenced client is released when it is
   * collected.
   * Afterwards `readyState` is `CLOSED`, the other attributes keep their
   * last values, and `send` is a send after close (`sendAfterClose`).
   */
  free(): void;
  [Symbol.dispose](): void;
}


/** The same class under the name of the interface it stands in for. */
export { WebSocketClient as WebSocket };
