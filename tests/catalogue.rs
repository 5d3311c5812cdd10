//! The bad-input catalogue (README, "Bad input"), rows not already covered
//! by construct.rs, close.rs and echo.rs: what the browser does with odd
//! URLs, protocol lists and text, a message over the server's limit, and a
//! server that breaks the protocol. Each row: the typed error or the
//! behaviour, never a panic.

mod common;

use common::*;
use wasm_bindgen_test::*;
use wasm_websocket::{Error, Message, Payload, ReadyState, WebSocket};

#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The page's (or worker's) own URL, which relative URLs resolve against.
fn base_url() -> String {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).unwrap();
    js_sys::Reflect::get(&location, &"href".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn relative_and_empty_urls_resolve_against_the_page_as_ws() {
    let base = base_url(); // http://127.0.0.1:<runner port>/...
    let origin: String = base.split('/').take(3).collect::<Vec<_>>().join("/");
    let ws_origin = origin.replacen("http", "ws", 1);

    let relative = WebSocket::new("/echo").unwrap();
    assert_eq!(relative.url(), format!("{ws_origin}/echo"));
    let empty = WebSocket::new("").unwrap();
    assert!(empty.url().starts_with(&ws_origin), "{}", empty.url());
    assert_eq!(
        empty.url(),
        base.replacen("http", "ws", 1).split('#').next().unwrap()
    );
}

#[wasm_bindgen_test]
async fn a_server_selecting_no_offered_protocol_fails_the_connection_in_every_engine() {
    // The standard fails it (Chromium does so itself; Firefox and WebKit
    // would open it): error, then close 1006, never open.
    let ws = WebSocket::with_protocols(&url("/echo"), &["not-echo"]).unwrap();
    let rec = Recorder::attach(&ws);
    let close = rec.closed().await;
    assert_eq!(close.code, 1006);
    assert!(!close.was_clean);
    assert_eq!(rec.snapshot(), vec![Event::Error, Event::Close(close)]);
    assert_eq!(ws.ready_state(), ReadyState::Closed);
    assert_eq!(ws.protocol(), "");
    assert!(matches!(ws.send("late"), Err(Error::Closed { .. })));
    // No event of the engine's own follows ours.
    sleep(300).await;
    assert_eq!(rec.snapshot().len(), 2);
}

#[wasm_bindgen_test]
async fn spaces_in_the_path_are_percent_encoded_and_connect() {
    let ws = WebSocket::new(&url("/echo with space")).unwrap();
    assert_eq!(ws.url(), url("/echo%20with%20space"));
    let rec = Recorder::attach(&ws);
    rec.opened().await;
}

#[wasm_bindgen_test]
async fn protocols_differing_only_in_case_are_both_offered() {
    let ws = WebSocket::with_protocols(&url("/first-protocol"), &["chat", "Chat"]).unwrap();
    let rec = Recorder::attach(&ws);
    rec.opened().await;
    assert_eq!(ws.protocol(), "chat");
}

#[wasm_bindgen_test]
async fn unpaired_surrogates_in_text_are_sent_as_replacement_characters() {
    let (ws, rec) = open_echo().await;
    // A JS string Rust cannot hold: a lone high surrogate, then "a".
    let lone = js_sys::JsString::from_char_code2(0xD800, u32::from(b'a'));
    ws.send(Payload::JsValue(&lone)).unwrap();
    let got = rec.message_count(1).await;
    assert_eq!(got[0], Message::Text("\u{FFFD}a".into()));
}

#[wasm_bindgen_test]
async fn a_64_mib_message_over_the_server_limit_is_closed_with_1009() {
    let (ws, rec) = open_echo().await;
    let big = vec![7u8; 64 << 20];
    ws.send(&big).unwrap();
    drop(big);
    let event = rec.closed().await;
    assert_eq!(event.code, 1009, "{event}");
    assert_eq!(
        ws.send("after"),
        Err(Error::Closed {
            state: ReadyState::Closed
        })
    );
}

#[wasm_bindgen_test]
async fn a_server_breaking_the_protocol_gives_error_then_1006() {
    let ws = WebSocket::new(&url("/violate?delay=20")).unwrap();
    let rec = Recorder::attach(&ws);
    let event = rec.closed().await;
    assert_eq!((event.code, event.was_clean), (1006, false));
    assert_eq!(
        rec.snapshot(),
        vec![Event::Open, Event::Error, Event::Close(event)]
    );
}
