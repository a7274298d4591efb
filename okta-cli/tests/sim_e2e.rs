//! The `okta-cli` binary end to end against the simulated org (`okta_stream::sim`, started in
//! this test process, on loopback): `tail` killed with SIGKILL at random moments and restarted on
//! the same checkpoint, `tail` with rules (`--default-rules`, `-o`, `-p`, `--rule-matching`,
//! `--events`), and `demo`, which runs its own simulator.
//!
//! The tests live here rather than in the workspace root because only a crate's own integration
//! tests get `CARGO_BIN_EXE_<name>`.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use okta_stream::event::Event;
use okta_stream::sim::{Scenario, SimConfig, SimHandle, SimServer};

const TOKEN: &str = "cli-e2e-token";
const PAGE: usize = 1000;

fn okta_cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_okta-cli"))
}

fn tail_cmd(sim: &SimHandle) -> Command {
    let mut c = okta_cli();
    c.args([
        "tail",
        "--since",
        "3d",
        "--poll-interval",
        "100ms",
        "--requests-per-minute",
        "0",
    ])
    .env("OKTA_ORG_URL", sim.url())
    .env("OKTA_API_TOKEN", TOKEN)
    .env_remove("OKTA_CLIENT_ID")
    .env_remove("OKTA_PRIVATE_KEY_FILE")
    .env_remove("RUST_LOG");
    c
}

fn stored_uuids(sim: &SimHandle) -> Vec<String> {
    sim.events()
        .iter()
        .map(|e| {
            Event::from_bytes(e.bytes())
                .unwrap()
                .uuid()
                .unwrap()
                .into_owned()
        })
        .collect()
}

