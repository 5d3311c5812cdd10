// WebSocketClient: the npm package's class, a real EventTarget shaped like
// the browser's WebSocket, in two kinds:
// - plain (no `reconnect` option): the client IS the browser's WebSocket,
//   constructed with this class's prototype (native-socket.js). The
//   browser dispatches its own events on it, so listeners get the
//   browser's event objects with nothing in between (the raw API's speed),
//   and the browser's own garbage-collection rule keeps it alive. This
//   class adds the checks of the Rust faces (typed errors, no send dropped
//   silently), the options, `opened`/`closed`/`drain()`, and the one
//   behaviour the engines disagree on (an offered protocol not selected).
// - reconnecting: an EventTarget over the wasm core, which survives the
//   browser sockets it goes through; that kind's own work (handler
//   attributes, fresh events, its lifetime, the core) is in
//   reconnecting-client.js.
// Both kinds share what is here: the listener bookkeeping that the
// standard's lifetime rule needs, and the `opened`/`closed` promises.
// Dispatch, the listener list, `once`, `signal`, `capture`, `passive`,
// `handleEvent` objects and removal during dispatch come from the
// browser's EventTarget, and no one needs to call `free()`.
import {
  CLOSED,
  CLOSING,
  CONNECTING,
  KEEPS_ALIVE,
  OPEN,
  RECONNECT_COUNTERS,
  ATTRIBUTES,
  SOCKET_TYPES,
  RECEIVE,
  TYPES,
  captureOf,
  isObject,
} from './events.js';
import { byteLimit, sendAfterClose } from './arguments.js';
import { reconnectingKind, wasm } from './init.js';
import { EVENT_TARGET, NATIVE, NATIVE_CONSTRUCTOR, nativeWebSocket } from './browser-natives.js';
import { ClientBase, takePlan } from './native-socket.js';

export { RECONNECT_TYPES } from './events.js';

/** The `NetworkError` of `opened` for a connection that closed before it opened. */
const connectionFailed = (close) => wasm.connectionFailed(close.code, close.reason, close.wasClean);

/** The options of the class's own listeners on a plain client: first to run. */
const OURS_FIRST = { capture: true };

// The browser's EventTarget methods, as captured at load (browser-natives.js):
// the class never calls what page code could have replaced.
const listen = (target, type, listener, options) => EVENT_TARGET.addEventListener.call(target, type, listener, options);
const unlisten = (target, type, listener, options) => EVENT_TARGET.removeEventListener.call(target, type, listener, options);
const dispatch = (target, event) => EVENT_TARGET.dispatchEvent.call(target, event);

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
 * `client`, at the least cost: a listener on a plain client (the browser
 * delivers to it directly), the core's data with no event object on a
 * reconnecting one. Set in the class body, which can tell the two apart.
 */
export let receiveData;

