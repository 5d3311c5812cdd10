//! The resilient socket: [`ReconnectingWebSocket`] keeps one core
//! [`WebSocket`] at a time and replaces it when the connection is lost,
//! with backoff and jitter ([`ReconnectPolicy`](crate::ReconnectPolicy)), a
//! connect timeout, an optional heartbeat
//! ([`HeartbeatOptions`](crate::HeartbeatOptions)) and a bounded outbox
//! ([`OutboxLimits`](crate::OutboxLimits)) for sends made while disconnected. Its users see the
//! same DOM-shaped API as a plain socket; their handlers and listeners,
//! binary type and protocols carry over to every new connection.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;

use crate::error::Error;
use crate::options::{ConnectOptions, ReconnectOptions};
use crate::resilience::backoff::{Decision, GiveUpReason, Jitter};
use crate::resilience::heartbeat::{Beat, Heartbeat};
use crate::resilience::network::{is_offline, NetworkWatch};
use crate::resilience::outbox::Outbox;
use crate::resilience::outgoing::Outgoing;
use crate::resilience::sent_log::SentLog;
use crate::socket::close::validate_close;
use crate::socket::close_event::CloseEvent;
use crate::socket::events::{EventHub, EventKind, Listener};
use crate::socket::listeners::Listeners;
use crate::socket::message::{Message, Payload};
use crate::socket::ready_state::{BinaryType, ReadyState};
use crate::socket::websocket::WebSocket;

/// Progress of a [`ReconnectingWebSocket`], reported to its reconnect
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

/// A WebSocket that reconnects. Opt-in: a plain [`WebSocket`] never does.
///
/// - Lost connections are retried after a jittered, growing delay; a
///   connection that lasted `min_uptime_ms` resets the delay. Retrying
///   stops on [`close`](Self::close), after `max_retries`, or on a close
///   code in `no_retry_codes`.
/// - Every underlying connection fires `open` and `close` to the user's
///   handlers, as `reconnecting-websocket` does; reconnect listeners get a
///   [`ReconnectEvent`] after each close.
/// - `send` while not connected queues the message (in order, bounded);
///   the queue is sent on the next open, before the open handlers run and
///   before any newer send. When a connection dies, the messages whose
///   bytes the browser never put on the network (its `bufferedAmount` at
///   the close) go back to the head of the outbox and are sent first on the
///   next connection; the ones that had left it may be lost, and their
///   number is reported ([`ReconnectEvent::Reconnecting`]'s
///   `possibly_lost`). A message is sent at most once per connection.
/// - `ready_state` is `Connecting` while connecting or waiting to retry.
///
/// ```no_run
/// use wasm_websocket::{ReconnectEvent, ReconnectOptions, ReconnectingWebSocket};
/// # fn main() -> Result<(), wasm_websocket::Error> {
/// let ws = ReconnectingWebSocket::new("ws://127.0.0.1:8080/", ReconnectOptions::default())?;
/// ws.set_onmessage(|msg| web_sys::console::log_1(&format!("{msg:?}").into()));
/// ws.set_onreconnect(|event| {
///     if let ReconnectEvent::Reconnecting { attempt, delay_ms, .. } = event {
///         web_sys::console::log_1(&format!("retry {attempt} in {delay_ms} ms").into());
///     }
/// });
/// ws.send("queued until the first open")?;
/// # std::mem::drop(ws); Ok(()) }
/// ```
pub struct ReconnectingWebSocket {
    driver: Rc<Driver>,
}

struct Driver {
    url: String,
    protocols: Vec<String>,
    connect_timeout_ms: Option<u32>,
    options: ReconnectOptions,
    events: Rc<EventHub>,
    reconnect: Rc<Listeners<ReconnectEvent>>,
    state: RefCell<State>,
    me: Weak<Driver>,
}

/// Where the driver is; the lifecycle layer reads it as its `Stage`.
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

