//! Building a simulated org's backlog quickly, even for hundreds of thousands of events.
//!
//! Rendering an event through `serde_json::Value` costs tens of microseconds (far more in debug
//! builds), which would make a 200,000-event backlog take minutes to start. So [`build`] renders
//! the first [`DISTINCT`] events for real (benign traffic with the requested scenarios, via
//! [`mixed_with`]), and fills the rest from a pool of rendered benign [`Template`]s, each copy
//! keeping only its own `uuid` and `published` (about 100 bytes per event instead of ~2.3 KB).
//! Every event served is still a complete, valid `LogEvent` with a unique uuid; only the rest of
//! the content repeats.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use super::generate::{format_published, to_bytes, Generator};
use super::org::{EventBytes, Template};
use super::rng::SimRng;
use super::scenario::{mixed_with, Scenario};

/// Events rendered individually before templates are reused.
pub const DISTINCT: usize = 4_000;
/// Templates the remainder is copied from.
pub const TEMPLATES: usize = 1_000;
/// Mean spacing of backlog events, milliseconds.
pub const MEAN_SPACING_MS: i64 = 400;

/// `n` events as (published ms, bytes), in `published` order, ending at or before `end_ms`,
/// deterministic for `seed` and `end_ms`. The scenarios appear once each among
/// the first [`DISTINCT`] events.
pub fn build(seed: u64, n: usize, scenarios: &[Scenario], end_ms: i64) -> Vec<(i64, EventBytes)> {
    let start = end_ms - n as i64 * MEAN_SPACING_MS - 60_000;
    // Benign activities yield ~1.7 events each: this gap gives about MEAN_SPACING_MS per event.
    let mut generator =
        Generator::starting_at(seed, start).with_mean_gap_ms(MEAN_SPACING_MS * 17 / 10);
    let distinct = n.min(DISTINCT);
    let mixed = mixed_with(&mut generator, distinct, scenarios, |e| to_bytes(&e));
    let templates: Vec<(Bytes, Option<Arc<Template>>)> =
        (0..if n > distinct { TEMPLATES } else { 0 })
            .map(|_| {
                let bytes = Bytes::from(generator.next_event_bytes());
                let template = Template::new(bytes.clone()).map(Arc::new);
                (bytes, template)
            })
            .collect();
    // Times of the copied events continue after the rendered ones.
    let mut rng = SimRng::new(seed ^ 0xBAC0_0000);
    let mut last = mixed.last().map_or(start, |(p, _)| *p);
    let copy_times: Vec<i64> = (distinct..n)
        .map(|_| {
            last += rng.range(0, 2 * MEAN_SPACING_MS);
            last
        })
        .collect();
    // Activities vary in size, so the span is only approximately known in advance: shift
    // everything back if it would end after `end_ms`.
    let shift = (end_ms - last).min(0);
    let mut out: Vec<(i64, EventBytes)> = Vec::with_capacity(n);
    for (p, mut e) in mixed {
        let p = p + shift;
        if shift != 0 && !set_published(&mut e, &format_published(p)) {
            // Not reached for generated events; kept correct rather than fast.
            if let Ok(mut v) = serde_json::from_slice::<Value>(&e) {
                v["published"] = Value::String(format_published(p));
                e = to_bytes(&v);
            }
        }
        out.push((p, EventBytes::Whole(Bytes::from(e))));
    }
    for (i, t) in copy_times.into_iter().enumerate() {
        let published = t + shift;
        let uuid = generator.uuid(published);
        let stamp = format_published(published);
        let (bytes, template) = &templates[i % templates.len()];
        let body = template
            .as_ref()
            .and_then(|t| EventBytes::templated(t, &stamp, &uuid))
            .unwrap_or_else(|| {
                // Not reached for generated events; kept correct rather than compact.
                let mut v: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
                v["uuid"] = Value::String(uuid);
                v["published"] = Value::String(stamp);
                EventBytes::Whole(Bytes::from(to_bytes(&v)))
            });
        out.push((published, body));
    }
    out
}

/// Overwrites the top-level `published` value of a serialized event in place; only when both the
/// old and the new value have the standard length.
fn set_published(event: &mut [u8], published: &str) -> bool {
    let len = super::org::PUBLISHED_LEN;
    let key = b"\"published\":\"";
    let Some(at) = memchr::memmem::find(event, key).map(|i| i + key.len()) else {
        return false;
    };
    if published.len() != len || event.get(at + len) != Some(&b'"') {
        return false;
    }
    event[at..at + len].copy_from_slice(published.as_bytes());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn large_backlogs_are_valid_unique_ordered_and_bounded() {
        let end = 1_800_000_000_000;
        for n in [1_200, DISTINCT + 3 * TEMPLATES] {
            let events = build(3, n, &Scenario::ALL, end);
            assert_eq!(events.len(), n);
            let mut uuids = HashSet::new();
            let mut last = i64::MIN;
            for (p, body) in &events {
                assert!(*p >= last && *p <= end);
                last = *p;
                let e = crate::Event::from_bytes(body.to_bytes()).unwrap();
                assert!(uuids.insert(e.uuid().unwrap().into_owned()));
                assert_eq!(e.published().unwrap(), format_published(*p));
            }
            // Not squeezed against the end: the spacing is realistic.
            assert!(events[0].0 < end - n as i64 * MEAN_SPACING_MS / 3);
        }
        let flat = |v: Vec<(i64, EventBytes)>| {
            v.into_iter()
                .map(|(p, b)| (p, b.to_bytes()))
                .collect::<Vec<_>>()
        };
        let a = flat(build(3, 5_000, &[], end));
        assert_eq!(a, flat(build(3, 5_000, &[], end)));
        assert_ne!(a, flat(build(4, 5_000, &[], end)));
    }
}
