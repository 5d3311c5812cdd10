//! What travels over a socket: [`Message`] (what arrives, and an owned
//! value to send) and [`Payload`] (anything `send` accepts, borrowed).

use js_sys::{ArrayBuffer, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File, ImageData};

use crate::bindings::to_usv_string;
use crate::error::{Error, Operation};

/// A message received from the peer (or an owned message to send).
///
/// Which binary variant arrives depends on [`BinaryType`](crate::BinaryType):
/// `Blob` mode delivers [`Message::Blob`], `ArrayBuffer` mode delivers
/// [`Message::Binary`] with the bytes copied into Rust.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message as bytes.
    Binary(Vec<u8>),
    /// A binary message as a browser `Blob` (read it asynchronously).
    Blob(Blob),
}

impl Message {
    /// Decodes a `MessageEvent.data` value: a string, an `ArrayBuffer` or a
    /// `Blob`. `None` for anything else, which browsers never deliver.
    pub(crate) fn from_data(data: JsValue) -> Option<Self> {
        if let Some(text) = data.as_string() {
            return Some(Self::Text(text));
        }
        match data.dyn_into::<ArrayBuffer>() {
            Ok(buffer) => Some(Self::Binary(Uint8Array::new(&buffer).to_vec())),
            Err(data) => data.dyn_into::<Blob>().ok().map(Self::Blob),
        }
    }

    /// The text, if this is a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The bytes, if this is a binary message delivered as bytes.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Binary(bytes) => Some(bytes),
            _ => None,
        }
    }
}

impl Message {
    /// An owned copy of a payload, to queue it.
    pub(crate) fn from_payload(payload: Payload<'_>) -> Result<Self, Error> {
        Ok(match payload.resolve() {
            Payload::Text(text) => Message::Text(text.to_owned()),
            Payload::Bytes(bytes) => Message::Binary(bytes.to_vec()),
            Payload::ArrayBuffer(buffer) => {
                Message::Binary(js_sys::Uint8Array::new(buffer).to_vec())
            }
            Payload::View(view) => Message::Binary(view_bytes(view).to_vec()),
            Payload::Blob(blob) => Message::Blob(blob.clone()),
            Payload::ImageData(image) => Message::Binary(image.data().0),
            // A string, or what the browser would send as its string form.
            Payload::JsValue(value) => Message::Text(match value.as_string() {
                Some(text) => text,
                None => to_usv_string(value).map_err(|e| Error::from_js(&e, Operation::Other))?,
            }),
        })
    }

    /// The size this message counts for in the outbox.
    pub(crate) fn byte_len(&self) -> usize {
        match self {
            Message::Text(text) => text.len(),
            Message::Binary(bytes) => bytes.len(),
            Message::Blob(blob) => blob.size() as usize,
        }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Binary(bytes)
    }
}

impl From<Blob> for Message {
    fn from(blob: Blob) -> Self {
        Self::Blob(blob)
    }
}

