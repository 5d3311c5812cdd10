// The plain WebSocketClient's foundation: the client IS the browser's
// WebSocket, constructed with the class's prototype (Reflect.construct),
// so the browser dispatches its own events on it and its own
// garbage-collection rule applies. The class calls the browser's
// accessors and methods directly (`NATIVE`).
import { plainArguments } from './arguments.js';
import { SOCKET_TYPES, reconnects } from './events.js';
import { loaded } from './init.js';

/**
 * The browser WebSocket's own accessors and methods, called on plain
 * clients (which are browser sockets whose prototype is ours). Read on
 * first use: the module also loads where there is no WebSocket.
 */
export let NATIVE = null;
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
  NATIVE ??= natives();
  const plan = plainArguments(url, protocols, options);
  const target = wasm.connectTarget(plan.given, plan.protocols);
  let socket;
  try {
    const args = plan.protocols.length > 0 ? [target, plan.protocols] : [target];
    socket = Reflect.construct(WebSocket, args, new.target);
  } catch (error) {
    throw wasm.connectError(error, plan.given);
  }
  handoff = plan;
  return socket;
}
ClientBase.prototype = EventTarget.prototype;
Object.setPrototypeOf(ClientBase, EventTarget);
