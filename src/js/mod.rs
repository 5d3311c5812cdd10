//! The npm face: `WebSocketClient`, a class for JavaScript shaped like the
//! browser's `WebSocket` (same members, same events, same exceptions by
//! name), built on the same core as the Rust faces. Events reach JS
//! listeners as the browser's own event objects, and sent strings, Blobs
//! and buffers go to the browser as the JS values they are: no payload
//! makes a trip through wasm memory.
//!
//! Its TypeScript declaration is written by hand below (exact unions,
//! overloads per event type); `tests/e2e/types.test.mjs` type-checks it.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::backend::Backend;
use crate::close::CloseEvent;
use crate::connection::DEFAULT_HIGH_WATER_MARK;
use crate::error::Error;
use crate::events::{EventKind, Listener};
use crate::message::{to_usv_string, Payload};
use crate::reconnect::{ReconnectEvent, ReconnectingWebSocket};
use crate::socket::WebSocket;
use crate::state::BinaryType;

mod drain;
mod options;

use options::{clamp_u32, option, protocol_list, reconnect_options};

#[wasm_bindgen(typescript_custom_section)]
const TS_CLASS: &'static str = r#"
/** How binary messages are delivered. */
export type BinaryType = "blob" | "arraybuffer";
/** What `MessageEvent.data` holds: text, or binary as `binaryType` says. */
export type MessageData = string | Blob | ArrayBuffer;
/** What `send` accepts; `ImageData` is sent as its RGBA bytes. */
export type SendData = string | Blob | ArrayBufferLike | ArrayBufferView | ImageData;
/** The numeric connection states (`CONNECTING` … `CLOSED`). */
export type ReadyStateValue = 0 | 1 | 2 | 3;

/** `detail` of a `reconnecting` event. */
export interface ReconnectingDetail {
  /** Which retry comes next (1, 2, …). */
  attempt: number;
  /** The wait before it, in milliseconds. */
  delay: number;
  /** How the lost connection ended. */
  code: number;
  reason: string;
  wasClean: boolean;
}

/** `detail` of a `gaveup` event. */
export interface GaveUpDetail {
  /** Why reconnecting stopped, in words. */
  reason: string;
  /** The close code of the last connection. */
  code: number;
}

/** Event type names and the events they deliver. */
export interface WebSocketClientEventMap {
  open: Event;
  message: MessageEvent<MessageData>;
  close: CloseEvent;
  error: Event;
  /** With `reconnect`: a connection was lost and a retry is scheduled. */
  reconnecting: CustomEvent<ReconnectingDetail>;
  /** With `reconnect`: a retry opened (after the outbox was sent). */
  reconnected: CustomEvent<{ attempt: number }>;
  /** With `reconnect`: reconnecting stopped for good. */
  gaveup: CustomEvent<GaveUpDetail>;
}

/** Reconnection policy (all optional; defaults shown). */
export interface ReconnectOptions {
  /** Shortest wait before a retry, ms (500). */
  minDelay?: number;
  /** Longest wait before a retry, ms (30000). */
  maxDelay?: number;
  /** Growth of the wait's upper bound per retry (2). */
  factor?: number;
  /** Give up after this many consecutive failed retries (never). */
  maxRetries?: number;
  /** An uptime that resets the backoff, ms (5000). */
  minUptime?: number;
  /** Close codes that stop reconnecting ([1002, 1003, 1007, 1008, 1009, 1010]). */
  noRetryCodes?: number[];
  /** A handshake slower than this fails the attempt, ms (10000; 0 = none). */
  connectTimeout?: number;
}

/** Application-level heartbeat (off unless given). */
export interface HeartbeatOptions {
  /** Ping period, ms (30000). */
  interval?: number;
  /** Dead if no answer this long after a ping, ms (10000). */
  timeout?: number;
  /** The ping text ("ping"). */
  ping?: string;
  /** The pong text; if unset, any message proves liveness. Pongs are not delivered as messages. */
  pong?: string;
}

/** Bounds of the queue for sends while disconnected. */
export interface OutboxOptions {
  /** Messages (1000). */
  maxMessages?: number;
  /** Bytes (4 MiB). */
  maxBytes?: number;
}

/** A listener: a function, or an object with `handleEvent`, as in the DOM. */
export type WebSocketClientListener<K extends keyof WebSocketClientEventMap> =
  | ((event: WebSocketClientEventMap[K]) => unknown)
  | { handleEvent(event: WebSocketClientEventMap[K]): unknown };

