// WebSocketClient: the npm package's class, a real EventTarget shaped like
// the browser's WebSocket, in two kinds:
// - plain (no `reconnect` option): the client IS the browser's WebSocket,
//   and the browser dispatches its own events on it (plain-client.js);
// - reconnecting: an EventTarget over the wasm core, which survives the
//   browser sockets it goes through (reconnecting-client.js).
// A client holds one kind object (`#kind`), made at construction, and
// hands every method to it. What is here both kinds share: the listener
// bookkeeping that the standard's lifetime rule needs, the `opened`/
// `closed` promises, and the count of sends discarded after close.
// Dispatch, the listener list, `once`, `signal`, `capture`, `passive`,
// `handleEvent` objects and removal during dispatch come from the
// browser's EventTarget, and no one needs to call `free()`.
import { CLOSED, CLOSING, CONNECTING, OPEN, ATTRIBUTES, SOCKET_TYPES, captureOf, isObject } from './events.js';
import { sendAfterClose } from './arguments.js';
import { reconnectingKind, wasm } from './init.js';
import { EVENT_TARGET, NATIVE_CONSTRUCTOR, nativeWebSocket } from './browser-natives.js';
import { ClientBase, PlainSocket, takePlan } from './plain-client.js';


/** The `NetworkError` of `opened` for a connection that closed before it opened. */
const connectionFailed = (close) => wasm.connectionFailed(close.code, close.reason, close.wasClean);

// The browser's EventTarget methods, as captured at load (browser-natives.js):
// the class never calls what page code could have replaced.
const listen = (target, type, listener, options) => EVENT_TARGET.addEventListener.call(target, type, listener, options);
const unlisten = (target, type, listener, options) => EVENT_TARGET.removeEventListener.call(target, type, listener, options);

/** The TypeError WebIDL gives a call with fewer arguments than required. */
const tooFewArguments = (what) => new TypeError(`${what}: 1 argument required, but only 0 present.`);

const UTF8 = new TextEncoder();

/** The size in bytes of data as the browser's send counts it (other values are sent as text). */
function byteSize(data) {
  if (data instanceof Blob) return data.size;
  if (typeof ImageData !== 'undefined' && data instanceof ImageData) return data.data.byteLength;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return UTF8.encode(String(data)).length;
}

/**
 * For WebSocketStream: calls `receive(data)` for every message of
 * `client`, at the least cost: each kind's `receive`. Returns, with
 * delivery, what the stream calls once its queue was read empty. Set in
 * the class body, which reads the client's kind.
 */
export let receiveData;

class WebSocketClient extends ClientBase {
  /** The client's kind: a PlainSocket (plain-client.js) or a ReconnectingSocket (reconnecting-client.js). */
  #kind = null;
  /** Sends after close: 'discard' (the standard) or 'throw'. */
  #sendAfterClose = 'discard';
  /** Sends discarded after close, and their bytes (also in bufferedAmount). */
  #discardedSends = 0;
  #discardedBytes = 0;
  /** This client, weakly: what the signals call back through. */
  #self = new WeakRef(this);
  /** type -> [{ callback, capture, wrapper }], for the socket's types and the reconnect events. */
  #listeners = new Map();
  #lastClose = null;
  #opened = false;
  #finished = false;
  /** Promises handed out, and how to settle the pending ones. */
  #openedPromise = null;
  #closedPromise = null;
  #settleOpened = null;
  #settleClosed = null;

