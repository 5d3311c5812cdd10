//! Benchmark and soak drivers for the Rust faces, exported to the
//! benchmark page (`npm run bench`, `npm run soak`). A crate of its own so
//! the library carries none of it; it uses only wasm-websocket's public API
//! and links its `js` feature too, so the page also gets the JS classes. Each runs one workload
//! on its own socket, primes it with one untimed round trip, checks every
//! echo (type, length, first and last byte) and returns the timings.

use std::cell::RefCell;
use std::rc::Rc;

use signal::Signal;
use wasm_bindgen::prelude::*;

use wasm_websocket::{
    BinaryType, CloseEvent, ConnectOptions, Connection, DeliveryOptions, Error, HeartbeatOptions,
    Message, Payload, ReadyState, ReconnectOptions, ReconnectingWebSocket, WebSocket,
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
}

/// The payload of message `i`: `size` bytes, first byte `i`, last `!i`.
fn payload(i: u32, size: usize) -> Vec<u8> {
    let mut bytes = vec![b'x'; size.max(2)];
    bytes[0] = i as u8;
    let last = bytes.len() - 1;
    bytes[last] = !(i as u8);
    bytes
}

fn text(i: u32, size: usize) -> String {
    let mut s = format!("{i:08}");
    s.extend(std::iter::repeat_n('x', size.saturating_sub(8)));
    s
}

fn check(message: &Message, i: u32, size: usize, binary: bool) -> Result<(), String> {
    match (message, binary) {
        (Message::Text(t), false)
            if t.len() == size.max(8) && t.starts_with(&format!("{i:08}")) =>
        {
            Ok(())
        }
        (Message::Binary(b), true)
            if b.len() == size.max(2) && b[0] == i as u8 && b[b.len() - 1] == !(i as u8) =>
        {
            Ok(())
        }
        _ => Err(format!("echo {i} is wrong: {message:?}")
            .chars()
            .take(200)
            .collect()),
    }
}

fn result(elapsed_ms: f64, latencies: &[f64], peak_buffered: u32) -> JsValue {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &"elapsedMs".into(), &elapsed_ms.into());
    let lat = js_sys::Float64Array::from(latencies);
    let _ = js_sys::Reflect::set(&out, &"latencies".into(), &lat);
    let _ = js_sys::Reflect::set(&out, &"peakBuffered".into(), &peak_buffered.into());
    out.into()
}

/// A one-shot completion signal without extra dependencies.
mod signal {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    type Slot = (Option<Result<(), String>>, Option<Waker>);

    #[derive(Clone, Default)]
    pub(super) struct Signal(Rc<RefCell<Slot>>);

