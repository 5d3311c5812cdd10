//! [`OutboxLimits`]: the bounds of the queue a reconnecting connection
//! keeps while it is not open (the queue is `resilience/outbox.rs`).

/// Bounds of the outbox of a [`ReconnectingWebSocket`](crate::ReconnectingWebSocket).
///
/// `max_messages: 0` ([`OutboxLimits::NONE`]) turns queueing off: sends
/// while not connected then fail with [`Error::NotOpen`](crate::Error::NotOpen), as on a plain
/// socket.
///
/// ```
/// use wasm_websocket::OutboxLimits;
/// assert!(OutboxLimits::default().queues());
/// assert!(!OutboxLimits::NONE.queues());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// At most this many queued messages (default 1000; 0: no queue).
    pub max_messages: usize,
    /// At most this many queued bytes (default 4 MiB).
    pub max_bytes: usize,
}

impl Default for OutboxLimits {
    fn default() -> Self {
        Self {
            max_messages: 1000,
            max_bytes: 4 << 20,
        }
    }
}

impl OutboxLimits {
    /// No outbox: sends while not connected fail.
    pub const NONE: Self = Self {
        max_messages: 0,
        max_bytes: 0,
    };

    /// Whether sends while not connected are queued.
    pub fn queues(&self) -> bool {
        self.max_messages > 0
    }
}

/// The JS option `reconnect.outbox`: absent for the defaults, `false` for
/// none (sends while not open throw), or an object with `maxMessages` and
/// `maxBytes`.
#[cfg(feature = "js")]
impl OutboxLimits {
    pub(crate) fn from_js(
        outbox: Option<wasm_bindgen::JsValue>,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        use crate::from_js::number;
        let mut limits = Self::default();
        match outbox {
            Some(ob) if ob.is_falsy() => limits = Self::NONE,
            Some(ob) => {
                if let Some(v) = number(&ob, "maxMessages")? {
                    limits.max_messages = v as usize;
                }
                if let Some(v) = number(&ob, "maxBytes")? {
                    limits.max_bytes = v as usize;
                }
            }
            None => {}
        }
        Ok(limits)
    }
}
