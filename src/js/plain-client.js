// The plain kind of WebSocketClient (no `reconnect` option): the client IS
// the browser's WebSocket, made with the class's prototype (ClientBase), so
// the browser dispatches its own events on it, with nothing in between (the
// raw API's speed), and its own garbage-collection rule applies. A plain
// client holds a PlainSocket, as a reconnecting one holds a
// ReconnectingSocket (reconnecting-client.js), with the same methods. It
// adds the Rust faces' checks, the options, `drain()`, and the one
// behaviour the engines disagree on (an offered protocol not selected),
// calling the browser's own members (`NATIVE`), never the client's.
import { byteLimit, plainArguments } from './arguments.js';
import { EVENT_TARGET, NATIVE, nativeWebSocket } from './browser-natives.js';
import { CLOSED, CLOSING, CONNECTING, KEEPS_ALIVE, OPEN, RECONNECT_COUNTERS, SOCKET_TYPES, reconnects } from './events.js';
import { loaded, wasm } from './init.js';

/**
 * What the constructor of a plain client hands from `ClientBase` to the
 * class body (synchronously, nothing can run in between): its checked
 * options, or null for a reconnecting client.
 */
let handoff = null;
export function takePlan() {
  const plan = handoff;
  handoff = null;
  return plan;
}

/**
 * The object a `WebSocketClient` is: for a plain client the browser's
 * WebSocket, made with the subclass's prototype; for a reconnecting one an
 * EventTarget. Either way `instanceof EventTarget` holds and the prototype
 * chain is WebSocketClient's.
 */
export function ClientBase(url, protocols, options) {
  const wasm = loaded();
  if (reconnects(options)) return Reflect.construct(EventTarget, [], new.target);
  const Native = nativeWebSocket();
  const plan = plainArguments(url, protocols, options);
  const target = wasm.connectTarget(plan.given, plan.protocols);
  let socket;
  try {
    const args = plan.protocols.length > 0 ? [target, plan.protocols] : [target];
    socket = Reflect.construct(Native, args, new.target);
  } catch (error) {
    throw wasm.connectError(error, plan.given);
  }
  handoff = plan;
  return socket;
}
ClientBase.prototype = EventTarget.prototype;
Object.setPrototypeOf(ClientBase, EventTarget);

/** The options of our own listeners on the socket: first to run. */
const OURS_FIRST = { capture: true };

// The browser's EventTarget methods, as captured at load: never what page
// code could have replaced.
const listen = (target, type, listener) => EVENT_TARGET.addEventListener.call(target, type, listener, OURS_FIRST);
const unlisten = (target, type, listener) => EVENT_TARGET.removeEventListener.call(target, type, listener, OURS_FIRST);
const dispatch = (target, event) => EVENT_TARGET.dispatchEvent.call(target, event);

/** The close event of a connection failed here (1006, as the browser reports one). */
const abnormalClose = () => new CloseEvent('close', { code: 1006, wasClean: false });

export class PlainSocket {
  /** The client, which is the browser's socket. */
  #client;
  /** What the client learns from here: `{ opened(), closed(event, last), keepAlive(), dropListeners() }`. */
  #shell;
  /** The converted arguments (`plainArguments`, arguments.js). */
  #plan;
  /** `free()` was called. */
  #freed = false;
  /** The connection was failed here (no offered protocol selected). */
  #failedClose = null;
  /** Whether `#onClose` is registered. */
  #observingClose = false;

  constructor(client, plan, shell) {
    this.#client = client;
    this.#plan = plan;
    this.#shell = shell;
  }

