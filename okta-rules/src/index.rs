//! Candidate selection: which rules an event needs evaluated, in rule order.
//!
//! Data flow: [`RuleIndex::new`] sorts the active rules of a [`crate::Ruleset`] by what narrows
//! them down, once:
//! - rules whose condition limits `okta.evt.type` ([`crate::compile::Predicate::event_types`], as
//!   Falco indexes rules by event type) go into one bucket per type; within a bucket, those whose
//!   remaining condition has index keys (below) are kept by key, the others in a list;
//! - rules that can match any type but need string fields to have certain values (index keys:
//!   `okta.result = DENY`, `okta.client.geo.country in (...)`, `okta.actor.alternateid startswith
//!   admin`; see `crate::compile::key`) go into a table per key field, by value or by prefix;
//! - the remaining rules are candidates for every event, and are merged into every type bucket.
//!
//! Per event, [`RuleIndex::candidates`] looks the event type up once and reads each key field
//! (of the rules for any type and of the bucket's keyed rules) once, through the per-event
//! extraction cache (so the rules evaluated afterwards do not read it again). It counts, per rule,
//! the keys that match ([`Scratch`]); a rule whose keys all match joins the bucket's list, which
//! comes out in rule order from a bitset. With 200 rules of which a sixth can match any type,
//! this keeps the rules evaluated per event to those that could fire. Results are the same as
//! evaluating every rule: a rule left out cannot hold on the event (the engine-equivalence tests
//! check this).

use foldhash::{HashMap, HashMapExt};
use okta_stream::fields::{Field, Value};

use crate::compile::key::{IndexKey, KeyMatch};
use crate::compile::{ExtractCache, Predicate};

/// Rule numbers (positions in the ruleset), in rule order.
type RuleList = Box<[u32]>;

/// Rules by a value of their key field.
type ByValue = HashMap<Box<str>, Vec<u32>>;

/// The candidate rules of each event, found by event type and by index keys.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    /// Per event type: its rules.
    by_type: HashMap<Box<str>, Bucket>,
    /// Rules that can match any event type and have no index key.
    always: RuleList,
    /// Rules that can match any event type, found by the value of a field.
    keyed: Box<[KeyedField]>,
    /// Per rule number: how many index keys the rule has (it is a candidate when all match).
    needed: Box<[u32]>,
}

/// The rules of one event type.
#[derive(Debug)]
struct Bucket {
    /// Its typed rules without an index key, and the [`RuleIndex::always`] rules, in rule order.
    rules: RuleList,
    /// Its typed rules with an index key, by key field.
    keyed: Box<[KeyedField]>,
}

/// The rules keyed on one field.
#[derive(Debug)]
struct KeyedField {
    field: Field,
    slot: u32,
    /// By exact value.
    exact: ByValue,
    /// By prefix.
    prefixes: Prefixes,
}

/// One prefix and the rules keyed on it.
type PrefixRules = (Box<[u8]>, Vec<u32>);

/// Rules by a prefix of their key field's value.
#[derive(Debug, Default)]
struct Prefixes {
    /// Rules whose prefix is empty (every value has it).
    empty: Vec<u32>,
    /// Per first byte (256 lists once a prefix is added): the prefixes starting with it and their
    /// rules. A value is compared with the prefixes of its first byte only, one by one: cheap for
    /// the tens of prefixes rules use (a trie would be the step for thousands).
    by_first: Vec<Vec<PrefixRules>>,
}

impl Prefixes {
    fn add(&mut self, prefix: &str, rule: u32) {
        let Some(&first) = prefix.as_bytes().first() else {
            self.empty.push(rule);
            return;
        };
        if self.by_first.is_empty() {
            self.by_first.resize_with(256, Vec::new);
        }
        let Some(list) = self.by_first.get_mut(usize::from(first)) else {
            return;
        };
        match list.iter_mut().find(|(p, _)| **p == *prefix.as_bytes()) {
            Some((_, rules)) => rules.push(rule),
            None => list.push((prefix.as_bytes().into(), vec![rule])),
        }
    }

    /// The rule lists of the prefixes `value` starts with.
    #[inline]
    fn matching<'a>(&'a self, value: &'a [u8]) -> impl Iterator<Item = &'a [u32]> + 'a {
        let same_first = value
            .first()
            .and_then(|&b| self.by_first.get(usize::from(b)))
            .map_or(&[][..], |list| &list[..]);
        let empty = (!self.empty.is_empty()).then_some(&self.empty[..]);
        empty.into_iter().chain(
            same_first
                .iter()
                .filter(move |(p, _)| value.starts_with(p))
                .map(|(_, rules)| &rules[..]),
        )
    }
}

/// Memory for merging candidate lists, reused between events: a bit per rule, so that the
/// merged list comes out in rule order without duplicates and without sorting.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Per rule number: how many of its keys matched this event (rules in `touched`).
    hits: Vec<u32>,
    touched: Vec<u32>,
    bits: Vec<u64>,
    /// The range of words of `bits` that may have bits set.
    low: usize,
    high: usize,
    list: Vec<u32>,
}

impl Scratch {
    /// Counts one matching key for each rule of `rules`.
    #[inline]
    fn count(&mut self, rules: &[u32]) {
        for &rule in rules {
            let at = rule as usize;
            if at >= self.hits.len() {
                self.hits.resize(at + 1, 0);
            }
            if let Some(hits) = self.hits.get_mut(at) {
                if *hits == 0 {
                    self.touched.push(rule);
                }
                *hits = hits.saturating_add(1);
            }
        }
    }

