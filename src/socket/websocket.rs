//! The core: one browser `WebSocket`, the four closures it calls, and the
//! listener lists they dispatch to. Every face of the crate (callbacks,
//! async, the JS class) is built on [`WebSocket`].

use std::cell::Cell;
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::bindings::{AnySend, BinaryTypeAttribute, LOCATION};
use crate::error::{Error, Operation};
use crate::socket::close::{close_frame, validate_close};
use crate::socket::events::EventHub;
use crate::socket::listeners::Listeners;
use crate::socket::message::{image_pixels, Payload};
use crate::socket::protocols::validate_protocols;
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

/// A WebSocket connection, DOM-shaped, owned by Rust.
///
/// It mirrors the browser object: construct it to connect, set handlers
/// with `set_on…` (one each, replaced on every call, like `onmessage =`),
/// or add several listeners with `add_…_listener` (like
/// `addEventListener`; each is removed when its [`Listener`](crate::Listener) handle is
/// dropped). It differs where the browser loses information silently:
/// sending after close is an [`Error`], and bad arguments are typed errors
/// checked before the browser is called.
///
/// Dropping the socket closes an open (or still connecting) connection and
/// removes every closure it gave the browser, so no callback runs after the
/// drop and nothing leaks. The socket is not `Clone`; a callback that needs
/// the socket should hold a [`WeakWebSocket`] (a strong one would keep the
/// socket alive through its own callback).
///
/// ```no_run
/// use wasm_websocket::{Message, WebSocket};
///
/// # fn main() -> Result<(), wasm_websocket::Error> {
/// let ws = WebSocket::with_protocols("ws://127.0.0.1:8080/", &["echo-protocol"])?;
/// let weak = ws.downgrade();
/// ws.set_onopen(move || {
///     if let Some(ws) = weak.upgrade() {
///         ws.send("Hello Server!").ok();
///     }
/// });
/// ws.set_onmessage(|msg| {
///     if let Message::Text(text) = msg {
///         web_sys::console::log_1(&format!("Received: {text}").into());
///     }
/// });
/// ws.set_onclose(|event| {
///     web_sys::console::log_1(&format!("{event}").into());
/// });
/// # std::mem::drop(ws); Ok(()) }
/// ```
pub struct WebSocket {
    inner: Rc<Inner>,
}

/// A non-owning reference to a [`WebSocket`], for use inside its callbacks.
#[derive(Clone)]
pub struct WeakWebSocket {
    inner: Weak<Inner>,
}

impl WeakWebSocket {
    /// The socket, if its owner has not dropped it yet.
    pub fn upgrade(&self) -> Option<WebSocket> {
        self.inner.upgrade().map(|inner| WebSocket { inner })
    }
}

pub(crate) struct Inner {
    raw: web_sys::WebSocket,
    events: Rc<EventHub>,
    browser: BrowserCallbacks,
    /// Subprotocols were offered: the server must select one.
    offered_protocols: bool,
    /// We failed a connection the engine had opened (see [`Inner::fail`]),
    /// or closed one it failed without a close event (see
    /// [`Inner::close_after_error`]); the browser's later events are not
    /// ours to report.
    failed: Cell<bool>,
    /// The browser's close event has come.
    closed: Cell<bool>,
    /// A JS function the browser's message events go to instead of
    /// [`BrowserCallbacks::message`] (see [`WebSocket::relay_messages_to`]).
    #[cfg(feature = "js")]
    messages_to: std::cell::RefCell<Option<js_sys::Function>>,
}

impl Inner {
    /// Fails the connection as the standard does when the server selected
    /// no subprotocol although the client offered some: an error event,
    /// then a close event with 1006, and the socket is CLOSED. Chromium
    /// does this itself before `open`; Firefox and WebKit open the
    /// connection, so it is failed here, at their `open`. The connection is
    /// ended with a close frame (a page cannot cut TCP), so the server sees
    /// 1005 where Chromium's server sees the connection drop.
    fn fail(&self) {
        self.failed.set(true);
        let _ = self.raw.close();
        if let Ok(error) = web_sys::Event::new("error") {
            self.events.error.dispatch(&error);
        }
        self.dispatch_failure_close();
    }

    fn dispatch_failure_close(&self) {
        let init = web_sys::CloseEventInit::new();
        init.set_code(1006);
        init.set_was_clean(false);
        if let Ok(close) = web_sys::CloseEvent::new_with_event_init_dict("close", &init) {
            self.events.close.dispatch(&close);
        }
    }

