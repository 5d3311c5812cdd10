// init(): loads the wasm module that the classes call. The package has two,
// built from the same crate: the plain module (the checks that a
// WebSocketClient without `reconnect` and a plain WebSocketStream call)
// and the full module (those and the reconnecting core). `init()` loads
// the plain one; `init({ reconnect: true })` the full one, which serves
// plain clients too; `init({ delivery: true })` the delivery module, the
// full one with end-to-end delivery. A page pays for resilience and
// delivery only when it asks for them.
// Which files those are, scripts/package-entry.mjs writes into modules.js
// when it bundles this file (per target: a web page fetches the module, a
// bundler has imported the plain one already).
import { EAGER, FULL, PLAIN } from './modules.js';
import { capturedWebSocket } from './browser-natives.js';

/** The loaded module's JS exports (its glue), or null before init(). */
export let wasm = EAGER ?? null;
/** What the module's own init resolved with (web builds), for init()'s callers. */
let output;

/** The loaded module; a clear error where init() has not been called. */
export function loaded() {
  if (wasm === null) throw new DOMException('wasm-websocket: call (and await) init() before creating a client', 'InvalidStateError');
  return wasm;
}

/** The reconnecting kind of client (reconnecting-client.js), loaded with the full module. */
let ReconnectingSocket = null;

/** The reconnecting kind's class; a clear error where only the plain module is loaded. */
export function reconnectingKind() {
  if (!loaded().WebSocketClientCore || !ReconnectingSocket) {
    throw new DOMException('wasm-websocket: reconnect needs the full module: call (and await) init({ reconnect: true }) first', 'NotSupportedError');
  }
  return ReconnectingSocket;
}

/**
 * `init(options?)`: `options.reconnect` picks the full module,
 * `options.delivery` the delivery module;
 * `options.module_or_path` (or, as before, a URL, Response or bytes given
 * instead of the options) says where the module is, as wasm-bindgen's
 * init takes it. Resolves with the module's exports. Calling it again is
 * cheap; once the full module is loaded it stays.
 */
export default async function init(options = undefined) {
  const given = options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype;
  const { reconnect, delivery, module_or_path: source } = given ? options : { module_or_path: options };
  if (wasm?.WebSocketClientCore && output && (wasm.delivers || !delivery)) return output;
  const [glue, kind] = await Promise.all(reconnect || delivery ? [FULL(delivery), import('./reconnecting-client.js')] : [PLAIN(), null]);
  // Web builds instantiate here; bundlers did on import.
  const instantiated = glue.default ? await glue.default(source === undefined ? undefined : { module_or_path: source }) : undefined;
  glue.init();
  // A module is replaced only by a bigger one (plain, full, delivery).
  if (!wasm?.WebSocketClientCore || glue.delivers) {
    wasm = { ...glue };
    output = instantiated;
  }
  if (kind) {
    // The core makes its sockets with the browser's constructor, not with
    // whatever the global WebSocket is by now (this class, in drop-in use).
    const native = capturedWebSocket();
    if (native) wasm.useNativeConstructor(native);
    kind.attach(wasm);
    ReconnectingSocket = kind.ReconnectingSocket;
  }
  return instantiated;
}
