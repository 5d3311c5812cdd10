//! One shape of options for every face: [`ConnectOptions`], with
//! [`ReconnectOptions`] inside it when the connection should be resilient.
//! The Rust async face ([`Connection::connect_with`](crate::Connection::connect_with)),
//! the Rust callback face ([`ReconnectingWebSocket::with_options`](crate::ReconnectingWebSocket::with_options))
//! and the JS classes (the same names in camelCase) all read it.

#[cfg(feature = "delivery")]
pub(crate) mod delivery;
pub(crate) mod heartbeat;
pub(crate) mod outbox_limits;
pub(crate) mod provider;
pub(crate) mod reconnect_policy;
pub(crate) mod should_reconnect;

use crate::vocabulary::ready_state::BinaryType;
use heartbeat::HeartbeatOptions;
use outbox_limits::OutboxLimits;
use provider::Provider;
use reconnect_policy::ReconnectPolicy;
use should_reconnect::ShouldReconnect;

/// The default backpressure limit: 1 MiB waiting in the browser.
pub const DEFAULT_HIGH_WATER_MARK: u32 = 1 << 20;

/// How often a waiting writer looks at `bufferedAmount` again (the browser
/// has no "drained" event), in milliseconds.
pub const DEFAULT_BACKPRESSURE_POLL_MS: u32 = 4;

/// The connect timeout of each attempt of a reconnecting connection when
/// none is set: a handshake stuck for this long is replaced.
pub const DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS: u32 = 10_000;

/// How to connect, for every face.
///
/// ```
/// use wasm_websocket::{BinaryType, ConnectOptions, ReconnectOptions, ReconnectPolicy};
/// let options = ConnectOptions::default()
///     .protocols(&["echo-protocol"])
///     .binary_type(BinaryType::Blob)
///     .high_water_mark(256 * 1024)
///     .connect_timeout_ms(5_000)
///     .reconnect(ReconnectOptions {
///         policy: ReconnectPolicy { max_retries: Some(10), ..Default::default() },
///         ..Default::default()
///     });
/// assert_eq!(options.high_water_mark, 256 * 1024);
/// assert!(options.reconnect.is_some());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    /// Subprotocols to offer, on every attempt (default: none).
    pub protocols: Vec<String>,
    /// How the browser delivers binary messages. The async stream yields
    /// bytes either way; `ArrayBuffer` (the default here) skips the
    /// asynchronous Blob read, `Blob` works too and keeps the order.
    pub binary_type: BinaryType,
    /// A handshake that has not completed after this many milliseconds
    /// fails: a plain connection closes (1006) and
    /// [`Connection::connect_with`](crate::Connection::connect_with) fails
    /// with [`Error::ConnectTimeout`](crate::Error::ConnectTimeout); a
    /// reconnecting one counts the attempt as failed and retries. `None`
    /// waits for the browser, except with `reconnect`, where it means
    /// [`DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS`].
    pub connect_timeout_ms: Option<u32>,
    /// Writers wait while more than this many bytes are buffered (default
    /// [`DEFAULT_HIGH_WATER_MARK`]).
    pub high_water_mark: u32,
    /// How often a waiting writer re-checks (default
    /// [`DEFAULT_BACKPRESSURE_POLL_MS`]).
    pub backpressure_poll_ms: u32,
    /// Reconnect when the connection is lost (default: `None`, never).
    pub reconnect: Option<ReconnectOptions>,
    /// End-to-end delivery with a server that speaks the protocol
    /// (docs/delivery.md; default `None`). Implies `reconnect` (its
    /// defaults when `None`). Feature `delivery`.
    #[cfg(feature = "delivery")]
    pub delivery: Option<delivery::DeliveryOptions>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            protocols: Vec::new(),
            binary_type: BinaryType::ArrayBuffer,
            connect_timeout_ms: None,
            high_water_mark: DEFAULT_HIGH_WATER_MARK,
            backpressure_poll_ms: DEFAULT_BACKPRESSURE_POLL_MS,
            reconnect: None,
            #[cfg(feature = "delivery")]
            delivery: None,
        }
    }
}

