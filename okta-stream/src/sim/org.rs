//! The simulated org's System Log store: events in storage order, with their times.
//!
//! Every event is kept pre-serialized ([`EventBytes`]: its own [`Bytes`], or a shared [`Template`]
//! plus its own `published` and `uuid` values, which keeps a 200,000-event backlog small) with a
//! storage sequence number, a
//! persistence time (when the org "committed" it; never decreases along storage order) and its
//! `published` time (which may be earlier than that of events stored before it: late-stored
//! events). Polling requests read in storage order from a position; bounded requests read a
//! `published` range through an ordered index. Pages are lists of `Bytes` handles, concatenated into
//! the response body without re-serializing.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

/// Length of an Okta `published` value (`YYYY-MM-DDTHH:mm:ss.SSSZ`).
pub const PUBLISHED_LEN: usize = 24;
/// Length of a uuid.
pub const UUID_LEN: usize = 36;

/// A serialized event whose `published` and `uuid` string values are replaced per copy.
#[derive(Debug)]
pub struct Template {
    bytes: Bytes,
    published_at: usize,
    uuid_at: usize,
}

impl Template {
    /// A template from a serialized event; `None` unless it has top-level `"published":"…"` and
    /// `"uuid":"…"` members of the standard lengths.
    pub fn new(bytes: Bytes) -> Option<Template> {
        let published_at = value_offset(&bytes, b"\"published\":\"", PUBLISHED_LEN)?;
        let uuid_at = value_offset(&bytes, b"\"uuid\":\"", UUID_LEN)?;
        let overlap = published_at < uuid_at + UUID_LEN && uuid_at < published_at + PUBLISHED_LEN;
        (!overlap).then_some(Template {
            bytes,
            published_at,
            uuid_at,
        })
    }
}

fn value_offset(bytes: &[u8], key: &[u8], len: usize) -> Option<usize> {
    let start = memchr::memmem::find(bytes, key)? + key.len();
    (bytes.get(start + len) == Some(&b'"')).then_some(start)
}

/// The bytes of one stored event.
#[derive(Debug, Clone)]
pub enum EventBytes {
    /// The event's own bytes.
    Whole(Bytes),
    /// A template with this event's `published` and `uuid` values.
    Templated(Arc<Template>, [u8; PUBLISHED_LEN], [u8; UUID_LEN]),
}

impl EventBytes {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            EventBytes::Whole(b) => b.len(),
            EventBytes::Templated(t, _, _) => t.bytes.len(),
        }
    }

    /// Whether empty (never, for stored events).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the event's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            EventBytes::Whole(b) => out.extend_from_slice(b),
            EventBytes::Templated(t, published, uuid) => {
                let mut parts = [(t.published_at, &published[..]), (t.uuid_at, &uuid[..])];
                parts.sort_by_key(|p| p.0);
                let mut pos = 0;
                for (at, value) in parts {
                    out.extend_from_slice(&t.bytes[pos..at]);
                    out.extend_from_slice(value);
                    pos = at + value.len();
                }
                out.extend_from_slice(&t.bytes[pos..]);
            }
        }
    }

    /// The event's bytes (a cheap handle for [`EventBytes::Whole`], a copy otherwise).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            EventBytes::Whole(b) => b.clone(),
            EventBytes::Templated(..) => {
                let mut v = Vec::with_capacity(self.len());
                self.write_to(&mut v);
                Bytes::from(v)
            }
        }
    }

    /// A copy of `template` with these values, or `None` if they do not have the standard lengths.
    pub fn templated(template: &Arc<Template>, published: &str, uuid: &str) -> Option<EventBytes> {
        Some(EventBytes::Templated(
            template.clone(),
            published.as_bytes().try_into().ok()?,
            uuid.as_bytes().try_into().ok()?,
        ))
    }
}

/// One stored event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Storage sequence number (0, 1, 2, … in storage order).
    pub seq: u64,
    /// Persistence time, milliseconds since the epoch.
    pub persisted_ms: i64,
    /// `published`, milliseconds since the epoch.
    pub published_ms: i64,
    /// The event's JSON.
    pub body: EventBytes,
}

impl StoredEvent {
    /// The event's JSON bytes.
    pub fn bytes(&self) -> Bytes {
        self.body.to_bytes()
    }
}

/// A page read from the store.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Events of the page, in order.
    pub events: Vec<EventBytes>,
    /// Where the next polling page starts (storage index), for polling reads.
    pub next_index: u64,
    /// Position (published, seq) of the last event, for bounded reads with more to come.
    pub next_key: Option<(i64, u64)>,
}

