//! The evaluator: a tree of compiled nodes whose checks hold field extractors and pre-parsed
//! literals (reference §3).
//!
//! Data flow: `super::build` turns a type-checked AST into a [`Node`] tree once; per event
//! [`Node::eval`] walks it with short-circuit `and`/`or`. A check extracts its left field
//! (borrowing from the event where the registry can), applies transformers, and runs its
//! [`Test`]. A missing value makes the check false whatever the operator; only `not` negates.
//! The common path (plain fields, literal right sides) does not allocate; only the multi-value
//! transformers (`concat`, `join`, see `super::multi`) build new strings. Left-side fields go
//! through the per-event [`ExtractCache`] (each field has a slot, see `super::cache`), so that a
//! field tested by many rules is extracted once per event.

use std::cmp::Ordering;

use memchr::memmem;
use okta_stream::event::Event;
use okta_stream::fields::{Field, FieldState, Value};
use regex::Regex;

use super::cache::{ExtractCache, SlotTable, NO_SLOT};
use super::glob::fnmatch;
use super::multi::Multi;
use super::pmatch::PathPatterns;
use super::text::{contains_short, icontains, same, Lit, StrSet, SHORT};
use super::transform;
use crate::condition::ast::{Modifier, Op, Transformer};

/// A compiled boolean expression.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Check(Box<CheckNode>),
    /// A check whose result does not depend on the event (`x in ()` is always false).
    Const(bool),
}

/// One check: where the value comes from and what is tested on it.
#[derive(Debug, Clone)]
pub(crate) struct CheckNode {
    pub(crate) lhs: Operand,
    pub(crate) test: Test,
}

/// A value source: a field (with its cache slot, [`NO_SLOT`] until a ruleset assigns one),
/// possibly transformed, or a multi-value transformer over several arguments.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Field(Field, u32),
    Transform(Transformer, Box<Operand>),
    Multi(Box<Multi>),
}

impl Operand {
    /// Extraction without the cache.
    #[inline]
    pub(crate) fn extract<'e>(&self, event: &'e Event, state: &FieldState) -> Option<Value<'e>> {
        match self {
            Operand::Field(f, _) => f.extract(event, state),
            Operand::Transform(t, inner) => transform::apply(*t, inner.extract(event, state)?),
            // A cache without slots reads every field directly.
            Operand::Multi(m) => m
                .extract(&mut ExtractCache::direct(event, state))
                .map(|s| Value::Str(s.into())),
        }
    }

    /// Extraction through the cache.
    #[inline]
    pub(crate) fn extract_cached<'a>(&self, cache: &'a mut ExtractCache<'_>) -> Option<Value<'a>> {
        match self {
            Operand::Field(f, slot) => cache.get(*slot, f),
            Operand::Transform(t, inner) => transform::apply(*t, inner.extract_cached(cache)?),
            Operand::Multi(m) => m.extract(cache).map(|s| Value::Str(s.into())),
        }
    }

    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        match self {
            Operand::Field(f, slot) => *slot = table.assign(f),
            Operand::Transform(_, inner) => inner.assign_slots(table),
            Operand::Multi(m) => m.assign_slots(table),
        }
    }

    /// Whether reading this operand only reads fields in `known` slots.
    pub(crate) fn reads_only(&self, known: &[u32]) -> bool {
        match self {
            Operand::Field(_, slot) => known.contains(slot),
            Operand::Transform(_, inner) => inner.reads_only(known),
            Operand::Multi(m) => m.reads_only(known),
        }
    }
}

