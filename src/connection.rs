//! The async face: [`Connection`], opened with `connect().await`, read as a
//! `futures::Stream` and written as a `futures::Sink`, splittable into a
//! [`ConnectionReader`] and a [`ConnectionWriter`] for separate tasks.
//! Built on the core [`WebSocket`]: same validation, same errors, same
//! ownership (dropping every part closes the socket and frees its
//! closures).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_futures::JsFuture;

use crate::backend::Backend;
use crate::close::CloseEvent;
use crate::error::Error;
use crate::events::{decode_close, decode_message, Listener};
use crate::message::Message;
use crate::ordered::OrderedQueue;
use crate::reconnect::{ReconnectOptions, ReconnectingWebSocket};
use crate::socket::WebSocket;
use crate::state::{BinaryType, ReadyState};

/// The default backpressure limit: 1 MiB waiting in the browser.
pub const DEFAULT_HIGH_WATER_MARK: u32 = 1 << 20;

/// How often a waiting writer looks at `bufferedAmount` again (the browser
/// has no "drained" event), in milliseconds.
pub const DEFAULT_BACKPRESSURE_POLL_MS: u32 = 4;

/// How to open a [`Connection`].
///
/// ```
/// use wasm_websocket::{BinaryType, ConnectOptions};
/// let options = ConnectOptions::default()
///     .protocols(&["echo-protocol"])
///     .binary_type(BinaryType::Blob)
///     .high_water_mark(256 * 1024)
///     .connect_timeout_ms(5_000);
/// assert_eq!(options.high_water_mark, 256 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Subprotocols to offer (default: none).
    pub protocols: Vec<String>,
    /// How the browser delivers binary messages. The stream yields bytes
    /// either way; `ArrayBuffer` (the default here) skips the asynchronous
    /// Blob read, `Blob` works too and keeps the order.
    pub binary_type: BinaryType,
    /// The writer waits while more than this many bytes are buffered
    /// (default [`DEFAULT_HIGH_WATER_MARK`]).
    pub high_water_mark: u32,
    /// How often a waiting writer re-checks (default
    /// [`DEFAULT_BACKPRESSURE_POLL_MS`]).
    pub backpressure_poll_ms: u32,
    /// Fail with [`Error::ConnectTimeout`] if the handshake has not
    /// completed after this many milliseconds (default: wait for the
    /// browser, which always ends a failed attempt with a close event).
    pub connect_timeout_ms: Option<u32>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            protocols: Vec::new(),
            binary_type: BinaryType::ArrayBuffer,
            high_water_mark: DEFAULT_HIGH_WATER_MARK,
            backpressure_poll_ms: DEFAULT_BACKPRESSURE_POLL_MS,
            connect_timeout_ms: None,
        }
    }
}

impl ConnectOptions {
    /// Sets the subprotocols to offer.
    pub fn protocols<S: AsRef<str>>(mut self, protocols: &[S]) -> Self {
        self.protocols = protocols.iter().map(|p| p.as_ref().to_owned()).collect();
        self
    }

    /// Sets how the browser delivers binary messages.
    pub fn binary_type(mut self, binary_type: BinaryType) -> Self {
        self.binary_type = binary_type;
        self
    }

    /// Sets the backpressure limit in bytes.
    pub fn high_water_mark(mut self, bytes: u32) -> Self {
        self.high_water_mark = bytes;
        self
    }

    /// Sets how often a waiting writer re-checks, in milliseconds (at
    /// least 1).
    pub fn backpressure_poll_ms(mut self, ms: u32) -> Self {
        self.backpressure_poll_ms = ms.max(1);
        self
    }

    /// Sets the handshake timeout in milliseconds.
    pub fn connect_timeout_ms(mut self, ms: u32) -> Self {
        self.connect_timeout_ms = Some(ms);
        self
    }
}

/// A Blob being read into bytes.
struct BlobBytes(JsFuture);

impl Future for BlobBytes {
    type Output = Result<Message, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(buffer) => Ok(Message::Binary(js_sys::Uint8Array::new(&buffer).to_vec())),
            Err(e) => Err(Error::from_js(&e, crate::error::Operation::Other)),
        })
    }
}

/// What the socket's listeners record for the async parts.
#[derive(Default)]
struct Shared {
    opened: bool,
    /// The final close event: the stream ends after it.
    close: Option<CloseEvent>,
    /// The latest close of a reconnecting socket, which goes on after it.
    last_close: Option<CloseEvent>,
    incoming: OrderedQueue<Message, BlobBytes>,
    read_waker: Option<Waker>,
    state_wakers: Vec<Waker>,
}