/// A predicate on parsed events (the `filter` and `q` parameters).
pub type Matcher<'a> = &'a dyn Fn(&Value) -> bool;

/// The org's System Log.
#[derive(Debug, Default)]
pub struct SimOrg {
    events: Vec<StoredEvent>,
    by_published: BTreeSet<(i64, u64)>,
}

impl SimOrg {
    /// An empty log.
    pub fn new() -> SimOrg {
        SimOrg::default()
    }

    /// An empty log with room for `n` events.
    pub fn with_capacity(n: usize) -> SimOrg {
        SimOrg {
            events: Vec::with_capacity(n),
            by_published: BTreeSet::new(),
        }
    }

    /// Stores one event. `persisted_ms` is raised to the last stored event's persistence time if it
    /// is earlier, so persistence time never decreases along storage order. Returns the sequence
    /// number.
    pub fn append(&mut self, bytes: Bytes, published_ms: i64, persisted_ms: i64) -> u64 {
        self.append_body(EventBytes::Whole(bytes), published_ms, persisted_ms)
    }

    /// Like [`SimOrg::append`], for any [`EventBytes`].
    pub fn append_body(&mut self, body: EventBytes, published_ms: i64, persisted_ms: i64) -> u64 {
        let seq = self.events.len() as u64;
        let persisted_ms = self
            .events
            .last()
            .map_or(persisted_ms, |last| last.persisted_ms.max(persisted_ms));
        self.by_published.insert((published_ms, seq));
        self.events.push(StoredEvent {
            seq,
            persisted_ms,
            published_ms,
            body,
        });
        seq
    }

    /// Stores a JSON event, reading its `published` (falling back to `persisted_ms` when it is
    /// missing or unreadable).
    pub fn append_value(&mut self, event: &Value, persisted_ms: i64) -> u64 {
        let published = event
            .get("published")
            .and_then(Value::as_str)
            .and_then(parse_time_ms)
            .unwrap_or(persisted_ms);
        self.append(
            Bytes::from(super::generate::to_bytes(event)),
            published,
            persisted_ms,
        )
    }

    /// Number of stored events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The event with sequence number `seq`.
    pub fn get(&self, seq: u64) -> Option<&StoredEvent> {
        self.events.get(usize::try_from(seq).ok()?)
    }

    /// All events in storage order.
    pub fn events(&self) -> &[StoredEvent] {
        &self.events
    }

    /// Storage index of the first event persisted at or after `since_ms`.
    pub fn first_persisted_at(&self, since_ms: i64) -> u64 {
        self.events.partition_point(|e| e.persisted_ms < since_ms) as u64
    }

    /// A polling read: up to `limit` matching events in storage order from storage index `start`.
    pub fn polling_page(&self, start: u64, limit: usize, matcher: Option<Matcher<'_>>) -> Page {
        let mut page = Page::default();
        let start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(self.events.len());
        page.next_index = start as u64;
        if limit == 0 {
            return page;
        }
        for e in &self.events[start..] {
            page.next_index = e.seq + 1;
            if accepts(matcher, &e.body) {
                page.events.push(e.body.clone());
                if page.events.len() == limit {
                    break;
                }
            }
        }
        page
    }

    /// A bounded read: matching events with `since_ms <= published < until_ms`, ordered by
    /// (published, seq), after the position `after` (exclusive), ascending or descending. `next_key`
    /// is set when more matching events remain.
    pub fn bounded_page(
        &self,
        since_ms: i64,
        until_ms: i64,
        after: Option<(i64, u64)>,
        limit: usize,
        descending: bool,
        matcher: Option<Matcher<'_>>,
    ) -> Page {
        let mut page = Page::default();
        if limit == 0 || since_ms >= until_ms {
            return page;
        }
        let lo = (since_ms, 0u64);
        let hi = (until_ms, 0u64);
        let range: Box<dyn Iterator<Item = &(i64, u64)>> = match (descending, after) {
            (false, None) => Box::new(
                self.by_published
                    .range((Bound::Included(lo), Bound::Excluded(hi))),
            ),
            (false, Some(k)) => Box::new(
                self.by_published
                    .range((Bound::Excluded(k.max(lo)), Bound::Excluded(hi))),
            ),
            (true, None) => Box::new(
                self.by_published
                    .range((Bound::Included(lo), Bound::Excluded(hi)))
                    .rev(),
            ),
            (true, Some(k)) => Box::new(
                self.by_published
                    .range((Bound::Included(lo), Bound::Excluded(k.min(hi))))
                    .rev(),
            ),
        };
        let mut last = None;
        for &(published, seq) in range {
            let Some(e) = self.get(seq) else { continue };
            if !accepts(matcher, &e.body) {
                continue;
            }
            if page.events.len() == limit {
                page.next_key = last;
                break;
            }
            page.events.push(e.body.clone());
            last = Some((published, seq));
        }
        page
    }
}

