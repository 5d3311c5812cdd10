//! The crate's one error type. Every variant says when it happens and which
//! `DOMException` name the browser (or the standard) uses for it; the name
//! is kept when the error crosses to JavaScript.

use std::fmt;
use std::str::FromStr;

use wasm_bindgen::{JsCast, JsValue};

use crate::vocabulary::close_event::{CloseEvent, MAX_REASON_BYTES};
use crate::vocabulary::ready_state::{BinaryType, ReadyState};

/// What is wrong with one entry of a subprotocol list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolProblem {
    /// The entry is the empty string.
    Empty,
    /// The entry holds a character that may not appear in an HTTP token
    /// (space, a separator such as `,` or `/`, a control or non-ASCII one).
    InvalidCharacter(char),
    /// The same entry appears earlier in the list.
    Duplicate,
}

/// Everything that can go wrong, as one typed value. Never a panic.
///
/// [`Error::name`] gives the `DOMException` name the WebSockets standard
/// uses for the same failure, and `JsValue::from(error)` builds a JS
/// `Error` with that `name` and the [`Display`](fmt::Display) message.
///
/// ```
/// use wasm_websocket::{validate_close, Error};
/// let err = validate_close(Some(1001), None).unwrap_err();
/// assert_eq!(err, Error::InvalidCloseCode(1001));
/// assert_eq!(err.name(), "InvalidAccessError");
/// assert!(err.to_string().contains("1001"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL could not be parsed, its scheme is not `ws`, `wss`, `http`
    /// or `https`, or it has a fragment (`#…`). `SyntaxError`;
    /// [standard](https://websockets.spec.whatwg.org/#dom-websocket-websocket).
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// The browser's explanation.
        message: String,
    },
    /// An entry of the subprotocol list is empty, not an HTTP token, or a
    /// duplicate. `SyntaxError`.
    InvalidProtocol {
        /// The offending entry.
        protocol: String,
        /// What is wrong with it.
        problem: ProtocolProblem,
    },
    /// The browser refused to construct the connection for security
    /// reasons, for example an insecure `ws:` URL from a page served over
    /// HTTPS. `SecurityError`. (A port on the fetch standard's "bad port"
    /// list is not this: as the standard says, that connection fails with
    /// an error event and a close event with 1006; see
    /// [`is_blocked_port`](crate::is_blocked_port).)
    NotAllowed {
        /// The URL as given.
        url: String,
        /// The browser's explanation.
        message: String,
    },
    /// `close()` was given a code other than 1000 or 3000–4999.
    /// `InvalidAccessError`;
    /// [standard](https://websockets.spec.whatwg.org/#dom-websocket-close).
    InvalidCloseCode(u16),
    /// `close()` was given a reason longer than 123 UTF-8 bytes.
    /// `SyntaxError`.
    CloseReasonTooLong {
        /// The reason's length in UTF-8 bytes.
        bytes: usize,
    },
    /// Data was sent before the connection opened. `InvalidStateError`, as
    /// the browser throws.
    NotOpen,
    /// Data was sent after the closing handshake started or the connection
    /// closed. The browser drops such data silently (and only grows
    /// `bufferedAmount`); this crate reports it instead. `InvalidStateError`.
    Closed {
        /// The state the socket was in (`Closing` or `Closed`).
        state: ReadyState,
    },
    /// `reconnect()` on a connection made without the reconnect option.
    /// `InvalidStateError`.
    NotReconnecting,
    /// The connection could not be opened: the handshake was refused or
    /// failed. Carries the close event the browser reported (code 1006).
    /// `NetworkError`.
    ConnectionFailed(CloseEvent),
    /// The handshake did not complete within the connect timeout; the
    /// attempt was abandoned and its socket closed. `TimeoutError`.
    ConnectTimeout {
        /// The timeout that passed, in milliseconds.
        ms: u32,
    },
    /// An open connection ended without a clean closing handshake (TCP
    /// drop, protocol error). Carries the close event (1006 …); the async
    /// stream yields it last. `NetworkError`.
    ConnectionLost(CloseEvent),
    /// A send while reconnecting did not fit in the outbox (its message or
    /// byte bound); the message was not queued. `QuotaExceededError`.
    OutboxFull {
        /// Messages already queued.
        queued_messages: usize,
        /// Bytes already queued.
        queued_bytes: usize,
        /// The size of the rejected message.
        message_bytes: usize,
    },
    /// A string is not one of the values the browser defines (for example
    /// a `binaryType` other than `"blob"` or `"arraybuffer"`). `TypeError`.
    UnknownValue {
        /// Which setting was being parsed.
        what: &'static str,
        /// The rejected value.
        value: String,
    },
    /// Any other exception the browser raised, by its name and message.
    Browser {
        /// The exception's `name` (for example `"InvalidStateError"`).
        name: String,
        /// The exception's `message`.
        message: String,
    },
}