struct State {
    phase: Phase,
    socket: Option<WebSocket>,
    forwarders: Vec<Listener>,
    binary_type: BinaryType,
    /// The retry in progress (0 for the first connection).
    attempt: u32,
    /// Consecutive retries since the last long-lived connection.
    retries: u32,
    reconnects: u32,
    opened_at: Option<f64>,
    outbox: Outbox<Outgoing>,
    /// This connection's sends that may still be in the browser's buffer.
    sent: SentLog<Outgoing>,
    jitter: Jitter,
    heartbeat: Option<Heartbeat>,
    heartbeat_timer: Option<Interval>,
    connect_timer: Option<Timeout>,
    retry_timer: Option<Timeout>,
    /// Online/visibility/bfcache listeners; dropped at the final close.
    network: Option<NetworkWatch>,
    /// `reconnect()` was called: the close on its way is followed by a new
    /// connection at once, with the backoff reset.
    restart: bool,
    /// Counts attempts, so a provider's late answer for an attempt that
    /// was given up meanwhile is ignored.
    generation: u64,
}

impl State {
    /// The phase as users see it: a connection the server is closing, or
    /// one closing for `reconnect()`, counts as `Connecting` (a new one
    /// follows).
    fn effective_phase(&self) -> Phase {
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
    fn start_closing(&mut self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        self.phase = Phase::Closing;
        self.stop_connection_timers();
        match &self.socket {
            Some(socket) => socket.close_inner(code, reason),
            None => Ok(()),
        }
    }

    fn stop_connection_timers(&mut self) {
        self.heartbeat = None;
        self.heartbeat_timer = None;
        self.connect_timer = None;
    }
}

/// Timestamps for uptime and the heartbeat: monotonic.
fn now() -> f64 {
    crate::bindings::performance_now()
}

/// A close event of our own making, for connections we abandon (connect
/// timeout, heartbeat) whose browser event we no longer listen for.
fn synthetic_close(code: u16, reason: &str) -> Option<web_sys::CloseEvent> {
    let init = web_sys::CloseEventInit::new();
    init.set_code(code);
    init.set_reason(reason);
    init.set_was_clean(false);
    web_sys::CloseEvent::new_with_event_init_dict("close", &init).ok()
}

impl ReconnectingWebSocket {
    /// Connects to `url` and keeps reconnecting as `options` say, with no
    /// subprotocols, `Blob` delivery and the default connect timeout.
    /// Fails only for what no retry can fix: a bad URL or blocked port.
    pub fn new(url: &str, options: ReconnectOptions) -> Result<Self, Error> {
        Self::with_options(
            url,
            ConnectOptions {
                binary_type: BinaryType::Blob,
                reconnect: Some(options),
                ..ConnectOptions::default()
            },
        )
    }

    /// Connects with every [`ConnectOptions`]: protocols (offered on every
    /// attempt), binary type, the connect timeout of each attempt, and
    /// `reconnect` (`None` here means the default [`ReconnectOptions`]).
    /// Fails only for what no retry can fix: a bad URL, protocol list or
    /// blocked port.
    pub fn with_options(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        crate::socket::protocols::validate_protocols(&options.protocols)?;
        let connect_timeout_ms = options.effective_connect_timeout_ms();
        let binary_type = options.binary_type;
        let protocols = options.protocols;
        let options = options.reconnect.unwrap_or_default();
        let seed = (js_sys::Math::random() * 9.007_199_254_740_991e15) as u64;
        let driver = Rc::new_cyclic(|me| Driver {
            url: url.to_owned(),
            protocols,
            connect_timeout_ms,
            events: Rc::default(),
            reconnect: Rc::default(),
            state: RefCell::new(State {
                phase: Phase::Connecting,
                socket: None,
                forwarders: Vec::new(),
                binary_type,
                attempt: 0,
                retries: 0,
                reconnects: 0,
                opened_at: None,
                outbox: Outbox::new(options.outbox),
                sent: SentLog::default(),
                jitter: Jitter::seeded(seed),
                heartbeat: None,
                heartbeat_timer: None,
                connect_timer: None,
                retry_timer: None,
                network: None,
                restart: false,
                generation: 0,
            }),
            options,
            me: me.clone(),
        });
        driver.connect()?;
        let network = driver.watch_network();
        driver.state.borrow_mut().network = Some(network);
        Ok(Self { driver })
    }