    impl Signal {
        pub(super) fn fire(&self, outcome: Result<(), String>) {
            let waker = {
                let mut inner = self.0.borrow_mut();
                if inner.0.is_some() {
                    return;
                }
                inner.0 = Some(outcome);
                inner.1.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }

    impl Future for Signal {
        type Output = Result<(), String>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let mut inner = self.0.borrow_mut();
            match inner.0.take() {
                Some(outcome) => Poll::Ready(outcome),
                None => {
                    inner.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }
}

/// The callback API both callback faces share (`WebSocket` and
/// `ReconnectingWebSocket` have the same methods), so one driver runs both.
trait CallbackFace {
    fn binary_type(&self, binary_type: BinaryType);
    fn on_open(&self, callback: impl FnMut() + 'static);
    fn on_message(&self, callback: impl FnMut(Message) + 'static);
    fn on_close(&self, callback: impl FnMut(CloseEvent) + 'static);
    fn send_data<'a>(&self, data: impl Into<Payload<'a>>) -> Result<(), Error>;
    fn close_now(&self) -> Result<(), Error>;
}

macro_rules! callback_face {
    ($($face:ty),*) => {$(
        impl CallbackFace for $face {
            fn binary_type(&self, binary_type: BinaryType) {
                self.set_binary_type(binary_type)
            }
            fn on_open(&self, callback: impl FnMut() + 'static) {
                self.set_onopen(callback)
            }
            fn on_message(&self, callback: impl FnMut(Message) + 'static) {
                self.set_onmessage(callback)
            }
            fn on_close(&self, callback: impl FnMut(CloseEvent) + 'static) {
                self.set_onclose(callback)
            }
            fn send_data<'a>(&self, data: impl Into<Payload<'a>>) -> Result<(), Error> {
                self.send(data)
            }
            fn close_now(&self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}
callback_face!(WebSocket, ReconnectingWebSocket);

/// Runs `workload` ("pipelined", "rtt", "binary") through the callback
/// face: `count` messages of `size` bytes. With `reconnect`, through a
/// `ReconnectingWebSocket` with its heartbeat and outbox on.
#[wasm_bindgen]
pub async fn bench_callback(
    url: String,
    workload: String,
    count: u32,
    size: u32,
    reconnect: bool,
) -> Result<JsValue, JsValue> {
    if reconnect {
        let options = ConnectOptions::default()
            .protocols(&["echo-protocol"])
            .reconnect(resilient());
        let ws = ReconnectingWebSocket::with_options(&url, options)?;
        run_callback(Rc::new(ws), workload, count, size).await
    } else {
        let ws = WebSocket::with_protocols(&url, &["echo-protocol"])?;
        run_callback(Rc::new(ws), workload, count, size).await
    }
}

/// The reconnecting callback face with end-to-end delivery on (to a
/// `/delivery` URL), measured against `bench_callback(.., true)`.
#[wasm_bindgen]
pub async fn bench_callback_delivery(
    url: String,
    workload: String,
    count: u32,
    size: u32,
) -> Result<JsValue, JsValue> {
    let options = ConnectOptions::default()
        .reconnect(resilient())
        .delivery(DeliveryOptions::default());
    let ws = ReconnectingWebSocket::with_options(&url, options)?;
    run_callback(Rc::new(ws), workload, count, size).await
}

/// The resilience the reconnecting clients are measured with: the default
/// policy and outbox, and a heartbeat (its timer runs; a ping is due only
/// after 30 s of silence, which no workload has).
fn resilient() -> ReconnectOptions {
    ReconnectOptions {
        heartbeat: Some(HeartbeatOptions::default()),
        ..Default::default()
    }
}

async fn run_callback<F: CallbackFace + 'static>(
    ws: Rc<F>,
    workload: String,
    count: u32,
    size: u32,
) -> Result<JsValue, JsValue> {
    let size = size as usize;
    let binary = workload == "binary";
    ws.binary_type(BinaryType::ArrayBuffer);
    let opened = Signal::default();
    let o = opened.clone();
    ws.on_open(move || o.fire(Ok(())));
    let failed = opened.clone();
    ws.on_close(move |e| failed.fire(Err(format!("closed: {e}"))));
    opened.clone().await.map_err(|e| JsValue::from_str(&e))?;

    // Prime: one untimed round trip.
    let primed = Signal::default();
    let p = primed.clone();
    ws.on_message(move |_| p.fire(Ok(())));
    ws.send_data("prime")?;
    primed.await.map_err(|e| JsValue::from_str(&e))?;

    let done = Signal::default();
    let received = Rc::new(RefCell::new(0u32));
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(count as usize)));
    let sent_at = Rc::new(RefCell::new(0.0));
    let weak = Rc::downgrade(&ws);
    {
        let (done, received, latencies, sent_at) = (
            done.clone(),
            received.clone(),
            latencies.clone(),
            sent_at.clone(),
        );
        let sequential = workload != "pipelined";
        ws.on_message(move |message| {
            let i = *received.borrow();
            if let Err(e) = check(&message, i, size, binary) {
                done.fire(Err(e));
                return;
            }
            *received.borrow_mut() = i + 1;
            if sequential {
                latencies.borrow_mut().push(now() - *sent_at.borrow());
            }
            if i + 1 == count {
                done.fire(Ok(()));
            } else if sequential {
                if let Some(ws) = weak.upgrade() {
                    *sent_at.borrow_mut() = now();
                    let sent = if binary {
                        ws.send_data(&payload(i + 1, size))
                    } else {
                        ws.send_data(&text(i + 1, size))
                    };
                    if let Err(e) = sent {
                        done.fire(Err(e.to_string()));
                    }
                }
            }
        });
    }
    let start = now();
    if workload == "pipelined" {
        for i in 0..count {
            ws.send_data(&text(i, size))?;
        }
    } else {
        *sent_at.borrow_mut() = now();
        if binary {
            ws.send_data(&payload(0, size))?;
        } else {
            ws.send_data(&text(0, size))?;
        }
    }
    done.await.map_err(|e| JsValue::from_str(&e))?;
    let elapsed = now() - start;
    ws.close_now()?;
    let latencies = latencies.borrow();
    Ok(result(elapsed, &latencies, 0))
}

/// Runs `workload` ("pipelined", "rtt", "binary", "backpressure") through
/// the async face (with `reconnect`, as `bench_callback` says).
#[wasm_bindgen]
pub async fn bench_async(
    url: String,
    workload: String,
    count: u32,
    size: u32,
    reconnect: bool,
) -> Result<JsValue, JsValue> {
    use futures_core::Stream;
    use futures_sink::Sink;
    use std::pin::Pin;

    async fn next(reader: &mut wasm_websocket::ConnectionReader) -> Result<Message, Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *reader).poll_next(cx))
            .await
            .unwrap_or(Err(Error::Closed {
                state: ReadyState::Closed,
            }))
    }
    async fn send(
        writer: &mut wasm_websocket::ConnectionWriter,
        message: Message,
    ) -> Result<(), Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *writer).poll_ready(cx)).await?;
        Pin::new(&mut *writer).start_send(message)?;
        std::future::poll_fn(|cx| Pin::new(&mut *writer).poll_flush(cx)).await
    }

