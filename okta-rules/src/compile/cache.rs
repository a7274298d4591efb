//! The per-event extraction cache: each distinct field of a ruleset is extracted at most once per
//! event, however many rules test it.
//!
//! Data flow: when a [`crate::Ruleset`] is built, [`SlotTable::assign`] walks every active rule's
//! evaluator and gives each distinct resolved field (name and argument) a slot number, stored in
//! the field's operand. Per event the engine calls [`ExtractCache::reset`], then evaluates the
//! candidate rules with the cache: the first check on a field extracts it
//! ([`okta_stream::fields::Field::extract`]) and records the result in the field's slot; later
//! checks on the same field rebuild the value from the slot.
//!
//! The cache does not allocate per event and does not hold borrows across events: a slot records
//! where the value is (a byte range of the event's raw JSON for strings borrowed from it, a range
//! of a reused text buffer for strings that had to be unescaped, the number or boolean itself, or
//! "absent"). Values that are neither (lists, strings borrowed from elsewhere, such as
//! `okta.org`) are not cached and are extracted again when asked for. A value rebuilt from a slot
//! is equal to the one the extractor returned, so evaluation results do not change.

use std::borrow::Cow;

use okta_stream::event::Event;
use okta_stream::fields::{Field, FieldState, Value};

/// "No slot": the operand is evaluated without the cache.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// What is known about one field for the current event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Not extracted yet for this event.
    Unknown,
    /// Extracted: absent.
    Absent,
    /// A string borrowed from the event's raw JSON: `raw[start..end]`.
    Event {
        start: u32,
        end: u32,
    },
    /// A string unescaped into the text buffer: `text[start..end]`.
    Text {
        start: u32,
        end: u32,
    },
    U64(u64),
    Bool(bool),
    /// Extracted, but the value cannot be recorded (a list, or a string from elsewhere).
    Uncached,
}

/// Slot numbers of the distinct fields of a ruleset (built once, with the ruleset).
#[derive(Debug, Default)]
pub(crate) struct SlotTable {
    fields: Vec<Field>,
}

impl SlotTable {
    /// The slot of `field`, allocating one for a field not seen before.
    pub(crate) fn assign(&mut self, field: &Field) -> u32 {
        let pos = self
            .fields
            .iter()
            .position(|f| std::ptr::eq(f.def(), field.def()) && f.arg() == field.arg())
            .unwrap_or_else(|| {
                self.fields.push(field.clone());
                self.fields.len() - 1
            });
        u32::try_from(pos).unwrap_or(NO_SLOT)
    }

    /// How many slots there are.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }
}

/// The values of the current event's fields, by slot. One per ruleset (per stream).
#[derive(Debug, Default)]
pub(crate) struct ExtractCache {
    slots: Vec<Slot>,
    /// Unescaped strings of the current event.
    text: String,
}

impl ExtractCache {
    /// A cache with `slots` slots (see `SlotTable::len`).
    pub(crate) fn with_slots(slots: usize) -> ExtractCache {
        ExtractCache {
            slots: vec![Slot::Unknown; slots],
            text: String::new(),
        }
    }

    /// Forgets the previous event's values (keeps the memory).
    #[inline]
    pub(crate) fn reset(&mut self) {
        self.slots.fill(Slot::Unknown);
        self.text.clear();
    }

