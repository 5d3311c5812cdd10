//! One side's book-keeping of a delivery session (docs/delivery.md): what
//! it sent and the peer has not acknowledged yet (kept, to send again after
//! a resume), what it received and has not acknowledged, and the map from
//! wire numbers to the application's message ids. Pure logic, generic over
//! the kept message, tested natively.

use std::collections::VecDeque;

use super::frame::{Control, SessionKey, Window};

/// What the peer told us does not add up: the connection fails (4400).
pub(crate) type ProtocolError = &'static str;

#[derive(Debug)]
pub(crate) struct Session<T> {
    /// Issued by the server's last WELCOME; none before the first.
    key: SessionKey,
    /// Ids of the messages before this session's first (wire number `n` is
    /// id `base + n`).
    base: u64,
    /// Data messages put on the wire in this session (numbered 1..=sent).
    sent: u64,
    /// Of those, acknowledged by the peer.
    acked: u64,
    /// Sent and not acknowledged: numbers `acked + 1 ..= sent`, in order.
    unacked: VecDeque<(T, u32)>,
    unacked_bytes: u64,
    /// Data messages handed to the application in this session: what a
    /// HELLO says it has (a resume never sends them again).
    received: u64,
    /// Of those, the ones its reader consumed: what ACKs confirm. The same
    /// as `received` unless the face defers acks (a stream's queue).
    consumed: u64,
    /// The count our last ACK (or HELLO) told the peer.
    announced: u64,
    bytes_since_ack: u64,
    own_window: Window,
    peer_window: Window,
}

/// After a WELCOME: what the driver does next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Welcomed {
    /// The WELCOME acknowledged messages up to this id.
    pub(crate) delivered: Option<u64>,
}

impl<T> Session<T> {
    /// A new session (no key yet) whose first message gets id `base + 1`.
    pub(crate) fn new(base: u64, own_window: Window) -> Self {
        Self {
            key: SessionKey::default(),
            base,
            sent: 0,
            acked: 0,
            unacked: VecDeque::new(),
            unacked_bytes: 0,
            received: 0,
            consumed: 0,
            announced: 0,
            bytes_since_ack: 0,
            own_window,
            // Until the peer says: ack by half of ours.
            peer_window: own_window,
        }
    }

    /// The HELLO that opens a connection: resumes this session if the
    /// server issued one.
    pub(crate) fn hello(&mut self) -> Control {
        // The peer takes what was handed over as received: consumed from
        // its point of view, so later ACKs never go backwards.
        self.consumed = self.received;
        self.announced = self.received;
        self.bytes_since_ack = 0;
        Control::Hello {
            key: self.key,
            received: self.received,
            window: self.own_window,
        }
    }

    /// The server's WELCOME. For a resumed session, the messages the
    /// server has are acknowledged, and `unsent()` are to go again.
    pub(crate) fn welcome(&mut self, control: Control) -> Result<Welcomed, ProtocolError> {
        let Control::Welcome {
            key,
            received,
            window,
            resumed,
        } = control
        else {
            return Err("expected a WELCOME");
        };
        if key.is_none() {
            return Err("a WELCOME without a session");
        }
        if resumed == self.key.is_none() {
            return Err("a WELCOME that resumes a session not asked for, or does not resume the one asked for");
        }
        if resumed && key.epoch != self.key.epoch {
            return Err("a WELCOME that resumes a session of another epoch");
        }
        let delivered = self.ack(received)?;
        self.key = key;
        self.peer_window = window;
        Ok(Welcomed { delivered })
    }

    /// An ACK (or a WELCOME's `received`): the peer has the first
    /// `received` messages. Returns the id now delivered up to, if that
    /// moved.
    pub(crate) fn ack(&mut self, received: u64) -> Result<Option<u64>, ProtocolError> {
        if received < self.acked {
            return Err("an acknowledgement that goes backwards");
        }
        if received > self.sent {
            return Err("an acknowledgement of messages never sent");
        }
        if received == self.acked {
            return Ok(None);
        }
        for _ in self.acked..received {
            if let Some((_, size)) = self.unacked.pop_front() {
                self.unacked_bytes -= u64::from(size);
            }
        }
        self.acked = received;
        Ok(Some(self.base + received))
    }

    /// Whether a message of `size` bytes may go on the wire now: the
    /// window has room (a message bigger than the whole window goes alone).
    pub(crate) fn has_room(&self, size: u32) -> bool {
        let count = self.unacked.len() as u64;
        count < u64::from(self.own_window.messages)
            && (count == 0
                || self.unacked_bytes + u64::from(size) <= u64::from(self.own_window.bytes))
    }

