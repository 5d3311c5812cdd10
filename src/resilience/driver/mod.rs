//! The driver behind [`ReconnectingWebSocket`](crate::ReconnectingWebSocket):
//! its state and the commands that change it (start an attempt, retry,
//! `reconnect()`, `close()`). What happens while a connection is open is in
//! [`connected`], what follows the end of a connection or attempt in
//! [`after_close`].

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::Error;
use crate::options::ReconnectOptions;
use crate::resilience::backoff::Jitter;
use crate::resilience::heartbeat::Heartbeat;
use crate::resilience::network::{is_offline, NetworkWatch};
use crate::resilience::outbox::Outbox;
use crate::resilience::outgoing::Outgoing;
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::resilience::sent_log::SentLog;
use crate::socket::close::validate_close;
use crate::socket::events::{EventHub, EventKind, Listener};
use crate::socket::listeners::Listeners;
use crate::socket::websocket::WebSocket;
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

mod after_close;
mod connected;
#[cfg(feature = "delivery")]
mod delivered;

#[cfg(feature = "delivery")]
pub(crate) use delivered::Delivery;

pub(crate) struct Driver {
    pub(in crate::resilience) url: String,
    pub(in crate::resilience) protocols: Vec<String>,
    pub(in crate::resilience) connect_timeout_ms: Option<u32>,
    pub(in crate::resilience) options: ReconnectOptions,
    pub(in crate::resilience) events: Rc<EventHub>,
    pub(in crate::resilience) reconnect: Rc<Listeners<ReconnectEvent>>,
    pub(in crate::resilience) state: RefCell<State>,
    pub(in crate::resilience) me: Weak<Driver>,
    /// The heartbeat's pong as a JS string, made once: each message is
    /// compared with it in JS, never copied into wasm.
    pub(in crate::resilience) pong: Option<JsValue>,
}

/// Where a connection is in its life: the driver's state, and the
/// lifecycle layer's for plain connections too (by their ready state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Connecting,
    Open,
    /// Waiting out the backoff delay.
    Waiting,
    /// The user closed; the close event is on its way.
    Closing,
    Closed,
}

pub(crate) struct State {
    pub(in crate::resilience) phase: Phase,
    pub(in crate::resilience) socket: Option<WebSocket>,
    pub(in crate::resilience) forwarders: Vec<Listener>,
    pub(in crate::resilience) binary_type: BinaryType,
    /// The retry in progress (0 for the first connection).
    pub(in crate::resilience) attempt: u32,
    /// Consecutive retries since the last long-lived connection.
    pub(in crate::resilience) retries: u32,
    pub(in crate::resilience) reconnects: u32,
    pub(in crate::resilience) opened_at: Option<f64>,
    pub(in crate::resilience) outbox: Outbox<Outgoing>,
    /// This connection's sends that may still be in the browser's buffer.
    pub(in crate::resilience) sent: SentLog<Outgoing>,
    pub(in crate::resilience) jitter: Jitter,
    pub(in crate::resilience) heartbeat: Option<Heartbeat>,
    /// A message arrived since the heartbeat's last tick: the tick times
    /// it, so no message reads the clock.
    pub(in crate::resilience) heard: bool,
    pub(in crate::resilience) heartbeat_timer: Option<Interval>,
    pub(in crate::resilience) connect_timer: Option<Timeout>,
    pub(in crate::resilience) retry_timer: Option<Timeout>,
    /// Online/visibility/bfcache listeners; dropped at the final close.
    pub(in crate::resilience) network: Option<NetworkWatch>,
    /// `reconnect()` was called: the close on its way is followed by a new
    /// connection at once, with the backoff reset.
    pub(in crate::resilience) restart: bool,
    /// Counts attempts, so a provider's late answer for an attempt that
    /// was given up meanwhile is ignored.
    pub(in crate::resilience) generation: u64,
    /// End-to-end delivery, when asked for.
    #[cfg(feature = "delivery")]
    pub(in crate::resilience) delivery: Option<Delivery>,
    /// The npm face's message listener, given each new socket (see
    /// [`Driver::relay_messages_to`]).
    #[cfg(feature = "js")]
    pub(in crate::resilience) messages_to: Option<js_sys::Function>,
}

