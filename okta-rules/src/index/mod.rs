//! Candidate selection: which rules an event needs evaluated, in rule order.
//!
//! The index is a set of *dimensions*, each one field and the rules that need that field to have
//! certain values:
//! - the event type: rules whose condition limits `okta.evt.type`
//!   ([`crate::compile::Predicate::event_types`], as Falco indexes rules by event type) need it
//!   to be one of their types;
//! - index keys: rules whose condition needs string fields to have certain values
//!   (`okta.result = DENY`, `okta.client.geo.country in (...)`, `okta.actor.alternateid startswith
//!   admin`; see `crate::compile::key`), whether they match one event type or any. A rule with
//!   two keys on one field uses two dimensions of that field.
//!
//! Sets of rules are bitsets over rule numbers, all of the same width, stored side by side in
//! one array (equal sets once). Per dimension [`RuleIndex::new`] keeps the set of rules that have
//! a key in it and, per key value and per key prefix, the set of rules that accept it.
//!
//! Data flow per event ([`RuleIndex::candidates`]): start from the active rules; for the event
//! type and then each key field, drop the rules that have a key there which the event's value
//! does not match (`rules &= !keyed | matching`): one table lookup and a few word operations per
//! dimension, with no branch per rule. A field is read (once, through the per-event extraction
//! cache, so the rules evaluated afterwards do not read it again) only while some remaining rule
//! has a key on it: rules of other event types are gone by then, so their key fields cost
//! nothing. The rules left are those whose keys all match, read out of the bitset in rule order.
//! Results are the same as evaluating every rule: a rule left out cannot hold on the event (the
//! engine-equivalence tests check this). The word operations grow with the number of rules (a
//! word per 64): a few per dimension for hundreds of rules, still well under a microsecond per
//! event for thousands.

use foldhash::{HashMap, HashMapExt};
use okta_stream::fields::{Field, Value};

use crate::compile::key::{IndexKey, KeyMatch};
use crate::compile::text::{same, Lit};
use crate::compile::{ExtractCache, Predicate};

mod table;

use table::ValueTable;

/// Where a set of rules starts in [`RuleIndex::sets`] (a word offset).
type SetAt = u32;

/// The candidate rules of each event, found by event type and by index keys (see the module
/// docs).
#[derive(Debug)]
pub(crate) struct RuleIndex {
    /// Words per rule set.
    words: usize,
    /// The active rules.
    active: SetAt,
    /// The event-type dimension.
    types: Dimension,
    /// The key fields, in the order they are read.
    fields: Box<[KeyField]>,
    /// All rule sets, `words` words each.
    sets: Box<[u64]>,
}

/// One field's keys.
#[derive(Debug)]
struct KeyField {
    field: Field,
    slot: u32,
    keys: Dimension,
}

/// The rules with a key on one field, and which of them each value keeps.
#[derive(Debug)]
struct Dimension {
    /// The rules with a key here: candidates only for events whose value matches their key.
    keyed: SetAt,
    /// Per exact key value: the rules it keeps.
    exact: ValueTable,
    /// Per key prefix: the rules kept by values that start with it (including those of the
    /// shorter prefixes it starts with), sorted. The first bytes are kept apart (`first`, same
    /// order), so that a value is compared only with the prefixes of its first byte, found by
    /// binary search: the last that matches is the longest and keeps all the rules any keeps.
    /// An empty prefix keeps its rules for every string (`empty_prefix`).
    prefixes: Box<[(Lit, SetAt)]>,
    first: Box<[u8]>,
    empty_prefix: Option<SetAt>,
}

/// A dimension while the index is built: rule numbers instead of sets.
#[derive(Default)]
struct DimensionRules {
    keyed: Vec<u32>,
    exact: HashMap<Box<str>, Vec<u32>>,
    prefixes: Vec<(Box<str>, Vec<u32>)>,
}

impl DimensionRules {
    fn add(&mut self, matches: KeyMatch, rule: u32) {
        self.keyed.push(rule);
        match matches {
            KeyMatch::Exact(values) => {
                for v in values {
                    self.exact.entry(v).or_default().push(rule);
                }
            }
            KeyMatch::Prefix(p) => match self.prefixes.iter_mut().find(|(q, _)| *q == p) {
                Some((_, rules)) => rules.push(rule),
                None => self.prefixes.push((p, vec![rule])),
            },
        }
    }
}

