/**
 * Where a wasm module is: a URL (or its string), a `Response` (or a promise
 * of one), its bytes, or a compiled `WebAssembly.Module`, as wasm-bindgen's
 * own init takes it. By default the module next to this package's files.
 */
export type ModuleSource =
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response | BufferSource | WebAssembly.Module>;

/** What `init()` takes. */
export interface InitOptions {
  /**
   * Load the full module, which `reconnect` (on `WebSocketClient` and
   * `WebSocketStream`) needs. Without it `init()` loads the plain module
   * only: every other feature, at about half the download.
   */
  reconnect?: boolean;
  /**
   * Load the delivery module: the full one plus end-to-end delivery, which
   * the `delivery` option needs. Pages that do not ask for it never load it.
   */
  delivery?: boolean;
  /** Where the chosen module is (see {@link ModuleSource}). */
  module_or_path?: ModuleSource;
}

/**
 * Loads the wasm module the classes call: `await init()` once before
 * creating a client (the plain module), or `await init({ reconnect: true })`
 * to use `reconnect` (the full module, which serves plain clients too).
 * Calling it again is cheap; once the full module is loaded, it stays.
 *
 * ```js
 * import init, { WebSocketClient } from 'wasm-websocket';
 * await init({ reconnect: true });
 * const ws = new WebSocketClient(url, [], { reconnect: { maxRetries: 10 } });
 * ```
 */
export default function init(options?: InitOptions | ModuleSource): Promise<unknown>;
