//! The wasm half of the npm face. The class JavaScript users see,
//! `WebSocketClient`, is JavaScript (`src/js/client.js`), a real
//! `EventTarget`, in two kinds:
//! - a plain client is the browser's own `WebSocket` (made with the class's
//!   prototype), so events reach listeners with nothing in between. From
//!   here it uses only the static checks and conversions below
//!   (`plainPlan`, `sendable`, `checkClose` …): the same rules as the Rust
//!   faces, with no per-client state in wasm;
//! - a reconnecting client drives this core ([`WebSocketClientCore`]),
//!   which holds the connection through the lifecycle layer and hands every
//!   event to one JavaScript callback.
//!
//! The core never holds the JavaScript object itself: what the browser's
//! socket keeps alive (our listeners) must not keep the class alive, or an
//! unreferenced, closed client could never be collected. So the callback it
//! is given reaches the class through a `WeakRef`.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::bindings::{to_usv_string, SocketStrings};
use crate::lifecycle::{CloseOutcome, Lifecycle};
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::resilience::reconnecting::ReconnectingWebSocket;
use crate::socket::events::{EventKind, Listener};
use crate::socket::message::Payload;
use crate::socket::ready_state::{BinaryType, ReadyState};

mod drain;
mod options;
mod provider;

use options::{clamp_u32, connect_options, protocol_list};

/// Event numbers given to the dispatch callback: the four socket events
/// (as [`EventKind`]) and the three reconnect events after them.
const RECONNECTING: u32 = 4;
const RECONNECTED: u32 = 5;
const GAVE_UP: u32 = 6;

/// The wasm side of the npm package's `WebSocketClient`. Not meant to be
/// used directly: JavaScript code uses the `WebSocketClient` class, Rust
/// code [`WebSocket`](crate::WebSocket) and the other Rust faces.
#[wasm_bindgen(js_name = WebSocketClientCore, skip_typescript)]
pub struct WebSocketClientCore {
    lifecycle: Rc<Lifecycle>,
    /// Removed (from the browser's socket too) when the core is dropped.
    _listeners: Vec<Listener>,
}

