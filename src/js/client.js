// WebSocketClient: the npm package's class, a real EventTarget shaped like
// the browser's WebSocket, over the wasm core (WebSocketClientCore).
//
// What the browser's own machinery does, it does here too: dispatch, the
// listener list, `once`, `signal`, `capture`, `passive`, `handleEvent`
// objects and removal during dispatch all come from EventTarget. This file
// adds only what a subclass must:
// - event handler attributes (`onmessage` …) as the HTML standard defines
//   them: one listener, added when first set, in the list's order;
// - fresh `Event`/`MessageEvent`/`CloseEvent` objects with the client as
//   `target`, carrying the browser's values (`data`, `origin`, `code` …);
// - the WebSockets standard's lifetime ("Garbage collection"): while the
//   state and the listeners say the socket may still fire events someone
//   listens to, the client is held in `alive`; otherwise only the page's
//   references keep it.
// The wasm side is released at the final close (its attributes are kept
// here), or, for a client collected before that, by wasm-bindgen's
// FinalizationRegistry; no one needs to call `free()`.
//
// The core never references this object (see src/js/mod.rs): it calls
// back through a WeakRef.
import { WebSocketClientCore } from './wasm_websocket.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Event types by the number the core dispatches them with. */
const TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'reconnected', 'gaveup'];

/**
 * The listener types that keep a plain socket alive, by readyState
 * (WHATWG WebSockets, "Garbage collection"). CLOSED counts until the close
 * event has been dispatched (a failed connection is CLOSED at its error
 * event; its close event follows). A reconnecting client fires every type
 * again after a reconnect, so any listener keeps it alive until its final
 * close.
 */
const KEEPS_ALIVE = [
  ['open', 'message', 'error', 'close'],
  ['message', 'error', 'close'],
  ['error', 'close'],
  ['error', 'close'],
];

/** Clients that must outlive the page's references to them. */
const alive = new Set();

/**
 * For WebSocketStream (same package, not exported to users): a function
 * stored under this key receives each message's data instead of a
 * `message` event being dispatched, so a stream pays for no event object.
 */
export const RECEIVE = Symbol('receive');

/**
 * The attributes read from the core while it lives and kept (in `#final`)
 * after it is released; `bufferedAmount` and `readyState` have getters of
 * their own.
 */
const ATTRIBUTES = ['url', 'protocol', 'extensions', 'binaryType', 'retryCount', 'reconnectCount', 'queuedMessages', 'queuedBytes'];

/** `capture` of an options argument, as the DOM flattens it. */
const captureOf = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

