//! Close codes and reasons: the rules `WebSocket.close()` enforces, and the
//! [`CloseEvent`] a socket reports when it closes.

use crate::error::Error;

/// The longest close reason the standard allows, in UTF-8 bytes.
pub const MAX_REASON_BYTES: usize = 123;

/// Well-known close codes (RFC 6455 section 7.4.1).
pub mod codes {
    /// 1000: the purpose of the connection was fulfilled.
    pub const NORMAL: u16 = 1000;
    /// 1001: an endpoint is going away (page navigation, server shutdown).
    pub const GOING_AWAY: u16 = 1001;
    /// 1002: a protocol error.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// 1005: reported when the close frame carried no code (never sent).
    pub const NO_STATUS: u16 = 1005;
    /// 1006: reported when the connection ended without a close frame
    /// (failed handshake, dropped TCP connection); never sent.
    pub const ABNORMAL: u16 = 1006;
    /// 1007: a text message was not valid UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// 1008: a policy violation.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: u16 = 1011;
}

/// True for the codes a page may pass to `close()`: 1000 or 3000–4999.
///
/// ```
/// use wasm_websocket::is_valid_close_code;
/// assert!(is_valid_close_code(1000));
/// assert!(is_valid_close_code(4321));
/// assert!(!is_valid_close_code(1001)); // reserved for the browser itself
/// ```
pub const fn is_valid_close_code(code: u16) -> bool {
    code == codes::NORMAL || (code >= 3000 && code <= 4999)
}

/// Checks a `close()` call's arguments in the standard's order: the code
/// first (`InvalidAccessError`), then the reason's UTF-8 length
/// (`SyntaxError`). Runs before the browser is called.
///
/// ```
/// use wasm_websocket::{validate_close, Error};
/// assert!(validate_close(Some(4000), Some("done")).is_ok());
/// assert_eq!(validate_close(Some(1001), None), Err(Error::InvalidCloseCode(1001)));
/// let long = "é".repeat(62); // 124 bytes
/// assert_eq!(validate_close(None, Some(&long)), Err(Error::CloseReasonTooLong { bytes: 124 }));
/// ```
pub fn validate_close(code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
    if let Some(code) = code {
        if !is_valid_close_code(code) {
            return Err(Error::InvalidCloseCode(code));
        }
    }
    if let Some(reason) = reason {
        if reason.len() > MAX_REASON_BYTES {
            return Err(Error::CloseReasonTooLong {
                bytes: reason.len(),
            });
        }
    }
    Ok(())
}

/// What a socket reports when its connection has closed: the browser's
/// `CloseEvent` as plain Rust data.
///
/// `code` is 1005 when the peer's close frame had no code and 1006 when the
/// connection ended without a closing handshake (then `was_clean` is false).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseEvent {
    /// The close code (see [`codes`]).
    pub code: u16,
    /// The reason the peer gave, possibly empty.
    pub reason: String,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
}

impl CloseEvent {
    pub(crate) fn from_web(event: &web_sys::CloseEvent) -> Self {
        Self {
            code: event.code(),
            reason: event.reason(),
            was_clean: event.was_clean(),
        }
    }
}

impl std::fmt::Display for CloseEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "closed with code {}", self.code)?;
        if !self.reason.is_empty() {
            write!(f, " ({})", crate::error::Quoted(&self.reason))?;
        }
        f.write_str(if self.was_clean {
            ", clean"
        } else {
            ", not clean"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_1000_and_3000_to_4999_are_accepted() {
        let cases = [
            (0, false),
            (999, false),
            (1000, true),
            (1001, false),
            (1005, false),
            (1006, false),
            (2999, false),
            (3000, true),
            (4999, true),
            (5000, false),
            (u16::MAX, false),
        ];
        for (code, ok) in cases {
            assert_eq!(is_valid_close_code(code), ok, "code {code}");
            let result = validate_close(Some(code), None);
            if ok {
                assert_eq!(result, Ok(()));
            } else {
                assert_eq!(result, Err(Error::InvalidCloseCode(code)));
            }
        }
    }

    #[test]
    fn reason_limit_counts_utf8_bytes_not_characters() {
        assert_eq!(validate_close(Some(1000), Some(&"a".repeat(123))), Ok(()));
        assert_eq!(
            validate_close(Some(1000), Some(&"a".repeat(124))),
            Err(Error::CloseReasonTooLong { bytes: 124 })
        );
        // 41 three-byte characters = 123 bytes; one more ASCII byte is 124.
        let cjk = "关".repeat(41);
        assert_eq!(cjk.len(), 123);
        assert_eq!(validate_close(Some(4000), Some(&cjk)), Ok(()));
        assert_eq!(
            validate_close(Some(4000), Some(&format!("{cjk}!"))),
            Err(Error::CloseReasonTooLong { bytes: 124 })
        );
        // 31 four-byte emoji = 124 bytes though only 31 characters.
        assert_eq!(
            validate_close(None, Some(&"😀".repeat(31))),
            Err(Error::CloseReasonTooLong { bytes: 124 })
        );
    }

    #[test]
    fn code_is_checked_before_reason() {
        let long = "x".repeat(200);
        assert_eq!(
            validate_close(Some(999), Some(&long)),
            Err(Error::InvalidCloseCode(999))
        );
        assert_eq!(validate_close(None, None), Ok(()));
    }

    #[test]
    fn close_event_display_names_code_reason_and_cleanliness() {
        let event = CloseEvent {
            code: 4000,
            reason: "bye".into(),
            was_clean: true,
        };
        assert_eq!(event.to_string(), "closed with code 4000 (\"bye\"), clean");
        let event = CloseEvent {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        };
        assert_eq!(event.to_string(), "closed with code 1006, not clean");
    }
}
