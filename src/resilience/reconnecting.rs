//! The resilient socket: [`ReconnectingWebSocket`] keeps one core
//! [`WebSocket`] at a time and replaces it when the connection is lost,
//! with backoff and jitter ([`ReconnectPolicy`](crate::ReconnectPolicy)), a
//! connect timeout, an optional heartbeat
//! ([`HeartbeatOptions`](crate::HeartbeatOptions)) and a bounded outbox
//! ([`OutboxLimits`](crate::OutboxLimits)) for sends made while disconnected. Its users see the
//! same DOM-shaped API as a plain socket; their handlers and listeners,
//! binary type and protocols carry over to every new connection. This file
//! is the public face; the work is done by the [driver](super::driver).

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::Error;
use crate::options::{ConnectOptions, ReconnectOptions};
use crate::resilience::backoff::Jitter;
use crate::resilience::driver::{Driver, State};
use crate::resilience::outbox::Outbox;
use crate::resilience::outgoing::Outgoing;
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::resilience::sent_log::SentLog;
use crate::socket::events::{EventHub, Listener};
use crate::socket::message::{Message, Payload};
use crate::socket::websocket::WebSocket;
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

pub(crate) use crate::resilience::driver::Phase;

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
        #[cfg(feature = "delivery")]
        let delivery = options
            .delivery
            .map(crate::resilience::driver::Delivery::new);
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
                heard: false,
                heartbeat_timer: None,
                connect_timer: None,
                retry_timer: None,
                network: None,
                restart: false,
                generation: 0,
                #[cfg(feature = "delivery")]
                delivery,
                #[cfg(feature = "js")]
                messages_to: None,
            }),
            pong: options
                .heartbeat
                .as_ref()
                .and_then(|h| h.pong.as_deref())
                .map(wasm_bindgen::JsValue::from_str),
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
            socket.set_binary_type(state.wire_binary_type());
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

    /// Whether end-to-end delivery is on (see
    /// [`ConnectOptions::delivery`](crate::ConnectOptions::delivery)).
    #[cfg(feature = "delivery")]
    pub fn delivery_status(&self) -> crate::delivery::DeliveryStatus {
        self.with_delivery(crate::resilience::driver::Delivery::status)
            .unwrap_or(crate::delivery::DeliveryStatus::Off)
    }

    /// With delivery: the id of the last message given to `send` (ids
    /// count from 1 for the socket's life). Map it to your data, and watch
    /// [`ReconnectEvent::Delivered`] and [`ReconnectEvent::SessionLost`].
    ///
    /// ```no_run
    /// use wasm_websocket::{ConnectOptions, DeliveryOptions, ReconnectEvent, ReconnectingWebSocket};
    /// # fn main() -> Result<(), wasm_websocket::Error> {
    /// let ws = ReconnectingWebSocket::with_options(
    ///     "ws://127.0.0.1:8080/delivery",
    ///     ConnectOptions::default().delivery(DeliveryOptions::default()),
    /// )?;
    /// ws.send("hello")?;
    /// let id = ws.last_message_id(); // 1
    /// ws.set_onreconnect(move |event| match event {
    ///     ReconnectEvent::Delivered { up_to } if *up_to >= id => { /* ✓✓ */ }
    ///     ReconnectEvent::SessionLost { unconfirmed, .. } => { /* send again? */ }
    ///     _ => {}
    /// });
    /// # std::mem::drop(ws); Ok(()) }
    /// ```
    #[cfg(feature = "delivery")]
    pub fn last_message_id(&self) -> u64 {
        self.with_delivery(crate::resilience::driver::Delivery::last_id)
            .unwrap_or(0)
    }

    /// With delivery: every message up to this id was confirmed.
    #[cfg(feature = "delivery")]
    pub fn delivered_id(&self) -> u64 {
        self.with_delivery(crate::resilience::driver::Delivery::delivered_id)
            .unwrap_or(0)
    }

    #[cfg(feature = "delivery")]
    fn with_delivery<T>(
        &self,
        f: impl FnOnce(&crate::resilience::driver::Delivery) -> T,
    ) -> Option<T> {
        self.driver.state.borrow().delivery.as_ref().map(f)
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
            Phase::Closing => Err(Error::Closed {
                state: ReadyState::Closing,
            }),
            Phase::Closed => Err(Error::Closed {
                state: ReadyState::Closed,
            }),
            // Delivery numbers every send, and frames it when it goes out.
            #[cfg(feature = "delivery")]
            _ if state.delivery.as_ref().is_some_and(|d| d.numbers()) => {
                state.send_numbered(payload)
            }
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

    /// With delivery: messages count as received when the face reports
    /// them consumed ([`delivery_consumed`](Self::delivery_consumed)), not
    /// when handed over (a stream's queue would hold acknowledged ones).
    /// Returns whether that applies (delivery on or negotiating).
    #[cfg(all(feature = "delivery", feature = "js"))]
    pub(crate) fn defer_delivery_acks(&self) -> bool {
        let mut state = self.driver.state.borrow_mut();
        state.delivery.as_mut().is_some_and(|d| d.defer_acks())
    }

    /// With deferred acks: the reader consumed everything handed over.
    #[cfg(all(feature = "delivery", feature = "js"))]
    pub(crate) fn delivery_consumed(&self) {
        self.driver.consumed_all();
    }

    /// For the npm face: see [`Driver::relay_messages_to`].
    #[cfg(feature = "js")]
    pub(crate) fn relay_messages_to(&self, listener: js_sys::Function) {
        self.driver.relay_messages_to(listener);
    }

    /// For the npm face's message listener: see [`Driver::note_message`].
    #[cfg(feature = "js")]
    pub(crate) fn note_message(&self, event: &web_sys::MessageEvent) -> bool {
        self.driver.note_message(event)
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
