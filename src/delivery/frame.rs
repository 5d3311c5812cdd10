//! The delivery protocol's frames (docs/delivery.md): text frames are
//! always data and untouched; a binary frame starts with a type byte, and
//! every type but DATA is a control frame, encoded and decoded here. Pure
//! byte logic, tested natively.

/// Every HELLO and WELCOME starts with these, after the type byte: a frame
/// that happens to start with the type byte is not taken for one.
pub(crate) const MAGIC: &[u8; 4] = b"WSDL";
/// The protocol version this crate speaks.
pub(crate) const VERSION: u8 = 1;

/// The type byte of a binary frame.
pub(crate) mod kind {
    pub(crate) const DATA: u8 = 0;
    pub(crate) const HELLO: u8 = 1;
    pub(crate) const WELCOME: u8 = 2;
    pub(crate) const ACK: u8 = 3;
    pub(crate) const PING: u8 = 4;
    pub(crate) const PONG: u8 = 5;
}

const HELLO_LEN: usize = 46;
const WELCOME_LEN: usize = 47;
const ACK_LEN: usize = 9;

/// The session a connection belongs to: its (secret) id and the server's
/// epoch. All zero before the server issued one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SessionKey {
    pub(crate) id: [u8; 16],
    pub(crate) epoch: [u8; 8],
}

impl SessionKey {
    pub(crate) fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

/// The most data one side keeps unacknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) messages: u32,
    pub(crate) bytes: u32,
}

/// A control frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Hello {
        key: SessionKey,
        received: u64,
        window: Window,
    },
    Welcome {
        key: SessionKey,
        received: u64,
        window: Window,
        resumed: bool,
    },
    Ack(u64),
    Ping,
    Pong,
}

impl Control {
    /// The frame's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(WELCOME_LEN);
        match self {
            Self::Hello {
                key,
                received,
                window,
            }
            | Self::Welcome {
                key,
                received,
                window,
                ..
            } => {
                let welcome = matches!(self, Self::Welcome { .. });
                out.push(if welcome { kind::WELCOME } else { kind::HELLO });
                out.extend_from_slice(MAGIC);
                out.push(VERSION);
                out.extend_from_slice(&key.id);
                out.extend_from_slice(&key.epoch);
                out.extend_from_slice(&received.to_be_bytes());
                out.extend_from_slice(&window.messages.to_be_bytes());
                out.extend_from_slice(&window.bytes.to_be_bytes());
                if let Self::Welcome { resumed, .. } = self {
                    out.push(u8::from(*resumed));
                }
            }
            Self::Ack(received) => {
                out.push(kind::ACK);
                out.extend_from_slice(&received.to_be_bytes());
            }
            Self::Ping => out.push(kind::PING),
            Self::Pong => out.push(kind::PONG),
        }
        out
    }

    /// Reads a control frame (a binary frame whose type byte is not DATA).
    /// The error says what is wrong, for the close reason and the error
    /// event.
    pub(crate) fn decode(frame: &[u8]) -> Result<Self, &'static str> {
        let (&kind, rest) = frame.split_first().ok_or("an empty binary frame")?;
        let exact = |len: usize, what: &'static str| {
            if frame.len() == len {
                Ok(())
            } else {
                Err(what)
            }
        };
        match kind {
            kind::HELLO | kind::WELCOME => {
                let welcome = kind == kind::WELCOME;
                if welcome {
                    exact(WELCOME_LEN, "a WELCOME frame of the wrong length")?;
                } else {
                    exact(HELLO_LEN, "a HELLO frame of the wrong length")?;
                }
                if &rest[..4] != MAGIC || rest[4] != VERSION {
                    return Err("a HELLO or WELCOME frame of another protocol or version");
                }
                let mut key = SessionKey::default();
                key.id.copy_from_slice(&rest[5..21]);
                key.epoch.copy_from_slice(&rest[21..29]);
                let received = u64::from_be_bytes(array(&rest[29..37]));
                let window = Window {
                    messages: u32::from_be_bytes(array(&rest[37..41])),
                    bytes: u32::from_be_bytes(array(&rest[41..45])),
                };
                if window.messages == 0 || window.bytes == 0 {
                    return Err("a window of zero messages or bytes");
                }
                Ok(if welcome {
                    let resumed = match rest[45] {
                        0 => false,
                        1 => true,
                        _ => return Err("a WELCOME frame whose resumed flag is not 0 or 1"),
                    };
                    Self::Welcome {
                        key,
                        received,
                        window,
                        resumed,
                    }
                } else {
                    Self::Hello {
                        key,
                        received,
                        window,
                    }
                })
            }
            kind::ACK => {
                exact(ACK_LEN, "an ACK frame of the wrong length")?;
                Ok(Self::Ack(u64::from_be_bytes(array(rest))))
            }
            kind::PING => exact(1, "a PING frame with a body").map(|()| Self::Ping),
            kind::PONG => exact(1, "a PONG frame with a body").map(|()| Self::Pong),
            _ => Err("a binary frame of an unknown type"),
        }
    }
}

