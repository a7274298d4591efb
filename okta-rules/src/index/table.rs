//! The index's value tables: exact string values to rule sets, in two flat arrays.
//!
//! Data flow: [`ValueTable::new`] takes a dimension's key values with the rule set of each
//! and lays them out once: the bytes of every value side by side in one array, and an
//! open-addressing table of slots (the value's full hash, where its bytes are, its set). Per
//! event, [`ValueTable::get`] hashes the event's value once, walks the slots from the hash's
//! position, and compares bytes only where the full hash is equal. A lookup touches a slot or
//! two and the bytes of the one value compared: no pointer per key to follow, which matters
//! because the tables of the fields an event reads are touched on every event.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

use crate::compile::text::same;

/// Marks a free slot.
const FREE: u32 = u32::MAX;

/// Exact values and the rule set of each (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct ValueTable {
    /// Power-of-two length, at most half full (one slot when empty, always free).
    slots: Box<[Slot]>,
    bytes: Box<[u8]>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    /// Where the value's bytes are in `bytes`.
    start: u32,
    len: u32,
    /// The value's rule set, or [`FREE`].
    set: u32,
}

const EMPTY_SLOT: Slot = Slot {
    hash: 0,
    start: 0,
    len: 0,
    set: FREE,
};

/// The hash of a value (fixed seed: tables are rebuilt with each ruleset, never persisted).
#[inline]
fn hash(value: &[u8]) -> u64 {
    FixedState::with_seed(0x6f6b_7461).hash_one(value)
}

impl ValueTable {
    /// A table of `entries` (value, rule set), values distinct.
    pub(super) fn new(entries: Vec<(Box<str>, u32)>) -> ValueTable {
        let capacity = (entries.len() * 2).next_power_of_two().max(1);
        let mut slots = vec![EMPTY_SLOT; capacity].into_boxed_slice();
        let mut bytes = Vec::new();
        let mask = capacity - 1;
        let len = entries.len();
        for (value, set) in entries {
            let value = value.as_bytes();
            let h = hash(value);
            let mut at = h as usize & mask;
            while slots.get(at).is_some_and(|s| s.set != FREE) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = Slot {
                    hash: h,
                    start: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
                    len: u32::try_from(value.len()).unwrap_or(u32::MAX),
                    set,
                };
            }
            bytes.extend_from_slice(value);
        }
        ValueTable {
            slots,
            bytes: bytes.into_boxed_slice(),
            len,
        }
    }

    /// The rule set of `value`, if it is one of the table's values.
    #[inline]
    pub(super) fn get(&self, value: &str) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let value = value.as_bytes();
        let h = hash(value);
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let slot = self.slots.get(at)?;
            if slot.set == FREE {
                return None;
            }
            if slot.hash == h {
                let start = slot.start as usize;
                let bytes = self.bytes.get(start..start + slot.len as usize);
                if bytes.is_some_and(|b| same(b, value)) {
                    return Some(slot.set);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// How many values the table has.
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exactly_its_values() {
        let values: Vec<String> = (0..300).map(|i| format!("value-{i}")).collect();
        let table = ValueTable::new(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.as_str().into(), i as u32 * 4))
                .collect(),
        );
        assert_eq!(table.len(), 300);
        for (i, v) in values.iter().enumerate() {
            assert_eq!(table.get(v), Some(i as u32 * 4), "{v}");
        }
        for v in ["", "value-", "value-300", "value-1 ", "VALUE-1", "value-01"] {
            assert_eq!(table.get(v), None, "{v}");
        }
        // The empty string is a value like any other.
        let table = ValueTable::new(vec![("".into(), 7), ("x".into(), 8)]);
        assert_eq!(
            (table.get(""), table.get("x"), table.get("y")),
            (Some(7), Some(8), None)
        );
        let empty = ValueTable::new(Vec::new());
        assert_eq!((empty.len(), empty.get("")), (0, None));
    }
}