  /**
   * `new WebSocketClient(url, protocols?, options?)`; throws the browser's
   * DOMExceptions (`SyntaxError`, `SecurityError`) for bad input.
   */
  constructor(url, protocols = undefined, options = undefined) {
    // WebIDL: a missing argument is a TypeError, before anything else.
    if (arguments.length === 0) throw tooFewArguments("Failed to construct 'WebSocket'");
    super(url, protocols, options);
    // What a kind tells its client.
    const shell = {
      opened: () => {
        this.#opened = true;
        this.#settleOpened?.resolve();
        this.#settleOpened = null;
      },
      /** A close event; `last`: the final one. */
      closed: (event, last) => {
        this.#lastClose = event;
        if (last) this.#finish();
      },
      /** The final close, with no event of its own (the last one was final). */
      finish: () => {
        if (!this.#finished) this.#finish();
      },
      keepAlive: () => this.#keepAlive(),
      /** Removes the page's listeners (a plain free(): no event follows). */
      dropListeners: () => {
        for (const [type, list] of this.#listeners) {
          for (const entry of list) unlisten(this, type, entry.wrapper, entry.capture);
        }
        this.#listeners.clear();
      },
    };
    const plan = takePlan();
    if (plan) {
      this.#sendAfterClose = plan.sendAfterClose;
      this.#kind = new PlainSocket(this, plan, shell);
    } else {
      this.#sendAfterClose = sendAfterClose(options.sendAfterClose);
      const ReconnectingSocket = reconnectingKind();
      this.#kind = new ReconnectingSocket(this, [url, protocols, options], shell);
    }
    this.#kind.start();
  }

  static {
    receiveData = (client, receive) => client.#kind.receive(receive);
  }

  // ----- attributes ----------------------------------------------------

  // url, protocol, extensions, binaryType, retryCount, reconnectCount,
  // queuedMessages, queuedBytes: getters made from ATTRIBUTES (below).
  static {
    for (const name of ATTRIBUTES) {
      const descriptor = {
        get: named(`get ${name}`, function () {
          return this.#kind.attribute(name);
        }),
        configurable: true, // enumerable: below, with every member
      };
      if (name === 'binaryType') {
        descriptor.set = named('set binaryType', function (value) {
          this.#kind.setBinaryType(value);
        });
      }
      Object.defineProperty(this.prototype, name, descriptor);
    }
    // onopen, onmessage, onclose, onerror: the browser's own event handler
    // attributes on a plain client, the same rules on a reconnecting one.
    for (const type of SOCKET_TYPES) {
      Object.defineProperty(this.prototype, `on${type}`, {
        get: named(`get on${type}`, function () {
          return this.#kind.handler(type);
        }),
        set: named(`set on${type}`, function (value) {
          this.#kind.setHandler(type, value);
        }),
        configurable: true,
      });
    }
  }

  get readyState() {
    return this.#kind.readyState;
  }
  get bufferedAmount() {
    return this.#kind.bufferedAmount(this.#discardedBytes);
  }

  /**
   * Sends discarded because they came after close (with `sendAfterClose:
   * 'discard'`, the default): the standard's socket drops them silently;
   * this count says how many there were.
   */
  get discardedSends() {
    return this.#discardedSends;
  }

  /** The bytes of those sends (also counted in `bufferedAmount`, as the standard says). */
  get discardedBytes() {
    return this.#discardedBytes;
  }

  // ----- methods ---------------------------------------------------------

  /**
   * Sends text or binary data. After close, as the standard's socket, the
   * data is discarded and counted (`discardedSends`), or, with
   * `sendAfterClose: 'throw'`, refused with an InvalidStateError.
   */
  send(data) {
    if (arguments.length === 0) throw tooFewArguments("Failed to execute 'send' on 'WebSocket'");
    if (this.#kind.send(data, this.#sendAfterClose)) {
      this.#discardedSends += 1;
      this.#discardedBytes += byteSize(data);
    }
  }

  /** Starts the closing handshake, with the standard's checks. */
  close(code = undefined, reason = undefined) {
    // WebIDL's conversion of `[Clamp] unsigned short` starts with ToNumber
    // (valueOf, "1000", a TypeError for a Symbol); the rest is the crate's.
    if (code !== undefined) code = +code;
    this.#kind.close(code, reason);
  }

  /**
   * With `reconnect`: closes the current connection (with `code` and
   * `reason`, checked as `close()` checks them) and connects again at once,
   * the backoff reset; after the final close, starts again with the
   * constructor's arguments (and new `opened`/`closed` promises).
   */
  reconnect(code = undefined, reason = undefined) {
    if (this.#kind.reconnect(code, reason)) {
      // After the final close: new promises, and the kind starts again.
      this.#finished = false;
      this.#opened = false;
      this.#openedPromise = null;
      this.#closedPromise = null;
      this.#kind.start();
    }
    this.#keepAlive();
  }

  /** Resolves once `bufferedAmount` is at most the high-water mark. */
  drain(highWaterMark = undefined) {
    return this.#kind.drain(highWaterMark);
  }

  /** Resolves on open; rejects with a `NetworkError` if it fails first. */
  get opened() {
    if (!this.#openedPromise) {
      this.#openedPromise = new Promise((resolve, reject) => {
        if (this.#opened) resolve();
        else if (this.#finished || this.#recordUnobservedClose()) reject(connectionFailed(this.#lastClose));
        else this.#settleOpened = { resolve, reject };
      });
      this.#keepAlive();
    }
    return this.#openedPromise;
  }

  /** Resolves with the final close event. */
  get closed() {
    if (!this.#closedPromise) {
      this.#closedPromise = new Promise((resolve) => {
        if (this.#finished || this.#recordUnobservedClose()) resolve(this.#lastClose);
        else this.#settleClosed = resolve;
      });
      this.#keepAlive();
    }
    return this.#closedPromise;
  }

