//! [`ReconnectEvent`]: what a reconnecting socket reports to its reconnect
//! listeners after each close (and when a connection is back).

use crate::resilience::backoff::GiveUpReason;
use crate::vocabulary::close_event::CloseEvent;

/// listeners (after the close event of the connection that was lost).
#[derive(Debug, Clone, PartialEq)]
pub enum ReconnectEvent {
    /// The connection (or attempt) closed; retry number `attempt` starts
    /// after `delay_ms`.
    Reconnecting {
        /// Which retry is next (1, 2, …; back to 1 after a long uptime).
        attempt: u32,
        /// The wait before it, in milliseconds.
        delay_ms: u32,
        /// How the previous connection ended.
        close: CloseEvent,
        /// Messages of the lost connection that the browser never put on
        /// the network: back at the head of the outbox, sent first on the
        /// next connection.
        resent: u32,
        /// Messages of the lost connection that had left the browser
        /// (entirely or in part) since its buffer was last seen empty:
        /// they may or may not have reached the server.
        possibly_lost: u32,
        /// Why the attempt failed before a connection was made: a URL or
        /// protocols provider failed (or did not answer in time), or gave
        /// a bad URL. No `close` event fires for such an attempt.
        error: Option<String>,
    },
    /// Retry number `attempt` is open; the outbox has been sent.
    Reconnected {
        /// The retry that succeeded.
        attempt: u32,
    },
    /// Reconnecting stopped for good; the socket is closed.
    GaveUp {
        /// Why.
        reason: GiveUpReason,
        /// How the last connection ended.
        close: CloseEvent,
        /// The last attempt's error, as in `Reconnecting`.
        error: Option<String>,
    },
}

/// The JS classes' view of the events (full npm module only): adding an
/// event here and where the driver fires it is all the JS side needs.
#[cfg(feature = "js")]
impl ReconnectEvent {
    /// Every event's type, as the JS classes dispatch it (and name its
    /// `on<type>` handler).
    /// (A test checks that it lists each variant's `js_type`.)
    pub(crate) const TYPES: [&'static str; 3] = ["reconnecting", "reconnected", "gaveup"];

    /// This event's type, one of [`TYPES`](Self::TYPES).
    pub(crate) const fn js_type(&self) -> &'static str {
        match self {
            Self::Reconnecting { .. } => "reconnecting",
            Self::Reconnected { .. } => "reconnected",
            Self::GaveUp { .. } => "gaveup",
        }
    }

    /// The `detail` of the JS `CustomEvent`: the fields in camelCase (a
    /// close as `code`, `reason`, `wasClean`; a give-up reason as its text).
    pub(crate) fn js_detail(&self) -> js_sys::Object {
        use wasm_bindgen::JsValue;
        let detail = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &value);
        };
        match self {
            Self::Reconnecting {
                attempt,
                delay_ms,
                close,
                resent,
                possibly_lost,
                error,
            } => {
                set("attempt", (*attempt).into());
                set("delay", (*delay_ms).into());
                set("code", close.code.into());
                set("reason", close.reason.as_str().into());
                set("wasClean", close.was_clean.into());
                set("resent", (*resent).into());
                set("possiblyLost", (*possibly_lost).into());
                if let Some(error) = error {
                    set("error", error.as_str().into());
                }
            }
            Self::Reconnected { attempt } => set("attempt", (*attempt).into()),
            Self::GaveUp {
                reason,
                close,
                error,
            } => {
                if let Some(error) = error {
                    set("error", error.as_str().into());
                }
                set("reason", reason.to_string().into());
                set("code", close.code.into());
            }
        }
        detail
    }
}

#[cfg(all(test, feature = "js"))]
mod tests {
    use super::*;
    use crate::vocabulary::close_event::CloseEvent;

    #[test]
    fn every_variant_has_its_own_type_in_the_list() {
        let close = CloseEvent {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        };
        let events = [
            ReconnectEvent::Reconnecting {
                attempt: 1,
                delay_ms: 500,
                close: close.clone(),
                resent: 0,
                possibly_lost: 0,
                error: None,
            },
            ReconnectEvent::Reconnected { attempt: 1 },
            ReconnectEvent::GaveUp {
                reason: GiveUpReason::NoRetryCode(1008),
                close,
                error: None,
            },
        ];
        let types: Vec<&str> = events.iter().map(ReconnectEvent::js_type).collect();
        assert_eq!(
            types,
            ReconnectEvent::TYPES,
            "one type per variant, each listed once"
        );
    }
}