/// Anything [`WebSocket::send`](crate::WebSocket::send) accepts, borrowed.
///
/// Build one with `.into()` from `&str`, `&String`, `&[u8]`, `&Vec<u8>`,
/// `&ArrayBuffer`, a typed array (`&Uint8Array`, `&Float32Array`, …),
/// `&Blob`, `&File`, `&ImageData` or `&Message`, or wrap any other
/// `ArrayBufferView` (such as a `DataView`) with [`Payload::View`].
///
/// ```no_run
/// # fn demo(ws: &wasm_websocket::WebSocket, file: &web_sys::File) -> Result<(), wasm_websocket::Error> {
/// ws.send("hello")?;                 // text
/// ws.send(&[1u8, 2, 3][..])?;        // bytes, copied out of wasm memory once
/// ws.send(file)?;                    // a File (or any Blob), never read into wasm
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// UTF-8 text, sent as a text message.
    Text(&'a str),
    /// Bytes in wasm memory, sent as a binary message.
    Bytes(&'a [u8]),
    /// A JS `ArrayBuffer`, sent whole.
    ArrayBuffer(&'a ArrayBuffer),
    /// A JS `ArrayBufferView` (typed array or `DataView`): only the bytes
    /// it views are sent.
    View(&'a Object),
    /// A `Blob` or `File`, sent as binary without reading it into wasm.
    Blob(&'a Blob),
    /// Canvas pixels: the RGBA bytes of an `ImageData`, sent as binary.
    ImageData(&'a ImageData),
    /// Any JS value, handed to the browser's `send` as it is: a string is
    /// sent as text, a `Blob`, `ArrayBuffer` or view as binary, an
    /// `ImageData` as its pixels, anything else as its string form (as the
    /// browser does). Nothing is copied through wasm memory.
    JsValue(&'a JsValue),
}

impl<'a> Payload<'a> {
    /// Classifies a [`Payload::JsValue`] once, for every path that handles
    /// one (sending, queueing, keeping for a resend): a `Blob`, `ImageData`,
    /// `ArrayBuffer` or view becomes that variant; a string or any other
    /// value stays `JsValue` (strings are sent as text, other values as
    /// their string form, as the browser does).
    pub(crate) fn resolve(self) -> Self {
        let Payload::JsValue(value) = self else {
            return self;
        };
        if value.is_string() {
            self
        } else if let Some(blob) = value.dyn_ref::<Blob>() {
            Payload::Blob(blob)
        } else if let Some(image) = value.dyn_ref::<ImageData>() {
            Payload::ImageData(image)
        } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
            Payload::ArrayBuffer(buffer)
        } else if ArrayBuffer::is_view(value) {
            Payload::View(value.unchecked_ref())
        } else {
            self
        }
    }
}

/// A `Uint8Array` over exactly the bytes an `ArrayBufferView` sees (no
/// copy): what sending, queueing and keeping a view all need.
pub(crate) fn view_bytes(view: &JsValue) -> Uint8Array {
    if let Some(bytes) = view.dyn_ref::<Uint8Array>() {
        return bytes.clone();
    }
    let number = |key: &str| {
        js_sys::Reflect::get(view, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u32
    };
    let buffer = js_sys::Reflect::get(view, &JsValue::from_str("buffer")).unwrap_or_default();
    Uint8Array::new_with_byte_offset_and_length(&buffer, number("byteOffset"), number("byteLength"))
}

/// An `ImageData`'s pixels as the JS array it holds (web-sys's getter
/// would copy them into wasm).
pub(crate) fn image_pixels(image: &ImageData) -> JsValue {
    js_sys::Reflect::get(image, &JsValue::from_str("data")).unwrap_or_default()
}

/// Borrowed data of each kind is the variant that sends it as it is.
macro_rules! borrowed_payloads {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl<'a> From<&'a $ty> for Payload<'a> {
            fn from(data: &'a $ty) -> Self {
                Self::$variant(data)
            }
        }
    )*};
}

borrowed_payloads! {
    str => Text,
    String => Text,
    [u8] => Bytes,
    Vec<u8> => Bytes,
    ArrayBuffer => ArrayBuffer,
    Blob => Blob,
    File => Blob,
    ImageData => ImageData,
}

impl<'a, const N: usize> From<&'a [u8; N]> for Payload<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Self::Bytes(bytes)
    }
}

impl<'a> From<&'a Message> for Payload<'a> {
    fn from(message: &'a Message) -> Self {
        match message {
            Message::Text(text) => Self::Text(text),
            Message::Binary(bytes) => Self::Bytes(bytes),
            Message::Blob(blob) => Self::Blob(blob),
        }
    }
}

/// Typed arrays are views: send exactly the bytes they cover.
macro_rules! typed_array_payloads {
    ($($ty:ident),* $(,)?) => {$(
        impl<'a> From<&'a js_sys::$ty> for Payload<'a> {
            fn from(view: &'a js_sys::$ty) -> Self {
                Self::View(view)
            }
        }
    )*};
}

typed_array_payloads!(
    Uint8Array,
    Int8Array,
    Uint8ClampedArray,
    Uint16Array,
    Int16Array,
    Uint32Array,
    Int32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    DataView,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_match_the_variant() {
        let text = Message::from("hi");
        assert_eq!(text.as_text(), Some("hi"));
        assert_eq!(text.as_bytes(), None);
        let bin = Message::from(vec![1, 2, 3]);
        assert_eq!(bin.as_bytes(), Some(&[1u8, 2, 3][..]));
        assert_eq!(bin.as_text(), None);
    }

    #[test]
    fn owned_messages_borrow_as_the_matching_payload() {
        let text = Message::Text("abc".into());
        assert!(matches!(Payload::from(&text), Payload::Text("abc")));
        let bin = Message::Binary(vec![9, 8]);
        assert!(matches!(Payload::from(&bin), Payload::Bytes([9, 8])));
        assert!(matches!(Payload::from(&[7u8; 2]), Payload::Bytes([7, 7])));
    }
}