/// What a check tests on the extracted value.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// The value exists.
    Exists,
    /// A string field against literals.
    Str(StrTest),
    /// A uint64 field against literals.
    U64(NumTest),
    /// A bool field against literals.
    Bool(BoolTest),
    /// A list field against a literal set.
    List(ListTest),
    /// Against another field (`val(f)` or a transformer on the right).
    Field { op: Op, rhs: Box<Operand> },
    /// `op anyof|allof|oneof (v1, ..., vn)`: one test per value.
    Modifier {
        modifier: Modifier,
        tests: Box<[Test]>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum StrTest {
    Eq(Lit),
    Ne(Lit),
    Ord(Op, Box<str>),
    Contains(Box<memmem::Finder<'static>>),
    /// The needle in ASCII lower case.
    IContains(Box<[u8]>),
    StartsWith(Lit),
    EndsWith(Lit),
    Glob(Box<[u8]>),
    IGlob(Box<[u8]>),
    Regex(Box<Regex>),
    In(StrSet),
    PMatch(PathPatterns),
}

#[derive(Debug, Clone)]
pub(crate) enum NumTest {
    Cmp(Op, u64),
    In(Box<[u64]>),
}

#[derive(Debug, Clone)]
pub(crate) enum BoolTest {
    Eq(bool),
    Ne(bool),
    In(Box<[bool]>),
}

#[derive(Debug, Clone)]
pub(crate) enum ListTest {
    /// Every element is in the set.
    In(StrSet),
    /// Some element is in the set.
    Intersects(StrSet),
}

impl CheckNode {
    /// Whether the check holds for the cache's event.
    #[inline]
    pub(crate) fn eval(&self, cache: &mut ExtractCache<'_>) -> bool {
        // The common case: a string test on a plain field, on the kept value.
        if let (Operand::Field(f, slot), Test::Str(t)) = (&self.lhs, &self.test) {
            if let Some(hit) = cache.test_str(*slot, f, |s| t.eval(s)) {
                return hit;
            }
        }
        let (event, state) = (cache.event(), cache.state());
        match self.lhs.extract_cached(cache) {
            // An empty list has no values: like a missing field.
            Some(Value::List(items)) if items.is_empty() => false,
            Some(v) => self.test.eval(&v, event, state),
            None => false,
        }
    }
}

impl Node {
    pub(crate) fn eval(&self, cache: &mut ExtractCache<'_>) -> bool {
        match self {
            Node::And(items) => items.iter().all(|n| n.eval(cache)),
            Node::Or(items) => items.iter().any(|n| n.eval(cache)),
            Node::Not(n) => !n.eval(cache),
            Node::Check(c) => c.eval(cache),
            Node::Const(b) => *b,
        }
    }

    /// Gives every left-side field a cache slot from `table`.
    pub(crate) fn assign_slots(&mut self, table: &mut SlotTable) {
        match self {
            Node::And(items) | Node::Or(items) => {
                items.iter_mut().for_each(|n| n.assign_slots(table))
            }
            Node::Not(n) => n.assign_slots(table),
            Node::Check(c) => c.lhs.assign_slots(table),
            Node::Const(_) => {}
        }
    }
}

impl Node {
    /// Moves the items of a top-level `and` that only read fields in `known` slots (values the
    /// engine reads for every event anyway) before the others, keeping the order within each
    /// group. A condition's checks have no side effects, so `a and b` and `b and a` give the same
    /// result on every event; the cheap items just get the first chance to end the evaluation
    /// before a field nothing else needed is read.
    pub(crate) fn cheap_first(&mut self, known: &[u32]) {
        if let Node::And(items) = self {
            items.sort_by_key(|item| !item.reads_only(known));
        }
    }

    /// Whether evaluating this node only reads fields in `known` slots.
    fn reads_only(&self, known: &[u32]) -> bool {
        match self {
            Node::And(items) | Node::Or(items) => items.iter().all(|n| n.reads_only(known)),
            Node::Not(n) => n.reads_only(known),
            Node::Check(c) => {
                c.lhs.reads_only(known)
                    && match &c.test {
                        Test::Field { rhs, .. } => rhs.reads_only(known),
                        _ => true,
                    }
            }
            Node::Const(_) => true,
        }
    }
}

/// An operand before slots are assigned.
pub(crate) fn field_operand(field: Field) -> Operand {
    Operand::Field(field, NO_SLOT)
}

#[inline]
fn ordered(op: Op, o: Ordering) -> bool {
    match op {
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        _ => false,
    }
}

impl Test {
    pub(crate) fn eval(&self, v: &Value<'_>, event: &Event, state: &FieldState) -> bool {
        match self {
            Test::Exists => true,
            Test::Str(t) => matches!(v, Value::Str(s) if t.eval(s)),
            Test::U64(t) => matches!(v, Value::U64(n) if t.eval(*n)),
            Test::Bool(t) => match (t, v) {
                (BoolTest::Eq(b), Value::Bool(x)) => x == b,
                (BoolTest::Ne(b), Value::Bool(x)) => x != b,
                (BoolTest::In(bs), Value::Bool(x)) => bs.contains(x),
                _ => false,
            },
            Test::List(t) => match (t, v) {
                (ListTest::In(set), Value::List(items)) => {
                    !items.is_empty() && items.iter().all(|i| set.contains(i))
                }
                (ListTest::Intersects(set), Value::List(items)) => {
                    items.iter().any(|i| set.contains(i))
                }
                _ => false,
            },
            Test::Field { op, rhs } => match rhs.extract(event, state) {
                Some(r) => compare_values(*op, v, &r),
                None => false,
            },
            Test::Modifier { modifier, tests } => {
                let mut hits = tests.iter().filter(|t| t.eval(v, event, state));
                match modifier {
                    Modifier::AnyOf => hits.next().is_some(),
                    Modifier::AllOf => !tests.is_empty() && hits.count() == tests.len(),
                    Modifier::OneOf => hits.next().is_some() && hits.next().is_none(),
                }
            }
        }
    }
}

impl StrTest {
    #[inline]
    fn eval(&self, s: &str) -> bool {
        match self {
            StrTest::Eq(x) => same(s.as_bytes(), x.as_bytes()),
            StrTest::Ne(x) => !same(s.as_bytes(), x.as_bytes()),
            StrTest::Ord(op, x) => ordered(*op, s.as_bytes().cmp(x.as_bytes())),
            StrTest::Contains(f) if s.len() <= SHORT => contains_short(s.as_bytes(), f.needle()),
            StrTest::Contains(f) => f.find(s.as_bytes()).is_some(),
            StrTest::IContains(n) => icontains(s.as_bytes(), n),
            StrTest::StartsWith(x) => s
                .as_bytes()
                .get(..x.len())
                .is_some_and(|head| same(head, x.as_bytes())),
            StrTest::EndsWith(x) => s
                .len()
                .checked_sub(x.len())
                .and_then(|from| s.as_bytes().get(from..))
                .is_some_and(|tail| same(tail, x.as_bytes())),
            StrTest::Glob(p) => fnmatch(p, s.as_bytes(), false),
            StrTest::IGlob(p) => fnmatch(p, s.as_bytes(), true),
            StrTest::Regex(r) => r.is_match(s),
            StrTest::In(set) => set.contains(s),
            StrTest::PMatch(p) => p.matches(s),
        }
    }
}

impl NumTest {
    #[inline]
    fn eval(&self, n: u64) -> bool {
        match self {
            NumTest::Cmp(op, x) => ordered(*op, n.cmp(x)),
            NumTest::In(xs) => xs.contains(&n),
        }
    }
}

/// ASCII case-insensitive substring search with a needle that is not pre-lowered.
fn icontains_dyn(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Field-vs-field comparison (types were checked at compile time; mismatches are false).
fn compare_values(op: Op, l: &Value<'_>, r: &Value<'_>) -> bool {
    let member = matches!(op, Op::In | Op::Intersects);
    match (l, r) {
        (Value::Str(a), Value::Str(b)) => match op {
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                ordered(op, a.as_bytes().cmp(b.as_bytes()))
            }
            Op::Contains => memmem::find(a.as_bytes(), b.as_bytes()).is_some(),
            Op::IContains => icontains_dyn(a, b),
            Op::StartsWith => a.starts_with(&**b),
            Op::EndsWith => a.ends_with(&**b),
            Op::Glob => fnmatch(b.as_bytes(), a.as_bytes(), false),
            Op::IGlob => fnmatch(b.as_bytes(), a.as_bytes(), true),
            Op::In | Op::Intersects => a == b,
            _ => false,
        },
        (Value::U64(a), Value::U64(b)) => member && a == b || ordered(op, a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => match op {
            Op::Eq | Op::In | Op::Intersects => a == b,
            Op::Ne => a != b,
            _ => false,
        },
        (Value::Str(a), Value::List(b)) if member => b.iter().any(|x| x == a),
        (Value::List(a), Value::Str(b)) => match op {
            Op::In => !a.is_empty() && a.iter().all(|x| x == b),
            Op::Intersects => a.iter().any(|x| x == b),
            _ => false,
        },
        (Value::List(a), Value::List(b)) => match op {
            Op::In => !a.is_empty() && a.iter().all(|x| b.contains(x)),
            Op::Intersects => a.iter().any(|x| b.contains(x)),
            _ => false,
        },
        _ => false,
    }
}
