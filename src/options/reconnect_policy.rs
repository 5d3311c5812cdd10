//! [`ReconnectPolicy`]: when and how often a reconnecting connection
//! retries (the decisions themselves are `resilience/backoff.rs`).

/// Reconnection settings. Reconnecting is off unless a
/// [`ReconnectingWebSocket`](crate::ReconnectingWebSocket) is used (or the
/// JS option `reconnect` is set).
///
/// The delay before retry *n* (1, 2, …) is drawn uniformly from
/// `min_delay_ms ..= min(max_delay_ms, min_delay_ms × factorⁿ)` ("full
/// jitter" between the bounds), so many clients that lose the same server
/// do not come back in lock step.
///
/// ```
/// use wasm_websocket::ReconnectPolicy;
/// let policy = ReconnectPolicy::default();
/// assert_eq!(policy.delay_ceiling_ms(1), 1_000);   // 500 × 2
/// assert_eq!(policy.delay_ceiling_ms(20), 30_000); // capped at the maximum
/// assert_eq!(policy.delay_ms(3, 0.0), 500);        // random 0 → the minimum
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectPolicy {
    /// The shortest wait before a retry (default 500 ms).
    pub min_delay_ms: u32,
    /// The longest wait before a retry (default 30 s).
    pub max_delay_ms: u32,
    /// How fast the upper bound grows per retry (default 2).
    pub factor: f64,
    /// Give up after this many consecutive failed retries (default: never).
    pub max_retries: Option<u32>,
    /// A connection that stayed open this long resets the backoff
    /// (default 5 s).
    pub min_uptime_ms: u32,
    /// Close codes after which retrying is pointless (the server rejected
    /// us or our data). Default: 1002, 1003, 1007, 1008, 1009, 1010.
    pub no_retry_codes: Vec<u16>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            min_delay_ms: 500,
            max_delay_ms: 30_000,
            factor: 2.0,
            max_retries: None,
            min_uptime_ms: 5_000,
            no_retry_codes: vec![1002, 1003, 1007, 1008, 1009, 1010],
        }
    }
}

impl ReconnectPolicy {
    /// The upper bound of the delay before retry `retry` (1-based).
    pub fn delay_ceiling_ms(&self, retry: u32) -> u32 {
        let min = f64::from(self.min_delay_ms);
        let max = f64::from(self.max_delay_ms.max(self.min_delay_ms));
        let grown = min * self.factor.max(1.0).powi(retry.min(1000) as i32);
        grown.min(max) as u32
    }

    /// The delay before retry `retry` for a uniform random number
    /// `random` in `[0, 1)`.
    pub fn delay_ms(&self, retry: u32, random: f64) -> u32 {
        let min = self.min_delay_ms;
        let span = self.delay_ceiling_ms(retry).saturating_sub(min);
        min + (f64::from(span) * random.clamp(0.0, 1.0)) as u32
    }
}

/// The JS names of the members: `minDelay`, `maxDelay`, `factor`,
/// `maxRetries`, `minUptime`, `noRetryCodes` (at the top level of the
/// `reconnect` object; absent ones keep their defaults).
#[cfg(feature = "js")]
impl ReconnectPolicy {
    pub(crate) fn from_js(
        reconnect: &wasm_bindgen::JsValue,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        use crate::from_js::{clamp_unsigned_short, ms, number, option};
        let mut policy = Self::default();
        if let Some(v) = ms(reconnect, "minDelay")? {
            policy.min_delay_ms = v;
        }
        if let Some(v) = ms(reconnect, "maxDelay")? {
            policy.max_delay_ms = v;
        }
        if let Some(v) = number(reconnect, "factor")? {
            policy.factor = v;
        }
        policy.max_retries = ms(reconnect, "maxRetries")?.or(policy.max_retries);
        if let Some(v) = ms(reconnect, "minUptime")? {
            policy.min_uptime_ms = v;
        }
        if let Some(codes) = option(reconnect, "noRetryCodes")? {
            policy.no_retry_codes = js_sys::Array::from(&codes)
                .iter()
                .map(|c| clamp_unsigned_short(c.as_f64().unwrap_or(f64::NAN)))
                .collect();
        }
        Ok(policy)
    }
}