  addEventListener(type, callback, options = undefined) {
    type = String(type);
    if (!this.#kind.firedTypes().includes(type) || !isObject(callback)) {
      listen(this, type, callback, options);
      return;
    }
    // The client keeps a list of its listeners, to know which exist (for
    // its lifetime) and to remove them on free(). The browser calls the
    // listener itself, but a `once` one through a wrapper that also
    // removes it from the list.
    const capture = captureOf(options);
    const list = this.#listeners.get(type) ?? [];
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const signal = isObject(options) ? options.signal : undefined;
    const once = isObject(options) && Boolean(options.once);
    const entry = { callback, capture, wrapper: callback };
    const self = this.#self;
    if (once) {
      entry.wrapper = function (event) {
        self.deref()?.#forget(type, entry);
        if (typeof callback === 'function') return callback.call(this, event);
        return callback.handleEvent(event);
      };
    }
    // The browser validates `options` (a non-AbortSignal `signal` throws)
    // and ignores the call for an already aborted signal.
    listen(this, type, entry.wrapper, options);
    if (signal?.aborted) return;
    list.push(entry);
    this.#listeners.set(type, list);
    // Weakly: a long-lived signal must not keep closed clients alive.
    signal?.addEventListener('abort', () => self.deref()?.#forget(type, entry), { once: true });
    this.#keepAlive();
  }

  removeEventListener(type, callback, options = undefined) {
    type = String(type);
    const capture = captureOf(options);
    const entry = this.#listeners.get(type)?.find((l) => l.callback === callback && l.capture === capture);
    if (!entry) {
      unlisten(this, type, callback, options);
      return;
    }
    unlisten(this, type, entry.wrapper, options);
    this.#forget(type, entry);
  }

  /**
   * Releases early: closes the connection if it is open, and no event
   * follows. Not needed: a closed, unreferenced client is collected (and
   * its wasm side released) like the browser's socket.
   */
  free() {
    this.#kind.release();
  }

  // ----- internals -------------------------------------------------------

  /** The final close: nothing more will fire. */
  #finish() {
    this.#finished = true;
    this.#kind.finish(() => this.#settle());
  }

  /** Settles the pending promises with the final close. */
  #settle() {
    this.#settleOpened?.reject(connectionFailed(this.#lastClose));
    this.#settleClosed?.(this.#lastClose);
    this.#settleOpened = null;
    this.#settleClosed = null;
  }

  /** Whether the kind saw the final close go by unobserved; if so, it is recorded. */
  #recordUnobservedClose() {
    const close = !this.#finished && this.#kind.missedClose();
    if (!close) return false;
    this.#lastClose = close;
    this.#finished = true;
    return true;
  }

  #forget(type, entry) {
    const list = this.#listeners.get(type);
    const at = list?.indexOf(entry) ?? -1;
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.#listeners.delete(type);
    this.#keepAlive();
  }

  /**
   * Whether the standard would keep this socket alive for its listeners
   * (a pending `opened`/`closed` promise counts as a listener for what
   * settles it); the kind then keeps it (see `keep` in each kind's file).
   */
  #keepAlive() {
    const kind = this.#kind;
    kind.keep(
      !this.#finished &&
        kind.live &&
        (Boolean(this.#settleClosed) ||
          (Boolean(this.#settleOpened) && !this.#opened) ||
          kind.keepingTypes().some((type) => this.#listeners.has(type) || kind.hasHandler(type))),
    );
  }
}

/** `fn` with the name WebIDL gives an accessor ("get url"). */
function named(name, fn) {
  return Object.defineProperty(fn, 'name', { value: name, configurable: true });
}

// The interface's shape, as WebIDL makes the browser's WebSocket: members
// enumerable; constants on the class and its prototype, read-only; the
// name and class string `WebSocket`.
for (const key of Object.getOwnPropertyNames(WebSocketClient.prototype)) {
  if (key !== 'constructor') Object.defineProperty(WebSocketClient.prototype, key, { enumerable: true });
}
for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  const constant = { value, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(WebSocketClient, name, constant);
  Object.defineProperty(WebSocketClient.prototype, name, constant);
}
Object.defineProperty(WebSocketClient.prototype, Symbol.toStringTag, { value: 'WebSocket', configurable: true });
Object.defineProperty(WebSocketClient, 'name', { value: 'WebSocket', configurable: true });
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(WebSocketClient.prototype, Symbol.dispose, {
    value: WebSocketClient.prototype.free,
    writable: true,
    configurable: true,
  });
}

/**
 * The class as users see it. Constructed, it is the class above, whose
 * base (ClientBase) makes a plain client the browser's own socket; seen,
 * its [[Prototype]] is EventTarget, as WebIDL makes an interface object's.
 * Where that base is found when constructing (the class's [[Prototype]])
 * and what WebIDL says it must be are the same slot, so the class is
 * handed out behind a Proxy that answers only that question differently.
 */
const PublicClass = new Proxy(WebSocketClient, {
  getPrototypeOf: () => EventTarget,
});
Object.defineProperty(WebSocketClient.prototype, 'constructor', { value: PublicClass, writable: true, configurable: true });
// The browser constructor this class stands in for, where a second copy
// of the package finds it once this one is installed as the global.
Object.defineProperty(WebSocketClient, NATIVE_CONSTRUCTOR, { get: nativeWebSocket });

export { PublicClass as WebSocketClient, PublicClass as WebSocket };
