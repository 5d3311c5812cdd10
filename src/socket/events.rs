//! The four event types of a socket (open, message, close, error), their
//! listener lists, the typed callback API on top of them, and the
//! [`Listener`] handle that removes a listener when dropped. Shared by the
//! plain [`WebSocket`](crate::WebSocket) and the
//! [`ReconnectingWebSocket`](crate::ReconnectingWebSocket), whose users see
//! the same API.

use std::rc::{Rc, Weak};

use crate::socket::listeners::{Callback, Listeners};
use crate::socket::message::Message;
use crate::vocabulary::close_event::CloseEvent;

/// The four event types a socket fires, numbered as the JS face
/// dispatches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "js"), allow(dead_code))]
pub(crate) enum EventKind {
    Open,
    Message,
    Close,
    Error,
}

/// The listener lists of one socket, holding callbacks on the browser's
/// event objects.
#[derive(Default)]
pub(crate) struct EventHub {
    pub(crate) open: Rc<Listeners<web_sys::Event>>,
    pub(crate) message: Rc<Listeners<web_sys::MessageEvent>>,
    pub(crate) close: Rc<Listeners<web_sys::CloseEvent>>,
    pub(crate) error: Rc<Listeners<web_sys::Event>>,
}

#[cfg_attr(not(feature = "js"), allow(dead_code))]
impl EventHub {
    /// Adds a listener that gets the browser's event object.
    pub(crate) fn add_raw(
        &self,
        kind: EventKind,
        callback: impl FnMut(&web_sys::Event) + 'static,
    ) -> Listener {
        match kind {
            EventKind::Open => Listener::add(&self.open, raw(callback)),
            EventKind::Message => Listener::add(&self.message, raw(callback)),
            EventKind::Close => Listener::add(&self.close, raw(callback)),
            EventKind::Error => Listener::add(&self.error, raw(callback)),
        }
    }
}

/// Wraps a callback on `Event` for a list of one of its subclasses.
fn raw<E: AsRef<web_sys::Event>>(
    mut callback: impl FnMut(&web_sys::Event) + 'static,
) -> Callback<E> {
    Box::new(move |event: &E| callback(event.as_ref()))
}

/// A message callback fed from the browser's event.
pub(crate) fn decode_message(
    mut callback: impl FnMut(Message) + 'static,
) -> Callback<web_sys::MessageEvent> {
    Box::new(move |event: &web_sys::MessageEvent| {
        if let Some(message) = Message::from_data(event.data()) {
            callback(message);
        }
    })
}

/// A close callback fed from the browser's event.
pub(crate) fn decode_close(
    mut callback: impl FnMut(CloseEvent) + 'static,
) -> Callback<web_sys::CloseEvent> {
    Box::new(move |event: &web_sys::CloseEvent| callback(CloseEvent::from_web(event)))
}

/// A listener added with `add_…_listener`. Dropping it removes the
/// listener; it does not keep the socket alive.
#[must_use = "the listener is removed when the handle is dropped"]
pub struct Listener {
    list: Weak<dyn RemoveById>,
    id: u64,
}

/// A listener list seen only as something to remove from.
trait RemoveById {
    fn remove_by_id(&self, id: u64);
}

impl<E> RemoveById for Listeners<E> {
    fn remove_by_id(&self, id: u64) {
        self.remove(id);
    }
}

impl Listener {
    /// Adds `callback` to `list` and returns the handle that removes it.
    pub(crate) fn add<E: 'static>(list: &Rc<Listeners<E>>, callback: Callback<E>) -> Self {
        let id = list.add(callback);
        let weak: Weak<Listeners<E>> = Rc::downgrade(list);
        Self { list: weak, id }
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("id", &self.id).finish()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(list) = self.list.upgrade() {
            list.remove_by_id(self.id);
        }
    }
}

/// The typed, DOM-shaped callback API, written once for every socket type
/// that has an `events(&self) -> &Rc<EventHub>` method.
macro_rules! event_methods {
    () => {
        /// Sets the open handler, replacing the previous one (`onopen`).
        pub fn set_onopen(&self, mut callback: impl FnMut() + 'static) {
            self.events()
                .open
                .set_handler(Box::new(move |_| callback()));
        }

        /// Sets the message handler, replacing the previous one
        /// (`onmessage`).
        pub fn set_onmessage(&self, callback: impl FnMut($crate::Message) + 'static) {
            self.events()
                .message
                .set_handler($crate::socket::events::decode_message(callback));
        }

        /// Sets the close handler, replacing the previous one (`onclose`).
        pub fn set_onclose(&self, callback: impl FnMut($crate::CloseEvent) + 'static) {
            self.events()
                .close
                .set_handler($crate::socket::events::decode_close(callback));
        }

        /// Sets the error handler, replacing the previous one (`onerror`).
        /// The browser gives no detail; a close event (1006) always
        /// follows.
        pub fn set_onerror(&self, mut callback: impl FnMut() + 'static) {
            self.events()
                .error
                .set_handler(Box::new(move |_| callback()));
        }

        /// Removes the open handler (`onopen = null`).
        pub fn clear_onopen(&self) {
            self.events().open.clear_handler();
        }

        /// Removes the message handler (`onmessage = null`).
        pub fn clear_onmessage(&self) {
            self.events().message.clear_handler();
        }

        /// Removes the close handler (`onclose = null`).
        pub fn clear_onclose(&self) {
            self.events().close.clear_handler();
        }

        /// Removes the error handler (`onerror = null`).
        pub fn clear_onerror(&self) {
            self.events().error.clear_handler();
        }

        /// Adds an open listener; it runs after those added before it and
        /// is removed when the returned handle is dropped
        /// (`addEventListener`).
        #[must_use = "the listener is removed when the handle is dropped"]
        pub fn add_open_listener(&self, mut callback: impl FnMut() + 'static) -> $crate::Listener {
            $crate::Listener::add(&self.events().open, Box::new(move |_| callback()))
        }

        /// Adds a message listener (see `add_open_listener`).
        #[must_use = "the listener is removed when the handle is dropped"]
        pub fn add_message_listener(
            &self,
            callback: impl FnMut($crate::Message) + 'static,
        ) -> $crate::Listener {
            $crate::Listener::add(
                &self.events().message,
                $crate::socket::events::decode_message(callback),
            )
        }

        /// Adds a close listener (see `add_open_listener`).
        #[must_use = "the listener is removed when the handle is dropped"]
        pub fn add_close_listener(
            &self,
            callback: impl FnMut($crate::CloseEvent) + 'static,
        ) -> $crate::Listener {
            $crate::Listener::add(
                &self.events().close,
                $crate::socket::events::decode_close(callback),
            )
        }

        /// Adds an error listener (see `add_open_listener`).
        #[must_use = "the listener is removed when the handle is dropped"]
        pub fn add_error_listener(&self, mut callback: impl FnMut() + 'static) -> $crate::Listener {
            $crate::Listener::add(&self.events().error, Box::new(move |_| callback()))
        }
    };
}

pub(crate) use event_methods;
