//! Network-aware retries. A socket waiting to retry tries again at once
//! when the browser says the network is back (`online`), when the page
//! becomes visible (`visibilitychange`), and when it is restored from the
//! back/forward cache (`pageshow` with `persisted`); while
//! `navigator.onLine` is false it does not retry at all. Workers have no
//! document, so there only `online` applies.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// One listener: where, for which event, and the closure.
type Registration = (
    web_sys::EventTarget,
    &'static str,
    Closure<dyn FnMut(web_sys::Event)>,
);

/// The global listeners of one reconnecting socket, removed when dropped.
pub(crate) struct NetworkWatch {
    listeners: Vec<Registration>,
}

impl NetworkWatch {
    /// Calls `chance` whenever a waiting socket should retry now.
    pub(crate) fn start(chance: impl Fn() + 'static) -> Self {
        let chance: Rc<dyn Fn()> = Rc::new(chance);
        let mut listeners = Vec::new();
        let global = crate::bindings::GLOBAL.with(JsValue::clone);
        let document = property(&global, "document").filter(|d| d.is_object());
        let mut watch =
            |target: &JsValue, name: &'static str, when: fn(&web_sys::Event) -> bool| {
                let Some(target) = target.dyn_ref::<web_sys::EventTarget>() else {
                    return;
                };
                let chance = chance.clone();
                let closure =
                    Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                        if when(&event) {
                            chance();
                        }
                    });
                if target
                    .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
                    .is_ok()
                {
                    listeners.push((target.clone(), name, closure));
                }
            };
        watch(&global, "online", |_| true);
        if let Some(document) = &document {
            watch(document, "visibilitychange", |_| {
                let document = crate::bindings::GLOBAL.with(|global| property(global, "document"));
                document
                    .and_then(|d| property(&d, "visibilityState"))
                    .and_then(|state| state.as_string())
                    .is_some_and(|state| state == "visible")
            });
            watch(&global, "pageshow", |event| {
                property(event, "persisted").is_some_and(|p| p.is_truthy())
            });
        }
        Self { listeners }
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        for (target, name, closure) in &self.listeners {
            let _ =
                target.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}

/// Whether the browser says it is offline (`navigator.onLine === false`).
/// Unknown counts as online.
pub(crate) fn is_offline() -> bool {
    crate::bindings::NAVIGATOR
        .with(|navigator| property(navigator, "onLine"))
        .is_some_and(|online| online == JsValue::FALSE)
}

fn property(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined())
}
