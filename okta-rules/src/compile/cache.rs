//! The per-event extraction cache: each distinct field of a ruleset is extracted at most once per
//! event, however many rules test it.
//!
//! Data flow: when a [`crate::Ruleset`] is built, [`SlotTable::assign`] walks every active rule's
//! evaluator and gives each distinct resolved field (name and argument) a slot number, stored in
//! the field's operand. Per event the engine makes an [`ExtractCache`] for that event
//! ([`ExtractCache::for_event`], reusing the previous event's memory, see [`CacheMemory`]) and
//! evaluates the candidate rules with it: the first check on a field extracts it
//! ([`okta_stream::fields::Field::extract`]) and keeps the value in the field's slot; later checks
//! on the same field read the kept value (strings are lent out, not copied).
//!
//! Values borrow from the event, so the cache lives for one event; its slot vector is handed
//! back to [`CacheMemory`] afterwards, emptied, so that no allocation happens per event. Lists
//! are not kept (handing one out would copy it); they are extracted again when asked for. A value
//! read from a slot equals the one the extractor returned, so evaluation results do not change.

use std::borrow::Cow;

use okta_stream::event::Event;
use okta_stream::fields::{Field, FieldState, Reader, Value};

/// "No slot": the operand is evaluated without the cache.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// What is known about one field for the current event.
#[derive(Debug, Default)]
enum Slot<'e> {
    /// Not extracted yet for this event.
    #[default]
    Unknown,
    /// Extracted, but not kept (a list).
    Uncached,
    /// Extracted: the value (`None`: absent).
    Known(Option<Value<'e>>),
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

/// Re-types an emptied slot vector for another event, keeping its allocation (the standard
/// library collects a `Vec`'s `into_iter().map()` in place when the item layouts are the same,
/// as here: the types differ only in lifetime).
fn recycle<'a, 'b>(mut slots: Vec<Slot<'a>>) -> Vec<Slot<'b>> {
    slots.clear();
    slots.into_iter().map(|_| Slot::Unknown).collect()
}

/// The memory of the cache between events (owned by the ruleset).
#[derive(Debug, Default)]
pub(crate) struct CacheMemory {
    spare: Vec<Slot<'static>>,
    slots: usize,
}

impl CacheMemory {
    /// Memory for caches of `slots` slots (see `SlotTable::len`).
    pub(crate) fn with_slots(slots: usize) -> CacheMemory {
        CacheMemory {
            spare: Vec::with_capacity(slots),
            slots,
        }
    }
}

/// The values of one event's fields, by slot, and the event's field reader.
#[derive(Debug)]
pub(crate) struct ExtractCache<'e> {
    slots: Vec<Slot<'e>>,
    reader: Reader<'e, 'e>,
}

impl<'e> ExtractCache<'e> {
    /// An empty cache for `event`, in `memory`'s allocations.
    #[inline]
    pub(crate) fn for_event(
        memory: &mut CacheMemory,
        event: &'e Event,
        state: &'e FieldState,
    ) -> ExtractCache<'e> {
        let mut slots = recycle(std::mem::take(&mut memory.spare));
        slots.resize_with(memory.slots, Slot::default);
        ExtractCache {
            slots,
            reader: Reader::new(event, state),
        }
    }

    /// A cache without slots: every read extracts directly (nothing is allocated).
    #[inline]
    pub(crate) fn direct(event: &'e Event, state: &'e FieldState) -> ExtractCache<'e> {
        ExtractCache {
            slots: Vec::new(),
            reader: Reader::new(event, state),
        }
    }

    /// The event the cache holds values of.
    #[inline]
    pub(crate) fn event(&self) -> &'e Event {
        self.reader.event()
    }

    /// The field state the values are read with.
    #[inline]
    pub(crate) fn state(&self) -> &'e FieldState {
        self.reader.state()
    }

    /// Gives the allocations back to `memory` for the next event.
    #[inline]
    pub(crate) fn finish(self, memory: &mut CacheMemory) {
        memory.spare = recycle(self.slots);
    }

    /// The value of `field` (in slot `slot`), extracted at most once per event.
    #[inline]
    pub(crate) fn get<'a>(&'a mut self, slot: u32, field: &Field) -> Option<Value<'a>> {
        let ExtractCache { slots, reader } = self;
        let Some(entry) = slots.get_mut(slot as usize) else {
            return field.read(reader);
        };
        match entry {
            Slot::Known(v) => lend(v.as_ref()),
            Slot::Uncached => field.read(reader),
            Slot::Unknown => {
                let v = field.read(reader);
                if matches!(v, Some(Value::List(_))) {
                    *entry = Slot::Uncached;
                    return v;
                }
                *entry = Slot::Known(v);
                match entry {
                    Slot::Known(v) => lend(v.as_ref()),
                    _ => None,
                }
            }
        }
    }
}