impl ConnectOptions {
    /// Sets the subprotocols to offer.
    pub fn protocols<S: AsRef<str>>(mut self, protocols: &[S]) -> Self {
        self.protocols = protocols.iter().map(|p| p.as_ref().to_owned()).collect();
        self
    }

    /// Sets how the browser delivers binary messages.
    pub fn binary_type(mut self, binary_type: BinaryType) -> Self {
        self.binary_type = binary_type;
        self
    }

    /// Sets the backpressure limit in bytes.
    pub fn high_water_mark(mut self, bytes: u32) -> Self {
        self.high_water_mark = bytes;
        self
    }

    /// Sets how often a waiting writer re-checks, in milliseconds (at
    /// least 1).
    pub fn backpressure_poll_ms(mut self, ms: u32) -> Self {
        self.backpressure_poll_ms = ms.max(1);
        self
    }

    /// Sets the handshake timeout in milliseconds.
    pub fn connect_timeout_ms(mut self, ms: u32) -> Self {
        self.connect_timeout_ms = Some(ms);
        self
    }

    /// Makes the connection reconnect as `options` say.
    pub fn reconnect(mut self, options: ReconnectOptions) -> Self {
        self.reconnect = Some(options);
        self
    }

    /// Turns end-to-end delivery on (and reconnection, if not set).
    #[cfg(feature = "delivery")]
    pub fn delivery(mut self, options: delivery::DeliveryOptions) -> Self {
        self.delivery = Some(options);
        self
    }

    /// Whether the connection reconnects: `reconnect` set, or delivery,
    /// which needs it.
    pub(crate) fn reconnects(&self) -> bool {
        #[cfg(feature = "delivery")]
        if self.delivery.is_some() {
            return true;
        }
        self.reconnect.is_some()
    }

    /// The poll interval that applies: at least 1 ms.
    pub(crate) fn effective_backpressure_poll_ms(&self) -> u32 {
        self.backpressure_poll_ms.max(1)
    }

    /// The connect timeout that applies: with `reconnect`, `None` means
    /// [`DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS`]; 0 means none.
    pub(crate) fn effective_connect_timeout_ms(&self) -> Option<u32> {
        match self.connect_timeout_ms {
            Some(0) => None,
            Some(ms) => Some(ms),
            None if self.reconnects() => Some(DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS),
            None => None,
        }
    }
}

/// What makes a connection resilient: inside
/// [`ConnectOptions::reconnect`].
///
/// ```
/// use wasm_websocket::{HeartbeatOptions, ReconnectOptions, ReconnectPolicy};
/// let options = ReconnectOptions {
///     policy: ReconnectPolicy { max_retries: Some(10), ..Default::default() },
///     heartbeat: Some(HeartbeatOptions { interval_ms: 15_000, ..Default::default() }),
///     ..Default::default()
/// };
/// assert_eq!(options.outbox.max_messages, 1000);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReconnectOptions {
    /// When and how often to retry.
    pub policy: ReconnectPolicy,
    /// Application-level ping/pong (off by default).
    pub heartbeat: Option<HeartbeatOptions>,
    /// Bounds of the queue for sends made while not connected.
    pub outbox: OutboxLimits,
    /// The application's veto on a retry (default: none).
    pub should_reconnect: Option<ShouldReconnect>,
    /// Asked for the URL before every attempt, e.g. to put a fresh token
    /// in it; the URL given to the constructor is then only what `url()`
    /// reports before the first connection (default: none).
    pub url_provider: Option<Provider<String>>,
    /// Asked for the subprotocols before every attempt, replacing
    /// [`ConnectOptions::protocols`] (default: none).
    pub protocols_provider: Option<Provider<Vec<String>>>,
}