impl State {
    /// The phase as users see it: a connection the server is closing, or
    /// one closing for `reconnect()`, counts as `Connecting` (a new one
    /// follows).
    pub(crate) fn effective_phase(&self) -> Phase {
        match self.phase {
            Phase::Open => match self.socket.as_ref().map(WebSocket::ready_state) {
                Some(ReadyState::Open) => Phase::Open,
                _ => Phase::Connecting,
            },
            Phase::Closing if self.restart => Phase::Connecting,
            phase => phase,
        }
    }

    /// Closes the current connection; its close event decides what next.
    pub(crate) fn start_closing(
        &mut self,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        self.phase = Phase::Closing;
        self.stop_connection_timers();
        match &self.socket {
            Some(socket) => socket.close_inner(code, reason),
            None => Ok(()),
        }
    }

    /// Sends what waits in the outbox, in order, each kept in the sent log.
    pub(in crate::resilience) fn flush_outbox(&mut self) {
        let Some(socket) = &self.socket else {
            return;
        };
        while let Some((message, size)) = self.outbox.pop() {
            let before = socket.buffered_amount();
            if message.send(socket).is_err() {
                self.outbox.unpop(message, size);
                break;
            }
            let sent = socket.buffered_amount().saturating_sub(before);
            self.sent.push(message, sent, before);
        }
    }

    /// The binary type the browser socket uses.
    #[cfg(not(feature = "delivery"))]
    pub(crate) fn wire_binary_type(&self) -> BinaryType {
        self.binary_type
    }

    fn stop_connection_timers(&mut self) {
        self.heartbeat = None;
        self.heartbeat_timer = None;
        self.connect_timer = None;
    }
}

/// Timestamps for uptime and the heartbeat: monotonic.
pub(in crate::resilience) fn now() -> f64 {
    crate::bindings::performance_now()
}

impl Driver {
    /// Starts an attempt: asks the providers, if any, then opens a socket.
    /// The connect timeout covers both.
    pub(in crate::resilience) fn connect(&self) -> Result<(), Error> {
        let generation = {
            let mut state = self.state.borrow_mut();
            state.phase = Phase::Connecting;
            state.generation += 1;
            if let Some(ms) = self.connect_timeout_ms {
                let me = self.me.clone();
                state.connect_timer = Some(Timeout::new(ms, move || {
                    if let Some(driver) = me.upgrade() {
                        driver.abandon("connect timeout");
                    }
                }));
            }
            state.generation
        };
        let url_provider = self.options.url_provider.clone();
        let protocols_provider = self.options.protocols_provider.clone();
        if url_provider.is_none() && protocols_provider.is_none() {
            return self.open_socket(&self.url, &self.protocols);
        }
        // The URL first, then the protocols (not asked once the URL failed).
        let me = self.me.clone();
        let protocols = self.protocols.clone();
        let then_protocols = move |url: Result<String, String>| match (url, protocols_provider) {
            (Ok(url), Some(provider)) => provider.ask(Box::new(move |protocols| {
                Driver::asked(&me, generation, Ok(url), protocols);
            })),
            (url, _) => Driver::asked(&me, generation, url, Ok(protocols)),
        };
        match url_provider {
            Some(provider) => provider.ask(Box::new(then_protocols)),
            None => then_protocols(Ok(self.url.clone())),
        }
        Ok(())
    }

