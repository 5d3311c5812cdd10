//! `url` and `protocols` given as functions: called before every attempt,
//! returning the value or a Promise of it. A throw or a rejection fails
//! that attempt, and its message is reported in the `reconnecting` event.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::options::protocol_list;
use crate::bindings::to_usv_string;
use crate::resilience::provider::Provider;

/// A URL function.
pub(super) fn url(provide: &Function) -> Provider<String> {
    let provide = provide.clone();
    Provider::new(move || {
        let answer = call(&provide);
        async move { to_usv_string(&answer.await?).map_err(|e| text(&e)) }
    })
}

/// A protocols function: a string, a list of strings, or a Promise of one.
pub(super) fn protocols(provide: &Function) -> Provider<Vec<String>> {
    let provide = provide.clone();
    Provider::new(move || {
        let answer = call(&provide);
        async move { protocol_list(&answer.await?).map_err(|e| text(&e)) }
    })
}

/// Calls the function now; its answer (awaited if it is a Promise), or
/// the text of what it threw or rejected with.
fn call(provide: &Function) -> impl std::future::Future<Output = Result<JsValue, String>> {
    let answer = provide.call0(&JsValue::UNDEFINED);
    async move {
        let value = answer.map_err(|e| text(&e))?;
        JsFuture::from(Promise::resolve(&value))
            .await
            .map_err(|e| text(&e))
    }
}

/// An error's `message` (or the value as a string).
fn text(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| to_usv_string(error).ok())
        .unwrap_or_default()
}
