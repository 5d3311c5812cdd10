//! Closing, from either side, cleanly or not.
//!
//! Covers: client close with 1000, with 4000 and a reason, and with no code
//! (1005), all clean; server-initiated close code and reason; an abrupt TCP
//! drop after open (1006, not clean, and no error event); a refused
//! handshake (error, then 1006); close while connecting (1006); closing
//! twice is a no-op; invalid codes and reasons are typed errors checked in
//! Rust, and the socket stays usable after them.

mod common;

use common::*;
use wasm_bindgen_test::*;
use wasm_websocket::{CloseEvent, Error, Message, ReadyState, WebSocket};

// The same tests run in a page and, built with `--cfg wasm_ws_worker`
// (npm test does both), in a dedicated Web Worker, where there is no window.
#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn client_close_1000_is_clean() {
    let (ws, rec) = open_echo().await;
    ws.close_with(1000, "").unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Closing);
    let event = rec.closed().await;
    assert_eq!(
        event,
        CloseEvent {
            code: 1000,
            reason: String::new(),
            was_clean: true
        }
    );
    assert_eq!(ws.ready_state(), ReadyState::Closed);
}

#[wasm_bindgen_test]
async fn client_close_with_4000_and_reason_reports_both() {
    let (ws, rec) = open_echo().await;
    ws.close_with(4000, "fin 完").unwrap();
    let event = rec.closed().await;
    assert_eq!(
        event,
        CloseEvent {
            code: 4000,
            reason: "fin 完".into(),
            was_clean: true
        }
    );
    assert_eq!(
        rec.snapshot(),
        vec![Event::Open, Event::Close(event)],
        "no error event on a clean close"
    );
}

#[wasm_bindgen_test]
async fn close_without_code_reports_1005() {
    let (ws, rec) = open_echo().await;
    ws.close().unwrap();
    let event = rec.closed().await;
    assert_eq!((event.code, event.was_clean), (1005, true));
}

#[wasm_bindgen_test]
async fn server_close_code_and_reason_reach_the_client() {
    let ws = WebSocket::new(&url("/close?code=4321&reason=server%20says%20bye")).unwrap();
    let rec = Recorder::attach(&ws);
    let event = rec.closed().await;
    assert_eq!(
        event,
        CloseEvent {
            code: 4321,
            reason: "server says bye".into(),
            was_clean: true
        }
    );
    assert_eq!(rec.snapshot(), vec![Event::Open, Event::Close(event)]);
}

#[wasm_bindgen_test]
async fn abrupt_drop_after_open_gives_1006_without_error_event() {
    let ws = WebSocket::new(&url("/drop?delay=50")).unwrap();
    let rec = Recorder::attach(&ws);
    let event = rec.closed().await;
    assert_eq!((event.code, event.was_clean), (1006, false));
    // The standard fires error only when the connection *fails*; a lost
    // connection gives just the close event (Chromium follows this).
    assert_eq!(rec.snapshot(), vec![Event::Open, Event::Close(event)]);
}

#[wasm_bindgen_test]
async fn refused_handshake_gives_error_then_1006() {
    let ws = WebSocket::new(&url("/refuse?status=403")).unwrap();
    let rec = Recorder::attach(&ws);
    let event = rec.closed().await;
    assert_eq!(
        rec.snapshot(),
        vec![
            Event::Error,
            Event::Close(CloseEvent {
                code: 1006,
                reason: String::new(),
                was_clean: false
            })
        ]
    );
    assert_eq!(event.code, 1006);
}

#[wasm_bindgen_test]
async fn close_while_connecting_fails_the_connection() {
    let ws = WebSocket::new(&url("/hang")).unwrap();
    let rec = Recorder::attach(&ws);
    assert_eq!(ws.ready_state(), ReadyState::Connecting);
    ws.close().unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Closing);
    let event = rec.closed().await;
    assert_eq!((event.code, event.was_clean), (1006, false));
    assert!(!rec.snapshot().contains(&Event::Open));
}

#[wasm_bindgen_test]
async fn closing_twice_is_a_no_op_and_delivers_one_close_event() {
    let (ws, rec) = open_echo().await;
    ws.close_with(4001, "first").unwrap();
    ws.close_with(4002, "second").unwrap();
    ws.close().unwrap();
    let event = rec.closed().await;
    assert_eq!((event.code, event.reason.as_str()), (4001, "first"));
    sleep(100).await;
    ws.close().unwrap();
    let closes = rec
        .snapshot()
        .iter()
        .filter(|e| matches!(e, Event::Close(_)))
        .count();
    assert_eq!(closes, 1);
}

#[wasm_bindgen_test]
async fn invalid_close_arguments_are_typed_errors_and_the_socket_stays_open() {
    let (ws, rec) = open_echo().await;
    for code in [0u16, 999, 1001, 1005, 1006, 2999, 5000, u16::MAX] {
        assert_eq!(ws.close_with(code, ""), Err(Error::InvalidCloseCode(code)));
    }
    let err = ws.close_with(1000, &"é".repeat(62)).unwrap_err();
    assert_eq!(err, Error::CloseReasonTooLong { bytes: 124 });
    assert_eq!(err.name(), "SyntaxError");
    // Code is checked before the reason.
    assert_eq!(
        ws.close_with(2999, &"x".repeat(200)),
        Err(Error::InvalidCloseCode(2999))
    );
    assert_eq!(ws.ready_state(), ReadyState::Open);
    ws.send("still usable").unwrap();
    let got = rec.message_count(1).await;
    assert_eq!(got[0], Message::Text("still usable".into()));
    ws.close_with(1000, "").unwrap();
    assert_eq!(rec.closed().await.code, 1000);
}

#[wasm_bindgen_test]
async fn reason_of_exactly_123_bytes_is_accepted_and_delivered() {
    let (ws, rec) = open_echo().await;
    let reason = format!("{}a", "é".repeat(61));
    assert_eq!(reason.len(), 123);
    ws.close_with(4999, &reason).unwrap();
    let event = rec.closed().await;
    assert_eq!((event.code, event.reason), (4999, reason));
}
