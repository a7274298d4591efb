//! Candidate selection: which rules an event needs evaluated, in rule order.
//!
//! Data flow: [`RuleIndex::new`] sorts the active rules of a [`crate::Ruleset`] by what narrows
//! them down, once:
//! - rules whose condition limits `okta.evt.type` ([`crate::compile::Predicate::event_types`], as
//!   Falco indexes rules by event type) go into one bucket per type;
//! - rules that can match any type but need a string field to have certain values (an index key:
//!   `okta.result = DENY`, `okta.client.geo.country in (...)`, `okta.actor.alternateid startswith
//!   admin`; see `crate::compile::key`) go into a table of that field, by value or by prefix;
//! - the remaining rules are candidates for every event, and are merged into every type bucket.
//!
//! Per event, [`RuleIndex::candidates`] looks the event type up once and reads each key field
//! once (through the per-event extraction cache, so the rules evaluated afterwards do not read
//! it again); only when a key matches does it merge rules into the bucket's list (sorted, in a
//! reused buffer). With 200 rules of which a sixth can match any type, this keeps the rules
//! evaluated per event to those that could fire. Results are the same as evaluating every rule:
//! a rule left out cannot hold on the event (the engine-equivalence tests check this).

use foldhash::{HashMap, HashMapExt};
use okta_stream::fields::{Field, Value};

use crate::compile::key::KeyMatch;
use crate::compile::{ExtractCache, Predicate};

/// Rule numbers (positions in the ruleset), in rule order.
type RuleList = Box<[u32]>;

/// Rules by a value of their key field.
type ByValue = HashMap<Box<str>, Vec<u32>>;

/// The candidate rules of each event, found by event type and by index keys.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    /// Per event type: its typed rules and the [`RuleIndex::always`] rules, in rule order.
    by_type: HashMap<Box<str>, RuleList>,
    /// Rules that can match any event type and have no index key.
    always: RuleList,
    /// Rules that can match any event type, found by the value of a field.
    keyed: Box<[KeyedField]>,
}

/// The rules keyed on one field.
#[derive(Debug)]
struct KeyedField {
    field: Field,
    slot: u32,
    /// By exact value.
    exact: ByValue,
    /// By prefix, one table per prefix length in bytes.
    prefixes: Vec<(usize, ByValue)>,
    /// Which bytes the prefixes start with (a bit per byte value; bit 0 of word 0 is also set
    /// for the empty prefix): most values are ruled out with one test.
    first_bytes: [u64; 4],
}

/// Sets the bit of `b` in a 256-bit set.
fn set_bit(bits: &mut [u64; 4], b: u8) {
    bits[usize::from(b >> 6)] |= 1 << (b & 63);
}

/// Whether a value starting with `value` can have one of the prefixes of `bits`.
#[inline]
fn may_have_prefix(bits: &[u64; 4], value: &str) -> bool {
    let empty_prefix = bits[0] & 1 != 0;
    match value.as_bytes().first() {
        Some(&b) => empty_prefix || bits[usize::from(b >> 6)] & (1 << (b & 63)) != 0,
        None => empty_prefix,
    }
}

impl RuleIndex {
    /// Indexes the active rules, given as (rule number, condition) in rule order. Slots must have
    /// been assigned to the conditions (the key fields are read through the cache).
    pub(crate) fn new<'a>(rules: impl IntoIterator<Item = (u32, &'a Predicate)>) -> RuleIndex {
        let mut by_type: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut always = Vec::new();
        let mut keyed: Vec<KeyedField> = Vec::new();
        for (i, predicate) in rules {
            if let Some(types) = predicate.event_types() {
                for t in types {
                    by_type.entry(t.as_str().into()).or_default().push(i);
                }
                continue;
            }
            let Some(key) = predicate.index_key() else {
                always.push(i);
                continue;
            };
            let same = |k: &KeyedField| {
                std::ptr::eq(k.field.def(), key.field.def()) && k.field.arg() == key.field.arg()
            };
            let group = match keyed.iter().position(same) {
                Some(g) => &mut keyed[g],
                None => {
                    keyed.push(KeyedField {
                        field: key.field.clone(),
                        slot: key.slot,
                        exact: HashMap::new(),
                        prefixes: Vec::new(),
                        first_bytes: [0; 4],
                    });
                    let last = keyed.len() - 1;
                    &mut keyed[last]
                }
            };
            match key.matches {
                KeyMatch::Exact(values) => {
                    for v in values {
                        group.exact.entry(v).or_default().push(i);
                    }
                }
                KeyMatch::Prefix(p) => {
                    // The empty prefix is marked as byte 0 (no JSON string value starts with
                    // it unescaped, and a value that does only costs a lookup).
                    set_bit(
                        &mut group.first_bytes,
                        p.as_bytes().first().copied().unwrap_or(0),
                    );
                    let len = p.len();
                    let table = match group.prefixes.iter().position(|(l, _)| *l == len) {
                        Some(t) => &mut group.prefixes[t].1,
                        None => {
                            group.prefixes.push((len, HashMap::new()));
                            let last = group.prefixes.len() - 1;
                            &mut group.prefixes[last].1
                        }
                    };
                    table.entry(p).or_default().push(i);
                }
            }
        }
        let by_type = by_type
            .into_iter()
            .map(|(t, mut list)| {
                list.extend_from_slice(&always);
                list.sort_unstable();
                list.dedup();
                (t, list.into_boxed_slice())
            })
            .collect();
        RuleIndex {
            by_type,
            always: always.into_boxed_slice(),
            keyed: keyed.into_boxed_slice(),
        }
    }

    /// The rules to evaluate on the event of `cache`, whose `okta.evt.type` value is
    /// `event_type`, in rule order; and whether they came from a type bucket (the typed rules in
    /// it need not check the event type again). `scratch` is a buffer reused between events.
    #[inline]
    pub(crate) fn candidates<'a>(
        &'a self,
        event_type: &str,
        cache: &mut ExtractCache<'_>,
        scratch: &'a mut Vec<u32>,
    ) -> (&'a [u32], bool) {
        let bucket = self.by_type.get(event_type);
        let base: &'a [u32] = bucket.map_or(&self.always, |b| b);
        let mut merged = false;
        for keyed in self.keyed.iter() {
            let Some(Value::Str(value)) = cache.get(keyed.slot, &keyed.field) else {
                continue;
            };
            let prefixes = match may_have_prefix(&keyed.first_bytes, &value) {
                true => &keyed.prefixes[..],
                false => &[],
            };
            let mut hits = keyed.exact.get(&*value).into_iter().chain(
                prefixes
                    .iter()
                    .filter_map(|(len, table)| table.get(value.get(..*len)?)),
            );
            for rules in &mut hits {
                if !merged {
                    scratch.clear();
                    scratch.extend_from_slice(base);
                    merged = true;
                }
                scratch.extend_from_slice(rules);
            }
        }
        if !merged {
            return (base, bucket.is_some());
        }
        scratch.sort_unstable();
        scratch.dedup();
        (&scratch[..], bucket.is_some())
    }

    /// The cache slots of the fields read for every event (the key fields of rules for any
    /// type).
    pub(crate) fn always_read(&self) -> Vec<u32> {
        self.keyed.iter().map(|k| k.slot).collect()
    }

    /// How many event types have a bucket.
    pub(crate) fn event_types(&self) -> usize {
        self.by_type.len()
    }
}
