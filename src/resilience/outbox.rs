//! Sends made while a reconnecting socket is not open wait here, bounded by
//! message count and bytes, and leave in order on the next open. A send
//! that would pass a bound fails with a typed error; nothing is dropped
//! silently.

use std::collections::VecDeque;

use crate::error::Error;
use crate::options::outbox_limits::OutboxLimits;

/// A bounded FIFO of items with a byte size.
#[derive(Debug)]
pub(crate) struct Outbox<T> {
    items: VecDeque<(T, usize)>,
    bytes: usize,
    limits: OutboxLimits,
}

impl<T> Outbox<T> {
    pub(crate) fn new(limits: OutboxLimits) -> Self {
        Self {
            items: VecDeque::new(),
            bytes: 0,
            limits,
        }
    }

    /// Queues `item` of `size` bytes, or fails with
    /// [`Error::OutboxFull`] and leaves the queue as it was.
    pub(crate) fn push(&mut self, item: T, size: usize) -> Result<(), Error> {
        let too_many = self.items.len() + 1 > self.limits.max_messages;
        let too_big = self.bytes.saturating_add(size) > self.limits.max_bytes;
        if too_many || too_big {
            return Err(Error::OutboxFull {
                queued_messages: self.items.len(),
                queued_bytes: self.bytes,
                message_bytes: size,
            });
        }
        self.bytes += size;
        self.items.push_back((item, size));
        Ok(())
    }

    /// Takes the oldest item, with its size.
    pub(crate) fn pop(&mut self) -> Option<(T, usize)> {
        let (item, size) = self.items.pop_front()?;
        self.bytes -= size;
        Some((item, size))
    }

    /// Puts an item back at the front (it could not be sent after all, or
    /// must go again), whatever the bounds: it was accepted before.
    pub(crate) fn unpop(&mut self, item: T, size: usize) {
        self.bytes += size;
        self.items.push_front((item, size));
    }

    /// The oldest item's size.
    #[cfg(feature = "delivery")]
    pub(crate) fn front_size(&self) -> Option<usize> {
        self.items.front().map(|(_, size)| *size)
    }

    /// Drops everything (a lost delivery session lists what it held).
    #[cfg(feature = "delivery")]
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(max_messages: usize, max_bytes: usize) -> Outbox<&'static str> {
        Outbox::new(OutboxLimits {
            max_messages,
            max_bytes,
        })
    }

    #[test]
    fn items_leave_in_order_and_the_counts_follow() {
        let mut ob = outbox(10, 100);
        ob.push("a", 1).unwrap();
        ob.push("bb", 2).unwrap();
        ob.push("ccc", 3).unwrap();
        assert_eq!((ob.len(), ob.bytes()), (3, 6));
        assert_eq!(ob.pop(), Some(("a", 1)));
        assert_eq!((ob.len(), ob.bytes()), (2, 5));
        ob.unpop("a", 1);
        let drained: Vec<_> = std::iter::from_fn(|| ob.pop()).collect();
        assert_eq!(drained, [("a", 1), ("bb", 2), ("ccc", 3)]);
        assert_eq!((ob.len(), ob.bytes()), (0, 0));
    }

    #[test]
    fn the_message_bound_rejects_with_a_typed_error_and_keeps_the_queue() {
        let mut ob = outbox(2, 100);
        ob.push("a", 1).unwrap();
        ob.push("b", 1).unwrap();
        let err = ob.push("c", 1).unwrap_err();
        assert_eq!(
            err,
            Error::OutboxFull {
                queued_messages: 2,
                queued_bytes: 2,
                message_bytes: 1
            }
        );
        assert_eq!(err.name(), "QuotaExceededError");
        assert_eq!(ob.pop().map(|(item, _)| item), Some("a"));
        assert_eq!(ob.pop().map(|(item, _)| item), Some("b"));
    }

    #[test]
    fn the_byte_bound_counts_exactly() {
        let mut ob = outbox(10, 10);
        ob.push("x", 10).unwrap();
        assert!(ob.push("y", 1).is_err());
        assert_eq!(ob.pop().map(|(item, _)| item), Some("x"));
        ob.push("big", 10).unwrap();
        assert!(outbox(10, 10).push("huge", 11).is_err());
    }
}