    /// The connection state: `Connecting` also while waiting to retry.
    pub fn ready_state(&self) -> ReadyState {
        match self.phase() {
            Phase::Connecting | Phase::Waiting => ReadyState::Connecting,
            Phase::Open => ReadyState::Open,
            Phase::Closing => ReadyState::Closing,
            Phase::Closed => ReadyState::Closed,
        }
    }

    /// The driver's phase as users see it (see `State::effective_phase`).
    pub(crate) fn phase(&self) -> Phase {
        self.driver.state.borrow().effective_phase()
    }

    /// Whether sends made while not connected are queued.
    pub(crate) fn queues(&self) -> bool {
        self.driver.options.outbox.queues()
    }

    /// The URL of the current connection (as resolved by the browser), or
    /// the URL as given while there is none.
    pub fn url(&self) -> String {
        self.with_socket(WebSocket::url)
            .unwrap_or_else(|| self.driver.url.clone())
    }

    /// The subprotocol of the current connection, or "".
    pub fn protocol(&self) -> String {
        self.with_socket(WebSocket::protocol).unwrap_or_default()
    }

    /// The extensions of the current connection, or "".
    pub fn extensions(&self) -> String {
        self.with_socket(WebSocket::extensions).unwrap_or_default()
    }

    /// Bytes not yet on the network: the browser's `bufferedAmount` plus
    /// the bytes waiting in the outbox.
    pub fn buffered_amount(&self) -> u32 {
        let queued = self.driver.state.borrow().outbox.bytes();
        let buffered = self.with_socket(WebSocket::buffered_amount).unwrap_or(0);
        buffered.saturating_add(u32::try_from(queued).unwrap_or(u32::MAX))
    }

    /// How binary messages are delivered.
    pub fn binary_type(&self) -> BinaryType {
        self.driver.state.borrow().binary_type
    }

    /// Switches the binary type now and for every later connection.
    pub fn set_binary_type(&self, binary_type: BinaryType) {
        let mut state = self.driver.state.borrow_mut();
        state.binary_type = binary_type;
        if let Some(socket) = &state.socket {
            socket.set_binary_type(binary_type);
        }
    }

    /// The retry in progress or last made since the backoff was reset
    /// (0: the first connection).
    pub fn retry_count(&self) -> u32 {
        self.driver.state.borrow().attempt
    }

    /// How many times a lost connection was re-established.
    pub fn reconnect_count(&self) -> u32 {
        self.driver.state.borrow().reconnects
    }

    /// Messages waiting in the outbox.
    pub fn queued_messages(&self) -> usize {
        self.driver.state.borrow().outbox.len()
    }

    /// Bytes waiting in the outbox.
    pub fn queued_bytes(&self) -> usize {
        self.driver.state.borrow().outbox.bytes()
    }

    /// Sends now if open, else queues the message (copied) for the next
    /// open. Fails with [`Error::OutboxFull`] when it does not fit, with
    /// [`Error::NotOpen`] when queueing is off ([`OutboxLimits::NONE`](crate::OutboxLimits::NONE))
    /// and with [`Error::Closed`] after [`close`](Self::close) or giving up.
    pub fn send<'a>(&self, data: impl Into<Payload<'a>>) -> Result<(), Error> {
        let payload = data.into();
        let mut state = self.driver.state.borrow_mut();
        let state = &mut *state;
        match state.effective_phase() {
            // Straight to the browser while truly open and nothing waits.
            Phase::Open if state.outbox.len() == 0 => {
                let Some(socket) = &state.socket else {
                    return Err(Error::NotOpen);
                };
                let before = socket.buffered_amount();
                socket.send(payload)?;
                // Kept until the browser's buffer is seen empty, to be sent
                // again if the connection dies with it unsent.
                let size = socket.buffered_amount().saturating_sub(before);
                if let Ok(kept) = Outgoing::keep(payload) {
                    state.sent.push(kept, size, before);
                }
                Ok(())
            }
            // Queueing turned off: as a plain socket while not open.
            Phase::Open | Phase::Connecting | Phase::Waiting if !self.queues() => {
                Err(Error::NotOpen)
            }
            Phase::Open | Phase::Connecting | Phase::Waiting => {
                let message = Message::from_payload(payload)?;
                let size = message.byte_len();
                state.outbox.push(Outgoing::Owned(message), size)
            }
            Phase::Closing => Err(Error::Closed {
                state: ReadyState::Closing,
            }),
            Phase::Closed => Err(Error::Closed {
                state: ReadyState::Closed,
            }),
        }
    }

