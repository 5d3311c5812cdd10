//! [`init`]: what a module does once before its first socket.

/// Prepares the module once: with the default `panic-hook` feature, Rust
/// panic messages are written to the browser console (by
/// `console_error_panic_hook`) instead of an opaque `unreachable` trap.
/// Calling it again does nothing.
///
/// Exported to JavaScript as `init()`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn init() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}
