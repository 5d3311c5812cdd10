//! # wasm-websocket
//!
//! A binding to the browser's `WebSocket` for Rust compiled to WebAssembly,
//! faithful to the [WebSockets standard](https://websockets.spec.whatwg.org/)
//! and strict where the browser is silent:
//!
//! - [`WebSocket`]: the DOM-shaped core. Typed `onopen`/`onmessage`/
//!   `onclose`/`onerror` handlers and ordered listeners, [`ReadyState`],
//!   [`BinaryType`], sends of text, bytes, buffers, views, `Blob`/`File` and
//!   canvas `ImageData`, and validated close.
//! - One [`Error`] enum for everything, named like the browser's
//!   `DOMException`s, never a panic. Sends after close are errors, not
//!   silently dropped data.
//! - [`Connection`]: the async face. `connect().await`, a `futures`
//!   `Stream` of messages (Blob messages as bytes, in arrival order) and a
//!   `Sink` with backpressure on `bufferedAmount`; splittable.
//! - [`ReconnectingWebSocket`] and [`ConnectOptions::reconnect`]: opt-in
//!   resilience with one options shape for every face ([`ConnectOptions`]):
//!   backoff with jitter, a veto ([`ShouldReconnect`]), URL and protocol
//!   [`Provider`]s asked before every attempt, network-aware retries, a
//!   heartbeat judged by timestamps, an outbox, and resending what the
//!   browser never sent when a connection dies.
//! - `WebSocketClientCore` (feature `js`): the same core under the npm
//!   package's JavaScript classes, `WebSocketClient` (a real `EventTarget`
//!   with the DOM's lifetime) and `WebSocketStream`; the npm package's full
//!   module is built with it, its plain module with `js-plain` (only the
//!   checks a plain client calls).
//! - No leaks: a socket owns every closure it gives the browser and removes
//!   them when dropped.
//!
//! ```no_run
//! use wasm_websocket::{Message, WebSocket};
//!
//! # fn main() -> Result<(), wasm_websocket::Error> {
//! let ws = WebSocket::with_protocols("ws://localhost:8080/", &["echo-protocol"])?;
//! ws.set_onmessage(|msg| match msg {
//!     Message::Text(text) => web_sys::console::log_1(&format!("Received: '{text}'").into()),
//!     other => web_sys::console::log_1(&format!("Received {other:?}").into()),
//! });
//! # std::mem::drop(ws); Ok(()) }
//! ```
// No unsafe code, but in the npm package's allocator (src/allocator.rs):
// `GlobalAlloc` is an unsafe trait.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

// The layers, bottom up: `socket` wraps one browser WebSocket; `resilience`
// keeps replacing it; `lifecycle` gives both one state machine (final close,
// writability, closing while waiting to retry); the faces on top
// (`connection` for async Rust, `js` for the npm package) only subscribe to
// it. The callback face is the `socket` and `resilience` types themselves.
#[cfg(all(feature = "small-allocator", target_arch = "wasm32"))]
mod allocator;
mod bindings;
mod connection;
#[cfg(feature = "delivery")]
mod delivery;
mod error;
#[cfg(feature = "js-plain")]
mod from_js;
mod init;
#[cfg(feature = "js-plain")]
mod js;
mod lifecycle;
mod options;
mod resilience;
mod socket;
mod vocabulary;

pub use connection::{Connection, ConnectionReader, ConnectionWriter};
#[cfg(feature = "delivery")]
pub use delivery::{DeliveryStatus, SessionLostReason};
pub use error::{Error, ProtocolProblem};
pub use init::init;
#[cfg(feature = "js")]
pub use js::WebSocketClientCore;
#[cfg(feature = "delivery")]
pub use options::delivery::DeliveryOptions;
pub use options::heartbeat::HeartbeatOptions;
pub use options::outbox_limits::OutboxLimits;
pub use options::provider::{Provider, ProviderFuture};
pub use options::reconnect_policy::ReconnectPolicy;
pub use options::should_reconnect::ShouldReconnect;
pub use options::{
    ConnectOptions, ReconnectOptions, DEFAULT_BACKPRESSURE_POLL_MS, DEFAULT_HIGH_WATER_MARK,
    DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS,
};
pub use resilience::backoff::GiveUpReason;
pub use resilience::reconnect_event::ReconnectEvent;
pub use resilience::reconnecting::ReconnectingWebSocket;
pub use socket::blocked_port::{is_blocked_port, BLOCKED_PORTS};
pub use socket::close::validate_close;
pub use socket::events::Listener;
pub use socket::message::{Message, Payload};
pub use socket::protocols::validate_protocols;
pub use socket::websocket::{WeakWebSocket, WebSocket};
pub use vocabulary::close_event::{codes, is_valid_close_code, CloseEvent, MAX_REASON_BYTES};
pub use vocabulary::ready_state::{BinaryType, ReadyState};