impl Shared {
    /// Records the final close and wakes everything waiting.
    fn finish(&mut self, event: CloseEvent) {
        self.close = Some(event);
        let reader = self.read_waker.take();
        let wakers = std::mem::take(&mut self.state_wakers);
        reader.into_iter().chain(wakers).for_each(Waker::wake);
    }

    fn wait_for_state(&mut self, cx: &Context<'_>) {
        if !self.state_wakers.iter().any(|w| w.will_wake(cx.waker())) {
            self.state_wakers.push(cx.waker().clone());
        }
    }
}

/// Everything a connection's parts share; dropped with the last part.
struct Core {
    socket: Rc<Backend>,
    shared: Rc<RefCell<Shared>>,
    high_water_mark: u32,
    poll_ms: u32,
    _listeners: [Listener; 3],
}

impl Core {
    fn open(socket: Backend, options: &ConnectOptions) -> Self {
        let socket = Rc::new(socket);
        socket.set_binary_type(options.binary_type);
        let hub = socket.events().clone();
        let shared = Rc::new(RefCell::new(Shared::default()));

        let s = shared.clone();
        let on_open = Listener::add(
            &hub.open,
            Box::new(move |_: &web_sys::Event| {
                let wakers = {
                    let mut shared = s.borrow_mut();
                    shared.opened = true;
                    std::mem::take(&mut shared.state_wakers)
                };
                wakers.into_iter().for_each(Waker::wake);
            }),
        );
        let s = shared.clone();
        let on_message = Listener::add(
            &hub.message,
            decode_message(move |message| {
                let waker = {
                    let mut shared = s.borrow_mut();
                    match message {
                        // Start reading now; the queue keeps the order.
                        Message::Blob(blob) => shared
                            .incoming
                            .push_converting(BlobBytes(JsFuture::from(blob.array_buffer()))),
                        other => shared.incoming.push_ready(other),
                    }
                    shared.read_waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            }),
        );
        let s = shared.clone();
        let backend = Rc::downgrade(&socket);
        let on_close = Listener::add(
            &hub.close,
            decode_close(move |event| {
                // A reconnecting socket is Connecting again unless this close
                // is its last.
                let last = backend.upgrade().is_none_or(|b| b.is_finished());
                if last {
                    s.borrow_mut().finish(event);
                } else {
                    s.borrow_mut().last_close = Some(event);
                }
            }),
        );
        Self {
            socket,
            shared,
            high_water_mark: options.high_water_mark,
            poll_ms: options.backpressure_poll_ms.max(1),
            _listeners: [on_open, on_message, on_close],
        }
    }

    /// Resolves with the close event once the connection has closed.
    fn poll_closed(&self, cx: &mut Context<'_>) -> Poll<CloseEvent> {
        let mut shared = self.shared.borrow_mut();
        match &shared.close {
            Some(event) => Poll::Ready(event.clone()),
            None => {
                shared.wait_for_state(cx);
                Poll::Pending
            }
        }
    }

    fn start_close(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        self.socket.close_inner(code, reason)?;
        if self.socket.is_finished() {
            // A reconnecting socket closed while waiting to retry: no close
            // event follows; the last one is final.
            let mut shared = self.shared.borrow_mut();
            if shared.close.is_none() {
                let event = shared.last_close.clone().unwrap_or(CloseEvent {
                    code: crate::codes::ABNORMAL,
                    reason: String::new(),
                    was_clean: false,
                });
                shared.finish(event);
            }
        }
        Ok(())
    }

    async fn close(&self, code: Option<u16>, reason: Option<&str>) -> Result<CloseEvent, Error> {
        self.start_close(code, reason)?;
        Ok(std::future::poll_fn(|cx| self.poll_closed(cx)).await)
    }
}

/// An open WebSocket connection used with async/await.
///
/// Read it as a [`Stream`](futures_core::Stream) of
/// `Result<Message, Error>` and write it as a [`Sink`](futures_sink::Sink)
/// of [`Message`] (with `futures::StreamExt` / `SinkExt`), or
/// [`split`](Connection::split) it for separate tasks.
///
/// - Binary messages are always yielded as [`Message::Binary`] bytes, in
///   arrival order, whichever [`BinaryType`] the browser uses.
/// - The stream ends (`None`) after the close event; when the connection
///   ended without a clean close, an [`Error::ConnectionLost`] comes first.
/// - Writing waits while more than the high-water mark is buffered, so a
///   fast producer cannot grow the browser's buffer without bound.
/// - Dropping the connection (all its parts) closes the socket.
///
/// ```no_run
/// use futures::{SinkExt, StreamExt};
/// use wasm_websocket::{ConnectOptions, Connection, Message};
///
/// # async fn demo() -> Result<(), wasm_websocket::Error> {
/// let options = ConnectOptions::default().protocols(&["echo-protocol"]);
/// let mut conn = Connection::connect_with("ws://127.0.0.1:8080/", options).await?;
/// conn.send(Message::Text("hello".into())).await?;
/// if let Some(reply) = conn.next().await {
///     assert_eq!(reply?, Message::Text("hello".into()));
/// }
/// let closed = conn.close_with(1000, "done").await?;
/// assert!(closed.was_clean);
/// # Ok(()) }
/// ```
pub struct Connection {
    reader: ConnectionReader,
    writer: ConnectionWriter,
}

impl Connection {
    /// Connects to `url` with default [`ConnectOptions`] and waits until it
    /// is open.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_with(url, ConnectOptions::default()).await
    }

