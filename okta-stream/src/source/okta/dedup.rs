//! A bounded window of recently seen event `uuid`s.
//!
//! Every event the poller delivers passes through [`DedupWindow::insert`]; a repeat of a uuid still
//! in the window is dropped (and counted by the caller). The window keeps the last `capacity`
//! uuids in arrival order (FIFO + hash set), so memory is bounded, and it is saved with the
//! checkpoint so that repeats are also suppressed across restarts.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// The default number of uuids remembered (10 pages of 1000 events).
pub const DEFAULT_DEDUP_CAPACITY: usize = 10_000;

/// The last `capacity` uuids seen, oldest first.
#[derive(Debug, Clone)]
pub struct DedupWindow {
    capacity: usize,
    order: VecDeque<Arc<str>>,
    set: HashSet<Arc<str>>,
}

impl Default for DedupWindow {
    fn default() -> Self {
        DedupWindow::new(DEFAULT_DEDUP_CAPACITY)
    }
}

impl DedupWindow {
    /// An empty window holding at most `capacity` uuids (at least 1).
    pub fn new(capacity: usize) -> DedupWindow {
        let capacity = capacity.max(1);
        DedupWindow {
            capacity,
            order: VecDeque::with_capacity(capacity.min(16_384)),
            set: HashSet::with_capacity(capacity.min(16_384)),
        }
    }

    /// A window pre-filled with `uuids` (oldest first); only the newest `capacity` are kept.
    pub fn from_uuids<I, S>(capacity: usize, uuids: I) -> DedupWindow
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut w = DedupWindow::new(capacity);
        for u in uuids {
            w.insert(u.as_ref());
        }
        w
    }

    /// Records `uuid`; returns `false` when it is already in the window (a duplicate).
    pub fn insert(&mut self, uuid: &str) -> bool {
        if self.set.contains(uuid) {
            return false;
        }
        let key: Arc<str> = Arc::from(uuid);
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.order.push_back(key.clone());
        self.set.insert(key);
        true
    }

    /// True when `uuid` is in the window.
    pub fn contains(&self, uuid: &str) -> bool {
        self.set.contains(uuid)
    }

    /// Number of uuids held.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no uuid is held.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The maximum number of uuids held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The uuids held, oldest first (the order to save and to restore).
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(|s| s.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_repeats_within_the_window() {
        let mut w = DedupWindow::new(3);
        assert!(w.insert("a"));
        assert!(w.insert("b"));
        assert!(!w.insert("a"));
        assert!(w.insert("c"));
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn evicts_oldest_first_and_stays_bounded() {
        let mut w = DedupWindow::new(100);
        for i in 0..1000 {
            assert!(w.insert(&format!("u{i}")));
            assert!(w.len() <= 100);
        }
        assert_eq!(w.len(), 100);
        assert!(!w.contains("u899"));
        assert!(w.contains("u900"));
        assert!(w.contains("u999"));
        // An evicted uuid counts as new again.
        assert!(w.insert("u0"));
        assert!(!w.contains("u900"));
        assert_eq!(w.iter().next(), Some("u901"));
    }

    #[test]
    fn round_trips_through_its_uuid_list() {
        let mut w = DedupWindow::new(5);
        for u in ["a", "b", "c", "d", "e", "f", "g"] {
            w.insert(u);
        }
        let saved: Vec<String> = w.iter().map(String::from).collect();
        assert_eq!(saved, ["c", "d", "e", "f", "g"]);
        let restored = DedupWindow::from_uuids(5, &saved);
        assert_eq!(
            restored.iter().collect::<Vec<_>>(),
            w.iter().collect::<Vec<_>>()
        );
        // Restoring into a smaller window keeps the newest.
        let small = DedupWindow::from_uuids(2, &saved);
        assert_eq!(small.iter().collect::<Vec<_>>(), ["f", "g"]);
        assert_eq!(DedupWindow::new(0).capacity(), 1);
    }
}