    let size = size as usize;
    let binary = workload == "binary" || workload == "backpressure";
    let mut options = ConnectOptions::default().protocols(&["echo-protocol"]);
    if reconnect {
        options = options.reconnect(resilient());
    }
    let (mut writer, mut reader) = Connection::connect_with(&url, options).await?.split();
    send(&mut writer, Message::Text("prime".into())).await?;
    next(&mut reader).await?;

    let mut latencies = Vec::new();
    let mut peak = 0u32;
    let start = now();
    match workload.as_str() {
        "pipelined" | "backpressure" => {
            let write = async {
                for i in 0..count {
                    let message = if binary {
                        Message::Binary(payload(i, size))
                    } else {
                        Message::Text(text(i, size))
                    };
                    send(&mut writer, message).await?;
                    peak = peak.max(writer.buffered_amount());
                }
                Ok::<(), Error>(())
            };
            let read = async {
                for i in 0..count {
                    let message = next(&mut reader).await?;
                    check(&message, i, size, binary).map_err(|e| Error::Browser {
                        name: "BenchError".into(),
                        message: e,
                    })?;
                }
                Ok::<(), Error>(())
            };
            let (w, r) = join(write, read).await;
            w?;
            r?;
        }
        _ => {
            for i in 0..count {
                let t = now();
                let message = if binary {
                    Message::Binary(payload(i, size))
                } else {
                    Message::Text(text(i, size))
                };
                send(&mut writer, message).await?;
                let echo = next(&mut reader).await?;
                latencies.push(now() - t);
                check(&echo, i, size, binary).map_err(|e| JsValue::from_str(&e))?;
            }
        }
    }
    let elapsed = now() - start;
    writer.close_with(1000, "").await?;
    Ok(result(elapsed, &latencies, peak))
}

/// Polls two futures to completion together.
async fn join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    use std::task::Poll;
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                ra = x;
                rb = y;
                Poll::Pending
            }
        }
    })
    .await
}

/// Soak: `cycles` times open a callback-face socket, echo one message and
/// close it, dropping everything each time.
#[wasm_bindgen]
pub async fn soak_callback(url: String, cycles: u32) -> Result<(), JsValue> {
    for i in 0..cycles {
        let ws = WebSocket::with_protocols(&url, &["echo-protocol"])?;
        let step = Signal::default();
        let s = step.clone();
        ws.set_onopen(move || s.fire(Ok(())));
        let s = step.clone();
        ws.set_onerror(move || s.fire(Err("error event".into())));
        step.clone().await.map_err(|e| JsValue::from_str(&e))?;
        let echoed = Signal::default();
        let s = echoed.clone();
        let expected = format!("soak {i}");
        let want = expected.clone();
        ws.set_onmessage(move |m| {
            s.fire(if m.as_text() == Some(want.as_str()) {
                Ok(())
            } else {
                Err(format!("wrong echo {m:?}"))
            })
        });
        ws.send(&expected)?;
        echoed.await.map_err(|e| JsValue::from_str(&e))?;
        let closed = Signal::default();
        let s = closed.clone();
        ws.set_onclose(move |_| s.fire(Ok(())));
        ws.close_with(1000, "")?;
        closed.await.map_err(|e| JsValue::from_str(&e))?;
    }
    Ok(())
}

/// Soak: the same cycle through the async face.
#[wasm_bindgen]
pub async fn soak_async(url: String, cycles: u32) -> Result<(), JsValue> {
    use futures_core::Stream;
    use futures_sink::Sink;
    use std::pin::Pin;
    for i in 0..cycles {
        let options = ConnectOptions::default().protocols(&["echo-protocol"]);
        let mut conn = Connection::connect_with(&url, options).await?;
        let text = format!("soak {i}");
        std::future::poll_fn(|cx| Pin::new(&mut conn).poll_ready(cx)).await?;
        Pin::new(&mut conn).start_send(Message::Text(text.clone()))?;
        let echo = std::future::poll_fn(|cx| Pin::new(&mut conn).poll_next(cx)).await;
        match echo {
            Some(Ok(Message::Text(t))) if t == text => {}
            other => return Err(JsValue::from_str(&format!("wrong echo {other:?}"))),
        }
        conn.close_with(1000, "").await?;
    }
    Ok(())
}

/// Soak: `count` sockets dropped while still connecting (to a handshake
/// the server never answers).
#[wasm_bindgen]
pub async fn soak_connecting(url: String, count: u32) -> Result<(), JsValue> {
    for _ in 0..count {
        let ws = WebSocket::new(&url)?;
        ws.set_onopen(|| {});
        ws.set_onclose(|_| {});
        drop(ws);
        // Let the browser run its close steps between sockets.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    Ok(())
}

/// Panics on purpose, after `init`, so a test can see that the panic
/// message reaches the console (`console_error_panic_hook`).
#[wasm_bindgen]
pub fn bench_panic(message: &str) {
    wasm_websocket::init();
    panic!("deliberate panic: {message}");
}
