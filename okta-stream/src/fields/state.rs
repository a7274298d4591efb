//! State behind the stateful fields `okta.mfa.failure.countlast[N]` and
//! `okta.mfa.deny.countlast[N]`: per-actor counts of MFA failures and denied pushes over the last
//! N seconds of event time.
//!
//! Data flow: the consumer calls [`FieldState::observe`] once per event, in stream order, before
//! extracting that event's fields. `observe` classifies the event; an MFA failure or a denied push
//! is recorded under its actor with its `published` time. The count fields then read, for the
//! current event, how many events of the same kind and actor have a `published` time in
//! `(t - N s, t]`, where `t` is the current event's `published` time.
//!
//! What is counted (as Falco's Okta plugin does):
//! * failures: `user.authentication.auth_via_mfa` with `outcome.result = FAILURE`. On Okta
//!   Identity Engine this is also how a failed or rejected factor is logged (reason
//!   `INVALID_CREDENTIALS`), so Classic and OIE failures are both counted;
//! * denies: `user.mfa.okta_verify.deny_push` (Classic orgs).
//!
//! A count field has a value only on an event of its own kind (a failure count on a failure event,
//! a deny count on a deny event), so a rule such as `okta.mfa.failure.countlast[300] >= 3` fires on
//! the failing events themselves, like the plugin. (The plugin answers both fields with the count
//! of the current event's own kind; here each field answers only for its kind.)
//!
//! The state also keeps what Falco's generic fields need of the stream (see `generic`): how many
//! events were observed (`evt.num`), the first event's time (`evt.reltime`) and the host name
//! the consumer set (`evt.hostname`).
//!
//! Differences from the plugin, on purpose:
//! * the window is anchored at the current event's time and ends there: events that arrive late
//!   (out of `published` order) are counted in the right window, and events published after the
//!   current one do not count towards it;
//! * the count always includes the current event, even when it was not stored (too old, or
//!   pushed out by the per-actor cap);
//! * the same event observed twice (same `published` and `uuid`) is stored once; two different
//!   events in the same millisecond both count (the plugin keeps one timestamp);
//! * the actor key is `actor.id`, falling back to `actor.alternateId`; an event with neither, or
//!   without a parsable `published`, is not counted and its count field is absent.
//!
//! Memory is bounded (see [`StateLimits`]): each kind keeps at most `max_actors` actors with at
//! most `max_per_actor` times each (8 bytes per time), times older than `retention` before the
//! newest event time seen are pruned, and when the actor table is full the actors whose latest
//! event is oldest are evicted. With the defaults the worst case is about 2 × 10,000 × 64 × 8 B
//! ≈ 10 MiB plus about 100 bytes per actor (id and table overhead); lists grow only as needed,
//! so a normal stream holds a few entries. Consequences: a window `N`
//! longer than `retention` counts only the retained part, and a count saturates at
//! `max_per_actor` (+1 for the current event when it was not stored).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::event::{Event, Top};

use super::extract::at;

/// Bounds on the memory of [`FieldState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateLimits {
    /// How far back (in seconds of event time, from the newest event seen) times are kept.
    pub retention_secs: u64,
    /// Most actors tracked per kind (failures, denies).
    pub max_actors: usize,
    /// Most times kept per actor and kind (the oldest are dropped first).
    pub max_per_actor: usize,
}

impl Default for StateLimits {
    /// 24 hours, 10,000 actors, 64 times per actor.
    fn default() -> Self {
        StateLimits {
            retention_secs: 24 * 3600,
            max_actors: 10_000,
            max_per_actor: 64,
        }
    }
}

/// The kinds of MFA events counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaKind {
    /// `user.authentication.auth_via_mfa` with outcome FAILURE.
    Failure,
    /// `user.mfa.okta_verify.deny_push`.
    Deny,
}

/// An entry: event time in milliseconds since the epoch (high 44 bits) and 20 bits of a hash of
/// the event's uuid (low bits), so that sorting by entry sorts by time and identical events
/// compare equal. 44 bits of milliseconds reach the year 2527.
type Entry = u64;