    /// Connects and waits until the connection is open.
    ///
    /// Fails at once for the constructor's errors (bad URL, protocols,
    /// blocked port), with [`Error::ConnectionFailed`] carrying the close
    /// event (1006) when the handshake fails, and with
    /// [`Error::ConnectTimeout`] when a timeout is set and passes. Dropping
    /// the future before it resolves closes the socket and detaches
    /// everything.
    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let socket = WebSocket::with_protocols(url, &options.protocols)?;
        Self::wait_open(Backend::Plain(socket), options).await
    }

    /// Connects with a [`ReconnectingWebSocket`] underneath: the stream
    /// goes on across reconnections (their close events do not end it),
    /// sends while reconnecting wait in the outbox (and count towards the
    /// high-water mark), and the stream ends only after the final close
    /// (a `close`, giving up, or a no-retry code).
    ///
    /// Resolves on the first open; fails with
    /// [`Error::ConnectionFailed`] only if reconnecting gives up before
    /// that. `reconnect.protocols` is used; `options.protocols` is not.
    pub async fn connect_reconnecting(
        url: &str,
        reconnect: ReconnectOptions,
        options: ConnectOptions,
    ) -> Result<Self, Error> {
        let socket = ReconnectingWebSocket::new(url, reconnect)?;
        Self::wait_open(Backend::Resilient(socket), options).await
    }

    async fn wait_open(socket: Backend, options: ConnectOptions) -> Result<Self, Error> {
        let core = Rc::new(Core::open(socket, &options));
        let mut timeout = options.connect_timeout_ms.map(TimeoutFuture::new);
        std::future::poll_fn(|cx| {
            let mut shared = core.shared.borrow_mut();
            if shared.opened {
                return Poll::Ready(Ok(()));
            }
            if let Some(event) = &shared.close {
                return Poll::Ready(Err(Error::ConnectionFailed(event.clone())));
            }
            if let Some(timer) = timeout.as_mut() {
                if Pin::new(timer).poll(cx).is_ready() {
                    return Poll::Ready(Err(Error::ConnectTimeout {
                        ms: options.connect_timeout_ms.unwrap_or_default(),
                    }));
                }
            }
            shared.wait_for_state(cx);
            Poll::Pending
        })
        .await?;
        Ok(Self {
            reader: ConnectionReader {
                core: core.clone(),
                finished: false,
            },
            writer: ConnectionWriter {
                core,
                timer: None,
                close_started: false,
            },
        })
    }

    /// Splits into a writer and a reader that can be moved to separate
    /// tasks. The socket closes when both are dropped.
    pub fn split(self) -> (ConnectionWriter, ConnectionReader) {
        (self.writer, self.reader)
    }

    /// The connection state (`Connecting` while a reconnecting
    /// connection waits to retry).
    pub fn ready_state(&self) -> ReadyState {
        self.writer.core.socket.ready_state()
    }

    /// The subprotocol the server selected.
    pub fn protocol(&self) -> String {
        self.writer.core.socket.protocol()
    }

    /// The URL of the connection.
    pub fn url(&self) -> String {
        self.writer.core.socket.url()
    }

    /// How the browser delivers binary messages (the stream yields bytes
    /// either way).
    pub fn binary_type(&self) -> BinaryType {
        self.writer.core.socket.binary_type()
    }

    /// Bytes not yet on the network (with reconnection: the outbox too).
    pub fn buffered_amount(&self) -> u32 {
        self.writer.buffered_amount()
    }

    /// The plain socket underneath, if this connection does not reconnect.
    pub fn as_websocket(&self) -> Option<&WebSocket> {
        match &*self.writer.core.socket {
            Backend::Plain(socket) => Some(socket),
            Backend::Resilient(_) => None,
        }
    }

    /// The reconnecting socket underneath, for its counters.
    pub fn as_reconnecting(&self) -> Option<&ReconnectingWebSocket> {
        self.writer.core.socket.resilient()
    }

    /// Closes with `code` and `reason` (validated as
    /// [`WebSocket::close_with`]) and resolves with the close event.
    pub async fn close_with(&self, code: u16, reason: &str) -> Result<CloseEvent, Error> {
        self.writer.close_with(code, reason).await
    }

    /// The close event, once the connection has closed.
    pub fn close_event(&self) -> Option<CloseEvent> {
        self.reader.close_event()
    }
}