export class WebSocketClient extends EventTarget {
  #core;
  /** The constructor's arguments, for a reconnect() after the final close. */
  #args;
  /** This client, weakly: what the core and the signals call back through. */
  #self = new WeakRef(this);
  /** The browser's socket of a plain connection (null when reconnecting). */
  #socket = null;
  /** Removes the listener this class put on the browser's socket, if any. */
  #detach = null;
  /** The attributes as they were when the core was released. */
  #final = null;
  /** type -> [{ callback, capture, wrapper }], for the tracked types only. */
  #listeners = new Map();
  /** `on<type>` values and the one listener each installs. */
  #handlers = { open: null, message: null, close: null, error: null };
  #handlerListeners = {};
  #lastClose = null;
  #opened = false;
  #finished = false;
  #reconnects = false;
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
    super();
    this.#args = [url, protocols, options];
    this.#start();
  }

  /** Connects: a new core (at construction, or to start again). */
  #start() {
    const self = this.#self;
    this.#core = new WebSocketClientCore(...this.#args, (kind, event, last) => {
      self.deref()?.#deliver(kind, event, last);
    });
    this.#reconnects = this.#core.reconnects;
    // A plain socket's messages come straight from the browser's socket
    // (the core forwards the rest); removed again at release.
    const socket = this.#core.socket;
    if (socket) {
      this.#socket = socket;
      const onMessage = (event) => self.deref()?.#deliver(1, event, false);
      socket.addEventListener('message', onMessage);
      this.#detach = () => socket.removeEventListener('message', onMessage);
    }
  }

  // ----- attributes ----------------------------------------------------

  // url, protocol, extensions, binaryType, retryCount, reconnectCount,
  // queuedMessages, queuedBytes: getters made from ATTRIBUTES (below).
  static {
    for (const name of ATTRIBUTES) {
      Object.defineProperty(this.prototype, name, {
        get() {
          return (this.#core ?? this.#final)[name];
        },
        configurable: true, // as a class accessor is
      });
    }
  }

  get readyState() {
    return this.#core ? this.#core.readyState : CLOSED;
  }
  get bufferedAmount() {
    return (this.#socket ?? this.#core ?? this.#final).bufferedAmount;
  }
  set binaryType(value) {
    if (this.#core) this.#core.binaryType = value;
    // Other values are ignored, as the browser does.
    else if (value === 'blob' || value === 'arraybuffer') this.#final.binaryType = value;
  }

  get onopen() {
    return this.#handlers.open;
  }
  set onopen(value) {
    this.#setHandler('open', value);
  }
  get onmessage() {
    return this.#handlers.message;
  }
  set onmessage(value) {
    this.#setHandler('message', value);
  }
  get onclose() {
    return this.#handlers.close;
  }
  set onclose(value) {
    this.#setHandler('close', value);
  }
  get onerror() {
    return this.#handlers.error;
  }
  set onerror(value) {
    this.#setHandler('error', value);
  }

  // ----- methods ---------------------------------------------------------

  /** Sends text or binary data; throws instead of dropping it. */
  send(data) {
    // The hot path, text on an open plain socket, goes straight to the
    // browser; everything else through the core's checks and conversions.
    const socket = this.#socket;
    if (socket !== null && typeof data === 'string' && socket.readyState === OPEN) {
      socket.send(data);
      return;
    }
    if (!this.#core) throw WebSocketClientCore.closedError();
    this.#core.send(data);
  }

  /** Starts the closing handshake, with the standard's checks. */
  close(code = undefined, reason = undefined) {
    if (!this.#core) {
      // Closed already: only the argument checks remain.
      WebSocketClientCore.checkClose(code, reason);
      return;
    }
    if (this.#core.close(code, reason) && !this.#finished) {
      // Reconnecting, closed while waiting to retry: no close event
      // follows, the last one was final.
      this.#finish();
    }
    this.#keepAlive();
  }

  /**
   * With `reconnect`: closes the current connection (with `code` and
   * `reason`, checked as `close()` checks them) and connects again at once,
   * the backoff reset; after the final close, starts again with the
   * constructor's arguments (and new `opened`/`closed` promises).
   */
  reconnect(code = undefined, reason = undefined) {
    if (!this.#reconnects) throw WebSocketClientCore.notReconnecting();
    if (this.#core) {
      this.#core.reconnect(code, reason);
      this.#keepAlive();
      return;
    }
    WebSocketClientCore.checkClose(code, reason);
    this.#final = null;
    this.#finished = false;
    this.#opened = false;
    this.#openedPromise = null;
    this.#closedPromise = null;
    this.#start();
    this.#keepAlive();
  }

  /** Resolves once `bufferedAmount` is at most the high-water mark. */
  drain(highWaterMark = undefined) {
    if (!this.#core) return WebSocketClientCore.closedDrain(highWaterMark);
    return this.#core.drain(highWaterMark);
  }

  /** Resolves on open; rejects with a `NetworkError` if it fails first. */
  get opened() {
    if (!this.#openedPromise) {
      this.#openedPromise = new Promise((resolve, reject) => {
        if (this.#opened) resolve();
        else if (this.#finished) reject(WebSocketClientCore.connectionFailed(this.#lastClose));
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
        if (this.#finished) resolve(this.#lastClose);
        else this.#settleClosed = resolve;
      });
      this.#keepAlive();
    }
    return this.#closedPromise;
  }

  addEventListener(type, callback, options = undefined) {
    type = String(type);
    if (!TYPES.includes(type) || !isObject(callback)) {
      super.addEventListener(type, callback, options);
      return;
    }
    // A wrapper per (callback, capture), so that the client knows which
    // listeners exist (`once` and `signal` remove them behind its back);
    // the DOM runs it with the client as `this`, and it calls the
    // listener as the DOM would.
    const capture = captureOf(options);
    const list = this.#listeners.get(type) ?? [];
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const signal = isObject(options) ? options.signal : undefined;
    const once = isObject(options) && Boolean(options.once);
    const entry = { callback, capture, wrapper: null };
    const self = this;
    entry.wrapper = function (event) {
      if (once) self.#forget(type, entry);
      if (typeof callback === 'function') return callback.call(this, event);
      return callback.handleEvent(event);
    };
    // The browser validates `options` (a non-AbortSignal `signal` throws)
    // and ignores the call for an already aborted signal.
    super.addEventListener(type, entry.wrapper, options);
    if (signal?.aborted) return;
    list.push(entry);
    this.#listeners.set(type, list);
    // Weakly: a long-lived signal must not keep closed clients alive.
    const weak = this.#self;
    signal?.addEventListener('abort', () => weak.deref()?.#forget(type, entry), { once: true });
    this.#keepAlive();
  }

  removeEventListener(type, callback, options = undefined) {
    type = String(type);
    const capture = captureOf(options);
    const entry = this.#listeners.get(type)?.find((l) => l.callback === callback && l.capture === capture);
    if (!entry) {
      super.removeEventListener(type, callback, options);
      return;
    }
    super.removeEventListener(type, entry.wrapper, options);
    this.#forget(type, entry);
  }

  /**
   * Releases the wasm side now, closing the connection if it is open (no
   * close event follows). Not needed: the final close releases it, and an
   * unreferenced client is released when it is collected.
   */
  free() {
    this.#release();
  }

  // ----- internals -------------------------------------------------------

  /**
   * Keeps the attributes, then frees the core. Freed in a microtask: this
   * may run inside one of the core's own callbacks.
   */
  #release() {
    const core = this.#core;
    if (!core) return;
    this.#final = { bufferedAmount: core.bufferedAmount };
    for (const name of ATTRIBUTES) this.#final[name] = core[name];
    this.#core = null;
    this.#socket = null;
    this.#detach?.();
    this.#detach = null;
    alive.delete(this);
    queueMicrotask(() => core.free());
  }

  /** Called by the core for every event; see src/js/mod.rs. */
  #deliver(kind, raw, last) {
    let event;
    switch (kind) {
      case 1:
        // The hot path: no state changes, no bookkeeping.
        if (this[RECEIVE]) this[RECEIVE](raw.data);
        else this.dispatchEvent(messageEvent(raw));
        return;
      case 0:
        this.#opened = true;
        this.#settleOpened?.resolve();
        this.#settleOpened = null;
        event = new Event('open');
        break;
      case 2:
        event = new CloseEvent('close', { code: raw.code, reason: raw.reason, wasClean: raw.wasClean });
        this.#lastClose = event;
        // Settled before listeners run, so a listener sees them settled.
        if (last) this.#finish();
        break;
      case 3:
        event = new Event('error');
        break;
      default:
        event = new CustomEvent(TYPES[kind], { detail: raw });
    }
    this.dispatchEvent(event);
    this.#keepAlive();
  }

  /** The final close: settle the promises; nothing more will fire. */
  #finish() {
    this.#finished = true;
    this.#release();
    this.#settleOpened?.reject(WebSocketClientCore.connectionFailed(this.#lastClose));
    this.#settleClosed?.(this.#lastClose);
    this.#settleOpened = null;
    this.#settleClosed = null;
  }

  #setHandler(type, value) {
    // As the DOM: objects (callable or not) are stored, anything else is null.
    const handler = isObject(value) ? value : null;
    this.#handlers[type] = handler;
    const installed = this.#handlerListeners[type];
    if (handler && !installed) {
      const listener = (event) => {
        const current = this.#handlers[type];
        // Called with the client as `this`; a non-callable value throws a
        // TypeError that the browser reports, as for any handler.
        if (current) return Reflect.apply(current, event.currentTarget, [event]);
      };
      this.#handlerListeners[type] = listener;
      super.addEventListener(type, listener);
    } else if (!handler && installed) {
      super.removeEventListener(type, installed);
      delete this.#handlerListeners[type];
    }
    this.#keepAlive();
  }

  #forget(type, entry) {
    const list = this.#listeners.get(type);
    const at = list?.indexOf(entry) ?? -1;
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.#listeners.delete(type);
    this.#keepAlive();
  }

  #listensTo(type) {
    return this.#listeners.has(type) || Boolean(this.#handlerListeners[type]);
  }

  /**
   * Holds the client while the standard says its socket must not be
   * collected; lets it go otherwise. A pending `opened`/`closed` promise
   * counts as a listener for what settles it.
   */
  #keepAlive() {
    let keep = false;
    if (this.#core && !this.#finished) {
      const types = this.#reconnects ? TYPES : KEEPS_ALIVE[this.#core.readyState];
      keep =
        Boolean(this.#settleClosed) ||
        (Boolean(this.#settleOpened) && !this.#opened) ||
        types.some((type) => this.#listensTo(type));
    }
    if (keep) alive.add(this);
    else alive.delete(this);
  }
}

/**
 * A MessageEvent with the browser's `data`, `origin` ("ws://host:port"),
 * `lastEventId` ("") and `ports` ([]). `origin` is set as an own property:
 * passing it in the init dictionary costs Chromium about 1.5 µs a message
 * (its string conversion), which the benchmark shows.
 */
function messageEvent(raw) {
  const event = new MessageEvent('message', { data: raw.data });
  Object.defineProperty(event, 'origin', { value: raw.origin, enumerable: true });
  return event;
}

// Constants on the class and its prototype, read-only, as WebIDL has them.
for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  const constant = { value, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(WebSocketClient, name, constant);
  Object.defineProperty(WebSocketClient.prototype, name, constant);
}
Object.defineProperty(WebSocketClient.prototype, Symbol.toStringTag, { value: 'WebSocketClient', configurable: true });
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(WebSocketClient.prototype, Symbol.dispose, {
    value: WebSocketClient.prototype.free,
    writable: true,
    configurable: true,
  });
}
