//! [`ReconnectEvent`]: what a reconnecting socket reports to its reconnect
//! listeners after each close (and when a connection is back).

#[cfg(feature = "delivery")]
use crate::delivery::SessionLostReason;
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
    /// With delivery: the server confirmed every message up to this id
    /// (see [`ReconnectingWebSocket::last_message_id`](crate::ReconnectingWebSocket::last_message_id)).
    #[cfg(feature = "delivery")]
    Delivered {
        /// Every message with an id up to this one was confirmed.
        up_to: u64,
    },
    /// With delivery: the server could not resume the session (it
    /// restarted, the session expired, or the resume was refused). A new
    /// session has started; fired once, after that connection's close.
    #[cfg(feature = "delivery")]
    SessionLost {
        /// Why.
        reason: SessionLostReason,
        /// The ids of every message sent and never confirmed, in order.
        /// They are not sent in the new session: the application decides.
        unconfirmed: Vec<u64>,
        /// Messages from the server may be missing: resync. (Always true.)
        incoming_broken: bool,
    },
    /// With delivery: the server does not speak the protocol. The
    /// connection goes on as a reconnecting one, without the guarantee.
    #[cfg(feature = "delivery")]
    DeliveryUnavailable,
}

/// The JS classes' view of the events (full npm module only): adding an
/// event here and where the driver fires it is all the JS side needs.
#[cfg(feature = "js")]
impl ReconnectEvent {
    /// Every event's type, as the JS classes dispatch it (and name its
    /// `on<type>` handler).
    /// (A test checks that it lists each variant's `js_type`.)
    #[cfg(not(feature = "delivery"))]
    pub(crate) const TYPES: &'static [&'static str] = &["reconnecting", "reconnected", "gaveup"];
    #[cfg(feature = "delivery")]
    pub(crate) const TYPES: &'static [&'static str] = &[
        "reconnecting",
        "reconnected",
        "gaveup",
        "delivered",
        "sessionlost",
        "deliveryunavailable",
    ];

    /// This event's type, one of [`TYPES`](Self::TYPES).
    pub(crate) const fn js_type(&self) -> &'static str {
        match self {
            Self::Reconnecting { .. } => "reconnecting",
            Self::Reconnected { .. } => "reconnected",
            Self::GaveUp { .. } => "gaveup",
            #[cfg(feature = "delivery")]
            Self::Delivered { .. } => "delivered",
            #[cfg(feature = "delivery")]
            Self::SessionLost { .. } => "sessionlost",
            #[cfg(feature = "delivery")]
            Self::DeliveryUnavailable => "deliveryunavailable",
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
            #[cfg(feature = "delivery")]
            Self::Delivered { up_to } => set("upTo", (*up_to as f64).into()),
            #[cfg(feature = "delivery")]
            Self::SessionLost {
                reason,
                unconfirmed,
                incoming_broken,
            } => {
                set("reason", reason.as_str().into());
                let ids: js_sys::Array = unconfirmed
                    .iter()
                    .map(|id| JsValue::from(*id as f64))
                    .collect();
                set("unconfirmed", ids.into());
                set("incomingBroken", (*incoming_broken).into());
            }
            #[cfg(feature = "delivery")]
            Self::DeliveryUnavailable => {}
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
            #[cfg(feature = "delivery")]
            ReconnectEvent::Delivered { up_to: 1 },
            #[cfg(feature = "delivery")]
            ReconnectEvent::SessionLost {
                reason: SessionLostReason::Restarted,
                unconfirmed: vec![2],
                incoming_broken: true,
            },
            #[cfg(feature = "delivery")]
            ReconnectEvent::DeliveryUnavailable,
        ];
        let types: Vec<&str> = events.iter().map(ReconnectEvent::js_type).collect();
        assert_eq!(
            types,
            ReconnectEvent::TYPES,
            "one type per variant, each listed once"
        );
    }
}