/// Which call raised a browser exception; decides how its name maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation<'a> {
    /// `new WebSocket(url, protocols)`; protocols are checked in Rust first,
    /// so a `SyntaxError` from the browser is about the URL.
    Connect { url: &'a str },
    /// `send()`, `close()` and anything else.
    Other,
}

impl Error {
    /// What a send gets on a socket in `state`, or `None` when it is open:
    /// [`Error::NotOpen`] while connecting, [`Error::Closed`] once closing
    /// has started (where the browser would silently discard the data).
    pub(crate) fn unsendable_in(state: ReadyState) -> Option<Self> {
        match state {
            ReadyState::Open => None,
            ReadyState::Connecting => Some(Self::NotOpen),
            state => Some(Self::Closed { state }),
        }
    }

    /// The `DOMException` (or JS error) name for this failure, as the
    /// WebSockets standard uses it.
    pub fn name(&self) -> &str {
        match self {
            Self::InvalidUrl { .. }
            | Self::InvalidProtocol { .. }
            | Self::CloseReasonTooLong { .. } => "SyntaxError",
            Self::NotAllowed { .. } => "SecurityError",
            Self::InvalidCloseCode(_) => "InvalidAccessError",
            Self::NotOpen | Self::Closed { .. } | Self::NotReconnecting => "InvalidStateError",
            Self::ConnectionFailed(_) | Self::ConnectionLost(_) => "NetworkError",
            Self::ConnectTimeout { .. } => "TimeoutError",
            Self::OutboxFull { .. } => "QuotaExceededError",
            Self::UnknownValue { .. } => "TypeError",
            Self::Browser { name, .. } => name,
        }
    }

    /// Maps an exception the browser raised, given its `name` and
    /// `message`, to the variant for the call that raised it.
    pub(crate) fn from_exception(name: &str, message: &str, op: Operation<'_>) -> Self {
        match (op, name) {
            (Operation::Connect { url }, "SyntaxError") => Self::InvalidUrl {
                url: url.to_owned(),
                message: message.to_owned(),
            },
            (Operation::Connect { url }, "SecurityError") => Self::NotAllowed {
                url: url.to_owned(),
                message: message.to_owned(),
            },
            // A byte search: `str::contains` links a substring searcher and
            // str slicing's panic text (with Unicode tables) into the wasm.
            (_, "InvalidStateError")
                if message.as_bytes().windows(10).any(|w| w == b"CONNECTING") =>
            {
                Self::NotOpen
            }
            _ => Self::Browser {
                name: name.to_owned(),
                message: message.to_owned(),
            },
        }
    }

    /// Reads `name` and `message` off whatever the browser threw.
    pub(crate) fn from_js(value: &JsValue, op: Operation<'_>) -> Self {
        // A DOMException or an Error: read as properties, one import for
        // both (the typed web-sys and js-sys getters take six).
        if value.is_object() {
            let exception: &crate::bindings::Exception = value.unchecked_ref();
            if let (Some(name), Some(message)) = (
                exception.name().as_string(),
                exception.message().as_string(),
            ) {
                return Self::from_exception(&name, &message, op);
            }
        }
        let text = value
            .as_string()
            .unwrap_or_else(|| "an exception that is not an Error".to_owned());
        Self::from_exception("Error", &text, op)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { url, message } => {
                write!(f, "invalid WebSocket URL {}: {message}", Quoted(url))
            }
            Self::InvalidProtocol { protocol, problem } => match problem {
                ProtocolProblem::Empty => f.write_str("a subprotocol is the empty string"),
                ProtocolProblem::InvalidCharacter(c) => write!(
                    f,
                    "subprotocol {} contains {}, which is not allowed in a token",
                    Quoted(protocol),
                    QuotedChar(*c)
                ),
                ProtocolProblem::Duplicate => {
                    write!(
                        f,
                        "subprotocol {} is listed more than once",
                        Quoted(protocol)
                    )
                }
            },
            Self::NotAllowed { url, message } => {
                write!(f, "connecting to {} is not allowed: {message}", Quoted(url))
            }
            Self::InvalidCloseCode(code) => write!(
                f,
                "close code {code} is not allowed: use 1000 or a code from 3000 to 4999"
            ),
            Self::CloseReasonTooLong { bytes } => write!(
                f,
                "close reason is {bytes} bytes of UTF-8; at most {MAX_REASON_BYTES} are allowed"
            ),
            Self::NotOpen => f.write_str("cannot send: the socket is still CONNECTING"),
            Self::NotReconnecting => {
                f.write_str("reconnect() needs a reconnecting socket: pass the reconnect option")
            }
            Self::Closed { state } => write!(
                f,
                "cannot send: the socket is {state}; the browser would drop the data"
            ),
            Self::ConnectionFailed(event) => write!(f, "connection failed: {event}"),
            Self::ConnectTimeout { ms } => {
                write!(f, "the handshake did not complete within {ms} ms")
            }
            Self::ConnectionLost(event) => write!(f, "connection lost: {event}"),
            Self::OutboxFull {
                queued_messages,
                queued_bytes,
                message_bytes,
            } => write!(
                f,
                "outbox full: {queued_messages} messages ({queued_bytes} bytes) wait for the \
                 connection; a message of {message_bytes} bytes does not fit"
            ),
            Self::UnknownValue { what, value } => {
                write!(f, "{} is not a valid {what}", Quoted(value))
            }
            Self::Browser { name, message } => write!(f, "{name}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// A string in double quotes. (`{:?}` would do, but pulls Unicode escape
/// tables into every wasm build.)
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

/// A character in single quotes, or `U+XXXX` for an invisible one.
struct QuotedChar(char);

impl fmt::Display for QuotedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_control() {
            write!(f, "U+{:04X}", u32::from(self.0))
        } else {
            write!(f, "'{}'", self.0)
        }
    }
}

impl From<Error> for JsValue {
    /// What the browser would throw: a `DOMException` with [`Error::name`]
    /// (a `TypeError` for [`Error::UnknownValue`]) and the Display text as
    /// its message, so `catch (e) { e.name }` works as with the browser's
    /// own exceptions.
    fn from(error: Error) -> JsValue {
        let message = error.to_string();
        if matches!(error, Error::UnknownValue { .. }) {
            return js_sys::TypeError::new(&message).into();
        }
        match web_sys::DomException::new_with_message_and_name(&message, error.name()) {
            Ok(dom) => dom.into(),
            Err(_) => {
                let js = js_sys::Error::new(&message);
                js.set_name(error.name());
                js.into()
            }
        }
    }
}

// Parsing the browser's numbers and names: here rather than beside the
// enums, so that `ready_state` does not depend back on `error`.

impl TryFrom<u16> for ReadyState {
    type Error = Error;

