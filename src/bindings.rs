//! Every browser API the crate imports itself rather than through
//! web-sys: untyped calls and JS-value getters that skip a decode into
//! Rust (and the code size of web-sys's checked versions).

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    /// `String(value)`: the USVString conversion WebIDL applies (lone
    /// surrogates become U+FFFD on the way into Rust).
    #[wasm_bindgen(catch, js_name = String)]
    pub(crate) fn to_usv_string(value: &JsValue) -> Result<String, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// A browser `WebSocket`, read for its `binaryType` as a JS value.
    pub(crate) type BinaryTypeAttribute;
    #[wasm_bindgen(method, getter = binaryType)]
    pub(crate) fn binary_type(this: &BinaryTypeAttribute) -> JsValue;

    /// `globalThis.location`: the page's or worker's (read directly rather
    /// than through `js_sys::global()`, which probes four globals).
    #[wasm_bindgen(thread_local_v2, js_namespace = globalThis, js_name = location)]
    pub(crate) static LOCATION: JsValue;

    /// `globalThis` itself (the window or the worker's global scope).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub(crate) static GLOBAL: JsValue;

    /// `globalThis.WebSocket`, the browser's constructor (read once, at the
    /// first connection, unless the npm package has given the one it
    /// captured: `socket::websocket::native_constructor`).
    #[wasm_bindgen(thread_local_v2, js_namespace = globalThis, js_name = WebSocket)]
    pub(crate) static WEBSOCKET_CONSTRUCTOR: JsValue;

    /// `globalThis.navigator`, read directly for the same reason.
    #[wasm_bindgen(thread_local_v2, js_namespace = globalThis, js_name = navigator)]
    pub(crate) static NAVIGATOR: JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(handler, ms)` of the page or worker, for a one-shot
    /// callback that needs no handle.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &JsValue, ms: i32) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// Whatever the browser threw, read for its `name` and `message`
    /// (a `DOMException` or an `Error`; other values have none).
    pub(crate) type Exception;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn name(this: &Exception) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn message(this: &Exception) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// The browser socket seen through an untyped `send`.
    pub(crate) type AnySend;

    /// `WebSocket.prototype.send` with any value: strings, Blobs, buffers
    /// and views pass straight through; other values are stringified, as
    /// the browser does.
    #[wasm_bindgen(method, catch, js_name = send)]
    pub(crate) fn send(this: &AnySend, data: &JsValue) -> Result<(), JsValue>;
}

#[cfg(feature = "js")]
#[wasm_bindgen]
extern "C" {
    /// A browser `WebSocket` seen for its string attributes, read as JS
    /// values (web-sys's getters decode them into Rust `String`s).
    pub(crate) type SocketStrings;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn url(this: &SocketStrings) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn protocol(this: &SocketStrings) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn extensions(this: &SocketStrings) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: a monotonic clock in milliseconds, in pages and
    /// workers alike (`Date.now()` jumps when the system clock is set).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub(crate) fn performance_now() -> f64;
}
