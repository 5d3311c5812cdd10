//! End-to-end delivery (feature `delivery`, docs/delivery.md) from the Rust
//! faces, against the test server's `/delivery` echo (server/server.js,
//! over `wasm-websocket/server`) and its plain `/echo`.
//!
//! Covers: the callback face negotiates, echoes text as text and bytes as
//! bytes, and reports what the server confirmed; a connection dropped in
//! the middle of 200 numbered messages loses none and repeats none, in
//! either direction; a server that does not speak the protocol makes the
//! status `Unavailable` (one event) and echo still works; the async face
//! carries delivery through its Sink and Stream.
#![cfg(feature = "delivery")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use futures::{SinkExt, StreamExt};
use wasm_bindgen_test::*;
use wasm_websocket::{
    BinaryType, ConnectOptions, Connection, DeliveryOptions, DeliveryStatus, Message,
    ReconnectEvent, ReconnectOptions, ReconnectPolicy, ReconnectingWebSocket,
};

#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn delivery_options() -> ConnectOptions {
    ConnectOptions::default()
        .binary_type(BinaryType::ArrayBuffer)
        .reconnect(ReconnectOptions {
            policy: ReconnectPolicy {
                min_delay_ms: 100,
                max_delay_ms: 300,
                ..Default::default()
            },
            ..Default::default()
        })
        .delivery(DeliveryOptions {
            negotiate_timeout_ms: 1000,
            ..Default::default()
        })
}

/// A delivery socket recording its messages and reconnect events.
struct Recorded {
    ws: ReconnectingWebSocket,
    messages: Rc<RefCell<Vec<Message>>>,
    events: Rc<RefCell<Vec<ReconnectEvent>>>,
}

fn connect(path: &str) -> Recorded {
    let ws = ReconnectingWebSocket::with_options(&url(path), delivery_options()).unwrap();
    let messages = Rc::new(RefCell::new(Vec::new()));
    let log = messages.clone();
    ws.set_onmessage(move |m| log.borrow_mut().push(m));
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = events.clone();
    ws.set_onreconnect(move |e| log.borrow_mut().push(e.clone()));
    Recorded {
        ws,
        messages,
        events,
    }
}

impl Recorded {
    fn delivered_up_to(&self) -> u64 {
        self.events
            .borrow()
            .iter()
            .filter_map(|e| match e {
                ReconnectEvent::Delivered { up_to } => Some(*up_to),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

fn numbered(i: u32) -> String {
    format!("m{i:04}")
}

#[wasm_bindgen_test]
async fn text_and_bytes_are_echoed_as_they_were_sent_and_confirmed() {
    let key = unique_key("rust-delivery");
    let r = connect(&format!("/delivery?key={key}"));
    assert_eq!(r.ws.delivery_status(), DeliveryStatus::Negotiating);
    r.ws.send("héllo").unwrap();
    r.ws.send(&[0u8, 1, 2, 255][..]).unwrap();
    r.ws.send("").unwrap();
    assert_eq!(r.ws.last_message_id(), 3);
    wait_until("three echoes", 5000, || r.messages.borrow().len() == 3).await;
    assert_eq!(r.ws.delivery_status(), DeliveryStatus::On);
    assert_eq!(
        *r.messages.borrow(),
        [
            Message::Text("héllo".into()),
            Message::Binary(vec![0, 1, 2, 255]),
            Message::Text(String::new()),
        ]
    );
    wait_until("all three confirmed", 5000, || r.delivered_up_to() == 3).await;
    assert_eq!(r.ws.delivered_id(), 3);
    r.ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_drop_mid_stream_loses_nothing_and_repeats_nothing() {
    let key = unique_key("rust-delivery-drop");
    let r = connect(&format!("/delivery?key={key}"));
    for i in 0..100 {
        r.ws.send(numbered(i).as_str()).unwrap();
    }
    wait_until("some echoes", 5000, || r.messages.borrow().len() >= 20).await;
    assert_eq!(control(&format!("/control/drop?key={key}")).await, "1");
    for i in 100..200 {
        r.ws.send(numbered(i).as_str()).unwrap();
    }
    wait_until("200 echoes", 15_000, || r.messages.borrow().len() >= 200).await;
    sleep(300).await; // a duplicate would show by now
    let got: Vec<String> = r
        .messages
        .borrow()
        .iter()
        .map(|m| m.as_text().unwrap_or("(binary)").to_owned())
        .collect();
    let want: Vec<String> = (0..200).map(numbered).collect();
    assert_eq!(got, want, "every echo once, in order");
    wait_until("all 200 confirmed", 5000, || r.delivered_up_to() == 200).await;
    let reconnects = r
        .events
        .borrow()
        .iter()
        .filter(|e| matches!(e, ReconnectEvent::Reconnected { .. }))
        .count();
    assert_eq!(reconnects, 1);
    let lost = r
        .events
        .borrow()
        .iter()
        .any(|e| matches!(e, ReconnectEvent::SessionLost { .. }));
    assert!(!lost, "the session was resumed");
    r.ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_server_without_the_protocol_makes_delivery_unavailable_and_echo_works() {
    let r = connect("/echo");
    r.ws.send("plain").unwrap();
    wait_until("the echo", 5000, || r.messages.borrow().len() == 1).await;
    assert_eq!(r.ws.delivery_status(), DeliveryStatus::Unavailable);
    assert_eq!(*r.messages.borrow(), [Message::Text("plain".into())]);
    r.ws.send(&[9u8, 8][..]).unwrap();
    wait_until("the binary echo", 5000, || r.messages.borrow().len() == 2).await;
    assert_eq!(r.messages.borrow()[1], Message::Binary(vec![9, 8]));
    let unavailable = r
        .events
        .borrow()
        .iter()
        .filter(|e| matches!(e, ReconnectEvent::DeliveryUnavailable))
        .count();
    assert_eq!(unavailable, 1);
    assert_eq!(r.delivered_up_to(), 0, "nothing is claimed delivered");
    r.ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn the_async_face_carries_delivery() {
    let key = unique_key("rust-delivery-async");
    let mut conn =
        Connection::connect_with(&url(&format!("/delivery?key={key}")), delivery_options())
            .await
            .unwrap();
    conn.send(Message::Text("one".into())).await.unwrap();
    conn.send(Message::Binary(vec![1, 2, 3])).await.unwrap();
    let first = conn.next().await.unwrap().unwrap();
    let second = conn.next().await.unwrap().unwrap();
    assert_eq!(first, Message::Text("one".into()));
    assert_eq!(second, Message::Binary(vec![1, 2, 3]));
    let socket = conn.as_reconnecting().unwrap();
    assert_eq!(socket.delivery_status(), DeliveryStatus::On);
    assert_eq!(socket.last_message_id(), 2);
    wait_until("both confirmed", 5000, || socket.delivered_id() == 2).await;
}