    /// Stops reconnecting and closes the current connection (its close
    /// event follows). During a backoff wait nothing is open: the wait is
    /// cancelled and no further event fires (the lost connection's close
    /// event was already delivered).
    pub fn close(&self) -> Result<(), Error> {
        self.driver.close(None, None)
    }

    /// [`close`](Self::close) with a code and reason, validated as for
    /// [`WebSocket::close_with`].
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.driver.close(Some(code), Some(reason))
    }

    /// Closes the current connection (if any) and connects again at once,
    /// with the backoff reset: the close event of the old connection fires,
    /// then `Reconnecting { attempt: 1, delay_ms: 0, .. }`, then the new
    /// connection's `open`. While waiting to retry it connects now. After
    /// the final close (a `close()`, giving up) it starts again.
    pub fn reconnect(&self) -> Result<(), Error> {
        self.driver.reconnect(None, None)
    }

    /// [`reconnect`](Self::reconnect), closing the current connection with
    /// `code` and `reason` (validated as for [`WebSocket::close_with`]).
    pub fn reconnect_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.driver.reconnect(Some(code), Some(reason))
    }

    pub(crate) fn reconnect_inner(
        &self,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        self.driver.reconnect(code, reason)
    }

    crate::socket::events::event_methods!();

    /// Sets the reconnect handler, replacing the previous one.
    pub fn set_onreconnect(&self, mut callback: impl FnMut(&ReconnectEvent) + 'static) {
        self.driver
            .reconnect
            .set_handler(Box::new(move |e| callback(e)));
    }

    /// Adds a reconnect listener, removed when the handle is dropped.
    #[must_use = "the listener is removed when the handle is dropped"]
    pub fn add_reconnect_listener(
        &self,
        mut callback: impl FnMut(&ReconnectEvent) + 'static,
    ) -> Listener {
        Listener::add(&self.driver.reconnect, Box::new(move |e| callback(e)))
    }

    pub(crate) fn events(&self) -> &Rc<EventHub> {
        &self.driver.events
    }

    pub(crate) fn close_inner(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        self.driver.close(code, reason)
    }

    /// The browser socket of the current connection, if there is one.
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn current_raw(&self) -> Option<web_sys::WebSocket> {
        self.with_socket(|socket| socket.as_raw().clone())
    }

    fn with_socket<T>(&self, f: impl FnOnce(&WebSocket) -> T) -> Option<T> {
        self.driver.state.borrow().socket.as_ref().map(f)
    }
}

impl std::fmt::Debug for ReconnectingWebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReconnectingWebSocket")
            .field("url", &self.driver.url)
            .field("ready_state", &self.ready_state())
            .field("retry_count", &self.retry_count())
            .finish()
    }
}

impl Driver {
    /// Starts an attempt: asks the providers, if any, then opens a socket.
    /// The connect timeout covers both.
    fn connect(&self) -> Result<(), Error> {
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
        let (me, url, protocols) = (self.me.clone(), self.url.clone(), self.protocols.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let url = match url_provider {
                Some(provider) => provider.ask().await,
                None => Ok(url),
            };
            let protocols = match (&url, protocols_provider) {
                (Ok(_), Some(provider)) => provider.ask().await,
                _ => Ok(protocols),
            };
            let Some(driver) = me.upgrade() else {
                return;
            };
            let current = {
                let state = driver.state.borrow();
                state.generation == generation && state.phase == Phase::Connecting
            };
            if !current {
                return; // closed, timed out or replaced meanwhile
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
        });
        Ok(())
    }

    /// Opens a new underlying socket and wires it to this driver.
    fn open_socket(&self, url: &str, protocols: &[String]) -> Result<(), Error> {
        let socket = WebSocket::with_protocols(url, protocols)?;
        let mut state = self.state.borrow_mut();
        socket.set_binary_type(state.binary_type);
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
        state.socket = Some(socket);
        Ok(())
    }