    /// A data message went on the wire: kept until acknowledged.
    pub(crate) fn sent(&mut self, item: T, size: u32) {
        self.sent += 1;
        self.unacked_bytes += u64::from(size);
        self.unacked.push_back((item, size));
    }

    /// The messages a resumed connection sends again, in order (after the
    /// WELCOME acknowledged what the server has).
    pub(crate) fn unacked(&self) -> impl Iterator<Item = &T> {
        self.unacked.iter().map(|(item, _)| item)
    }

    /// A data message was handed to the application.
    pub(crate) fn handed(&mut self) {
        self.received += 1;
    }

    /// `count` handed messages of `bytes` in all were consumed (at most
    /// what was handed). Returns whether an ACK is due now (half the
    /// peer's window unacknowledged).
    pub(crate) fn consumed(&mut self, count: u32, bytes: u32) -> bool {
        self.consumed = (self.consumed + u64::from(count)).min(self.received);
        self.bytes_since_ack += u64::from(bytes);
        let pending = self.consumed - self.announced;
        pending * 2 >= u64::from(self.peer_window.messages)
            || self.bytes_since_ack * 2 >= u64::from(self.peer_window.bytes)
    }

    /// Messages handed over and not yet consumed.
    #[cfg_attr(not(feature = "js"), allow(dead_code))] // deferred acks: the JS stream
    pub(crate) fn unconsumed(&self) -> u32 {
        u32::try_from(self.received - self.consumed).unwrap_or(u32::MAX)
    }

    /// The ACK to send, if anything arrived since the last one.
    pub(crate) fn take_ack(&mut self) -> Option<Control> {
        if self.consumed <= self.announced {
            return None;
        }
        self.announced = self.consumed;
        self.bytes_since_ack = 0;
        Some(Control::Ack(self.consumed))
    }

    /// The id of the last message the peer acknowledged.
    pub(crate) fn delivered_id(&self) -> u64 {
        self.base + self.acked
    }

