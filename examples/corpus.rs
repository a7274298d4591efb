//! Writes a deterministic corpus of realistic System Log events as JSON lines to stdout
//! (used for benchmarks and memory measurements).
//!
//! `cargo run --release --example corpus -- [EVENTS] [SEED] > events.jsonl`
//! (defaults: 100000 events, seed 42).

use std::io::Write;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let events: u64 = match args.next() {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let seed: u64 = match args.next() {
        Some(s) => s.parse()?,
        None => 42,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut corpus = okta_suite::corpus::Corpus::new(seed);
    match corpus
        .write_jsonl(events, &mut out)
        .and_then(|_| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