const TAG_BITS: u32 = 20;
const MAX_MS: u64 = (1 << (64 - TAG_BITS)) - 1;

/// The times of one kind of event, per actor.
#[derive(Default)]
struct Tracker {
    /// Sorted entries per actor key.
    actors: HashMap<Box<str>, Vec<Entry>>,
}

impl Tracker {
    fn insert(&mut self, actor: &str, entry: Entry, limits: &StateLimits, horizon_ms: u64) {
        if let Some(list) = self.actors.get_mut(actor) {
            insert_sorted(list, entry, limits, horizon_ms);
            return;
        }
        if self.actors.len() >= limits.max_actors.max(1) {
            self.make_room(limits, horizon_ms);
        }
        let mut list = Vec::with_capacity(4);
        insert_sorted(&mut list, entry, limits, horizon_ms);
        if !list.is_empty() {
            self.actors.insert(actor.into(), list);
        }
    }

    /// Drops expired times everywhere; if the table is still full, evicts the actors whose latest
    /// time is oldest (an eighth of the table at once, so that eviction is amortised).
    fn make_room(&mut self, limits: &StateLimits, horizon_ms: u64) {
        self.prune(horizon_ms);
        let max = limits.max_actors.max(1);
        if self.actors.len() < max {
            return;
        }
        let evict = (self.actors.len() + 1 - max)
            .max(max / 8)
            .min(self.actors.len());
        let mut latest: Vec<(Entry, Box<str>)> = self
            .actors
            .iter()
            .map(|(k, v)| (v.last().copied().unwrap_or(0), k.clone()))
            .collect();
        latest.sort_unstable();
        for (_, key) in latest.into_iter().take(evict) {
            self.actors.remove(&key);
        }
    }

    fn prune(&mut self, horizon_ms: u64) {
        self.actors.retain(|_, list| {
            drop_before(list, horizon_ms);
            !list.is_empty()
        });
    }

    /// Entries of `actor` with a time in `(from_ms, to_ms]`, and whether `entry` is among them.
    fn count(&self, actor: &str, from_ms: u64, to_ms: u64, entry: Entry) -> (u64, bool) {
        let Some(list) = self.actors.get(actor) else {
            return (0, false);
        };
        let lo = list.partition_point(|e| e >> TAG_BITS <= from_ms);
        let hi = list.partition_point(|e| e >> TAG_BITS <= to_ms);
        let found = list[lo.min(hi)..hi].binary_search(&entry).is_ok();
        ((hi.saturating_sub(lo)) as u64, found)
    }
}

fn drop_before(list: &mut Vec<Entry>, horizon_ms: u64) {
    let cut = list.partition_point(|e| e >> TAG_BITS < horizon_ms);
    if cut > 0 {
        list.drain(..cut);
    }
}

fn insert_sorted(list: &mut Vec<Entry>, entry: Entry, limits: &StateLimits, horizon_ms: u64) {
    drop_before(list, horizon_ms);
    if entry >> TAG_BITS < horizon_ms {
        return;
    }
    let Err(pos) = list.binary_search(&entry) else {
        return; // the same event again
    };
    let max = limits.max_per_actor.max(1);
    if list.len() < max {
        list.insert(pos, entry);
    } else if pos > 0 {
        // Full: the oldest time makes room (the list never grows past `max`, nor its capacity).
        list.remove(0);
        list.insert(pos - 1, entry);
    }
    // else: older than every kept time of a full list; it would be the one dropped.
}

/// What `observe` and the count fields need to know about an event.
struct MfaEvent<'e> {
    kind: MfaKind,
    actor: std::borrow::Cow<'e, str>,
    entry: Entry,
}

impl MfaKind {
    /// The event type of this kind's events (the counters have values only on these).
    pub(crate) const fn event_type(self) -> &'static str {
        match self {
            MfaKind::Failure => "user.authentication.auth_via_mfa",
            MfaKind::Deny => "user.mfa.okta_verify.deny_push",
        }
    }
}