#[wasm_bindgen(js_class = WebSocketClientCore)]
impl WebSocketClientCore {
    /// Connects as `new WebSocket(url, protocols)` does, with the options
    /// of `WebSocketClient`. `dispatch(kind, event, last)` is called for
    /// every event: `kind` 0–3 (open, message, close, error) with the
    /// browser's event, `last` telling whether a close is the final one;
    /// 4–6 (reconnecting, reconnected, gaveup) with the event's detail.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: &JsValue,
        protocols: &JsValue,
        options: &JsValue,
        dispatch: Function,
    ) -> Result<WebSocketClientCore, JsValue> {
        crate::init();
        // `url` and `protocols` may be functions asked before every attempt.
        let url_provider = url.dyn_ref::<Function>().map(provider::url);
        let protocols_provider = protocols.dyn_ref::<Function>().map(provider::protocols);
        let url = match url_provider {
            Some(_) => String::new(), // until the first connection
            None => to_usv_string(url)?,
        };
        let static_protocols = match protocols_provider {
            Some(_) => Vec::new(),
            None => protocol_list(protocols)?,
        };
        let mut options = connect_options(static_protocols, options)?;
        if url_provider.is_some() || protocols_provider.is_some() {
            let Some(reconnect) = options.reconnect.as_mut() else {
                return Err(functions_need_reconnect());
            };
            reconnect.url_provider = url_provider;
            reconnect.protocols_provider = protocols_provider;
        }
        let lifecycle = Lifecycle::connect(&url, &options)?;
        let hub = lifecycle.events().clone();
        let mut listeners = Vec::with_capacity(5);
        for kind in [EventKind::Open, EventKind::Message, EventKind::Error] {
            let dispatch = dispatch.clone();
            let number = JsValue::from(kind as u32);
            listeners.push(hub.add_raw(kind, move |event| {
                let _ = dispatch.call3(&JsValue::UNDEFINED, &number, event, &JsValue::FALSE);
            }));
        }
        let on_close = dispatch.clone();
        listeners.push(lifecycle.on_close(move |event, last| {
            let kind = JsValue::from(EventKind::Close as u32);
            let _ = on_close.call3(&JsValue::UNDEFINED, &kind, event, &last.into());
        }));
        if let Some(resilient) = lifecycle.reconnecting() {
            listeners.push(resilient.add_reconnect_listener(move |event| {
                let (kind, detail) = reconnect_detail(event);
                let _ = dispatch.call3(&JsValue::UNDEFINED, &kind.into(), &detail, &JsValue::FALSE);
            }));
        }
        Ok(Self {
            lifecycle,
            _listeners: listeners,
        })
    }

    /// `drain(highWaterMark?)`: resolves once `bufferedAmount` is at most
    /// the limit.
    pub fn drain(&self, high_water_mark: &JsValue) -> Result<Promise, JsValue> {
        let limit = if high_water_mark.is_undefined() {
            self.lifecycle.high_water_mark()
        } else {
            clamp_u32(high_water_mark)?
        };
        Ok(drain::drain(Rc::downgrade(&self.lifecycle), limit))
    }

    /// `readyState`.
    #[wasm_bindgen(getter = readyState)]
    pub fn ready_state(&self) -> u16 {
        self.lifecycle.ready_state().into()
    }

    // The string attributes are handed over as the browser's JS strings:
    // no copy into wasm memory and back.

    /// `url`.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> JsValue {
        match self.strings() {
            Some(raw) => raw.url(),
            // Reconnecting, between connections: the URL it was given.
            None => self.lifecycle.url().into(),
        }
    }

    /// `protocol`.
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> JsValue {
        self.strings()
            .map_or_else(|| "".into(), |raw| raw.protocol())
    }

    /// `extensions`.
    #[wasm_bindgen(getter)]
    pub fn extensions(&self) -> JsValue {
        self.strings()
            .map_or_else(|| "".into(), |raw| raw.extensions())
    }

    /// `bufferedAmount`.
    #[wasm_bindgen(getter = bufferedAmount)]
    pub fn buffered_amount(&self) -> u32 {
        self.lifecycle.buffered_amount()
    }

    /// With `reconnect`: the retry in progress or last made.
    #[wasm_bindgen(getter = retryCount)]
    pub fn retry_count(&self) -> u32 {
        self.lifecycle
            .reconnecting()
            .map_or(0, ReconnectingWebSocket::retry_count)
    }

    /// With `reconnect`: re-established connections so far.
    #[wasm_bindgen(getter = reconnectCount)]
    pub fn reconnect_count(&self) -> u32 {
        self.lifecycle
            .reconnecting()
            .map_or(0, ReconnectingWebSocket::reconnect_count)
    }

    /// With `reconnect`: messages in the outbox.
    #[wasm_bindgen(getter = queuedMessages)]
    pub fn queued_messages(&self) -> u32 {
        self.lifecycle
            .reconnecting()
            .map_or(0, |r| r.queued_messages() as u32)
    }

    /// With `reconnect`: bytes in the outbox.
    #[wasm_bindgen(getter = queuedBytes)]
    pub fn queued_bytes(&self) -> u32 {
        self.lifecycle
            .reconnecting()
            .map_or(0, |r| r.queued_bytes() as u32)
    }

    /// `binaryType`: `"blob"` or `"arraybuffer"`.
    #[wasm_bindgen(getter = binaryType)]
    pub fn binary_type(&self) -> JsValue {
        self.lifecycle.binary_type().as_str().into()
    }

    /// Setting another value is ignored, as the browser does.
    #[wasm_bindgen(setter = binaryType)]
    pub fn set_binary_type(&self, value: &JsValue) {
        set_binary_type(&self.lifecycle, value);
    }

    /// `send(data)`: strings, Blobs, buffers and views go to the browser as
    /// they are; `ImageData` is sent as its pixels. Throws
    /// `InvalidStateError` while connecting and after closing started.
    pub fn send(&self, data: &JsValue) -> Result<(), JsValue> {
        Ok(self.lifecycle.send(Payload::JsValue(data))?)
    }

    /// `close(code?, reason?)` with the standard's checks. Returns whether
    /// the socket is finished now: a reconnecting socket closed while
    /// waiting to retry is, and no close event follows.
    pub fn close(&self, code: &JsValue, reason: &JsValue) -> Result<bool, JsValue> {
        let (code, reason) = close_arguments(code, reason)?;
        let outcome = self.lifecycle.close(code, reason.as_deref())?;
        Ok(matches!(outcome, CloseOutcome::FinishedNow(_)))
    }

    /// `reconnect(code?, reason?)`: closes the current connection and
    /// connects again at once (see `ReconnectingWebSocket::reconnect`).
    pub fn reconnect(&self, code: &JsValue, reason: &JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_arguments(code, reason)?;
        Ok(self.lifecycle.reconnect(code, reason.as_deref())?)
    }

    /// The checks and conversions of a plain (not reconnecting) client,
    /// whose socket the class constructs itself (it is the browser's
    /// `WebSocket`, so events reach listeners with nothing in between).
    /// Returns `{ url, protocols, binaryType, connectTimeout,
    /// highWaterMark, pollMs }`: the URL resolved and checked, the protocol
    /// list checked, and the options read as the core reads them; throws
    /// what the core's constructor would.
    #[wasm_bindgen(js_name = plainPlan)]
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
    #[wasm_bindgen(js_name = connectError)]
    pub fn connect_error(error: &JsValue, url: &str) -> JsValue {
        crate::error::Error::from_js(error, crate::error::Operation::Connect { url }).into()
    }

    /// What a plain client gives the browser's `send` for `data`, as the
    /// core would send it (`ImageData` as its pixels, large buffers as a
    /// Blob in Chromium).
    pub fn sendable(data: &JsValue) -> Result<JsValue, JsValue> {
        crate::socket::websocket::js_payload_to_send(data)
    }

    /// The `InvalidStateError` a send gets in `readyState` (`undefined`
    /// when open), as the core's `send` would throw it: for plain clients
    /// and for the class once the core has been released.
    #[wasm_bindgen(js_name = sendError)]
    pub fn send_error(ready_state: u16) -> JsValue {
        let state = ReadyState::from_u16(ready_state).unwrap_or(ReadyState::Closed);
        crate::error::Error::unsendable_in(state).map_or(JsValue::UNDEFINED, Into::into)
    }

    /// `drain()`'s argument as a byte count, or its `RangeError`.
    #[wasm_bindgen(js_name = byteLimit)]
    pub fn byte_limit(value: &JsValue) -> Result<u32, JsValue> {
        clamp_u32(value)
    }

    /// The error of `reconnect()` on a client without the reconnect option,
    /// for the class once the core has been released.
    #[wasm_bindgen(js_name = notReconnecting)]
    pub fn not_reconnecting() -> JsValue {
        crate::error::Error::NotReconnecting.into()
    }

    /// What `close(code, reason)` throws for bad arguments, checked without
    /// a socket: the class calls it once the core has been released.
    #[wasm_bindgen(js_name = checkClose)]
    pub fn check_close(code: &JsValue, reason: &JsValue) -> Result<(), JsValue> {
        checked_close_arguments(code, reason).map(|_| ())
    }

    /// `close(code, reason)`'s arguments checked (as `checkClose`) and as
    /// the browser's `close` is to be given them: `[]`, `[code]` or
    /// `[code, reason]` (a reason alone closes with 1000). For plain clients.
    #[wasm_bindgen(js_name = closeArguments)]
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
    #[wasm_bindgen(js_name = closedDrain)]
    pub fn closed_drain(high_water_mark: &JsValue) -> Result<Promise, JsValue> {
        if !high_water_mark.is_undefined() {
            clamp_u32(high_water_mark)?;
        }
        Ok(Promise::reject(&Self::send_error(
            ReadyState::Closed.into(),
        )))
    }

    /// The `NetworkError` with which `opened` rejects when the connection
    /// closed before it opened, described from its close event.
    #[wasm_bindgen(js_name = connectionFailed)]
    pub fn connection_failed(close: &web_sys::CloseEvent) -> JsValue {
        crate::error::Error::ConnectionFailed(crate::socket::close_event::CloseEvent::from_web(
            close,
        ))
        .into()
    }
}

