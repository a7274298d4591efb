//! Stateful detections beyond Falco: threshold rules (N matches within a time window, per key).
//!
//! A rule in an okta-stream rules file may carry the extension key `threshold`:
//!
//! ```yaml
//! - rule: Password spraying from one IP
//!   desc: Many failed sign-ins from one client IP
//!   condition: okta.evt.type = user.session.start and okta.result = FAILURE
//!   output: Password spraying suspected (ip=%okta.client.ip, last user=%okta.actor.alternateid)
//!   priority: WARNING
//!   source: okta
//!   threshold:
//!     count: 10        # at least 10 matching events ...
//!     window: 5m       # ... whose `published` times lie within 5 minutes (90, 30s, 5m, 1h, 1d)
//!     by: okta.client.ip   # ... counted separately per value (a field or a list of fields; optional)
//! ```
//!
//! Semantics. For each event the rule's condition matches, the engine records the event time
//! (`published`) under the key formed by the `by` fields' values (`<NA>` for a missing value). When
//! the key holds at least `count` times within the last `window` (event time, inclusive), the rule
//! fires once, on that event, and the key's record is cleared: the next alert for that key needs
//! `count` new matches. So a burst of 25 failures with `count: 10` gives two alerts, not sixteen.
//!
//! Memory is bounded: a key keeps at most `count` times; keys whose newest time fell out of the
//! window are swept; when more than [`MAX_KEYS`] keys are live, the least recently seen half is
//! dropped (a heavy-hitter under attack is recently seen, so it stays).
//!
//! Falco does not know the key: a plain Falco rules file never uses it (Falco would warn
//! `Unknown key 'threshold'` and fire on every match), and the loader accepts Falco files unchanged.
//!
//! Data flow: the loader parses the key into a [`Threshold`] (fields resolved once); the engine
//! keeps one [`ThresholdState`] per threshold rule and calls [`ThresholdState::record`] when the
//! rule's condition matched; an alert is emitted only when it returns a count.

use std::collections::{HashMap, VecDeque};

use okta_stream::event::Event;
use okta_stream::fields::{Field, FieldState};

/// The most keys one threshold rule tracks before it evicts the least recently seen half.
pub const MAX_KEYS: usize = 100_000;

const NS_PER_SEC: i128 = 1_000_000_000;

/// Parses a window duration: plain seconds (`90`) or a number with unit `s`, `m`, `h` or `d`.
/// Returns seconds; zero and overflowing values are rejected.
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last()? {
        (i, 's') => (&t[..i], 1),
        (i, 'm') => (&t[..i], 60),
        (i, 'h') => (&t[..i], 3600),
        (i, 'd') => (&t[..i], 86_400),
        _ => (t, 1),
    };
    let n: u64 = num.trim().parse().ok()?;
    n.checked_mul(mult).filter(|s| *s > 0)
}

/// A compiled threshold: count, window and the key fields.
#[derive(Debug, Clone)]
pub struct Threshold {
    /// How many matches are needed.
    pub count: u32,
    /// The window, in seconds.
    pub window_secs: u64,
    /// The key fields (empty: one key for all events).
    pub by: Vec<Field>,
}

impl Threshold {
    /// The key of `event`: the `by` values joined with U+001F (`<NA>` for a missing value).
    pub fn key(&self, event: &Event, state: &FieldState) -> String {
        let mut key = String::new();
        for (i, f) in self.by.iter().enumerate() {
            if i > 0 {
                key.push('\u{1f}');
            }
            match f.extract(event, state) {
                Some(v) => key.push_str(&v.to_string()),
                None => key.push_str("<NA>"),
            }
        }
        key
    }
}

/// The per-key match times of one threshold rule.
#[derive(Debug)]
pub struct ThresholdState {
    count: usize,
    window_ns: i128,
    max_keys: usize,
    keys: HashMap<String, VecDeque<i128>>,
    last_sweep_ns: i128,
}

impl ThresholdState {
    /// An empty state for `threshold`.
    pub fn new(threshold: &Threshold) -> ThresholdState {
        ThresholdState::with_max_keys(threshold, MAX_KEYS)
    }

    /// An empty state with a custom key bound (at least 2).
    pub fn with_max_keys(threshold: &Threshold, max_keys: usize) -> ThresholdState {
        ThresholdState {
            count: threshold.count.max(1) as usize,
            window_ns: i128::from(threshold.window_secs) * NS_PER_SEC,
            max_keys: max_keys.max(2),
            keys: HashMap::new(),
            last_sweep_ns: i128::MIN,
        }
    }