    /// The value of `field` (in slot `slot`) for `event`, extracted at most once per event.
    #[inline]
    pub(crate) fn get<'a>(
        &'a mut self,
        slot: u32,
        field: &Field,
        event: &'a Event,
        state: &FieldState,
    ) -> Option<Value<'a>> {
        let Some(&known) = self.slots.get(slot as usize) else {
            return field.extract(event, state);
        };
        match known {
            Slot::Unknown => {
                let v = field.extract(event, state);
                let record = self.record(v.as_ref(), event);
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    *s = record;
                }
                match record {
                    Slot::Text { .. } => self.rebuild(record, event),
                    _ => v,
                }
            }
            Slot::Uncached => field.extract(event, state),
            _ => self.rebuild(known, event),
        }
    }

    /// How to record `v`.
    fn record(&mut self, v: Option<&Value<'_>>, event: &Event) -> Slot {
        let Some(v) = v else { return Slot::Absent };
        match v {
            Value::U64(n) => Slot::U64(*n),
            Value::Bool(b) => Slot::Bool(*b),
            Value::List(_) => Slot::Uncached,
            Value::Str(Cow::Borrowed(s)) => {
                let raw = event.raw();
                let base = raw.as_ptr() as usize;
                let at = (s.as_ptr() as usize).wrapping_sub(base);
                if s.is_empty() {
                    Slot::Event { start: 0, end: 0 }
                } else if at <= raw.len() && s.len() <= raw.len() - at {
                    match (u32::try_from(at), u32::try_from(at + s.len())) {
                        (Ok(start), Ok(end)) => Slot::Event { start, end },
                        _ => Slot::Uncached,
                    }
                } else {
                    Slot::Uncached
                }
            }
            Value::Str(Cow::Owned(s)) => {
                let start = self.text.len();
                self.text.push_str(s);
                match (u32::try_from(start), u32::try_from(self.text.len())) {
                    (Ok(start), Ok(end)) => Slot::Text { start, end },
                    _ => Slot::Uncached,
                }
            }
        }
    }

    /// The value recorded in a slot.
    #[inline]
    fn rebuild<'a>(&'a self, slot: Slot, event: &'a Event) -> Option<Value<'a>> {
        match slot {
            Slot::Absent => None,
            Slot::Event { start, end } => {
                let bytes = event.raw().get(start as usize..end as usize)?;
                // The range was cut from a `&str`, so it is valid UTF-8; checked anyway (cheap
                // for the short values fields hold) because this crate forbids unsafe code.
                std::str::from_utf8(bytes)
                    .ok()
                    .map(|s| Value::Str(Cow::Borrowed(s)))
            }
            Slot::Text { start, end } => self
                .text
                .get(start as usize..end as usize)
                .map(|s| Value::Str(Cow::Borrowed(s))),
            Slot::U64(n) => Some(Value::U64(n)),
            Slot::Bool(b) => Some(Value::Bool(b)),
            Slot::Unknown | Slot::Uncached => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okta_stream::fields::resolve_str;

    const EV: &str = r#"{"uuid":"u1","eventType":"user.session.start","actor":{"displayName":"Jane \"J\" Do\u00e9","alternateId":"jane@example.com"},"securityContext":{"asNumber":7922,"isProxy":false},"request":{"ipChain":[{"ip":"1.2.3.4"},{"ip":"5.6.7.8"}]}}"#;

    #[test]
    fn cached_values_equal_extracted_ones_every_time() {
        let event = Event::from_bytes(EV.as_bytes().to_vec())
            .unwrap()
            .with_org(Some("acme".into()));
        let state = FieldState::new();
        let names = [
            "okta.actor.name",        // unescaped (text buffer)
            "okta.actor.alternateid", // borrowed from the event
            "okta.security.asnumber", // number
            "okta.security.isproxy",  // bool
            "okta.request.ipchain",   // list (not cached)
            "okta.org",               // borrowed from elsewhere (not cached)
            "okta.target.user.name",  // absent
            "okta.device.id",         // absent
            "okta.client.ip",         // "" (missing, Empty model)
        ];
        let mut table = SlotTable::default();
        let fields: Vec<(Field, u32)> = names
            .iter()
            .map(|n| {
                let f = resolve_str(n).unwrap();
                let slot = table.assign(&f);
                (f, slot)
            })
            .collect();
        // The same field twice gets the same slot.
        assert_eq!(table.assign(&fields[0].0), fields[0].1);
        assert_eq!(table.len(), names.len());
        let mut cache = ExtractCache::with_slots(table.len());
        for round in 0..3 {
            cache.reset();
            for _ in 0..2 {
                for (f, slot) in &fields {
                    let want = f.extract(&event, &state);
                    let got = cache.get(*slot, f, &event, &state);
                    assert_eq!(got, want, "{} (round {round})", f.display_name());
                }
            }
        }
        // A value rebuilt from a slot borrows (no copy per read).
        cache.reset();
        let (f, slot) = &fields[1];
        let _ = cache.get(*slot, f, &event, &state);
        assert!(matches!(
            cache.get(*slot, f, &event, &state),
            Some(Value::Str(Cow::Borrowed("jane@example.com")))
        ));
        // No slot: plain extraction.
        let mut empty = ExtractCache::default();
        assert_eq!(
            empty.get(NO_SLOT, &fields[0].0, &event, &state),
            fields[0].0.extract(&event, &state)
        );
    }

    #[test]
    fn reset_forgets_the_previous_event() {
        let a = Event::from_bytes(&br#"{"actor":{"alternateId":"a@x"}}"#[..]).unwrap();
        let b = Event::from_bytes(&br#"{"actor":{"alternateId":"b@x"}}"#[..]).unwrap();
        let state = FieldState::new();
        let f = resolve_str("okta.actor.alternateid").unwrap();
        let mut table = SlotTable::default();
        let slot = table.assign(&f);
        let mut cache = ExtractCache::with_slots(table.len());
        assert_eq!(
            cache.get(slot, &f, &a, &state).unwrap().as_str(),
            Some("a@x")
        );
        cache.reset();
        assert_eq!(
            cache.get(slot, &f, &b, &state).unwrap().as_str(),
            Some("b@x")
        );
    }
}
