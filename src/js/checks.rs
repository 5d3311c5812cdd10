//! The wasm half of a plain `WebSocketClient` (one made without `reconnect`):
//! the client is the browser's own `WebSocket`, and these are the checks and
//! conversions it calls, the same rules as the Rust faces, with no
//! per-client state in wasm. They are all the npm package's plain module
//! exports (feature `js-plain`); the full module (feature `js`) has them
//! too, beside the reconnecting core.

use wasm_bindgen::prelude::*;

use super::checked_close_arguments;
use crate::from_js::{clamp_u32, ms};
use crate::options::ConnectOptions;
use crate::options::DEFAULT_BACKPRESSURE_POLL_MS;
use crate::vocabulary::ready_state::ReadyState;

/// A plain (not reconnecting) client's URL and protocol list checked, as
/// the core checks them, and the URL to give the browser's constructor
/// (resolved against the page's). The class constructs the socket itself:
/// it is the browser's `WebSocket`, so events reach listeners with nothing
/// in between. The arguments come converted as WebIDL converts them
/// (`src/js/arguments.js`).
#[wasm_bindgen(js_name = connectTarget, skip_typescript)]
pub fn connect_target(url: &str, protocols: Vec<String>) -> Result<String, JsValue> {
    crate::init::init();
    Ok(crate::socket::websocket::connect_target(url, &protocols)?)
}

/// A plain client's options, read by the functions (rules, defaults and
/// messages) a reconnecting client's core reads them with: `[binaryType,
/// highWaterMark, connectTimeout (undefined: none), pollMs]`.
#[wasm_bindgen(js_name = plainOptions, skip_typescript)]
pub fn plain_options(options: &JsValue) -> Result<js_sys::Array, JsValue> {
    let binary_type = ConnectOptions::binary_type_from_js(options)?;
    let high_water_mark = ConnectOptions::high_water_mark_from_js(options)?;
    // 0 means none, as `effective_connect_timeout_ms` says.
    let timeout = ms(options, "connectTimeout")?
        .filter(|&ms| ms > 0)
        .map_or(JsValue::UNDEFINED, JsValue::from);
    Ok(js_sys::Array::of4(
        &binary_type.as_str().into(),
        &high_water_mark.into(),
        &timeout,
        &DEFAULT_BACKPRESSURE_POLL_MS.into(),
    ))
}

/// The error of a `url` or `protocols` function without `reconnect`: the
/// core's constructor throws it, and a plain client's (arguments.js).
#[wasm_bindgen(js_name = functionsNeedReconnect, skip_typescript)]
pub fn functions_need_reconnect() -> JsValue {
    js_sys::TypeError::new("a URL or protocols function needs the reconnect option").into()
}

/// A `drain(highWaterMark)` argument or a stream's default limit: a
/// number of bytes ≥ 0 (`Infinity` too) clamped to 32 bits, the crate's
/// default for `undefined`, or the `RangeError` the options get.
#[wasm_bindgen(js_name = byteLimit, skip_typescript)]
pub fn byte_limit(value: &JsValue) -> Result<u32, JsValue> {
    if value.is_undefined() {
        return Ok(crate::options::DEFAULT_HIGH_WATER_MARK);
    }
    clamp_u32(value)
}

/// The browser constructor's exception for a plain client's URL, as
/// the core reports it.
#[wasm_bindgen(js_name = connectError, skip_typescript)]
pub fn connect_error(error: &JsValue, url: &str) -> JsValue {
    crate::error::Error::from_js(error, crate::error::Operation::Connect { url }).into()
}

/// What a plain client gives the browser's `send` for `data`, as the
/// core would send it (`ImageData` as its pixels, large buffers as a
/// Blob in Chromium).
#[wasm_bindgen(skip_typescript)]
pub fn sendable(data: &JsValue) -> Result<JsValue, JsValue> {
    crate::socket::websocket::js_payload_to_send(data)
}

/// The `InvalidStateError` a send gets in `readyState` (`undefined`
/// when open), as the core's `send` would throw it: for plain clients
/// and for the class once the core has been released.
#[wasm_bindgen(js_name = sendError, skip_typescript)]
pub fn send_error(ready_state: u16) -> JsValue {
    let state = ReadyState::from_u16(ready_state).unwrap_or(ReadyState::Closed);
    crate::error::Error::unsendable_in(state).map_or(JsValue::UNDEFINED, Into::into)
}

/// The error of `reconnect()` on a client without the reconnect option,
/// for the class once the core has been released.
#[wasm_bindgen(js_name = notReconnecting, skip_typescript)]
pub fn not_reconnecting() -> JsValue {
    crate::error::Error::NotReconnecting.into()
}

/// What `close(code, reason)` throws for bad arguments, checked without
/// a socket: the class calls it once the core has been released.
#[wasm_bindgen(js_name = checkClose, skip_typescript)]
pub fn check_close(code: &JsValue, reason: &JsValue) -> Result<(), JsValue> {
    checked_close_arguments(code, reason).map(|_| ())
}

/// `close(code, reason)`'s arguments checked (as `checkClose`) and as
/// the browser's `close` is to be given them: `[]`, `[code]` or
/// `[code, reason]` (a reason alone closes with 1000). For plain clients.
#[wasm_bindgen(js_name = closeArguments, skip_typescript)]
pub fn close_arguments_for(code: &JsValue, reason: &JsValue) -> Result<js_sys::Array, JsValue> {
    let (code, reason) = checked_close_arguments(code, reason)?;
    let list = js_sys::Array::new();
    let (code, reason) = crate::socket::close::close_frame(code, reason.as_deref());
    if let Some(code) = code {
        list.push(&code.into());
    }
    if let Some(reason) = reason {
        list.push(&reason.into());
    }
    Ok(list)
}

/// The `NetworkError` with which `opened` rejects when the connection
/// closed before it opened, described from its close event's values.
#[wasm_bindgen(js_name = connectionFailed, skip_typescript)]
pub fn connection_failed(code: u16, reason: String, was_clean: bool) -> JsValue {
    let close = crate::vocabulary::close_event::CloseEvent {
        code,
        reason,
        was_clean,
    };
    crate::error::Error::ConnectionFailed(close).into()
}
