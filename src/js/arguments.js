// A plain client's constructor arguments. The crate holds every rule,
// default and message of the options, read by the code a reconnecting
// client's core uses (`plainOptions`, `byteLimit`: src/js/checks.rs), and
// checks the values (a URL the standard accepts, protocol tokens:
// `connectTarget`). Here: the WebIDL conversions of the URL and the
// protocols, and `sendAfterClose`, which no Rust face has.
import { loaded } from './init.js';

/** A protocols argument: absent, one string, or an iterable of strings. */
export function protocolList(value) {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null && typeof value[Symbol.iterator] === 'function') return Array.from(value, String);
  return [String(value)];
}

/** A byte count: a number ≥ 0 (`Infinity` too), clamped to 32 bits; the crate's default for `undefined`. */
export const byteLimit = (value) => loaded().byteLimit(value);

/**
 * The `sendAfterClose` option: `'discard'` (the default, as the standard's
 * socket: the data is counted in `bufferedAmount` and `discardedSends`,
 * and dropped) or `'throw'` (an `InvalidStateError`, as the Rust faces).
 */
export function sendAfterClose(value) {
  if (value === undefined || value === 'discard') return 'discard';
  if (value === 'throw') return 'throw';
  throw new TypeError(`sendAfterClose must be 'discard' or 'throw', not ${typeof value === 'string' ? `'${value}'` : typeof value}`);
}

/**
 * A plain client's URL (as given, converted), protocol list and options:
 * `{ given, protocols, binaryType, connectTimeout, highWaterMark, pollMs,
 * sendAfterClose }`. Throws what the core's constructor would, in its order.
 */
export function plainArguments(url, protocols, options) {
  const wasm = loaded();
  // A function needs `reconnect`: the crate's TypeError, before any conversion.
  if (typeof url === 'function' || typeof protocols === 'function') throw wasm.functionsNeedReconnect();
  const given = String(url);
  const list = protocolList(protocols);
  const [binaryType, highWaterMark, connectTimeout, pollMs] = wasm.plainOptions(options);
  // Only objects have options (a function is ignored, as the core ignores it).
  const after = typeof options === 'object' && options !== null ? options.sendAfterClose : undefined;
  return { sendAfterClose: sendAfterClose(after), given, protocols: list, binaryType, highWaterMark, connectTimeout, pollMs };
}