fn classify(ev: &Event) -> Option<MfaEvent<'_>> {
    let ty = ev.member(Top::EventType)?;
    // `eventType` exactly as the JSON string of a kind's type (no escapes): see `event_type`.
    let quoted = |k: MfaKind| {
        ty.len() == k.event_type().len() + 2 && &ty[1..ty.len() - 1] == k.event_type().as_bytes()
    };
    let kind = match ty.first() {
        Some(b'"') if quoted(MfaKind::Deny) => MfaKind::Deny,
        Some(b'"') if quoted(MfaKind::Failure) => {
            let result = at(ev, Top::Outcome, &["result"]).and_then(|c| c.string())?;
            if result != "FAILURE" {
                return None;
            }
            MfaKind::Failure
        }
        _ => return None,
    };
    let actor = at(ev, Top::Actor, &["id"])
        .and_then(|c| c.string())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            at(ev, Top::Actor, &["alternateId"])
                .and_then(|c| c.string())
                .filter(|s| !s.is_empty())
        })?;
    let ns = ev.published_ns()?;
    let ms = u64::try_from(ns.div_euclid(1_000_000)).ok()?;
    if ms > MAX_MS {
        return None;
    }
    let mut hasher = DefaultHasher::new();
    ev.member(Top::Uuid).unwrap_or_default().hash(&mut hasher);
    let tag = hasher.finish() & ((1 << TAG_BITS) - 1);
    Some(MfaEvent {
        kind,
        actor,
        entry: (ms << TAG_BITS) | tag,
    })
}

/// Per-stream state for stateful fields. One per pipeline (not shared between streams).
///
/// `Debug` shows sizes only, not the actors tracked.
#[derive(Default)]
pub struct FieldState {
    limits: StateLimits,
    failures: Tracker,
    denies: Tracker,
    /// Newest event time seen (ms), the reference point of retention.
    newest_ms: u64,
    /// MFA events observed since the last full prune.
    since_prune: usize,
    /// Events observed (`evt.num` of the latest).
    events: u64,
    /// The time of the first event with a parsable `published` (ns), for `evt.reltime`.
    first_ns: Option<u64>,
    /// The host name `evt.hostname` reads, when the consumer set one.
    hostname: Option<Box<str>>,
}

impl fmt::Debug for FieldState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldState")
            .field("limits", &self.limits)
            .field("tracked_actors", &self.tracked_actors())
            .field("stored_times", &self.stored_times())
            .field("newest_ms", &self.newest_ms)
            .finish()
    }
}

impl FieldState {
    /// A fresh state with the default [`StateLimits`].
    pub fn new() -> FieldState {
        FieldState::default()
    }

    /// A fresh state with the given limits.
    pub fn with_limits(limits: StateLimits) -> FieldState {
        FieldState {
            limits,
            ..FieldState::default()
        }
    }

    /// Sets the host name that `evt.hostname` reads (the rules engine sets its alerts' host
    /// name).
    pub fn set_hostname(&mut self, hostname: &str) {
        self.hostname = Some(hostname.into());
    }

    /// The host name set with [`FieldState::set_hostname`].
    pub fn hostname(&self) -> Option<&str> {
        self.hostname.as_deref()
    }

    /// How many events were observed: the `evt.num` of the latest.
    pub fn events_observed(&self) -> u64 {
        self.events
    }

    /// The time (ns since the epoch) of the first observed event whose `published` parses: the
    /// start of `evt.reltime`.
    pub fn first_event_ns(&self) -> Option<u64> {
        self.first_ns
    }

    /// The limits in force.
    pub fn limits(&self) -> StateLimits {
        self.limits
    }

    /// How many actors are tracked (failures + denies), for monitoring memory.
    pub fn tracked_actors(&self) -> usize {
        self.failures.actors.len() + self.denies.actors.len()
    }

    /// How many event times are stored in total, for monitoring memory.
    pub fn stored_times(&self) -> usize {
        self.failures.actors.values().map(Vec::len).sum::<usize>()
            + self.denies.actors.values().map(Vec::len).sum::<usize>()
    }