fn accepts(matcher: Option<Matcher<'_>>, body: &EventBytes) -> bool {
    match matcher {
        None => true,
        Some(m) => serde_json::from_slice::<Value>(&body.to_bytes())
            .map(|v| m(&v))
            .unwrap_or(false),
    }
}

/// Parses an RFC 3339 time to milliseconds since the epoch.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(p: &Page) -> Vec<Bytes> {
        p.events.iter().map(EventBytes::to_bytes).collect()
    }

    #[test]
    fn templated_events_write_their_own_values() {
        let t = Arc::new(
            Template::new(Bytes::from(
                r#"{"a":1,"published":"2020-01-01T00:00:00.000Z","uuid":"00000000-0000-0000-0000-000000000000","z":2}"#,
            ))
            .unwrap(),
        );
        let e = EventBytes::templated(
            &t,
            "2021-02-03T04:05:06.789Z",
            "11111111-2222-3333-4444-555555555555",
        )
        .unwrap();
        let v: Value = serde_json::from_slice(&e.to_bytes()).unwrap();
        assert_eq!(v["published"], "2021-02-03T04:05:06.789Z");
        assert_eq!(v["uuid"], "11111111-2222-3333-4444-555555555555");
        assert_eq!((v["a"].as_i64(), v["z"].as_i64()), (Some(1), Some(2)));
        assert_eq!(e.len(), e.to_bytes().len());
        assert!(EventBytes::templated(&t, "short", "x").is_none());
        assert!(Template::new(Bytes::from(r#"{"uuid":"x"}"#)).is_none());
    }

    fn org() -> SimOrg {
        let mut org = SimOrg::new();
        // published: 10, 20, 5 (late), 30; persisted: 10, 20, 25, 30
        for (i, (p, s)) in [(10, 10), (20, 20), (5, 25), (30, 30)]
            .into_iter()
            .enumerate()
        {
            org.append(Bytes::from(format!("{{\"n\":{i}}}")), p, s);
        }
        org
    }

    #[test]
    fn polling_reads_in_storage_order_and_resumes() {
        let org = org();
        let p = org.polling_page(0, 3, None);
        assert_eq!(p.events.len(), 3);
        assert_eq!(b(&p)[2], Bytes::from("{\"n\":2}"));
        assert_eq!(p.next_index, 3);
        let p = org.polling_page(p.next_index, 3, None);
        assert_eq!(p.events.len(), 1);
        assert_eq!(p.next_index, 4);
        let p = org.polling_page(4, 3, None);
        assert!(p.events.is_empty());
        assert_eq!(p.next_index, 4);
        assert_eq!(org.first_persisted_at(21), 2);
    }

    #[test]
    fn bounded_reads_by_published_both_ways() {
        let org = org();
        let p = org.bounded_page(0, 100, None, 2, false, None);
        assert_eq!(
            b(&p),
            vec![Bytes::from("{\"n\":2}"), Bytes::from("{\"n\":0}")]
        );
        let p = org.bounded_page(0, 100, p.next_key, 2, false, None);
        assert_eq!(
            b(&p),
            vec![Bytes::from("{\"n\":1}"), Bytes::from("{\"n\":3}")]
        );
        assert_eq!(p.next_key, None);
        let p = org.bounded_page(6, 30, None, 10, true, None);
        assert_eq!(
            b(&p),
            vec![Bytes::from("{\"n\":1}"), Bytes::from("{\"n\":0}")]
        );
        let m = |v: &Value| v["n"] == 3;
        let p = org.bounded_page(0, 100, None, 10, false, Some(&m));
        assert_eq!(p.events.len(), 1);
    }

    #[test]
    fn persistence_time_never_decreases() {
        let mut org = SimOrg::new();
        org.append(Bytes::from("{}"), 0, 100);
        org.append(Bytes::from("{}"), 0, 50);
        assert_eq!(org.get(1).unwrap().persisted_ms, 100);
    }
}
