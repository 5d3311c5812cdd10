//! What a connection's parts share: the lifecycle they subscribe to, and
//! what its listeners record for them (open, incoming messages in order,
//! the final close) with the wakers waiting on it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen_futures::JsFuture;

use super::ordered::OrderedQueue;
use crate::error::Error;
use crate::lifecycle::{CloseOutcome, Lifecycle};
use crate::socket::events::{decode_message, Listener};
use crate::socket::message::Message;
use crate::vocabulary::close_event::CloseEvent;

/// A Blob being read into bytes.
pub(super) struct BlobBytes(JsFuture);

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
pub(super) struct Shared {
    pub(super) opened: bool,
    /// The final close event: the stream ends after it.
    pub(super) close: Option<CloseEvent>,
    pub(super) incoming: OrderedQueue<Message, BlobBytes>,
    pub(super) read_waker: Option<Waker>,
    state_wakers: Vec<Waker>,
}

impl Shared {
    /// Records the final close (once) and wakes everything waiting.
    fn finish(&mut self, event: CloseEvent) {
        if self.close.is_some() {
            return;
        }
        self.close = Some(event);
        let reader = self.read_waker.take();
        let wakers = std::mem::take(&mut self.state_wakers);
        reader.into_iter().chain(wakers).for_each(Waker::wake);
    }

    pub(super) fn wait_for_state(&mut self, cx: &Context<'_>) {
        if !self.state_wakers.iter().any(|w| w.will_wake(cx.waker())) {
            self.state_wakers.push(cx.waker().clone());
        }
    }
}

/// Everything a connection's parts share; dropped with the last part.
pub(super) struct Core {
    pub(super) lifecycle: Rc<Lifecycle>,
    pub(super) shared: Rc<RefCell<Shared>>,
    _listeners: [Listener; 3],
}

impl Core {
    pub(super) fn subscribe(lifecycle: Rc<Lifecycle>) -> Self {
        let hub = lifecycle.events().clone();
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
        let on_close = lifecycle.on_close(move |event, last| {
            if last {
                s.borrow_mut().finish(CloseEvent::from_web(event));
            }
        });
        Self {
            lifecycle,
            shared,
            _listeners: [on_open, on_message, on_close],
        }
    }

    /// Resolves with the close event once the connection has closed.
    pub(super) fn poll_closed(&self, cx: &mut Context<'_>) -> Poll<CloseEvent> {
        let mut shared = self.shared.borrow_mut();
        match &shared.close {
            Some(event) => Poll::Ready(event.clone()),
            None => {
                shared.wait_for_state(cx);
                Poll::Pending
            }
        }
    }

    pub(super) fn start_close(&self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        if let CloseOutcome::FinishedNow(last) = self.lifecycle.close(code, reason)? {
            self.shared.borrow_mut().finish(last);
        }
        Ok(())
    }

    pub(super) async fn close(
        &self,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Result<CloseEvent, Error> {
        self.start_close(code, reason)?;
        Ok(std::future::poll_fn(|cx| self.poll_closed(cx)).await)
    }
}
