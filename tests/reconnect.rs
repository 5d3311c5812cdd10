//! Resilience against the test server's fault endpoints.
//!
//! Covers: a server refusing connections for ~2 s is retried with growing,
//! jittered delays inside the policy's bounds until it accepts; an abrupt
//! drop in the middle of a stream of numbered messages, with sends going on
//! during the outage: every message queued in the outbox reaches the server
//! exactly once and in order; the outbox bound gives OutboxFull and the
//! earlier queued messages still arrive; a silent connection is detected by
//! the heartbeat within interval + timeout and reconnected; a handshake
//! that never completes hits the connect timeout and the next attempt is
//! made; close() during a backoff wait stops all attempts and no second
//! close event fires; handlers carry over to the new connection.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use wasm_websocket::{
    BinaryType, ConnectOptions, Error, GiveUpReason, HeartbeatOptions, Message, OutboxLimits,
    Provider, ReadyState, ReconnectEvent, ReconnectOptions, ReconnectPolicy, ReconnectingWebSocket,
    ShouldReconnect,
};

// The same tests run in a page and, built with `--cfg wasm_ws_worker`
// (npm test does both), in a dedicated Web Worker, where there is no window.
#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        min_delay_ms: 100,
        max_delay_ms: 800,
        factor: 2.0,
        ..Default::default()
    }
}

fn options(policy: ReconnectPolicy) -> ReconnectOptions {
    ReconnectOptions {
        policy,
        ..Default::default()
    }
}

/// A reconnecting socket offering echo-protocol, each attempt timed out
/// after `connect_timeout_ms`.
fn reconnecting_with_timeout(
    url: &str,
    reconnect: ReconnectOptions,
    connect_timeout_ms: u32,
) -> Result<ReconnectingWebSocket, Error> {
    let options = ConnectOptions {
        binary_type: BinaryType::Blob,
        ..ConnectOptions::default()
    }
    .protocols(&["echo-protocol"])
    .connect_timeout_ms(connect_timeout_ms)
    .reconnect(reconnect);
    ReconnectingWebSocket::with_options(url, options)
}

fn reconnecting(url: &str, reconnect: ReconnectOptions) -> Result<ReconnectingWebSocket, Error> {
    reconnecting_with_timeout(url, reconnect, 2_000)
}

/// A reconnecting socket to the echo endpoint under a fresh key (for
/// `/control/drop?key=`), retrying after `min_delay_ms`..`max_delay_ms`,
/// opened, with its trace.
async fn open_keyed(
    prefix: &str,
    min_delay_ms: u32,
    max_delay_ms: u32,
) -> (String, ReconnectingWebSocket, Trace) {
    let key = unique_key(prefix);
    let policy = ReconnectPolicy {
        min_delay_ms,
        max_delay_ms,
        ..fast_policy()
    };
    let ws = reconnecting(&url(&format!("/echo?key={key}")), options(policy)).unwrap();
    let trace = Trace::attach(&ws);
    wait_until("open", 5_000, || trace.count("open") == 1).await;
    (key, ws, trace)
}

/// Records every event of a reconnecting socket with a timestamp.
#[derive(Clone, Default)]
struct Trace {
    events: Rc<RefCell<Vec<(f64, String)>>>,
    reconnects: Rc<RefCell<Vec<ReconnectEvent>>>,
    texts: Rc<RefCell<Vec<String>>>,
}

impl Trace {
    fn attach(ws: &ReconnectingWebSocket) -> Self {
        let trace = Self::default();
        let log = |t: &Trace, what: String| t.events.borrow_mut().push((js_sys::Date::now(), what));
        let t = trace.clone();
        ws.set_onopen(move || log(&t, "open".into()));
        let t = trace.clone();
        ws.set_onclose(move |e| log(&t, format!("close {} {}", e.code, e.reason)));
        let t = trace.clone();
        ws.set_onerror(move || log(&t, "error".into()));
        let t = trace.clone();
        ws.set_onmessage(move |m| {
            if let Message::Text(text) = m {
                t.texts.borrow_mut().push(text);
            }
        });
        let t = trace.clone();
        ws.set_onreconnect(move |e| t.reconnects.borrow_mut().push(e.clone()));
        trace
    }

