//! Data round trips through the echo server.
//!
//! Covers: text echo (ASCII, multi-byte, empty); binary echo in ArrayBuffer
//! mode and in Blob mode with identical bytes; switching binaryType on an
//! open socket; Blob and File sends; typed-array views send only the bytes
//! they view; a 64x64 canvas ImageData round-trips byte-exact and paints
//! back pixel-equal; the subprotocol the server selected.

mod common;

use common::*;
use wasm_bindgen::Clamped;
#[cfg(not(wasm_ws_worker))]
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use wasm_websocket::{BinaryType, Message, ReadyState, WebSocket};

// The same tests run in a page and, built with `--cfg wasm_ws_worker`
// (npm test does both), in a dedicated Web Worker, where there is no window.
#[cfg(not(wasm_ws_worker))]
wasm_bindgen_test_configure!(run_in_browser);
#[cfg(wasm_ws_worker)]
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[wasm_bindgen_test]
async fn text_is_echoed_as_text_in_order() {
    let (ws, rec) = open_echo().await;
    assert_eq!(ws.ready_state(), ReadyState::Open);
    assert_eq!(ws.protocol(), "echo-protocol");
    for text in ["Hello Server!", "你好，WebSocket 😀", ""] {
        ws.send(text).unwrap();
    }
    let got = rec.message_count(3).await;
    assert_eq!(
        got,
        vec![
            Message::Text("Hello Server!".into()),
            Message::Text("你好，WebSocket 😀".into()),
            Message::Text(String::new()),
        ]
    );
}

#[wasm_bindgen_test]
async fn bytes_echo_as_bytes_in_arraybuffer_mode() {
    let (ws, rec) = open_echo().await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    assert_eq!(ws.binary_type(), BinaryType::ArrayBuffer);
    let data = pattern(70_000, 7);
    ws.send(&data).unwrap();
    ws.send(&[][..]).unwrap();
    let got = rec.message_count(2).await;
    assert_eq!(got[0], Message::Binary(data));
    assert_eq!(got[1], Message::Binary(vec![]));
}

#[wasm_bindgen_test]
async fn bytes_echo_as_blob_in_default_blob_mode() {
    let (ws, rec) = open_echo().await;
    assert_eq!(ws.binary_type(), BinaryType::Blob);
    let data = pattern(4096, 3);
    ws.send(&data).unwrap();
    let got = rec.message_count(1).await;
    let Message::Blob(blob) = &got[0] else {
        panic!("expected a Blob, got {:?}", got[0]);
    };
    assert_eq!(blob.size(), 4096.0);
    assert_eq!(blob_bytes(blob).await, data);
}

#[wasm_bindgen_test]
async fn binary_type_switches_on_an_open_socket() {
    let (ws, rec) = open_echo().await;
    ws.send(&[1u8, 2, 3]).unwrap();
    rec.message_count(1).await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    ws.send(&[4u8, 5]).unwrap();
    let got = rec.message_count(2).await;
    assert!(matches!(got[0], Message::Blob(_)), "{:?}", got[0]);
    assert_eq!(got[1], Message::Binary(vec![4, 5]));
    ws.set_binary_type(BinaryType::Blob);
    ws.send(&[6u8]).unwrap();
    let got = rec.message_count(3).await;
    assert!(matches!(got[2], Message::Blob(_)), "{:?}", got[2]);
}

#[wasm_bindgen_test]
async fn blob_and_file_are_sent_as_binary() {
    let (ws, rec) = open_echo().await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&pattern(1000, 1)[..]));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    ws.send(&blob).unwrap();
    let file_bytes = b"file contents \xff\x00".to_vec();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&file_bytes[..]));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "notes.bin").unwrap();
    ws.send(&file).unwrap();
    let got = rec.message_count(2).await;
    assert_eq!(got[0], Message::Binary(pattern(1000, 1)));
    assert_eq!(got[1], Message::Binary(file_bytes));
}

#[wasm_bindgen_test]
async fn views_send_only_the_bytes_they_view() {
    let (ws, rec) = open_echo().await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    let whole = js_sys::Uint8Array::from(&pattern(100, 0)[..]);
    let middle = whole.subarray(10, 20);
    ws.send(&middle).unwrap();
    ws.send(&whole.buffer()).unwrap();
    let floats = js_sys::Float32Array::new_with_length(2);
    floats.set_index(0, 1.5);
    floats.set_index(1, -2.0);
    ws.send(&floats).unwrap();
    let got = rec.message_count(3).await;
    assert_eq!(got[0], Message::Binary(pattern(100, 0)[10..20].to_vec()));
    assert_eq!(got[1], Message::Binary(pattern(100, 0)));
    let mut expected = 1.5f32.to_le_bytes().to_vec();
    expected.extend((-2.0f32).to_le_bytes());
    assert_eq!(got[2], Message::Binary(expected));
}

