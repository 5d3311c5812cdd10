//! The driver's part of end-to-end delivery (docs/delivery.md; feature
//! `delivery`): a HELLO opens every connection and the server's first
//! frame decides whether delivery is on; data goes out through the
//! session's window, acknowledgements go both ways, a resume sends again
//! what the server lacks, and a lost session is reported once.

use gloo_timers::callback::Timeout;
use js_sys::{Array, ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::{Driver, State};
use crate::delivery::frame::{kind, Control, Window};
use crate::delivery::session::Session;
use crate::delivery::{DeliveryStatus, SessionLostReason, PROTOCOL_ERROR_CODE};
use crate::error::{Error, Operation};
use crate::options::delivery::DeliveryOptions;
use crate::resilience::outbox::Outbox;
use crate::resilience::outgoing::Outgoing;
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::socket::message::{image_pixels, view_bytes, Message, Payload};
use crate::socket::websocket::WebSocket;
use crate::vocabulary::ready_state::BinaryType;

/// What the current connection is to delivery.
#[derive(Debug)]
enum Link {
    /// Waiting for the server's first frame; the HELLO sent (empty before
    /// the connection opened), to know an echo of it.
    Negotiating(Vec<u8>),
    /// Welcomed: data is numbered and acknowledged.
    On,
}

/// A reconnecting connection's delivery state, across its connections.
pub(crate) struct Delivery {
    options: DeliveryOptions,
    /// The server did not speak the protocol: from then on the connection
    /// is a plain reconnecting one.
    unavailable: bool,
    /// A WELCOME was had: the status is `On`.
    welcomed: bool,
    link: Link,
    session: Session<Outgoing>,
    /// The id of the last message the application sent.
    last_id: u64,
    negotiate_timer: Option<Timeout>,
    ack_timer: Option<Timeout>,
    /// The face reports when its reader consumed what was handed over
    /// (`Driver::consumed_all`): a stream, whose queue would otherwise
    /// hold acknowledged messages.
    deferred: bool,
    /// With `deferred`: the bytes handed over and not yet consumed.
    unconsumed_bytes: u32,
}

impl Delivery {
    pub(crate) fn new(options: DeliveryOptions) -> Self {
        let window = Window {
            messages: options.window_messages.max(1),
            bytes: options.window_bytes.max(1),
        };
        Self {
            options,
            unavailable: false,
            welcomed: false,
            link: Link::Negotiating(Vec::new()),
            session: Session::new(0, window),
            last_id: 0,
            negotiate_timer: None,
            ack_timer: None,
            deferred: false,
            unconsumed_bytes: 0,
        }
    }

    /// From now on messages count as received when the face says its
    /// reader consumed them (`Driver::consumed_all`), not when handed
    /// over. Returns whether that applies (delivery is not unavailable).
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn defer_acks(&mut self) -> bool {
        self.deferred = self.numbers();
        self.deferred
    }

    /// Whether sends are numbered and frames read as the protocol's (until
    /// the server turned out not to speak it).
    pub(crate) fn numbers(&self) -> bool {
        !self.unavailable
    }

    pub(crate) fn status(&self) -> DeliveryStatus {
        if self.unavailable {
            DeliveryStatus::Unavailable
        } else if self.welcomed {
            DeliveryStatus::On
        } else {
            DeliveryStatus::Negotiating
        }
    }

    pub(crate) fn last_id(&self) -> u64 {
        self.last_id
    }

    pub(crate) fn delivered_id(&self) -> u64 {
        self.session.delivered_id()
    }

    fn is_on(&self) -> bool {
        !self.unavailable && matches!(self.link, Link::On)
    }

    /// A connection or attempt ended. A refusal of the session (its close
    /// code) loses it: every unconfirmed message is listed, and dropped
    /// from the outbox, and a new session follows.
    pub(crate) fn connection_ended(
        &mut self,
        code: u16,
        user_closed: bool,
        outbox: &mut Outbox<Outgoing>,
    ) -> Option<ReconnectEvent> {
        self.link = Link::Negotiating(Vec::new());
        self.negotiate_timer = None;
        self.ack_timer = None;
        if self.unavailable || user_closed {
            return None;
        }
        let reason = SessionLostReason::of_close_code(code)?;
        let unconfirmed = self.session.lose(self.last_id).collect();
        outbox.clear();
        Some(ReconnectEvent::SessionLost {
            reason,
            unconfirmed,
            incoming_broken: true,
        })
    }
}

impl State {
    /// The binary type the browser socket uses: delivery reads every
    /// binary frame's first byte at once, so it takes them as
    /// `ArrayBuffer` (and makes `Blob`s of the data for the application).
    pub(crate) fn wire_binary_type(&self) -> BinaryType {
        match &self.delivery {
            Some(delivery) if delivery.numbers() => BinaryType::ArrayBuffer,
            _ => self.binary_type,
        }
    }

    /// `send` while delivery numbers messages: straight out while the
    /// connection is welcomed, nothing waits and the window has room, else
    /// into the outbox. Either way the message gets the next id.
    /// (The caller has ruled out a closing or closed connection.)
    pub(crate) fn send_numbered(&mut self, payload: Payload<'_>) -> Result<(), Error> {
        let State {
            delivery,
            socket,
            outbox,
            ..
        } = self;
        let Some(d) = delivery.as_mut() else {
            return Err(Error::NotOpen);
        };
        let open = socket.as_ref().filter(|_| d.is_on() && outbox.len() == 0);
        // A buffer, view or canvas goes out framed straight from the
        // caller's bytes: one copy, where keeping then framing makes two.
        // (Looked at only when it can go out now.)
        if let Some(socket) = open {
            if let Some(bytes) = bytes_of(payload).filter(|b| d.session.has_room(b.length())) {
                let size = bytes.length();
                let framed = Outgoing::Js(prefixed(&bytes));
                framed.send(socket)?;
                d.session.sent(framed, size);
                d.last_id += 1;
                return Ok(());
            }
        }
        let kept = Outgoing::keep(payload)?;
        let size = kept.size();
        match open {
            Some(socket) if d.session.has_room(size) => {
                // Not accepted (no id) if it cannot be framed.
                let framed = frame(kept).map_err(|(error, _)| error)?;
                framed.send(socket)?;
                d.session.sent(framed, size);
            }
            _ => outbox.push(kept, size as usize)?,
        }
        d.last_id += 1;
        Ok(())
    }

    /// Moves what waits in the outbox into the window, while it has room. A
    /// message that cannot be framed stays at the head of the outbox (ids
    /// follow the wire order, so nothing may be skipped).
    fn pump(&mut self) {
        let State {
            delivery,
            socket,
            outbox,
            ..
        } = self;
        let (Some(d), Some(socket)) = (delivery.as_mut(), socket.as_ref()) else {
            return;
        };
        if !d.is_on() {
            return;
        }
        while let Some(size) = outbox.front_size() {
            if !d.session.has_room(size as u32) {
                break;
            }
            let Some((item, size)) = outbox.pop() else {
                break;
            };
            match frame(item) {
                Ok(framed) => {
                    // Numbered even if the browser refused it: a resume
                    // sends it again, so the numbers never slip.
                    let _ = framed.send(socket);
                    d.session.sent(framed, size as u32);
                }
                Err((_, item)) => {
                    outbox.unpop(item, size);
                    break;
                }
            }
        }
    }
}

impl Driver {
    /// At open: sends the HELLO and holds the outbox until the answer.
    /// Returns whether delivery took the open over.
    pub(super) fn delivery_open(&self, state: &mut State) -> bool {
        let State {
            delivery, socket, ..
        } = state;
        let (Some(d), Some(socket)) = (delivery.as_mut(), socket.as_ref()) else {
            return false;
        };
        if !d.numbers() {
            return false;
        }
        let hello = d.session.hello().encode();
        let _ = socket.send(Payload::Bytes(&hello));
        d.link = Link::Negotiating(hello);
        let me = self.me.clone();
        d.negotiate_timer = Some(Timeout::new(d.options.negotiate_timeout_ms, move || {
            if let Some(driver) = me.upgrade() {
                driver.negotiation_timed_out();
            }
        }));
        true
    }

    /// A frame of a connection with delivery (or negotiating it).
    pub(super) fn on_delivery_message(&self, event: &web_sys::MessageEvent) {
        let data = event.data();
        let mut state = self.state.borrow_mut();
        if state.heartbeat.is_some() {
            state.heard = true;
        }
        let binary_type = state.binary_type;
        let Some(d) = state.delivery.as_mut() else {
            return;
        };
        let on = d.is_on();
        let welcomed = d.welcomed;
        if let Some(text) = data.dyn_ref::<JsString>() {
            let size = text.length();
            drop(state);
            if !on {
                if welcomed {
                    // Resuming: the server speaks the protocol, and broke it.
                    return self.protocol_error("a message before the WELCOME");
                }
                // A server that speaks first, in text: not the protocol.
                self.delivery_unavailable(true);
                return self.events.message.dispatch(event);
            }
            self.events.message.dispatch(event);
            return self.handed_over(size);
        }
        // Binary frames arrive as ArrayBuffers (`wire_binary_type`).
        let Some(buffer) = data.dyn_ref::<ArrayBuffer>() else {
            return;
        };
        let bytes = Uint8Array::new(buffer);
        let len = bytes.length();
        if on && len > 0 && bytes.get_index(0) == kind::DATA {
            drop(state);
            if let Some(event) = message_event(&buffer.slice(1), binary_type, event) {
                self.events.message.dispatch(&event);
            }
            return self.handed_over(len - 1);
        }
        let frame = bytes.to_vec();
        let control = Control::decode(&frame);
        if !on {
            let echo = matches!(&d.link, Link::Negotiating(hello) if *hello == frame);
            drop(state);
            if let Ok(welcome @ Control::Welcome { .. }) = control {
                return self.welcomed(welcome);
            }
            if welcomed {
                return self.protocol_error("a frame before the WELCOME");
            }
            self.delivery_unavailable(true);
            // Our own HELLO echoed is ours; anything else is the
            // application's.
            if !echo {
                if let Some(event) = message_event(buffer, binary_type, event) {
                    self.events.message.dispatch(&event);
                }
            }
            return;
        }
        let delivered = match control {
            Ok(Control::Ack(received)) => match d.session.ack(received) {
                Ok(delivered) => delivered,
                Err(why) => {
                    drop(state);
                    return self.protocol_error(why);
                }
            },
            Ok(Control::Ping) => {
                if let Some(socket) = &state.socket {
                    let _ = socket.send(Payload::Bytes(&Control::Pong.encode()));
                }
                None
            }
            Ok(Control::Pong) => None,
            Ok(Control::Hello { .. } | Control::Welcome { .. }) => {
                drop(state);
                return self.protocol_error("a HELLO or WELCOME on a connection already welcomed");
            }
            Err(why) => {
                drop(state);
                return self.protocol_error(why);
            }
        };
        if let Some(up_to) = delivered {
            state.pump();
            drop(state);
            self.reconnect
                .dispatch(&ReconnectEvent::Delivered { up_to });
        }
    }

    /// A data message of `size` bytes was handed to the application (its
    /// handlers have returned): counted, unless the face counts what its
    /// reader consumed itself (`defer_acks`).
    fn handed_over(&self, size: u32) {
        let deferred = match self.state.borrow_mut().delivery.as_mut() {
            Some(d) => {
                // Counted whatever happened to the connection meanwhile: the
                // application has it, so a resume must never send it again.
                d.session.handed();
                if d.deferred {
                    d.unconsumed_bytes = d.unconsumed_bytes.saturating_add(size);
                }
                d.deferred
            }
            None => return,
        };
        if !deferred {
            self.consumed(1, size);
        }
    }

    /// With deferred acks: the reader consumed everything handed over.
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // used by the JS face
    pub(crate) fn consumed_all(&self) {
        let (count, bytes) = match self.state.borrow_mut().delivery.as_mut() {
            Some(d) => (
                d.session.unconsumed(),
                std::mem::take(&mut d.unconsumed_bytes),
            ),
            None => return,
        };
        if count > 0 {
            self.consumed(count, bytes);
        }
    }

    /// `count` data messages of `bytes` in all reached the application:
    /// counted, and acknowledged now or within the ack delay.
    fn consumed(&self, count: u32, bytes: u32) {
        let mut state = self.state.borrow_mut();
        let State {
            delivery, socket, ..
        } = &mut *state;
        let Some(d) = delivery.as_mut() else {
            return;
        };
        if d.session.consumed(count, bytes) {
            d.ack_timer = None;
            if let (true, Some(socket)) = (d.is_on(), socket.as_ref()) {
                if let Some(ack) = d.session.take_ack() {
                    let _ = socket.send(Payload::Bytes(&ack.encode()));
                }
            }
        } else if d.ack_timer.is_none() {
            let me = self.me.clone();
            d.ack_timer = Some(Timeout::new(d.options.ack_delay_ms, move || {
                if let Some(driver) = me.upgrade() {
                    driver.send_ack();
                }
            }));
        }
    }

    /// The ack delay is over: acknowledges what arrived since the last ACK.
    fn send_ack(&self) {
        let mut state = self.state.borrow_mut();
        let State {
            delivery, socket, ..
        } = &mut *state;
        let (Some(d), Some(socket)) = (delivery.as_mut(), socket.as_ref()) else {
            return;
        };
        d.ack_timer = None;
        if d.is_on() {
            if let Some(ack) = d.session.take_ack() {
                let _ = socket.send(Payload::Bytes(&ack.encode()));
            }
        }
    }

    /// The server's WELCOME: delivery is on. A resume sends again what the
    /// server lacks, then what waited in the outbox.
    fn welcomed(&self, welcome: Control) {
        // In a closure so that the state's borrow ends before any listener.
        let welcomed = (|| {
            let mut state = self.state.borrow_mut();
            let state = &mut *state;
            let d = state.delivery.as_mut().ok_or("no delivery")?;
            let delivered = d.session.welcome(welcome)?.delivered;
            d.link = Link::On;
            d.welcomed = true;
            d.negotiate_timer = None;
            if let Some(socket) = &state.socket {
                for item in d.session.unacked() {
                    let _ = item.send(socket);
                }
            }
            state.pump();
            Ok(delivered)
        })();
        match welcomed {
            Ok(Some(up_to)) => self
                .reconnect
                .dispatch(&ReconnectEvent::Delivered { up_to }),
            Ok(None) => {}
            Err(why) => self.protocol_error(why),
        }
    }

    /// No answer to the HELLO in time. Resuming, the server speaks the
    /// protocol: the connection fails (4400) and the next one resumes. On
    /// the first negotiation delivery is unavailable, and the connection is
    /// replaced by a plain one, so that a late WELCOME cannot find the two
    /// sides disagreeing about the protocol.
    fn negotiation_timed_out(&self) {
        let welcomed = match &self.state.borrow().delivery {
            Some(d) if d.numbers() => d.welcomed,
            _ => return,
        };
        if welcomed {
            return self.protocol_error("no WELCOME within the negotiation timeout");
        }
        self.delivery_unavailable(false);
        let _ = self.reconnect(Some(1000), Some("no answer to the delivery HELLO"));
    }

    /// The server does not speak the protocol: from now on the connection
    /// is a reconnecting one (with `flush`, the outbox goes out on this
    /// connection), and the application is told. Only before a first
    /// WELCOME: a server that welcomed once speaks the protocol.
    pub(super) fn delivery_unavailable(&self, flush: bool) {
        {
            let mut state = self.state.borrow_mut();
            let Some(d) = state
                .delivery
                .as_mut()
                .filter(|d| d.numbers() && !d.welcomed)
            else {
                return;
            };
            d.unavailable = true;
            d.negotiate_timer = None;
            d.ack_timer = None;
            let binary_type = state.binary_type;
            if let Some(socket) = &state.socket {
                socket.set_binary_type(binary_type);
            }
            if flush {
                state.flush_outbox();
            }
        }
        self.reconnect
            .dispatch(&ReconnectEvent::DeliveryUnavailable);
    }

    /// The server broke the protocol: the connection fails with 4400 and an
    /// `error` event, and the session resumes on the next one.
    fn protocol_error(&self, why: &str) {
        if let Some(socket) = &self.state.borrow().socket {
            let _ = socket.close_inner(Some(PROTOCOL_ERROR_CODE), Some(why));
        }
        if let Ok(event) = web_sys::Event::new("error") {
            self.events.error.dispatch(&event);
        }
    }

    /// With delivery on, the heartbeat's ping is a PING frame; none is
    /// sent while negotiating. Returns whether delivery handled it.
    pub(super) fn delivery_ping(state: &State, socket: &WebSocket) -> bool {
        match &state.delivery {
            Some(d) if d.numbers() => {
                if d.is_on() {
                    let _ = socket.send(Payload::Bytes(&Control::Ping.encode()));
                }
                true
            }
            _ => false,
        }
    }
}

/// A message event for the application, carrying `data` (an ArrayBuffer)
/// as the binary type asks, and the original event's origin.
fn message_event(
    data: &ArrayBuffer,
    binary_type: BinaryType,
    original: &web_sys::MessageEvent,
) -> Option<web_sys::MessageEvent> {
    let data: JsValue = match binary_type {
        BinaryType::ArrayBuffer => data.into(),
        BinaryType::Blob => web_sys::Blob::new_with_buffer_source_sequence(&Array::of1(data))
            .ok()?
            .into(),
    };
    let init = web_sys::MessageEventInit::new();
    init.set_data(&data);
    init.set_origin(&original.origin());
    web_sys::MessageEvent::new_with_event_init_dict("message", &init).ok()
}

/// A kept message as it goes on the wire: text as it is, binary after the
/// DATA type byte. On failure (the browser refused to make a Blob) the
/// message comes back with the error.
fn frame(item: Outgoing) -> Result<Outgoing, (Error, Outgoing)> {
    Ok(match item {
        Outgoing::Owned(Message::Binary(mut bytes)) => {
            bytes.insert(0, kind::DATA);
            Outgoing::Owned(Message::Binary(bytes))
        }
        Outgoing::Owned(Message::Blob(blob)) => match prefixed_blob(&blob) {
            Ok(framed) => Outgoing::Js(framed),
            Err(error) => return Err((error, Outgoing::Owned(Message::Blob(blob)))),
        },
        Outgoing::Js(value) if value.is_instance_of::<web_sys::Blob>() => {
            match prefixed_blob(value.unchecked_ref()) {
                Ok(framed) => Outgoing::Js(framed),
                Err(error) => return Err((error, Outgoing::Js(value))),
            }
        }
        Outgoing::Js(value) if !value.is_string() => {
            // A copy made by `Outgoing::keep`: an ArrayBuffer or a Uint8Array.
            Outgoing::Js(prefixed(&Uint8Array::new(&value)))
        }
        text => text,
    })
}

/// The bytes of a buffer, view or canvas payload, seen without a copy.
fn bytes_of(payload: Payload<'_>) -> Option<Uint8Array> {
    match payload.resolve() {
        Payload::ArrayBuffer(buffer) => Some(Uint8Array::new(buffer)),
        Payload::View(view) => Some(view_bytes(view)),
        Payload::ImageData(image) => Some(view_bytes(&image_pixels(image))),
        _ => None,
    }
}

/// `bytes` after the DATA type byte, in a new array (the page may reuse
/// its buffer; the window keeps this one).
fn prefixed(bytes: &Uint8Array) -> JsValue {
    let out = Uint8Array::new_with_length(bytes.length() + 1);
    out.set(bytes, 1);
    out.into()
}

fn prefixed_blob(blob: &web_sys::Blob) -> Result<JsValue, Error> {
    let parts = Array::of2(&Uint8Array::from(&[kind::DATA][..]), blob);
    web_sys::Blob::new_with_blob_sequence(&parts)
        .map(Into::into)
        .map_err(|e| Error::from_js(&e, Operation::Other))
}
