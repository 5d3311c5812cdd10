// Types of the npm package's WebSocketStream and WebSocketError
// (src/js/stream.js), in the shape of Chrome's. tests/e2e/types.test.mjs
// checks them with `tsc --strict`.
import type { DeliveryOptions, DeliveryState, ProtocolsProvider, ReconnectEventMap, ReconnectOptions, TypedListener, UrlProvider } from './client.js';

/** `close()`'s argument, and what `closed` resolves with. */
export interface WebSocketCloseInfo {
  /** 1000 or 3000–4999; with only a reason, 1000. */
  closeCode?: number;
  /** At most 123 UTF-8 bytes. */
  reason?: string;
}

/** What `opened` resolves with. */
export interface WebSocketOpenInfo {
  /** Text messages as strings, binary ones as ArrayBuffers. */
  readable: ReadableStream<string | ArrayBuffer>;
  /** Accepts strings and BufferSources (other values are sent as text). */
  writable: WritableStream<string | BufferSource>;
  /** The subprotocol the server selected, or "". */
  protocol: string;
  /** The extensions the server selected, or "". */
  extensions: string;
}

/** Options of `new WebSocketStream(url, options)`. */
export interface WebSocketStreamOptions {
  /**
   * Subprotocols to offer; with `reconnect`, also a function asked before
   * every attempt (it may return a Promise).
   */
  protocols?: string | string[] | ProtocolsProvider;
  /** Aborts the handshake (not an open connection). */
  signal?: AbortSignal;
  /**
   * Reconnect when the connection is lost (off by default): the readable and
   * writable survive reconnections, writes while disconnected are queued in
   * the outbox, and `closed` settles on the final close only.
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * End-to-end delivery, as `WebSocketClient`'s option: every write
   * arrives once and in order across reconnects, and every message read
   * was sent once; a message counts as received once it is queued for the
   * reader. Implies `reconnect`. Needs `init({ delivery: true })`.
   */
  delivery?: boolean | DeliveryOptions;
  /** A handshake slower than this fails (or, with `reconnect`, is retried), ms. */
  connectTimeout?: number;
  /** A write resolves once `bufferedAmount` is at most this many bytes (1 MiB). */
  highWaterMark?: number;
  /**
   * The browser cannot pause a classic socket, so messages nobody reads
   * pile up: past this many unread bytes (16 MiB; text counts its UTF-16
   * length) the readable errors with a RangeError and the connection is
   * closed (1000, "reader too slow").
   */
  readableMaxBytes?: number;
}

/** The error of a WebSocketStream: a DOMException named "WebSocketError". */
export class WebSocketError extends DOMException {
  /**
   * @throws {DOMException} `InvalidAccessError` for a code other than 1000
   * or 3000–4999, `SyntaxError` for a reason over 123 UTF-8 bytes.
   */
  constructor(message?: string, init?: WebSocketCloseInfo);
  /** The close code, or null when there is none. */
  readonly closeCode: number | null;
  readonly reason: string;
}

/** The events of a stream with `reconnect` (Chrome's has none). */
export interface WebSocketStreamEventMap extends ReconnectEventMap {}

/** A listener for a stream's event of type `K`. */
export type WebSocketStreamListener<K extends keyof WebSocketStreamEventMap> = TypedListener<WebSocketStreamEventMap, K, WebSocketStream>;

/**
 * A WebSocket as streams, in the shape of Chrome's `WebSocketStream`, in
 * every engine. Writes wait for `bufferedAmount` to fall below the
 * high-water mark. An EventTarget, where a reconnecting stream's
 * `reconnecting`, `reconnected` and `gaveup` events fire.
 */
export class WebSocketStream extends EventTarget {
  /**
   * With `reconnect`, `url` may be a function asked before every attempt
   * (a fresh token, say), as for `WebSocketClient`.
   * @throws {DOMException} `SyntaxError` or `SecurityError` for a bad URL or protocol list.
   * @throws {TypeError} a function for `url` or `protocols` without `reconnect`.
   */
  constructor(url: string | URL | UrlProvider, options?: WebSocketStreamOptions);
  /** The resolved URL (with a URL function: of the current or last attempt). */
  readonly url: string;
  /** With `delivery`: `"negotiating"`, `"on"` or `"unavailable"`; `"off"` without it. */
  readonly delivery: DeliveryState;
  /** With `delivery`: the id of the last write sent (1, 2, … for the stream's life), as `delivered` and `sessionlost` count them. */
  readonly lastMessageId: number;
  /** Resolves once open; rejects with a WebSocketError (or the signal's AbortError) if it never opens. */
  readonly opened: Promise<WebSocketOpenInfo>;
  /** Resolves after a clean close; rejects with a WebSocketError (closeCode 1006) otherwise. */
  readonly closed: Promise<Required<WebSocketCloseInfo>>;
  /**
   * Starts the closing handshake.
   * @throws {DOMException} `InvalidAccessError` or `SyntaxError` as `WebSocket.close` does.
   */
  close(closeInfo?: WebSocketCloseInfo): void;
  addEventListener<K extends keyof WebSocketStreamEventMap>(type: K, listener: WebSocketStreamListener<K> | null, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WebSocketStreamEventMap>(type: K, listener: WebSocketStreamListener<K> | null, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

