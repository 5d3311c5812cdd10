//! The wasm half of a plain `WebSocketClient` (one made without `reconnect`):
//! the client is the browser's own `WebSocket`, and these are the checks and
//! conversions it calls, the same rules as the Rust faces, with no
//! per-client state in wasm. They are all the npm package's plain module
//! exports (feature `js-plain`); the full module (feature `js`) has them
//! too, beside the reconnecting core.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::options::{clamp_u32, connect_options, protocol_list};
use super::{checked_close_arguments, functions_need_reconnect};
use crate::bindings::to_usv_string;
use crate::socket::ready_state::ReadyState;

/// The checks and conversions of a plain (not reconnecting) client,
/// whose socket the class constructs itself (it is the browser's
/// `WebSocket`, so events reach listeners with nothing in between).
/// Returns `{ url, protocols, binaryType, connectTimeout,
/// highWaterMark, pollMs }`: the URL resolved and checked, the protocol
/// list checked, and the options read as the core reads them; throws
/// what the core's constructor would.
#[wasm_bindgen(js_name = plainPlan, skip_typescript)]
pub fn plain_plan(
    url: &JsValue,
    protocols: &JsValue,
    options: &JsValue,
) -> Result<js_sys::Object, JsValue> {
    crate::init();
    if url.is_function() || protocols.is_function() {
        return Err(functions_need_reconnect());
    }
    let given = to_usv_string(url)?;
    let options = connect_options(protocol_list(protocols)?, options)?;
    let target = crate::socket::websocket::connect_target(&given, &options.protocols)?;
    let plan = js_sys::Object::new();
    let list: js_sys::Array = options
        .protocols
        .iter()
        .map(|p| JsValue::from_str(p))
        .collect();
    let timeout = options
        .effective_connect_timeout_ms()
        .map_or(JsValue::UNDEFINED, JsValue::from);
    for (key, value) in [
        ("url", JsValue::from(target)),
        ("given", JsValue::from(given)),
        ("protocols", list.into()),
        ("binaryType", options.binary_type.as_str().into()),
        ("connectTimeout", timeout),
        ("highWaterMark", options.high_water_mark.into()),
        ("pollMs", options.effective_backpressure_poll_ms().into()),
    ] {
        Reflect::set(&plan, &JsValue::from_str(key), &value)?;
    }
    Ok(plan)
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

/// `drain()`'s argument as a byte count, or its `RangeError`.
#[wasm_bindgen(js_name = byteLimit, skip_typescript)]
pub fn byte_limit(value: &JsValue) -> Result<u32, JsValue> {
    clamp_u32(value)
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

/// `drain(highWaterMark?)` once the core has been released: the same
/// argument check, then a promise rejected as on a closed socket.
#[wasm_bindgen(js_name = closedDrain, skip_typescript)]
pub fn closed_drain(high_water_mark: &JsValue) -> Result<Promise, JsValue> {
    if !high_water_mark.is_undefined() {
        clamp_u32(high_water_mark)?;
    }
    Ok(Promise::reject(&send_error(ReadyState::Closed.into())))
}

/// The `NetworkError` with which `opened` rejects when the connection
/// closed before it opened, described from its close event.
#[wasm_bindgen(js_name = connectionFailed, skip_typescript)]
pub fn connection_failed(close: &web_sys::CloseEvent) -> JsValue {
    crate::error::Error::ConnectionFailed(crate::socket::close_event::CloseEvent::from_web(close))
        .into()
}
