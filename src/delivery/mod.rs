//! End-to-end delivery with a cooperating server (docs/delivery.md): the
//! protocol's [`frame`]s, one side's [`session`] book-keeping, and what the
//! application sees of it ([`DeliveryStatus`], [`SessionLostReason`]). The
//! reconnecting driver runs them (`resilience/driver/delivered.rs`).
//! Feature `delivery`.

pub(crate) mod frame;
pub(crate) mod session;

/// Whether a connection with [`DeliveryOptions`](crate::DeliveryOptions)
/// has end-to-end delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Delivery was not asked for.
    Off,
    /// Waiting for the server's answer to the first connection's HELLO.
    Negotiating,
    /// The server speaks the protocol: nothing is lost or repeated.
    On,
    /// The server does not speak it: the connection is only reconnecting,
    /// and no guarantee is claimed. Not asked again on later connections.
    Unavailable,
}

impl DeliveryStatus {
    /// The JS attribute's value: `"off"`, `"negotiating"`, `"on"` or
    /// `"unavailable"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Negotiating => "negotiating",
            Self::On => "on",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Why the server could not resume a session (its close code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionLostReason {
    /// 4410: the server restarted (a new epoch); sessions live in memory.
    Restarted,
    /// 4411: the session expired or was evicted.
    Expired,
    /// 4412 or 4413: the resume was refused (a retired session id, or an
    /// impossible count).
    Refused,
}

impl SessionLostReason {
    /// The reason a refusal's close code means, if it is one.
    pub(crate) fn of_close_code(code: u16) -> Option<Self> {
        match code {
            4410 => Some(Self::Restarted),
            4411 => Some(Self::Expired),
            4412 | 4413 => Some(Self::Refused),
            _ => None,
        }
    }

    /// `"restarted"`, `"expired"` or `"refused"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Restarted => "restarted",
            Self::Expired => "expired",
            Self::Refused => "refused",
        }
    }
}

/// The close code with which either side fails a connection whose peer
/// broke the protocol.
pub(crate) const PROTOCOL_ERROR_CODE: u16 = 4400;