  /**
   * What this kind needs to know of the socket's events it learns from
   * listeners of its own, registered first (and for `capture`, so that
   * they run before the page's) and only while needed: a listener keeps a
   * socket alive, so an open socket that nothing listens to has none of
   * ours either.
   */
  start() {
    const client = this.#client;
    const plan = this.#plan;
    NATIVE.setBinaryType.call(client, plan.binaryType);
    listen(client, 'open', this.#onOpen);
    listen(client, 'error', this.#onError);
    if (plan.protocols.length > 0) {
      // After #fail(), the engine's own close event (clean, 1005) is not
      // passed on: the failure's close event was the close event.
      const onClose = (event) => {
        if (!event.isTrusted) return;
        unlisten(client, 'close', onClose);
        if (this.#failedClose) event.stopImmediatePropagation();
      };
      listen(client, 'close', onClose);
    }
    this.#shell.keepAlive();
    if (plan.connectTimeout !== undefined) {
      // Closing a socket that is still connecting fails it: error, then
      // close 1006, from the browser itself.
      setTimeout(() => {
        if (NATIVE.readyState.call(client) === CONNECTING) NATIVE.close.call(client);
      }, plan.connectTimeout);
    }
  }

  /** The open event (registered until it comes, or the close). */
  #onOpen = (event) => {
    if (!event.isTrusted) return; // dispatchEvent(new Event('open')) opens nothing
    const client = this.#client;
    unlisten(client, 'open', this.#onOpen);
    unlisten(client, 'error', this.#onError);
    if (this.#plan.protocols.length > 0 && NATIVE.protocol.call(client) === '') {
      // Firefox and WebKit open a connection on which the server
      // selected none of the offered protocols; the standard (and
      // Chromium) fail it: error, then close 1006, and never open.
      event.stopImmediatePropagation();
      this.#fail();
      return;
    }
    this.#shell.opened();
    this.#shell.keepAlive();
  };

  /**
   * The error event of a connection that failed (registered until it
   * comes, or the open, or the close). The standard sets CLOSED, then
   * fires error and close (1006). WebKit fails a blocked port with an
   * error alone, fired while still CONNECTING, and is CLOSED one task
   * later; then a close that has not come is dispatched here.
   */
  #onError = (event) => {
    if (!event.isTrusted) return;
    const client = this.#client;
    unlisten(client, 'error', this.#onError);
    if (this.#failedClose || NATIVE.readyState.call(client) !== CONNECTING) return;
    let closed = false;
    const onClose = (close) => {
      if (close.isTrusted) closed = true;
    };
    listen(client, 'close', onClose);
    setTimeout(() => {
      unlisten(client, 'close', onClose);
      if (closed || this.#freed || this.#failedClose || NATIVE.readyState.call(client) !== CLOSED) return;
      this.#failedClose = abnormalClose();
      dispatch(client, this.#failedClose);
    }, 0);
  };

  /** Fails the connection as the standard does; see #onOpen. */
  #fail() {
    const client = this.#client;
    this.#failedClose = abnormalClose();
    NATIVE.close.call(client);
    dispatch(client, new Event('error'));
    dispatch(client, this.#failedClose);
  }

  /** The final close event, while something listens (see #observe). */
  #onClose = (event) => {
    if (!event.isTrusted && event !== this.#failedClose) return;
    this.#shell.closed(event, true);
  };

  /**
   * At the final close: nothing of ours stays on a closed socket (the
   * close listener goes with the client's keepAlive). `settle` runs once
   * the event has reached every listener (as for a reconnecting client,
   * whose events are dispatched in one go): the browser calls each
   * listener on its own, with promise reactions run in between.
   */
  finish(settle) {
    const client = this.#client;
    unlisten(client, 'open', this.#onOpen);
    unlisten(client, 'error', this.#onError);
    this.#shell.keepAlive();
    setTimeout(settle, 0);
  }

  /** The browser's readyState, or CLOSED once the connection was failed here. */
  get readyState() {
    return this.#failedClose ? CLOSED : NATIVE.readyState.call(this.#client);
  }

  /** Until `free()`: the browser keeps the socket while it has listeners. */
  get live() {
    return !this.#freed;
  }

  /** Sends discarded after close included: the browser counts them. */
  bufferedAmount() {
    return NATIVE.bufferedAmount.call(this.#client);
  }

  attribute(name) {
    if (name === 'delivery') return 'off';
    return RECONNECT_COUNTERS.includes(name) ? 0 : NATIVE[name].call(this.#client);
  }

  setBinaryType(value) {
    NATIVE.setBinaryType.call(this.#client, value);
  }

  handler(type) {
    return NATIVE.handlers[type].get.call(this.#client);
  }

  setHandler(type, value) {
    NATIVE.handlers[type].set.call(this.#client, value);
    this.#shell.keepAlive();
  }

  hasHandler(type) {
    return SOCKET_TYPES.includes(type) && this.handler(type) !== null;
  }

  /**
   * The hot path: one call into the browser, text passed as it is.
   * Returns whether the data was discarded (sent after close: the browser
   * drops it, and adds its size to bufferedAmount).
   */
  send(data, afterClose) {
    const client = this.#client;
    // After #fail() the browser's state is CLOSING.
    const open = NATIVE.readyState.call(client) === OPEN;
    if (!open) {
      const state = this.readyState;
      if (state === CONNECTING || afterClose === 'throw') throw wasm.sendError(state);
    }
    NATIVE.send.call(client, typeof data === 'string' ? data : wasm.sendable(data));
    return !open;
  }

  close(code, reason) {
    // Checked first, even when closed already, as the standard says.
    const args = wasm.closeArguments(code, reason);
    if (this.readyState < CLOSING) NATIVE.close.apply(this.#client, args);
  }

  reconnect() {
    throw wasm.notReconnecting();
  }

  drain(highWaterMark) {
    const plan = this.#plan;
    const limit = highWaterMark === undefined ? plan.highWaterMark : byteLimit(highWaterMark);
    // The browser has no event for a draining buffer: poll.
    return new Promise((resolve, reject) => {
      const poll = () => {
        const state = this.readyState;
        if (state !== OPEN) reject(wasm.sendError(state));
        else if (NATIVE.bufferedAmount.call(this.#client) <= limit) resolve();
        else setTimeout(poll, plan.pollMs);
      };
      poll();
    });
  }

  /** For WebSocketStream: a listener, which the browser delivers to directly. */
  receive(receive) {
    this.#client.addEventListener('message', (event) => receive(event.data));
  }

  /**
   * A close that went by while nothing of ours listened (no page listener
   * or promise could see it either): its event is gone, so `closed`
   * resolves with one that says only that (1005, unclean). Null otherwise.
   */
  missedClose() {
    if (this.#observingClose || NATIVE.readyState.call(this.#client) !== CLOSED) return null;
    return new CloseEvent('close', { code: 1005, wasClean: false });
  }

  /** The event types the client fires. */
  firedTypes() {
    return SOCKET_TYPES;
  }

  /** The listener types that keep the socket alive now (the standard's rule). */
  keepingTypes() {
    return KEEPS_ALIVE[this.readyState];
  }

  /**
   * The browser keeps the socket alive for its listeners; this only
   * watches for the close while something listens (a page listener, a
   * promise, or the connection still being made, when listeners of ours
   * are registered anyway), and stops otherwise, so that the browser can
   * collect a socket nothing listens to.
   */
  keep(on) {
    this.#observe(on || this.readyState === CONNECTING);
  }

  #observe(on) {
    if (on === this.#observingClose) return;
    this.#observingClose = on;
    if (on) listen(this.#client, 'close', this.#onClose);
    else unlisten(this.#client, 'close', this.#onClose);
  }

  /** free(): every listener goes (so no event follows), and the connection closes. */
  release() {
    if (this.#freed) return;
    this.#freed = true;
    const client = this.#client;
    this.#shell.dropListeners();
    for (const type of SOCKET_TYPES) NATIVE.handlers[type].set.call(client, null);
    unlisten(client, 'open', this.#onOpen);
    unlisten(client, 'error', this.#onError);
    this.#observe(false);
    if (NATIVE.readyState.call(client) < CLOSING) NATIVE.close.call(client);
  }
}
