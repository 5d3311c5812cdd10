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
//! - `WebSocketClientCore` (feature `js`): the same core under the npm
//!   package's JavaScript classes, `WebSocketClient` (a real `EventTarget`
//!   with the DOM's lifetime) and `WebSocketStream`; the npm package is
//!   built with it.
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
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

#[cfg(all(feature = "small-allocator", target_arch = "wasm32"))]
mod allocator;
mod backend;
mod backoff;
#[cfg(feature = "bench")]
mod bench;
mod blocked_port;
mod close;
mod connection;
mod error;
mod events;
mod heartbeat;
#[cfg(feature = "js")]
mod js;
mod listeners;
mod message;
mod ordered;
mod outbox;
mod protocols;
mod reconnect;
mod socket;
mod state;

pub use backoff::{GiveUpReason, ReconnectPolicy};
pub use blocked_port::{is_blocked_port, BLOCKED_PORTS};
pub use close::{codes, is_valid_close_code, validate_close, CloseEvent, MAX_REASON_BYTES};
pub use connection::{
    ConnectOptions, Connection, ConnectionReader, ConnectionWriter, DEFAULT_BACKPRESSURE_POLL_MS,
    DEFAULT_HIGH_WATER_MARK,
};
pub use error::{Error, ProtocolProblem};
pub use events::Listener;
pub use heartbeat::HeartbeatOptions;
#[cfg(feature = "js")]
pub use js::WebSocketClientCore;
pub use message::{Message, Payload};
pub use outbox::OutboxLimits;
pub use protocols::validate_protocols;
pub use reconnect::{ReconnectEvent, ReconnectOptions, ReconnectingWebSocket};
pub use socket::{WeakWebSocket, WebSocket};
pub use state::{BinaryType, ReadyState};

/// Prepares the module once: with the default `panic-hook` feature, Rust
/// panic messages are written to the browser console instead of an opaque
/// `unreachable` trap. Calling it again does nothing.
///
/// Exported to JavaScript as `init()`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn init() {
    // Our own few lines rather than console_error_panic_hook: the same
    // message (the trap that follows carries the JS stack) for less module
    // size, and a flag instead of `std::sync::Once` and its panic paths.
    #[cfg(feature = "panic-hook")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if !INSTALLED.swap(true, Ordering::Relaxed) {
            std::panic::set_hook(Box::new(|info| {
                web_sys::console::error_1(&info.to_string().into());
            }));
        }
    }
}