    /// How many keys are tracked now.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Records a match of `key` at `time_ns`; returns the number of matches in the window when it
    /// reaches the threshold (the rule fires, and the key's record is cleared).
    pub fn record(&mut self, key: &str, time_ns: i128) -> Option<usize> {
        self.maybe_sweep(time_ns);
        let times = match self.keys.get_mut(key) {
            Some(t) => t,
            None => self
                .keys
                .entry(key.to_string())
                .or_insert_with(|| VecDeque::with_capacity(self.count.min(64))),
        };
        // Keep times sorted (events may arrive slightly out of order).
        let at = times.partition_point(|t| *t <= time_ns);
        times.insert(at, time_ns);
        let newest = times.back().copied().unwrap_or(time_ns);
        let oldest_allowed = newest - self.window_ns;
        while times.front().is_some_and(|t| *t < oldest_allowed) {
            times.pop_front();
        }
        while times.len() > self.count {
            times.pop_front();
        }
        if times.len() >= self.count {
            let n = times.len();
            times.clear();
            return Some(n);
        }
        None
    }

    fn maybe_sweep(&mut self, now_ns: i128) {
        let due = self.keys.len() >= self.max_keys
            || now_ns.saturating_sub(self.last_sweep_ns) > self.window_ns;
        if !due {
            return;
        }
        self.last_sweep_ns = now_ns;
        let window = self.window_ns;
        self.keys
            .retain(|_, times| times.back().is_some_and(|t| *t >= now_ns - window));
        if self.keys.len() >= self.max_keys {
            let mut newest: Vec<i128> = self
                .keys
                .values()
                .map(|t| t.back().copied().unwrap_or(i128::MIN))
                .collect();
            newest.sort_unstable();
            let cut = newest[newest.len() / 2];
            self.keys
                .retain(|_, times| times.back().is_some_and(|t| *t > cut));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn th(count: u32, window_secs: u64) -> Threshold {
        Threshold {
            count,
            window_secs,
            by: Vec::new(),
        }
    }

    const S: i128 = NS_PER_SEC;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Some(90));
        assert_eq!(parse_duration("30s"), Some(30));
        assert_eq!(parse_duration("5m"), Some(300));
        assert_eq!(parse_duration(" 2h "), Some(7200));
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("-5m"), None);
        assert_eq!(parse_duration("5w"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn fires_at_count_within_window_then_resets() {
        let mut st = ThresholdState::new(&th(3, 60));
        assert_eq!(st.record("ip1", 0), None);
        assert_eq!(st.record("ip1", 10 * S), None);
        assert_eq!(st.record("ip1", 20 * S), Some(3));
        // Cleared: needs three new matches.
        assert_eq!(st.record("ip1", 21 * S), None);
        assert_eq!(st.record("ip1", 22 * S), None);
        assert_eq!(st.record("ip1", 23 * S), Some(3));
    }

    #[test]
    fn matches_outside_window_do_not_count() {
        let mut st = ThresholdState::new(&th(3, 60));
        assert_eq!(st.record("k", 0), None);
        assert_eq!(st.record("k", 30 * S), None);
        // 0 is now more than 60 s before 61 s.
        assert_eq!(st.record("k", 61 * S), None);
        assert_eq!(st.record("k", 62 * S), Some(3));
    }

    #[test]
    fn keys_are_independent() {
        let mut st = ThresholdState::new(&th(2, 60));
        assert_eq!(st.record("a", 0), None);
        assert_eq!(st.record("b", S), None);
        assert_eq!(st.record("a", 2 * S), Some(2));
        assert_eq!(st.record("b", 3 * S), Some(2));
    }

    #[test]
    fn out_of_order_times() {
        let mut st = ThresholdState::new(&th(3, 10));
        assert_eq!(st.record("k", 100 * S), None);
        assert_eq!(st.record("k", 95 * S), None);
        assert_eq!(st.record("k", 80 * S), None); // too old relative to 100 s
        assert_eq!(st.record("k", 99 * S), Some(3));
    }

    #[test]
    fn memory_is_bounded() {
        let mut st = ThresholdState::with_max_keys(&th(5, 3600), 1000);
        for i in 0..10_000i128 {
            st.record(&format!("key{i}"), i * S);
            assert!(st.key_count() <= 1000, "{}", st.key_count());
        }
        // Recently seen keys survive eviction.
        assert!(st.keys.contains_key("key9999"));
    }

    #[test]
    fn expired_keys_are_swept() {
        let mut st = ThresholdState::new(&th(5, 10));
        for i in 0..100 {
            st.record(&format!("k{i}"), 0);
        }
        st.record("late", 1000 * S);
        assert_eq!(st.key_count(), 1);
    }
}
