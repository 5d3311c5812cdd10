//! Size probe for `npm run bench`: an echo client using only the async
//! face, built as its own wasm module to report what that face costs.
use futures::{SinkExt, StreamExt};
use wasm_bindgen::prelude::*;
use wasm_websocket::{ConnectOptions, Connection, Message};

/// Connects, sends one text message and returns the reply.
#[wasm_bindgen]
pub async fn run(url: String) -> Result<JsValue, JsValue> {
    let options = ConnectOptions::default().protocols(&["echo-protocol"]);
    let mut conn = Connection::connect_with(&url, options).await?;
    conn.send(Message::Text("hello".into())).await?;
    let reply = match conn.next().await {
        Some(Ok(Message::Text(text))) => text,
        _ => String::new(),
    };
    conn.close_with(1000, "").await?;
    Ok(reply.into())
}
