// WebSocketClient: the npm package's class, a real EventTarget shaped like
// the browser's WebSocket, in two kinds:
// - plain (no `reconnect` option): the client IS the browser's WebSocket,
//   constructed with this class's prototype (Reflect.construct). The
//   browser dispatches its own events on it, so listeners get the
//   browser's event objects with nothing in between (the raw API's speed),
//   and the browser's own garbage-collection rule keeps it alive. This
//   class adds the checks of the Rust faces (typed errors, no send dropped
//   silently), the options, `opened`/`closed`/`drain()`, and the one
//   behaviour the engines disagree on (an offered protocol not selected).
// - reconnecting: an EventTarget over the wasm core (WebSocketClientCore),
//   which survives the browser sockets it goes through. Here this file
//   adds what a subclass must:
//   - event handler attributes (`onmessage` …) as the HTML standard
//     defines them: one listener, added when first set, in the list's
//     order;
//   - fresh `Event`/`MessageEvent`/`CloseEvent` objects with the client as
//     `target`, carrying the browser's values (`data`, `origin`, `code` …);
//   - the WebSockets standard's lifetime ("Garbage collection"): while the
//     listeners may still fire, the client is held in `alive`; otherwise
//     only the page's references keep it.
//   The wasm side is released at the final close (its attributes are kept
//   here), or, for a client collected before that, by wasm-bindgen's
//   FinalizationRegistry. The core never references this object (see
//   src/js/mod.rs): it calls back through a WeakRef.
// In both kinds dispatch, the listener list, `once`, `signal`, `capture`,
// `passive`, `handleEvent` objects and removal during dispatch come from the
// browser's EventTarget, and no one needs to call `free()`.
import { WebSocketClientCore } from './wasm_websocket.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Event types by the number the core dispatches them with. */
const TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'reconnected', 'gaveup'];

/** The browser socket's own event types. */
const SOCKET_TYPES = TYPES.slice(0, 4);

/** The event types only a reconnecting client fires. */
export const RECONNECT_TYPES = TYPES.slice(4);

/**
 * The listener types that keep a socket alive, by readyState (WHATWG
 * WebSockets, "Garbage collection"). CLOSED counts until the close event
 * has been dispatched (a failed connection is CLOSED at its error event;
 * its close event follows). A reconnecting client fires every type again
 * after a reconnect, so any listener keeps it alive until its final close.
 */
const KEEPS_ALIVE = [
  ['open', 'message', 'error', 'close'],
  ['message', 'error', 'close'],
  ['error', 'close'],
  ['error', 'close'],
];

/** Reconnecting clients that must outlive the page's references to them. */
const alive = new Set();

/**
 * For WebSocketStream (same package, not exported to users): a function
 * stored under this key on a reconnecting client receives each message's
 * data instead of a `message` event being dispatched, so a stream pays for
 * no event object. See `receiveData`.
 */
const RECEIVE = Symbol('receive');

/**
 * For WebSocketStream: calls `receive(data)` for every message of
 * `client`, at the least cost: a listener on a plain client (the browser
 * delivers to it directly), the core's data with no event object on a
 * reconnecting one. Set in the class body, which can tell the two apart.
 */
export let receiveData;

/**
 * The attributes read from the core while it lives and kept (in `#final`)
 * after it is released; `bufferedAmount` and `readyState` have getters of
 * their own. A plain client reads the browser's own (`NATIVE`).
 */
const ATTRIBUTES = ['url', 'protocol', 'extensions', 'binaryType', 'retryCount', 'reconnectCount', 'queuedMessages', 'queuedBytes'];
const RECONNECT_COUNTERS = ATTRIBUTES.slice(4);

/**
 * The browser WebSocket's own accessors and methods, called on plain
 * clients (which are browser sockets whose prototype is ours). Read on
 * first use: the module also loads where there is no WebSocket.
 */
let NATIVE = null;
function natives() {
  const proto = WebSocket.prototype;
  const own = (name) => Object.getOwnPropertyDescriptor(proto, name);
  const get = (name) => own(name).get;
  return {
    readyState: get('readyState'),
    bufferedAmount: get('bufferedAmount'),
    url: get('url'),
    protocol: get('protocol'),
    extensions: get('extensions'),
    binaryType: get('binaryType'),
    setBinaryType: own('binaryType').set,
    send: proto.send,
    close: proto.close,
    handlers: Object.fromEntries(SOCKET_TYPES.map((type) => [type, own(`on${type}`)])),
  };
}

/** The options of the class's own listeners on a plain client: first to run. */
const OURS_FIRST = { capture: true };

/** `capture` of an options argument, as the DOM flattens it. */
const captureOf = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';
const reconnects = (options) => typeof options === 'object' && options !== null && Boolean(options.reconnect);

