//! One type for "a plain socket or a reconnecting one", so the async face
//! and the JS class are written once for both.

use std::rc::Rc;

use crate::error::Error;
use crate::events::EventHub;
use crate::message::Payload;
use crate::reconnect::ReconnectingWebSocket;
use crate::socket::WebSocket;
use crate::state::{BinaryType, ReadyState};

pub(crate) enum Backend {
    Plain(WebSocket),
    Resilient(ReconnectingWebSocket),
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Backend::Plain($s) => $e,
            Backend::Resilient($s) => $e,
        }
    };
}

impl Backend {
    pub(crate) fn events(&self) -> &Rc<EventHub> {
        both!(self, s => s.events())
    }

    pub(crate) fn ready_state(&self) -> ReadyState {
        both!(self, s => s.ready_state())
    }

    pub(crate) fn url(&self) -> String {
        both!(self, s => s.url())
    }

    pub(crate) fn protocol(&self) -> String {
        both!(self, s => s.protocol())
    }

    /// The browser socket of the current connection, if there is one.
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn current_raw(&self) -> Option<web_sys::WebSocket> {
        match self {
            Backend::Plain(s) => Some(s.as_raw().clone()),
            Backend::Resilient(s) => s.current_raw(),
        }
    }

    pub(crate) fn buffered_amount(&self) -> u32 {
        both!(self, s => s.buffered_amount())
    }

    pub(crate) fn binary_type(&self) -> BinaryType {
        both!(self, s => s.binary_type())
    }

    pub(crate) fn set_binary_type(&self, binary_type: BinaryType) {
        both!(self, s => s.set_binary_type(binary_type))
    }

    pub(crate) fn send(&self, payload: Payload<'_>) -> Result<(), Error> {
        both!(self, s => s.send(payload))
    }

    pub(crate) fn close_inner(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        both!(self, s => s.close_inner(code, reason))
    }

    /// Whether the connection is over for good. A reconnecting socket is
    /// `Connecting` again after every close but its last, and `Closed` at
    /// once when closed during a backoff wait (no close event follows).
    pub(crate) fn is_finished(&self) -> bool {
        self.ready_state() == ReadyState::Closed
    }

    /// Whether sends are queued while not open (instead of failing).
    pub(crate) fn queues_while_connecting(&self) -> bool {
        matches!(self, Backend::Resilient(_))
    }

    pub(crate) fn resilient(&self) -> Option<&ReconnectingWebSocket> {
        match self {
            Backend::Plain(_) => None,
            Backend::Resilient(r) => Some(r),
        }
    }
}