    /// After an error event fired while CONNECTING. The standard sets
    /// CLOSED, then fires error and close (1006); WebKit fails a blocked
    /// port with an error alone, fired while still CONNECTING, and is
    /// CLOSED one task later. Then a close that has not come is dispatched
    /// here, so that every close handler and `Connection::connect` learn
    /// of the failure.
    fn close_after_error(weak: Weak<Inner>) {
        // A one-shot closure, freed when the timer calls it (the browser
        // always does): nothing to cancel, nothing kept.
        let check = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                let closed = inner.raw.ready_state() == web_sys::WebSocket::CLOSED;
                if closed && !inner.closed.get() && !inner.failed.get() {
                    inner.failed.set(true);
                    inner.dispatch_failure_close();
                }
            }
        });
        crate::bindings::set_timeout(&check, 0);
    }
}

/// The four closures the browser calls. They hold only a `Weak` to the
/// socket, so the socket owns them without a cycle.
struct BrowserCallbacks {
    open: Closure<dyn FnMut(JsValue)>,
    message: Closure<dyn FnMut(JsValue)>,
    close: Closure<dyn FnMut(JsValue)>,
    error: Closure<dyn FnMut(JsValue)>,
}

impl BrowserCallbacks {
    fn new(weak: &Weak<Inner>) -> Self {
        fn relay<E: JsCast + 'static>(
            weak: &Weak<Inner>,
            pick: fn(&EventHub) -> &Rc<Listeners<E>>,
        ) -> Closure<dyn FnMut(JsValue)> {
            let weak = weak.clone();
            Closure::new(move |event: JsValue| {
                // Upgrading keeps the socket alive until every listener has
                // run, even if one of them drops the owner.
                if let Some(inner) = weak.upgrade() {
                    if !inner.failed.get() {
                        pick(&inner.events).dispatch(&event.unchecked_into::<E>());
                    }
                }
            })
        }
        let on_open = weak.clone();
        let on_close = weak.clone();
        let on_error = weak.clone();
        Self {
            open: Closure::new(move |event: JsValue| {
                if let Some(inner) = on_open.upgrade() {
                    if inner.offered_protocols && inner.raw.protocol().is_empty() {
                        inner.fail();
                    } else {
                        inner.events.open.dispatch(&event.unchecked_into());
                    }
                }
            }),
            message: relay(weak, |hub| &hub.message),
            close: Closure::new(move |event: JsValue| {
                if let Some(inner) = on_close.upgrade() {
                    inner.closed.set(true);
                    if !inner.failed.get() {
                        inner.events.close.dispatch(&event.unchecked_into());
                    }
                }
            }),
            error: Closure::new(move |event: JsValue| {
                if let Some(inner) = on_error.upgrade() {
                    if inner.failed.get() {
                        return;
                    }
                    // Every engine fires a failure's error once CLOSED, but
                    // WebKit for a blocked port: CONNECTING, and no close.
                    let connecting = inner.raw.ready_state() == web_sys::WebSocket::CONNECTING;
                    inner.events.error.dispatch(&event.unchecked_into());
                    if connecting && !inner.closed.get() {
                        Inner::close_after_error(Rc::downgrade(&inner));
                    }
                }
            }),
        }
    }

    fn each(&self) -> [(&'static str, &js_sys::Function); 4] {
        [
            ("open", self.open.as_ref().unchecked_ref()),
            ("message", self.message.as_ref().unchecked_ref()),
            ("close", self.close.as_ref().unchecked_ref()),
            ("error", self.error.as_ref().unchecked_ref()),
        ]
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if matches!(
            ReadyState::from_u16(self.raw.ready_state()),
            Some(ReadyState::Connecting | ReadyState::Open)
        ) {
            // Nobody can observe this socket any more: end the connection
            // rather than leave it open in the browser.
            let _ = self.raw.close();
        }
        for (name, callback) in self.browser.each() {
            let _ = self.raw.remove_event_listener_with_callback(name, callback);
        }
        #[cfg(feature = "js")]
        if let Some(listener) = self.messages_to.take() {
            let _ = self
                .raw
                .remove_event_listener_with_callback("message", &listener);
        }
    }
}