/** Options beyond the browser constructor's. */
export interface WebSocketClientOptions {
  /** Initial `binaryType` (default `"blob"`). */
  binaryType?: BinaryType;
  /** Default limit for `drain()`, in bytes (default 1 MiB). */
  highWaterMark?: number;
  /**
   * Reconnect when the connection is lost (off by default). `true` uses the
   * defaults. Sends while disconnected are queued (see `outbox`); `open`
   * and `close` fire for every underlying connection; `closed` resolves
   * only on the final close.
   */
  reconnect?: boolean | ReconnectOptions;
  /** Heartbeat, with `reconnect`. */
  heartbeat?: HeartbeatOptions;
  /** Outbox bounds, with `reconnect`. */
  outbox?: OutboxOptions;
}

/**
 * A WebSocket shaped like the browser's, backed by wasm-websocket.
 * Differences: `send` after close throws `InvalidStateError` instead of
 * silently dropping data; blocked ports throw `SecurityError` at once.
 * Call `free()` (or `using`) to release it early; closing releases the
 * connection itself.
 */
export class WebSocketClient {
  /**
   * Connects to `url` (resolved against the page; http(s) becomes ws(s)).
   * @throws {DOMException} `SyntaxError` for a bad URL, scheme, fragment or
   * protocol list; `SecurityError` for a blocked port.
   */
  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketClientOptions);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  /** The connection state. */
  readonly readyState: ReadyStateValue;
  /** The resolved URL. */
  readonly url: string;
  /** The subprotocol the server selected, or "". */
  readonly protocol: string;
  /** The extensions the server selected, or "". */
  readonly extensions: string;
  /** Bytes queued by `send` and not yet sent (with `reconnect`, the outbox too). */
  readonly bufferedAmount: number;
  /** With `reconnect`: the retry in progress or last made (0 before any). */
  readonly retryCount: number;
  /** With `reconnect`: how often a lost connection was re-established. */
  readonly reconnectCount: number;
  /** With `reconnect`: messages waiting for the next open. */
  readonly queuedMessages: number;
  /** With `reconnect`: bytes waiting for the next open. */
  readonly queuedBytes: number;
  /** How binary messages arrive; other values are ignored. */
  binaryType: BinaryType;
  /**
   * Resolves when the connection opens; rejects with a `NetworkError`
   * DOMException if it fails first. The same promise on every read.
   */
  readonly opened: Promise<void>;
  /** Resolves with the close event once the connection has closed. */
  readonly closed: Promise<CloseEvent>;
  /**
   * Resolves once `bufferedAmount` is at most `highWaterMark` (default:
   * the constructor option, 1 MiB), so a producer can wait before sending
   * more. Rejects with `InvalidStateError` if the socket is not open or
   * closes while waiting (data still buffered then is lost).
   */
  drain(highWaterMark?: number): Promise<void>;
  onopen: ((event: Event) => unknown) | null;
  onmessage: ((event: MessageEvent<MessageData>) => unknown) | null;
  onclose: ((event: CloseEvent) => unknown) | null;
  onerror: ((event: Event) => unknown) | null;
  addEventListener<K extends keyof WebSocketClientEventMap>(
    type: K,
    listener: WebSocketClientListener<K> | null,
    options?: boolean | { once?: boolean; capture?: boolean },
  ): void;
  removeEventListener<K extends keyof WebSocketClientEventMap>(
    type: K,
    listener: WebSocketClientListener<K> | null,
    options?: boolean | { capture?: boolean },
  ): void;
  /**
   * Sends text or binary data.
   * @throws {DOMException} `InvalidStateError` while connecting (unless
   * `reconnect` queues it) and after closing has started;
   * `QuotaExceededError` when the outbox is full.
   */
  send(data: SendData): void;
  /**
   * Starts the closing handshake.
   * @throws {DOMException} `InvalidAccessError` for a code other than 1000
   * or 3000–4999; `SyntaxError` for a reason over 123 UTF-8 bytes.
   */
  close(code?: number, reason?: string): void;
  /** Releases the wasm side now (closes the connection if open). */
  free(): void;
  [Symbol.dispose](): void;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `reportError`: how the DOM reports an exception from a listener
    /// without stopping the others.
    #[wasm_bindgen(catch, js_name = reportError)]
    fn report_error(error: &JsValue) -> Result<(), JsValue>;

    /// A browser `WebSocket` seen for its string attributes, read as JS
    /// values (web-sys's getters decode them into Rust `String`s).
    type SocketStrings;
    #[wasm_bindgen(method, getter)]
    fn url(this: &SocketStrings) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn protocol(this: &SocketStrings) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn extensions(this: &SocketStrings) -> JsValue;
}

