//! Helpers shared by the benchmark binaries: the generated corpus, the serde_json baseline, and
//! best-of-N wall and thread CPU time.
//!
//! On a machine shared with other work, the CPU time of the measuring thread is a steadier
//! measure than wall time; the benchmarks report both.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// CPU time of this thread (user + system), from `/proc/thread-self/stat` (10 ms ticks);
/// `None` where unavailable.
pub fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 14th, stime 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

/// Best (wall, CPU) time of `f` over `runs` runs.
pub fn best_of(runs: usize, f: impl FnMut() -> usize) -> (Duration, Option<Duration>) {
    let mut f = f;
    let [best] = best_of_interleaved(runs, [&mut f]);
    best
}

/// Best (wall, CPU) time of each workload over `rounds` rounds, running each once per round in
/// turn: a burst of load from other work on a shared machine then hits all of them alike, which
/// keeps their ratios steady.
pub fn best_of_interleaved<const N: usize>(
    rounds: usize,
    mut workloads: [&mut dyn FnMut() -> usize; N],
) -> [(Duration, Option<Duration>); N] {
    let mut best = [(Duration::MAX, None::<Duration>); N];
    for _ in 0..rounds {
        for (f, (wall, cpu)) in workloads.iter_mut().zip(best.iter_mut()) {
            let cpu_start = thread_cpu_time();
            let start = Instant::now();
            black_box(f());
            *wall = (*wall).min(start.elapsed());
            if let (Some(a), Some(b)) = (cpu_start, thread_cpu_time()) {
                let d = b.saturating_sub(a);
                *cpu = Some(cpu.map_or(d, |c| c.min(d)));
            }
        }
    }
    best
}

/// The benchmark corpus: generated events as one JSON-lines buffer and each event's byte range.
pub struct BenchCorpus {
    /// All events, one per line.
    pub buf: bytes::Bytes,
    /// The byte range of each event in `buf`.
    pub lines: Vec<std::ops::Range<usize>>,
}

impl BenchCorpus {
    /// `n` events (deterministic), or the number in the environment variable `env_var` if set.
    pub fn new(env_var: &str, n: usize) -> BenchCorpus {
        let n = std::env::var(env_var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(n);
        let (buf, lines) = crate::corpus::Corpus::new(42).jsonl(n);
        BenchCorpus {
            buf: bytes::Bytes::from(buf),
            lines,
        }
    }

    /// The baseline: `serde_json::from_slice::<serde_json::Value>` on every line; returns a
    /// count so the work cannot be optimised away.
    pub fn serde_value(&self) -> usize {
        let mut n = 0;
        for r in &self.lines {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&self.buf[r.clone()]) {
                n += black_box(&v).as_object().map_or(0, |o| o.len());
            }
        }
        n
    }
}
