//! What a connection sent that may not have reached the server. The
//! browser reports, even at the close event, how many sent bytes it never
//! put on the network (`bufferedAmount`); the messages whose bytes all lie
//! in that unsent tail can be sent again on the next connection, and only
//! the ones before them can have been lost. Pure logic on byte counts.

use std::collections::VecDeque;

/// Messages sent on one connection since the browser's buffer was last
/// seen empty, with the bytes each added to `bufferedAmount`.
#[derive(Debug)]
pub(crate) struct SentLog<T> {
    items: VecDeque<(T, u32)>,
}

impl<T> Default for SentLog<T> {
    fn default() -> Self {
        Self {
            items: VecDeque::new(),
        }
    }
}

/// How a lost connection's sends divide at its close.
#[derive(Debug, PartialEq)]
pub(crate) struct Tail<T> {
    /// Never left the browser, in the order they were sent.
    pub(crate) unsent: VecDeque<(T, u32)>,
    /// Left the browser (entirely or in part) and may be lost.
    pub(crate) possibly_lost: u32,
}

impl<T> SentLog<T> {
    /// Records a message that added `size` bytes to `bufferedAmount`.
    /// `buffered_before` is `bufferedAmount` just before it was sent: 0
    /// means everything logged so far has left the browser, so it is
    /// forgotten (it could only be counted as possibly lost).
    pub(crate) fn push(&mut self, item: T, size: u32, buffered_before: u32) {
        if buffered_before == 0 {
            self.items.clear();
        }
        self.items.push_back((item, size));
    }

    /// Forgets everything: the buffer was seen empty.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Splits the log at the close, given `bufferedAmount` then: the last
    /// messages whose bytes all fit in the unsent tail were never sent.
    pub(crate) fn split(&mut self, unsent_bytes: u32) -> Tail<T> {
        let mut budget = unsent_bytes;
        let mut unsent_count = 0;
        for (_, size) in self.items.iter().rev() {
            if *size > budget {
                break;
            }
            budget -= size;
            unsent_count += 1;
        }
        let possibly_lost = (self.items.len() - unsent_count) as u32;
        // Kept a VecDeque: converting it to a Vec brings in a rotation
        // routine (about 0.4 KB of the npm module).
        let unsent = self.items.split_off(self.items.len() - unsent_count);
        self.items.clear();
        Tail {
            unsent,
            possibly_lost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(sizes: &[u32]) -> SentLog<usize> {
        let mut log = SentLog::default();
        let mut buffered = 0;
        for (i, &size) in sizes.iter().enumerate() {
            log.push(i, size, buffered);
            buffered += size;
        }
        log
    }

    #[test]
    fn messages_wholly_in_the_unsent_tail_come_back_in_order() {
        let mut sent = log(&[10, 10, 10, 10]);
        let tail = sent.split(25);
        assert_eq!(tail.unsent, vec![(2, 10), (3, 10)]);
        assert_eq!(tail.possibly_lost, 2, "message 1 had partly left");
        assert!(sent.is_empty());
    }

    #[test]
    fn the_issue_measurement_336_of_400_are_saved() {
        // 400 messages of 64 KiB; at the close 22,020,168 bytes unsent.
        let mut sent = log(&[65_536; 400]);
        let tail = sent.split(22_020_168);
        assert_eq!(tail.unsent.len(), 336);
        assert_eq!(tail.unsent[0].0, 64);
        assert_eq!(tail.possibly_lost, 64);
    }

    #[test]
    fn an_empty_buffer_forgets_what_went_before() {
        let mut sent = SentLog::default();
        sent.push("a", 5, 0);
        sent.push("b", 5, 5);
        sent.push("c", 5, 0); // the buffer had drained: a and b are gone
        let tail = sent.split(0);
        assert_eq!(tail.unsent, vec![]);
        assert_eq!(tail.possibly_lost, 1);
        let mut all_unsent = SentLog::default();
        all_unsent.push("x", 3, 0);
        all_unsent.push("y", 4, 3);
        let tail = all_unsent.split(7);
        assert_eq!(tail.unsent, vec![("x", 3), ("y", 4)]);
        assert_eq!(tail.possibly_lost, 0);
        assert_eq!(SentLog::<u8>::default().split(100).possibly_lost, 0);
    }
}