class WebSocketClient extends ClientBase {
  /** A plain client's converted arguments (`plainArguments`, arguments.js). */
  #plain = null;
  /** Sends after close: 'discard' (the standard) or 'throw'. */
  #sendAfterClose = 'discard';
  /** Sends discarded after close, and their bytes (reconnecting: also in bufferedAmount). */
  #discardedSends = 0;
  #discardedBytes = 0;
  /** A reconnecting client's own part (reconnecting-client.js). */
  #reconnecting = null;
  /** This client, weakly: what the signals call back through. */
  #self = new WeakRef(this);
  /** type -> [{ callback, capture, wrapper }], for the socket's types and the reconnect events. */
  #listeners = new Map();
  #lastClose = null;
  #opened = false;
  #finished = false;
  /** Plain: `free()` was called. */
  #freed = false;
  /** Plain: the connection was failed here (no offered protocol selected). */
  #failedClose = null;
  /** Plain: whether `#observeClose` is registered. */
  #observingClose = false;
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
    const plan = takePlan();
    if (plan) {
      this.#sendAfterClose = plan.sendAfterClose;
      this.#startPlain(plan);
      return;
    }
    this.#sendAfterClose = sendAfterClose(options.sendAfterClose);
    const ReconnectingSocket = reconnectingKind();
    this.#reconnecting = new ReconnectingSocket(this, [url, protocols, options], {
      opened: () => {
        this.#opened = true;
        this.#settleOpened?.resolve();
        this.#settleOpened = null;
      },
      closed: (event, last) => {
        this.#lastClose = event;
        if (last) this.#finish();
      },
      keepAlive: () => this.#keepAlive(),
    });
  }

  /**
   * Plain: the browser's socket is this object. What this class needs to
   * know of its events it learns from listeners of its own, registered
   * first (and for `capture`, so that they run before the page's) and only
   * while needed: a listener keeps a socket alive, so an open socket that
   * nothing listens to has none of ours either.
   */
  #startPlain(plan) {
    this.#plain = plan;
    NATIVE.setBinaryType.call(this, plan.binaryType);
    listen(this, 'open', this.#onPlainOpen, OURS_FIRST);
    listen(this, 'error', this.#onPlainError, OURS_FIRST);
    if (plan.protocols.length > 0) {
      // After #fail(), the engine's own close event (clean, 1005) is not
      // passed on: the failure's close event was the close event.
      const onClose = (event) => {
        if (!event.isTrusted) return;
        unlisten(this, 'close', onClose, OURS_FIRST);
        if (this.#failedClose) event.stopImmediatePropagation();
      };
      listen(this, 'close', onClose, OURS_FIRST);
    }
    this.#keepAlive();
    if (plan.connectTimeout !== undefined) {
      // Closing a socket that is still connecting fails it: error, then
      // close 1006, from the browser itself.
      setTimeout(() => {
        if (NATIVE.readyState.call(this) === CONNECTING) NATIVE.close.call(this);
      }, plan.connectTimeout);
    }
  }

  /** Plain: the open event (registered until it comes, or the close). */
  #onPlainOpen = (event) => {
    if (!event.isTrusted) return; // dispatchEvent(new Event('open')) opens nothing
    unlisten(this, 'open', this.#onPlainOpen, OURS_FIRST);
    unlisten(this, 'error', this.#onPlainError, OURS_FIRST);
    if (this.#plain.protocols.length > 0 && NATIVE.protocol.call(this) === '') {
      // Firefox and WebKit open a connection on which the server
      // selected none of the offered protocols; the standard (and
      // Chromium) fail it: error, then close 1006, and never open.
      event.stopImmediatePropagation();
      this.#fail();
      return;
    }
    this.#opened = true;
    this.#settleOpened?.resolve();
    this.#settleOpened = null;
    this.#keepAlive();
  };

  /**
   * Plain: the error event of a connection that failed (registered until
   * it comes, or the open, or the close). The standard sets CLOSED, then
   * fires error and close (1006). WebKit fails a blocked port with an
   * error alone, fired while still CONNECTING, and is CLOSED one task
   * later; then a close that has not come is dispatched here.
   */
  #onPlainError = (event) => {
    if (!event.isTrusted) return;
    unlisten(this, 'error', this.#onPlainError, OURS_FIRST);
    if (this.#failedClose || NATIVE.readyState.call(this) !== CONNECTING) return;
    let closed = false;
    const onClose = (close) => {
      if (close.isTrusted) closed = true;
    };
    listen(this, 'close', onClose, OURS_FIRST);
    setTimeout(() => {
      unlisten(this, 'close', onClose, OURS_FIRST);
      if (closed || this.#freed || this.#failedClose || NATIVE.readyState.call(this) !== CLOSED) return;
      this.#failedClose = new CloseEvent('close', { code: 1006, wasClean: false });
      dispatch(this, this.#failedClose);
    }, 0);
  };

  /** Plain: fails the connection as the standard does; see #startPlain. */
  #fail() {
    this.#failedClose = new CloseEvent('close', { code: 1006, wasClean: false });
    NATIVE.close.call(this);
    dispatch(this, new Event('error'));
    dispatch(this, this.#failedClose);
  }

  /**
   * Plain: records the final close, and settles the promises once the
   * event has reached every listener (as for a reconnecting client, whose
   * events are dispatched in one go): each listener here is called on its
   * own, with promise reactions run in between.
   */
  #observeClose = (event) => {
    if (!event.isTrusted && event !== this.#failedClose) return;
    this.#lastClose = event;
    this.#finished = true;
    // Nothing of ours stays on a closed socket (this one goes in #keepAlive).
    unlisten(this, 'open', this.#onPlainOpen, OURS_FIRST);
    unlisten(this, 'error', this.#onPlainError, OURS_FIRST);
    this.#keepAlive();
    setTimeout(() => this.#settle(), 0);
  };

  static {
    receiveData = (client, receive) => {
      if (client.#plain) client.addEventListener('message', (event) => receive(event.data));
      else client[RECEIVE] = receive;
    };
  }

  // ----- attributes ----------------------------------------------------

  // url, protocol, extensions, binaryType, retryCount, reconnectCount,
  // queuedMessages, queuedBytes: getters made from ATTRIBUTES (below).
  static {
    for (const name of ATTRIBUTES) {
      const plain = RECONNECT_COUNTERS.includes(name) ? () => 0 : (client) => NATIVE[name].call(client);
      const descriptor = {
        get: named(`get ${name}`, function () {
          if (this.#plain) return plain(this);
          return this.#reconnecting.attribute(name);
        }),
        configurable: true, // enumerable: below, with every member
      };
      if (name === 'binaryType') {
        descriptor.set = named('set binaryType', function (value) {
          if (this.#plain) NATIVE.setBinaryType.call(this, value);
          else this.#reconnecting.setBinaryType(value);
        });
      }
      Object.defineProperty(this.prototype, name, descriptor);
    }
    // onopen, onmessage, onclose, onerror: the browser's own event handler
    // attributes on a plain client, the same rules here otherwise.
    for (const type of SOCKET_TYPES) {
      Object.defineProperty(this.prototype, `on${type}`, {
        get: named(`get on${type}`, function () {
          return this.#plain ? NATIVE.handlers[type].get.call(this) : this.#reconnecting.handler(type);
        }),
        set: named(`set on${type}`, function (value) {
          if (this.#plain) {
            NATIVE.handlers[type].set.call(this, value);
            this.#keepAlive();
          } else {
            this.#reconnecting.setHandler(type, value);
          }
        }),
        configurable: true,
      });
    }
  }

  get readyState() {
    return this.#state();
  }
  get bufferedAmount() {
    if (this.#plain) return NATIVE.bufferedAmount.call(this);
    return this.#reconnecting.bufferedAmount + this.#discardedBytes;
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
    if (this.#plain) {
      // The hot path: text goes to the browser as it is. (After #fail()
      // the browser's state is CLOSING.)
      const open = NATIVE.readyState.call(this) === OPEN;
      if (!open) {
        const state = this.#state();
        if (state === CONNECTING || this.#sendAfterClose === 'throw') throw wasm.sendError(state);
      }
      // After close the browser discards it, and adds its size to bufferedAmount.
      NATIVE.send.call(this, typeof data === 'string' ? data : wasm.sendable(data));
      if (!open) this.#discarded(byteSize(data));
      return;
    }
    try {
      this.#reconnecting.send(data);
    } catch (error) {
      // Refused because closing has started and the outbox does not take
      // it: what the standard's socket discards.
      if (this.#sendAfterClose === 'throw' || this.#state() < CLOSING || error?.name !== 'InvalidStateError') throw error;
      this.#discarded(byteSize(data));
    }
  }

  #discarded(bytes) {
    this.#discardedSends += 1;
    this.#discardedBytes += bytes;
  }

  /** Starts the closing handshake, with the standard's checks. */
  close(code = undefined, reason = undefined) {
    // WebIDL's conversion of `[Clamp] unsigned short` starts with ToNumber
    // (valueOf, "1000", a TypeError for a Symbol); the rest is the crate's.
    if (code !== undefined) code = +code;
    if (this.#plain) {
      // Checked first, even when closed already, as the standard says.
      const args = wasm.closeArguments(code, reason);
      if (this.#state() < CLOSING) NATIVE.close.apply(this, args);
      return;
    }
    if (this.#reconnecting.close(code, reason) && !this.#finished) {
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
    if (this.#plain) throw wasm.notReconnecting();
    const reconnecting = this.#reconnecting;
    if (reconnecting.live) {
      reconnecting.reconnect(code, reason);
      this.#keepAlive();
      return;
    }
    wasm.checkClose(code, reason);
    this.#finished = false;
    this.#opened = false;
    this.#openedPromise = null;
    this.#closedPromise = null;
    reconnecting.start();
    this.#keepAlive();
  }

  /** Resolves once `bufferedAmount` is at most the high-water mark. */
  drain(highWaterMark = undefined) {
    const plan = this.#plain;
    if (plan) {
      const limit = highWaterMark === undefined ? plan.highWaterMark : byteLimit(highWaterMark);
      // The browser has no event for a draining buffer: poll.
      return new Promise((resolve, reject) => {
        const poll = () => {
          const state = this.#state();
          if (state !== OPEN) reject(wasm.sendError(state));
          else if (NATIVE.bufferedAmount.call(this) <= limit) resolve();
          else setTimeout(poll, plan.pollMs);
        };
        poll();
      });
    }
    return this.#reconnecting.drain(highWaterMark);
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
    if (!TYPES.includes(type) || !isObject(callback)) {
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
    if (this.#plain) {
      if (this.#freed) return;
      this.#freed = true;
      for (const [type, list] of this.#listeners) {
        for (const entry of list) unlisten(this, type, entry.wrapper, entry.capture);
      }
      this.#listeners.clear();
      for (const type of SOCKET_TYPES) NATIVE.handlers[type].set.call(this, null);
      unlisten(this, 'open', this.#onPlainOpen, OURS_FIRST);
      unlisten(this, 'error', this.#onPlainError, OURS_FIRST);
      this.#observe(false);
      if (NATIVE.readyState.call(this) < CLOSING) NATIVE.close.call(this);
      return;
    }
    this.#reconnecting.release();
  }

  // ----- internals -------------------------------------------------------

  /** readyState, from the browser's getter or the core: never from a member page code can replace. */
  #state() {
    if (this.#plain) return this.#failedClose ? CLOSED : NATIVE.readyState.call(this);
    return this.#reconnecting.readyState;
  }

  /** Reconnecting: the final close; nothing more will fire. */
  #finish() {
    this.#finished = true;
    this.#reconnecting.release();
    this.#settle();
  }

  /** Settles the pending promises with the final close. */
  #settle() {
    this.#settleOpened?.reject(connectionFailed(this.#lastClose));
    this.#settleClosed?.(this.#lastClose);
    this.#settleOpened = null;
    this.#settleClosed = null;
  }

  /**
   * Plain: whether the socket closed while nothing of ours listened (no
   * page listener or promise could see it either). Its close event is
   * gone; `closed` resolves with one that says only that (1005, unclean).
   */
  #recordUnobservedClose() {
    if (!this.#plain || this.#finished || this.#observingClose || NATIVE.readyState.call(this) !== CLOSED) return false;
    this.#lastClose = new CloseEvent('close', { code: 1005, wasClean: false });
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

  #listensTo(type) {
    if (this.#listeners.has(type)) return true;
    if (this.#plain) return SOCKET_TYPES.includes(type) && NATIVE.handlers[type].get.call(this) !== null;
    return this.#reconnecting.hasHandler(type);
  }

  /**
   * Whether the standard would keep this socket alive for its listeners
   * (a pending `opened`/`closed` promise counts as a listener for what
   * settles it). A reconnecting client is then held alive; a plain
   * one is kept by the browser, and only needs to watch for its close.
   */
  #keepAlive() {
    let keep = false;
    const state = this.#state();
    if (!this.#finished && !this.#freed && (this.#plain || this.#reconnecting.live)) {
      const types = this.#plain ? KEEPS_ALIVE[state] : TYPES;
      keep =
        Boolean(this.#settleClosed) ||
        (Boolean(this.#settleOpened) && !this.#opened) ||
        types.some((type) => this.#listensTo(type));
    }
    if (this.#plain) this.#observe(keep || state === CONNECTING);
    else this.#reconnecting.keep(keep);
  }

  /**
   * Plain: watches for the close event while something listens (a page
   * listener, a promise, or the connection still being made, when
   * listeners of ours are registered anyway); stops otherwise, so that the
   * browser can collect a socket nothing listens to.
   */
  #observe(on) {
    if (on === this.#observingClose) return;
    this.#observingClose = on;
    if (on) listen(this, 'close', this.#observeClose, OURS_FIRST);
    else unlisten(this, 'close', this.#observeClose, OURS_FIRST);
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
