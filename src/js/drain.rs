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

use crate::backend::Backend;
use crate::connection::DEFAULT_BACKPRESSURE_POLL_MS;
use crate::error::Error;
use crate::state::ReadyState;

/// A pending `drain()`.
struct Drain {
    socket: Weak<Backend>,
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
pub(crate) fn drain(socket: Weak<Backend>, limit: u32) -> Promise {
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
                Some(Timeout::new(DEFAULT_BACKPRESSURE_POLL_MS, move || {
                    me.poll()
                }))
            }
        };
        // Replaces (and so drops) the timer that called us, if any.
        self.next.replace(next);
    }

    /// `Ok(true)` when drained, `Ok(false)` to wait on, or why it cannot.
    fn state(&self) -> Result<bool, Error> {
        let Some(socket) = self.socket.upgrade() else {
            return Err(Error::Closed {
                state: ReadyState::Closed,
            });
        };
        match socket.ready_state() {
            ReadyState::Open => {}
            // Reconnecting: the outbox drains after the next open.
            ReadyState::Connecting if socket.queues_while_connecting() => {}
            ReadyState::Connecting => return Err(Error::NotOpen),
            state => return Err(Error::Closed { state }),
        }
        Ok(socket.buffered_amount() <= self.limit)
    }
}
