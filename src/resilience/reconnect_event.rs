//! [`ReconnectEvent`]: what a reconnecting socket reports to its reconnect
//! listeners after each close (and when a connection is back).

use crate::resilience::backoff::GiveUpReason;
use crate::socket::close_event::CloseEvent;

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
