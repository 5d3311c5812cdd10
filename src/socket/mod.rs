//! The core: one browser `WebSocket` ([`websocket`]), the events it fires
//! and their listener lists, what travels over it, and the standard's
//! rules for its arguments. Knows nothing of reconnecting or of the faces.

pub(crate) mod blocked_port;
pub(crate) mod close;
pub(crate) mod events;
pub(crate) mod listeners;
pub(crate) mod message;
pub(crate) mod protocols;
pub(crate) mod websocket;
