//! [`HeartbeatOptions`]: how often a reconnecting connection pings and how
//! long it waits for a sign of life (the judging is
//! `resilience/heartbeat.rs`).

/// Heartbeat settings for a [`ReconnectingWebSocket`](crate::ReconnectingWebSocket).
///
/// With timers on time, a dead connection is detected at most
/// `interval_ms + timeout_ms` (plus one tick) after the last message. Any
/// message counts as a sign of life, the pong or not.
///
/// In a hidden tab, where Chrome runs timers about once a minute, pings and
/// the verdict wait for the next timer: a dead connection is then noticed
/// within about two timer periods, and a live one that keeps receiving
/// messages is never declared dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatOptions {
    /// Send a ping this often while open (default 30 s).
    pub interval_ms: u32,
    /// Declare the connection dead if nothing arrives this long after a
    /// ping (default 10 s).
    pub timeout_ms: u32,
    /// The text message sent as a ping (default `"ping"`).
    pub ping: String,
    /// The text message that answers a ping. When set, matching messages
    /// are kept from the message listeners. Either way any message proves
    /// the connection alive (default `None`).
    pub pong: Option<String>,
}

impl Default for HeartbeatOptions {
    fn default() -> Self {
        Self {
            interval_ms: 30_000,
            timeout_ms: 10_000,
            ping: "ping".into(),
            pong: None,
        }
    }
}

/// The JS option `reconnect.heartbeat`: an object with `interval`,
/// `timeout`, `ping` and `pong`; anything else (absent, `false`) is no
/// heartbeat.
#[cfg(feature = "js")]
impl HeartbeatOptions {
    pub(crate) fn from_js(
        heartbeat: Option<wasm_bindgen::JsValue>,
    ) -> Result<Option<Self>, wasm_bindgen::JsValue> {
        use crate::bindings::to_usv_string;
        use crate::from_js::{ms, option};
        let Some(hb) = heartbeat.filter(wasm_bindgen::JsValue::is_object) else {
            return Ok(None);
        };
        let mut h = Self::default();
        if let Some(v) = ms(&hb, "interval")? {
            h.interval_ms = v.max(1);
        }
        if let Some(v) = ms(&hb, "timeout")? {
            h.timeout_ms = v.max(1);
        }
        if let Some(v) = option(&hb, "ping")? {
            h.ping = to_usv_string(&v)?;
        }
        if let Some(v) = option(&hb, "pong")? {
            h.pong = Some(to_usv_string(&v)?);
        }
        Ok(Some(h))
    }
}
