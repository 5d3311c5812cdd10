//! [`ConnectionWriter`]: the writing half, a `Sink` of messages that waits
//! while the lifecycle says there is no room.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use gloo_timers::future::TimeoutFuture;

use super::shared::Core;
use crate::error::Error;
use crate::socket::message::Message;
use crate::vocabulary::close_event::CloseEvent;

/// The writing half of a [`Connection`](super::Connection): a `Sink` of messages with
/// backpressure.
pub struct ConnectionWriter {
    pub(super) core: Rc<Core>,
    timer: Option<TimeoutFuture>,
    close_started: bool,
}

impl ConnectionWriter {
    pub(super) fn new(core: Rc<Core>) -> Self {
        Self {
            core,
            timer: None,
            close_started: false,
        }
    }

    /// Bytes the browser holds that are not yet on the network.
    pub fn buffered_amount(&self) -> u32 {
        self.core.lifecycle.buffered_amount()
    }

    /// The backpressure limit this writer waits for.
    pub fn high_water_mark(&self) -> u32 {
        self.core.lifecycle.high_water_mark()
    }

    /// Closes with `code` and `reason` and resolves with the close event.
    pub async fn close_with(&self, code: u16, reason: &str) -> Result<CloseEvent, Error> {
        self.core.close(Some(code), Some(reason)).await
    }

    /// Waits until at most `limit` bytes are buffered; fails when the
    /// lifecycle says writing cannot go on (data still buffered then is
    /// lost, as the browser does).
    fn poll_buffered_at_most(
        &mut self,
        cx: &mut Context<'_>,
        limit: u32,
    ) -> Poll<Result<(), Error>> {
        loop {
            if self.core.lifecycle.has_room(limit)? {
                self.timer = None;
                return Poll::Ready(Ok(()));
            }
            let poll_ms = self.core.lifecycle.backpressure_poll_ms();
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
        let limit = self.core.lifecycle.high_water_mark();
        self.poll_buffered_at_most(cx, limit)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.core.lifecycle.send((&message).into())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let limit = self.core.lifecycle.high_water_mark();
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
