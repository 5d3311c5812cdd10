//! Reading JS values into Rust by the rules the npm face shares: WebIDL's
//! conversions (a protocol list, `[Clamp] unsigned short`) and our options
//! dictionaries' members (numbers ≥ 0, milliseconds, byte counts), with the
//! one text of each error. Used by `options/` (each option type reads its
//! own members) and `js/`; the npm package's modules only (`js-plain`).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

#[cfg(feature = "js")]
use crate::bindings::to_usv_string;

/// A protocol argument: absent, one string, or a sequence of strings.
#[cfg(feature = "js")]
pub(crate) fn protocol_list(value: &JsValue) -> Result<Vec<String>, JsValue> {
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
pub(crate) fn option(options: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    if !options.is_object() {
        return Ok(None);
    }
    let value = Reflect::get(options, &JsValue::from_str(name))?;
    Ok((!value.is_undefined()).then_some(value))
}

/// A byte count from JS: a number ≥ 0 (`Infinity` too), clamped to `u32`.
pub(crate) fn clamp_u32(value: &JsValue) -> Result<u32, JsValue> {
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

/// `from[key]` as a number ≥ 0, or a `RangeError`.
pub(crate) fn number(from: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    match option(from, key)? {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => {
                // Pushed, not `format!`ted or joined: less code in the plain module.
                let mut text = String::from(key);
                text.push_str(" must be a number, 0 or more");
                Err(js_sys::RangeError::new(&text).into())
            }
        },
    }
}

/// `from[key]` as milliseconds.
pub(crate) fn ms(from: &JsValue, key: &str) -> Result<Option<u32>, JsValue> {
    Ok(number(from, key)?.map(saturating_u32))
}

/// WebIDL `[Clamp] unsigned short`: NaN is 0, the rest is clamped to
/// 0..=65535 and rounded half to even. So 65536 becomes 65535 (invalid)
/// rather than wrapping around to 0.
pub(crate) fn clamp_unsigned_short(value: f64) -> u16 {
    // `as` maps NaN to 0; `round_ties_even` is wasm's `f64.nearest`.
    value.clamp(0.0, 65535.0).round_ties_even() as u16
}

#[cfg(test)]
mod tests {
    use super::clamp_unsigned_short;

    #[test]
    fn close_codes_from_js_are_clamped_not_wrapped() {
        assert_eq!(clamp_unsigned_short(1000.0), 1000);
        assert_eq!(clamp_unsigned_short(65536.0), 65535);
        assert_eq!(clamp_unsigned_short(66536.0), 65535, "would wrap to 1000");
        assert_eq!(clamp_unsigned_short(-1.0), 0);
        assert_eq!(clamp_unsigned_short(f64::NAN), 0);
        assert_eq!(clamp_unsigned_short(f64::INFINITY), 65535);
        assert_eq!(clamp_unsigned_short(3000.5), 3000);
        assert_eq!(clamp_unsigned_short(3001.5), 3002);
        assert_eq!(clamp_unsigned_short(3999.7), 4000);
    }
}
