// WebSocketStream and WebSocketError in the shape of Chrome's (whatwg/
// websockets PR 48), for every engine, over WebSocketClient: the same
// validation, the same lifetime rules, and optionally its reconnection.
//
// What differs from Chrome's, because a classic socket is underneath (see
// the README's WebSocketStream table): the browser cannot stop reading from
// the network, so a reader that falls behind is bounded by
// `readableMaxBytes` (the readable errors and the connection closes)
// instead of slowing the server down; a write resolves once
// `bufferedAmount` is at most `highWaterMark`.
import { byteLimit } from './arguments.js';
import { loaded } from './init.js';
import { WebSocketClient, receiveData } from './client.js';

const DEFAULT_READABLE_MAX_BYTES = 16 << 20;

/** Set while this module makes an error with a code the constructor refuses (1006). */
let internal = false;

/** The error of a WebSocketStream: a DOMException named "WebSocketError" with a close code and reason. */
export class WebSocketError extends DOMException {
  #closeCode;
  #reason;

  /**
   * `new WebSocketError(message?, { closeCode?, reason? })`. A reason without
   * a code means 1000; codes and reasons are checked as `close()` checks them.
   */
  constructor(message = '', init = undefined) {
    super(message, 'WebSocketError');
    const closeCode = init?.closeCode ?? null;
    const reason = init?.reason === undefined ? '' : String(init.reason);
    if (!internal) loaded().checkClose(closeCode ?? undefined, reason);
    this.#closeCode = closeCode ?? (reason ? 1000 : null);
    this.#reason = reason;
  }

  get closeCode() {
    return this.#closeCode;
  }

  get reason() {
    return this.#reason;
  }
}
Object.defineProperty(WebSocketError.prototype, Symbol.toStringTag, { value: 'WebSocketError', configurable: true });

function webSocketError(message, closeCode = null, reason = '') {
  internal = true;
  try {
    return new WebSocketError(message, { closeCode, reason });
  } finally {
    internal = false;
  }
}

/** Chrome's, or ours: anything named WebSocketError with a close code. */
const isWebSocketError = (value) => value instanceof DOMException && value.name === 'WebSocketError' && 'closeCode' in value;

/** A message's size for the unread bound: bytes, or UTF-16 code units for text. */
const byteLength = (chunk) => (typeof chunk === 'string' ? chunk.length : chunk.byteLength);

export class WebSocketStream extends EventTarget {
  #client;
  #opened;
  #closed;
  #settle = {};
  #streams = null;
  #reader = null; // the readable's controller
  #writer = null; // the writable's controller
  #highWaterMark;
  #readableMaxBytes;
  /** With delivery: what the readable's pull calls (see reconnecting-client.js, receive). */
  #pulled;

  /**
   * `new WebSocketStream(url, { protocols, signal })`, plus our options:
   * `reconnect` and `connectTimeout` as for WebSocketClient, whose
   * readable and writable then survive reconnections; `highWaterMark`
   * (bytes) for writes; `readableMaxBytes` for unread messages.
   * With `reconnect`, the stream is where the client's `reconnecting`,
   * `reconnected` and `gaveup` events fire (Chrome's has no events).
   */
  constructor(url, options = undefined) {
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw new TypeError("WebSocketStream: the options must be an object");
    }
    super();
    const { protocols = [], signal, reconnect, delivery, connectTimeout, highWaterMark, readableMaxBytes } = options ?? {};
    this.#highWaterMark = highWaterMark ?? byteLimit(undefined); // the crate's default
    this.#readableMaxBytes = readableMaxBytes ?? DEFAULT_READABLE_MAX_BYTES;
    this.#opened = new Promise((resolve, reject) => Object.assign(this.#settle, { openResolve: resolve, openReject: reject }));
    this.#closed = new Promise((resolve, reject) => Object.assign(this.#settle, { closeResolve: resolve, closeReject: reject }));
    // Handled, as Chrome's are: no unhandled-rejection report for a
    // promise nobody reads.
    this.#opened.catch(() => {});
    this.#closed.catch(() => {});

    // A write after close rejects (README, WebSocketStream): the client throws.
    const client = new WebSocketClient(url, protocols, {
      binaryType: 'arraybuffer',
      reconnect,
      delivery,
      connectTimeout,
      highWaterMark: this.#highWaterMark,
      sendAfterClose: 'throw',
    });
    this.#client = client;
    if (reconnect || delivery) {
      // How a stream's user learns that a connection was lost, and how
      // many of its writes may have been lost with it (possiblyLost).
      for (const type of loaded().reconnectEventTypes()) {
        client.addEventListener(type, (e) => this.dispatchEvent(new CustomEvent(type, { detail: e.detail })));
      }
    }
    const onAbort = () => {
      if (this.#streams) return; // only the handshake can be aborted
      const error = new DOMException('WebSocket handshake was aborted', 'AbortError');
      this.#settleBoth(error, error);
      client.close();
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    client.addEventListener('open', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!this.#streams) this.#open();
    });
    // Each message's data: from the browser's event on a plain client, with
    // no event object made for it on a reconnecting one.
    this.#pulled = receiveData(client, this.#receive);
    client.addEventListener('close', (e) => {
      if (client.readyState === WebSocketClient.CLOSED) this.#finish(e);
    });
  }

