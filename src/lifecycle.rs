//! The one lifecycle every face subscribes to. A connection, plain or
//! reconnecting, is in one [`Phase`]; this module alone decides, for both
//! kinds:
//!
//! - which close is the final one ([`Lifecycle::on_close`]);
//! - whether a write may go now, wait, or fail ([`Lifecycle::writable`],
//!   [`Lifecycle::has_room`]);
//! - what `close()` means in each phase, including while waiting to retry,
//!   when no close event follows ([`Lifecycle::close`]);
//! - the connect timeout of a plain connection.
//!
//! The async face (`connection`) and the npm face (`js`) hold a
//! `Rc<Lifecycle>` and only translate these answers into their own shapes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;

use crate::error::Error;
use crate::options::ConnectOptions;
use crate::resilience::reconnecting::{Phase, ReconnectingWebSocket};
use crate::socket::events::{EventHub, Listener};
use crate::socket::message::Payload;
use crate::socket::websocket::WebSocket;
use crate::vocabulary::close_event::{codes, CloseEvent};
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

/// What a `close()` call led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CloseOutcome {
    /// A close event will come (or, if already finished, came).
    EventFollows,
    /// Closed while waiting to retry: nothing was open, so no event
    /// follows, and this (the lost connection's close) is the final one.
    FinishedNow(CloseEvent),
}

/// The socket underneath: a plain one or a reconnecting one.
pub(crate) enum Endpoint {
    Plain(WebSocket),
    Reconnecting(ReconnectingWebSocket),
}

/// The same call on whichever socket is underneath.
macro_rules! both {
    ($endpoint:expr, $s:ident => $e:expr) => {
        match $endpoint {
            Endpoint::Plain($s) => $e,
            Endpoint::Reconnecting($s) => $e,
        }
    };
}

/// A connection seen through its lifecycle. See the module docs.
pub(crate) struct Lifecycle {
    endpoint: Endpoint,
    high_water_mark: u32,
    backpressure_poll_ms: u32,
    /// The latest close event, final or not (decoded only when needed).
    last_close: Rc<RefCell<Option<web_sys::CloseEvent>>>,
    /// A plain connection's connect timeout fired (and closed it).
    timed_out: Rc<Cell<bool>>,
    _connect_timer: Option<Timeout>,
    _close_recorder: Listener,
}

impl Lifecycle {
    /// Connects as `options` say: plain, or reconnecting with
    /// `options.reconnect`.
    pub(crate) fn connect(url: &str, options: &ConnectOptions) -> Result<Rc<Self>, Error> {
        let endpoint = match options.reconnects() {
            true => {
                Endpoint::Reconnecting(ReconnectingWebSocket::with_options(url, options.clone())?)
            }
            false => {
                let socket = WebSocket::with_protocols(url, &options.protocols)?;
                socket.set_binary_type(options.binary_type);
                Endpoint::Plain(socket)
            }
        };
        let timed_out = Rc::new(Cell::new(false));
        // A reconnecting socket times out each attempt itself.
        let connect_timer = match (&endpoint, options.effective_connect_timeout_ms()) {
            (Endpoint::Plain(socket), Some(ms)) => {
                let raw = socket.as_raw().clone();
                let timed_out = timed_out.clone();
                Some(Timeout::new(ms, move || {
                    if raw.ready_state() == web_sys::WebSocket::CONNECTING {
                        timed_out.set(true);
                        // Fails the connection: error, then close 1006.
                        let _ = raw.close();
                    }
                }))
            }
            _ => None,
        };
        // Registered before any face's listener, so that they see it.
        let last_close = Rc::new(RefCell::new(None));
        let recorder = last_close.clone();
        let close_recorder = Listener::add(
            &endpoint_events(&endpoint).close,
            Box::new(move |event: &web_sys::CloseEvent| {
                *recorder.borrow_mut() = Some(event.clone());
            }),
        );
        Ok(Rc::new(Self {
            endpoint,
            high_water_mark: options.high_water_mark,
            backpressure_poll_ms: options.effective_backpressure_poll_ms(),
            last_close,
            timed_out,
            _connect_timer: connect_timer,
            _close_recorder: close_recorder,
        }))
    }

    /// Where the connection is in its life: a plain one by its ready
    /// state (it never waits to retry), a reconnecting one by its driver.
    pub(crate) fn phase(&self) -> Phase {
        match &self.endpoint {
            Endpoint::Plain(socket) => match socket.ready_state() {
                ReadyState::Connecting => Phase::Connecting,
                ReadyState::Open => Phase::Open,
                ReadyState::Closing => Phase::Closing,
                ReadyState::Closed => Phase::Closed,
            },
            Endpoint::Reconnecting(socket) => socket.phase(),
        }
    }

