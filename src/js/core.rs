//! The wasm half of a reconnecting `WebSocketClient`: [`WebSocketClientCore`]
//! holds the connection through the lifecycle layer and hands every event
//! to one JavaScript callback. Only the npm package's full module has it
//! (feature `js`).
//!
//! The core never holds the JavaScript object itself: what the browser's
//! socket keeps alive (our listeners) must not keep the class alive, or an
//! unreferenced, closed client could never be collected. So the callback it
//! is given reaches the class through a `WeakRef`.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::checks::functions_need_reconnect;
use super::{close_arguments, drain, provider};
use crate::bindings::{to_usv_string, SocketStrings};
use crate::from_js::{clamp_u32, protocol_list};
use crate::lifecycle::{CloseOutcome, Lifecycle};
use crate::options::ConnectOptions;
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::resilience::reconnecting::ReconnectingWebSocket;
use crate::socket::events::{EventKind, Listener};
use crate::socket::message::Payload;
use crate::vocabulary::ready_state::BinaryType;

/// The events the core hands the JS class, by kind. Exported to JS as
/// `ClientEvent` (names to numbers), which the reconnecting client reads
/// when it loads: the numbers are defined here only, and no list order on
/// either side carries meaning.
#[wasm_bindgen(skip_typescript)]
#[derive(Clone, Copy)]
pub enum ClientEvent {
    Open,
    Message,
    Close,
    Error,
    /// Any reconnect event: its type and `detail` come from
    /// [`ReconnectEvent`] itself (`js_type`, `js_detail`).
    Reconnect,
}

impl ClientEvent {
    fn of(kind: EventKind) -> Self {
        match kind {
            EventKind::Open => Self::Open,
            EventKind::Message => Self::Message,
            EventKind::Close => Self::Close,
            EventKind::Error => Self::Error,
        }
    }

    fn number(self) -> JsValue {
        JsValue::from(self as u32)
    }
}

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
    /// every event, `kind` a `ClientEvent` (below): the socket's four with the
    /// browser's event, `last` telling whether a close is the final one;
    /// the reconnect events with the event's detail. Without delivery, the
    /// browser sockets' message events go to `messages` instead, which
    /// hands each to `received` before dispatching it: a message then
    /// crosses into wasm once, as an event the core only looks at.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: &JsValue,
        protocols: &JsValue,
        options: &JsValue,
        dispatch: Function,
        messages: Function,
    ) -> Result<WebSocketClientCore, JsValue> {
        crate::init::init();
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
        let mut options = ConnectOptions::from_js(static_protocols, options)?;
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
            let number = ClientEvent::of(kind).number();
            listeners.push(hub.add_raw(kind, move |event| {
                let _ = dispatch.call3(&JsValue::UNDEFINED, &number, event, &JsValue::FALSE);
            }));
        }
        let on_close = dispatch.clone();
        listeners.push(lifecycle.on_close(move |event, last| {
            let kind = ClientEvent::Close.number();
            let _ = on_close.call3(&JsValue::UNDEFINED, &kind, event, &last.into());
        }));
        if let Some(resilient) = lifecycle.reconnecting() {
            resilient.relay_messages_to(messages);
            listeners.push(resilient.add_reconnect_listener(move |event| {
                let _ = dispatch.call3(
                    &JsValue::UNDEFINED,
                    &ClientEvent::Reconnect.number(),
                    &event.js_detail(),
                    &event.js_type().into(),
                );
            }));
        }
        Ok(Self {
            lifecycle,
            _listeners: listeners,
        })
    }

    /// For the `messages` listener: notes a message (the heartbeat hears
    /// the line, the sent log learns a drained buffer). Returns whether it
    /// is the heartbeat's pong, which is not dispatched.
    pub fn received(&self, event: &web_sys::MessageEvent) -> bool {
        self.lifecycle
            .reconnecting()
            .is_some_and(|r| r.note_message(event))
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

    /// With `delivery`: `"negotiating"`, `"on"` or `"unavailable"`
    /// (`"off"` without it).
    #[cfg(feature = "delivery")]
    #[wasm_bindgen(getter)]
    pub fn delivery(&self) -> JsValue {
        self.lifecycle
            .reconnecting()
            .map_or(crate::delivery::DeliveryStatus::Off, |r| {
                r.delivery_status()
            })
            .as_str()
            .into()
    }

    /// With `delivery`: the id of the last message sent (1, 2, … for the
    /// client's life).
    #[cfg(feature = "delivery")]
    #[wasm_bindgen(getter = lastMessageId)]
    pub fn last_message_id(&self) -> f64 {
        self.lifecycle
            .reconnecting()
            .map_or(0, ReconnectingWebSocket::last_message_id) as f64
    }

    /// For WebSocketStream with `delivery`: messages count as received (and
    /// are acknowledged) when `consumed()` says the reader read everything
    /// handed over. Returns whether that applies.
    #[cfg(feature = "delivery")]
    #[wasm_bindgen(js_name = deferAcks)]
    pub fn defer_acks(&self) -> bool {
        self.lifecycle
            .reconnecting()
            .is_some_and(ReconnectingWebSocket::defer_delivery_acks)
    }

    /// With `deferAcks`: the reader read everything handed over.
    #[cfg(feature = "delivery")]
    pub fn consumed(&self) {
        if let Some(r) = self.lifecycle.reconnecting() {
            r.delivery_consumed();
        }
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
}

/// Makes the core's sockets with `constructor`: the browser's `WebSocket`,
/// which the package captured when it loaded, so that a page that installs
/// `WebSocketClient` as its global `WebSocket` does not have the core make
/// clients of itself.
#[wasm_bindgen(js_name = useNativeConstructor, skip_typescript)]
pub fn use_native_constructor(constructor: Function) {
    crate::socket::websocket::use_native_constructor(constructor);
}

impl WebSocketClientCore {
    /// The current browser socket, for its string attributes.
    fn strings(&self) -> Option<SocketStrings> {
        self.lifecycle.current_raw().map(JsCast::unchecked_into)
    }
}

/// Other values are ignored, as the browser does.
fn set_binary_type(socket: &Lifecycle, value: &JsValue) {
    if let Some(binary_type) = value.as_string().as_deref().and_then(BinaryType::from_name) {
        socket.set_binary_type(binary_type);
    }
}

/// The reconnect events' types (`reconnecting`, `reconnected`, `gaveup`),
/// for the JS classes' handler attributes and listener bookkeeping.
#[wasm_bindgen(js_name = reconnectEventTypes, skip_typescript)]
pub fn reconnect_event_types() -> js_sys::Array {
    ReconnectEvent::TYPES
        .iter()
        .map(|name| JsValue::from_str(name))
        .collect()
}

/// Present in the delivery module only: `init({ delivery: true })` tells
/// the modules apart by it.
#[cfg(feature = "delivery")]
#[wasm_bindgen(skip_typescript)]
pub fn delivers() -> bool {
    true
}
