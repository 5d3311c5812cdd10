//! [`Provider`]: a value asked for again before every connection attempt,
//! such as a URL carrying a token that expires. It may answer at once or
//! later (a future); a failure counts as a failed attempt, reported in the
//! `Reconnecting` event, and the backoff goes on.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a provider's function returns ([`Provider::new`]): a future of the
/// value, or of why it has none.
pub type ProviderFuture<T> = Pin<Box<dyn Future<Output = Result<T, String>>>>;

/// A value asked for before every connection attempt of a
/// [`ReconnectingWebSocket`](crate::ReconnectingWebSocket): the URL
/// ([`ReconnectOptions::url_provider`](crate::ReconnectOptions::url_provider))
/// or the subprotocols
/// ([`ReconnectOptions::protocols_provider`](crate::ReconnectOptions::protocols_provider)).
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use wasm_websocket::{Provider, ReconnectOptions};
///
/// let token = Rc::new(Cell::new(1));
/// let options = ReconnectOptions {
///     // A fresh token on every attempt (fetch it here in a real app).
///     url_provider: Some(Provider::new(move || {
///         let token = token.get();
///         async move { Ok(format!("wss://example.org/feed?token={token}")) }
///     })),
///     ..Default::default()
/// };
/// # assert!(options.url_provider.is_some());
/// ```
pub struct Provider<T>(Rc<dyn Fn(Answer<T>)>);

/// Where a provider's answer goes: called once, with the value or why
/// there is none. Asking hands one over, so the driver needs no futures
/// executor of its own (the npm module answers from JavaScript callbacks
/// and does not link one).
pub(crate) type Answer<T> = Box<dyn FnOnce(Result<T, String>)>;

impl<T: 'static> Provider<T> {
    /// A provider from a function returning a future (run with
    /// `wasm_bindgen_futures::spawn_local`).
    pub fn new<F, Fut>(provide: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<T, String>> + 'static,
    {
        let provide = Rc::new(provide);
        Self(Rc::new(move |answer: Answer<T>| {
            // Called in the task, as when the driver awaited it there.
            let provide = provide.clone();
            wasm_bindgen_futures::spawn_local(async move { answer(provide().await) });
        }))
    }

    /// A provider that answers at once (still after the attempt has
    /// started, as a future would: the driver never hears back inside its
    /// own call).
    pub fn from_fn(provide: impl Fn() -> Result<T, String> + 'static) -> Self {
        Self::new(move || std::future::ready(provide()))
    }

    /// A provider that answers through a callback (the JS face's).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub(crate) fn from_callback(ask: impl Fn(Answer<T>) + 'static) -> Self {
        Self(Rc::new(ask))
    }

    /// Asks for the value; `answer` gets it later.
    pub(crate) fn ask(&self, answer: Answer<T>) {
        (self.0)(answer)
    }
}

impl<T> Clone for Provider<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Provider<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Provider(..)")
    }
}

/// The same provider (not merely an equal one).
impl<T> PartialEq for Provider<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
