//! Reading the constructor's arguments into the crate's one options shape
//! ([`ConnectOptions`]): the protocol list and the options object.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use super::clamp_unsigned_short;
use crate::bindings::to_usv_string;
use crate::options::{ConnectOptions, ReconnectOptions};
use crate::resilience::backoff::ReconnectPolicy;
use crate::resilience::heartbeat::HeartbeatOptions;
use crate::resilience::outbox::OutboxLimits;
use crate::resilience::should_reconnect::ShouldReconnect;
use crate::socket::ready_state::BinaryType;

/// A protocol argument: absent, one string, or a sequence of strings.
pub(super) fn protocol_list(value: &JsValue) -> Result<Vec<String>, JsValue> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(one) = value.as_string() {
        return Ok(vec![one]);
    }
    if let Some(iter) = js_sys::try_iter(value)? {
        let mut list = Vec::new();
        for item in iter {
            list.push(to_usv_string(&item?)?);
        }
        return Ok(list);
    }
    Ok(vec![to_usv_string(value)?])
}

/// `options[name]`, or `None` when absent or undefined.
pub(super) fn option(options: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    if !options.is_object() {
        return Ok(None);
    }
    let value = Reflect::get(options, &JsValue::from_str(name))?;
    Ok((!value.is_undefined()).then_some(value))
}

/// A byte count from JS: a number ≥ 0 (`Infinity` too), clamped to `u32`.
pub(super) fn clamp_u32(value: &JsValue) -> Result<u32, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 => Ok(saturating_u32(n)),
        _ => Err(
            js_sys::RangeError::new("highWaterMark must be a number of bytes, 0 or more").into(),
        ),
    }
}

/// A number ≥ 0 as `u32`, saturating.
fn saturating_u32(n: f64) -> u32 {
    n.min(f64::from(u32::MAX)) as u32
}

/// Reads `(protocols, options)` into the one options shape: `binaryType`
/// (default `"blob"`, as the browser's), `highWaterMark`,
/// `connectTimeout`, and `reconnect` (`true` or an object with the policy,
/// `heartbeat` and `outbox`).
pub(super) fn connect_options(
    protocols: Vec<String>,
    options: &JsValue,
) -> Result<ConnectOptions, JsValue> {
    let mut connect = ConnectOptions {
        protocols,
        binary_type: BinaryType::Blob,
        ..ConnectOptions::default()
    };
    if let Some(name) = option(options, "binaryType")?.and_then(|v| v.as_string()) {
        // Other values are ignored, as the browser's setter does.
        if let Some(binary_type) = BinaryType::from_name(&name) {
            connect.binary_type = binary_type;
        }
    }
    if let Some(value) = option(options, "highWaterMark")? {
        connect.high_water_mark = clamp_u32(&value)?;
    }
    connect.connect_timeout_ms = ms(options, "connectTimeout")?;
    connect.reconnect = match option(options, "reconnect")? {
        Some(reconnect) if reconnect.is_truthy() => Some(reconnect_options(&reconnect)?),
        _ => None,
    };
    Ok(connect)
}

/// `from[key]` as a number ≥ 0, or a `RangeError`.
fn number(from: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    match option(from, key)? {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(js_sys::RangeError::new(&format!("{key} must be a number, 0 or more")).into()),
        },
    }
}

/// `from[key]` as milliseconds.
fn ms(from: &JsValue, key: &str) -> Result<Option<u32>, JsValue> {
    Ok(number(from, key)?.map(saturating_u32))
}

/// Reads the `reconnect` object (or `true`) into [`ReconnectOptions`].
fn reconnect_options(reconnect: &JsValue) -> Result<ReconnectOptions, JsValue> {
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