/// Exactly N bytes of a slice whose length was checked.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey {
            id: [7; 16],
            epoch: [9; 8],
        }
    }

    const WINDOW: Window = Window {
        messages: 8192,
        bytes: 8 << 20,
    };

    #[test]
    fn control_frames_round_trip_with_the_documented_lengths() {
        let frames = [
            Control::Hello {
                key: key(),
                received: 42,
                window: WINDOW,
            },
            Control::Welcome {
                key: key(),
                received: u64::MAX,
                window: WINDOW,
                resumed: true,
            },
            Control::Ack(1_000_000),
            Control::Ping,
            Control::Pong,
        ];
        let lengths: Vec<usize> = frames.iter().map(|f| f.encode().len()).collect();
        assert_eq!(lengths, [46, 47, 9, 1, 1]);
        for frame in frames {
            assert_eq!(Control::decode(&frame.encode()), Ok(frame));
        }
    }

    #[test]
    fn the_layout_is_big_endian_after_the_magic() {
        let bytes = Control::Welcome {
            key: key(),
            received: 0x0102,
            window: Window {
                messages: 3,
                bytes: 0x0400,
            },
            resumed: false,
        }
        .encode();
        assert_eq!(&bytes[..6], &[2, b'W', b'S', b'D', b'L', 1]);
        assert_eq!(&bytes[30..38], &[0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(&bytes[38..46], &[0, 0, 0, 3, 0, 0, 4, 0]);
        assert_eq!(bytes[46], 0);
        assert_eq!(Control::Ack(258).encode(), [3, 0, 0, 0, 0, 0, 0, 1, 2]);
    }

    #[test]
    fn malformed_frames_are_errors_never_panics() {
        let mut welcome = Control::Welcome {
            key: key(),
            received: 1,
            window: WINDOW,
            resumed: true,
        }
        .encode();
        assert!(Control::decode(&[]).is_err());
        assert!(Control::decode(&[9]).is_err(), "unknown type");
        assert!(Control::decode(&[kind::ACK, 1, 2]).is_err(), "short ack");
        assert!(Control::decode(&[kind::PING, 0]).is_err());
        assert!(Control::decode(&welcome[..46]).is_err(), "short welcome");
        welcome[46] = 2;
        assert!(Control::decode(&welcome).is_err(), "resumed flag 2");
        welcome[46] = 1;
        welcome[1] = b'X';
        assert!(Control::decode(&welcome).is_err(), "bad magic");
        welcome[1] = b'W';
        welcome[5] = 2;
        assert!(Control::decode(&welcome).is_err(), "version 2");
        welcome[5] = 1;
        welcome[38..42].copy_from_slice(&[0; 4]);
        assert!(Control::decode(&welcome).is_err(), "zero window");
        for len in 0..60 {
            let _ = Control::decode(&vec![kind::HELLO; len]);
        }
    }
}
