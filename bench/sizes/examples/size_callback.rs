//! Size probe for `npm run bench`: an echo client using only the callback
//! face, built as its own wasm module to report what that face costs.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_websocket::{Message, WebSocket};

thread_local! {
    static SOCKET: RefCell<Option<WebSocket>> = const { RefCell::new(None) };
}

/// Connects, sends one text message on open and logs what comes back.
#[wasm_bindgen]
pub fn run(url: &str) -> Result<(), JsValue> {
    let ws = WebSocket::with_protocols(url, &["echo-protocol"])?;
    let weak = ws.downgrade();
    ws.set_onopen(move || {
        if let Some(ws) = weak.upgrade() {
            let _ = ws.send("hello");
        }
    });
    ws.set_onmessage(|message| {
        if let Message::Text(text) = message {
            web_sys::console::log_1(&text.into());
        }
    });
    SOCKET.with(|slot| *slot.borrow_mut() = Some(ws));
    Ok(())
}