  /** The resolved URL. */
  get url() {
    return this.#client.url;
  }

  /** With `delivery`: as `WebSocketClient`'s (`"off"` without it). */
  get delivery() {
    return this.#client.delivery;
  }

  /** With `delivery`: the id of the last write sent (1, 2, …). */
  get lastMessageId() {
    return this.#client.lastMessageId;
  }

  /** `{ readable, writable, protocol, extensions }` once open. */
  get opened() {
    return this.#opened;
  }

  /** `{ closeCode, reason }` after a clean close; rejects with a WebSocketError otherwise. */
  get closed() {
    return this.#closed;
  }

  /** Starts the closing handshake: `close({ closeCode, reason })`. */
  close(closeInfo = undefined) {
    if (closeInfo !== undefined && closeInfo !== null && typeof closeInfo !== 'object') {
      throw new TypeError("WebSocketStream.close: the argument must be a { closeCode, reason } object");
    }
    const reason = closeInfo?.reason === undefined ? undefined : String(closeInfo.reason);
    // An empty reason is no reason; a reason alone closes with 1000 (the
    // core's rule, as for WebSocket.close).
    this.#client.close(closeInfo?.closeCode, reason || undefined);
  }

  #open() {
    const client = this.#client;
    const source = {
      start: (controller) => {
        this.#reader = controller;
      },
      cancel: (reason) => {
        this.#reader = null;
        this.#closeFor(reason);
      },
    };
    // With delivery: the queue is empty and the reader wants more, so what
    // was handed over has been read (reconnecting-client.js, receive).
    // Without it, no pull: a pull costs a promise and a microtask a message.
    if (this.#pulled) source.pull = this.#pulled;
    const readable = new ReadableStream(
      source,
      // Sized in bytes, so desiredSize is minus the unread bytes.
      { highWaterMark: 0, size: byteLength },
    );
    const writable = new WritableStream(
      {
        start: (controller) => {
          this.#writer = controller;
        },
        write: (chunk) => {
          // Throws InvalidStateError once closing has started, rather than
          // drop the data as Chrome's does (README, WebSocketStream).
          client.send(chunk);
          // Backpressure: resolve once the browser's buffer is low enough.
          if (client.bufferedAmount <= this.#highWaterMark) return undefined;
          return client.drain(this.#highWaterMark);
        },
        close: () => {
          this.close();
          return this.#closed.then(
            () => undefined,
            () => undefined,
          );
        },
        abort: (reason) => this.#closeFor(reason),
      },
      { highWaterMark: 1 },
    );
    this.#streams = { readable, writable };
    this.#settle.openResolve({ readable, writable, protocol: client.protocol, extensions: client.extensions });
  }

  /** Each message's data (an arrow: handed to receiveData as it is). */
  #receive = (data) => {
    const reader = this.#reader;
    if (!reader) return;
    reader.enqueue(data);
    if (-reader.desiredSize > this.#readableMaxBytes) {
      const error = new RangeError(`WebSocketStream: more than ${this.#readableMaxBytes} bytes arrived unread (readableMaxBytes); the connection was closed`);
      reader.error(error);
      this.#reader = null;
      this.#client.close(1000, 'reader too slow');
    }
  };

  /** cancel()/abort(): a WebSocketError's code and reason, else a plain close. */
  #closeFor(reason) {
    if (isWebSocketError(reason) && reason.closeCode !== null) this.#client.close(reason.closeCode, reason.reason || undefined);
    else this.#client.close();
  }

  #settleBoth(openError, closeError) {
    this.#settle.openReject?.(openError);
    this.#settle.closeReject(closeError);
  }

  /** The final close: settle the promises and end both streams. */
  #finish(event) {
    if (!this.#streams) {
      this.#settleBoth(webSocketError('WebSocket closed before handshake complete.'), webSocketError('WebSocket was not cleanly closed.', 1006));
      return;
    }
    if (event.wasClean) {
      this.#settle.closeResolve({ closeCode: event.code, reason: event.reason });
      this.#reader?.close();
      this.#writer?.error(new DOMException('Cannot write to a closed WebSocketStream.', 'InvalidStateError'));
    } else {
      const error = webSocketError('WebSocket was not cleanly closed.', 1006);
      this.#settle.closeReject(error);
      this.#reader?.error(error);
      this.#writer?.error(error);
    }
    this.#reader = null;
  }
}
Object.defineProperty(WebSocketStream.prototype, Symbol.toStringTag, { value: 'WebSocketStream', configurable: true });
// Its own name, which the shipped (minified) bundle would otherwise shorten.
Object.defineProperty(WebSocketStream, 'name', { value: 'WebSocketStream', configurable: true });
Object.defineProperty(WebSocketError, 'name', { value: 'WebSocketError', configurable: true });
