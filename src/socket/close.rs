//! Checking `close()`'s arguments as the standard does, before the
//! browser is called.

use crate::error::Error;
use crate::vocabulary::close_event::{is_valid_close_code, MAX_REASON_BYTES};

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

/// The close frame for checked `close()` arguments: the standard lets a
/// reason go without a code, and then the frame carries 1000 (RFC 6455
/// needs a code before any reason).
pub(crate) fn close_frame(code: Option<u16>, reason: Option<&str>) -> (Option<u16>, Option<&str>) {
    match (code, reason) {
        (None, Some(reason)) => (
            Some(crate::vocabulary::close_event::codes::NORMAL),
            Some(reason),
        ),
        other => other,
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
}
