//! An ordered list of callbacks for one event type, with the DOM's rules:
//! listeners run in registration order; the `on<event>` handler holds one
//! slot that keeps its place when replaced; a listener removed during a
//! dispatch does not run later in that dispatch, and one added during a
//! dispatch first runs for the next event.
//!
//! Dispatch clones an `Rc` of the current list (no allocation per event);
//! changes copy the list only while a dispatch holds it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A callback as stored: boxed, run with the raw event.
pub(crate) type Callback<E> = Box<dyn FnMut(&E)>;

struct Entry<E> {
    id: u64,
    removed: Cell<bool>,
    callback: RefCell<Callback<E>>,
}

/// The listeners of one event type.
pub(crate) struct Listeners<E> {
    entries: RefCell<Rc<Vec<Rc<Entry<E>>>>>,
    next_id: Cell<u64>,
    /// The entry that holds the `on<event>` handler, if one is set.
    handler: Cell<Option<u64>>,
}

impl<E> Default for Listeners<E> {
    fn default() -> Self {
        Self {
            entries: RefCell::new(Rc::new(Vec::new())),
            next_id: Cell::new(0),
            handler: Cell::new(None),
        }
    }
}

impl<E> Listeners<E> {
    /// Runs every live listener in order with `event`.
    pub(crate) fn dispatch(&self, event: &E) {
        let snapshot = Rc::clone(&self.entries.borrow());
        for entry in snapshot.iter() {
            if entry.removed.get() {
                continue;
            }
            // A listener cannot re-enter itself: the browser never
            // dispatches socket events synchronously from inside one.
            if let Ok(mut callback) = entry.callback.try_borrow_mut() {
                callback(event);
            }
        }
    }

    /// Appends a listener; returns its id for [`Listeners::remove`].
    pub(crate) fn add(&self, callback: Callback<E>) -> u64 {
        let entry = self.entry(callback);
        let id = entry.id;
        Rc::make_mut(&mut self.entries.borrow_mut()).push(entry);
        id
    }

    /// Removes a listener; unknown ids are ignored.
    pub(crate) fn remove(&self, id: u64) {
        let mut entries = self.entries.borrow_mut();
        if let Some(index) = entries.iter().position(|e| e.id == id) {
            entries[index].removed.set(true);
            Rc::make_mut(&mut entries).remove(index);
        }
        if self.handler.get() == Some(id) {
            self.handler.set(None);
        }
    }

    /// Sets the `on<event>` handler: replaces the old one in its slot, or
    /// appends a new slot, as assigning `socket.onmessage` does.
    pub(crate) fn set_handler(&self, callback: Callback<E>) {
        let entry = self.entry(callback);
        let new_id = entry.id;
        let mut entries = self.entries.borrow_mut();
        let slot = self
            .handler
            .get()
            .and_then(|id| entries.iter().position(|e| e.id == id));
        match slot {
            Some(index) => {
                entries[index].removed.set(true);
                Rc::make_mut(&mut entries)[index] = entry;
            }
            None => Rc::make_mut(&mut entries).push(entry),
        }
        self.handler.set(Some(new_id));
    }

    /// Removes the `on<event>` handler, as assigning `null` does.
    pub(crate) fn clear_handler(&self) {
        if let Some(id) = self.handler.get() {
            self.remove(id);
        }
    }

    fn entry(&self, callback: Callback<E>) -> Rc<Entry<E>> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        Rc::new(Entry {
            id,
            removed: Cell::new(false),
            callback: RefCell::new(callback),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Log = Rc<RefCell<Vec<String>>>;

    fn logger(log: &Log, name: &'static str) -> Callback<u32> {
        let log = Rc::clone(log);
        Box::new(move |n: &u32| log.borrow_mut().push(format!("{name}{n}")))
    }

    #[test]
    fn listeners_run_in_registration_order() {
        let log = Log::default();
        let list = Listeners::default();
        list.add(logger(&log, "a"));
        list.add(logger(&log, "b"));
        list.add(logger(&log, "c"));
        list.dispatch(&1);
        assert_eq!(*log.borrow(), ["a1", "b1", "c1"]);
    }

    #[test]
    fn handler_keeps_its_slot_when_replaced_and_moves_to_the_end_when_reset() {
        let log = Log::default();
        let list = Listeners::default();
        list.add(logger(&log, "a"));
        list.set_handler(logger(&log, "h"));
        list.add(logger(&log, "b"));
        list.set_handler(logger(&log, "H"));
        list.dispatch(&1);
        assert_eq!(*log.borrow(), ["a1", "H1", "b1"]);
        list.clear_handler();
        assert_eq!(list.handler.get(), None);
        list.dispatch(&2);
        list.set_handler(logger(&log, "x"));
        list.dispatch(&3);
        assert_eq!(
            *log.borrow(),
            ["a1", "H1", "b1", "a2", "b2", "a3", "b3", "x3"]
        );
        assert_eq!(list.entries.borrow().len(), 3);
    }

    #[test]
    fn removed_listeners_stop_and_unknown_ids_are_ignored() {
        let log = Log::default();
        let list = Listeners::default();
        let a = list.add(logger(&log, "a"));
        list.add(logger(&log, "b"));
        list.remove(a);
        list.remove(a);
        list.remove(999);
        list.dispatch(&1);
        assert_eq!(*log.borrow(), ["b1"]);
    }

    #[test]
    fn removal_during_dispatch_skips_later_listeners_and_additions_wait() {
        let log = Log::default();
        let list: Rc<Listeners<u32>> = Rc::new(Listeners::default());
        let victim = Rc::new(Cell::new(u64::MAX));
        {
            let (list2, victim2, log2) = (Rc::clone(&list), Rc::clone(&victim), Rc::clone(&log));
            list.add(Box::new(move |n: &u32| {
                log2.borrow_mut().push(format!("first{n}"));
                list2.remove(victim2.get());
                let log3 = Rc::clone(&log2);
                list2.add(Box::new(move |n: &u32| {
                    log3.borrow_mut().push(format!("late{n}"))
                }));
            }));
        }
        victim.set(list.add(logger(&log, "victim")));
        list.dispatch(&1);
        assert_eq!(*log.borrow(), ["first1"]);
        list.dispatch(&2);
        assert_eq!(*log.borrow(), ["first1", "first2", "late2"]);
    }
}