    /// Records `event` (call once per event, before extracting its fields).
    pub fn observe(&mut self, event: &Event) {
        self.events += 1;
        if self.first_ns.is_none() {
            self.first_ns = event.published_ns().and_then(|ns| u64::try_from(ns).ok());
        }
        let Some(mfa) = classify(event) else { return };
        let ms = mfa.entry >> TAG_BITS;
        self.newest_ms = self.newest_ms.max(ms);
        let horizon = self.horizon_ms();
        let tracker = match mfa.kind {
            MfaKind::Failure => &mut self.failures,
            MfaKind::Deny => &mut self.denies,
        };
        tracker.insert(&mfa.actor, mfa.entry, &self.limits, horizon);
        // Actors that stop failing would keep their (expired) times until evicted; sweep now and
        // then so that memory follows the live window.
        self.since_prune += 1;
        if self.since_prune >= self.limits.max_actors.max(1024) {
            self.since_prune = 0;
            self.failures.prune(horizon);
            self.denies.prune(horizon);
        }
    }

    fn horizon_ms(&self) -> u64 {
        self.newest_ms
            .saturating_sub(self.limits.retention_secs.saturating_mul(1000))
    }

    /// The count of `kind` events of `event`'s actor in the `window_secs` seconds up to and
    /// including `event`; `None` unless `event` itself is of that kind.
    pub(crate) fn mfa_count(&self, event: &Event, kind: MfaKind, window_secs: u64) -> Option<u64> {
        let mfa = classify(event)?;
        if mfa.kind != kind {
            return None;
        }
        let to = mfa.entry >> TAG_BITS;
        let from = to.saturating_sub(window_secs.saturating_mul(1000));
        let tracker = match kind {
            MfaKind::Failure => &self.failures,
            MfaKind::Deny => &self.denies,
        };
        let (count, found) = tracker.count(&mfa.actor, from, to, mfa.entry);
        Some(if found { count } else { count + 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `FieldDef::only_on` of the counters is true: on any other event type (including escaped
    /// spellings of the MFA types) the counters are absent, whatever the outcome and history.
    #[test]
    fn counters_are_absent_outside_their_event_types() {
        let types = [
            "user.authentication.auth_via_mfa",
            "user.mfa.okta_verify.deny_push",
            "user.session.start",
            "user.authentication.sso",
            "user.mfa.okta_verify.deny_pus",
            "user.mfa.okta_verify.deny_push.x",
            "user\\u002emfa.okta_verify.deny_push",
            "",
        ];
        let mut state = FieldState::new();
        let mut checked = 0;
        for round in 0..3 {
            for (i, ty) in types.iter().enumerate() {
                let json = format!(
                    r#"{{"uuid":"u{round}-{i}","published":"2024-05-14T14:07:{:02}.000Z","eventType":"{ty}","actor":{{"id":"00u1"}},"outcome":{{"result":"FAILURE"}}}}"#,
                    round * 10 + i
                );
                let ev = Event::from_bytes(json.into_bytes()).unwrap();
                state.observe(&ev);
                for def in crate::fields::REGISTRY.iter() {
                    let Some(only) = def.only_on else { continue };
                    let field = crate::fields::resolve(def.name, Some("300")).unwrap();
                    let value = field.extract(&ev, &state);
                    if !only.contains(ty) {
                        assert_eq!(value, None, "{} on {ty}", def.name);
                        checked += 1;
                    } else {
                        assert!(value.is_some(), "{} on {ty}", def.name);
                    }
                }
            }
        }
        assert!(checked >= 2 * 3 * 6);
    }

    fn mfa(kind: &str, actor: &str, published: &str, uuid: &str) -> Event {
        let (ty, result) = match kind {
            "fail" => ("user.authentication.auth_via_mfa", "FAILURE"),
            "ok" => ("user.authentication.auth_via_mfa", "SUCCESS"),
            "deny" => ("user.mfa.okta_verify.deny_push", "FAILURE"),
            _ => ("user.session.start", "SUCCESS"),
        };
        let json = format!(
            r#"{{"uuid":"{uuid}","published":"{published}","eventType":"{ty}","actor":{{"id":"{actor}","type":"User"}},"outcome":{{"result":"{result}"}}}}"#
        );
        Event::from_bytes(json.into_bytes()).unwrap()
    }

    fn at_sec(s: u64) -> String {
        format!("2024-05-01T10:{:02}:{:02}.000Z", s / 60, s % 60)
    }

    fn feed(state: &mut FieldState, ev: &Event, kind: MfaKind, n: u64) -> Option<u64> {
        state.observe(ev);
        state.mfa_count(ev, kind, n)
    }

    #[test]
    fn window_edges_are_exclusive_below_and_inclusive_at_now() {
        let mut st = FieldState::new();
        let a = mfa("fail", "u1", &at_sec(0), "a");
        let b = mfa("fail", "u1", &at_sec(100), "b");
        let c = mfa("fail", "u1", &at_sec(300), "c");
        assert_eq!(feed(&mut st, &a, MfaKind::Failure, 300), Some(1));
        assert_eq!(feed(&mut st, &b, MfaKind::Failure, 300), Some(2));
        // a is exactly 300 s before c: outside (t - N, t].
        assert_eq!(feed(&mut st, &c, MfaKind::Failure, 300), Some(2));
        assert_eq!(st.mfa_count(&c, MfaKind::Failure, 301), Some(3));
        assert_eq!(st.mfa_count(&c, MfaKind::Failure, 1), Some(1));
        // The other kind is absent on a failure event.
        assert_eq!(st.mfa_count(&c, MfaKind::Deny, 300), None);
    }

    #[test]
    fn actors_and_kinds_are_isolated() {
        let mut st = FieldState::new();
        for i in 0..3 {
            st.observe(&mfa("fail", "u1", &at_sec(i), &format!("f{i}")));
            st.observe(&mfa("deny", "u1", &at_sec(i), &format!("d{i}")));
        }
        let other = mfa("fail", "u2", &at_sec(3), "x");
        assert_eq!(feed(&mut st, &other, MfaKind::Failure, 300), Some(1));
        let mine = mfa("fail", "u1", &at_sec(3), "y");
        assert_eq!(feed(&mut st, &mine, MfaKind::Failure, 300), Some(4));
        let deny = mfa("deny", "u1", &at_sec(4), "z");
        assert_eq!(feed(&mut st, &deny, MfaKind::Deny, 300), Some(4));
        // Successes and other events are neither counted nor given a count.
        let ok = mfa("ok", "u1", &at_sec(5), "s");
        assert_eq!(feed(&mut st, &ok, MfaKind::Failure, 300), None);
        let mine2 = mfa("fail", "u1", &at_sec(6), "w");
        assert_eq!(feed(&mut st, &mine2, MfaKind::Failure, 300), Some(5));
    }

    #[test]
    fn out_of_order_events_count_in_their_own_window() {
        let mut st = FieldState::new();
        let late = mfa("fail", "u1", &at_sec(10), "late");
        st.observe(&mfa("fail", "u1", &at_sec(500), "p"));
        st.observe(&mfa("fail", "u1", &at_sec(20), "q"));
        // The late event at 10 s sees q (20 s, after it) not, p not: only itself ... and nothing
        // before it.
        assert_eq!(feed(&mut st, &late, MfaKind::Failure, 300), Some(1));
        // q at 20 s now sees the late one at 10 s.
        let q = mfa("fail", "u1", &at_sec(20), "q");
        assert_eq!(st.mfa_count(&q, MfaKind::Failure, 300), Some(2));
        // p at 500 s sees q at 20 s? No: 480 s earlier.
        let p = mfa("fail", "u1", &at_sec(500), "p");
        assert_eq!(st.mfa_count(&p, MfaKind::Failure, 300), Some(1));
        assert_eq!(st.mfa_count(&p, MfaKind::Failure, 600), Some(3));
    }

    #[test]
    fn duplicates_count_once_but_same_millisecond_events_both_count() {
        let mut st = FieldState::new();
        let a = mfa("fail", "u1", &at_sec(1), "a");
        st.observe(&a);
        assert_eq!(feed(&mut st, &a, MfaKind::Failure, 60), Some(1));
        let b = mfa("fail", "u1", &at_sec(1), "b");
        assert_eq!(feed(&mut st, &b, MfaKind::Failure, 60), Some(2));
        assert_eq!(st.stored_times(), 2);
    }

    #[test]
    fn old_times_are_pruned_and_caps_hold() {
        let limits = StateLimits {
            retention_secs: 600,
            max_actors: 16,
            max_per_actor: 5,
        };
        let mut st = FieldState::with_limits(limits);
        for i in 0..20 {
            st.observe(&mfa("fail", "u1", &at_sec(i), &format!("e{i}")));
        }
        assert_eq!(st.stored_times(), 5);
        assert!(
            st.failures.actors["u1"].capacity() <= 8,
            "the list must not over-allocate"
        );
        // A late event older than every kept time of the full list is not stored.
        st.observe(&mfa("fail", "u1", &at_sec(2), "late"));
        let oldest_kept = time::macros::datetime!(2024-05-01 10:00:15 UTC).unix_timestamp() * 1000;
        assert_eq!(
            st.failures.actors["u1"].first().map(|e| e >> TAG_BITS),
            Some(oldest_kept as u64)
        );
        let last = mfa("fail", "u1", &at_sec(19), "e19");
        // Saturates at the per-actor cap.
        assert_eq!(st.mfa_count(&last, MfaKind::Failure, 300), Some(5));

        // Many actors: the table stays within max_actors and keeps the most recent ones.
        for a in 0..100u64 {
            st.observe(&mfa("deny", &format!("actor{a}"), &at_sec(20 + a), "x"));
        }
        assert!(st.denies.actors.len() <= 16, "{}", st.denies.actors.len());
        assert!(st.denies.actors.contains_key("actor99"));
        assert!(!st.denies.actors.contains_key("actor0"));

        // Time moves on by more than the retention: u1's times expire on the next sweep.
        let far = mfa("fail", "u1", "2024-05-01T12:00:00.000Z", "far");
        assert_eq!(feed(&mut st, &far, MfaKind::Failure, 86_400), Some(1));
        assert_eq!(st.failures.actors.get("u1").map(Vec::len), Some(1));
        // An event older than the retention is still counted for itself, not stored.
        let ancient = mfa("fail", "u1", &at_sec(30), "anc");
        assert_eq!(feed(&mut st, &ancient, MfaKind::Failure, 300), Some(1));
        assert_eq!(st.failures.actors.get("u1").map(Vec::len), Some(1));
    }

    #[test]
    fn periodic_sweep_drops_idle_actors() {
        let limits = StateLimits {
            retention_secs: 60,
            max_actors: 10,
            max_per_actor: 4,
        };
        let mut st = FieldState::with_limits(limits);
        st.observe(&mfa("fail", "idle", &at_sec(0), "i"));
        // 1024 events of another actor, far later: the sweep removes the idle actor.
        for i in 0..1024u64 {
            st.observe(&mfa(
                "deny",
                "busy",
                &at_sec(1000 + i % 50),
                &format!("b{i}"),
            ));
        }
        assert!(!st.failures.actors.contains_key("idle"));
        assert_eq!(st.tracked_actors(), 1);
    }

    #[test]
    fn events_without_actor_or_time_are_not_counted() {
        let mut st = FieldState::new();
        let no_actor = Event::from_bytes(
            &br#"{"eventType":"user.mfa.okta_verify.deny_push","published":"2024-05-01T10:00:00.000Z","actor":{}}"#[..],
        )
        .unwrap();
        assert_eq!(feed(&mut st, &no_actor, MfaKind::Deny, 60), None);
        let bad_time = Event::from_bytes(
            &br#"{"eventType":"user.mfa.okta_verify.deny_push","published":"2017-09-31T22:23:07.777Z","actor":{"id":"x"}}"#[..],
        )
        .unwrap();
        assert_eq!(feed(&mut st, &bad_time, MfaKind::Deny, 60), None);
        let alt = Event::from_bytes(
            &br#"{"eventType":"user.mfa.okta_verify.deny_push","published":"2024-05-01T10:00:00.000Z","actor":{"id":null,"alternateId":"j@x"}}"#[..],
        )
        .unwrap();
        assert_eq!(feed(&mut st, &alt, MfaKind::Deny, 60), Some(1));
        assert_eq!(st.tracked_actors(), 1);
    }
}