/// A listener added with `addEventListener`, kept to find it again.
struct JsListener {
    kind: &'static str,
    target: JsValue,
    serial: u64,
    _handle: Listener,
}

type JsListeners = Rc<RefCell<Vec<JsListener>>>;

/// The browser-shaped WebSocket class exported to JavaScript.
#[wasm_bindgen(skip_typescript)]
pub struct WebSocketClient {
    socket: Rc<Backend>,
    /// What `onopen` … `onerror` return, indexed by `EventKind`.
    handlers: [RefCell<JsValue>; 4],
    listeners: JsListeners,
    next_serial: Cell<u64>,
    lifecycle: Rc<RefCell<Lifecycle>>,
    high_water_mark: u32,
    _lifecycle_listeners: [Listener; 2],
}

/// Open/close as seen so far, and the promises handed out for them.
#[derive(Default)]
struct Lifecycle {
    opened: bool,
    close: Option<web_sys::CloseEvent>,
    opened_promise: Option<Promise>,
    closed_promise: Option<Promise>,
    /// resolve/reject of a pending `opened` promise.
    opened_settle: Option<(Function, Function)>,
    /// resolve of a pending `closed` promise.
    closed_settle: Option<Function>,
    /// The final close happened.
    finished: bool,
}

impl Lifecycle {
    fn on_open(&mut self) {
        self.opened = true;
        if let Some((resolve, _)) = self.opened_settle.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    /// A connection closed; `last` says whether it is the final close (a
    /// reconnecting socket goes on after the others).
    fn on_close(&mut self, event: &web_sys::CloseEvent, last: bool) {
        self.close = Some(event.clone());
        if last {
            self.finish();
        }
    }

    /// Settles what is pending with the last close event.
    fn finish(&mut self) {
        self.finished = true;
        let Some(event) = self.close.clone() else {
            return;
        };
        if let Some((_, reject)) = self.opened_settle.take() {
            let _ = reject.call1(&JsValue::UNDEFINED, &failure(&event));
        }
        if let Some(resolve) = self.closed_settle.take() {
            let _ = resolve.call1(&JsValue::UNDEFINED, &event);
        }
    }
}

fn failure(event: &web_sys::CloseEvent) -> JsValue {
    Error::ConnectionFailed(CloseEvent::from_web(event)).into()
}

#[wasm_bindgen]
impl WebSocketClient {
    /// `new WebSocketClient(url, protocols?, options?)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: &JsValue,
        protocols: &JsValue,
        options: &JsValue,
    ) -> Result<WebSocketClient, JsValue> {
        crate::init();
        let url = to_usv_string(url)?;
        let protocols = protocol_list(protocols)?;
        let socket = Rc::new(match option(options, "reconnect")? {
            Some(reconnect) if reconnect.is_truthy() => {
                Backend::Resilient(ReconnectingWebSocket::new(
                    &url,
                    reconnect_options(protocols, &reconnect, options)?,
                )?)
            }
            _ => Backend::Plain(WebSocket::with_protocols(&url, &protocols)?),
        });
        if let Some(binary_type) = option(options, "binaryType")? {
            set_binary_type(&socket, &binary_type);
        }
        let high_water_mark = match option(options, "highWaterMark")? {
            Some(value) => clamp_u32(&value)?,
            None => DEFAULT_HIGH_WATER_MARK,
        };
        // Registered first, so `opened`/`closed` are settled before any
        // user listener runs.
        let lifecycle: Rc<RefCell<Lifecycle>> = Rc::default();
        let l = lifecycle.clone();
        let on_open = socket
            .events()
            .add_raw(EventKind::Open, move |_| l.borrow_mut().on_open());
        let l = lifecycle.clone();
        let backend = Rc::downgrade(&socket);
        let on_close = socket.events().add_raw(EventKind::Close, move |event| {
            // A reconnecting socket is Connecting again here unless this
            // was its last close.
            let last = backend.upgrade().is_none_or(|b| b.is_finished());
            l.borrow_mut().on_close(event.unchecked_ref(), last);
        });
        Ok(Self {
            socket,
            handlers: std::array::from_fn(|_| RefCell::new(JsValue::NULL)),
            listeners: Rc::default(),
            next_serial: Cell::new(0),
            lifecycle,
            high_water_mark,
            _lifecycle_listeners: [on_open, on_close],
        })
    }