    fn on_open(&self, event: &web_sys::Event) {
        let reconnected = {
            let mut state = self.state.borrow_mut();
            state.phase = Phase::Open;
            state.opened_at = Some(now());
            state.connect_timer = None;
            if let Some(options) = &self.options.heartbeat {
                let beat = Heartbeat::start(options.clone(), now());
                let me = self.me.clone();
                state.heartbeat_timer = Some(Interval::new(beat.tick_ms(), move || {
                    if let Some(driver) = me.upgrade() {
                        driver.on_heartbeat_tick();
                    }
                }));
                state.heartbeat = Some(beat);
            }
            // The outbox goes first, in order, before any newer send.
            let state = &mut *state;
            if let Some(socket) = &state.socket {
                while let Some((message, size)) = state.outbox.pop() {
                    let before = socket.buffered_amount();
                    if message.send(socket).is_err() {
                        state.outbox.unpop(message, size);
                        break;
                    }
                    let sent = socket.buffered_amount().saturating_sub(before);
                    state.sent.push(message, sent, before);
                }
            }
            if state.attempt > 0 {
                state.reconnects += 1;
                Some(state.attempt)
            } else {
                None
            }
        };
        self.events.open.dispatch(event);
        if let Some(attempt) = reconnected {
            self.reconnect
                .dispatch(&ReconnectEvent::Reconnected { attempt });
        }
    }

    fn on_message(&self, event: &web_sys::MessageEvent) {
        let swallow = {
            let mut state = self.state.borrow_mut();
            // A drained buffer while the connection receives: what was sent
            // has left the browser, nothing to keep.
            let drained = !state.sent.is_empty()
                && state
                    .socket
                    .as_ref()
                    .is_some_and(|socket| socket.buffered_amount() == 0);
            if drained {
                state.sent.clear();
            }
            match &mut state.heartbeat {
                Some(beat) => beat.on_message(event.data().as_string().as_deref(), now()),
                None => false,
            }
        };
        if !swallow {
            self.events.message.dispatch(event);
        }
    }

    fn on_heartbeat_tick(&self) {
        let beat = {
            let mut state = self.state.borrow_mut();
            let beat = match &mut state.heartbeat {
                Some(heartbeat) => heartbeat.tick(now()),
                None => Beat::Nothing,
            };
            if beat == Beat::SendPing {
                if let (Some(socket), Some(heartbeat)) = (&state.socket, &state.heartbeat) {
                    // A failed ping needs no handling: the close event follows.
                    let _ = socket.send(heartbeat.ping_text());
                }
            }
            beat
        };
        if beat == Beat::Dead {
            self.abandon("heartbeat timeout");
        }
    }

    /// Gives up on the current connection without waiting for the browser
    /// (which may take minutes to notice a dead peer): drops it and goes on
    /// as if it had closed with 1006.
    fn abandon(&self, why: &str) {
        let socket = {
            let mut state = self.state.borrow_mut();
            state.forwarders.clear();
            state.socket.take()
        };
        let Some(socket) = socket else {
            // Still asking the providers: that attempt failed.
            self.attempt_failed(format!(
                "{why}: the URL or protocols provider did not answer"
            ));
            return;
        };
        let unsent = socket.buffered_amount();
        // Dropping closes it in the browser; our listeners are gone.
        drop(socket);
        if let Some(event) = synthetic_close(1006, why) {
            self.after_attempt(CloseEvent::from_web(&event), Some(&event), None, unsent);
        }
    }

    fn on_close(&self, event: &web_sys::CloseEvent) {
        // The browser keeps counting what it never sent, even now.
        let unsent = self
            .state
            .borrow()
            .socket
            .as_ref()
            .map_or(0, WebSocket::buffered_amount);
        self.after_attempt(CloseEvent::from_web(event), Some(event), None, unsent);
    }

    /// An attempt failed before it had a socket (see `connect`): as a close
    /// with 1006, but no close event fires; `error` says why.
    fn attempt_failed(&self, error: String) {
        let close = CloseEvent {
            code: crate::codes::ABNORMAL,
            reason: String::new(),
            was_clean: false,
        };
        self.after_attempt(close, None, Some(error), 0);
    }