impl ExtractCache<'_> {
    /// `test` applied to the string value of `field` (in slot `slot`), extracted at most once per
    /// event: `Some(false)` when the value is absent or not a string, `None` when the field has
    /// no slot here (the caller then goes the general way). Saves lending a copy of the value.
    #[inline]
    pub(crate) fn test_str(
        &mut self,
        slot: u32,
        field: &Field,
        test: impl FnOnce(&str) -> bool,
    ) -> Option<bool> {
        let ExtractCache { slots, reader } = self;
        let entry = slots.get_mut(slot as usize)?;
        if let Slot::Unknown = entry {
            let v = field.read(reader);
            if matches!(v, Some(Value::List(_))) {
                *entry = Slot::Uncached;
                return None;
            }
            *entry = Slot::Known(v);
        }
        match entry {
            Slot::Known(Some(Value::Str(s))) => Some(test(s)),
            Slot::Known(_) => Some(false),
            _ => None,
        }
    }
}

/// A kept value, lent out without copying.
#[inline]
fn lend<'a>(v: Option<&'a Value<'_>>) -> Option<Value<'a>> {
    Some(match v? {
        Value::Str(s) => Value::Str(Cow::Borrowed(&**s)),
        Value::U64(n) => Value::U64(*n),
        Value::Bool(b) => Value::Bool(*b),
        // Lists are never kept (see `get`).
        Value::List(items) => Value::List(items.clone()),
    })
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
        let mut memory = CacheMemory::with_slots(table.len());
        for round in 0..3 {
            let mut cache = ExtractCache::for_event(&mut memory, &event, &state);
            for _ in 0..2 {
                for (f, slot) in &fields {
                    let want = f.extract(&event, &state);
                    let got = cache.get(*slot, f);
                    assert_eq!(got, want, "{} (round {round})", f.display_name());
                }
            }
            cache.finish(&mut memory);
        }
        // A kept value is lent (no copy per read).
        let mut cache = ExtractCache::for_event(&mut memory, &event, &state);
        let (f, slot) = &fields[1];
        let _ = cache.get(*slot, f);
        assert!(matches!(
            cache.get(*slot, f),
            Some(Value::Str(Cow::Borrowed("jane@example.com")))
        ));
        // No slot: plain extraction.
        let mut empty = ExtractCache::direct(&event, &state);
        assert_eq!(
            empty.get(NO_SLOT, &fields[0].0),
            fields[0].0.extract(&event, &state)
        );
    }

    #[test]
    fn a_new_event_starts_empty() {
        let a = Event::from_bytes(&br#"{"actor":{"alternateId":"a@x"}}"#[..]).unwrap();
        let b = Event::from_bytes(&br#"{"actor":{"alternateId":"b@x"}}"#[..]).unwrap();
        let state = FieldState::new();
        let f = resolve_str("okta.actor.alternateid").unwrap();
        let mut table = SlotTable::default();
        let slot = table.assign(&f);
        let mut memory = CacheMemory::with_slots(table.len());
        let mut cache = ExtractCache::for_event(&mut memory, &a, &state);
        let got = cache.get(slot, &f).map(Value::into_owned);
        assert_eq!(got.as_ref().and_then(Value::as_str), Some("a@x"));
        cache.finish(&mut memory);
        let mut cache = ExtractCache::for_event(&mut memory, &b, &state);
        let got = cache.get(slot, &f).map(Value::into_owned);
        assert_eq!(got.as_ref().and_then(Value::as_str), Some("b@x"));
    }

    #[test]
    fn memory_is_reused_between_events() {
        let mut memory = CacheMemory::with_slots(8);
        let ptr = memory.spare.as_ptr().cast::<u8>();
        let event = Event::from_bytes(&br#"{"actor":{"alternateId":"a@x"}}"#[..]).unwrap();
        let state = FieldState::new();
        for _ in 0..3 {
            let cache = ExtractCache::for_event(&mut memory, &event, &state);
            assert_eq!(cache.slots.len(), 8);
            assert_eq!(cache.slots.as_ptr().cast::<u8>(), ptr);
            cache.finish(&mut memory);
            assert_eq!(memory.spare.as_ptr().cast::<u8>(), ptr);
        }
    }
}