    // ----- promises ----------------------------------------------------------

    /// `opened`: resolves on open, rejects with `NetworkError` on failure.
    #[wasm_bindgen(getter)]
    pub fn opened(&self) -> Promise {
        let mut life = self.lifecycle.borrow_mut();
        if let Some(promise) = &life.opened_promise {
            return promise.clone();
        }
        let promise = if life.opened {
            Promise::resolve(&JsValue::UNDEFINED)
        } else if let (true, Some(event)) = (life.finished, &life.close) {
            Promise::reject(&failure(event))
        } else {
            let mut settle = None;
            let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
            life.opened_settle = settle;
            promise
        };
        life.opened_promise = Some(promise.clone());
        promise
    }

    /// `closed`: resolves with the close event.
    #[wasm_bindgen(getter)]
    pub fn closed(&self) -> Promise {
        let mut life = self.lifecycle.borrow_mut();
        if let Some(promise) = &life.closed_promise {
            return promise.clone();
        }
        let promise = match (&life.close, life.finished) {
            (Some(event), true) => Promise::resolve(&JsValue::from(event.clone())),
            _ => {
                let mut settle = None;
                let promise = Promise::new(&mut |resolve, _| settle = Some(resolve));
                life.closed_settle = settle;
                promise
            }
        };
        life.closed_promise = Some(promise.clone());
        promise
    }

    /// `drain(highWaterMark?)`: resolves once `bufferedAmount` is at most
    /// the limit.
    pub fn drain(&self, high_water_mark: &JsValue) -> Result<Promise, JsValue> {
        let limit = if high_water_mark.is_undefined() {
            self.high_water_mark
        } else {
            clamp_u32(high_water_mark)?
        };
        Ok(drain::drain(Rc::downgrade(&self.socket), limit))
    }

    // ----- constants -------------------------------------------------------

    /// 0
    #[wasm_bindgen(getter = CONNECTING)]
    pub fn connecting_static() -> u16 {
        0
    }
    /// 1
    #[wasm_bindgen(getter = OPEN)]
    pub fn open_static() -> u16 {
        1
    }
    /// 2
    #[wasm_bindgen(getter = CLOSING)]
    pub fn closing_static() -> u16 {
        2
    }
    /// 3
    #[wasm_bindgen(getter = CLOSED)]
    pub fn closed_static() -> u16 {
        3
    }
    /// 0
    #[wasm_bindgen(getter = CONNECTING)]
    pub fn connecting_const(&self) -> u16 {
        0
    }
    /// 1
    #[wasm_bindgen(getter = OPEN)]
    pub fn open_const(&self) -> u16 {
        1
    }
    /// 2
    #[wasm_bindgen(getter = CLOSING)]
    pub fn closing_const(&self) -> u16 {
        2
    }
    /// 3
    #[wasm_bindgen(getter = CLOSED)]
    pub fn closed_const(&self) -> u16 {
        3
    }

    // ----- attributes ------------------------------------------------------

    /// `readyState`.
    #[wasm_bindgen(getter = readyState)]
    pub fn ready_state(&self) -> u16 {
        self.socket.ready_state().into()
    }

    // The string attributes are handed over as the browser's JS strings:
    // no copy into wasm memory and back.

    /// `url`.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> JsValue {
        match self.strings() {
            Some(raw) => raw.url(),
            // Reconnecting, between connections: the URL it was given.
            None => self.socket.url().into(),
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
        self.socket.buffered_amount()
    }

    /// With `reconnect`: the retry in progress or last made.
    #[wasm_bindgen(getter = retryCount)]
    pub fn retry_count(&self) -> u32 {
        self.socket
            .resilient()
            .map_or(0, ReconnectingWebSocket::retry_count)
    }

    /// With `reconnect`: re-established connections so far.
    #[wasm_bindgen(getter = reconnectCount)]
    pub fn reconnect_count(&self) -> u32 {
        self.socket
            .resilient()
            .map_or(0, ReconnectingWebSocket::reconnect_count)
    }