    /// Forgets the session (the server lost or refused it): a new one
    /// follows, whose first message gets id `next_base + 1`. Returns the
    /// ids that were sent and never confirmed (`delivered_id() + 1 ..=
    /// next_base`, the caller's last id).
    pub(crate) fn lose(&mut self, next_base: u64) -> std::ops::RangeInclusive<u64> {
        let unconfirmed = self.delivered_id() + 1..=next_base;
        *self = Self::new(next_base, self.own_window);
        unconfirmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Window = Window {
        messages: 4,
        bytes: 100,
    };

    /// One message of `size` bytes handed over and consumed at once, as a
    /// callback face does; returns whether an ACK is due.
    fn receive(s: &mut Session<u8>, size: u32) -> bool {
        s.handed();
        s.consumed(1, size)
    }

    fn welcome(id: u8, received: u64, resumed: bool) -> Control {
        Control::Welcome {
            key: SessionKey {
                id: [id; 16],
                epoch: [1; 8],
            },
            received,
            window: WINDOW,
            resumed,
        }
    }

    #[test]
    fn acks_free_the_window_and_report_ids() {
        let mut s = Session::new(10, WINDOW);
        assert!(matches!(s.hello(), Control::Hello { received: 0, .. }));
        assert_eq!(
            s.welcome(welcome(1, 0, false)),
            Ok(Welcomed { delivered: None })
        );
        for i in 0..4 {
            assert!(s.has_room(10));
            s.sent(i, 10);
        }
        assert!(!s.has_room(1), "4 messages fill a window of 4");
        assert_eq!(s.ack(2), Ok(Some(12)), "ids 11 and 12");
        assert!(s.has_room(10));
        assert_eq!(s.unacked().copied().collect::<Vec<_>>(), [2, 3]);
        assert_eq!(s.ack(2), Ok(None));
        assert!(s.ack(1).is_err(), "backwards");
        assert!(s.ack(5).is_err(), "beyond what was sent");
        assert_eq!(s.delivered_id(), 12);
    }

    #[test]
    fn the_byte_window_holds_but_a_big_message_goes_alone() {
        let mut s = Session::new(0, WINDOW);
        assert!(
            s.has_room(500),
            "nothing unacked: a message bigger than the window goes"
        );
        s.sent("big", 500);
        assert!(!s.has_room(1));
        s.ack(1).unwrap();
        s.sent("a", 60);
        assert!(s.has_room(40));
        assert!(!s.has_room(41));
    }

    #[test]
    fn a_resume_acknowledges_what_the_server_has_and_keeps_the_rest() {
        let mut s = Session::new(0, WINDOW);
        s.hello();
        s.welcome(welcome(1, 0, false)).unwrap();
        for i in 1..=4 {
            s.sent(i, 1);
        }
        receive(&mut s, 5);
        receive(&mut s, 5);
        assert!(matches!(
            s.hello(),
            Control::Hello { received: 2, key, .. } if key.id == [1; 16]
        ));
        assert_eq!(
            s.welcome(welcome(2, 3, true)),
            Ok(Welcomed { delivered: Some(3) })
        );
        assert_eq!(s.unacked().copied().collect::<Vec<_>>(), [4]);
        // The next HELLO presents the new id.
        assert!(matches!(s.hello(), Control::Hello { key, .. } if key.id == [2; 16]));
    }

    #[test]
    fn welcomes_that_do_not_fit_the_request_are_errors() {
        let mut s: Session<u8> = Session::new(0, WINDOW);
        s.hello();
        assert!(
            s.welcome(welcome(1, 0, true)).is_err(),
            "resumed a new session"
        );
        assert!(
            s.welcome(welcome(1, 1, false)).is_err(),
            "received more than sent"
        );
        s.welcome(welcome(1, 0, false)).unwrap();
        assert!(
            s.welcome(welcome(2, 0, false)).is_err(),
            "a new session when resuming"
        );
        let mut other_epoch = welcome(2, 0, true);
        if let Control::Welcome { key, .. } = &mut other_epoch {
            key.epoch = [5; 8];
        }
        assert!(s.welcome(other_epoch).is_err());
        assert!(s.welcome(Control::Ack(0)).is_err());
    }

    #[test]
    fn acks_are_coalesced_by_half_the_peer_window() {
        let mut s: Session<u8> = Session::new(0, WINDOW);
        s.hello();
        s.welcome(welcome(1, 0, false)).unwrap();
        assert!(!receive(&mut s, 1), "1 of 4");
        assert!(receive(&mut s, 1), "2 of 4: half");
        assert_eq!(s.take_ack(), Some(Control::Ack(2)));
        assert_eq!(s.take_ack(), None, "nothing new");
        assert!(receive(&mut s, 50), "half the bytes");
        assert_eq!(s.take_ack(), Some(Control::Ack(3)));
        s.handed();
        s.handed();
        assert!(s.consumed(2, 2), "a batch of 2: half the messages");
        assert_eq!(s.take_ack(), Some(Control::Ack(5)));
    }

    #[test]
    fn deferred_acks_confirm_what_was_consumed_and_a_hello_what_was_handed() {
        let mut s: Session<u8> = Session::new(0, WINDOW);
        s.hello();
        s.welcome(welcome(1, 0, false)).unwrap();
        for _ in 0..3 {
            s.handed();
        }
        assert_eq!(s.unconsumed(), 3);
        assert_eq!(s.take_ack(), None, "handed, not yet consumed");
        s.consumed(1, 1);
        assert_eq!(s.take_ack(), Some(Control::Ack(1)));
        s.consumed(9, 9);
        assert_eq!(
            s.take_ack(),
            Some(Control::Ack(3)),
            "never past what was handed"
        );
        s.handed();
        // A resume: the HELLO says 4 (nothing handed comes again), and the
        // next ACK goes on from there.
        assert!(matches!(s.hello(), Control::Hello { received: 4, .. }));
        assert_eq!(s.take_ack(), None);
        receive(&mut s, 1);
        assert_eq!(s.take_ack(), Some(Control::Ack(5)));
    }

    #[test]
    fn a_lost_session_lists_every_unconfirmed_id_and_starts_afresh() {
        let mut s = Session::new(0, WINDOW);
        s.hello();
        s.welcome(welcome(1, 0, false)).unwrap();
        for i in 1..=3 {
            s.sent(i, 1);
        }
        s.ack(1).unwrap();
        receive(&mut s, 1);
        // Ids 4 and 5 waited in the outbox.
        assert_eq!(s.lose(5), 2..=5);
        assert_eq!(s.unacked().count(), 0);
        assert_eq!(s.delivered_id(), 5);
        assert!(matches!(
            s.hello(),
            Control::Hello { key, received: 0, .. } if key.is_none()
        ));
    }
}
