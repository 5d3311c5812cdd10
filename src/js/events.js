// What the WebSocketClient kinds share about events (constants only: the
// reconnecting kind's bundle carries a copy): the types, the
// standard's garbage-collection rule by readyState, how the DOM reads a
// listener's options, and the attributes a client exposes.

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** The browser socket's own event types. */
export const SOCKET_TYPES = ['open', 'message', 'close', 'error'];

// The reconnect events' types come from the full module
// (`reconnectEventTypes`, the Rust ReconnectEvent's): reconnecting-client.js
// reads them when it is attached.

/**
 * The listener types that keep a socket alive, by readyState (WHATWG
 * WebSockets, "Garbage collection"). CLOSED counts until the close event
 * has been dispatched (a failed connection is CLOSED at its error event;
 * its close event follows). A reconnecting client fires every type again
 * after a reconnect, so any listener keeps it alive until its final close.
 */
export const KEEPS_ALIVE = [
  ['open', 'message', 'error', 'close'],
  ['message', 'error', 'close'],
  ['error', 'close'],
  ['error', 'close'],
];

/**
 * The attributes with one getter each (`bufferedAmount` and `readyState`
 * have their own): a plain client reads the browser's, a reconnecting one
 * the core's (and keeps them after the core is released).
 */
export const RECONNECT_COUNTERS = ['retryCount', 'reconnectCount', 'queuedMessages', 'queuedBytes', 'lastMessageId'];
export const ATTRIBUTES = ['url', 'protocol', 'extensions', 'binaryType', 'delivery', ...RECONNECT_COUNTERS];

/** `capture` of an options argument, as the DOM flattens it. */
export const captureOf = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
export const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';
/** Whether a client reconnects: `reconnect`, or `delivery`, which needs it. */
export const reconnects = (options) => typeof options === 'object' && options !== null && Boolean(options.reconnect || options.delivery);

/**
 * A MessageEvent with the browser's `data`, `origin` ("ws://host:port"),
 * `lastEventId` ("") and `ports` ([]). `origin` is set as an own property:
 * passing it in the init dictionary costs Chromium about 1.5 µs a message
 * (its string conversion), which the benchmark shows. The init dictionary
 * and the property descriptor are reused (0.7 µs a message less in
 * Chromium); no user code runs while they are read.
 */
const INIT = { data: undefined };
let ORIGIN = { value: '', enumerable: true };
export function messageEvent(raw) {
  INIT.data = raw.data;
  const event = new MessageEvent('message', INIT);
  INIT.data = undefined; // the module keeps no message alive
  const origin = raw.origin;
  if (ORIGIN.value !== origin) ORIGIN = { value: origin, enumerable: true };
  Object.defineProperty(event, 'origin', ORIGIN);
  return event;
}

/**
 * For WebSocketStream (same package, not exported to users): a function
 * stored under this key on a reconnecting client receives each message's
 * data instead of a `message` event being dispatched, so a stream pays for
 * no event object. A registered symbol: reconnecting-client.js ships as a
 * bundle of its own, with its own copy of this module.
 */
export const RECEIVE = Symbol.for('wasm-websocket.receive');