    /// Marks the counted rules whose keys all matched (`needed` per rule) and clears the counts;
    /// whether any was marked.
    #[inline]
    fn keep_complete(&mut self, needed: &[u32]) -> bool {
        let mut any = false;
        for i in 0..self.touched.len() {
            let Some(&rule) = self.touched.get(i) else {
                break;
            };
            let Some(hits) = self.hits.get_mut(rule as usize) else {
                continue;
            };
            let complete = needed.get(rule as usize) == Some(hits);
            *hits = 0;
            if complete {
                self.add(&[rule]);
                any = true;
            }
        }
        self.touched.clear();
        any
    }

    /// Marks the rules of `rules`.
    #[inline]
    fn add(&mut self, rules: &[u32]) {
        for &rule in rules {
            let word = (rule / 64) as usize;
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            if self.low >= self.high {
                (self.low, self.high) = (word, word + 1);
            } else {
                self.low = self.low.min(word);
                self.high = self.high.max(word + 1);
            }
            if let Some(bits) = self.bits.get_mut(word) {
                *bits |= 1 << (rule % 64);
            }
        }
    }

    /// The marked rules in order, and all marks cleared.
    #[inline]
    fn take_sorted(&mut self) -> &[u32] {
        self.list.clear();
        let range = self.low..self.high.min(self.bits.len());
        for (bits, word) in self.bits[range.clone()].iter_mut().zip(range) {
            let mut rest = std::mem::take(bits);
            while rest != 0 {
                self.list.push(word as u32 * 64 + rest.trailing_zeros());
                rest &= rest - 1;
            }
        }
        (self.low, self.high) = (0, 0);
        &self.list
    }
}

/// Adds rule `rule` under `key` to the tables of its key field in `groups`.
fn add_keyed(groups: &mut Vec<KeyedField>, key: IndexKey, rule: u32) {
    let same = |k: &KeyedField| {
        std::ptr::eq(k.field.def(), key.field.def()) && k.field.arg() == key.field.arg()
    };
    let at = match groups.iter().position(same) {
        Some(at) => at,
        None => {
            groups.push(KeyedField {
                field: key.field.clone(),
                slot: key.slot,
                exact: HashMap::new(),
                prefixes: Prefixes::default(),
            });
            groups.len() - 1
        }
    };
    let Some(group) = groups.get_mut(at) else {
        return;
    };
    match key.matches {
        KeyMatch::Exact(values) => {
            for v in values {
                group.exact.entry(v).or_default().push(rule);
            }
        }
        KeyMatch::Prefix(p) => group.prefixes.add(&p, rule),
    }
}

impl RuleIndex {
    /// Indexes the active rules, given as (rule number, condition) in rule order. Slots must have
    /// been assigned to the conditions (the key fields are read through the cache).
    pub(crate) fn new<'a>(rules: impl IntoIterator<Item = (u32, &'a Predicate)>) -> RuleIndex {
        // Per type: the unkeyed typed rules, and the keyed ones.
        let mut by_type: HashMap<Box<str>, (Vec<u32>, Vec<KeyedField>)> = HashMap::new();
        let mut always = Vec::new();
        let mut keyed: Vec<KeyedField> = Vec::new();
        let mut needed: Vec<u32> = Vec::new();
        for (i, predicate) in rules {
            let keys = predicate.index_keys();
            let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            if needed.len() <= i as usize {
                needed.resize(i as usize + 1, 0);
            }
            if let Some(slot) = needed.get_mut(i as usize) {
                *slot = count;
            }
            if let Some(types) = predicate.event_types() {
                for t in types {
                    let (list, keyed) = by_type.entry(t.as_str().into()).or_default();
                    if keys.is_empty() {
                        list.push(i);
                    }
                    for key in &keys {
                        add_keyed(keyed, key.clone(), i);
                    }
                }
                continue;
            }
            if keys.is_empty() {
                always.push(i);
            }
            for key in keys {
                add_keyed(&mut keyed, key, i);
            }
        }
        let by_type = by_type
            .into_iter()
            .map(|(t, (mut list, keyed))| {
                list.extend_from_slice(&always);
                list.sort_unstable();
                list.dedup();
                let bucket = Bucket {
                    rules: list.into_boxed_slice(),
                    keyed: keyed.into_boxed_slice(),
                };
                (t, bucket)
            })
            .collect();
        RuleIndex {
            by_type,
            always: always.into_boxed_slice(),
            keyed: keyed.into_boxed_slice(),
            needed: needed.into_boxed_slice(),
        }
    }

    /// The rules to evaluate on the event of `cache`, whose `okta.evt.type` value is
    /// `event_type`, in rule order. `scratch` is memory reused between events.
    #[inline]
    pub(crate) fn candidates<'a>(
        &'a self,
        event_type: &str,
        cache: &mut ExtractCache<'_>,
        scratch: &'a mut Scratch,
    ) -> &'a [u32] {
        let bucket = self.by_type.get(event_type);
        let base: &'a [u32] = bucket.map_or(&self.always, |b| &b.rules);
        let bucket_keyed = bucket.map_or(&[][..], |b| &b.keyed[..]);
        for keyed in self.keyed.iter().chain(bucket_keyed) {
            let Some(Value::Str(value)) = cache.get(keyed.slot, &keyed.field) else {
                continue;
            };
            let exact = match keyed.exact.is_empty() {
                true => None,
                false => keyed.exact.get(&*value),
            };
            let hits = exact
                .map(|rules| &rules[..])
                .into_iter()
                .chain(keyed.prefixes.matching(value.as_bytes()));
            for rules in hits {
                scratch.count(rules);
            }
        }
        // Rules whose keys all matched join the base list.
        if !scratch.keep_complete(&self.needed) {
            return base;
        }
        scratch.add(base);
        scratch.take_sorted()
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
