//! Subprotocol list rules: each entry must be an HTTP token (RFC 6455
//! section 4.1, RFC 7230 `token`) and no entry may appear twice. Checked in
//! Rust before the browser is asked, so the error names the bad entry.

use crate::error::{Error, ProtocolProblem};

/// Checks a subprotocol list the way `new WebSocket(url, protocols)` does.
///
/// Duplicates are compared exactly, as Chromium does (the standard leaves
/// case-insensitive duplicates open), so `["chat", "Chat"]` is accepted.
///
/// ```
/// use wasm_websocket::{validate_protocols, Error, ProtocolProblem};
/// assert!(validate_protocols(&["echo-protocol", "chat.v2"]).is_ok());
/// assert_eq!(
///     validate_protocols(&["a", "a"]),
///     Err(Error::InvalidProtocol { protocol: "a".into(), problem: ProtocolProblem::Duplicate })
/// );
/// ```
pub fn validate_protocols<S: AsRef<str>>(protocols: &[S]) -> Result<(), Error> {
    for (i, protocol) in protocols.iter().enumerate() {
        let protocol = protocol.as_ref();
        let problem = if protocol.is_empty() {
            Some(ProtocolProblem::Empty)
        } else if let Some(c) = protocol.chars().find(|&c| !is_token_char(c)) {
            Some(ProtocolProblem::InvalidCharacter(c))
        } else if protocols[..i].iter().any(|p| p.as_ref() == protocol) {
            Some(ProtocolProblem::Duplicate)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidProtocol {
                protocol: protocol.to_owned(),
                problem,
            });
        }
    }
    Ok(())
}

/// A visible ASCII character that is not an HTTP separator.
fn is_token_char(c: char) -> bool {
    // Bytes, not `str::contains`, which links str searching.
    matches!(c, '\u{21}'..='\u{7e}') && !b"()<>@,;:\\\"/[]?={}".contains(&(c as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(list: &[&str]) -> Option<(String, ProtocolProblem)> {
        match validate_protocols(list) {
            Ok(()) => None,
            Err(Error::InvalidProtocol { protocol, problem }) => Some((protocol, problem)),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn tokens_are_accepted() {
        assert_eq!(problem(&[]), None);
        assert_eq!(
            problem(&["echo-protocol", "v1.chat", "x_y~z!#$%&'*+^`|"]),
            None
        );
        assert_eq!(
            problem(&["chat", "Chat"]),
            None,
            "case-only duplicates pass"
        );
    }

    #[test]
    fn empty_separator_space_and_non_ascii_entries_are_rejected() {
        assert_eq!(problem(&[""]), Some(("".into(), ProtocolProblem::Empty)));
        for (entry, bad) in [
            ("a b", ' '),
            ("a,b", ','),
            ("x/y", '/'),
            ("{}", '{'),
            ("tab\t", '\t'),
            ("протокол", 'п'),
            ("del\u{7f}", '\u{7f}'),
        ] {
            assert_eq!(
                problem(&["ok", entry]),
                Some((entry.into(), ProtocolProblem::InvalidCharacter(bad))),
                "{entry:?}"
            );
        }
    }

    #[test]
    fn exact_duplicates_are_rejected_and_named() {
        assert_eq!(
            problem(&["a", "b", "a"]),
            Some(("a".into(), ProtocolProblem::Duplicate))
        );
    }
}