impl WebSocket {
    /// Connects to `url` with no subprotocol.
    ///
    /// The URL is resolved against the page's (or worker's) base URL;
    /// `http:` and `https:` become `ws:` and `wss:`. Fails with
    /// [`Error::InvalidUrl`] for an unparsable URL, another scheme or a
    /// fragment. A port browsers refuse (see [`is_blocked_port`](crate::is_blocked_port))
    /// is not an error here: as the standard says, the connection fails,
    /// with an error event and then a close event with code 1006.
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::with_protocols::<&str>(url, &[])
    }

    /// Connects to `url` offering `protocols` (the server picks one, see
    /// [`WebSocket::protocol`]). Fails with [`Error::InvalidProtocol`] for
    /// an empty, non-token or repeated entry, besides the URL errors of
    /// [`WebSocket::new`].
    pub fn with_protocols<S: AsRef<str>>(url: &str, protocols: &[S]) -> Result<Self, Error> {
        let target = connect_target(url, protocols)?;
        let args = js_sys::Array::of1(&JsValue::from_str(&target));
        if !protocols.is_empty() {
            let list = js_sys::Array::new();
            for protocol in protocols {
                list.push(&JsValue::from_str(protocol.as_ref()));
            }
            args.push(&list);
        }
        let raw = js_sys::Reflect::construct(&native_constructor(), &args)
            .map(JsCast::unchecked_into::<web_sys::WebSocket>)
            .map_err(|e| Error::from_js(&e, Operation::Connect { url }))?;
        Self::attach(raw, !protocols.is_empty())
    }

    /// Registers the four browser callbacks on `raw`. If the browser refuses
    /// one, what was registered is removed again (by `Inner`'s drop).
    fn attach(raw: web_sys::WebSocket, offered_protocols: bool) -> Result<Self, Error> {
        let inner = Rc::new_cyclic(|weak| Inner {
            raw,
            events: Rc::default(),
            browser: BrowserCallbacks::new(weak),
            offered_protocols,
            failed: Cell::new(false),
            closed: Cell::new(false),
            #[cfg(feature = "js")]
            messages_to: Default::default(),
        });
        for (name, callback) in inner.browser.each() {
            inner
                .raw
                .add_event_listener_with_callback(name, callback)
                .map_err(|e| Error::from_js(&e, Operation::Other))?;
        }
        Ok(Self { inner })
    }

    /// For the npm face: the browser's message events go to `listener`, a
    /// JS function, instead of this socket's message closure and
    /// listeners, so that a message does not pass through wasm on its way
    /// to JS. `listener` is removed with the socket's own callbacks when it
    /// drops.
    #[cfg(feature = "js")]
    pub(crate) fn relay_messages_to(&self, listener: &js_sys::Function) {
        let inner = &self.inner;
        // Ours goes only once `listener` is in (a refusal keeps ours).
        if inner
            .raw
            .add_event_listener_with_callback("message", listener)
            .is_ok()
        {
            *inner.messages_to.borrow_mut() = Some(listener.clone());
            let own = inner.browser.message.as_ref().unchecked_ref();
            let _ = inner
                .raw
                .remove_event_listener_with_callback("message", own);
        }
    }

    /// A [`WeakWebSocket`] to reach this socket from its own callbacks.
    pub fn downgrade(&self) -> WeakWebSocket {
        WeakWebSocket {
            inner: Rc::downgrade(&self.inner),
        }
    }

    // ----- state and getters -------------------------------------------

    /// The connection state (`readyState`).
    pub fn ready_state(&self) -> ReadyState {
        if self.inner.failed.get() {
            return ReadyState::Closed;
        }
        ReadyState::from_u16(self.inner.raw.ready_state()).unwrap_or(ReadyState::Closed)
    }

    /// The resolved URL (`url`), for example `ws://host/` for `http://host`.
    pub fn url(&self) -> String {
        self.inner.raw.url()
    }

    /// The subprotocol the server selected (`protocol`), empty if none.
    pub fn protocol(&self) -> String {
        self.inner.raw.protocol()
    }

    /// The extensions the server selected (`extensions`), for example
    /// `permessage-deflate`, or empty.
    pub fn extensions(&self) -> String {
        self.inner.raw.extensions()
    }

    /// Bytes queued by `send` but not yet handed to the network
    /// (`bufferedAmount`).
    pub fn buffered_amount(&self) -> u32 {
        self.inner.raw.buffered_amount()
    }

    /// How binary messages are delivered (`binaryType`).
    pub fn binary_type(&self) -> BinaryType {
        // Compared as a JS string: web-sys's enum getter links a panic
        // path for values it does not know.
        let value = self
            .inner
            .raw
            .unchecked_ref::<BinaryTypeAttribute>()
            .binary_type();
        if value == BinaryType::ArrayBuffer.as_str() {
            BinaryType::ArrayBuffer
        } else {
            // "blob", and any value a future browser might add: the default.
            BinaryType::Blob
        }
    }

    /// Switches how binary messages arriving from now on are delivered.
    pub fn set_binary_type(&self, binary_type: BinaryType) {
        self.inner.raw.set_binary_type(binary_type.to_web());
    }

    /// The browser object underneath, for APIs this crate does not wrap.
    /// Listeners added to it directly are not managed by this socket.
    pub fn as_raw(&self) -> &web_sys::WebSocket {
        &self.inner.raw
    }

    // ----- sending and closing -----------------------------------------

    /// Sends text, bytes, a buffer or view, a `Blob`/`File` or canvas
    /// `ImageData` (see [`Payload`]).
    ///
    /// Fails with [`Error::NotOpen`] while connecting and with
    /// [`Error::Closed`] once closing has started (where the browser would
    /// silently discard the data). Text is sent as a text message,
    /// everything else as binary.
    pub fn send<'a>(&self, data: impl Into<Payload<'a>>) -> Result<(), Error> {
        self.send_payload(data.into())
    }

    /// `send` after the conversion: one copy of this code in the module,
    /// whatever callers pass to `send`.
    fn send_payload(&self, data: Payload<'_>) -> Result<(), Error> {
        if let Some(error) = Error::unsendable_in(self.ready_state()) {
            return Err(error);
        }
        let raw = &self.inner.raw;
        match data.resolve() {
            Payload::Text(text) => raw.send_with_str(text),
            Payload::Bytes(bytes) if !sends_as_blob(bytes.len() as f64) => {
                raw.send_with_u8_array(bytes)
            }
            other => to_send(other).and_then(|value| send_any(raw, &value)),
        }
        .map_err(|e| Error::from_js(&e, Operation::Other))
    }

    /// Starts the closing handshake with no code (the close event will
    /// report 1005). While connecting, this fails the connection (1006).
    /// Closing an already closing or closed socket does nothing.
    pub fn close(&self) -> Result<(), Error> {
        self.close_inner(None, None)
    }

    /// Closes with `code` (1000 or 3000–4999) and `reason` (at most 123
    /// UTF-8 bytes); both are checked before the browser is called, the
    /// code first, even if the socket is already closed.
    ///
    /// ```no_run
    /// # fn demo(ws: &wasm_websocket::WebSocket) {
    /// use wasm_websocket::Error;
    /// assert_eq!(ws.close_with(1001, ""), Err(Error::InvalidCloseCode(1001)));
    /// ws.close_with(4000, "done for today").unwrap();
    /// # }
    /// ```
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.close_inner(Some(code), Some(reason))
    }

    pub(crate) fn close_inner(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        validate_close(code, reason)?;
        if matches!(self.ready_state(), ReadyState::Closing | ReadyState::Closed) {
            return Ok(());
        }
        let raw = &self.inner.raw;
        match close_frame(code, reason) {
            (Some(code), Some(reason)) => raw.close_with_code_and_reason(code, reason),
            (Some(code), None) => raw.close_with_code(code),
            _ => raw.close(),
        }
        .map_err(|e| Error::from_js(&e, Operation::Other))
    }

    // ----- handlers and listeners (see `event_methods!`) ----------------

    crate::socket::events::event_methods!();

    /// The listener lists, shared with the crate's other faces.
    pub(crate) fn events(&self) -> &Rc<EventHub> {
        &self.inner.events
    }
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("url", &self.url())
            .field("ready_state", &self.ready_state())
            .finish()
    }
}

