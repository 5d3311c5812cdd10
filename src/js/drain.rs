//! `WebSocketClient.drain()`: a promise that resolves once `bufferedAmount`
//! is low enough. The browser has no event for that, so it polls on a
//! timer. Written against `Promise` and a `Timeout` directly rather than as
//! a Rust future: the futures executor would add kilobytes to the npm
//! module for this one method.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

use crate::error::Error;
use crate::lifecycle::Lifecycle;
use crate::vocabulary::ready_state::ReadyState;

/// A pending `drain()`.
struct Drain {
    socket: Weak<Lifecycle>,
    limit: u32,
    resolve: Function,
    reject: Function,
    /// The next poll. It holds the `Rc` of this `Drain`: the cycle is
    /// broken when the promise settles, which it always does (at the
    /// latest when the socket closes or is freed).
    next: RefCell<Option<Timeout>>,
}

/// Returns a promise that resolves once `socket`'s `bufferedAmount` is at
/// most `limit`, and rejects if the socket is not open (or reconnecting
/// with an outbox) or stops being so while waiting.
pub(crate) fn drain(socket: Weak<Lifecycle>, limit: u32) -> Promise {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    if let Some((resolve, reject)) = settle {
        Rc::new(Drain {
            socket,
            limit,
            resolve,
            reject,
            next: RefCell::new(None),
        })
        .poll();
    }
    promise
}

impl Drain {
    fn poll_ms(&self) -> u32 {
        self.socket
            .upgrade()
            .map_or(1, |lifecycle| lifecycle.backpressure_poll_ms())
    }

    fn poll(self: Rc<Self>) {
        let next = match self.state() {
            Ok(true) => {
                let _ = self.resolve.call0(&JsValue::UNDEFINED);
                None
            }
            Err(error) => {
                let _ = self.reject.call1(&JsValue::UNDEFINED, &error.into());
                None
            }
            Ok(false) => {
                let me = self.clone();
                Some(Timeout::new(self.poll_ms(), move || me.poll()))
            }
        };
        // Replaces (and so drops) the timer that called us, if any.
        self.next.replace(next);
    }

    /// `Ok(true)` when drained, `Ok(false)` to wait on, or why it cannot
    /// (the lifecycle decides).
    fn state(&self) -> Result<bool, Error> {
        match self.socket.upgrade() {
            Some(lifecycle) => lifecycle.has_room(self.limit),
            None => Err(Error::Closed {
                state: ReadyState::Closed,
            }),
        }
    }
}
