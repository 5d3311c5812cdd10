//! The async face: [`Connection`], opened with `connect().await`, read as a
//! `futures::Stream` and written as a `futures::Sink`, splittable into a
//! [`ConnectionReader`] and a [`ConnectionWriter`] for separate tasks.
//! A subscriber of the [lifecycle](crate::lifecycle): it asks it when the
//! connection is open, which close ends the stream and whether a write may
//! go, for plain and reconnecting connections alike. Same validation, same
//! errors, same ownership as the core (dropping every part closes the
//! socket and frees its closures).

use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::Error;
use crate::lifecycle::{Endpoint, Lifecycle};
use crate::options::{ConnectOptions, ReconnectOptions};
use crate::resilience::reconnecting::ReconnectingWebSocket;
use crate::socket::message::Message;
use crate::socket::websocket::WebSocket;
use crate::vocabulary::close_event::CloseEvent;
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

pub(crate) mod ordered;
mod reader;
mod shared;
mod writer;

pub use reader::ConnectionReader;
pub use writer::ConnectionWriter;

use shared::Core;

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
    ///
    /// With [`ConnectOptions::reconnect`], a [`ReconnectingWebSocket`] is
    /// underneath: the stream goes on across reconnections (their close
    /// events do not end it), sends while reconnecting wait in the outbox
    /// (and count towards the high-water mark), and the stream ends only
    /// after the final close (a `close`, giving up, or a no-retry code).
    /// It resolves on the first open and fails with
    /// [`Error::ConnectionFailed`] only if reconnecting gives up before
    /// that; the connect timeout then applies to each attempt.
    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let lifecycle = Lifecycle::connect(url, &options)?;
        let timeout_ms = options.connect_timeout_ms.unwrap_or_default();
        let core = Rc::new(Core::subscribe(lifecycle));
        std::future::poll_fn(|cx| {
            let mut shared = core.shared.borrow_mut();
            if shared.opened {
                return Poll::Ready(Ok(()));
            }
            if let Some(event) = &shared.close {
                return Poll::Ready(Err(if core.lifecycle.timed_out() {
                    Error::ConnectTimeout { ms: timeout_ms }
                } else {
                    Error::ConnectionFailed(event.clone())
                }));
            }
            shared.wait_for_state(cx);
            Poll::Pending
        })
        .await?;
        Ok(Self {
            reader: ConnectionReader::new(core.clone()),
            writer: ConnectionWriter::new(core),
        })
    }

    /// [`connect_with`](Self::connect_with) with `reconnect` set.
    #[deprecated(
        since = "0.2.0",
        note = "use `connect_with(url, options.reconnect(reconnect))`"
    )]
    pub async fn connect_reconnecting(
        url: &str,
        reconnect: ReconnectOptions,
        options: ConnectOptions,
    ) -> Result<Self, Error> {
        Self::connect_with(url, options.reconnect(reconnect)).await
    }

    /// Splits into a writer and a reader that can be moved to separate
    /// tasks. The socket closes when both are dropped.
    pub fn split(self) -> (ConnectionWriter, ConnectionReader) {
        (self.writer, self.reader)
    }

    /// The connection state (`Connecting` while a reconnecting
    /// connection waits to retry).
    pub fn ready_state(&self) -> ReadyState {
        self.writer.core.lifecycle.ready_state()
    }

    /// The subprotocol the server selected.
    pub fn protocol(&self) -> String {
        self.writer.core.lifecycle.protocol()
    }

    /// The URL of the connection.
    pub fn url(&self) -> String {
        self.writer.core.lifecycle.url()
    }

    /// How the browser delivers binary messages (the stream yields bytes
    /// either way).
    pub fn binary_type(&self) -> BinaryType {
        self.writer.core.lifecycle.binary_type()
    }

    /// Bytes not yet on the network (with reconnection: the outbox too).
    pub fn buffered_amount(&self) -> u32 {
        self.writer.buffered_amount()
    }

    /// The plain socket underneath, if this connection does not reconnect.
    pub fn as_websocket(&self) -> Option<&WebSocket> {
        match self.writer.core.lifecycle.endpoint() {
            Endpoint::Plain(socket) => Some(socket),
            Endpoint::Reconnecting(_) => None,
        }
    }

    /// With reconnection: closes the current connection and connects again
    /// at once, the backoff reset (see [`ReconnectingWebSocket::reconnect`]);
    /// the stream goes on. Fails with [`Error::NotReconnecting`] on a plain
    /// connection and with [`Error::Closed`] once the stream has ended.
    pub fn reconnect(&self) -> Result<(), Error> {
        if self.close_event().is_some() {
            return Err(Error::Closed {
                state: ReadyState::Closed,
            });
        }
        self.writer.core.lifecycle.reconnect(None, None)
    }

    /// The reconnecting socket underneath, for its counters.
    pub fn as_reconnecting(&self) -> Option<&ReconnectingWebSocket> {
        self.writer.core.lifecycle.reconnecting()
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
