// The reconnecting kind of WebSocketClient: an EventTarget over the wasm
// core (WebSocketClientCore, full module only), which survives the browser
// sockets it goes through. Loaded by init({ reconnect: true }) with the
// full module. The client (client.js) holds one of these, as a plain one
// holds a PlainSocket (plain-client.js), with the same methods; here is
// what a subclass of EventTarget must add to behave like a socket:
// - event handler attributes (`onmessage` …) as the HTML standard defines
//   them: one listener, added when first set, in the list's order;
// - fresh `Event`/`MessageEvent`/`CloseEvent` objects with the client as
//   `target`, carrying the browser's values (`data`, `origin`, `code` …);
// - the WebSockets standard's lifetime: while the listeners may still fire,
//   the client is held in `alive`; otherwise only the page's references
//   keep it.
// The wasm side is released at the final close (its attributes are kept
// here), or, for a client collected before that, by wasm-bindgen's
// FinalizationRegistry. The core never references the client: it calls
// back through a WeakRef.
import { ATTRIBUTES, CLOSED, CLOSING, RECEIVE, SOCKET_TYPES, isObject, messageEvent } from './events.js';

/**
 * The loaded module's exports, as init.js hands them over when it loads
 * this file (with the full module): this file ships as a bundle of its
 * own, so it does not import init.js.
 */
let wasm = null;
/** The core's event kinds (`ClientEvent`, src/js/core.rs), by name. */
let Kind = null;
/** Every event type a reconnecting client fires: the socket's and the core's reconnect events. */
let TYPES = null;
export function attach(module) {
  wasm = module;
  Kind = module.ClientEvent;
  TYPES = [...SOCKET_TYPES, ...module.reconnectEventTypes()];
}

/** Reconnecting clients that must outlive the page's references to them. */
const alive = new Set();

/**
 * A `url` or `protocols` function as the core asks it (src/js/provider.rs):
 * `ask(answer)` calls it in a microtask and hands `answer(ok, value)` what
 * it returned (a Promise awaited) or threw. Other values pass as they are.
 */
const asker = (provide) =>
  typeof provide !== 'function'
    ? provide
    : (answer) => {
        Promise.resolve()
          .then(() => provide())
          .then(
            (value) => answer(true, value),
            (error) => answer(false, error),
          );
      };

// The browser's EventTarget methods, taken when this file loads: the
// client's own (replaceable) members are never called.
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;
const dispatchEvent = EventTarget.prototype.dispatchEvent;

export class ReconnectingSocket {
  #client;
  /** What the client learns from here: `{ opened(), closed(event, last), finish(), keepAlive() }`. */
  #shell;
  /** The constructor's arguments, for a start after the final close. */
  #args;
  #core = null;
  /** The attributes as they were when the core was released. */
  #final = null;
  /** `on<type>` values and the one listener each installs. */
  #handlers = { open: null, message: null, close: null, error: null };
  #handlerListeners = {};

  constructor(client, args, shell) {
    this.#client = client;
    this.#args = args;
    this.#shell = shell;
  }