/// The JS face's options object, read with the crate's defaults:
/// `binaryType` (default `"blob"`, as the browser's), `highWaterMark`,
/// `connectTimeout` and `reconnect`, in that order. A plain
/// `WebSocketClient` reads the first three with the same functions
/// (`plainOptions`), so no rule, default or message is written in JS.
#[cfg(feature = "js-plain")]
impl ConnectOptions {
    #[cfg(feature = "js")]
    pub(crate) fn from_js(
        protocols: Vec<String>,
        options: &wasm_bindgen::JsValue,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        let options = Self {
            protocols,
            binary_type: Self::binary_type_from_js(options)?,
            high_water_mark: Self::high_water_mark_from_js(options)?,
            connect_timeout_ms: crate::from_js::ms(options, "connectTimeout")?,
            reconnect: match crate::from_js::option(options, "reconnect")? {
                Some(reconnect) if reconnect.is_truthy() => {
                    Some(ReconnectOptions::from_js(&reconnect)?)
                }
                _ => None,
            },
            #[cfg(feature = "delivery")]
            delivery: delivery::DeliveryOptions::from_js(crate::from_js::option(
                options, "delivery",
            )?)?,
            ..Self::default()
        };
        // Delivery reconnects: with the defaults unless told otherwise.
        #[cfg(feature = "delivery")]
        let options = match options.delivery {
            Some(_) if options.reconnect.is_none() => {
                options.reconnect(ReconnectOptions::default())
            }
            _ => options,
        };
        Ok(options)
    }

    /// `binaryType`: other values are ignored, as the browser's setter does.
    pub(crate) fn binary_type_from_js(
        options: &wasm_bindgen::JsValue,
    ) -> Result<BinaryType, wasm_bindgen::JsValue> {
        let name = crate::from_js::option(options, "binaryType")?.and_then(|v| v.as_string());
        Ok(name
            .as_deref()
            .and_then(BinaryType::from_name)
            .unwrap_or(BinaryType::Blob))
    }

    /// `highWaterMark`: a byte count, [`DEFAULT_HIGH_WATER_MARK`] when absent.
    pub(crate) fn high_water_mark_from_js(
        options: &wasm_bindgen::JsValue,
    ) -> Result<u32, wasm_bindgen::JsValue> {
        match crate::from_js::option(options, "highWaterMark")? {
            Some(value) => crate::from_js::clamp_u32(&value),
            None => Ok(DEFAULT_HIGH_WATER_MARK),
        }
    }
}

/// The JS option `reconnect` (`true` or an object): the policy's members
/// at its top level, `heartbeat`, `outbox` and `shouldReconnect`. Each
/// type reads its own members, beside its definition.
#[cfg(feature = "js")]
impl ReconnectOptions {
    pub(crate) fn from_js(
        reconnect: &wasm_bindgen::JsValue,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        use crate::from_js::option;
        Ok(Self {
            policy: ReconnectPolicy::from_js(reconnect)?,
            heartbeat: HeartbeatOptions::from_js(option(reconnect, "heartbeat")?)?,
            outbox: OutboxLimits::from_js(option(reconnect, "outbox")?)?,
            should_reconnect: ShouldReconnect::from_js(option(reconnect, "shouldReconnect")?)?,
            // Set by the constructor when `url` or `protocols` is a function.
            url_provider: None,
            protocols_provider: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_defaults_only_for_reconnecting_connections() {
        let plain = ConnectOptions::default();
        assert_eq!(plain.effective_connect_timeout_ms(), None);
        let resilient = plain.clone().reconnect(ReconnectOptions::default());
        assert_eq!(
            resilient.effective_connect_timeout_ms(),
            Some(DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS)
        );
        assert_eq!(
            resilient
                .clone()
                .connect_timeout_ms(0)
                .effective_connect_timeout_ms(),
            None
        );
        assert_eq!(
            plain.connect_timeout_ms(250).effective_connect_timeout_ms(),
            Some(250)
        );
    }
}
