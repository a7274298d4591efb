//! Building a simulated org's backlog quickly, even for hundreds of thousands of events.
//!
//! Rendering an event through `serde_json::Value` costs tens of microseconds (far more in debug
//! builds), which would make a 200,000-event backlog take minutes to start. So [`build`] renders
//! the first [`DISTINCT`] events for real (benign traffic with the requested scenarios, via
//! [`mixed_events`]), and fills the rest from a pool of rendered benign templates whose bytes are
//! copied with a fresh `uuid` and `published` patched in place. Every event is still a complete,
//! valid `LogEvent` with a unique uuid; only the rest of the content repeats.

use bytes::Bytes;
use memchr::memmem;
use serde_json::Value;

use super::generate::{format_published, to_bytes, Generator};
use super::rng::SimRng;
use super::scenario::{mixed_events, Scenario};

/// Events rendered individually before templates are reused.
pub const DISTINCT: usize = 4_000;
/// Templates the remainder is copied from.
pub const TEMPLATES: usize = 1_000;
/// Mean spacing of backlog events, milliseconds.
pub const MEAN_SPACING_MS: i64 = 400;

/// `n` events as (published ms, bytes), in `published` order, ending at or before `end_ms`,
/// deterministic for `seed` and `end_ms`. The scenarios appear once each among
/// the first [`DISTINCT`] events.
pub fn build(seed: u64, n: usize, scenarios: &[Scenario], end_ms: i64) -> Vec<(i64, Bytes)> {
    let start = end_ms - n as i64 * MEAN_SPACING_MS - 60_000;
    // Benign activities yield ~1.7 events each: this gap gives about MEAN_SPACING_MS per event.
    let mut generator =
        Generator::starting_at(seed, start).with_mean_gap_ms(MEAN_SPACING_MS * 17 / 10);
    let distinct = n.min(DISTINCT);
    let mixed = mixed_events(&mut generator, distinct, scenarios);
    let templates: Vec<Vec<u8>> = if n > distinct {
        generator.generate(TEMPLATES).iter().map(to_bytes).collect()
    } else {
        Vec::new()
    };
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
    let mut out: Vec<(i64, Bytes)> = Vec::with_capacity(n);
    for (p, mut e) in mixed {
        let p = p + shift;
        if shift != 0 {
            e["published"] = Value::String(format_published(p));
        }
        out.push((p, Bytes::from(to_bytes(&e))));
    }
    for (i, t) in copy_times.into_iter().enumerate() {
        let published = t + shift;
        let uuid = generator.uuid(published);
        let stamp = format_published(published);
        let template = &templates[i % templates.len()];
        let bytes = patch(template, &uuid, &stamp).unwrap_or_else(|| {
            // Not reached for generated templates; kept correct rather than fast.
            let mut v: Value = serde_json::from_slice(template).unwrap_or(Value::Null);
            v["uuid"] = Value::String(uuid);
            v["published"] = Value::String(stamp);
            to_bytes(&v)
        });
        out.push((published, Bytes::from(bytes)));
    }
    out
}

/// A copy of `template` with the string values of its `uuid` and `published` members replaced.
fn patch(template: &[u8], uuid: &str, published: &str) -> Option<Vec<u8>> {
    let mut v = template.to_vec();
    replace_string(&mut v, b"\"uuid\":\"", uuid)?;
    replace_string(&mut v, b"\"published\":\"", published)?;
    Some(v)
}

fn replace_string(v: &mut Vec<u8>, key: &[u8], value: &str) -> Option<()> {
    let start = memmem::find(v, key)? + key.len();
    let end = start + memchr::memchr(b'"', &v[start..])?;
    v.splice(start..end, value.bytes());
    Some(())
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
            for (p, bytes) in &events {
                assert!(*p >= last && *p <= end);
                last = *p;
                let e = crate::Event::from_bytes(bytes.clone()).unwrap();
                assert!(uuids.insert(e.uuid().unwrap().into_owned()));
                assert_eq!(e.published().unwrap(), format_published(*p));
            }
            // Not squeezed against the end: the spacing is realistic.
            assert!(events[0].0 < end - n as i64 * MEAN_SPACING_MS / 3);
        }
        assert_eq!(build(3, 5_000, &[], end), build(3, 5_000, &[], end));
    }

    #[test]
    fn patch_replaces_only_top_level_values() {
        let t = br#"{"debugContext":{"debugData":{"logOnlySecurityData":"{\"uuid\":\"x\"}"}},"published":"2020-01-01T00:00:00.000Z","uuid":"old"}"#;
        let out = patch(t, "new-uuid", "2021-02-03T04:05:06.789Z").unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["uuid"], "new-uuid");
        assert_eq!(v["published"], "2021-02-03T04:05:06.789Z");
        assert_eq!(
            v["debugContext"]["debugData"]["logOnlySecurityData"],
            r#"{"uuid":"x"}"#
        );
    }
}