  /** Connects (at construction, or to start again after the final close). */
  start() {
    const Core = wasm.WebSocketClientCore;
    const self = new WeakRef(this);
    this.#final = null;
    const [url, protocols, options] = this.#args;
    if (isObject(options) && options.delivery && !wasm.delivers) {
      throw new DOMException('wasm-websocket: delivery needs init({ delivery: true })', 'NotSupportedError');
    }
    this.#core = new Core(
      asker(url),
      asker(protocols),
      options,
      (kind, event, more) => self.deref()?.#deliver(kind, event, more),
      // Each browser socket's own message listener (not with delivery):
      // the hot path, with one call into the core per message.
      (raw) => self.deref()?.#message(raw),
    );
  }

  /** Whether the core is there (it is released at the final close). */
  get live() {
    return this.#core !== null;
  }

  get readyState() {
    return this.#core ? this.#core.readyState : CLOSED;
  }

  /** The core does not count sends discarded after close; the standard does. */
  bufferedAmount(discarded) {
    return (this.#core ?? this.#final).bufferedAmount + discarded;
  }

  attribute(name) {
    // The full module's core has no delivery attributes: delivery is off.
    return (this.#core ?? this.#final)[name] ?? (name === 'delivery' ? 'off' : 0);
  }

  setBinaryType(value) {
    if (this.#core) this.#core.binaryType = value;
    // Other values are ignored, as the browser does.
    else if (value === 'blob' || value === 'arraybuffer') this.#final.binaryType = value;
  }

  /** Returns whether the data was discarded (sent after close, as the standard's socket). */
  send(data, afterClose) {
    try {
      if (!this.#core) throw wasm.sendError(CLOSED);
      this.#core.send(data);
      return false;
    } catch (error) {
      // Refused because closing has started and the outbox does not take
      // it: what the standard's socket discards.
      if (afterClose === 'throw' || this.readyState < CLOSING || error?.name !== 'InvalidStateError') throw error;
      return true;
    }
  }

  close(code, reason) {
    // Closed already: only the argument checks remain.
    if (!this.#core) wasm.checkClose(code, reason);
    // Closed while waiting to retry: no close event follows, the last one was final.
    else if (this.#core.close(code, reason)) this.#shell.finish();
    this.#shell.keepAlive();
  }

  /** Returns true after the final close (arguments checked): the client then starts again. */
  reconnect(code, reason) {
    if (!this.#core) {
      wasm.checkClose(code, reason);
      return true;
    }
    this.#core.reconnect(code, reason);
    return false;
  }

  drain(highWaterMark) {
    if (!this.#core) {
      // Released: the same argument check, then rejected as on a closed socket.
      wasm.byteLimit(highWaterMark);
      return Promise.reject(wasm.sendError(CLOSED));
    }
    return this.#core.drain(highWaterMark);
  }

  handler(type) {
    return this.#handlers[type];
  }

  setHandler(type, value) {
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
      addListener.call(this.#client, type, listener);
    } else if (!handler && installed) {
      removeListener.call(this.#client, type, installed);
      delete this.#handlerListeners[type];
    }
    this.#shell.keepAlive();
  }

  /** Whether an `on<type>` handler is set. */
  hasHandler(type) {
    return Boolean(this.#handlerListeners[type]);
  }

  /**
   * For WebSocketStream: the core's data, with no event object. With
   * delivery, a message counts as received (and is acknowledged) only once
   * the stream's reader read it: returns what the stream calls when its
   * queue is empty and its reader wants more, so everything handed over
   * by then was read. A slow reader then holds the server back through
   * its window, and nothing acknowledged waits in the queue.
   */
  receive(receive) {
    this.#client[RECEIVE] = receive;
    // (Through #core: it is released at the final close.)
    if (this.#core?.deferAcks?.()) return () => this.#core?.consumed();
    return undefined;
  }

  /** Never: the core reports every close. */
  missedClose() {
    return null;
  }

  /** The event types the client fires. */
  firedTypes() {
    return TYPES;
  }

  /** Every type fires again after a reconnect: any listener keeps it alive until the final close. */
  keepingTypes() {
    return TYPES;
  }

  /** Holds the client while its listeners may still fire, or lets it go. */
  keep(on) {
    if (on) alive.add(this.#client);
    else alive.delete(this.#client);
  }

  /** At the final close: the core goes, and the promises settle at once (before the listeners run). */
  finish(settle) {
    this.release();
    settle();
  }

  /**
   * Keeps the attributes, then frees the core. Freed in a microtask: this
   * may run inside one of the core's own callbacks.
   */
  release() {
    const core = this.#core;
    if (!core) return;
    this.#final = { bufferedAmount: core.bufferedAmount };
    for (const name of ATTRIBUTES) this.#final[name] = core[name];
    this.#core = null;
    alive.delete(this.#client);
    queueMicrotask(() => core.free());
  }

  /** A browser socket's message, straight from the browser (see start). */
  #message(raw) {
    // The heartbeat's pong is the core's, not the page's.
    if (!this.#core?.received(raw)) this.#dispatchMessage(raw);
  }

  /** The hot path: no state changes, no bookkeeping. */
  #dispatchMessage(raw) {
    const client = this.#client;
    if (client[RECEIVE]) client[RECEIVE](raw.data);
    else dispatchEvent.call(client, messageEvent(raw));
  }

  /**
   * Called by the core for every event; see src/js/core.rs. `more`: for a
   * close, whether it is the final one; for a reconnect event, its type.
   */
  #deliver(kind, raw, more) {
    const client = this.#client;
    let event;
    switch (kind) {
      case Kind.Message: // with delivery (the core read the frame)
        this.#dispatchMessage(raw);
        return;
      case Kind.Open:
        this.#shell.opened();
        event = new Event('open');
        break;
      case Kind.Close:
        event = new CloseEvent('close', { code: raw.code, reason: raw.reason, wasClean: raw.wasClean });
        // Settled before listeners run, so a listener sees them settled.
        this.#shell.closed(event, more);
        break;
      case Kind.Error:
        event = new Event('error');
        break;
      default: // Kind.Reconnect
        event = new CustomEvent(more, { detail: raw });
    }
    dispatchEvent.call(client, event);
    this.#shell.keepAlive();
  }
}
