//! `url` and `protocols` given as functions: called before every attempt,
//! returning the value or a Promise of it (awaited in JS, so the module
//! links no futures executor). A throw or a rejection fails that attempt,
//! and its message is reported in the `reconnecting` event.

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::bindings::to_usv_string;
use crate::from_js::protocol_list;
use crate::options::provider::{Answer, Provider};

#[wasm_bindgen]
extern "C" {
    /// A provider function as the JS class hands it over
    /// (src/js/reconnecting-client.js): `ask(answer)` calls the user's
    /// function in a microtask and `answer(ok, value)` once with what it
    /// returned (awaited) or threw (or rejected with).
    type Ask;
    #[wasm_bindgen(method, js_name = call)]
    fn ask(this: &Ask, this_arg: &JsValue, answer: Closure<dyn FnMut(bool, JsValue)>);
}

/// A URL function.
pub(super) fn url(ask: &Function) -> Provider<String> {
    provider(ask, |value| to_usv_string(&value).map_err(|e| text(&e)))
}

/// A protocols function: a string, a list of strings, or a Promise of one.
pub(super) fn protocols(ask: &Function) -> Provider<Vec<String>> {
    provider(ask, |value| protocol_list(&value).map_err(|e| text(&e)))
}

/// Asks through `ask`; the answer converted by `convert`, or the text of
/// what the function threw or rejected with. The callback goes to JS by
/// value: called once, or collected with the function if never called.
fn provider<T: 'static>(ask: &Function, convert: fn(JsValue) -> Result<T, String>) -> Provider<T> {
    let ask: Ask = ask.clone().unchecked_into();
    Provider::from_callback(move |answer: Answer<T>| {
        let reply = Closure::once_aborting(move |ok: bool, value: JsValue| {
            answer(if ok {
                convert(value)
            } else {
                Err(text(&value))
            });
        });
        ask.ask(&JsValue::UNDEFINED, reply);
    })
}

/// An error's `message` (or the value as a string).
fn text(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| to_usv_string(error).ok())
        .unwrap_or_default()
}