/// Opaque pixels only: canvases store premultiplied alpha, so a
/// translucent pixel would not read back exactly.
fn test_pixels() -> Vec<u8> {
    (0..64 * 64)
        .flat_map(|i: u32| [(i % 256) as u8, (i / 16) as u8, (i * 7 % 256) as u8, 255])
        .collect()
}

async fn echo_image(image: &web_sys::ImageData) -> Vec<u8> {
    let (ws, rec) = open_echo().await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    ws.send(image).unwrap();
    let got = rec.message_count(1).await;
    let Message::Binary(echoed) = &got[0] else {
        panic!("expected bytes, got {:?}", got[0]);
    };
    echoed.clone()
}

#[wasm_bindgen_test]
async fn image_data_is_sent_as_its_rgba_bytes() {
    // ImageData exists in workers too; no canvas needed to build one.
    let pixels = test_pixels();
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), 64, 64).unwrap();
    let echoed = echo_image(&image).await;
    assert_eq!(echoed.len(), 64 * 64 * 4);
    assert_eq!(echoed, pixels);
}

#[cfg(not(wasm_ws_worker))]
fn canvas(size: u32) -> web_sys::CanvasRenderingContext2d {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(size);
    canvas.set_height(size);
    canvas.get_context("2d").unwrap().unwrap().unchecked_into()
}

/// Page only: a worker has no document to make a canvas in.
#[cfg(not(wasm_ws_worker))]
#[wasm_bindgen_test]
async fn canvas_image_data_round_trips_byte_exact() {
    let ctx = canvas(64);
    let pixels = test_pixels();
    let source =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), 64, 64).unwrap();
    ctx.put_image_data(&source, 0.0, 0.0).unwrap();
    let image = ctx.get_image_data(0.0, 0.0, 64.0, 64.0).unwrap();
    assert_eq!(image.data().0, pixels);

    let echoed = echo_image(&image).await;
    assert_eq!(echoed, pixels);

    // Paint the echo onto a second canvas: the same pixels come back.
    let target = canvas(64);
    let echoed_image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&echoed), 64, 64).unwrap();
    target.put_image_data(&echoed_image, 0.0, 0.0).unwrap();
    let painted = target.get_image_data(0.0, 0.0, 64.0, 64.0).unwrap();
    assert_eq!(painted.data().0, pixels);
}

#[wasm_bindgen_test]
async fn server_selects_the_first_offered_protocol() {
    let ws =
        WebSocket::with_protocols(&url("/first-protocol"), &["chat.v2", "echo-protocol"]).unwrap();
    let rec = Recorder::attach(&ws);
    rec.opened().await;
    assert_eq!(ws.protocol(), "chat.v2");
    assert_eq!(ws.url(), url("/first-protocol"));
    // The test server does not enable permessage-deflate.
    assert_eq!(ws.extensions(), "");
}

#[wasm_bindgen_test]
async fn large_binary_sends_keep_their_bytes_and_their_order() {
    // From 512 KiB the crate hands binary data to the browser as a Blob
    // (faster in Chromium); the bytes and the order must not change.
    let (ws, rec) = open_echo().await;
    ws.set_binary_type(BinaryType::ArrayBuffer);
    let big = pattern(700 * 1024, 5);
    let backing = js_sys::Uint8Array::from(&pattern(2 << 20, 9)[..]);
    let view = backing.subarray(1000, 1000 + 600 * 1024);
    ws.send(&big).unwrap();
    ws.send("after the bytes").unwrap();
    ws.send(&view).unwrap();
    ws.send(&backing.buffer()).unwrap();
    ws.send("last").unwrap();
    let got = rec.message_count(5).await;
    assert_eq!(got[0], Message::Binary(big));
    assert_eq!(got[1], Message::Text("after the bytes".into()));
    assert_eq!(
        got[2],
        Message::Binary(pattern(2 << 20, 9)[1000..1000 + 600 * 1024].to_vec())
    );
    assert_eq!(got[3], Message::Binary(pattern(2 << 20, 9)));
    assert_eq!(got[4], Message::Text("last".into()));
}
