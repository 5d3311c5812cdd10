// The constructor's arguments as WebIDL converts them, for a plain client:
// the protocols (`DOMString or sequence<DOMString>`), and the options
// object read with the crate's defaults. What the values must be (a URL
// the standard accepts, protocol tokens, close codes) the crate checks, in
// wasm (`connectTarget`, src/js/checks.rs); a reconnecting client's
// options the core reads itself (src/js/options.rs).

/** The crate's defaults (`DEFAULT_HIGH_WATER_MARK`, `DEFAULT_BACKPRESSURE_POLL_MS`). */
export const DEFAULT_HIGH_WATER_MARK = 1 << 20;
const POLL_MS = 4;

/** A protocols argument: absent, one string, or an iterable of strings. */
export function protocolList(value) {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null && typeof value[Symbol.iterator] === 'function') return Array.from(value, String);
  return [String(value)];
}

/** A number ≥ 0 as an unsigned 32-bit integer, saturating (as Rust's `as u32`). */
const u32 = (n) => Math.trunc(Math.min(n, 0xffffffff));

/** A byte count: a number ≥ 0 (`Infinity` too), clamped to 32 bits. */
export function byteLimit(value) {
  if (typeof value === 'number' && value >= 0) return u32(value);
  throw new RangeError('highWaterMark must be a number of bytes, 0 or more');
}

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
 * sendAfterClose }`.
 * Throws what the core's constructor would, in its order.
 */
export function plainArguments(url, protocols, options) {
  if (typeof url === 'function' || typeof protocols === 'function') {
    throw new TypeError('a URL or protocols function needs the reconnect option');
  }
  const given = String(url);
  const list = protocolList(protocols);
  // Only objects have options (a function is ignored, as the core ignores it).
  const get = (name) => (typeof options === 'object' && options !== null ? options[name] : undefined);
  const binaryType = get('binaryType');
  const limit = get('highWaterMark');
  const highWaterMark = limit === undefined ? DEFAULT_HIGH_WATER_MARK : byteLimit(limit);
  const timeout = get('connectTimeout');
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    throw new RangeError('connectTimeout must be a number, 0 or more');
  }
  const connectTimeout = timeout === undefined ? 0 : u32(timeout);
  return {
    sendAfterClose: sendAfterClose(get('sendAfterClose')),
    given,
    protocols: list,
    // Other values are ignored, as the browser's setter does.
    binaryType: binaryType === 'arraybuffer' ? 'arraybuffer' : 'blob',
    highWaterMark,
    connectTimeout: connectTimeout || undefined, // 0: none
    pollMs: POLL_MS,
  };
}
