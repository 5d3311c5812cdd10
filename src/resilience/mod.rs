//! Opt-in resilience over the core socket: [`reconnecting`] (the public
//! face, reporting [`reconnect_event`]s) and its [`driver`] replace a lost
//! connection, deciding when with [`backoff`], noticing dead ones with
//! [`heartbeat`], and keeping sends made meanwhile in the [`outbox`]; the
//! application can veto a retry with [`should_reconnect`]; [`network`]
//! makes waiting sockets retry when the network or the page comes back;
//! [`sent_log`] finds what a lost connection never sent, to send it again;
//! a [`provider`] gives a fresh URL or protocol list before every attempt.

pub(crate) mod backoff;
pub(crate) mod driver;
pub(crate) mod heartbeat;
pub(crate) mod network;
pub(crate) mod outbox;
pub(crate) mod outgoing;
pub(crate) mod reconnect_event;
pub(crate) mod reconnecting;
pub(crate) mod sent_log;