    /// With `reconnect`: messages in the outbox.
    #[wasm_bindgen(getter = queuedMessages)]
    pub fn queued_messages(&self) -> u32 {
        self.socket
            .resilient()
            .map_or(0, |r| r.queued_messages() as u32)
    }

    /// With `reconnect`: bytes in the outbox.
    #[wasm_bindgen(getter = queuedBytes)]
    pub fn queued_bytes(&self) -> u32 {
        self.socket
            .resilient()
            .map_or(0, |r| r.queued_bytes() as u32)
    }

    /// `binaryType`: `"blob"` or `"arraybuffer"`.
    #[wasm_bindgen(getter = binaryType)]
    pub fn binary_type(&self) -> JsValue {
        self.socket.binary_type().as_str().into()
    }

    /// Setting another value is ignored, as the browser does.
    #[wasm_bindgen(setter = binaryType)]
    pub fn set_binary_type(&self, value: &JsValue) {
        set_binary_type(&self.socket, value);
    }

    // ----- on<event> handlers ----------------------------------------------

    /// `onopen`.
    #[wasm_bindgen(getter)]
    pub fn onopen(&self) -> JsValue {
        self.handler(EventKind::Open)
    }
    /// `onopen = f`.
    #[wasm_bindgen(setter)]
    pub fn set_onopen(&self, f: JsValue) {
        self.set_handler(EventKind::Open, f);
    }
    /// `onmessage`.
    #[wasm_bindgen(getter)]
    pub fn onmessage(&self) -> JsValue {
        self.handler(EventKind::Message)
    }
    /// `onmessage = f`.
    #[wasm_bindgen(setter)]
    pub fn set_onmessage(&self, f: JsValue) {
        self.set_handler(EventKind::Message, f);
    }
    /// `onclose`.
    #[wasm_bindgen(getter)]
    pub fn onclose(&self) -> JsValue {
        self.handler(EventKind::Close)
    }
    /// `onclose = f`.
    #[wasm_bindgen(setter)]
    pub fn set_onclose(&self, f: JsValue) {
        self.set_handler(EventKind::Close, f);
    }
    /// `onerror`.
    #[wasm_bindgen(getter)]
    pub fn onerror(&self) -> JsValue {
        self.handler(EventKind::Error)
    }
    /// `onerror = f`.
    #[wasm_bindgen(setter)]
    pub fn set_onerror(&self, f: JsValue) {
        self.set_handler(EventKind::Error, f);
    }

    // ----- listeners ---------------------------------------------------------

    /// `addEventListener(type, listener, options)`: adding the same
    /// listener for the same type twice has no effect; `{ once: true }`
    /// removes it after its first call. Unknown types are accepted and
    /// never fire, as on any EventTarget.
    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(
        &self,
        kind: &str,
        listener: JsValue,
        options: &JsValue,
    ) -> Result<(), JsValue> {
        let Some(kind) = known_kind(kind) else {
            return Ok(());
        };
        if !(listener.is_object() || listener.is_function()) {
            return Ok(()); // null and primitives are ignored
        }
        let exists = self
            .listeners
            .borrow()
            .iter()
            .any(|l| l.kind == kind && l.target == listener);
        if exists {
            return Ok(());
        }
        let once = options.is_object() && option(options, "once")?.is_some_and(|v| v.is_truthy());
        let serial = self.next_serial.get();
        self.next_serial.set(serial + 1);
        let weak: Weak<RefCell<Vec<JsListener>>> = Rc::downgrade(&self.listeners);
        let target = listener.clone();
        let call = move |event: &web_sys::Event| {
            if once {
                if let Some(list) = weak.upgrade() {
                    // Dropping the entry drops its handle: removed before
                    // the call, as the DOM does.
                    list.borrow_mut().retain(|l| l.serial != serial);
                }
            }
            invoke(&target, event);
        };
        let handle = match (EventKind::from_name(kind), self.socket.resilient()) {
            (Some(socket_kind), _) => self.socket.events().add_raw(socket_kind, call),
            (None, Some(resilient)) => {
                resilient.add_reconnect_listener(reconnect_relay(kind, call))
            }
            // A plain socket never fires the reconnect events.
            (None, None) => return Ok(()),
        };
        self.listeners.borrow_mut().push(JsListener {
            kind,
            target: listener,
            serial,
            _handle: handle,
        });
        Ok(())
    }