    /// A connection or attempt ended, with `unsent_bytes` never sent:
    /// decides what comes next, tells the close listeners (if there was a
    /// connection) and the reconnect ones.
    fn after_attempt(
        &self,
        close: CloseEvent,
        event: Option<&web_sys::CloseEvent>,
        error: Option<String>,
        unsent_bytes: u32,
    ) {
        let (old_socket, decision, restart, resent, possibly_lost) = {
            let mut state = self.state.borrow_mut();
            state.stop_connection_timers();
            state.forwarders.clear();
            state.generation += 1;
            let old = state.socket.take();
            let tail = state.sent.split(unsent_bytes);
            let resent = tail.unsent.len() as u32;
            let restart = std::mem::take(&mut state.restart);
            let user_closed = !restart && matches!(state.phase, Phase::Closing | Phase::Closed);
            if !user_closed {
                // Before anything queued since, which is newer; past the
                // outbox's bounds if need be: these were accepted already.
                for (message, size) in tail.unsent.into_iter().rev() {
                    state.outbox.unpop(message, size as usize);
                }
            }
            let uptime = state.opened_at.take().map_or(0.0, |t| now() - t);
            let decision = if restart {
                // reconnect(): again at once, the backoff reset.
                Some(Decision::Retry {
                    retry: 1,
                    delay_ms: 0,
                })
            } else if user_closed {
                None
            } else {
                let random = state.jitter.next();
                let policy = &self.options.policy;
                Some(policy.decide(close.code, state.retries, uptime, random))
            };
            (old, decision, restart, resent, tail.possibly_lost)
        };
        // The application's veto, asked only where the policy would retry,
        // and outside the borrow: it is the application's code.
        let decision = match decision {
            Some(Decision::Retry { .. }) if !restart && self.declines(&close) => {
                Some(Decision::GiveUp(GiveUpReason::Declined {
                    code: close.code,
                }))
            }
            decision => decision,
        };
        self.apply(&decision, restart);
        if let Some(event) = event {
            self.events.close.dispatch(event);
        }
        match decision {
            Some(Decision::Retry { retry, delay_ms }) => {
                self.reconnect.dispatch(&ReconnectEvent::Reconnecting {
                    attempt: retry,
                    delay_ms,
                    close,
                    resent,
                    possibly_lost,
                    error,
                });
            }
            Some(Decision::GiveUp(reason)) => {
                self.reconnect.dispatch(&ReconnectEvent::GaveUp {
                    reason,
                    close,
                    error,
                });
            }
            None => {}
        }
        drop(old_socket);
    }

    /// Whether the application's `should_reconnect` says no.
    fn declines(&self, close: &CloseEvent) -> bool {
        self.options
            .should_reconnect
            .as_ref()
            .is_some_and(|predicate| !predicate.allows(close))
    }

    /// Carries out a decision: the final close, or a retry after its delay.
    fn apply(&self, decision: &Option<Decision>, restart: bool) {
        let mut state = self.state.borrow_mut();
        match decision {
            None | Some(Decision::GiveUp(_)) => {
                state.phase = Phase::Closed;
                state.network = None;
            }
            Some(Decision::Retry { retry, delay_ms }) => {
                state.phase = Phase::Waiting;
                // reconnect() resets the backoff: a failure after it is
                // retry 1 again.
                state.retries = if restart { 0 } else { *retry };
                state.attempt = *retry;
                let me = self.me.clone();
                state.retry_timer = Some(Timeout::new(*delay_ms, move || {
                    if let Some(driver) = me.upgrade() {
                        driver.retry();
                    }
                }));
            }
        }
    }

    /// Listeners that make a waiting socket retry at once when the network
    /// or the page comes back.
    fn watch_network(&self) -> NetworkWatch {
        let me = self.me.clone();
        NetworkWatch::start(move || {
            if let Some(driver) = me.upgrade() {
                driver.retry();
            }
        })
    }

    /// Retries now if waiting to (and not offline).
    fn retry(&self) {
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

    fn reconnect(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
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

    fn close(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
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