/// The rule sets of an index while it is built: each distinct set stored once.
struct SetStore {
    words: usize,
    sets: Vec<u64>,
    seen: HashMap<Vec<u64>, SetAt>,
}

impl SetStore {
    /// Where the set of `rules` is (stored now if new).
    fn store(&mut self, rules: &[u32]) -> SetAt {
        let mut bits = vec![0u64; self.words];
        for &rule in rules {
            if let Some(word) = bits.get_mut((rule / 64) as usize) {
                *word |= 1 << (rule % 64);
            }
        }
        if let Some(&at) = self.seen.get(&bits) {
            return at;
        }
        let at = SetAt::try_from(self.sets.len()).unwrap_or(SetAt::MAX);
        self.sets.extend_from_slice(&bits);
        self.seen.insert(bits, at);
        at
    }

    fn dimension(&mut self, rules: DimensionRules) -> Dimension {
        let keyed = self.store(&rules.keyed);
        let exact = rules
            .exact
            .into_iter()
            .map(|(value, rules)| (value, self.store(&rules)))
            .collect();
        let exact = ValueTable::new(exact);
        // Each prefix keeps the rules of the shorter prefixes it starts with too, so that the
        // longest prefix a value starts with stands for all of them.
        let mut empty_prefix = None;
        let mut prefixes = Vec::new();
        for (prefix, _) in &rules.prefixes {
            let mut union: Vec<u32> = rules
                .prefixes
                .iter()
                .filter(|(shorter, _)| prefix.starts_with(&**shorter))
                .flat_map(|(_, rules)| rules.iter().copied())
                .collect();
            union.sort_unstable();
            union.dedup();
            let at = self.store(&union);
            match prefix.is_empty() {
                true => empty_prefix = Some(at),
                false => prefixes.push((prefix.clone(), at)),
            }
        }
        prefixes.sort();
        let first = prefixes.iter().map(|(p, _)| p.bytes().next().unwrap_or(0));
        Dimension {
            keyed,
            exact,
            first: first.collect(),
            prefixes: prefixes
                .iter()
                .map(|(p, at)| (Lit::from(&**p), *at))
                .collect(),
            empty_prefix,
        }
    }
}

/// Memory for selecting candidates, reused between events.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The rules still candidates.
    rules: Vec<u64>,
    /// The candidates, as rule numbers.
    list: Vec<u32>,
}

