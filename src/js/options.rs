//! Reading the constructor's arguments into the crate's one options shape
//! ([`ConnectOptions`]): the protocol list and the options object (its
//! `reconnect` member in `reconnect_options`).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::bindings::to_usv_string;
use crate::options::ConnectOptions;
use crate::socket::ready_state::BinaryType;

/// A protocol argument: absent, one string, or a sequence of strings.
pub(super) fn protocol_list(value: &JsValue) -> Result<Vec<String>, JsValue> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(one) = value.as_string() {
        return Ok(vec![one]);
    }
    // Other primitives are one string, as WebIDL converts them (and as the
    // browser's constructor does): `try_iter` would throw on them.
    if !value.is_object() {
        return Ok(vec![to_usv_string(value)?]);
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
        Some(reconnect) if reconnect.is_truthy() => {
            Some(super::reconnect_options::reconnect_options(&reconnect)?)
        }
        _ => None,
    };
    Ok(connect)
}

/// `from[key]` as a number ≥ 0, or a `RangeError`.
pub(super) fn number(from: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    match option(from, key)? {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(js_sys::RangeError::new(&format!("{key} must be a number, 0 or more")).into()),
        },
    }
}

/// `from[key]` as milliseconds.
pub(super) fn ms(from: &JsValue, key: &str) -> Result<Option<u32>, JsValue> {
    Ok(number(from, key)?.map(saturating_u32))
}