impl WebSocketClientCore {
    /// The current browser socket, for its string attributes.
    fn strings(&self) -> Option<SocketStrings> {
        self.lifecycle.current_raw().map(JsCast::unchecked_into)
    }
}

/// The TypeError of a URL or protocols function given without `reconnect`.
fn functions_need_reconnect() -> JsValue {
    js_sys::TypeError::new("a URL or protocols function needs the reconnect option").into()
}

/// `close()`'s arguments converted (see `close_arguments`) and checked.
fn checked_close_arguments(
    code: &JsValue,
    reason: &JsValue,
) -> Result<(Option<u16>, Option<String>), JsValue> {
    let (code, reason) = close_arguments(code, reason)?;
    crate::socket::close::validate_close(code, reason.as_deref())?;
    Ok((code, reason))
}

/// `close()`'s arguments as WebIDL converts them: `[Clamp] unsigned short`
/// and `USVString`, each optional.
fn close_arguments(
    code: &JsValue,
    reason: &JsValue,
) -> Result<(Option<u16>, Option<String>), JsValue> {
    let code = if code.is_undefined() {
        None
    } else {
        Some(clamp_unsigned_short(code.as_f64().unwrap_or(f64::NAN)))
    };
    let reason = if reason.is_undefined() {
        None
    } else {
        Some(to_usv_string(reason)?)
    };
    Ok((code, reason))
}