/// Binary messages from this size on go to the browser as a `Blob`, in
/// Chromium only: there a Blob reaches the network faster than the same
/// bytes in an ArrayBuffer at 1 MiB (about 1.3x in `npm run bench`), while
/// up to 256 KiB the two were even and views won at 16 KiB. In Firefox and
/// WebKit views are faster (WebKit: 95 against 70 MiB/s). The bytes are
/// copied at send time either way, so what goes out is what the caller had.
pub(crate) const BLOB_SEND_MIN_BYTES: usize = 512 * 1024;

/// Whether this engine sends large binary messages faster as a Blob
/// (Chromium), read once from the user agent.
fn blobs_send_faster() -> bool {
    thread_local! {
        static CHROMIUM: bool = crate::bindings::NAVIGATOR
            .with(|navigator| js_sys::Reflect::get(navigator, &JsValue::from_str("userAgent")).ok())
            .and_then(|agent| agent.as_string())
            // A byte search: `str::contains` links str slicing's panic
            // message, char's Debug and Unicode tables (about 2 KB gzipped).
            .is_some_and(|agent| agent.as_bytes().windows(7).any(|w| w == b"Chrome/"));
    }
    CHROMIUM.with(|chromium| *chromium)
}

/// Whether a binary message of `length` bytes goes to the browser as a
/// Blob (see [`BLOB_SEND_MIN_BYTES`]).
fn sends_as_blob(length: f64) -> bool {
    length >= BLOB_SEND_MIN_BYTES as f64 && blobs_send_faster()
}

