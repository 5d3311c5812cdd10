//! Opt-in resilience over the core socket: [`reconnecting`] replaces a
//! lost connection, deciding when with [`backoff`], noticing dead ones with
//! [`heartbeat`], and keeping sends made meanwhile in the [`outbox`].

pub(crate) mod backoff;
pub(crate) mod heartbeat;
pub(crate) mod outbox;
pub(crate) mod reconnecting;
