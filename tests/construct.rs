//! Construction and the send-state rules.
//!
//! Covers: invalid URLs (fragment, unknown scheme, unparsable) give
//! InvalidUrl/SyntaxError with the browser's message; a blocked port is
//! constructed and then fails with error and close 1006; invalid subprotocol lists (empty, separator,
//! non-ASCII, duplicate) give InvalidProtocol before the browser is asked;
//! http URLs become ws; send while CONNECTING gives NotOpen; send after
//! close (CLOSING and CLOSED) gives Closed instead of a silent drop, and
//! bufferedAmount stays 0.

mod common;

use common::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use wasm_websocket::{Error, ProtocolProblem, ReadyState, WebSocket};

// The same tests run in a page and, built with `--cfg wasm_ws_worker`
// (npm test does both), in a dedicated Web Worker, where there is no window.
#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn invalid_urls_are_syntax_errors_naming_the_url() {
    for bad in [
        "ws://127.0.0.1:8765/#fragment",
        "ftp://127.0.0.1/",
        "ws://[::1",
        "ws://",
    ] {
        match WebSocket::new(bad) {
            Err(Error::InvalidUrl { url, message }) => {
                assert_eq!(url, bad);
                assert!(!message.is_empty(), "browser message kept for {bad}");
            }
            other => panic!("{bad}: expected InvalidUrl, got {other:?}"),
        }
    }
    let err = WebSocket::new("mailto:x@y").unwrap_err();
    assert_eq!(err.name(), "SyntaxError");
}

#[wasm_bindgen_test]
async fn blocked_port_fails_the_connection_not_the_constructor() {
    // The fetch standard's bad ports are a network error now: every engine
    // returns the socket, then fires error and an unclean 1006 close.
    for port in [25, 6667, 10080] {
        let bad = format!("ws://127.0.0.1:{port}/");
        let ws = WebSocket::new(&bad).unwrap_or_else(|e| panic!("{bad}: constructed, not {e:?}"));
        assert_eq!(ws.url(), bad);
        let rec = Recorder::attach(&ws);
        let close = rec.closed().await;
        assert_eq!(
            (close.code, close.was_clean),
            (1006, false),
            "{bad}: {close:?}"
        );
        assert_eq!(
            rec.snapshot(),
            vec![Event::Error, Event::Close(close)],
            "{bad}: error, then close, and nothing else"
        );
        assert_eq!(ws.ready_state(), ReadyState::Closed);
    }
}

#[wasm_bindgen_test]
fn invalid_protocol_lists_are_rejected_before_connecting() {
    let cases: [(&[&str], &str, ProtocolProblem); 4] = [
        (&[""], "", ProtocolProblem::Empty),
        (&["a b"], "a b", ProtocolProblem::InvalidCharacter(' ')),
        (
            &["ok", "日本"],
            "日本",
            ProtocolProblem::InvalidCharacter('日'),
        ),
        (&["x", "y", "x"], "x", ProtocolProblem::Duplicate),
    ];
    for (list, protocol, problem) in cases {
        let err = WebSocket::with_protocols(&url("/echo"), list).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidProtocol {
                protocol: protocol.into(),
                problem
            }
        );
        assert_eq!(err.name(), "SyntaxError");
    }
}

#[wasm_bindgen_test]
async fn http_scheme_becomes_ws() {
    let ws = WebSocket::new(&http_url("/echo")).unwrap();
    assert_eq!(ws.url(), url("/echo"));
    let rec = Recorder::attach(&ws);
    rec.opened().await;
}

#[wasm_bindgen_test]
async fn send_while_connecting_is_not_open() {
    let ws = WebSocket::new(&url("/hang")).unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Connecting);
    let err = ws.send("too early").unwrap_err();
    assert_eq!(err, Error::NotOpen);
    assert_eq!(err.name(), "InvalidStateError");
    assert_eq!(ws.send(&[1u8][..]), Err(Error::NotOpen));
}

#[wasm_bindgen_test]
async fn send_after_close_is_an_error_not_a_silent_drop() {
    let (ws, rec) = open_echo().await;
    ws.close_with(1000, "").unwrap();
    assert_eq!(
        ws.send("while closing"),
        Err(Error::Closed {
            state: ReadyState::Closing
        })
    );
    rec.closed().await;
    let err = ws.send(&[1u8, 2, 3]).unwrap_err();
    assert_eq!(
        err,
        Error::Closed {
            state: ReadyState::Closed
        }
    );
    assert_eq!(err.name(), "InvalidStateError");
    // Nothing was handed to the browser.
    assert_eq!(ws.buffered_amount(), 0);
}

#[wasm_bindgen_test]
fn errors_become_dom_exceptions_with_the_standard_name() {
    let value = JsValue::from(Error::InvalidCloseCode(999));
    assert!(
        value.is_instance_of::<js_sys::Error>(),
        "DOMException is an Error"
    );
    let dom: web_sys::DomException = value.dyn_into().unwrap();
    assert_eq!(dom.name(), "InvalidAccessError");
    assert_eq!(dom.code(), 15, "the legacy code follows the name");
    assert_eq!(
        dom.message(),
        "close code 999 is not allowed: use 1000 or a code from 3000 to 4999"
    );
    let type_error = JsValue::from(Error::UnknownValue {
        what: "binaryType",
        value: "text".into(),
    });
    assert!(type_error.is_instance_of::<js_sys::TypeError>());
}

#[wasm_bindgen_test]
fn the_tests_run_where_they_claim() {
    // Built with --cfg wasm_ws_worker these tests run in a dedicated
    // worker, which has no document.
    let has_document = js_sys::Reflect::has(&js_sys::global(), &"document".into()).unwrap();
    assert_eq!(has_document, !cfg!(wasm_ws_worker));
    // And in the engine the script names (the WebKit run goes through the
    // runner's Firefox code path, so a misrouted run must show here).
    if let Some(claimed) = CLAIMED_ENGINE {
        assert_eq!(format!("{:?}", engine()).to_lowercase(), claimed);
    }
}

#[wasm_bindgen_test]
fn other_url_errors_come_before_the_port_check_as_in_the_browser() {
    // Fragment and scheme are the browser's SyntaxErrors even on a blocked port.
    assert!(matches!(
        WebSocket::new("ws://127.0.0.1:25/#x"),
        Err(Error::InvalidUrl { .. })
    ));
    assert!(matches!(
        WebSocket::new("ftp://127.0.0.1:25/"),
        Err(Error::InvalidUrl { .. })
    ));
    // A relative URL is resolved first: the page's own port is fine.
    assert!(WebSocket::new("/echo").is_ok());
}