/// The reading half of a [`Connection`]: a `Stream` of messages.
pub struct ConnectionReader {
    core: Rc<Core>,
    finished: bool,
}

impl ConnectionReader {
    /// The close event, once the connection has closed.
    pub fn close_event(&self) -> Option<CloseEvent> {
        self.core.shared.borrow().close.clone()
    }
}

impl futures_core::Stream for ConnectionReader {
    type Item = Result<Message, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        let core = self.core.clone();
        let mut shared = core.shared.borrow_mut();
        match shared.incoming.poll_front(cx) {
            Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {}
        }
        match shared.close.clone() {
            None => {
                shared.read_waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Some(event) => {
                drop(shared);
                self.finished = true;
                if event.was_clean {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(Error::ConnectionLost(event))))
                }
            }
        }
    }
}

/// The writing half of a [`Connection`]: a `Sink` of messages with
/// backpressure.
pub struct ConnectionWriter {
    core: Rc<Core>,
    timer: Option<TimeoutFuture>,
    close_started: bool,
}

impl ConnectionWriter {
    /// Bytes the browser holds that are not yet on the network.
    pub fn buffered_amount(&self) -> u32 {
        self.core.socket.buffered_amount()
    }

    /// The backpressure limit this writer waits for.
    pub fn high_water_mark(&self) -> u32 {
        self.core.high_water_mark
    }

    /// Closes with `code` and `reason` and resolves with the close event.
    pub async fn close_with(&self, code: u16, reason: &str) -> Result<CloseEvent, Error> {
        self.core.close(Some(code), Some(reason)).await
    }

    /// Waits until at most `limit` bytes are buffered; fails if the socket
    /// is not open (data still buffered then is lost, as the browser does).
    fn poll_buffered_at_most(
        &mut self,
        cx: &mut Context<'_>,
        limit: u32,
    ) -> Poll<Result<(), Error>> {
        loop {
            match self.core.socket.ready_state() {
                ReadyState::Open => {}
                // Reconnecting: sends queue in the outbox.
                ReadyState::Connecting if self.core.socket.queues_while_connecting() => {}
                ReadyState::Connecting => return Poll::Ready(Err(Error::NotOpen)),
                state => return Poll::Ready(Err(Error::Closed { state })),
            }
            if self.core.socket.buffered_amount() <= limit {
                self.timer = None;
                return Poll::Ready(Ok(()));
            }
            let poll_ms = self.core.poll_ms;
            let timer = self
                .timer
                .get_or_insert_with(|| TimeoutFuture::new(poll_ms));
            if Pin::new(timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.timer = None;
        }
    }
}

impl futures_sink::Sink<Message> for ConnectionWriter {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let limit = self.core.high_water_mark;
        self.poll_buffered_at_most(cx, limit)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.core.socket.send((&message).into())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let limit = self.core.high_water_mark;
        self.poll_buffered_at_most(cx, limit)
    }

    /// Closes with 1000 and waits for the close event.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if !self.close_started {
            self.close_started = true;
            self.core.start_close(Some(1000), Some(""))?;
        }
        self.core.poll_closed(cx).map(|_| Ok(()))
    }
}

impl futures_core::Stream for Connection {
    type Item = Result<Message, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.reader).poll_next(cx)
    }
}

impl futures_sink::Sink<Message> for Connection {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.writer).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        Pin::new(&mut self.writer).start_send(message)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.writer).poll_close(cx)
    }
}