    fn try_from(value: u16) -> Result<Self, Error> {
        Self::from_u16(value).ok_or_else(|| Error::UnknownValue {
            what: "readyState",
            value: value.to_string(),
        })
    }
}

impl FromStr for BinaryType {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self, Error> {
        Self::from_name(value).ok_or_else(|| Error::UnknownValue {
            what: "binaryType",
            value: value.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_standard() {
        let cases: [(Error, &str); 9] = [
            (
                Error::InvalidUrl {
                    url: "x".into(),
                    message: "m".into(),
                },
                "SyntaxError",
            ),
            (
                Error::InvalidProtocol {
                    protocol: "a".into(),
                    problem: ProtocolProblem::Duplicate,
                },
                "SyntaxError",
            ),
            (Error::CloseReasonTooLong { bytes: 124 }, "SyntaxError"),
            (
                Error::NotAllowed {
                    url: "ws://h/".into(),
                    message: "m".into(),
                },
                "SecurityError",
            ),
            (Error::InvalidCloseCode(999), "InvalidAccessError"),
            (Error::NotOpen, "InvalidStateError"),
            (
                Error::Closed {
                    state: ReadyState::Closing,
                },
                "InvalidStateError",
            ),
            (
                Error::UnknownValue {
                    what: "binaryType",
                    value: "x".into(),
                },
                "TypeError",
            ),
            (
                Error::Browser {
                    name: "QuotaExceededError".into(),
                    message: "m".into(),
                },
                "QuotaExceededError",
            ),
        ];
        for (err, name) in cases {
            assert_eq!(err.name(), name, "{err:?}");
        }
    }

    #[test]
    fn constructor_exceptions_map_to_url_and_security_errors() {
        let op = Operation::Connect { url: "ws://h/#f" };
        assert_eq!(
            Error::from_exception("SyntaxError", "has a fragment", op),
            Error::InvalidUrl {
                url: "ws://h/#f".into(),
                message: "has a fragment".into()
            }
        );
        assert_eq!(
            Error::from_exception("SecurityError", "insecure from https", op),
            Error::NotAllowed {
                url: "ws://h/#f".into(),
                message: "insecure from https".into()
            }
        );
    }

    #[test]
    fn other_exceptions_keep_name_and_message() {
        assert_eq!(
            Error::from_exception("SyntaxError", "bad", Operation::Other),
            Error::Browser {
                name: "SyntaxError".into(),
                message: "bad".into()
            }
        );
        assert_eq!(
            Error::from_exception(
                "InvalidStateError",
                "Still in CONNECTING state.",
                Operation::Other
            ),
            Error::NotOpen
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            Error::InvalidCloseCode(2999).to_string(),
            "close code 2999 is not allowed: use 1000 or a code from 3000 to 4999"
        );
        assert_eq!(
            Error::CloseReasonTooLong { bytes: 124 }.to_string(),
            "close reason is 124 bytes of UTF-8; at most 123 are allowed"
        );
        assert_eq!(
            Error::Closed {
                state: ReadyState::Closed
            }
            .to_string(),
            "cannot send: the socket is CLOSED; the browser would drop the data"
        );
        assert_eq!(
            Error::InvalidProtocol {
                protocol: "a b".into(),
                problem: ProtocolProblem::InvalidCharacter(' ')
            }
            .to_string(),
            "subprotocol \"a b\" contains ' ', which is not allowed in a token"
        );
    }
}
