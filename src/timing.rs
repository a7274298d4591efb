//! Timing helpers shared by the benchmark binaries: best-of-N wall and thread CPU time.
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
pub fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, Option<Duration>) {
    let mut wall = Duration::MAX;
    let mut cpu: Option<Duration> = None;
    for _ in 0..runs {
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        black_box(f());
        wall = wall.min(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_time()) {
            let d = b.saturating_sub(a);
            cpu = Some(cpu.map_or(d, |c| c.min(d)));
        }
    }
    (wall, cpu)
}
