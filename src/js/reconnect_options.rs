//! The `reconnect` member of the JS options (`true` or an object with the
//! policy, `heartbeat`, `outbox` and `shouldReconnect`), read into
//! [`ReconnectOptions`]. Full module only.

use wasm_bindgen::{JsCast, JsValue};

use super::clamp_unsigned_short;
use super::options::{ms, number, option};
use crate::bindings::to_usv_string;
use crate::options::ReconnectOptions;
use crate::resilience::backoff::ReconnectPolicy;
use crate::resilience::heartbeat::HeartbeatOptions;
use crate::resilience::outbox::OutboxLimits;
use crate::resilience::should_reconnect::ShouldReconnect;

/// Reads the `reconnect` object (or `true`) into [`ReconnectOptions`].
pub(super) fn reconnect_options(reconnect: &JsValue) -> Result<ReconnectOptions, JsValue> {
    let mut policy = ReconnectPolicy::default();
    if let Some(v) = ms(reconnect, "minDelay")? {
        policy.min_delay_ms = v;
    }
    if let Some(v) = ms(reconnect, "maxDelay")? {
        policy.max_delay_ms = v;
    }
    if let Some(v) = number(reconnect, "factor")? {
        policy.factor = v;
    }
    policy.max_retries = ms(reconnect, "maxRetries")?.or(policy.max_retries);
    if let Some(v) = ms(reconnect, "minUptime")? {
        policy.min_uptime_ms = v;
    }
    if let Some(codes) = option(reconnect, "noRetryCodes")? {
        policy.no_retry_codes = js_sys::Array::from(&codes)
            .iter()
            .map(|c| clamp_unsigned_short(c.as_f64().unwrap_or(f64::NAN)))
            .collect();
    }
    let heartbeat = match option(reconnect, "heartbeat")? {
        Some(hb) if hb.is_object() => {
            let mut h = HeartbeatOptions::default();
            if let Some(v) = ms(&hb, "interval")? {
                h.interval_ms = v.max(1);
            }
            if let Some(v) = ms(&hb, "timeout")? {
                h.timeout_ms = v.max(1);
            }
            if let Some(v) = option(&hb, "ping")? {
                h.ping = to_usv_string(&v)?;
            }
            if let Some(v) = option(&hb, "pong")? {
                h.pong = Some(to_usv_string(&v)?);
            }
            Some(h)
        }
        _ => None,
    };
    let mut outbox = OutboxLimits::default();
    match option(reconnect, "outbox")? {
        // `outbox: false`: no queue, sends while not open throw.
        Some(ob) if ob.is_falsy() => outbox = OutboxLimits::NONE,
        Some(ob) => {
            if let Some(v) = number(&ob, "maxMessages")? {
                outbox.max_messages = v as usize;
            }
            if let Some(v) = number(&ob, "maxBytes")? {
                outbox.max_bytes = v as usize;
            }
        }
        None => {}
    }
    let should_reconnect = match option(reconnect, "shouldReconnect")? {
        Some(f) => Some(should_reconnect(f.dyn_into::<js_sys::Function>().map_err(
            |_| js_sys::TypeError::new("reconnect.shouldReconnect must be a function"),
        )?)),
        None => None,
    };
    Ok(ReconnectOptions {
        policy,
        heartbeat,
        outbox,
        should_reconnect,
        // Set by the constructor when `url` or `protocols` is a function.
        url_provider: None,
        protocols_provider: None,
    })
}

/// `shouldReconnect(closeEvent)` from JS. It gets a `CloseEvent` with the
/// lost connection's code, reason and wasClean; a function that throws
/// counts as "retry" (a bug in it must not end reconnecting silently).
fn should_reconnect(predicate: js_sys::Function) -> ShouldReconnect {
    ShouldReconnect::new(move |close| {
        let init = web_sys::CloseEventInit::new();
        init.set_code(close.code);
        init.set_reason(&close.reason);
        init.set_was_clean(close.was_clean);
        let Ok(event) = web_sys::CloseEvent::new_with_event_init_dict("close", &init) else {
            return true;
        };
        predicate
            .call1(&JsValue::UNDEFINED, &event)
            .map_or(true, |answer| answer.is_truthy())
    })
}
