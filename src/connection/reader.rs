//! [`ConnectionReader`]: the reading half, a `Stream` of messages that
//! ends after the final close.

use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::shared::Core;
use crate::error::Error;
use crate::socket::message::Message;
use crate::vocabulary::close_event::CloseEvent;

/// The reading half of a [`Connection`](super::Connection): a `Stream` of messages.
pub struct ConnectionReader {
    core: Rc<Core>,
    finished: bool,
}

impl ConnectionReader {
    pub(super) fn new(core: Rc<Core>) -> Self {
        Self {
            core,
            finished: false,
        }
    }

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