/// What the browser's `send` is given for `payload`: text as a string,
/// `ImageData` as its pixels (no copy into wasm), buffers and views as they
/// are or, when large in Chromium, as a Blob of their bytes (a JS copy of
/// Rust bytes, so the Blob does not see later changes to wasm memory).
fn to_send(payload: Payload<'_>) -> Result<JsValue, JsValue> {
    let source: JsValue = match payload {
        Payload::Text(text) => return Ok(text.into()),
        Payload::Blob(blob) => return Ok(blob.clone().into()),
        Payload::JsValue(value) => return Ok(value.clone()),
        Payload::Bytes(bytes) => js_sys::Uint8Array::from(bytes).into(),
        Payload::ArrayBuffer(buffer) => buffer.clone().into(),
        Payload::View(view) => view.clone().into(),
        Payload::ImageData(image) => image_pixels(image),
    };
    let length = js_sys::Reflect::get(&source, &JsValue::from_str("byteLength"))?
        .as_f64()
        .unwrap_or(0.0);
    if sends_as_blob(length) {
        Ok(web_sys::Blob::new_with_buffer_source_sequence(&js_sys::Array::of1(&source))?.into())
    } else {
        Ok(source)
    }
}

/// What the browser's `send` is given for a JS value, as [`WebSocket::send`]
/// sends it.
#[cfg(feature = "js-plain")]
pub(crate) fn js_payload_to_send(data: &JsValue) -> Result<JsValue, JsValue> {
    to_send(Payload::JsValue(data).resolve())
}

/// The checks made before the browser's constructor is called, and the URL
/// to give it: `protocols` are validated, and `url` is resolved against the
/// page's (or worker's) location, as the standard says (engines disagree
/// on some inputs: Firefox rejects the empty URL). What does not parse is
/// returned as given, for the browser to throw its own SyntaxError. A
/// blocked port passes: the standard fails that connection (fetch's
/// "bad port" check), it does not throw.
pub(crate) fn connect_target<S: AsRef<str>>(url: &str, protocols: &[S]) -> Result<String, Error> {
    validate_protocols(protocols)?;
    Ok(resolve(url).map_or_else(|| url.to_owned(), |parsed| parsed.href()))
}

thread_local! {
    /// The browser's `WebSocket` constructor, once known (see
    /// [`use_native_constructor`]).
    static NATIVE_CONSTRUCTOR: std::cell::RefCell<Option<js_sys::Function>> =
        const { std::cell::RefCell::new(None) };
}

/// Makes sockets with `constructor`, the browser's `WebSocket`: the npm
/// package passes the one it captured when it loaded, before a page could
/// install its `WebSocketClient` as the global `WebSocket`.
#[cfg(feature = "js")]
pub(crate) fn use_native_constructor(constructor: js_sys::Function) {
    NATIVE_CONSTRUCTOR.with(|native| *native.borrow_mut() = Some(constructor));
}

/// The constructor sockets are made with: the one the package gave, or
/// else the global `WebSocket` as it is at the first connection.
fn native_constructor() -> js_sys::Function {
    NATIVE_CONSTRUCTOR.with(|native| {
        native
            .borrow_mut()
            .get_or_insert_with(|| {
                crate::bindings::WEBSOCKET_CONSTRUCTOR.with(|c| c.clone().unchecked_into())
            })
            .clone()
    })
}

/// `url` parsed against the page's or worker's location, as the
/// constructor's first step does; `None` if it does not parse.
fn resolve(url: &str) -> Option<web_sys::Url> {
    let base = LOCATION
        .with(|location| js_sys::Reflect::get(location, &JsValue::from_str("href")).ok())
        .and_then(|href| href.as_string());
    match base {
        Some(base) => web_sys::Url::new_with_base(url, &base),
        None => web_sys::Url::new(url),
    }
    .ok()
}

fn send_any(raw: &web_sys::WebSocket, data: &JsValue) -> Result<(), JsValue> {
    raw.unchecked_ref::<AnySend>().send(data)
}
