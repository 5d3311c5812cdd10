//! Helpers shared by the browser tests: the echo server's address, an event
//! recorder, and bounded waits (a test that waits forever proves nothing).
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_websocket::{CloseEvent, Message, WebSocket};

/// The echo/test server (server/server.js) that `npm test` starts. Compiled in
/// so the tests can be pointed elsewhere: `WS_ECHO_URL=ws://host:port`.
pub const ECHO: &str = match option_env!("WS_ECHO_URL") {
    Some(url) => url,
    None => "ws://127.0.0.1:8765",
};

/// The test server's URL for an endpoint path such as `/echo`.
pub fn url(path: &str) -> String {
    format!("{ECHO}{path}")
}

/// The same server over http, for its control endpoints.
pub fn http_url(path: &str) -> String {
    format!("{}{path}", ECHO.replacen("ws", "http", 1))
}

/// One observed event, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Open,
    Message(Message),
    Close(CloseEvent),
    Error,
}

/// Records every event of a socket through its `on…` handlers.
#[derive(Clone, Default)]
pub struct Recorder {
    pub events: Rc<RefCell<Vec<Event>>>,
}

impl Recorder {
    pub fn attach(ws: &WebSocket) -> Self {
        let rec = Self::default();
        let log = rec.events.clone();
        ws.set_onopen(move || log.borrow_mut().push(Event::Open));
        let log = rec.events.clone();
        ws.set_onmessage(move |m| log.borrow_mut().push(Event::Message(m)));
        let log = rec.events.clone();
        ws.set_onclose(move |c| log.borrow_mut().push(Event::Close(c)));
        let log = rec.events.clone();
        ws.set_onerror(move || log.borrow_mut().push(Event::Error));
        rec
    }

    pub fn snapshot(&self) -> Vec<Event> {
        self.events.borrow().clone()
    }

    pub fn messages(&self) -> Vec<Message> {
        self.events
            .borrow()
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn close_event(&self) -> Option<CloseEvent> {
        self.events.borrow().iter().find_map(|e| match e {
            Event::Close(c) => Some(c.clone()),
            _ => None,
        })
    }

    pub async fn opened(&self) {
        let events = self.events.clone();
        wait_until("open", 5_000, || events.borrow().contains(&Event::Open)).await;
    }

    pub async fn closed(&self) -> CloseEvent {
        let events = self.events.clone();
        wait_until("close", 5_000, || {
            events.borrow().iter().any(|e| matches!(e, Event::Close(_)))
        })
        .await;
        self.close_event().unwrap()
    }

    pub async fn message_count(&self, n: usize) -> Vec<Message> {
        let rec = self.clone();
        wait_until(&format!("{n} messages"), 10_000, || {
            rec.messages().len() >= n
        })
        .await;
        self.messages()
    }
}

/// Polls `done` every few milliseconds; panics after `timeout_ms`.
pub async fn wait_until(what: &str, timeout_ms: u32, mut done: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !done() {
        if js_sys::Date::now() - start > f64::from(timeout_ms) {
            panic!("timed out after {timeout_ms} ms waiting for {what}");
        }
        TimeoutFuture::new(5).await;
    }
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Opens an echo socket and waits for it to open.
pub async fn open_echo() -> (WebSocket, Recorder) {
    let ws = WebSocket::with_protocols(&url("/echo"), &["echo-protocol"]).unwrap();
    let rec = Recorder::attach(&ws);
    rec.opened().await;
    (ws, rec)
}

/// Reads a Blob's bytes.
pub async fn blob_bytes(blob: &web_sys::Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    js_sys::Uint8Array::new(&buffer).to_vec()
}

/// Collects uncaught errors on the page (a "closure invoked after being
/// dropped" from wasm-bindgen would land here) until dropped.
pub struct UncaughtErrors {
    seen: Rc<RefCell<Vec<String>>>,
    listener: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl UncaughtErrors {
    pub fn watch() -> Self {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        let listener =
            Closure::new(move |e: web_sys::ErrorEvent| log.borrow_mut().push(e.message()));
        global()
            .add_event_listener_with_callback("error", listener.as_ref().unchecked_ref())
            .unwrap();
        Self { seen, listener }
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.borrow().clone()
    }
}

impl Drop for UncaughtErrors {
    fn drop(&mut self) {
        let _ = global()
            .remove_event_listener_with_callback("error", self.listener.as_ref().unchecked_ref());
    }
}

/// The page (`Window`) or worker (`DedicatedWorkerGlobalScope`) the tests
/// run in: the tests run in both.
pub fn global() -> web_sys::EventTarget {
    js_sys::global().unchecked_into()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `fetch`, on whichever global scope runs the tests.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> js_sys::Promise;
}

/// GETs a control endpoint of the test server and returns the body.
pub async fn control(path: &str) -> String {
    let response: web_sys::Response = JsFuture::from(global_fetch(&http_url(path)))
        .await
        .unwrap()
        .unchecked_into();
    assert!(response.ok(), "{path}: HTTP {}", response.status());
    JsFuture::from(response.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

/// A key unique to this page, for server endpoints scoped by key.
pub fn unique_key(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// The browser engine running the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

/// The engine, read from the user agent (page or worker).
pub fn engine() -> Engine {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
    let agent = js_sys::Reflect::get(&navigator, &"userAgent".into())
        .unwrap()
        .as_string()
        .unwrap();
    if agent.contains("Firefox/") {
        Engine::Firefox
    } else if agent.contains("Chrome/") {
        Engine::Chromium
    } else {
        assert!(agent.contains("AppleWebKit/"), "unknown engine: {agent}");
        Engine::WebKit
    }
}

/// The engine the test script says it runs these tests in
/// (`WS_TEST_ENGINE=chromium|firefox|webkit` at build time), if it says.
pub const CLAIMED_ENGINE: Option<&str> = option_env!("WS_TEST_ENGINE");
