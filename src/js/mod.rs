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
use crate::from_js::clamp_unsigned_short;

mod checks;
#[cfg(feature = "js")]
mod core;
#[cfg(feature = "js")]
mod drain;
#[cfg(feature = "js")]
mod provider;

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
