//! Replay throughput: decoding and extracting fields from a generated corpus, against
//! `serde_json::Value` parsing of the same lines.
//!
//! Data flow: [`okta_suite::corpus`] generates 100,000 realistic events (~2.6 KB each) into one
//! buffer; each benchmark walks every line of it:
//! - `serde_json_value`: `serde_json::from_slice::<serde_json::Value>` alone (the baseline);
//! - `decode_extract`: `Event::from_bytes` (validation and top-level index) + `FieldState::observe`
//!   + extraction of `okta.evt.type`, `okta.actor.name`, `okta.client.ip`, `okta.target.user.name`;
//! - `file_source_extract`: the same through `FileSource` (framing, copying) from a file on disk.
//!
//! After the Criterion runs, a timing of the three, best of 5 rounds that run them in turn,
//! prints the ratios (target for the first two: >= 4).
//! Run with `cargo bench --bench replay`; `REPLAY_BENCH_EVENTS` changes the corpus size.

use std::time::Duration;

use criterion::{Criterion, Throughput};
use okta_stream::event::Event;
use okta_stream::fields::{self, Field, FieldState};
use okta_stream::source::file::FileSource;
use okta_suite::timing::{best_of_interleaved, BenchCorpus};

/// One of the four fields, resolved once from the registry.
struct Extract(Field);

impl Extract {
    fn resolve(name: &str) -> Extract {
        match fields::resolve_str(name) {
            Ok(field) => Extract(field),
            Err(e) => panic!("{e}"),
        }
    }

    /// Returns the length of the value (so that the work cannot be optimised away).
    #[inline]
    fn run(&self, event: &Event, state: &FieldState) -> usize {
        self.0
            .extract(event, state)
            .map_or(0, |v| v.as_str().map_or(1, str::len))
    }
}

const FIELDS: [&str; 4] = [
    "okta.evt.type",
    "okta.actor.name",
    "okta.client.ip",
    "okta.target.user.name",
];

type Corpus = BenchCorpus;

fn corpus(benching: bool) -> Corpus {
    BenchCorpus::new(
        "REPLAY_BENCH_EVENTS",
        if benching { 100_000 } else { 2_000 },
    )
}

fn serde_value(c: &Corpus) -> usize {
    c.serde_value()
}

fn decode_extract(c: &Corpus, extract: &[Extract]) -> usize {
    let mut state = FieldState::new();
    let mut n = 0;
    for r in &c.lines {
        let event = Event::from_bytes(c.buf.slice(r.clone())).expect("corpus is valid");
        state.observe(&event);
        for e in extract {
            n += e.run(&event, &state);
        }
    }
    n
}

fn file_extract(path: &std::path::Path, extract: &[Extract]) -> usize {
    let mut state = FieldState::new();
    let mut n = 0;
    for event in FileSource::new([path]).iter() {
        let event = event.expect("corpus is valid");
        state.observe(&event);
        for e in extract {
            n += e.run(&event, &state);
        }
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not (one quick run each).
    let benching = args.iter().any(|a| a == "--bench");
    let profiling = args.iter().any(|a| a == "--profile-time");
    let c = corpus(benching);
    let extract: Vec<Extract> = FIELDS.iter().map(|f| Extract::resolve(f)).collect();
    let events = c.lines.len() as u64;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("corpus.jsonl");
    std::fs::write(&path, &c.buf).expect("write corpus");
    // The two paths must agree before anything is timed.
    assert_eq!(decode_extract(&c, &extract), file_extract(&path, &extract));

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("replay");
        group.throughput(Throughput::Elements(events));
        group.bench_function("serde_json_value", |b| b.iter(|| serde_value(&c)));
        group.bench_function("decode_extract", |b| {
            b.iter(|| decode_extract(&c, &extract))
        });
        group.bench_function("file_source_extract", |b| {
            b.iter(|| file_extract(&path, &extract))
        });
        group.finish();
    }
    criterion.final_summary();
    if !benching || profiling {
        return;
    }

    let [(base, base_cpu), (ours, ours_cpu), (file, file_cpu)] = best_of_interleaved(
        5,
        [
            &mut || serde_value(&c),
            &mut || decode_extract(&c, &extract),
            &mut || file_extract(&path, &extract),
        ],
    );
    let rate = |d: Duration| events as f64 / d.as_secs_f64();
    println!(
        "\nratio report ({events} events, {:.0} bytes/event; best of 5 interleaved rounds)",
        c.buf.len() as f64 / events as f64
    );
    println!("  fields: {}", FIELDS.join(", "));
    println!(
        "  (a) serde_json::Value       {:>10.0} events/s wall",
        rate(base)
    );
    println!(
        "  (b) decode + 4 fields       {:>10.0} events/s wall",
        rate(ours)
    );
    println!(
        "  (c) FileSource + 4 fields   {:>10.0} events/s wall",
        rate(file)
    );
    println!(
        "  wall-time ratio (b)/(a) = {:.2}   (c)/(a) = {:.2}   (target (b)/(a) >= 4.0)",
        base.as_secs_f64() / ours.as_secs_f64(),
        base.as_secs_f64() / file.as_secs_f64()
    );
    if let (Some(a), Some(b), Some(f)) = (base_cpu, ours_cpu, file_cpu) {
        println!(
            "  CPU-time ratio  (b)/(a) = {:.2}   (c)/(a) = {:.2}   (10 ms resolution)",
            a.as_secs_f64() / b.as_secs_f64().max(1e-3),
            a.as_secs_f64() / f.as_secs_f64().max(1e-3)
        );
    }
}
