//! Catch-up benchmark: how close the System Log poller gets to the most a rate limit allows.
//!
//! Flow: starts `okta-cli simulate` (release build, a separate process so that the simulator's
//! own memory does not count) with a backlog of `EVENTS` events and a limit of `N` requests per
//! `W`-second window, then drains the backlog with an `OktaSource` in this process (pages of
//! 1000, no local quota, `Remaining` reserve 0 and no reset margin: the whole budget), and
//! reports events/s against the limit's maximum (`N x 1000 / W` events/s), the 429s received, and
//! this process's peak RSS (`VmHWM`). A second pass with the default reserve shows what leaving
//! room for other clients costs. Finally the simulator is stopped with SIGINT and its own count of
//! 429 responses is read from its stderr.
//!
//! Run: `cargo build --release -p okta-cli && cargo bench --bench catchup`
//! (environment: `CATCHUP_EVENTS` (200000), `CATCHUP_LIMIT` (20), `CATCHUP_WINDOW` (1),
//! `OKTA_CLI` to use another binary).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use okta_stream::source::okta::{pace, BackoffPolicy, OktaSource, TimeSpec};

const TOKEN: &str = "catchup-bench-token";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process, in kB (Linux `VmHWM`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn okta_cli() -> anyhow::Result<std::path::PathBuf> {
    if let Ok(p) = std::env::var("OKTA_CLI") {
        return Ok(p.into());
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let bin = target.join("release").join("okta-cli");
    if !bin.exists() {
        anyhow::bail!(
            "{} not found: run `cargo build --release -p okta-cli` first (or set OKTA_CLI)",
            bin.display()
        );
    }
    Ok(bin)
}

struct Simulator {
    child: Child,
    url: String,
    stderr: BufReader<std::process::ChildStderr>,
}

fn start_simulator(events: usize, limit: u32, window: u64) -> anyhow::Result<Simulator> {
    let mut child = Command::new(okta_cli()?)
        .args(["simulate", "--port", "0", "--rate", "0", "--token", TOKEN])
        .args(["--events", &events.to_string()])
        .args(["--rate-limit", &format!("{limit}/{window}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut line = String::new();
    loop {
        line.clear();
        if stderr.read_line(&mut line)? == 0 {
            anyhow::bail!("okta-cli simulate exited before printing its URL");
        }
        if let Some(i) = line.find("http://127.0.0.1:") {
            let url = line[i..].trim().to_string();
            // Read up to "Press Ctrl-C" so the backlog is stored.
            loop {
                line.clear();
                if stderr.read_line(&mut line)? == 0 || line.contains("Ctrl-C") {
                    break;
                }
            }
            return Ok(Simulator { child, url, stderr });
        }
    }
}

impl Simulator {
    /// Stops the simulator with SIGINT and returns its final statistics line.
    fn stop(mut self) -> anyhow::Result<String> {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()?;
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest)?;
        self.child.wait()?;
        Ok(rest.trim().to_string())
    }
}

struct Pass {
    events: u64,
    elapsed: Duration,
    requests: u64,
    rate_limited: u64,
    reserve_waits: u64,
}

async fn drain(url: &str, events: u64, reserve: u64, window: u64) -> anyhow::Result<Pass> {
    let source = OktaSource::builder()
        .org_url(url)
        .api_token(TOKEN)
        .since(TimeSpec::Ago(Duration::from_secs(30 * 86_400)))
        .requests_per_minute(0)
        .rate_limit_reserve(reserve)
        .reset_margin(Duration::ZERO)
        .backoff(BackoffPolicy {
            base: Duration::from_millis(50),
            cap: Duration::from_secs(2),
        })
        .poll_interval(Duration::from_millis(100))
        .build()?;
    let stats = source.stats();
    let mut pages = source.into_pages();
    // Start just after a window boundary (the simulator's windows are aligned on multiples of W
    // seconds of Unix time, and it runs on this machine's clock), so that every window counted
    // is a whole one.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let w = Duration::from_secs(window);
    let into = Duration::from_nanos((now.as_nanos() % w.as_nanos()) as u64);
    tokio::time::sleep(w - into + Duration::from_millis(5)).await;
    let started = Instant::now();
    let mut got = 0u64;
    while got < events {
        let page = tokio::time::timeout(Duration::from_secs(120), pages.next())
            .await
            .map_err(|_| anyhow::anyhow!("no page for 120 s after {got} events"))?
            .ok_or_else(|| anyhow::anyhow!("stream ended after {got} events"))??;
        got += page.events.len() as u64;
        page.ack.commit().await?;
    }
    Ok(Pass {
        events: got,
        elapsed: started.elapsed(),
        requests: stats.requests.load(Ordering::Relaxed),
        rate_limited: stats.rate_limited.load(Ordering::Relaxed),
        reserve_waits: stats.reserve_waits.load(Ordering::Relaxed),
    })
}

/// Prints a pass and returns its ratio: events drained / the most the limit allows in the
/// windows the drain touched (started on a boundary, so `ceil(elapsed / W)` whole windows).
fn report(name: &str, p: &Pass, limit: u32, window: u64) -> f64 {
    let max_rate = f64::from(limit) * 1000.0 / window as f64;
    let rate = p.events as f64 / p.elapsed.as_secs_f64();
    let windows = (p.elapsed.as_secs_f64() / window as f64).ceil().max(1.0);
    let allowed = windows * f64::from(limit) * 1000.0;
    let ratio = p.events as f64 / allowed;
    println!(
        "{name}: {} events in {:.2} s = {:.0} events/s (limit: {:.0} events/s); {} windows of \
         {window} s allow {:.0} -> {:.1} %; {} requests, {} reserve waits, {} x 429",
        p.events,
        p.elapsed.as_secs_f64(),
        rate,
        max_rate,
        windows,
        allowed,
        ratio * 100.0,
        p.requests,
        p.reserve_waits,
        p.rate_limited
    );
    ratio
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("catchup: run with `cargo bench --bench catchup`");
        return Ok(());
    }
    let events: usize = env_or("CATCHUP_EVENTS", 200_000);
    let limit: u32 = env_or("CATCHUP_LIMIT", 20);
    let window: u64 = env_or("CATCHUP_WINDOW", 1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "catchup: {events} events, limit {limit} requests per {window} s, pages of 1000 \
         (simulator: okta-cli simulate, separate process)"
    );

    let sim = start_simulator(events, limit, window)?;
    let full = runtime.block_on(drain(&sim.url, events as u64, 0, window))?;
    let ratio = report("reserve 0 (whole budget)", &full, limit, window);
    let rss = peak_rss_kb();
    let sim_stats = sim.stop()?;
    println!("simulator: {sim_stats}");
    match rss {
        Some(kb) => println!(
            "poller peak RSS (this process, VmHWM): {:.1} MB (target < 50 MB)",
            kb as f64 / 1024.0
        ),
        None => println!("poller peak RSS: unavailable (no /proc/self/status)"),
    }

    let sim = start_simulator(events, limit, window)?;
    let reserved = runtime.block_on(drain(
        &sim.url,
        events as u64,
        pace::DEFAULT_RESERVE,
        window,
    ))?;
    report(
        &format!("reserve {} (default)", pace::DEFAULT_RESERVE),
        &reserved,
        limit,
        window,
    );
    println!("simulator: {}", sim.stop()?);

    let ok = ratio >= 0.95 && full.rate_limited == 0;
    println!(
        "catchup: {} (target >= 95 % of the limit with zero 429s)",
        if ok { "PASS" } else { "BELOW TARGET" }
    );
    Ok(())
}