    /// Adds a close listener told whether each close is the final one (a
    /// reconnecting connection is connecting again after all the others).
    pub(crate) fn on_close(
        self: &Rc<Self>,
        mut callback: impl FnMut(&web_sys::CloseEvent, bool) + 'static,
    ) -> Listener {
        let me = Rc::downgrade(self);
        Listener::add(
            &self.events().close,
            Box::new(move |event: &web_sys::CloseEvent| {
                let last = me.upgrade().is_none_or(|l| l.phase() == Phase::Closed);
                callback(event, last);
            }),
        )
    }

    /// `Ok` if a send may go now (to the browser, or to the outbox while
    /// reconnecting); otherwise the error the send would get.
    pub(crate) fn writable(&self) -> Result<(), Error> {
        match self.phase() {
            Phase::Open => Ok(()),
            Phase::Connecting | Phase::Waiting if self.queues() => Ok(()),
            Phase::Connecting | Phase::Waiting => Err(Error::NotOpen),
            Phase::Closing => Err(Error::Closed {
                state: ReadyState::Closing,
            }),
            Phase::Closed => Err(Error::Closed {
                state: ReadyState::Closed,
            }),
        }
    }

    /// Whether at most `limit` bytes wait to be sent (the browser's buffer
    /// and the outbox); an error when writing cannot go on at all.
    pub(crate) fn has_room(&self, limit: u32) -> Result<bool, Error> {
        self.writable()?;
        Ok(self.buffered_amount() <= limit)
    }

    /// Starts closing. Arguments are checked first (an error changes
    /// nothing); see [`CloseOutcome`] for what follows.
    pub(crate) fn close(
        &self,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Result<CloseOutcome, Error> {
        let waiting = self.phase() == Phase::Waiting;
        both!(&self.endpoint, s => s.close_inner(code, reason))?;
        if waiting && self.phase() == Phase::Closed {
            let last = self.last_close.borrow().as_ref().map_or(
                CloseEvent {
                    code: codes::ABNORMAL,
                    reason: String::new(),
                    was_clean: false,
                },
                CloseEvent::from_web,
            );
            return Ok(CloseOutcome::FinishedNow(last));
        }
        Ok(CloseOutcome::EventFollows)
    }

    /// `reconnect()`: only a reconnecting connection can.
    pub(crate) fn reconnect(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        match &self.endpoint {
            Endpoint::Plain(_) => Err(Error::NotReconnecting),
            Endpoint::Reconnecting(socket) => socket.reconnect_inner(code, reason),
        }
    }

    /// Whether a plain connection's connect timeout closed it.
    pub(crate) fn timed_out(&self) -> bool {
        self.timed_out.get()
    }

    pub(crate) fn high_water_mark(&self) -> u32 {
        self.high_water_mark
    }

    pub(crate) fn backpressure_poll_ms(&self) -> u32 {
        self.backpressure_poll_ms
    }

    /// Whether sends made while not connected wait in an outbox.
    fn queues(&self) -> bool {
        match &self.endpoint {
            Endpoint::Plain(_) => false,
            Endpoint::Reconnecting(socket) => socket.queues(),
        }
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) fn events(&self) -> &Rc<EventHub> {
        endpoint_events(&self.endpoint)
    }

    pub(crate) fn ready_state(&self) -> ReadyState {
        both!(&self.endpoint, s => s.ready_state())
    }

    pub(crate) fn url(&self) -> String {
        both!(&self.endpoint, s => s.url())
    }

    pub(crate) fn protocol(&self) -> String {
        both!(&self.endpoint, s => s.protocol())
    }

    /// The browser socket of the current connection, if there is one.
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn current_raw(&self) -> Option<web_sys::WebSocket> {
        match &self.endpoint {
            Endpoint::Plain(s) => Some(s.as_raw().clone()),
            Endpoint::Reconnecting(s) => s.current_raw(),
        }
    }

    /// Bytes not yet on the network (with reconnection, the outbox too).
    pub(crate) fn buffered_amount(&self) -> u32 {
        both!(&self.endpoint, s => s.buffered_amount())
    }

    pub(crate) fn binary_type(&self) -> BinaryType {
        both!(&self.endpoint, s => s.binary_type())
    }

    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn set_binary_type(&self, binary_type: BinaryType) {
        both!(&self.endpoint, s => s.set_binary_type(binary_type))
    }

    pub(crate) fn send(&self, payload: Payload<'_>) -> Result<(), Error> {
        both!(&self.endpoint, s => s.send(payload))
    }

    pub(crate) fn reconnecting(&self) -> Option<&ReconnectingWebSocket> {
        match &self.endpoint {
            Endpoint::Plain(_) => None,
            Endpoint::Reconnecting(r) => Some(r),
        }
    }
}

fn endpoint_events(endpoint: &Endpoint) -> &Rc<EventHub> {
    both!(endpoint, s => s.events())
}