    /// The providers' answers for attempt `generation`: opens its socket, or
    /// reports why it failed. Ignored when the attempt was closed, timed
    /// out or replaced meanwhile.
    fn asked(
        me: &Weak<Driver>,
        generation: u64,
        url: Result<String, String>,
        protocols: Result<Vec<String>, String>,
    ) {
        let Some(driver) = me.upgrade() else {
            return;
        };
        let current = {
            let state = driver.state.borrow();
            state.generation == generation && state.phase == Phase::Connecting
        };
        if !current {
            return;
        }
        let opened = match (url, protocols) {
            (Ok(url), Ok(protocols)) => driver
                .open_socket(&url, &protocols)
                .map_err(|e| e.to_string()),
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        if let Err(error) = opened {
            driver.attempt_failed(error);
        }
    }

    /// Opens a new underlying socket and wires it to this driver.
    pub(in crate::resilience) fn open_socket(
        &self,
        url: &str,
        protocols: &[String],
    ) -> Result<(), Error> {
        let socket = WebSocket::with_protocols(url, protocols)?;
        let mut state = self.state.borrow_mut();
        socket.set_binary_type(state.wire_binary_type());
        // Each event of the new socket goes to the driver, which decides
        // what the user's listeners see.
        let hub = socket.events();
        let forward = |kind, handle: fn(&Driver, &web_sys::Event)| {
            let me = self.me.clone();
            hub.add_raw(kind, move |event| {
                if let Some(driver) = me.upgrade() {
                    handle(&driver, event);
                }
            })
        };
        state.forwarders = vec![
            forward(EventKind::Open, Driver::on_open),
            forward(EventKind::Message, |d, e| d.on_message(e.unchecked_ref())),
            forward(EventKind::Close, |d, e| d.on_close(e.unchecked_ref())),
            forward(EventKind::Error, |d, e| d.events.error.dispatch(e)),
        ];
        #[cfg(feature = "js")]
        if let Some(listener) = &state.messages_to {
            socket.relay_messages_to(listener);
        }
        state.socket = Some(socket);
        Ok(())
    }

    /// For the npm face: every connection's messages, now and after each
    /// reconnect, go straight to `listener`, which hands each to
    /// [`note_message`](Self::note_message) and dispatches it, so that a
    /// message costs one call into wasm (with the event, whose data is read
    /// only for a pong) and none back out. Not with delivery, whose frames
    /// the driver must read.
    #[cfg(feature = "js")]
    pub(crate) fn relay_messages_to(&self, listener: js_sys::Function) {
        let mut state = self.state.borrow_mut();
        #[cfg(feature = "delivery")]
        if state.delivery.is_some() {
            return;
        }
        if let Some(socket) = &state.socket {
            socket.relay_messages_to(&listener);
        }
        state.messages_to = Some(listener);
    }

    /// Listeners that make a waiting socket retry at once when the network
    /// or the page comes back.
    pub(in crate::resilience) fn watch_network(&self) -> NetworkWatch {
        let me = self.me.clone();
        NetworkWatch::start(move || {
            if let Some(driver) = me.upgrade() {
                driver.retry();
            }
        })
    }

    /// Retries now if waiting to (and not offline).
    pub(in crate::resilience) fn retry(&self) {
        {
            let mut state = self.state.borrow_mut();
            if state.phase != Phase::Waiting {
                return;
            }
            state.retry_timer = None;
            if is_offline() {
                // Retrying cannot work: wait for `online` (NetworkWatch).
                return;
            }
        }
        if let Err(error) = self.connect() {
            // A failed attempt like any other: reported, and the backoff
            // goes on (never a silent end).
            self.attempt_failed(error.to_string());
        }
    }

    pub(crate) fn reconnect(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        validate_close(code, reason)?;
        let mut state = self.state.borrow_mut();
        match state.phase {
            Phase::Connecting | Phase::Open => {
                state.restart = true;
                state.start_closing(code, reason)
            }
            // A close is on its way: the new connection follows it.
            Phase::Closing => {
                state.restart = true;
                Ok(())
            }
            Phase::Waiting => {
                state.retries = 0;
                state.attempt = 1;
                drop(state);
                self.retry();
                Ok(())
            }
            Phase::Closed => {
                state.retries = 0;
                state.attempt = 0;
                state.phase = Phase::Waiting;
                if state.network.is_none() {
                    state.network = Some(self.watch_network());
                }
                drop(state);
                self.retry();
                Ok(())
            }
        }
    }

    pub(crate) fn close(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        validate_close(code, reason)?;
        let mut state = self.state.borrow_mut();
        match state.phase {
            Phase::Connecting | Phase::Open => state.start_closing(code, reason),
            Phase::Waiting => {
                state.retry_timer = None;
                state.phase = Phase::Closed;
                state.network = None;
                Ok(())
            }
            Phase::Closing | Phase::Closed => Ok(()),
        }
    }
}
