//! [`Outgoing`]: a message a reconnecting socket keeps to send (again)
//! later: queued while disconnected, or kept in the sent log in case the
//! connection dies before the browser sends it. JS values stay in JS
//! (buffers are copied there, since the page may reuse them), so keeping
//! megabytes of them never grows wasm memory.

use wasm_bindgen::JsValue;

use crate::error::Error;
use crate::socket::message::{image_pixels, view_bytes, Message, Payload};
use crate::socket::websocket::WebSocket;

/// A message kept for a later send.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Owned Rust data (what the Rust faces send, and what is queued).
    Owned(Message),
    /// A JS value the browser's `send` takes as it is.
    Js(JsValue),
}

impl Outgoing {
    /// A copy of `payload` that later changes to the caller's data (a
    /// reused buffer, wasm memory) cannot reach.
    pub(crate) fn keep(payload: Payload<'_>) -> Result<Self, Error> {
        Ok(match payload.resolve() {
            Payload::Text(_) | Payload::Bytes(_) => Self::Owned(Message::from_payload(payload)?),
            Payload::ArrayBuffer(buffer) => Self::Js(buffer.slice(0).into()),
            Payload::View(view) => Self::Js(copy_view(view)),
            Payload::Blob(blob) => Self::Js(blob.clone().into()),
            Payload::ImageData(image) => Self::Js(copy_view(&image_pixels(image))),
            Payload::JsValue(value) if value.is_string() => Self::Js(value.clone()),
            Payload::JsValue(_) => Self::Owned(Message::from_payload(payload)?),
        })
    }

    /// Its size in bytes, for the outbox and the delivery window (a JS
    /// string's length in UTF-16 units: no copy to count UTF-8 bytes).
    #[cfg(feature = "delivery")]
    pub(crate) fn size(&self) -> u32 {
        use wasm_bindgen::JsCast;
        match self {
            Self::Owned(message) => u32::try_from(message.byte_len()).unwrap_or(u32::MAX),
            Self::Js(value) => {
                if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
                    text.length()
                } else if let Some(blob) = value.dyn_ref::<web_sys::Blob>() {
                    blob.size() as u32
                } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
                    buffer.byte_length()
                } else {
                    view_bytes(value).length()
                }
            }
        }
    }

    pub(crate) fn send(&self, socket: &WebSocket) -> Result<(), Error> {
        match self {
            Self::Owned(message) => socket.send(message),
            Self::Js(value) => socket.send(Payload::JsValue(value)),
        }
    }
}

/// The bytes an `ArrayBufferView` sees, copied into a new JS array.
fn copy_view(view: &JsValue) -> JsValue {
    let bytes = view_bytes(view);
    bytes.slice(0, bytes.length()).into()
}
