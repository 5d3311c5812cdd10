//! Handlers, listeners and ownership.
//!
//! Covers: several listeners run in registration order with the handler in
//! its slot; replacing a handler replaces it; clearing it stops it; a
//! dropped listener handle stops that listener; dropping the socket closes
//! the connection (the server sees it) and detaches every handler, so later
//! events reach nobody and nothing throws; dropping the socket from inside
//! its own callback is safe.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use wasm_bindgen_test::*;
use wasm_websocket::{Message, WebSocket};

// The same tests run in a page and, built with `--cfg wasm_ws_worker`
// (npm test does both), in a dedicated Web Worker, where there is no window.
#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

type Log = Rc<RefCell<Vec<String>>>;

fn push(log: &Log, entry: &str) {
    log.borrow_mut().push(entry.to_owned());
}

#[wasm_bindgen_test]
async fn listeners_and_handler_run_in_registration_order() {
    let log = Log::default();
    let ws = WebSocket::with_protocols(&url("/echo"), &["echo-protocol"]).unwrap();
    let l = log.clone();
    let _a = ws.add_open_listener(move || push(&l, "a"));
    let l = log.clone();
    ws.set_onopen(move || push(&l, "handler-1"));
    let l = log.clone();
    let _b = ws.add_open_listener(move || push(&l, "b"));
    let l = log.clone();
    ws.set_onopen(move || push(&l, "handler-2")); // replaces, keeps the slot
    let l = log.clone();
    let c = ws.add_open_listener(move || push(&l, "c"));
    drop(c); // removed before the event
    wait_until("open", 5000, || !log.borrow().is_empty()).await;
    sleep(20).await;
    assert_eq!(*log.borrow(), ["a", "handler-2", "b"]);
}

#[wasm_bindgen_test]
async fn message_listeners_each_get_the_message_and_cleared_handler_stops() {
    let (ws, rec) = open_echo().await; // rec owns the onmessage handler
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let listener = ws.add_message_listener(move |m| s.borrow_mut().push(m));
    ws.send("one").unwrap();
    rec.message_count(1).await;
    ws.clear_onmessage();
    drop(listener);
    ws.send("two").unwrap();
    ws.send("three").unwrap();
    sleep(150).await;
    assert_eq!(rec.messages(), vec![Message::Text("one".into())]);
    assert_eq!(*seen.borrow(), vec![Message::Text("one".into())]);
}

#[wasm_bindgen_test]
async fn dropping_the_socket_closes_it_and_detaches_every_handler() {
    let errors = UncaughtErrors::watch();
    let (ws, rec) = open_echo().await;
    let raw = ws.as_raw().clone();
    let extra = Rc::new(RefCell::new(0));
    let e = extra.clone();
    let listener = ws.add_message_listener(move |_| *e.borrow_mut() += 1);
    ws.send("in flight").unwrap();
    drop(ws);
    // The browser socket is closing: the server will see the close.
    assert_eq!(raw.ready_state(), 2, "CLOSING after drop");
    sleep(300).await;
    assert_eq!(raw.ready_state(), 3, "CLOSED after the handshake");
    // Neither the echo nor the close event reached anything of ours.
    assert_eq!(rec.snapshot(), vec![Event::Open]);
    assert_eq!(*extra.borrow(), 0);
    drop(listener); // a handle outliving its socket is harmless
    assert_eq!(errors.seen(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn dropping_a_connecting_socket_aborts_the_handshake() {
    let errors = UncaughtErrors::watch();
    let ws = WebSocket::new(&url("/hang")).unwrap();
    let rec = Recorder::attach(&ws);
    let raw = ws.as_raw().clone();
    drop(ws);
    sleep(200).await;
    assert_eq!(raw.ready_state(), 3);
    assert!(rec.snapshot().is_empty(), "{:?}", rec.snapshot());
    assert_eq!(errors.seen(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn dropping_the_socket_inside_its_own_callback_is_safe() {
    let errors = UncaughtErrors::watch();
    let slot: Rc<RefCell<Option<WebSocket>>> = Rc::default();
    let ws = WebSocket::with_protocols(&url("/echo"), &["echo-protocol"]).unwrap();
    let raw = ws.as_raw().clone();
    let log = Log::default();
    let (s, l) = (slot.clone(), log.clone());
    ws.set_onmessage(move |m| {
        push(&l, m.as_text().unwrap_or("?"));
        s.borrow_mut().take(); // drops the socket that is calling us
    });
    let l = log.clone();
    let _after = ws.add_message_listener(move |_| push(&l, "second listener"));
    let weak = ws.downgrade();
    ws.set_onopen(move || {
        if let Some(ws) = weak.upgrade() {
            ws.send("a").unwrap();
            ws.send("b").unwrap();
        }
    });
    *slot.borrow_mut() = Some(ws);
    wait_until("first message", 5000, || !log.borrow().is_empty()).await;
    sleep(200).await;
    // The dispatch that dropped the socket finishes (the second listener
    // still ran for "a"); "b" and the close event reach no one.
    assert_eq!(*log.borrow(), ["a", "second listener"]);
    assert!(slot.borrow().is_none());
    assert_eq!(raw.ready_state(), 3);
    assert_eq!(errors.seen(), Vec::<String>::new());
}
