//! Size probe for `npm run bench`: an echo client using the reconnecting
//! socket, built as its own wasm module to report what resilience costs.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_websocket::{Message, ReconnectOptions, ReconnectingWebSocket};

thread_local! {
    static SOCKET: RefCell<Option<ReconnectingWebSocket>> = const { RefCell::new(None) };
}

/// Connects with reconnection, queues one text message, logs replies.
#[wasm_bindgen]
pub fn run(url: &str) -> Result<(), JsValue> {
    let ws = ReconnectingWebSocket::new(url, ReconnectOptions::default())?;
    ws.set_onmessage(|message| {
        if let Message::Text(text) = message {
            web_sys::console::log_1(&text.into());
        }
    });
    ws.send("hello")?;
    SOCKET.with(|slot| *slot.borrow_mut() = Some(ws));
    Ok(())
}