impl RuleIndex {
    /// Indexes the active rules, given as (rule number, condition) in rule order. Slots must have
    /// been assigned to the conditions (the key fields are read through the cache).
    pub(crate) fn new<'a>(rules: impl IntoIterator<Item = (u32, &'a Predicate)>) -> RuleIndex {
        let mut active = Vec::new();
        let mut types = DimensionRules::default();
        // Per key field, in order of appearance: its dimensions (one per key of a rule on it).
        let mut fields: Vec<(IndexKey, Vec<DimensionRules>)> = Vec::new();
        for (rule, predicate) in rules {
            active.push(rule);
            if let Some(list) = predicate.event_types() {
                let values = list.iter().map(|t| t.as_str().into()).collect();
                types.add(KeyMatch::Exact(values), rule);
            }
            let mut per_field: Vec<usize> = Vec::new();
            for key in predicate.index_keys() {
                let same = |(k, _): &(IndexKey, Vec<DimensionRules>)| {
                    std::ptr::eq(k.field.def(), key.field.def()) && k.field.arg() == key.field.arg()
                };
                let at = match fields.iter().position(same) {
                    Some(at) => at,
                    None => {
                        fields.push((key.clone(), Vec::new()));
                        fields.len() - 1
                    }
                };
                // The rule's n-th key on this field goes to the field's n-th dimension.
                let n = per_field.iter().filter(|&&f| f == at).count();
                per_field.push(at);
                if let Some((_, dims)) = fields.get_mut(at) {
                    if dims.len() <= n {
                        dims.resize_with(n + 1, DimensionRules::default);
                    }
                    if let Some(dim) = dims.get_mut(n) {
                        dim.add(key.matches, rule);
                    }
                }
            }
        }
        let width = active.iter().max().map_or(0, |&m| m as usize + 1);
        let mut store = SetStore {
            words: width.div_ceil(64).max(1),
            sets: Vec::new(),
            seen: HashMap::new(),
        };
        let active = store.store(&active);
        let types = store.dimension(types);
        // Fields that more rules have keys on first: they are the likeliest to be read anyway.
        fields.sort_by_key(|(_, dims)| {
            std::cmp::Reverse(dims.iter().map(|d| d.keyed.len()).sum::<usize>())
        });
        let fields = fields
            .into_iter()
            .flat_map(|(key, dims)| dims.into_iter().map(move |d| (key.clone(), d)))
            .map(|(key, dim)| KeyField {
                field: key.field,
                slot: key.slot,
                keys: store.dimension(dim),
            })
            .collect();
        RuleIndex {
            words: store.words,
            active,
            types,
            fields,
            sets: store.sets.into_boxed_slice(),
        }
    }

    /// Memory for [`RuleIndex::candidates`].
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            rules: vec![0; self.words],
            list: Vec::new(),
        }
    }

    /// The rule set at `at`.
    #[inline]
    fn set(&self, at: SetAt) -> &[u64] {
        let at = at as usize;
        self.sets.get(at..at + self.words).unwrap_or(&[])
    }

    /// The rules to evaluate on the event of `cache`, whose `okta.evt.type` value is
    /// `event_type`, in rule order. `scratch` is memory reused between events (from
    /// [`RuleIndex::scratch`]).
    #[inline]
    pub(crate) fn candidates<'a>(
        &self,
        event_type: &str,
        cache: &mut ExtractCache<'_>,
        scratch: &'a mut Scratch,
    ) -> &'a [u32] {
        let Scratch { rules, list } = scratch;
        rules.resize(self.words, 0);
        rules.copy_from_slice(self.set(self.active));
        self.narrow(&self.types, Some(event_type), rules);
        for key in &*self.fields {
            let keyed = self.set(key.keys.keyed);
            if !rules.iter().zip(keyed).any(|(r, k)| r & k != 0) {
                continue;
            }
            match cache.get(key.slot, &key.field) {
                Some(Value::Str(value)) => self.narrow(&key.keys, Some(&value), rules),
                _ => self.narrow(&key.keys, None, rules),
            }
        }
        list.clear();
        for (word, &bits) in rules.iter().enumerate() {
            let mut rest = bits;
            while rest != 0 {
                list.push(word as u32 * 64 + rest.trailing_zeros());
                rest &= rest - 1;
            }
        }
        list
    }

    /// Drops from `rules` those keyed in `dim` that `value` (`None`: absent or not a string)
    /// does not match.
    #[inline]
    fn narrow(&self, dim: &Dimension, value: Option<&str>, rules: &mut [u64]) {
        // The sets of the keys `value` matches: its exact value's, and its longest prefix's.
        let mut matched = [0 as SetAt; 2];
        let mut n = 0;
        if let Some(value) = value {
            if let Some(at) = dim.exact.get(value) {
                matched[0] = at;
                n = 1;
            }
            let mut longest = dim.empty_prefix;
            if let Some(&b) = value.as_bytes().first() {
                let from = dim.first.partition_point(|&f| f < b);
                let rest = dim.first.get(from..).unwrap_or(&[]);
                let to = from + rest.partition_point(|&f| f == b);
                for (prefix, at) in dim.prefixes.get(from..to).unwrap_or(&[]) {
                    let prefix = prefix.as_bytes();
                    if value
                        .as_bytes()
                        .get(..prefix.len())
                        .is_some_and(|v| same(v, prefix))
                    {
                        longest = Some(*at);
                    }
                }
            }
            if let Some(at) = longest {
                matched[n] = at;
                n += 1;
            }
        }
        let keyed = self.set(dim.keyed);
        match &matched[..n] {
            [] => {
                for (r, k) in rules.iter_mut().zip(keyed) {
                    *r &= !k;
                }
            }
            [one] => {
                for ((r, k), m) in rules.iter_mut().zip(keyed).zip(self.set(*one)) {
                    *r &= !k | m;
                }
            }
            [a, b, ..] => {
                let both = self.set(*a).iter().zip(self.set(*b));
                for ((r, k), (ma, mb)) in rules.iter_mut().zip(keyed).zip(both) {
                    *r &= !k | ma | mb;
                }
            }
        }
    }

    /// The cache slots of the index's key fields (read for most events).
    pub(crate) fn always_read(&self) -> Vec<u32> {
        self.fields.iter().map(|k| k.slot).collect()
    }

    /// How many event types rules are indexed under.
    pub(crate) fn event_types(&self) -> usize {
        self.types.exact.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, CacheMemory, SlotTable};
    use crate::condition::parse as parse_condition;
    use okta_stream::fields::FieldState;
    use okta_stream::Event;

    /// The candidates of each event (given as event type, country, login) for these conditions.
    /// An empty country: the event has no `client` object.
    fn candidates(conditions: &[&str], events: &[(&str, &str, &str)]) -> Vec<Vec<u32>> {
        let mut slots = SlotTable::default();
        let predicates: Vec<Predicate> = conditions
            .iter()
            .map(|c| {
                let mut p = compile(&parse_condition(c).unwrap()).unwrap().predicate;
                p.assign_slots(&mut slots);
                p
            })
            .collect();
        let index = RuleIndex::new(predicates.iter().enumerate().map(|(i, p)| (i as u32, p)));
        let mut scratch = index.scratch();
        let mut memory = CacheMemory::with_slots(slots.len());
        let state = FieldState::new();
        events
            .iter()
            .map(|(et, country, login)| {
                // An empty country: no `client` at all.
                let client = match country.is_empty() {
                    true => String::new(),
                    false => {
                        format!(r#","client":{{"geographicalContext":{{"country":"{country}"}}}}"#)
                    }
                };
                let json = format!(
                    r#"{{"eventType":"{et}","actor":{{"alternateId":"{login}"}}{client}}}"#
                );
                let event = Event::from_bytes(json.into_bytes()).unwrap();
                let mut cache = ExtractCache::for_event(&mut memory, &event, &state);
                let list = index.candidates(et, &mut cache, &mut scratch).to_vec();
                cache.finish(&mut memory);
                list
            })
            .collect()
    }

    #[test]
    fn a_rule_is_a_candidate_when_its_type_and_all_its_keys_match() {
        let rules = [
            "okta.evt.type = a",
            "okta.evt.type in (a, b) and okta.client.geo.country in (France, Japan)",
            "okta.client.geo.country = France and okta.actor.alternateid startswith adm",
            "okta.actor.alternateid startswith \"\"",
            "okta.actor.alternateid contains x",
            "okta.evt.type in ()",
            "okta.client.geo.country in (France, Japan) and okta.client.geo.country = Japan",
            "okta.actor.alternateid startswith ad and okta.actor.alternateid startswith admin",
        ];
        let got = candidates(
            &rules,
            &[
                ("a", "France", "admin@x"),
                ("b", "Japan", "jane@x"),
                ("c", "Japan", "adm@x"),
                ("a", "Peru", ""),
                ("b", "", "admin@x"),
            ],
        );
        assert_eq!(got[0], [0, 1, 2, 3, 4, 7]);
        assert_eq!(got[1], [1, 3, 4, 6]);
        assert_eq!(got[2], [3, 4, 6]);
        assert_eq!(got[3], [0, 3, 4]);
        assert_eq!(got[4], [3, 4, 7]);
    }

    #[test]
    fn absent_fields_match_no_key_and_wide_rulesets_keep_rule_order() {
        // 150 rules over three words: every third keyed on a country, the others on a type.
        let rules: Vec<String> = (0..150)
            .map(|i| match i % 3 {
                0 => format!("okta.client.geo.country = C{}", i % 7),
                _ => format!("okta.evt.type = t{}", i % 5),
            })
            .collect();
        let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
        let got = candidates(&rules, &[("t2", "C3", "j"), ("t4", "", "j")]);
        let want = |et: &str, country: &str| -> Vec<u32> {
            (0..150u32)
                .filter(|i| match i % 3 {
                    0 => format!("C{}", i % 7) == country,
                    _ => format!("t{}", i % 5) == et,
                })
                .collect()
        };
        assert_eq!(got[0], want("t2", "C3"));
        assert_eq!(got[1], want("t4", ""));
        assert!(got[0].len() > 20 && got[0].windows(2).all(|w| w[0] < w[1]));
    }
}
