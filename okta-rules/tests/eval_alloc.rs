//! Evaluation of compiled conditions does not allocate on the common path: plain string fields
//! borrowed from the event, literal right sides, every string operator, boolean combinations,
//! modifiers and large `in` sets.
//!
//! A counting global allocator (test-only; the library crates forbid unsafe code) counts the
//! allocations made by the current thread while predicates are evaluated.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use okta_rules::{compile, condition};
use okta_stream::{fields::FieldState, Event};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: delegates every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Compiles `conditions`, warms them up on `raw`, then counts allocations over 100 rounds of
/// evaluation; returns (allocations, number of true predicates).
fn allocations_during_eval(conditions: &[String], raw: &'static [u8]) -> (usize, usize) {
    let predicates: Vec<_> = conditions
        .iter()
        .map(|c| {
            compile::compile(&condition::parse(c).unwrap())
                .unwrap_or_else(|e| panic!("{c}: {e}"))
                .predicate
        })
        .collect();
    let event = Event::from_bytes(raw).unwrap();
    let mut state = FieldState::new();
    state.observe(&event);
    // Warm up (the regex engine sets up its per-thread cache on first use).
    let expected: Vec<bool> = predicates.iter().map(|p| p.eval(&event, &state)).collect();

    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let mut same = true;
    for _ in 0..100 {
        for (p, want) in predicates.iter().zip(&expected) {
            same &= p.eval(&event, &state) == *want;
        }
    }
    COUNTING.with(|c| c.set(false));
    assert!(same, "results changed between rounds");
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        expected.iter().filter(|b| **b).count(),
    )
}

const EVENT: &[u8] =
    br#"{"uuid":"u1","eventType":"user.session.start","actor":{"displayName":"Alice Smith"}}"#;

#[test]
fn evaluation_does_not_allocate() {
    let big: Vec<String> = (0..200).map(|i| format!("type.{i}")).collect();
    let conditions = [
        "okta.evt.type = user.session.start".to_string(),
        "okta.evt.type != user.session.end".to_string(),
        "okta.evt.type in (a, b, user.session.start)".to_string(),
        format!("okta.evt.type in ({}, user.session.start)", big.join(", ")),
        "okta.evt.type intersects (x, y)".to_string(),
        "okta.evt.type contains session".to_string(),
        "okta.evt.type icontains 'SESSION.st'".to_string(),
        "okta.evt.type startswith user. and okta.evt.type endswith .start".to_string(),
        "okta.evt.type glob 'user.*.st?rt'".to_string(),
        "okta.evt.type iglob 'USER.*'".to_string(),
        "okta.evt.type regex 'user\\\\.session\\\\.(start|end)'".to_string(),
        "okta.evt.type pmatch (/user, user.session.start)".to_string(),
        "okta.evt.type > 1 and okta.evt.type <= 99".to_string(),
        "okta.evt.type exists and not okta.evt.type = Bob or okta.evt.type = x".to_string(),
        "okta.evt.type startswith anyof (system., user.)".to_string(),
        "okta.evt.type = val(okta.evt.type)".to_string(),
        "okta.evt.type in ()".to_string(),
    ];
    let (allocations, matched) = allocations_during_eval(&conditions, EVENT);
    assert!(matched >= 10, "only {matched} predicates matched");
    assert_eq!(allocations, 0);
}

#[test]
fn nested_field_evaluation_does_not_allocate() {
    let conditions = [
        "okta.actor.name contains Smith".to_string(),
        "okta.actor.name icontains 'alice sm'".to_string(),
        "okta.actor.name exists and not okta.actor.name = Bob".to_string(),
    ];
    let (allocations, matched) = allocations_during_eval(&conditions, EVENT);
    assert_eq!(matched, 3);
    assert_eq!(allocations, 0);
}

#[test]
fn ruleset_processing_without_alerts_does_not_allocate() {
    // Several rules share fields (so the per-event extraction cache is used), none fires.
    let rules = r#"
- rule: a
  desc: a
  condition: okta.evt.type = user.session.start and okta.actor.name contains Bob
  output: "a %okta.actor.name"
  priority: NOTICE
- rule: b
  desc: b
  condition: okta.actor.name startswith Carol and okta.evt.type != x
  output: "b"
  priority: NOTICE
- rule: c
  desc: c
  condition: okta.evt.type in (user.session.start, y) and not okta.actor.name icontains alice
  output: "c"
  priority: NOTICE
"#;
    let mut ruleset = okta_rules::Ruleset::load_strs(&[("r.yaml", rules)], &Default::default())
        .expect("rules load");
    let event = Event::from_bytes(EVENT).unwrap();
    let mut alerts = 0;
    ruleset.process_with(&event, |_| alerts += 1);
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    for _ in 0..100 {
        ruleset.process_with(&event, |_| alerts += 1);
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(alerts, 0);
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0);
}
