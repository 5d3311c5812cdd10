//! [`Provider`]: a value asked for again before every connection attempt,
//! such as a URL carrying a token that expires. It may answer at once or
//! later (a future); a failure counts as a failed attempt, reported in the
//! `Reconnecting` event, and the backoff goes on.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a provider answers: the value, or why it has none.
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
pub struct Provider<T>(Rc<dyn Fn() -> ProviderFuture<T>>);

impl<T> Provider<T> {
    /// A provider from a function returning a future.
    pub fn new<F, Fut>(provide: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<T, String>> + 'static,
    {
        Self(Rc::new(move || Box::pin(provide())))
    }

    /// A provider that answers at once.
    pub fn from_fn(provide: impl Fn() -> Result<T, String> + 'static) -> Self
    where
        T: 'static,
    {
        Self(Rc::new(move || Box::pin(std::future::ready(provide()))))
    }

    /// Asks for the value.
    pub(crate) fn ask(&self) -> ProviderFuture<T> {
        (self.0)()
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
