// The plain WebSocketClient's foundation: the client IS the browser's
// WebSocket, constructed with the class's prototype (Reflect.construct),
// so the browser dispatches its own events on it and its own
// garbage-collection rule applies. The class calls the browser's
// accessors and methods directly (`NATIVE`, browser-natives.js).
import { plainArguments } from './arguments.js';
import { nativeWebSocket } from './browser-natives.js';
import { reconnects } from './events.js';
import { loaded } from './init.js';

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
