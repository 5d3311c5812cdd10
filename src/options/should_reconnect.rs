//! [`ShouldReconnect`]: the application's say over whether a lost
//! connection is retried, beside the policy's `no_retry_codes`.

use std::rc::Rc;

use crate::vocabulary::close_event::CloseEvent;

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

/// The JS option `reconnect.shouldReconnect`: a function, or a `TypeError`.
#[cfg(feature = "js")]
impl ShouldReconnect {
    pub(crate) fn from_js(
        value: Option<wasm_bindgen::JsValue>,
    ) -> Result<Option<Self>, wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        let Some(f) = value else { return Ok(None) };
        let predicate = f
            .dyn_into::<js_sys::Function>()
            .map_err(|_| js_sys::TypeError::new("reconnect.shouldReconnect must be a function"))?;
        Ok(Some(from_js_function(predicate)))
    }
}

#[cfg(feature = "js")]
/// `shouldReconnect(closeEvent)` from JS. It gets a `CloseEvent` with the
/// lost connection's code, reason and wasClean; a function that throws
/// counts as "retry" (a bug in it must not end reconnecting silently).
fn from_js_function(predicate: js_sys::Function) -> ShouldReconnect {
    ShouldReconnect::new(move |close| {
        let init = web_sys::CloseEventInit::new();
        init.set_code(close.code);
        init.set_reason(&close.reason);
        init.set_was_clean(close.was_clean);
        let Ok(event) = web_sys::CloseEvent::new_with_event_init_dict("close", &init) else {
            return true;
        };
        predicate
            .call1(&wasm_bindgen::JsValue::UNDEFINED, &event)
            .map_or(true, |answer| answer.is_truthy())
    })
}