/// The uuids of the complete lines of a run's output; a torn last line (the process was killed
/// while writing it) is left out: it was never acknowledged, so it must come again.
fn complete_uuids(path: &Path) -> (Vec<String>, bool) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let torn = !text.is_empty() && !text.ends_with('\n');
    let mut lines: Vec<&str> = text.split_terminator('\n').collect();
    if torn {
        lines.pop();
    }
    let uuids = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["uuid"].as_str().unwrap().to_string()
        })
        .collect();
    (uuids, torn)
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("okta-cli did not exit within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the `tail` process `child`, started when the simulator had answered `before`
/// log requests, has committed its first page, so that a SIGTERM now finds its signal handlers
/// installed and the checkpoint at the end. (A fixed one-second sleep did not: a slow start-up
/// got the SIGTERM before either, and the next clean run then repeated the page.)
///
/// `tail` asks for the next page only after committing the previous one, so its second request
/// proves the first page committed. A request of the previous, killed process may still reach
/// the simulator after `before` was read (it was in the socket when the process died), so three
/// requests are awaited: at least two are this process's.
async fn wait_until_committed_a_page(sim: &SimHandle, before: u64, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while sim.stats().log_requests < before + 3 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("okta-cli exited before the clean stop: {status:?}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("okta-cli made no progress within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Counts the newlines of a file that another process is appending to.
struct NewlineCounter {
    file: std::fs::File,
    newlines: usize,
}

impl NewlineCounter {
    fn open(path: &Path) -> NewlineCounter {
        NewlineCounter {
            file: std::fs::File::open(path).unwrap(),
            newlines: 0,
        }
    }

    /// The newlines written so far.
    fn count(&mut self) -> usize {
        let mut buf = [0u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut self.file, &mut buf).unwrap();
            if n == 0 {
                return self.newlines;
            }
            self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count();
        }
    }
}

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_killed_at_random_points_loses_nothing_and_repeats_only_the_unacked_page() {
    const TOTAL: usize = 15_000;
    const MAX_RUNS: usize = 60;
    let sim = SimServer::start(SimConfig::new().api_token(TOKEN).backlog(TOTAL).seed(21))
        .await
        .unwrap();
    let stored = stored_uuids(&sim);
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("checkpoint.json");
    let mut rng = Rng::from_env_or_time("E2E_SEED");

    // Every complete line delivered, in order, over all runs; and the first-seen sequence.
    let mut first_seen: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut repeats_per_run: Vec<usize> = Vec::new();
    let mut torn_lines = 0;
    let mut kills = 0;
    // Clean runs (SIGTERM) once everything arrived: the first may repeat the last page the
    // killed run had not acknowledged; the second, after a clean stop, must repeat nothing.
    let mut clean_runs = 0;
    for run in 0..MAX_RUNS {
        let out = dir.path().join(format!("run-{run}.jsonl"));
        let requests_before = sim.stats().log_requests;
        let mut child = tail_cmd(&sim)
            .arg("--checkpoint")
            .arg(&checkpoint)
            .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let clean = seen.len() == TOTAL;
        if clean {
            // Stop only once this run has re-read and committed what the killed run left
            // unacknowledged: see `wait_until_committed_a_page`.
            wait_until_committed_a_page(&sim, requests_before, &mut child).await;
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            let status = tokio::task::block_in_place(|| {
                wait_with_deadline(&mut child, Duration::from_secs(20))
            });
            assert!(status.success(), "clean stop failed: {status:?}");
        } else {
            // SIGKILL at a random moment: during start-up, a request, a write or a commit.
            // The time range grows with each run so that even a slow machine makes progress;
            // the kill comes earlier once the run wrote a random number of lines (at most two
            // and a half pages), so that a fast machine, which writes the whole backlog within
            // the time range, is still interrupted several times mid-stream.
            let delay = Duration::from_millis(30 + rng.below(600 + 40 * run as u64));
            let lines = 1 + rng.below(5 * PAGE as u64 / 2) as usize;
            let started = Instant::now();
            let mut written = NewlineCounter::open(&out);
            while started.elapsed() < delay && written.count() < lines {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            child.kill().unwrap();
            tokio::task::block_in_place(|| child.wait()).unwrap();
            kills += 1;
        }
        let (uuids, torn) = complete_uuids(&out);
        torn_lines += usize::from(torn);
        // Repeats must lead the run's output (the re-read of the unacknowledged page) and be
        // among the last page of what was delivered before.
        let repeats = uuids.iter().take_while(|u| seen.contains(*u)).count();
        let later_repeats = uuids[repeats..]
            .iter()
            .filter(|u| seen.contains(*u))
            .count();
        assert_eq!(later_repeats, 0, "run {run}: repeats after new events");
        assert!(
            repeats <= PAGE,
            "run {run}: {repeats} repeated events, more than one page"
        );
        let recent: HashSet<&String> = first_seen.iter().rev().take(PAGE).collect();
        assert!(
            uuids[..repeats].iter().all(|u| recent.contains(u)),
            "run {run}: a repeated event is older than the last unacknowledged page"
        );
        for u in &uuids[repeats..] {
            assert!(seen.insert(u.clone()), "run {run}: duplicate within a run");
            first_seen.push(u.clone());
        }
        repeats_per_run.push(repeats);
        if clean {
            assert_eq!(repeats, uuids.len(), "run {run}: new events after the end");
            clean_runs += 1;
            if clean_runs == 2 {
                assert_eq!(
                    uuids.len(),
                    0,
                    "a restart after a clean stop repeated events"
                );
                break;
            }
        }
    }
    let total_repeats: usize = repeats_per_run.iter().sum();
    println!(
        "{kills} SIGKILLs, {} runs; {total_repeats} events delivered twice (per run: {:?}); {torn_lines} torn lines",
        repeats_per_run.len(),
        repeats_per_run
    );
    assert_eq!(
        seen.len(),
        TOTAL,
        "not everything arrived within {MAX_RUNS} runs"
    );
    assert_eq!(first_seen, stored, "every event arrives, in storage order");
    assert_eq!(clean_runs, 2, "the clean-stop runs did not happen");
    assert!(kills >= 3, "too few kills to mean anything: {kills}");
}

/// The rule each scenario is expected to trigger in the bundled default ruleset.
fn scenario_rule(s: Scenario) -> &'static str {
    match s {
        Scenario::MfaPushBombing => "Okta MFA push bombing",
        Scenario::PasswordSpraying => "Okta password spraying from one IP",
        Scenario::AdminPrivilegeGrant => "Admin permission has been assigned to a user in OKTA",
        Scenario::ApiTokenCreation => "Creating a new OKTA API token",
        Scenario::Impersonation => "User initiating impersonation session in OKTA",
        Scenario::NewCountrySignIn => "Okta sign-in from a new country",
        Scenario::MfaFactorReset => "removing all MFA factor from user in OKTA",
        Scenario::GroupMembershipAdd => "Adding user in OKTA group",
        Scenario::UserLockOut => "User has been locked out in OKTA",
        Scenario::AdminAppAccess => "User accessing OKTA admin section",
        Scenario::RateLimitViolation => "User hitting the rate limit on requests in OKTA",
    }
}

fn alert_rules(stdout: &str) -> BTreeMap<String, usize> {
    let mut rules = BTreeMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        if let Some(rule) = v.get("rule").and_then(|r| r.as_str()) {
            *rules.entry(rule.to_string()).or_insert(0) += 1;
        }
    }
    rules
}

fn run_bounded(sim: &SimHandle, extra: &[&str]) -> String {
    let out = tail_cmd(sim)
        .args(["--until", "0s"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{extra:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_with_rules_writes_falco_alerts() {
    let sim = SimServer::start(
        SimConfig::new()
            .api_token(TOKEN)
            .backlog(1_500)
            .backlog_scenarios(true)
            .seed(4),
    )
    .await
    .unwrap();
    let total = sim.len();

    let (json, text, with_events, plain) = tokio::task::block_in_place(|| {
        (
            run_bounded(&sim, &["--default-rules", "--rule-matching", "all"]),
            run_bounded(&sim, &["--default-rules", "-o", "text", "-p", "warning"]),
            run_bounded(&sim, &["--default-rules", "--events"]),
            run_bounded(&sim, &[]),
        )
    });

    // JSON alerts: Falco's object, a rule for every scenario.
    let rules = alert_rules(&json);
    for s in Scenario::ALL {
        assert!(
            rules.contains_key(scenario_rule(s)),
            "no alert of {:?} for scenario {}; alerts: {rules:?}",
            scenario_rule(s),
            s.name()
        );
    }
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    for key in [
        "hostname",
        "output",
        "output_fields",
        "priority",
        "rule",
        "source",
        "tags",
        "time",
    ] {
        assert!(
            first.get(key).is_some(),
            "JSON alert without {key}: {first}"
        );
    }
    assert!(
        first.get("uuid").is_none(),
        "an event, not an alert: {first}"
    );

    // Text alerts at Warning or above only.
    assert!(!text.is_empty());
    for line in text.lines() {
        let level = line.split_whitespace().nth(1).unwrap_or("");
        assert!(
            ["Emergency", "Alert", "Critical", "Error", "Warning"].contains(&level),
            "below the minimum priority: {line}"
        );
    }
    assert!(text.lines().count() < rules.values().sum::<usize>());

    // --events: every event once plus its alerts; without rules: events only.
    let events = with_events
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.get("uuid").is_some() && v.get("output_fields").is_none()
        })
        .count();
    assert_eq!(events, total);
    assert!(with_events.lines().count() > total);
    assert_eq!(plain.lines().count(), total);
    assert!(alert_rules(&plain).is_empty());
}

#[test]
fn tail_with_a_broken_rules_file_fails_before_polling() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "- rule: x\n  condition: okta.nope = 1\n").unwrap();
    let out = okta_cli()
        .args([
            "tail",
            "--org-url",
            "http://127.0.0.1:9",
            "--api-token",
            "t",
        ])
        .arg("--rules")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.yaml"), "{err}");
}

#[test]
fn demo_plays_every_scenario_prints_alerts_and_a_summary_and_exits() {
    let mut child = okta_cli()
        .args(["demo", "--duration", "5s", "--backlog", "100", "-o", "json"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let status = wait_with_deadline(&mut child, Duration::from_secs(120));
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "{status:?}\n{err}");
    let rules = alert_rules(&out);
    for s in Scenario::ALL {
        assert!(
            rules.contains_key(scenario_rule(s)),
            "no alert of {:?} for scenario {}; stderr:\n{err}",
            scenario_rule(s),
            s.name()
        );
        assert!(
            err.contains(s.name()),
            "scenario {} not in the summary:\n{err}",
            s.name()
        );
    }
    assert!(err.contains("events seen:"), "{err}");
    let n = Scenario::ALL.len();
    assert!(
        err.contains(&format!("scenarios played: {n} of {n}")),
        "{err}"
    );
    for (rule, n) in &rules {
        assert!(
            err.contains(&format!("{n:>7}  {rule}")),
            "summary misses {n} x {rule}:\n{err}"
        );
    }
}

/// `okta-cli demo | head -1`: when the reader closes the pipe, the demo stops quietly with
/// status 0 (as `grep` or `jq` do), not with an error.
#[test]
fn demo_stops_quietly_when_its_output_pipe_closes() {
    use std::io::{BufRead, BufReader};
    // Enough backlog alerts to fill the pipe before the scenarios start.
    let mut child = okta_cli()
        .args([
            "demo",
            "--duration",
            "30s",
            "--backlog",
            "5000",
            "-o",
            "json",
        ])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "{first}");
    drop(out);
    let status = wait_with_deadline(&mut child, Duration::from_secs(60));
    let err = err.join().unwrap();
    assert!(status.success(), "{status:?}\n{err}");
    assert!(!err.contains("error"), "{err}");
}
