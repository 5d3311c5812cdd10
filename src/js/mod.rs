//! The wasm half of the npm face. The class JavaScript users see,
//! `WebSocketClient`, is JavaScript (`src/js/client.js`), a real
//! `EventTarget`, in two kinds:
//! - a plain client is the browser's own `WebSocket` (made with the class's
//!   prototype), so events reach listeners with nothing in between. From
//!   here it uses only the static checks and conversions of [`checks`]:
//!   the npm package's small plain module (feature `js-plain`) is those
//!   alone;
//! - a reconnecting client drives the core of [`core`], which only the full
//!   module has (feature `js`, loaded by `init({ reconnect: true })`).

use wasm_bindgen::JsValue;

use crate::bindings::to_usv_string;

mod checks;
#[cfg(feature = "js")]
mod core;
#[cfg(feature = "js")]
mod drain;
#[cfg(feature = "js")]
mod options;
#[cfg(feature = "js")]
mod provider;
#[cfg(feature = "js")]
mod reconnect_options;

#[cfg(feature = "js")]
pub use self::core::WebSocketClientCore;

/// `close()`'s arguments converted (see `close_arguments`) and checked.
fn checked_close_arguments(
    code: &JsValue,
    reason: &JsValue,
) -> Result<(Option<u16>, Option<String>), JsValue> {
    let (code, reason) = close_arguments(code, reason)?;
    crate::socket::close::validate_close(code, reason.as_deref())?;
    Ok((code, reason))
}

/// `close()`'s arguments as WebIDL converts them: `[Clamp] unsigned short`
/// and `USVString`, each optional.
fn close_arguments(
    code: &JsValue,
    reason: &JsValue,
) -> Result<(Option<u16>, Option<String>), JsValue> {
    let code = if code.is_undefined() {
        None
    } else {
        Some(clamp_unsigned_short(code.as_f64().unwrap_or(f64::NAN)))
    };
    let reason = if reason.is_undefined() {
        None
    } else {
        Some(to_usv_string(reason)?)
    };
    Ok((code, reason))
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
