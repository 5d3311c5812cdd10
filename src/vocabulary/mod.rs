//! The words every layer shares, below the errors: the close vocabulary
//! (codes, limits, [`CloseEvent`](close_event::CloseEvent)) and the
//! browser's small enums ([`ReadyState`](ready_state::ReadyState),
//! [`BinaryType`](ready_state::BinaryType)). Imports nothing from the
//! crate, so `error.rs` can describe closes and states, and their parsing
//! into errors lives there.

pub(crate) mod close_event;
pub(crate) mod ready_state;
