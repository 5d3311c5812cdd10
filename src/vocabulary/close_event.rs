//! The close vocabulary every module shares: the well-known codes, the
//! limits `close()` enforces, and the [`CloseEvent`] a socket reports.
//! Depends on nothing else in the crate, so errors can describe closes.

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
            write!(f, " (\"{}\")", self.reason)?;
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