    /// `removeEventListener(type, listener)`.
    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(&self, kind: &str, listener: &JsValue, _options: &JsValue) {
        if let Some(kind) = known_kind(kind) {
            // Take the entry out first, then drop it outside the borrow.
            let removed = {
                let mut list = self.listeners.borrow_mut();
                list.iter()
                    .position(|l| l.kind == kind && l.target == *listener)
                    .map(|i| list.remove(i))
            };
            drop(removed);
        }
    }

    // ----- methods -----------------------------------------------------------

    /// `send(data)`: strings, Blobs, buffers and views go to the browser as
    /// they are; `ImageData` is sent as its pixels. Throws
    /// `InvalidStateError` while connecting and after closing started.
    pub fn send(&self, data: &JsValue) -> Result<(), JsValue> {
        Ok(self.socket.send(Payload::JsValue(data))?)
    }

    /// `close(code?, reason?)` with the standard's checks.
    pub fn close(&self, code: &JsValue, reason: &JsValue) -> Result<(), JsValue> {
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
        self.socket.close_inner(code, reason.as_deref())?;
        if self.socket.is_finished() {
            // A reconnecting socket closed during a backoff wait: no close
            // event comes, the last one was final.
            self.lifecycle.borrow_mut().finish();
        }
        Ok(())
    }
}

impl WebSocketClient {
    /// The current browser socket, for its string attributes.
    fn strings(&self) -> Option<SocketStrings> {
        self.socket.current_raw().map(JsCast::unchecked_into)
    }

    fn handler(&self, kind: EventKind) -> JsValue {
        self.handlers[kind as usize].borrow().clone()
    }

    /// As the DOM: objects (callable or not) are stored, anything else
    /// means null.
    fn set_handler(&self, kind: EventKind, f: JsValue) {
        if f.is_object() || f.is_function() {
            let target = f.clone();
            self.socket
                .events()
                .set_raw(kind, move |event| invoke(&target, event));
            *self.handlers[kind as usize].borrow_mut() = f;
        } else {
            self.socket.events().clear(kind);
            *self.handlers[kind as usize].borrow_mut() = JsValue::NULL;
        }
    }
}

/// Calls a function listener, or an object's `handleEvent`; an exception
/// is reported like an uncaught one and the next listener still runs.
fn invoke(listener: &JsValue, event: &web_sys::Event) {
    let result = match listener.dyn_ref::<Function>() {
        Some(f) => f.call1(&JsValue::UNDEFINED, event),
        None => Reflect::get(listener, &JsValue::from_str("handleEvent")).and_then(|m| {
            match m.dyn_ref::<Function>() {
                Some(f) => f.call1(listener, event),
                None => Err(js_sys::TypeError::new("listener has no handleEvent method").into()),
            }
        }),
    };
    if let Err(error) = result {
        if report_error(&error).is_err() {
            web_sys::console::error_1(&error);
        }
    }
}

/// The event types this class fires, as static names.
fn known_kind(name: &str) -> Option<&'static str> {
    [
        "open",
        "message",
        "close",
        "error",
        "reconnecting",
        "reconnected",
        "gaveup",
    ]
    .into_iter()
    .find(|k| *k == name)
}

/// Turns reconnect events of type `kind` into DOM `CustomEvent`s for `call`.
fn reconnect_relay(
    kind: &'static str,
    mut call: impl FnMut(&web_sys::Event) + 'static,
) -> impl FnMut(&ReconnectEvent) + 'static {
    move |event| {
        let detail = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&detail, &JsValue::from_str(key), &value);
        };
        let name = match event {
            ReconnectEvent::Reconnecting {
                attempt,
                delay_ms,
                close,
            } => {
                set("attempt", (*attempt).into());
                set("delay", (*delay_ms).into());
                set("code", close.code.into());
                set("reason", close.reason.as_str().into());
                set("wasClean", close.was_clean.into());
                "reconnecting"
            }
            ReconnectEvent::Reconnected { attempt } => {
                set("attempt", (*attempt).into());
                "reconnected"
            }
            ReconnectEvent::GaveUp { reason, close } => {
                set("reason", reason.to_string().into());
                set("code", close.code.into());
                "gaveup"
            }
        };
        if name != kind {
            return;
        }
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        if let Ok(custom) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            call(&custom);
        }
    }
}

/// Other values are ignored, as the browser does.
fn set_binary_type(socket: &Backend, value: &JsValue) {
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
