// The browser's own WebSocket constructor, accessors and methods, and
// EventTarget's methods, taken once, when the package loads: a page may
// then install WebSocketClient as its global `WebSocket` (drop-in use), or
// redefine members of the class's prototype, and the package still
// constructs and reads the browser's socket, never itself.
import { SOCKET_TYPES } from './events.js';

/**
 * Where every WebSocketClient class keeps the browser constructor it
 * captured: a second copy of this package, loaded after the first was
 * installed as `globalThis.WebSocket`, finds the browser's through it.
 */
export const NATIVE_CONSTRUCTOR = Symbol.for('wasm-websocket.native-constructor');

/** The browser's WebSocket, unwrapped from a WebSocketClient installed in its place. */
const nativeOf = (candidate) => (typeof candidate === 'function' ? (candidate[NATIVE_CONSTRUCTOR] ?? candidate) : null);

/** The browser's constructor, or null where there is none (yet: Node without a WebSocket). */
let NativeWebSocket = nativeOf(globalThis.WebSocket);

/** The browser's EventTarget methods, which page code could replace later. */
export const EVENT_TARGET = (({ addEventListener, removeEventListener, dispatchEvent }) => ({
  addEventListener,
  removeEventListener,
  dispatchEvent,
}))(EventTarget.prototype);

/**
 * The browser WebSocket's own accessors and methods, called on plain
 * clients (which are browser sockets whose prototype is ours).
 */
export let NATIVE = NativeWebSocket && natives(NativeWebSocket);
function natives(Native) {
  const proto = Native.prototype;
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

/**
 * The browser's constructor. Where the module loaded before there was one
 * (a Node program that installs a WebSocket later), the global at first
 * use, unless that is a WebSocketClient.
 */
export function nativeWebSocket() {
  if (!NativeWebSocket) {
    NativeWebSocket = nativeOf(globalThis.WebSocket);
    if (!NativeWebSocket || NATIVE_CONSTRUCTOR in NativeWebSocket) {
      NativeWebSocket = null;
      throw new DOMException('wasm-websocket: this environment has no WebSocket', 'NotSupportedError');
    }
    NATIVE = natives(NativeWebSocket);
  }
  return NativeWebSocket;
}

/** The browser's constructor if there is one, without throwing. */
export function capturedWebSocket() {
  try {
    return nativeWebSocket();
  } catch {
    return null;
  }
}