/// The event number and `detail` object of a reconnect event.
fn reconnect_detail(event: &ReconnectEvent) -> (u32, js_sys::Object) {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&detail, &JsValue::from_str(key), &value);
    };
    let kind = match event {
        ReconnectEvent::Reconnecting {
            attempt,
            delay_ms,
            close,
            resent,
            possibly_lost,
            error,
        } => {
            set("attempt", (*attempt).into());
            set("delay", (*delay_ms).into());
            set("code", close.code.into());
            set("reason", close.reason.as_str().into());
            set("wasClean", close.was_clean.into());
            set("resent", (*resent).into());
            set("possiblyLost", (*possibly_lost).into());
            if let Some(error) = error {
                set("error", error.as_str().into());
            }
            RECONNECTING
        }
        ReconnectEvent::Reconnected { attempt } => {
            set("attempt", (*attempt).into());
            RECONNECTED
        }
        ReconnectEvent::GaveUp {
            reason,
            close,
            error,
        } => {
            if let Some(error) = error {
                set("error", error.as_str().into());
            }
            set("reason", reason.to_string().into());
            set("code", close.code.into());
            GAVE_UP
        }
    };
    (kind, detail)
}

/// Other values are ignored, as the browser does.
fn set_binary_type(socket: &Lifecycle, value: &JsValue) {
    if let Some(binary_type) = value.as_string().as_deref().and_then(BinaryType::from_name) {
        socket.set_binary_type(binary_type);
    }
}

/// WebIDL `[Clamp] unsigned short`: NaN is 0, the rest is clamped to
/// 0..=65535 and rounded half to even. So 65536 becomes 65535 (invalid)
/// rather than wrapping around to 0.
pub(crate) fn clamp_unsigned_short(value: f64) -> u16 {
    // `as` maps NaN to 0; `round_ties_even` is wasm's `f64.nearest`.
    value.clamp(0.0, 65535.0).round_ties_even() as u16
}

#[cfg(test)]
mod tests {
    use super::clamp_unsigned_short;

    #[test]
    fn close_codes_from_js_are_clamped_not_wrapped() {
        assert_eq!(clamp_unsigned_short(1000.0), 1000);
        assert_eq!(clamp_unsigned_short(65536.0), 65535);
        assert_eq!(clamp_unsigned_short(66536.0), 65535, "would wrap to 1000");
        assert_eq!(clamp_unsigned_short(-1.0), 0);
        assert_eq!(clamp_unsigned_short(f64::NAN), 0);
        assert_eq!(clamp_unsigned_short(f64::INFINITY), 65535);
        assert_eq!(clamp_unsigned_short(3000.5), 3000);
        assert_eq!(clamp_unsigned_short(3001.5), 3002);
        assert_eq!(clamp_unsigned_short(3999.7), 4000);
    }
}
