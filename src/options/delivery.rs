//! [`DeliveryOptions`]: end-to-end delivery with a cooperating server
//! (docs/delivery.md), inside [`ConnectOptions::delivery`](crate::ConnectOptions::delivery).
//! The protocol is `delivery/`, the driver's part `resilience/driver/delivered.rs`.

/// End-to-end delivery settings (feature `delivery`).
///
/// With a server that speaks the protocol (such as the npm package's
/// `wasm-websocket/server`), every message is delivered once, in order,
/// across reconnects, in both directions; with any other server the
/// connection says delivery is unavailable and behaves as a reconnecting
/// one.
///
/// ```
/// use wasm_websocket::{ConnectOptions, DeliveryOptions};
/// let options = ConnectOptions::default().delivery(DeliveryOptions {
///     window_messages: 1024,
///     ..Default::default()
/// });
/// assert!(options.delivery.is_some());
/// assert_eq!(DeliveryOptions::default().window_bytes, 8 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// At most this many sent messages wait for the server's
    /// acknowledgement (default 65,536: the byte bound is the one that
    /// limits memory); later ones wait in the outbox.
    pub window_messages: u32,
    /// At most this many bytes of them (default 8 MiB; a single bigger
    /// message goes alone).
    pub window_bytes: u32,
    /// Received messages are acknowledged at most this long after they
    /// arrive (default 100 ms), or at once when half the server's window
    /// is unacknowledged.
    pub ack_delay_ms: u32,
    /// How long to wait for the server's answer to the first frame before
    /// deciding that it does not speak the protocol (default 2 s).
    pub negotiate_timeout_ms: u32,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            window_messages: 65_536,
            window_bytes: 8 << 20,
            ack_delay_ms: 100,
            negotiate_timeout_ms: 2000,
        }
    }
}

/// The JS option `delivery`: `true` for the defaults, or an object with
/// `windowMessages`, `windowBytes`, `ackDelay` and `negotiateTimeout`;
/// anything falsy is off.
#[cfg(feature = "js")]
impl DeliveryOptions {
    pub(crate) fn from_js(
        delivery: Option<wasm_bindgen::JsValue>,
    ) -> Result<Option<Self>, wasm_bindgen::JsValue> {
        use crate::from_js::ms;
        let Some(value) = delivery.filter(wasm_bindgen::JsValue::is_truthy) else {
            return Ok(None);
        };
        let mut d = Self::default();
        if let Some(v) = ms(&value, "windowMessages")? {
            d.window_messages = v.max(1);
        }
        if let Some(v) = ms(&value, "windowBytes")? {
            d.window_bytes = v.max(1);
        }
        if let Some(v) = ms(&value, "ackDelay")? {
            d.ack_delay_ms = v;
        }
        if let Some(v) = ms(&value, "negotiateTimeout")? {
            d.negotiate_timeout_ms = v.max(1);
        }
        Ok(Some(d))
    }
}
