//! Rules throughput: the replay corpus through the rules engine, writing alerts as JSON lines,
//! against `serde_json::Value` parsing of the same lines.
//!
//! Data flow: [`okta_suite::corpus`] generates 100,000 realistic events (~2.6 KB each) into one
//! buffer; each benchmark walks every line of it:
//! - `serde_json_value` (0): `serde_json::from_slice::<serde_json::Value>` alone (the baseline);
//! - `falco_all_rules` (a): `Event::from_bytes`, then the Falco Okta ruleset
//!   (`okta-rules/rules/falco_okta_rules.yaml`) with every rule enabled, each alert written as a
//!   Falco JSON line into a reused buffer;
//! - `generated_200_rules` (b): the same pipeline with 200 generated rules
//!   ([`okta_suite::rulegen::generated_rules`]).
//!
//! After the Criterion runs, a timing of each (with `Event::from_bytes` alone for reference),
//! best of 7 rounds that run them in turn, prints events/s (wall clock and this thread's CPU
//! time) and the ratios (targets:
//! (a)/(0) >= 3.0, per-event cost (b)/(a) <= 1.3). Run with `cargo bench --bench rules`;
//! `RULES_BENCH_EVENTS` changes the corpus size; `RULES_BENCH_PROFILE=a` (or `b`) runs only that
//! pipeline, ten times, for a profiler.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use okta_rules::{EngineOptions, Ruleset, Selection};
use okta_stream::Event;
use okta_suite::timing::{best_of_interleaved, BenchCorpus};

const FALCO_RULES: &str = include_str!("../okta-rules/rules/falco_okta_rules.yaml");

type Corpus = BenchCorpus;

fn corpus(benching: bool) -> Corpus {
    BenchCorpus::new("RULES_BENCH_EVENTS", if benching { 100_000 } else { 2_000 })
}

fn serde_value(c: &Corpus) -> usize {
    c.serde_value()
}

/// `Event::from_bytes` alone (validation and top-level index): the decode share of (a) and (b).
fn decode_only(c: &Corpus) -> usize {
    let mut n = 0;
    for r in &c.lines {
        let event = Event::from_bytes(c.buf.slice(r.clone())).expect("corpus is valid");
        n += black_box(&event).raw().len();
    }
    n
}

/// Every rule enabled (Falco's `-o rules[].enable.rule=*`).
fn all_enabled() -> EngineOptions {
    EngineOptions {
        selections: vec![Selection::EnableName("*".into())],
        hostname: Some("bench-host".into()),
        ..EngineOptions::default()
    }
}

fn ruleset(name: &str, text: &str) -> Ruleset {
    let rules = Ruleset::load_strs(&[(name, text)], &all_enabled()).expect("rules load");
    assert_eq!(rules.active_count(), rules.len(), "every rule runs");
    rules
}

/// Decode, run the rules, write alerts as JSON lines into `out` (cleared every 64 KiB, as a
/// buffered writer would flush). Returns the number of alerts.
fn pipeline(c: &Corpus, rules: &mut Ruleset, out: &mut Vec<u8>) -> usize {
    let mut alerts = 0;
    for r in &c.lines {
        let event = Event::from_bytes(c.buf.slice(r.clone())).expect("corpus is valid");
        rules.process_with(&event, |alert| {
            alerts += 1;
            let _ = out.write_all(alert.to_json().as_bytes());
            out.push(b'\n');
        });
        if out.len() > 1 << 16 {
            black_box(&out[..]);
            out.clear();
        }
    }
    alerts
}

fn report(label: &str, events: u64, wall: Duration, cpu: Option<Duration>) {
    let rate = |d: Duration| events as f64 / d.as_secs_f64();
    match cpu {
        Some(c) => println!(
            "  {label:<46} {:>9.0} events/s wall  {:>9.0} events/s CPU",
            rate(wall),
            rate(c)
        ),
        None => println!("  {label:<46} {:>9.0} events/s wall", rate(wall)),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not (one quick run then).
    let benching = args.iter().any(|a| a == "--bench");
    let c = corpus(benching);
    let events = c.lines.len() as u64;
    let generated = okta_suite::rulegen::generated_rules(200, 2024);
    let mut falco = ruleset("falco_okta_rules.yaml", FALCO_RULES);
    let mut gen = ruleset("generated.yaml", &generated);
    let mut out = Vec::with_capacity(1 << 17);
    let falco_alerts = pipeline(&c, &mut falco, &mut out);
    let gen_alerts = pipeline(&c, &mut gen, &mut out);
    if !benching {
        println!("rules bench: quick run ({events} events) passed");
        return;
    }
    // For profilers (`perf record`): only one pipeline, ten times over.
    if let Ok(which) = std::env::var("RULES_BENCH_PROFILE") {
        let rules = if which == "b" { &mut gen } else { &mut falco };
        let n: usize = (0..10).map(|_| pipeline(&c, rules, &mut out)).sum();
        println!("profile run of ({which}): {n} alerts");
        return;
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("rules");
        group.throughput(Throughput::Elements(events));
        group.bench_function("serde_json_value", |b| b.iter(|| serde_value(&c)));
        group.bench_function("falco_all_rules", |b| {
            b.iter(|| pipeline(&c, &mut falco, &mut out))
        });
        group.bench_function("generated_200_rules", |b| {
            b.iter(|| pipeline(&c, &mut gen, &mut out))
        });
        group.finish();
    }
    criterion.final_summary();

    let mut out_b = Vec::with_capacity(1 << 17);
    let [(base, base_cpu), (a, a_cpu), (b, b_cpu), (d, d_cpu)] = best_of_interleaved(
        7,
        [
            &mut || serde_value(&c),
            &mut || pipeline(&c, &mut falco, &mut out),
            &mut || pipeline(&c, &mut gen, &mut out_b),
            &mut || decode_only(&c),
        ],
    );
    println!(
        "\nratio report ({events} events, {:.0} bytes/event; best of 7 interleaved rounds)",
        c.buf.len() as f64 / events as f64
    );
    report("(0) serde_json::Value", events, base, base_cpu);
    report(
        &format!("(a) Falco, {} rules, {falco_alerts} alerts", falco.len()),
        events,
        a,
        a_cpu,
    );
    report(
        &format!("(b) generated, {} rules, {gen_alerts} alerts", gen.len()),
        events,
        b,
        b_cpu,
    );
    report("(decode only: Event::from_bytes)", events, d, d_cpu);
    let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64();
    println!(
        "  wall: (a)/(0) = {:.2} (target >= 3.0)   per-event cost (b)/(a) = {:.2} (target <= 1.3)",
        ratio(base, a),
        ratio(b, a)
    );
    if let (Some(base), Some(a), Some(b)) = (base_cpu, a_cpu, b_cpu) {
        println!(
            "  CPU:  (a)/(0) = {:.2}                   per-event cost (b)/(a) = {:.2}",
            ratio(base, a),
            ratio(b, a)
        );
    }
}