/**
 * What the constructor of a plain client hands from `ClientBase` to the
 * class body (synchronously, nothing can run in between).
 */
let handoff = null;

/**
 * The object a `WebSocketClient` is: for a plain client the browser's
 * WebSocket, made with the subclass's prototype; for a reconnecting one an
 * EventTarget. Either way `instanceof EventTarget` holds and the prototype
 * chain is WebSocketClient's.
 */
function ClientBase(url, protocols, options) {
  if (reconnects(options)) return Reflect.construct(EventTarget, [], new.target);
  NATIVE ??= natives();
  const plan = WebSocketClientCore.plainPlan(url, protocols, options);
  let socket;
  try {
    const args = plan.protocols.length > 0 ? [plan.url, plan.protocols] : [plan.url];
    socket = Reflect.construct(WebSocket, args, new.target);
  } catch (error) {
    throw WebSocketClientCore.connectError(error, plan.given);
  }
  handoff = plan;
  return socket;
}
ClientBase.prototype = EventTarget.prototype;
Object.setPrototypeOf(ClientBase, EventTarget);

export class WebSocketClient extends ClientBase {
  /** A plain client's checked options (see `plainPlan` in src/js/mod.rs). */
  #plain = null;
  #core = null;
  /** The constructor's arguments, for a reconnect() after the final close. */
  #args;
  /** This client, weakly: what the core and the signals call back through. */
  #self = new WeakRef(this);
  /** The attributes as they were when the core was released. */
  #final = null;
  /** type -> [{ callback, capture, wrapper }], for the socket's types and the reconnect events. */
  #listeners = new Map();
  /** Reconnecting: `on<type>` values and the one listener each installs. */
  #handlers = { open: null, message: null, close: null, error: null };
  #handlerListeners = {};
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
    super(url, protocols, options);
    this.#args = [url, protocols, options];
    const plan = handoff;
    handoff = null;
    if (plan) this.#startPlain(plan);
    else this.#start();
  }

  /** Reconnecting: connects (at construction, or to start again). */
  #start() {
    const self = this.#self;
    this.#core = new WebSocketClientCore(...this.#args, (kind, event, last) => {
      self.deref()?.#deliver(kind, event, last);
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
    super.addEventListener('open', this.#onPlainOpen, OURS_FIRST);
    if (plan.protocols.length > 0) {
      // After #fail(), the engine's own close event (clean, 1005) is not
      // passed on: the failure's close event was the close event.
      const onClose = (event) => {
        if (!event.isTrusted) return;
        super.removeEventListener('close', onClose, OURS_FIRST);
        if (this.#failedClose) event.stopImmediatePropagation();
      };
      super.addEventListener('close', onClose, OURS_FIRST);
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
    super.removeEventListener('open', this.#onPlainOpen, OURS_FIRST);
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

  /** Plain: fails the connection as the standard does; see #startPlain. */
  #fail() {
    this.#failedClose = new CloseEvent('close', { code: 1006, wasClean: false });
    NATIVE.close.call(this);
    this.dispatchEvent(new Event('error'));
    this.dispatchEvent(this.#failedClose);
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
    super.removeEventListener('open', this.#onPlainOpen, OURS_FIRST);
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
        get() {
          if (this.#plain) return plain(this);
          return (this.#core ?? this.#final)[name];
        },
        configurable: true, // as a class accessor is
      };
      if (name === 'binaryType') {
        descriptor.set = function (value) {
          if (this.#plain) NATIVE.setBinaryType.call(this, value);
          else if (this.#core) this.#core.binaryType = value;
          // Other values are ignored, as the browser does.
          else if (value === 'blob' || value === 'arraybuffer') this.#final.binaryType = value;
        };
      }
      Object.defineProperty(this.prototype, name, descriptor);
    }
    // onopen, onmessage, onclose, onerror: the browser's own event handler
    // attributes on a plain client, the same rules here otherwise.
    for (const type of SOCKET_TYPES) {
      Object.defineProperty(this.prototype, `on${type}`, {
        get() {
          return this.#plain ? NATIVE.handlers[type].get.call(this) : this.#handlers[type];
        },
        set(value) {
          if (this.#plain) {
            NATIVE.handlers[type].set.call(this, value);
            this.#keepAlive();
          } else {
            this.#setHandler(type, value);
          }
        },
        configurable: true,
      });
    }
  }

  get readyState() {
    if (this.#plain) return this.#failedClose ? CLOSED : NATIVE.readyState.call(this);
    return this.#core ? this.#core.readyState : CLOSED;
  }
  get bufferedAmount() {
    if (this.#plain) return NATIVE.bufferedAmount.call(this);
    return (this.#core ?? this.#final).bufferedAmount;
  }

  // ----- methods ---------------------------------------------------------

  /** Sends text or binary data; throws instead of dropping it. */
  send(data) {
    if (this.#plain) {
      // The hot path: text goes to the browser as it is. (After #fail()
      // the browser's state is CLOSING.)
      if (NATIVE.readyState.call(this) === OPEN) {
        NATIVE.send.call(this, typeof data === 'string' ? data : WebSocketClientCore.sendable(data));
        return;
      }
      throw WebSocketClientCore.sendError(this.readyState);
    }
    if (!this.#core) throw WebSocketClientCore.sendError(CLOSED);
    this.#core.send(data);
  }

  /** Starts the closing handshake, with the standard's checks. */
  close(code = undefined, reason = undefined) {
    if (this.#plain) {
      // Checked first, even when closed already, as the standard says.
      const args = WebSocketClientCore.closeArguments(code, reason);
      if (this.readyState < CLOSING) NATIVE.close.apply(this, args);
      return;
    }
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
    if (this.#plain) throw WebSocketClientCore.notReconnecting();
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
    const plan = this.#plain;
    if (plan) {
      const limit = highWaterMark === undefined ? plan.highWaterMark : WebSocketClientCore.byteLimit(highWaterMark);
      // The browser has no event for a draining buffer: poll.
      return new Promise((resolve, reject) => {
        const poll = () => {
          const state = this.readyState;
          if (state !== OPEN) reject(WebSocketClientCore.sendError(state));
          else if (NATIVE.bufferedAmount.call(this) <= limit) resolve();
          else setTimeout(poll, plan.pollMs);
        };
        poll();
      });
    }
    if (!this.#core) return WebSocketClientCore.closedDrain(highWaterMark);
    return this.#core.drain(highWaterMark);
  }

  /** Resolves on open; rejects with a `NetworkError` if it fails first. */
  get opened() {
    if (!this.#openedPromise) {
      this.#openedPromise = new Promise((resolve, reject) => {
        if (this.#opened) resolve();
        else if (this.#finished || this.#recordUnobservedClose()) reject(WebSocketClientCore.connectionFailed(this.#lastClose));
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
      super.addEventListener(type, callback, options);
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
    super.addEventListener(type, entry.wrapper, options);
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
      super.removeEventListener(type, callback, options);
      return;
    }
    super.removeEventListener(type, entry.wrapper, options);
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
        for (const entry of list) super.removeEventListener(type, entry.wrapper, entry.capture);
      }
      this.#listeners.clear();
      for (const type of SOCKET_TYPES) NATIVE.handlers[type].set.call(this, null);
      super.removeEventListener('open', this.#onPlainOpen, OURS_FIRST);
      this.#observe(false);
      if (NATIVE.readyState.call(this) < CLOSING) NATIVE.close.call(this);
      return;
    }
    this.#release();
  }

  // ----- internals -------------------------------------------------------

  /**
   * Reconnecting: keeps the attributes, then frees the core. Freed in a
   * microtask: this may run inside one of the core's own callbacks.
   */
  #release() {
    const core = this.#core;
    if (!core) return;
    this.#final = { bufferedAmount: core.bufferedAmount };
    for (const name of ATTRIBUTES) this.#final[name] = core[name];
    this.#core = null;
    alive.delete(this);
    queueMicrotask(() => core.free());
  }

  /** Reconnecting: called by the core for every event; see src/js/mod.rs. */
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

  /** Reconnecting: the final close; nothing more will fire. */
  #finish() {
    this.#finished = true;
    this.#release();
    this.#settle();
  }

  /** Settles the pending promises with the final close. */
  #settle() {
    this.#settleOpened?.reject(WebSocketClientCore.connectionFailed(this.#lastClose));
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
    if (this.#listeners.has(type)) return true;
    if (this.#plain) return SOCKET_TYPES.includes(type) && NATIVE.handlers[type].get.call(this) !== null;
    return Boolean(this.#handlerListeners[type]);
  }

  /**
   * Whether the standard would keep this socket alive for its listeners
   * (a pending `opened`/`closed` promise counts as a listener for what
   * settles it). A reconnecting client is then held in `alive`; a plain
   * one is kept by the browser, and only needs to watch for its close.
   */
  #keepAlive() {
    let keep = false;
    const state = this.readyState;
    if (!this.#finished && !this.#freed && (this.#plain || this.#core)) {
      const types = this.#plain ? KEEPS_ALIVE[state] : TYPES;
      keep =
        Boolean(this.#settleClosed) ||
        (Boolean(this.#settleOpened) && !this.#opened) ||
        types.some((type) => this.#listensTo(type));
    }
    if (this.#plain) this.#observe(keep || state === CONNECTING);
    else if (keep) alive.add(this);
    else alive.delete(this);
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
    if (on) super.addEventListener('close', this.#observeClose, OURS_FIRST);
    else super.removeEventListener('close', this.#observeClose, OURS_FIRST);
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
