//! The two small enums the browser exposes as numbers and strings:
//! [`ReadyState`] (`WebSocket.readyState`) and [`BinaryType`]
//! (`WebSocket.binaryType`). Parsing them from unknown values fails with
//! [`Error::UnknownValue`](crate::Error::UnknownValue) (see `error.rs`).

use std::fmt;

/// The connection state, as `WebSocket.readyState` reports it.
///
/// The numeric values are the standard's constants (`CONNECTING` = 0 …
/// `CLOSED` = 3), so they convert both ways with the browser's numbers.
///
/// ```
/// use wasm_websocket::ReadyState;
/// assert_eq!(ReadyState::try_from(1).unwrap(), ReadyState::Open);
/// assert_eq!(u16::from(ReadyState::Closing), 2);
/// assert_eq!(ReadyState::Closed.to_string(), "CLOSED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ReadyState {
    /// The handshake has not completed yet (0).
    Connecting = 0,
    /// The connection is open and data can be sent (1).
    Open = 1,
    /// The closing handshake has started (2).
    Closing = 2,
    /// The connection is closed or could not be opened (3).
    Closed = 3,
}

impl ReadyState {
    /// The state for a browser `readyState` number, `None` outside 0..=3.
    pub const fn from_u16(value: u16) -> Option<Self> {
        match value {
            0 => Some(Self::Connecting),
            1 => Some(Self::Open),
            2 => Some(Self::Closing),
            3 => Some(Self::Closed),
            _ => None,
        }
    }

    /// The standard's constant name: `CONNECTING`, `OPEN`, `CLOSING` or `CLOSED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "CONNECTING",
            Self::Open => "OPEN",
            Self::Closing => "CLOSING",
            Self::Closed => "CLOSED",
        }
    }
}

impl From<ReadyState> for u16 {
    fn from(state: ReadyState) -> u16 {
        state as u16
    }
}

impl fmt::Display for ReadyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How binary messages are delivered, as `WebSocket.binaryType` says.
///
/// The browser default is [`BinaryType::Blob`]; it can be switched at any
/// time and applies to messages that arrive after the switch.
///
/// ```
/// use wasm_websocket::BinaryType;
/// assert_eq!("arraybuffer".parse::<BinaryType>().unwrap(), BinaryType::ArrayBuffer);
/// assert_eq!(BinaryType::Blob.to_string(), "blob");
/// assert!("Blob".parse::<BinaryType>().is_err()); // the browser is case-sensitive too
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BinaryType {
    /// Binary messages arrive as `Blob`s (the browser default).
    #[default]
    Blob,
    /// Binary messages arrive as `ArrayBuffer`s (bytes, for Rust callbacks).
    ArrayBuffer,
}

impl BinaryType {
    /// The browser's string: `"blob"` or `"arraybuffer"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Blob => "blob",
            Self::ArrayBuffer => "arraybuffer",
        }
    }

    /// The value for a browser string, `None` for any other string.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "blob" => Some(Self::Blob),
            "arraybuffer" => Some(Self::ArrayBuffer),
            _ => None,
        }
    }

    pub(crate) fn to_web(self) -> web_sys::BinaryType {
        match self {
            Self::Blob => web_sys::BinaryType::Blob,
            Self::ArrayBuffer => web_sys::BinaryType::Arraybuffer,
        }
    }
}

impl fmt::Display for BinaryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn ready_state_round_trips_through_numbers() {
        for n in 0..4u16 {
            let state = ReadyState::try_from(n).unwrap();
            assert_eq!(u16::from(state), n);
        }
        assert_eq!(ReadyState::from_u16(4), None);
        assert_eq!(
            ReadyState::try_from(7).unwrap_err(),
            Error::UnknownValue {
                what: "readyState",
                value: "7".into()
            }
        );
    }

    #[test]
    fn ready_state_displays_the_standard_constant_names() {
        let names: Vec<String> = [
            ReadyState::Connecting,
            ReadyState::Open,
            ReadyState::Closing,
            ReadyState::Closed,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(names, ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]);
    }

    #[test]
    fn binary_type_parses_only_the_two_browser_strings() {
        assert_eq!("blob".parse::<BinaryType>().unwrap(), BinaryType::Blob);
        assert_eq!(
            "arraybuffer".parse::<BinaryType>().unwrap(),
            BinaryType::ArrayBuffer
        );
        for bad in ["", "Blob", "ArrayBuffer", "arrayBuffer", "text"] {
            assert_eq!(
                bad.parse::<BinaryType>().unwrap_err().name(),
                "TypeError",
                "{bad:?}"
            );
        }
        assert_eq!(BinaryType::default(), BinaryType::Blob);
        assert_eq!(BinaryType::ArrayBuffer.to_string(), "arraybuffer");
    }
}