    fn count(&self, prefix: &str) -> usize {
        self.events
            .borrow()
            .iter()
            .filter(|(_, e)| e.starts_with(prefix))
            .count()
    }

    fn time_of(&self, prefix: &str, nth: usize) -> f64 {
        self.events
            .borrow()
            .iter()
            .filter(|(_, e)| e.starts_with(prefix))
            .nth(nth)
            .map(|(t, _)| *t)
            .unwrap()
    }
}

#[wasm_bindgen_test]
async fn refused_connections_are_retried_with_growing_jittered_delays() {
    let key = unique_key("refuse");
    control(&format!("/control/refuse?key={key}&ms=2000")).await;
    let start = js_sys::Date::now();
    let policy = fast_policy();
    let ws = reconnecting(&url(&format!("/echo?key={key}")), options(policy.clone())).unwrap();
    let trace = Trace::attach(&ws);
    assert_eq!(ws.ready_state(), ReadyState::Connecting);
    wait_until("open after the refusal window", 8_000, || {
        trace.count("open") == 1
    })
    .await;
    assert!(
        js_sys::Date::now() - start >= 1_900.0,
        "opened only after the window"
    );
    assert_eq!(ws.ready_state(), ReadyState::Open);

    let reconnects = trace.reconnects.borrow().clone();
    let delays: Vec<(u32, u32)> = reconnects
        .iter()
        .filter_map(|e| match e {
            ReconnectEvent::Reconnecting {
                attempt,
                delay_ms,
                close,
                ..
            } => {
                assert_eq!(close.code, 1006);
                Some((*attempt, *delay_ms))
            }
            _ => None,
        })
        .collect();
    assert!(delays.len() >= 3, "several retries: {delays:?}");
    for (i, (attempt, delay)) in delays.iter().enumerate() {
        assert_eq!(*attempt as usize, i + 1, "attempts count up");
        assert!(
            (policy.min_delay_ms..=policy.delay_ceiling_ms(*attempt)).contains(delay),
            "retry {attempt}: {delay} ms outside the bounds"
        );
    }
    let ceilings: Vec<u32> = delays
        .iter()
        .map(|(a, _)| policy.delay_ceiling_ms(*a))
        .collect();
    assert!(ceilings.windows(2).all(|w| w[0] <= w[1]) && ceilings[0] < *ceilings.last().unwrap());
    assert!(
        delays.iter().any(|(_, d)| *d > policy.min_delay_ms),
        "jitter varies the delays"
    );
    assert_eq!(
        reconnects.last(),
        Some(&ReconnectEvent::Reconnected {
            attempt: delays.len() as u32
        })
    );
    assert_eq!(ws.reconnect_count(), 1);
    // Each failed attempt was an error then a close, as the browser reports.
    assert_eq!(trace.count("error"), delays.len());
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn queued_messages_arrive_exactly_once_in_order_after_a_drop() {
    let (key, ws, trace) = open_keyed("drop", 50, 100).await;

    let mut queued = Vec::new();
    for i in 0..300u32 {
        if i == 100 {
            assert_eq!(control(&format!("/control/drop?key={key}")).await, "1");
        }
        let before = ws.queued_messages();
        ws.send(&i.to_string()).unwrap();
        if ws.queued_messages() > before {
            queued.push(i);
        }
        sleep(2).await;
    }
    assert!(!queued.is_empty(), "some sends happened during the outage");
    wait_until("the last message back", 10_000, || {
        trace.texts.borrow().last().map(String::as_str) == Some("299")
    })
    .await;
    let echoed: Vec<u32> = trace
        .texts
        .borrow()
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
    assert!(
        echoed.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicates: {echoed:?}"
    );
    for q in &queued {
        assert!(echoed.contains(q), "queued message {q} was lost");
    }
    assert_eq!(trace.count("close 1006"), 1);
    assert_eq!(ws.queued_messages(), 0);
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_full_outbox_rejects_with_a_typed_error_and_keeps_what_it_has() {
    let key = unique_key("outbox");
    control(&format!("/control/refuse?key={key}&ms=600")).await;
    let ws = reconnecting(
        &url(&format!("/echo?key={key}")),
        ReconnectOptions {
            outbox: OutboxLimits {
                max_messages: 3,
                max_bytes: 1 << 20,
            },
            ..options(fast_policy())
        },
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    for text in ["one", "two", "three"] {
        ws.send(text).unwrap();
    }
    let err = ws.send("four").unwrap_err();
    assert_eq!(
        err,
        Error::OutboxFull {
            queued_messages: 3,
            queued_bytes: 11,
            message_bytes: 4
        }
    );
    assert_eq!(err.name(), "QuotaExceededError");
    assert_eq!((ws.queued_messages(), ws.queued_bytes()), (3, 11));
    assert_eq!(ws.buffered_amount(), 11, "queued bytes count as buffered");
    wait_until("the queued messages back", 8_000, || {
        trace.texts.borrow().len() == 3
    })
    .await;
    assert_eq!(*trace.texts.borrow(), ["one", "two", "three"]);
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn the_heartbeat_detects_a_silent_connection_and_reconnects() {
    let (interval, timeout) = (300u32, 300u32);
    let ws = reconnecting(
        &url("/silent"),
        ReconnectOptions {
            heartbeat: Some(HeartbeatOptions {
                interval_ms: interval,
                timeout_ms: timeout,
                ..Default::default()
            }),
            ..options(fast_policy())
        },
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    wait_until("a reconnection", 5_000, || trace.count("open") == 2).await;
    let opened = trace.time_of("open", 0);
    let declared_dead = trace.time_of("close", 0);
    let silence = declared_dead - opened;
    assert!(
        silence <= f64::from(interval + timeout) + 100.0,
        "dead after {silence} ms of silence; bound {} ms (+100 ms timer slack)",
        interval + timeout
    );
    assert!(
        silence >= f64::from(interval + timeout) - 10.0,
        "not before the timeout: {silence}"
    );
    assert_eq!(trace.events.borrow()[1].1, "close 1006 heartbeat timeout");
    assert!(matches!(
        trace.reconnects.borrow()[0],
        ReconnectEvent::Reconnecting { attempt: 1, .. }
    ));
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_handshake_that_never_completes_times_out_and_is_retried() {
    let key = unique_key("hang");
    let ws = reconnecting_with_timeout(
        &url(&format!("/hang?key={key}")),
        options(ReconnectPolicy {
            min_delay_ms: 50,
            max_delay_ms: 50,
            ..fast_policy()
        }),
        300,
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    let start = js_sys::Date::now();
    wait_until("two timed-out attempts", 5_000, || {
        trace.count("close") == 2
    })
    .await;
    let first = trace.time_of("close", 0) - start;
    assert!(
        (290.0..800.0).contains(&first),
        "first timeout after {first} ms"
    );
    assert_eq!(trace.events.borrow()[0].1, "close 1006 connect timeout");
    let attempts: Vec<u32> = trace
        .reconnects
        .borrow()
        .iter()
        .filter_map(|e| match e {
            ReconnectEvent::Reconnecting { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2]);
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn close_during_backoff_stops_every_attempt_and_fires_no_second_close() {
    let ws = reconnecting(
        &url("/refuse"),
        options(ReconnectPolicy {
            min_delay_ms: 400,
            max_delay_ms: 400,
            ..fast_policy()
        }),
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    wait_until("the first retry to be scheduled", 5_000, || {
        !trace.reconnects.borrow().is_empty()
    })
    .await;
    assert_eq!(
        ws.ready_state(),
        ReadyState::Connecting,
        "waiting counts as connecting"
    );
    ws.close().unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Closed);
    sleep(1_000).await;
    assert_eq!(trace.count("close"), 1, "one close event in all");
    assert_eq!(trace.count("error"), 1, "no further attempt was made");
    assert_eq!(trace.reconnects.borrow().len(), 1);
    assert_eq!(
        ws.send("too late"),
        Err(Error::Closed {
            state: ReadyState::Closed
        })
    );
}

#[wasm_bindgen_test]
async fn no_retry_codes_give_up_and_handlers_carry_over() {
    let ws = reconnecting(
        &url("/close?code=1008&reason=policy"),
        options(fast_policy()),
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    wait_until("give up", 5_000, || !trace.reconnects.borrow().is_empty()).await;
    match &trace.reconnects.borrow()[0] {
        ReconnectEvent::GaveUp { reason, close, .. } => {
            assert_eq!(reason, &GiveUpReason::NoRetryCode(1008));
            assert_eq!((close.code, close.reason.as_str()), (1008, "policy"));
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert_eq!(ws.ready_state(), ReadyState::Closed);

    // A normal server close is retried, and the same handler sees the
    // messages of the second connection too.
    let key = unique_key("carry");
    let ws = reconnecting(&url(&format!("/echo?key={key}")), options(fast_policy())).unwrap();
    let trace = Trace::attach(&ws);
    wait_until("open", 5_000, || trace.count("open") == 1).await;
    ws.send("first").unwrap();
    wait_until("first echo", 5_000, || trace.texts.borrow().len() == 1).await;
    control(&format!("/control/drop?key={key}")).await;
    wait_until("reopen", 5_000, || trace.count("open") == 2).await;
    ws.send("second").unwrap();
    wait_until("second echo", 5_000, || trace.texts.borrow().len() == 2).await;
    assert_eq!(*trace.texts.borrow(), ["first", "second"]);
    ws.close_with(4000, "bye").unwrap();
    wait_until("final close", 5_000, || trace.count("close 4000") == 1).await;
    assert_eq!(ws.ready_state(), ReadyState::Closed);
}

#[wasm_bindgen_test]
async fn with_queueing_off_sends_while_not_connected_fail_as_on_a_plain_socket() {
    let key = unique_key("noqueue");
    let ws = reconnecting(
        &url(&format!("/echo?key={key}")),
        ReconnectOptions {
            outbox: OutboxLimits::NONE,
            ..options(fast_policy())
        },
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    assert_eq!(ws.send("too early"), Err(Error::NotOpen));
    wait_until("open", 5_000, || trace.count("open") == 1).await;
    ws.send("while open").unwrap();
    wait_until("the echo", 5_000, || trace.texts.borrow().len() == 1).await;
    control(&format!("/control/drop?key={key}")).await;
    wait_until("the drop", 5_000, || trace.count("close") == 1).await;
    assert_eq!(ws.send("during the outage"), Err(Error::NotOpen));
    assert_eq!(ws.queued_messages(), 0);
    wait_until("the reconnect", 5_000, || trace.count("open") == 2).await;
    ws.send("after").unwrap();
    wait_until("the second echo", 5_000, || trace.texts.borrow().len() == 2).await;
    assert_eq!(*trace.texts.borrow(), ["while open", "after"]);
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn should_reconnect_returning_false_gives_up_with_that_reason() {
    let asked = Rc::new(RefCell::new(Vec::new()));
    let seen = asked.clone();
    let ws = reconnecting(
        &url("/close?code=4001&reason=login"),
        ReconnectOptions {
            should_reconnect: Some(ShouldReconnect::new(move |close| {
                seen.borrow_mut().push(close.clone());
                close.code != 4001
            })),
            ..options(fast_policy())
        },
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    wait_until("giving up", 5_000, || !trace.reconnects.borrow().is_empty()).await;
    let event = trace.reconnects.borrow()[0].clone();
    match event {
        ReconnectEvent::GaveUp { reason, close, .. } => {
            assert_eq!(reason, GiveUpReason::Declined { code: 4001 });
            assert_eq!(
                reason.to_string(),
                "shouldReconnect declined close code 4001"
            );
            assert_eq!((close.code, close.reason.as_str()), (4001, "login"));
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert_eq!(asked.borrow().len(), 1);
    assert_eq!(ws.ready_state(), ReadyState::Closed);
}

/// Makes the browser look offline (or online again): `navigator.onLine`
/// overridden and the event dispatched, in a page or a worker alike.
fn set_offline(offline: bool) {
    let script = format!(
        "const proto = Object.getPrototypeOf(navigator);
         globalThis.__onLine ??= Object.getOwnPropertyDescriptor(proto, 'onLine');
         if ({offline}) Object.defineProperty(proto, 'onLine', {{ configurable: true, get: () => false }});
         else Object.defineProperty(proto, 'onLine', globalThis.__onLine);
         globalThis.dispatchEvent(new Event({offline} ? 'offline' : 'online'));"
    );
    js_sys::Function::new_no_args(&script)
        .call0(&JsValue::UNDEFINED)
        .unwrap();
}

#[wasm_bindgen_test]
async fn while_offline_no_retry_is_made_and_online_retries_at_once() {
    let (key, ws, trace) = open_keyed("offline", 200, 200).await;
    set_offline(true);
    control(&format!("/control/drop?key={key}")).await;
    wait_until("the drop", 5_000, || trace.count("close") == 1).await;
    sleep(800).await; // four times the backoff
    let (opens, closes, state) = (trace.count("open"), trace.count("close"), ws.ready_state());
    // Firefox holds a handshake to a host whose last connection failed for
    // about 200 ms (README, engines); that has passed by now.
    let start = js_sys::Date::now();
    set_offline(false);
    wait_until("the retry", 2_000, || trace.count("open") == 2).await;
    let after = js_sys::Date::now() - start;
    assert_eq!((opens, closes), (1, 1), "no attempt while offline");
    assert_eq!(state, ReadyState::Connecting, "waiting to retry");
    assert!(after < 100.0, "open {after} ms after online");
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn reconnect_replaces_the_connection_at_once_and_starts_again_after_close() {
    let (_key, ws, trace) = open_keyed("restart", 5_000, 5_000).await;
    assert_eq!(
        ws.reconnect_with(1001, ""),
        Err(Error::InvalidCloseCode(1001))
    );
    assert_eq!(
        ws.ready_state(),
        ReadyState::Open,
        "a bad code changes nothing"
    );
    ws.reconnect_with(4000, "again").unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Connecting);
    ws.send("queued across the reconnect").unwrap();
    wait_until("the new connection", 3_000, || trace.count("open") == 2).await;
    wait_until("the echo", 3_000, || trace.texts.borrow().len() == 1).await;
    assert_eq!(trace.events.borrow()[1].1, "close 4000 again");
    assert!(matches!(
        trace.reconnects.borrow()[0],
        ReconnectEvent::Reconnecting {
            attempt: 1,
            delay_ms: 0,
            ..
        }
    ));
    ws.close().unwrap();
    wait_until("the final close", 3_000, || {
        ws.ready_state() == ReadyState::Closed
    })
    .await;
    ws.reconnect().unwrap();
    assert_eq!(ws.ready_state(), ReadyState::Connecting);
    wait_until("a fresh start", 3_000, || trace.count("open") == 3).await;
    ws.send("after the restart").unwrap();
    wait_until("the second echo", 3_000, || trace.texts.borrow().len() == 2).await;
    assert_eq!(
        *trace.texts.borrow(),
        ["queued across the reconnect", "after the restart"]
    );
    ws.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_url_provider_is_asked_before_every_attempt_and_its_failures_are_retried() {
    let calls = Rc::new(std::cell::Cell::new(0u32));
    let asked = calls.clone();
    let echo = url("/echo");
    let ws = reconnecting(
        "unused: the provider gives the URL",
        ReconnectOptions {
            url_provider: Some(Provider::new(move || {
                asked.set(asked.get() + 1);
                let (call, echo) = (asked.get(), echo.clone());
                async move {
                    sleep(5).await; // as if fetched
                    if call <= 2 {
                        Err(format!("no token yet ({call})"))
                    } else {
                        Ok(echo)
                    }
                }
            })),
            ..options(ReconnectPolicy {
                min_delay_ms: 50,
                max_delay_ms: 50,
                ..fast_policy()
            })
        },
    )
    .unwrap();
    let trace = Trace::attach(&ws);
    wait_until("open", 5_000, || trace.count("open") == 1).await;
    assert_eq!(calls.get(), 3);
    let errors: Vec<_> = trace
        .reconnects
        .borrow()
        .iter()
        .filter_map(|event| match event {
            ReconnectEvent::Reconnecting { attempt, error, .. } => Some((*attempt, error.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, Some("no token yet (1)".to_owned())),
            (2, Some("no token yet (2)".to_owned()))
        ]
    );
    assert_eq!(
        trace.count("close"),
        0,
        "no close event without a connection"
    );
    assert_eq!(ws.url(), url("/echo"));
    ws.close().unwrap();
}
