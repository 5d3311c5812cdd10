//! Arrival order for messages whose payload is ready at different times.
//!
//! A `Blob` must be read asynchronously to get its bytes, and a later,
//! smaller Blob (or a text message) can be ready first. Reading each Blob
//! as soon as it arrives but handing out only the front of the queue keeps
//! the conversions concurrent and the order exact. This is the bug other
//! crates dodged by forcing `ArrayBuffer` mode.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One queued item: ready now, or a conversion still running.
enum Slot<T, F> {
    Ready(T),
    Converting(Pin<Box<F>>),
}

/// A FIFO whose items may finish converting out of order but leave in
/// order.
pub(crate) struct OrderedQueue<T, F> {
    slots: VecDeque<Slot<T, F>>,
}

impl<T, F> Default for OrderedQueue<T, F> {
    fn default() -> Self {
        Self {
            slots: VecDeque::new(),
        }
    }
}

impl<T, E, F: Future<Output = Result<T, E>>> OrderedQueue<T, F> {
    /// Queues an item that is ready now.
    pub(crate) fn push_ready(&mut self, item: T) {
        self.slots.push_back(Slot::Ready(item));
    }

    /// Queues an item still converting; it leaves after everything queued
    /// before it.
    pub(crate) fn push_converting(&mut self, conversion: F) {
        self.slots.push_back(Slot::Converting(Box::pin(conversion)));
    }

    /// True when nothing is queued.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The front item once it is ready: `Ready(None)` when empty,
    /// `Pending` while the front is still converting (its future holds the
    /// waker).
    pub(crate) fn poll_front(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, E>>> {
        let result = match self.slots.front_mut() {
            None => return Poll::Ready(None),
            Some(Slot::Ready(_)) => None,
            Some(Slot::Converting(conversion)) => match conversion.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => Some(result),
            },
        };
        match (self.slots.pop_front(), result) {
            (Some(_), Some(result)) => Poll::Ready(Some(result)),
            (Some(Slot::Ready(item)), None) => Poll::Ready(Some(Ok(item))),
            // Unreachable: `result` is None only for a Ready front.
            _ => Poll::Ready(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A conversion that finishes when the test says so.
    #[derive(Clone, Default)]
    struct Manual(Rc<RefCell<Option<Result<u32, String>>>>);

    impl Future for Manual {
        type Output = Result<u32, String>;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
            match self.0.borrow_mut().take() {
                Some(result) => Poll::Ready(result),
                None => Poll::Pending,
            }
        }
    }

    fn drain(queue: &mut OrderedQueue<u32, Manual>) -> Vec<Result<u32, String>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut out = Vec::new();
        while let Poll::Ready(Some(item)) = queue.poll_front(&mut cx) {
            out.push(item);
        }
        out
    }

    #[test]
    fn items_leave_in_arrival_order_even_when_later_conversions_finish_first() {
        let mut queue = OrderedQueue::default();
        let (first, second) = (Manual::default(), Manual::default());
        queue.push_ready(1);
        queue.push_converting(first.clone());
        queue.push_ready(3);
        queue.push_converting(second.clone());
        queue.push_ready(5);

        assert_eq!(drain(&mut queue), vec![Ok(1)]);
        *second.0.borrow_mut() = Some(Ok(4)); // the later Blob is read first
        assert_eq!(drain(&mut queue), vec![], "3 and 4 wait behind 2");
        *first.0.borrow_mut() = Some(Ok(2));
        assert_eq!(drain(&mut queue), vec![Ok(2), Ok(3), Ok(4), Ok(5)]);
        assert!(queue.is_empty());
    }

    #[test]
    fn a_failed_conversion_is_reported_in_its_place() {
        let mut queue = OrderedQueue::default();
        let failing = Manual::default();
        queue.push_converting(failing.clone());
        queue.push_ready(2);
        *failing.0.borrow_mut() = Some(Err("unreadable".into()));
        assert_eq!(drain(&mut queue), vec![Err("unreadable".into()), Ok(2)]);
    }
}
