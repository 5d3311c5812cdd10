//! [`ShouldReconnect`]: the application's say over whether a lost
//! connection is retried, beside the policy's `no_retry_codes`.

use std::rc::Rc;

use crate::socket::close_event::CloseEvent;

/// A predicate on the close event of a lost connection: `false` stops
/// reconnecting (the socket gives up with
/// [`GiveUpReason::Declined`](crate::GiveUpReason::Declined)). Asked after
/// every close the policy would retry, never after your own `close()`.
///
/// ```
/// use wasm_websocket::{ReconnectOptions, ShouldReconnect};
/// let options = ReconnectOptions {
///     // 4001: our server's "log in again"; retrying would not help.
///     should_reconnect: Some(ShouldReconnect::new(|close| close.code != 4001)),
///     ..Default::default()
/// };
/// # assert!(options.should_reconnect.is_some());
/// ```
#[derive(Clone)]
pub struct ShouldReconnect(Rc<dyn Fn(&CloseEvent) -> bool>);

impl ShouldReconnect {
    /// Wraps the predicate.
    pub fn new(predicate: impl Fn(&CloseEvent) -> bool + 'static) -> Self {
        Self(Rc::new(predicate))
    }

    /// Whether to retry after `close`.
    pub(crate) fn allows(&self, close: &CloseEvent) -> bool {
        (self.0)(close)
    }
}

impl std::fmt::Debug for ShouldReconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShouldReconnect(..)")
    }
}

/// The same predicate (not merely an equal one).
impl PartialEq for ShouldReconnect {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
